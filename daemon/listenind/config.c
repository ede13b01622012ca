// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration file parser. Every key is described once in the table below;
 * the parser, the validation messages and config_dump() all read it.
 */
#include "listenind/config.h"
#include "common/ini.h"
#include "common/log.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINE	4096
#define MAX_FILE	(1 << 20)

enum type {
	T_LOG_LEVEL,
	T_LOG_TO,
	T_BOOL,
	T_PATH,
	T_MODE,
	T_GROUP,
	T_UINT,
	T_SECONDS,
	T_BYTES,
	T_ADDRS,
	T_STRING,
	T_IFACES,
	T_PORTS,
	T_HEADER,
	T_AGENT_SOURCE,
	T_IP4,
	T_IP6,
};

struct key {
	const char *section;
	const char *name;
	enum type type;
	size_t offset;
	size_t size;		/* strings: buffer size; lists: offset of the count */
	unsigned long min, max;	/* T_UINT, T_SECONDS */
	const char *help;
};

#define OFF(f) offsetof(struct config, f)
#define SZ(f) sizeof(((struct config *)0)->f)

static const struct key keys[] = {
	{ "daemon", "log_level", T_LOG_LEVEL, OFF(daemon.log_level), 0, 0, 0,
	  "error, warning, notice, info or debug" },
	{ "daemon", "log_to", T_LOG_TO, OFF(daemon.log_syslog), 0, 0, 0,
	  "stderr or syslog (facility daemon)" },
	{ "daemon", "control_socket", T_PATH, OFF(daemon.control_socket),
	  SZ(daemon.control_socket), 0, 0, "absolute path of the control socket" },
	{ "daemon", "control_mode", T_MODE, OFF(daemon.control_mode), 0, 0, 0,
	  "octal permissions of the control socket" },
	{ "daemon", "control_group", T_GROUP, OFF(daemon.control_group),
	  SZ(daemon.control_group), 0, 0, "group owning the control socket" },
	{ "daemon", "control_max_clients", T_UINT,
	  OFF(daemon.control_max_clients), 0, 1, 1024,
	  "control connections served at once" },
	{ "daemon", "control_idle_timeout", T_SECONDS,
	  OFF(daemon.control_idle_timeout), 0, 0, 86400,
	  "close a control connection silent for; 0 = never" },
	{ "hep", "listen_udp", T_ADDRS, OFF(hep.udp), OFF(hep.n_udp), 0, 0,
	  "HEPv3 over UDP: ADDR:PORT list" },
	{ "hep", "listen_tcp", T_ADDRS, OFF(hep.tcp), OFF(hep.n_tcp), 0, 0,
	  "HEPv3 over TCP: ADDR:PORT list" },
	{ "hep", "auth_key", T_STRING, OFF(hep.auth_key), SZ(hep.auth_key), 0, 0,
	  "HEP authentication key; empty accepts any" },
	{ "hep", "max_tcp_clients", T_UINT, OFF(hep.max_tcp_clients), 0, 1, 4096,
	  "HEP TCP connections at once" },
	{ "hep", "tcp_idle_timeout", T_SECONDS, OFF(hep.tcp_idle_timeout), 0, 1,
	  86400, "close a HEP TCP connection silent for" },
	{ "hep", "udp_rcvbuf", T_BYTES, OFF(hep.udp_rcvbuf), 0, 0, 1u << 30,
	  "HEP UDP socket buffer; 0 = system default" },
	{ "capture", "interfaces", T_IFACES, OFF(capture.ifaces),
	  OFF(capture.n_ifaces), 0, 0, "interfaces to capture SIP on" },
	{ "capture", "ports", T_PORTS, OFF(capture.ports), OFF(capture.n_ports),
	  0, 0, "SIP ports and ranges (5060, 5080-5089)" },
	{ "capture", "promiscuous", T_BOOL, OFF(capture.promiscuous), 0, 0, 0,
	  "put capture interfaces in promiscuous mode" },
	{ "capture", "rcvbuf", T_BYTES, OFF(capture.rcvbuf), 0, 0, 1u << 30,
	  "packet socket buffer per interface; 0 = system default" },
	{ "calls", "agent_header", T_HEADER,
	  OFF(calls.meta_header[CONFIG_META_AGENT]), CONFIG_NAME_LEN, 0, 0,
	  "SIP header naming the agent" },
	{ "calls", "queue_header", T_HEADER,
	  OFF(calls.meta_header[CONFIG_META_QUEUE]), CONFIG_NAME_LEN, 0, 0,
	  "SIP header naming the queue" },
	{ "calls", "team_header", T_HEADER,
	  OFF(calls.meta_header[CONFIG_META_TEAM]), CONFIG_NAME_LEN, 0, 0,
	  "SIP header naming the team" },
	{ "calls", "department_header", T_HEADER,
	  OFF(calls.meta_header[CONFIG_META_DEPARTMENT]), CONFIG_NAME_LEN, 0, 0,
	  "SIP header naming the department" },
	{ "calls", "site_header", T_HEADER,
	  OFF(calls.meta_header[CONFIG_META_SITE]), CONFIG_NAME_LEN, 0, 0,
	  "SIP header naming the site" },
	{ "calls", "campaign_header", T_HEADER,
	  OFF(calls.meta_header[CONFIG_META_CAMPAIGN]), CONFIG_NAME_LEN, 0, 0,
	  "SIP header naming the campaign" },
	{ "calls", "agent_fallback", T_AGENT_SOURCE, OFF(calls.agent_fallback),
	  0, 0, 0, "without agent_header: to, asserted or from" },
	{ "calls", "max_calls", T_UINT, OFF(calls.max_calls), 0, 1, 10000000,
	  "calls tracked at once" },
	{ "calls", "setup_timeout", T_SECONDS, OFF(calls.setup_timeout), 0, 1,
	  86400, "forget a call not answered within" },
	{ "calls", "idle_timeout", T_SECONDS, OFF(calls.idle_timeout), 0, 1,
	  7UL * 86400, "forget an established call without SIP for" },
	{ "calls", "ended_linger", T_SECONDS, OFF(calls.ended_linger), 0, 0,
	  86400, "keep an ended call visible for" },
	{ "policy", "file", T_PATH, OFF(policy.file), SZ(policy.file), 0, 0,
	  "monitoring policy; if absent every request is denied" },
	{ "policy", "inactive_days", T_UINT, OFF(policy.inactive_days), 0, 0, 36500,
	  "access review flags users with no audited action for; 0 = never" },
	{ "audit", "database", T_PATH, OFF(audit.database), SZ(audit.database), 0, 0,
	  "SQLite audit trail" },
	{ "audit", "key_file", T_PATH, OFF(audit.key_file), SZ(audit.key_file), 0, 0,
	  "HMAC key of the audit chain, kept apart from the database" },
	{ "audit", "syslog", T_BOOL, OFF(audit.syslog), 0, 0, 0,
	  "copy every audit record to syslog (authpriv)" },
	{ "audit", "retention_days", T_UINT, OFF(audit.retention_days), 0, 0, 36500,
	  "purge records older than; 0 = keep forever" },
	{ "sessions", "copy_source_ipv4", T_IP4, OFF(sessions.copy_source_ipv4), 0, 0, 0,
	  "IPv4 address copies are sent from; empty = no IPv4 sessions" },
	{ "sessions", "copy_source_ipv6", T_IP6, OFF(sessions.copy_source_ipv6), 0, 0, 0,
	  "IPv6 address copies are sent from; empty = no IPv6 sessions" },
	{ "sessions", "copy_port_base", T_UINT, OFF(sessions.copy_port_base), 0, 1, 65535,
	  "first copy source port" },
	{ "sessions", "copy_port_count", T_UINT, OFF(sessions.copy_port_count), 0, 4, 65532,
	  "copy source ports, 4 per session" },
	{ "sessions", "idle_timeout", T_SECONDS, OFF(sessions.idle_timeout), 0, 1, 86400,
	  "end a session whose call sent no media for" },
	{ "sessions", "admin_group", T_GROUP, OFF(sessions.admin_group),
	  SZ(sessions.admin_group), 0, 0, "group allowed audit, access review, stopping any session" },
	{ "sessions", "notice_group", T_GROUP, OFF(sessions.notice_group),
	  SZ(sessions.notice_group), 0, 0, "group that may also subscribe to agent notices (watch)" },
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static const char *const sections[] = {
	"daemon", "hep", "capture", "calls", "policy", "audit", "sessions",
};

static const char *const level_names[] = {
	[LOG_ERR] = "error",
	[LOG_WARNING] = "warning",
	[LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

static const char *const agent_sources[] = {
	[CONFIG_AGENT_FROM_TO] = "to",
	[CONFIG_AGENT_FROM_ASSERTED] = "asserted",
	[CONFIG_AGENT_FROM_FROM] = "from",
};

static const char *const meta_names[] = {
	[CONFIG_META_AGENT] = "agent",
	[CONFIG_META_QUEUE] = "queue",
	[CONFIG_META_TEAM] = "team",
	[CONFIG_META_DEPARTMENT] = "department",
	[CONFIG_META_SITE] = "site",
	[CONFIG_META_CAMPAIGN] = "campaign",
};

const char *config_log_level_name(int level)
{
	if (level < LOG_ERR || level > LOG_DEBUG)
		return "?";
	return level_names[level];
}

const char *config_meta_name(enum config_meta meta)
{
	if ((unsigned int)meta >= CONFIG_META_COUNT)
		return "?";
	return meta_names[meta];
}

static int parse_addr(struct config_addr *out, const char *s, char *why,
		      size_t whylen)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port_s;
	char *end;
	unsigned long port;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			goto bad;
		n = (size_t)(close - s - 1);
		port_s = close + 2;
	} else {
		const char *colon = strrchr(s, ':');

		if (!colon || memchr(s, ':', (size_t)(colon - s)))
			goto bad;
		n = (size_t)(colon - s);
		port_s = colon + 1;
	}
	if (n == 0 || n >= sizeof(host))
		goto bad;
	memcpy(host, s[0] == '[' ? s + 1 : s, n);
	host[n] = '\0';

	if (!isdigit((unsigned char)port_s[0]))
		goto bad;
	errno = 0;
	port = strtoul(port_s, &end, 10);
	if (errno || *end || port == 0 || port > 65535) {
		snprintf(why, whylen, "bad port in \"%.80s\": expected 1 to 65535", s);
		return -1;
	}

	if (s[0] == '[') {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;

		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			goto bad;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		out->len = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;

		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			goto bad;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		out->len = sizeof(*sin);
	}
	return 0;
bad:
	snprintf(why, whylen,
		 "bad address \"%.80s\": expected IPV4:PORT or [IPV6]:PORT", s);
	return -1;
}

void config_addr_format(const struct config_addr *addr, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (addr->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)&addr->ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		if (sin6->sin6_port)
			snprintf(buf, len, "[%s]:%u", host, ntohs(sin6->sin6_port));
		else
			snprintf(buf, len, "%s", host);
	} else if (addr->ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)&addr->ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		if (sin->sin_port)
			snprintf(buf, len, "%s:%u", host, ntohs(sin->sin_port));
		else
			snprintf(buf, len, "%s", host);
	} else {
		snprintf(buf, len, "?");
	}
}

static int parse_bool(bool *out, const char *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int parse_ulong(const char *v, unsigned long *out, char **end)
{
	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	*out = strtoul(v, end, 10);
	return errno ? -1 : 0;
}

/* RFC 3261 token characters: what a header name may contain. */
static bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s) && !strchr("-.!%*_+`'~", *s))
			return false;
	}
	return true;
}

static bool is_iface_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 16 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++) {
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s) ||
		    !isprint((unsigned char)*s))
			return false;
	}
	return true;
}

/* Splits v on commas and blanks; calls fn for each item. */
static int for_each_item(char *v, int (*fn)(void *ctx, const char *item,
					     char *why, size_t whylen),
			 void *ctx, char *why, size_t whylen)
{
	char *save = NULL;

	for (char *it = strtok_r(v, ", \t", &save); it;
	     it = strtok_r(NULL, ", \t", &save)) {
		if (fn(ctx, it, why, whylen))
			return -1;
	}
	return 0;
}

struct list_ctx {
	const struct key *key;
	void *base;
	unsigned int *count;
	unsigned int max;
};

static int add_addr(void *p, const char *item, char *why, size_t whylen)
{
	struct list_ctx *c = p;
	struct config_addr *arr = c->base;

	if (*c->count >= c->max) {
		snprintf(why, whylen, "too many addresses for %s (at most %u)",
			 c->key->name, c->max);
		return -1;
	}
	if (parse_addr(&arr[*c->count], item, why, whylen))
		return -1;
	for (unsigned int i = 0; i < *c->count; i++) {
		if (arr[i].len == arr[*c->count].len &&
		    !memcmp(&arr[i].ss, &arr[*c->count].ss, arr[i].len)) {
			snprintf(why, whylen, "address \"%.80s\" listed twice", item);
			return -1;
		}
	}
	(*c->count)++;
	return 0;
}

static int add_iface(void *p, const char *item, char *why, size_t whylen)
{
	struct list_ctx *c = p;
	char (*arr)[CONFIG_NAME_LEN] = c->base;

	if (*c->count >= c->max) {
		snprintf(why, whylen, "too many interfaces (at most %u)", c->max);
		return -1;
	}
	if (!is_iface_name(item)) {
		snprintf(why, whylen,
			 "bad interface name \"%.80s\": 1 to 15 characters, no '/', ':' or blanks",
			 item);
		return -1;
	}
	for (unsigned int i = 0; i < *c->count; i++) {
		if (!strcmp(arr[i], item)) {
			snprintf(why, whylen, "interface \"%.80s\" listed twice", item);
			return -1;
		}
	}
	snprintf(arr[(*c->count)++], CONFIG_NAME_LEN, "%s", item);
	return 0;
}

static int add_ports(void *p, const char *item, char *why, size_t whylen)
{
	struct list_ctx *c = p;
	struct config_port_range *arr = c->base;
	unsigned long first, last;
	char *end;

	if (*c->count >= c->max) {
		snprintf(why, whylen, "too many port ranges (at most %u)", c->max);
		return -1;
	}
	if (parse_ulong(item, &first, &end))
		goto bad;
	last = first;
	if (*end == '-') {
		if (parse_ulong(end + 1, &last, &end))
			goto bad;
	}
	if (*end)
		goto bad;
	if (first == 0 || first > 65535 || last == 0 || last > 65535) {
		snprintf(why, whylen, "port \"%.80s\" out of range 1 to 65535", item);
		return -1;
	}
	if (last < first) {
		snprintf(why, whylen, "port range \"%.80s\" ends before it starts",
			 item);
		return -1;
	}
	arr[*c->count].first = (uint16_t)first;
	arr[*c->count].last = (uint16_t)last;
	(*c->count)++;
	return 0;
bad:
	snprintf(why, whylen, "bad port \"%.80s\": expected PORT or FIRST-LAST", item);
	return -1;
}

static int parse_bytes(const char *v, unsigned long *out)
{
	unsigned long n, mult = 1;
	char *end;

	if (parse_ulong(v, &n, &end))
		return -1;
	if (*end == 'k' || *end == 'K')
		mult = 1024, end++;
	else if (*end == 'm' || *end == 'M')
		mult = 1024UL * 1024, end++;
	if (*end || n > ULONG_MAX / mult)
		return -1;
	*out = n * mult;
	return 0;
}

static int set_value(struct config *cfg, const struct key *k, char *v,
		     char *why, size_t whylen)
{
	char *field = (char *)cfg + k->offset;
	unsigned long n;
	char *end;

	switch (k->type) {
	case T_LOG_LEVEL:
		n = (unsigned long)log_level_parse(v);
		if ((int)n < LOG_ERR || (int)n > LOG_DEBUG) {
			snprintf(why, whylen,
				 "bad log_level \"%.80s\": use error, warning, notice, info or debug",
				 v);
			return -1;
		}
		*(int *)field = (int)n;
		return 0;
	case T_LOG_TO:
		if (!strcasecmp(v, "stderr") || !strcasecmp(v, "syslog")) {
			*(bool *)field = !strcasecmp(v, "syslog");
			return 0;
		}
		snprintf(why, whylen, "bad log_to \"%.80s\": use stderr or syslog", v);
		return -1;
	case T_BOOL:
		if (parse_bool((bool *)field, v)) {
			snprintf(why, whylen, "bad %s \"%.80s\": use yes or no",
				 k->name, v);
			return -1;
		}
		return 0;
	case T_PATH:
		if (v[0] != '/') {
			snprintf(why, whylen, "%s must be an absolute path, not \"%.80s\"",
				 k->name, v);
			return -1;
		}
		if (strlen(v) >= k->size) {
			snprintf(why, whylen, "%s is longer than %zu bytes", k->name,
				 k->size - 1);
			return -1;
		}
		memcpy(field, v, strlen(v) + 1);
		return 0;
	case T_MODE:
		if (v[0] < '0' || v[0] > '7')
			goto bad_mode;
		errno = 0;
		n = strtoul(v, &end, 8);
		if (errno || *end || n > 0777)
			goto bad_mode;
		*(mode_t *)field = (mode_t)n;
		return 0;
bad_mode:
		snprintf(why, whylen,
			 "bad %s \"%.80s\": expected octal permissions such as 0660",
			 k->name, v);
		return -1;
	case T_GROUP:
		if (strlen(v) >= k->size) {
			snprintf(why, whylen, "%s is longer than %zu bytes", k->name,
				 k->size - 1);
			return -1;
		}
		if (*v && !getgrnam(v)) {
			snprintf(why, whylen, "group \"%.80s\" does not exist", v);
			return -1;
		}
		memcpy(field, v, strlen(v) + 1);
		return 0;
	case T_UINT:
		if (parse_ulong(v, &n, &end) || *end || n < k->min || n > k->max) {
			snprintf(why, whylen,
				 "bad %s \"%.80s\": expected a whole number from %lu to %lu",
				 k->name, v, k->min, k->max);
			return -1;
		}
		*(unsigned int *)field = (unsigned int)n;
		return 0;
	case T_SECONDS:
		if (ini_seconds(v, &n) || n < k->min || n > k->max) {
			snprintf(why, whylen,
				 "bad %s \"%.80s\": expected a duration from %lus to %lus (suffix s, m, h or d)",
				 k->name, v, k->min, k->max);
			return -1;
		}
		*(unsigned int *)field = (unsigned int)n;
		return 0;
	case T_AGENT_SOURCE:
		for (size_t i = 0; i < 3; i++) {
			if (!strcasecmp(v, agent_sources[i])) {
				*(enum config_agent_source *)field = (enum config_agent_source)i;
				return 0;
			}
		}
		snprintf(why, whylen,
			 "bad agent_fallback \"%.80s\": use to, asserted or from", v);
		return -1;
	case T_BYTES:
		if (parse_bytes(v, &n) || n < k->min || n > k->max) {
			snprintf(why, whylen,
				 "bad %s \"%.80s\": expected bytes from %lu to %lu (suffix k or m)",
				 k->name, v, k->min, k->max);
			return -1;
		}
		*(unsigned int *)field = (unsigned int)n;
		return 0;
	case T_STRING:
		if (strlen(v) >= k->size) {
			snprintf(why, whylen, "%s is longer than %zu bytes", k->name,
				 k->size - 1);
			return -1;
		}
		memcpy(field, v, strlen(v) + 1);
		return 0;
	case T_HEADER:
		if (*v && !is_token(v)) {
			snprintf(why, whylen,
				 "bad %s \"%.80s\": a SIP header name is letters, digits and -.!%%*_+`'~",
				 k->name, v);
			return -1;
		}
		if (strlen(v) >= k->size) {
			snprintf(why, whylen, "%s is longer than %zu bytes", k->name,
				 k->size - 1);
			return -1;
		}
		memcpy(field, v, strlen(v) + 1);
		return 0;
	case T_IP4:
	case T_IP6: {
		struct config_addr *a = (struct config_addr *)field;
		int family = k->type == T_IP4 ? AF_INET : AF_INET6;

		memset(a, 0, sizeof(*a));
		if (!*v)
			return 0;
		if (family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;

			if (inet_pton(AF_INET, v, &sin->sin_addr) != 1 || !sin->sin_addr.s_addr)
				goto bad_ip;
			sin->sin_family = AF_INET;
			a->len = sizeof(*sin);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;

			if (inet_pton(AF_INET6, v, &sin6->sin6_addr) != 1 ||
			    IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
				goto bad_ip;
			sin6->sin6_family = AF_INET6;
			a->len = sizeof(*sin6);
		}
		return 0;
bad_ip:
		memset(a, 0, sizeof(*a));
		snprintf(why, whylen, "bad %s \"%.80s\": expected one %s address of this gateway, without port",
			 k->name, v, family == AF_INET ? "IPv4" : "IPv6");
		return -1;
	}
	case T_ADDRS:
	case T_IFACES:
	case T_PORTS: {
		struct list_ctx c = {
			.key = k,
			.base = field,
			.count = (unsigned int *)((char *)cfg + k->size),
		};
		int (*fn)(void *, const char *, char *, size_t);

		if (k->type == T_ADDRS)
			fn = add_addr, c.max = CONFIG_MAX_LISTEN;
		else if (k->type == T_IFACES)
			fn = add_iface, c.max = CONFIG_MAX_IFACES;
		else
			fn = add_ports, c.max = CONFIG_MAX_PORTS;
		*c.count = 0;
		return for_each_item(v, fn, &c, why, whylen);
	}
	}
	snprintf(why, whylen, "internal error: key type %d", (int)k->type);
	return -1;
}

/* The reader's errors in this file's words. */
static int syntax_error(enum ini_error e, const struct ini *r, char *why,
			size_t whylen)
{
	static const char *const fixed[] = {
		[INI_ERR_BRACKET] = "missing ']' after section name",
		[INI_ERR_EQUALS] = "expected \"key = value\" or \"[section]\"",
		[INI_ERR_QUOTE] = "missing closing quote",
		[INI_ERR_AFTER_QUOTE] = "text after the closing quote",
	};

	if (e == INI_ERR_TOO_LONG)
		snprintf(why, whylen, "line longer than %d bytes", MAX_LINE);
	else if (e == INI_ERR_CONTROL)
		snprintf(why, whylen, "control character 0x%02x in column %zu",
			 r->byte, r->column);
	else if ((size_t)e < sizeof(fixed) / sizeof(fixed[0]) && fixed[e])
		snprintf(why, whylen, "%s", fixed[e]);
	else
		snprintf(why, whylen, "internal error: reader error %d", (int)e);
	return -1;
}

static int open_section(const struct ini *r, const char **section, char *why,
			size_t whylen)
{
	if (*r->rest && *r->rest != '#' && *r->rest != ';') {
		snprintf(why, whylen, "text after \"[%.80s]\"", r->section);
		return -1;
	}
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (!strcmp(r->section, sections[i])) {
			*section = sections[i];
			return 0;
		}
	}
	snprintf(why, whylen,
		 "unknown section \"[%.80s]\": use [daemon], [hep], [capture], [calls], [policy], [audit] or [sessions]",
		 r->section);
	return -1;
}

static int parse_key(struct config *cfg, const struct ini *r,
		     const char *section, unsigned int *seen, char *why,
		     size_t whylen)
{
	const char *s = r->key;
	const struct key *k = NULL;
	enum ini_error e;
	char *value;

	if (!*s) {
		snprintf(why, whylen, "missing key before '='");
		return -1;
	}
	if (!section) {
		snprintf(why, whylen,
			 "key \"%.80s\" before any section: put it under [daemon], [hep], [capture], [calls], [policy], [audit] or [sessions]",
			 s);
		return -1;
	}
	for (size_t i = 0; i < N_KEYS; i++) {
		if (!strcmp(keys[i].section, section) &&
		    !strcmp(keys[i].name, s)) {
			k = &keys[i];
			break;
		}
	}
	if (!k) {
		snprintf(why, whylen, "unknown key \"%.80s\" in [%s]", s, section);
		return -1;
	}
	if (seen[k - keys]) {
		snprintf(why, whylen, "key \"%.80s\" in [%s] given twice (first on line %u)",
			 s, section, seen[k - keys]);
		return -1;
	}
	seen[k - keys] = r->line;
	e = ini_value(r->value, &value);
	if (e)
		return syntax_error(e, r, why, whylen);
	return set_value(cfg, k, value, why, whylen);
}

static int check_whole(const struct config *cfg, char *why, size_t whylen)
{
	if (cfg->capture.n_ifaces && !cfg->capture.n_ports) {
		snprintf(why, whylen,
			 "[capture] interfaces are set but ports is empty: nothing would be captured");
		return -1;
	}
	for (int i = 0; i < CONFIG_META_COUNT; i++) {
		for (int j = 0; j < i; j++) {
			if (cfg->calls.meta_header[i][0] &&
			    !strcasecmp(cfg->calls.meta_header[i],
					cfg->calls.meta_header[j])) {
				snprintf(why, whylen,
					 "[calls] %s_header and %s_header both name \"%.80s\"",
					 meta_names[j], meta_names[i],
					 cfg->calls.meta_header[i]);
				return -1;
			}
		}
	}
	if (!strcmp(cfg->audit.database, cfg->audit.key_file)) {
		snprintf(why, whylen,
			 "[audit] key_file and database are the same file: keep the key apart from the records");
		return -1;
	}
	if (cfg->sessions.copy_port_count % 4) {
		snprintf(why, whylen,
			 "[sessions] copy_port_count %u is not a multiple of 4: each session takes 4 source ports",
			 cfg->sessions.copy_port_count);
		return -1;
	}
	if (cfg->sessions.copy_port_base + cfg->sessions.copy_port_count - 1 > 65535) {
		snprintf(why, whylen,
			 "[sessions] copy_port_base %u with copy_port_count %u goes past port 65535",
			 cfg->sessions.copy_port_base, cfg->sessions.copy_port_count);
		return -1;
	}
	return 0;
}

void config_defaults(struct config *cfg)
{
	static const char *const headers[CONFIG_META_COUNT] = {
		[CONFIG_META_AGENT] = "X-Agent",
		[CONFIG_META_QUEUE] = "X-Queue",
		[CONFIG_META_TEAM] = "X-Team",
		[CONFIG_META_DEPARTMENT] = "X-Department",
		[CONFIG_META_SITE] = "X-Site",
		[CONFIG_META_CAMPAIGN] = "X-Campaign",
	};
	char why[64];

	memset(cfg, 0, sizeof(*cfg));
	cfg->daemon.log_level = LOG_INFO;
	cfg->daemon.log_syslog = false;
	snprintf(cfg->daemon.control_socket, sizeof(cfg->daemon.control_socket),
		 "%s", CONFIG_DEFAULT_SOCKET);
	cfg->daemon.control_mode = 0660;
	cfg->daemon.control_max_clients = 64;
	cfg->daemon.control_idle_timeout = 60;
	if (parse_addr(&cfg->hep.udp[0], "127.0.0.1:9060", why, sizeof(why)) == 0)
		cfg->hep.n_udp = 1;
	cfg->hep.max_tcp_clients = 64;
	cfg->hep.tcp_idle_timeout = 300;
	cfg->capture.rcvbuf = 4 << 20;
	cfg->capture.ports[0].first = 5060;
	cfg->capture.ports[0].last = 5060;
	cfg->capture.n_ports = 1;
	for (int i = 0; i < CONFIG_META_COUNT; i++)
		snprintf(cfg->calls.meta_header[i], CONFIG_NAME_LEN, "%s", headers[i]);
	cfg->calls.max_calls = 100000;
	cfg->calls.setup_timeout = 300;
	cfg->calls.idle_timeout = 4 * 3600;
	cfg->calls.ended_linger = 60;
	snprintf(cfg->policy.file, sizeof(cfg->policy.file), "%s", CONFIG_DEFAULT_POLICY);
	snprintf(cfg->audit.database, sizeof(cfg->audit.database), "%s", CONFIG_DEFAULT_AUDIT_DB);
	snprintf(cfg->audit.key_file, sizeof(cfg->audit.key_file), "%s", CONFIG_DEFAULT_AUDIT_KEY);
	cfg->audit.syslog = true;
	cfg->policy.inactive_days = 90;
	cfg->sessions.copy_port_base = 30000;
	cfg->sessions.copy_port_count = 4000;
	cfg->sessions.idle_timeout = 60;
}

int config_parse(struct config *cfg, const char *name, const char *text,
		 size_t len, char *err, size_t errlen)
{
	unsigned int seen[N_KEYS] = { 0 };
	const char *section = NULL;
	char why[CONFIG_ERR_LEN];
	enum ini_item item;
	struct ini r;
	int ret;

	ini_init(&r, text, len, MAX_LINE);
	while ((item = ini_next(&r)) != INI_END) {
		if (item == INI_BAD)
			ret = syntax_error(r.error, &r, why, sizeof(why));
		else if (item == INI_SECTION)
			ret = open_section(&r, &section, why, sizeof(why));
		else
			ret = parse_key(cfg, &r, section, seen, why, sizeof(why));
		if (ret)
			return ini_fail(err, errlen, name, r.line, "%s", why);
	}
	if (check_whole(cfg, why, sizeof(why)))
		return ini_fail(err, errlen, name, 0, "%s", why);
	return 0;
}

int config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *text;
	ssize_t got;
	size_t len = 0;
	int fd, ret;

	config_defaults(cfg);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ini_fail(err, errlen, path, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		ini_fail(err, errlen, path, 0, "not a regular file");
		close(fd);
		return -1;
	}
	if (st.st_size > MAX_FILE) {
		ini_fail(err, errlen, path, 0, "larger than %d bytes", MAX_FILE);
		close(fd);
		return -1;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		ini_fail(err, errlen, path, 0, "out of memory");
		close(fd);
		return -1;
	}
	while (len < (size_t)st.st_size) {
		got = read(fd, text + len, (size_t)st.st_size - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ini_fail(err, errlen, path, 0, "read: %s", strerror(errno));
			free(text);
			close(fd);
			return -1;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	ret = config_parse(cfg, path, text, len, err, errlen);
	free(text);
	return ret;
}

static void dump_value(const struct config *cfg, const struct key *k, FILE *out)
{
	const char *field = (const char *)cfg + k->offset;
	unsigned int count = 0;
	char buf[INET6_ADDRSTRLEN + 8];

	if (k->type == T_ADDRS || k->type == T_IFACES || k->type == T_PORTS)
		count = *(const unsigned int *)((const char *)cfg + k->size);

	switch (k->type) {
	case T_LOG_LEVEL:
		fputs(config_log_level_name(*(const int *)field), out);
		break;
	case T_LOG_TO:
		fputs(*(const bool *)field ? "syslog" : "stderr", out);
		break;
	case T_AGENT_SOURCE:
		fputs(agent_sources[*(const enum config_agent_source *)field], out);
		break;
	case T_BOOL:
		fputs(*(const bool *)field ? "yes" : "no", out);
		break;
	case T_MODE:
		fprintf(out, "%04o", (unsigned int)*(const mode_t *)field);
		break;
	case T_UINT:
		fprintf(out, "%u", *(const unsigned int *)field);
		break;
	case T_SECONDS:
		fprintf(out, "%us", *(const unsigned int *)field);
		break;
	case T_BYTES:
		fprintf(out, "%u", *(const unsigned int *)field);
		break;
	case T_PATH:
	case T_GROUP:
	case T_HEADER:
		fputs(field, out);
		break;
	case T_STRING:
		/* only ever empty here: config_dump() does not print secrets */
		break;
	case T_IP4:
	case T_IP6:
		if (((const struct config_addr *)field)->len) {
			config_addr_format((const struct config_addr *)field, buf, sizeof(buf));
			fputs(buf, out);
		}
		break;
	case T_ADDRS:
		for (unsigned int i = 0; i < count; i++) {
			config_addr_format(&((const struct config_addr *)field)[i],
					   buf, sizeof(buf));
			fprintf(out, "%s%s", i ? ", " : "", buf);
		}
		break;
	case T_IFACES:
		for (unsigned int i = 0; i < count; i++)
			fprintf(out, "%s%s", i ? ", " : "",
				((const char (*)[CONFIG_NAME_LEN])field)[i]);
		break;
	case T_PORTS:
		for (unsigned int i = 0; i < count; i++) {
			const struct config_port_range *r =
				&((const struct config_port_range *)field)[i];

			if (r->first == r->last)
				fprintf(out, "%s%u", i ? ", " : "", r->first);
			else
				fprintf(out, "%s%u-%u", i ? ", " : "", r->first, r->last);
		}
		break;
	}
}

void config_dump(const struct config *cfg, FILE *out)
{
	const char *section = NULL;

	for (size_t i = 0; i < N_KEYS; i++) {
		if (!section || strcmp(keys[i].section, section)) {
			section = keys[i].section;
			fprintf(out, "%s[%s]\n", i ? "\n" : "", section);
		}
		if (keys[i].type == T_STRING && *((const char *)cfg + keys[i].offset)) {
			/* a secret: say it is set, never print it */
			fprintf(out, "# %s is set and not shown\t# %s\n", keys[i].name,
				keys[i].help);
			continue;
		}
		fprintf(out, "%s = ", keys[i].name);
		dump_value(cfg, &keys[i], out);
		fprintf(out, "\t# %s\n", keys[i].help);
	}
}
