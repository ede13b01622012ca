// SPDX-License-Identifier: GPL-2.0
/*
 * listenind: learns calls and their media from SIP (HEPv3 and passive
 * capture) without taking part in them, and answers on a control socket:
 * calls, and monitoring sessions decided by the policy, audited, and
 * carried out by the kernel module. Runs in the foreground; SIGHUP reloads
 * the configuration and the policy, SIGTERM and SIGINT stop it cleanly.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/jout.h"
#include "common/log.h"
#include "listenind/audit.h"
#include "listenind/calls.h"
#include "listenind/call_json.h"
#include "listenind/capture.h"
#include "listenind/config.h"
#include "listenind/control.h"
#include "listenind/hep_server.h"
#include "listenind/loop.h"
#include "listenind/policy.h"
#include "listenind/review.h"
#include "listenind/session.h"
#include "netlink/lnl.h"

#define TICK_MS		1000
#define KERNEL_RETRY_S	10	/* looking for the module again */
#define PURGE_EVERY_S	86400

struct daemon {
	struct config cfg;
	const char *config_path;	/* NULL: embedded defaults */
	struct loop *loop;
	struct calls *calls;
	struct hep_server *hep;
	struct loop_watch *hep_watch;
	struct capture *capture;
	struct loop_watch *capture_watch;
	struct control *control;
	struct loop_watch *tick;
	struct timespec started;
	uint64_t reloads, reload_failures;
	struct policy *policy;		/* NULL: every request denied */
	struct audit *audit;		/* NULL: every request refused */
	char audit_why[CONFIG_ERR_LEN];
	struct sessions *sessions;
	struct lnl *nl, *nl_events;	/* NULL: module not loaded */
	struct loop_watch *events_watch;
	struct session_kernel kernel;
	struct session_notifier notifier;
	uint64_t ticks;
	bool audited_start;
};

_Static_assert(CONFIG_MAX_LISTEN <= HEP_MAX_LISTEN, "[hep] lists fit the HEP server");
_Static_assert(CONFIG_MAX_IFACES <= CAPTURE_MAX_IFACES &&
	       CONFIG_MAX_PORTS <= CAPTURE_MAX_PORTS, "[capture] lists fit capture");
_Static_assert(CONFIG_KEY_LEN <= HEP_KEY_MAX, "auth_key fits the HEP server");

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: listenind [-c FILE] [--check-config] [--dump-config]\n"
		"\n"
		"Learns calls and their media from SIP (HEPv3, passive capture)\n"
		"and serves them on a control socket. Runs in the foreground.\n"
		"\n"
		"  -c, --config FILE  configuration file (default %s if it\n"
		"                     exists, else the embedded defaults)\n"
		"      --check-config validate the configuration and exit\n"
		"      --dump-config  print the effective configuration and exit\n"
		"  -h, --help         print this help\n"
		"  -V, --version      print the version\n"
		"\n"
		"Signals: SIGHUP reloads the configuration; SIGTERM, SIGINT stop.\n"
		"See listenind(8) and listenind.conf(5).\n",
		CONFIG_DEFAULT_PATH);
}

static void apply_logging(const struct config *cfg)
{
	log_init("listenind", cfg->daemon.log_syslog, cfg->daemon.log_level);
}

static int64_t monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* ---- inputs ---- */

static void hep_config_from(const struct config *cfg, struct hep_config *hc)
{
	hep_config_defaults(hc);
	for (unsigned int i = 0; i < cfg->hep.n_udp; i++) {
		hc->udp[i].ss = cfg->hep.udp[i].ss;
		hc->udp[i].len = cfg->hep.udp[i].len;
	}
	hc->n_udp = cfg->hep.n_udp;
	for (unsigned int i = 0; i < cfg->hep.n_tcp; i++) {
		hc->tcp[i].ss = cfg->hep.tcp[i].ss;
		hc->tcp[i].len = cfg->hep.tcp[i].len;
	}
	hc->n_tcp = cfg->hep.n_tcp;
	snprintf(hc->auth_key, sizeof(hc->auth_key), "%s", cfg->hep.auth_key);
	hc->max_tcp_clients = cfg->hep.max_tcp_clients;
	hc->tcp_idle_timeout = cfg->hep.tcp_idle_timeout;
	hc->udp_rcvbuf = (int)cfg->hep.udp_rcvbuf;
}

static void on_hep(void *ctx, int fd, uint32_t events)
{
	struct daemon *d = ctx;

	(void)fd;
	(void)events;
	hep_server_on_readable(d->hep);
}

static void close_hep(struct daemon *d)
{
	loop_unwatch(d->loop, d->hep_watch);
	hep_server_close(d->hep);
	d->hep = NULL;
	d->hep_watch = NULL;
}

static int open_hep(struct daemon *d, const struct config *cfg)
{
	struct hep_config hc;
	char err[512];

	if (!cfg->hep.n_udp && !cfg->hep.n_tcp)
		return 0;
	hep_config_from(cfg, &hc);
	d->hep = hep_server_open(&hc, d->calls, err, sizeof(err));
	if (!d->hep) {
		log_err("HEP: %s", err);
		return -1;
	}
	d->hep_watch = loop_watch_fd(d->loop, hep_server_fd(d->hep), EPOLLIN,
				     on_hep, d);
	if (!d->hep_watch) {
		log_err("HEP: cannot watch the listeners: %s", strerror(errno));
		hep_server_close(d->hep);
		d->hep = NULL;
		return -1;
	}
	for (unsigned int i = 0; i < cfg->hep.n_udp + cfg->hep.n_tcp; i++) {
		bool udp = i < cfg->hep.n_udp;
		char a[64];

		config_addr_format(udp ? &cfg->hep.udp[i] : &cfg->hep.tcp[i - cfg->hep.n_udp],
				   a, sizeof(a));
		log_info("HEP: listening on %s/%s", a, udp ? "udp" : "tcp");
	}
	return 0;
}

static void capture_config_from(const struct config *cfg, struct capture_config *cc)
{
	capture_config_defaults(cc);
	for (unsigned int i = 0; i < cfg->capture.n_ifaces; i++)
		snprintf(cc->ifaces[i], sizeof(cc->ifaces[i]), "%s", cfg->capture.ifaces[i]);
	cc->n_ifaces = cfg->capture.n_ifaces;
	for (unsigned int i = 0; i < cfg->capture.n_ports; i++) {
		cc->ports[i].first = cfg->capture.ports[i].first;
		cc->ports[i].last = cfg->capture.ports[i].last;
	}
	cc->n_ports = cfg->capture.n_ports;
	cc->promiscuous = cfg->capture.promiscuous;
	cc->rcvbuf = (int)cfg->capture.rcvbuf;
}

static void on_capture(void *ctx, int fd, uint32_t events)
{
	struct daemon *d = ctx;

	(void)fd;
	(void)events;
	capture_on_readable(d->capture);
}

static void close_capture(struct daemon *d)
{
	loop_unwatch(d->loop, d->capture_watch);
	capture_close(d->capture);
	d->capture = NULL;
	d->capture_watch = NULL;
}

static int open_capture(struct daemon *d, const struct config *cfg)
{
	struct capture_config cc;
	char err[512];

	if (!cfg->capture.n_ifaces)
		return 0;
	capture_config_from(cfg, &cc);
	d->capture = capture_open(&cc, d->calls, err, sizeof(err));
	if (!d->capture) {
		log_err("capture: %s", err);
		return -1;
	}
	d->capture_watch = loop_watch_fd(d->loop, capture_fd(d->capture), EPOLLIN,
					 on_capture, d);
	if (!d->capture_watch) {
		log_err("capture: cannot watch the socket: %s", strerror(errno));
		capture_close(d->capture);
		d->capture = NULL;
		return -1;
	}
	for (unsigned int i = 0; i < cfg->capture.n_ifaces; i++)
		log_info("capture: SIP on %s", cfg->capture.ifaces[i]);
	return 0;
}

/* ---- call table ---- */

static void calls_config_from(const struct config *cfg, struct calls_config *cc)
{
	_Static_assert((int)CONFIG_META_COUNT == (int)CALLS_META_COUNT,
		       "one [calls] header key per call metadata field");
	calls_config_defaults(cc);
	for (int i = 0; i < CONFIG_META_COUNT; i++)
		cc->meta_header[i] = cfg->calls.meta_header[i];
	switch (cfg->calls.agent_fallback) {
	case CONFIG_AGENT_FROM_TO:
		cc->agent_source = CALLS_AGENT_FROM_TO;
		break;
	case CONFIG_AGENT_FROM_ASSERTED:
		cc->agent_source = CALLS_AGENT_FROM_ASSERTED;
		break;
	case CONFIG_AGENT_FROM_FROM:
		cc->agent_source = CALLS_AGENT_FROM_FROM;
		break;
	}
	cc->max_calls = cfg->calls.max_calls;
	cc->setup_timeout = cfg->calls.setup_timeout;
	cc->idle_timeout = cfg->calls.idle_timeout;
	cc->ended_linger = cfg->calls.ended_linger;
}

/* ---- control requests ---- */

struct list_ctx {
	struct control_reply *reply;
	bool first;
	int failed;
};

static void list_one(const struct call *call, void *p)
{
	struct list_ctx *l = p;

	if (l->failed)
		return;
	if ((!l->first && control_reply_append(l->reply, ",", 1)) ||
	    control_reply_json(l->reply, call_json(call)))
		l->failed = -1;
	l->first = false;
}

/* {"calls":[...]} one call at a time: no tree of every call in memory. */
static int req_calls(void *ctx, const struct control_peer *peer,
		     struct json_object *req, struct control_reply *reply,
		     char *err, size_t errlen)
{
	static const char head[] = "{\"calls\":[", tail[] = "]}";
	struct daemon *d = ctx;
	struct list_ctx l = { .reply = reply, .first = true };

	(void)peer;
	(void)req;
	if (control_reply_append(reply, head, sizeof(head) - 1))
		l.failed = -1;
	else
		calls_foreach(d->calls, list_one, &l);
	if (l.failed || control_reply_append(reply, tail, sizeof(tail) - 1)) {
		snprintf(err, errlen, "out of memory listing calls");
		return -1;
	}
	return 0;
}

static struct json_object *req_call(void *ctx, const struct control_peer *peer,
				    struct json_object *req, char *err, size_t errlen)
{
	struct daemon *d = ctx;
	struct json_object *id, *reply, *call;
	const struct call *c;

	(void)peer;
	if (!json_object_object_get_ex(req, "id", &id) ||
	    !json_object_is_type(id, json_type_string)) {
		snprintf(err, errlen, "\"call\" needs an \"id\" string: the call's id from \"calls\"");
		return NULL;
	}
	c = calls_lookup(d->calls, json_object_get_string(id));
	if (!c) {
		snprintf(err, errlen, "no call with id \"%.128s\"", json_object_get_string(id));
		return NULL;
	}
	call = call_json(c);
	if (!call) {
		snprintf(err, errlen, "out of memory describing the call");
		return NULL;
	}
	reply = json_object_new_object();
	json_object_object_add(reply, "call", call);
	return reply;
}

static struct json_object *u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static void add_counter(void *ctx, const char *name, uint64_t value)
{
	json_object_object_add(ctx, name, json_object_new_uint64(value));
}

static struct json_object *req_stats(void *ctx, const struct control_peer *peer,
				     struct json_object *req, char *err, size_t errlen)
{
	struct daemon *d = ctx;
	struct json_object *reply, *daemon, *hep, *capture, *control;
	struct control_stats cs;

	(void)peer;
	(void)req;
	(void)err;
	(void)errlen;
	reply = json_object_new_object();

	daemon = json_object_new_object();
	json_object_object_add(daemon, "pid", json_object_new_int(getpid()));
	json_object_object_add(daemon, "uptime", u64((uint64_t)(monotonic_seconds() -
								  d->started.tv_sec)));
	json_object_object_add(daemon, "config", json_object_new_string(d->config_path ?
									 d->config_path : "(defaults)"));
	json_object_object_add(daemon, "reloads", u64(d->reloads));
	json_object_object_add(daemon, "reload_failures", u64(d->reload_failures));
	json_object_object_add(reply, "daemon", daemon);

	json_object_object_add(reply, "calls", call_json_stats(d->calls));

	hep = json_object_new_object();
	json_object_object_add(hep, "enabled", json_object_new_boolean(d->hep != NULL));
	if (d->hep) {
		for (int i = 0; i < HEP_CNT_COUNT; i++)
			json_object_object_add(hep, hep_counter_name((enum hep_counter)i),
					       u64(hep_server_counter(d->hep, (enum hep_counter)i)));
		json_object_object_add(hep, "tcp_clients",
				       u64(hep_server_tcp_clients(d->hep)));
	}
	json_object_object_add(reply, "hep", hep);

	capture = json_object_new_object();
	json_object_object_add(capture, "enabled", json_object_new_boolean(d->capture != NULL));
	if (d->capture)
		capture_foreach_counter(d->capture, add_counter, capture);
	json_object_object_add(reply, "capture", capture);

	control_get_stats(d->control, &cs);
	control = json_object_new_object();
	json_object_object_add(control, "clients", u64(cs.clients));
	json_object_object_add(control, "connections", u64(cs.connections));
	json_object_object_add(control, "refused", u64(cs.refused));
	json_object_object_add(control, "requests", u64(cs.requests));
	json_object_object_add(control, "errors", u64(cs.errors));
	json_object_object_add(control, "oversized", u64(cs.oversized));
	json_object_object_add(control, "idle_closed", u64(cs.idle_closed));
	json_object_object_add(reply, "control", control);

	control = json_object_new_object();
	json_object_object_add(control, "active", u64(sessions_count(d->sessions)));
	json_object_object_add(control, "kernel", json_object_new_boolean(d->nl != NULL));
	json_object_object_add(control, "policy", json_object_new_boolean(d->policy != NULL));
	json_object_object_add(control, "audit", json_object_new_boolean(d->audit != NULL));
	json_object_object_add(reply, "sessions", control);
	return reply;
}

/* ---- audit, policy, kernel ---- */

static void audit_admin(struct daemon *d, enum audit_event ev, const char *detail)
{
	struct audit_record r = { .event = ev, .uid = -1, .detail = detail };
	char err[AUDIT_ERR_LEN];

	if (d->audit && audit_append(d->audit, &r, err, sizeof(err)))
		log_err("audit: %s was not recorded: %s", audit_event_name(ev), err);
}

static void open_audit(struct daemon *d)
{
	struct audit_config ac = {
		.db_path = d->cfg.audit.database,
		.key_path = d->cfg.audit.key_file,
		.syslog = d->cfg.audit.syslog,
	};

	d->audit = audit_open(&ac, d->audit_why, sizeof(d->audit_why));
	if (!d->audit) {
		log_err("audit: %s: monitoring is refused until the audit trail opens (fix [audit] and restart)",
			d->audit_why);
		return;
	}
	log_info("audit: %s (key %s)", ac.db_path, ac.key_path);
}

static void purge_audit(struct daemon *d)
{
	struct timespec now;
	char err[AUDIT_ERR_LEN];
	uint64_t deleted = 0;

	if (!d->audit || !d->cfg.audit.retention_days)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	if (audit_purge(d->audit, d->cfg.audit.retention_days,
			(int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, &deleted, err,
			sizeof(err)))
		log_err("audit: retention purge failed: %s", err);
	else if (deleted)
		log_notice("audit: purged %" PRIu64 " records older than %u days", deleted,
			   d->cfg.audit.retention_days);
}

/*
 * Loads the policy file. 0: loaded; 1: the file does not exist; -1: invalid
 * (err says why).
 */
static int read_policy(const char *path, struct policy **out, char *err, size_t errlen)
{
	if (access(path, F_OK) && errno == ENOENT) {
		snprintf(err, errlen, "%s does not exist", path);
		return 1;
	}
	*out = policy_load(path, err, errlen);
	return *out ? 0 : -1;
}

static void reload_policy(struct daemon *d)
{
	struct policy *next = NULL, *old = d->policy;
	char err[POLICY_ERR_LEN], detail[POLICY_ERR_LEN + 64];

	if (read_policy(d->cfg.policy.file, &next, err, sizeof(err))) {
		snprintf(detail, sizeof(detail), "refused, the running policy stays: %s", err);
		log_err("policy: reload %s", detail);
		audit_admin(d, AUDIT_POLICY_RELOAD, detail);
		return;
	}
	snprintf(detail, sizeof(detail), "loaded %s: %u grants, %u roles, %u reasons",
		 d->cfg.policy.file, next->n_grants, next->n_roles, next->n_reasons);
	log_notice("policy: %s", detail);
	audit_admin(d, AUDIT_POLICY_RELOAD, detail);
	d->policy = next;
	sessions_set_policy(d->sessions, next, "policy_revoked");
	policy_free(old);
}

static int on_tap_event(const struct lnl_event *ev, void *arg)
{
	sessions_on_tap_event(arg, ev);
	return 0;
}

static void on_events(void *ctx, int fd, uint32_t events)
{
	struct daemon *d = ctx;
	int ret;

	(void)fd;
	(void)events;
	for (int i = 0; i < 64; i++) {
		ret = lnl_events_recv(d->nl_events, on_tap_event, d->sessions);
		if (ret == -EAGAIN)
			return;
		if (ret == -ENOBUFS) {
			log_warn("kernel: tap events were lost; checking every session's tap");
			sessions_resync(d->sessions);
		} else if (ret) {
			log_warn("kernel: reading tap events: %s%s%s", strerror(-ret),
				 lnl_error(d->nl_events) ? ": " : "",
				 lnl_error(d->nl_events) ? lnl_error(d->nl_events) : "");
			return;
		}
	}
}

static void close_kernel(struct daemon *d)
{
	if (d->sessions)
		sessions_set_kernel(d->sessions, NULL);
	loop_unwatch(d->loop, d->events_watch);
	d->events_watch = NULL;
	lnl_close(d->nl_events);
	lnl_close(d->nl);
	d->nl_events = d->nl = NULL;
}

/* Finds the module; quiet when it is still missing unless loud. */
static void open_kernel(struct daemon *d, bool loud)
{
	char err[512];
	int ret, deleted;

	ret = lnl_open(&d->nl, err, sizeof(err));
	if (ret) {
		d->nl = NULL;
		if (loud && ret == -ENOENT)
			log_warn("kernel: the listenin module is not loaded: calls are tracked, monitoring requests fail until it is (looked for every %d s)",
				 KERNEL_RETRY_S);
		else if (loud)
			log_err("kernel: %s", err[0] ? err : strerror(-ret));
		return;
	}
	ret = lnl_open(&d->nl_events, err, sizeof(err));
	if (!ret)
		ret = lnl_events_subscribe(d->nl_events);
	if (!ret && fcntl(lnl_fd(d->nl_events), F_SETFL,
			  fcntl(lnl_fd(d->nl_events), F_GETFL) | O_NONBLOCK))
		ret = -errno;
	if (!ret) {
		d->events_watch = loop_watch_fd(d->loop, lnl_fd(d->nl_events), EPOLLIN,
						on_events, d);
		if (!d->events_watch)
			ret = -errno;
	}
	if (ret) {
		log_err("kernel: cannot receive tap events: %s; monitoring stays off",
			strerror(-ret));
		close_kernel(d);
		return;
	}
	d->kernel = session_lnl_kernel;
	d->kernel.ctx = d->nl;
	sessions_set_kernel(d->sessions, &d->kernel);
	log_notice("kernel: listenin module found (family version %u)",
		   lnl_family_version(d->nl));
	deleted = sessions_reconcile(d->sessions, err, sizeof(err));
	if (deleted < 0)
		log_err("kernel: cannot look for taps left by a previous run: %s", err);
	else if (deleted)
		log_notice("kernel: %d taps of a previous run deleted and audited", deleted);
}

static void session_config_from(const struct config *cfg, struct session_config *sc)
{
	const struct sockaddr_in *sin = (const void *)&cfg->sessions.copy_source_ipv4.ss;
	const struct sockaddr_in6 *sin6 = (const void *)&cfg->sessions.copy_source_ipv6.ss;

	memset(sc, 0, sizeof(*sc));
	if (cfg->sessions.copy_source_ipv4.len)
		addr_set(&sc->source[0], AF_INET, &sin->sin_addr, 4);
	if (cfg->sessions.copy_source_ipv6.len)
		addr_set(&sc->source[1], AF_INET6, &sin6->sin6_addr, 16);
	sc->port_base = (uint16_t)cfg->sessions.copy_port_base;
	sc->port_count = cfg->sessions.copy_port_count;
	sc->idle_timeout = cfg->sessions.idle_timeout;
	snprintf(sc->admin_group, sizeof(sc->admin_group), "%s", cfg->sessions.admin_group);
}

/* ---- session requests ---- */

static void caller_of(const struct daemon *d, const struct control_peer *peer,
		      struct session_caller *who)
{
	who->uid = peer->uid;
	who->gid = peer->gid;
	who->admin = session_is_admin(peer->uid, peer->gid, sessions_admin_group(d->sessions));
}

static bool need_admin(const struct daemon *d, const struct control_peer *peer,
		       const char *what, char *err, size_t errlen)
{
	struct session_caller who;

	caller_of(d, peer, &who);
	if (who.admin)
		return true;
	snprintf(err, errlen, "%s is for administrators: root or members of %s%s%s", what,
		 d->cfg.sessions.admin_group[0] ? "group \"" : "admin_group in [sessions]",
		 d->cfg.sessions.admin_group, d->cfg.sessions.admin_group[0] ? "\"" : "");
	return false;
}

static struct json_object *req_listen(void *ctx, const struct control_peer *peer,
				      struct json_object *req, char *err, size_t errlen)
{
	struct daemon *d = ctx;
	struct session_request sr;
	struct session_caller who;

	if (session_request_parse(req, &sr, err, errlen))
		return NULL;
	caller_of(d, peer, &who);
	return sessions_listen(d->sessions, &who, &sr, err, errlen);
}

static struct json_object *req_sessions(void *ctx, const struct control_peer *peer,
					struct json_object *req, char *err, size_t errlen)
{
	struct daemon *d = ctx;
	struct session_caller who;

	(void)req;
	(void)err;
	(void)errlen;
	caller_of(d, peer, &who);
	return sessions_list(d->sessions, &who);
}

/* A positive integer member, as a number or a string of digits. */
static int get_u64(struct json_object *req, const char *key, bool required, uint64_t *out,
		   char *err, size_t errlen)
{
	struct json_object *v;
	const char *s;
	char *end;

	if (!json_object_object_get_ex(req, key, &v) || json_object_is_type(v, json_type_null)) {
		if (required)
			snprintf(err, errlen, "missing \"%s\"", key);
		return required ? -1 : 0;
	}
	if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0) {
		*out = (uint64_t)json_object_get_int64(v);
		return 0;
	}
	s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno) {
		snprintf(err, errlen, "\"%s\" must be a whole number", key);
		return -1;
	}
	return 0;
}

static struct json_object *req_stop(void *ctx, const struct control_peer *peer,
				    struct json_object *req, char *err, size_t errlen)
{
	struct daemon *d = ctx;
	struct session_caller who;
	struct json_object *v;
	uint64_t id = 0;

	if (json_object_object_get_ex(req, "all", &v)) {
		const char *note = NULL;

		if (!json_object_is_type(v, json_type_boolean) || !json_object_get_boolean(v) ||
		    json_object_object_get_ex(req, "session", NULL)) {
			snprintf(err, errlen, "\"all\" must be true and comes without \"session\"");
			return NULL;
		}
		if (json_object_object_get_ex(req, "note", &v)) {
			note = json_object_get_string(v);
			if (!json_object_is_type(v, json_type_string) || strlen(note) >= SESSION_NOTE_MAX) {
				snprintf(err, errlen, "\"note\" must be a string of at most %d bytes",
					 SESSION_NOTE_MAX - 1);
				return NULL;
			}
		}
		caller_of(d, peer, &who);
		return sessions_stop_all(d->sessions, &who, note, err, errlen);
	}
	if (get_u64(req, "session", true, &id, err, errlen)) {
		snprintf(err, errlen, "\"stop\" needs \"session\": a session number from \"lictl sessions\"");
		return NULL;
	}
	caller_of(d, peer, &who);
	return sessions_stop(d->sessions, &who, id, err, errlen);
}

static struct json_object *req_audit(void *ctx, const struct control_peer *peer,
				     struct json_object *req, char *err, size_t errlen)
{
	struct daemon *d = ctx;
	struct audit_filter f = AUDIT_FILTER_ALL;
	struct json_object *v, *reply, *list;
	const char *op;
	uint64_t n = 0;

	if (!need_admin(d, peer, "the audit trail", err, errlen))
		return NULL;
	if (!d->audit) {
		snprintf(err, errlen, "the audit trail is not available: %s", d->audit_why);
		return NULL;
	}
	if (!json_object_object_get_ex(req, "op", &v) || !json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "\"audit\" needs \"op\": list, show, verify or export");
		return NULL;
	}
	op = json_object_get_string(v);
	log_notice("audit: %s by uid %u", op, (unsigned int)peer->uid);
	if (!strcmp(op, "verify")) {
		struct audit_verify_result r;
		int ret = audit_verify(d->audit, &r, err, errlen);

		if (ret < 0)
			return NULL;
		reply = json_object_new_object();
		jout_add_bool(reply, "ok", r.ok);
		jout_add_u64(reply, "records", r.records);
		jout_add_u64(reply, "first_seq", r.first_seq);
		jout_add_u64(reply, "last_seq", r.last_seq);
		if (!r.ok) {
			jout_add_u64(reply, "bad_seq", r.bad_seq);
			jout_add_str(reply, "why", r.why);
		}
		jout_add_str(reply, "head", r.head);
		return reply;
	}
	if (!strcmp(op, "show")) {
		if (get_u64(req, "seq", true, &n, err, errlen) || !n) {
			snprintf(err, errlen, "\"audit show\" needs \"seq\": a record number from \"lictl audit list\"");
			return NULL;
		}
		f.from_seq = n;
		f.limit = 1;
	} else if (!strcmp(op, "list") || !strcmp(op, "export")) {
		uint64_t limit = !strcmp(op, "list") ? 20 : 0, uid = 0;
		int64_t ev = -1;

		if (get_u64(req, "limit", false, &limit, err, errlen) ||
		    get_u64(req, "from_seq", false, &f.from_seq, err, errlen) ||
		    get_u64(req, "since_ms", false, (uint64_t *)&f.since_ms, err, errlen) ||
		    get_u64(req, "until_ms", false, (uint64_t *)&f.until_ms, err, errlen))
			return NULL;
		if (json_object_object_get_ex(req, "uid", &v)) {
			if (get_u64(req, "uid", true, &uid, err, errlen))
				return NULL;
			f.uid = (int64_t)uid;
		}
		if (json_object_object_get_ex(req, "event", &v)) {
			ev = audit_event_parse(json_object_get_string(v));
			if (ev < 0) {
				snprintf(err, errlen, "unknown audit event \"%.64s\"",
					 json_object_get_string(v));
				return NULL;
			}
			f.event = (int)ev;
		}
		/* list: the newest records; export: from the oldest */
		if (!strcmp(op, "list") && !f.from_seq && limit && f.event < 0 && f.uid < 0 &&
		    !f.since_ms && !f.until_ms && audit_last_seq(d->audit) >= limit)
			f.from_seq = audit_last_seq(d->audit) - limit + 1;
		f.limit = limit;
	} else {
		snprintf(err, errlen, "unknown audit op \"%.64s\": use list, show, verify or export", op);
		return NULL;
	}
	list = session_audit_records(d->audit, &f, err, errlen);
	if (!list)
		return NULL;
	if (!strcmp(op, "show")) {
		struct json_object *rec = json_object_array_length(list) ?
					  json_object_array_get_idx(list, 0) : NULL;
		struct json_object *seq = NULL;

		if (!rec || !json_object_object_get_ex(rec, "seq", &seq) ||
		    (uint64_t)json_object_get_int64(seq) != n) {
			json_object_put(list);
			snprintf(err, errlen, "no audit record %" PRIu64 " (purged, or not written yet)", n);
			return NULL;
		}
		reply = json_object_new_object();
		json_object_object_add(reply, "record", json_object_get(rec));
		json_object_put(list);
		return reply;
	}
	reply = json_object_new_object();
	json_object_object_add(reply, "records", list);
	return reply;
}

static struct json_object *req_access_review(void *ctx, const struct control_peer *peer,
					     struct json_object *req, char *err, size_t errlen)
{
	struct daemon *d = ctx;
	struct json_object *reply, *review, *users;
	uint64_t days = 30, inactive = d->cfg.policy.inactive_days;

	if (!need_admin(d, peer, "the access review", err, errlen))
		return NULL;
	if (get_u64(req, "days", false, &days, err, errlen) ||
	    get_u64(req, "inactive_days", false, &inactive, err, errlen))
		return NULL;
	if (days > 36500 || inactive > 36500) {
		snprintf(err, errlen, "\"%s\" must be 0 to 36500", days > 36500 ? "days" : "inactive_days");
		return NULL;
	}

	if (!d->policy) {
		snprintf(err, errlen, "no policy is loaded (%s): nobody may monitor anything",
			 d->cfg.policy.file);
		return NULL;
	}
	users = d->audit ? review_users(d->policy, d->audit, time(NULL), (unsigned int)inactive,
					err, errlen) : NULL;
	if (d->audit && !users)
		return NULL;
	review = policy_review_json(d->policy, time(NULL), (unsigned int)days);
	if (users) {
		json_object_object_foreach(users, key, val)
			json_object_object_add(review, key, json_object_get(val));
		json_object_put(users);
	} else {
		char why[CONFIG_ERR_LEN + 64];

		snprintf(why, sizeof(why), "the audit trail is not available: %s", d->audit_why);
		jout_add_str(review, "users_error", why);
	}
	reply = json_object_new_object();
	json_object_object_add(reply, "review", review);
	jout_add_str(reply, "policy", d->cfg.policy.file);
	jout_add_u64(reply, "days", days);
	return reply;
}

/* ---- agent notices ---- */

static unsigned int notice_subscribers(void *ctx)
{
	const struct daemon *d = ctx;

	return control_watchers(d->control);
}

static unsigned int notice_publish(void *ctx, struct json_object *ev)
{
	const struct daemon *d = ctx;

	return control_publish(d->control, ev);
}

/*
 * {"cmd":"watch"}: the reply, then the agent notices of live sessions, then
 * every new one, one object per line. Who may: administrators and
 * notice_group, as the stream tells which calls are monitored.
 */
static int req_watch(void *ctx, const struct control_peer *peer, struct json_object *req,
		     struct control_reply *reply, char *err, size_t errlen)
{
	struct daemon *d = ctx;
	struct json_object *ack, *active;
	const char *group = d->cfg.sessions.notice_group;
	size_t n;

	(void)req;
	if (!session_is_admin(peer->uid, peer->gid, sessions_admin_group(d->sessions)) &&
	    !(group[0] && session_is_admin(peer->uid, peer->gid, group))) {
		snprintf(err, errlen,
			 "agent notices are for administrators and the notice group: root, admin_group%s%s%s or notice_group in [sessions]",
			 d->cfg.sessions.admin_group[0] ? " \"" : "", d->cfg.sessions.admin_group,
			 d->cfg.sessions.admin_group[0] ? "\"" : "");
		log_notice("watch refused to uid %u: not an administrator or in notice_group",
			   (unsigned int)peer->uid);
		return -1;
	}
	active = sessions_notices(d->sessions);
	n = json_object_array_length(active);
	ack = json_object_new_object();
	jout_add_str(ack, "watching", "agent_notice");
	jout_add_u64(ack, "active", n);
	if (control_reply_json(reply, ack))
		goto oom;
	for (size_t i = 0; i < n; i++)
		if (control_reply_append(reply, "\n", 1) ||
		    control_reply_json(reply, json_object_get(json_object_array_get_idx(active, i))))
			goto oom;
	json_object_put(active);
	control_reply_subscribe(reply);
	log_notice("agent notices: uid %u subscribed (%u subscribers)", (unsigned int)peer->uid,
		   control_watchers(d->control));
	return 0;
oom:
	json_object_put(active);
	snprintf(err, errlen, "out of memory");
	return -1;
}

static const struct control_command commands[] = {
	{ "calls", NULL, req_calls },
	{ "call", req_call, NULL },
	{ "stats", req_stats, NULL },
	{ "listen", req_listen, NULL },
	{ "sessions", req_sessions, NULL },
	{ "stop", req_stop, NULL },
	{ "audit", req_audit, NULL },
	{ "access_review", req_access_review, NULL },
	{ "watch", NULL, req_watch },
};

static int control_config_from(const struct config *cfg, struct control_config *cc)
{
	cc->path = cfg->daemon.control_socket;
	cc->mode = cfg->daemon.control_mode;
	cc->max_clients = cfg->daemon.control_max_clients;
	cc->idle_timeout = cfg->daemon.control_idle_timeout;
	cc->gid = (gid_t)-1;
	if (cfg->daemon.control_group[0]) {
		struct group *g = getgrnam(cfg->daemon.control_group);

		if (!g) {
			log_err("control: group \"%s\" does not exist",
				cfg->daemon.control_group);
			return -1;
		}
		cc->gid = g->gr_gid;
	}
	return 0;
}

static int open_control(struct daemon *d, const struct config *cfg)
{
	struct control_config cc;
	char err[512];

	if (control_config_from(cfg, &cc))
		return -1;
	d->control = control_open(d->loop, &cc, commands,
				  sizeof(commands) / sizeof(commands[0]), d, err,
				  sizeof(err));
	if (!d->control) {
		log_err("control: %s", err);
		return -1;
	}
	log_info("control: listening on %s (mode %04o)", cc.path,
		 (unsigned int)cc.mode);
	return 0;
}

/* ---- reload and signals ---- */

static bool same(const void *a, const void *b, size_t len)
{
	return !memcmp(a, b, len);
}

static void reload(struct daemon *d)
{
	struct config next;
	struct config *cur = &d->cfg;
	char err[CONFIG_ERR_LEN];
	bool failed = false;

	if (d->config_path) {
		if (config_load(&next, d->config_path, err, sizeof(err))) {
			d->reload_failures++;
			log_err("reload failed, keeping the running configuration: %s", err);
			reload_policy(d);
			return;
		}
	} else {
		config_defaults(&next);
	}
	log_notice("reloading %s", d->config_path ? d->config_path : "(defaults)");
	apply_logging(&next);

	if (strcmp(next.daemon.control_socket, cur->daemon.control_socket)) {
		struct control *old = d->control;

		/* the new socket first: a bad path must not leave us unreachable */
		if (open_control(d, &next) == 0) {
			control_close(old);
		} else {
			d->control = old;
			memcpy(&next.daemon.control_socket, &cur->daemon.control_socket,
			       sizeof(next.daemon.control_socket));
			next.daemon.control_mode = cur->daemon.control_mode;
			memcpy(&next.daemon.control_group, &cur->daemon.control_group,
			       sizeof(next.daemon.control_group));
			failed = true;
			log_err("reload: keeping the control socket %s", cur->daemon.control_socket);
		}
	} else if (next.daemon.control_mode != cur->daemon.control_mode ||
		   strcmp(next.daemon.control_group, cur->daemon.control_group)) {
		struct control_config cc;

		/* same socket, new permissions: connected clients stay */
		if (control_config_from(&next, &cc) || chmod(cc.path, cc.mode) ||
		    (cc.gid != (gid_t)-1 && chown(cc.path, (uid_t)-1, cc.gid))) {
			log_err("reload: cannot change the mode or group of %s: %s",
				cc.path, strerror(errno));
			failed = true;
		}
	}
	if (d->control)
		control_set_limits(d->control, next.daemon.control_max_clients,
				   next.daemon.control_idle_timeout);

	if (!same(&next.hep, &cur->hep, sizeof(next.hep))) {
		close_hep(d);
		if (open_hep(d, &next)) {
			failed = true;
			log_err("reload: new [hep] settings failed; restoring the previous ones");
			next.hep = cur->hep;
			if (open_hep(d, &next))
				log_err("reload: HEP input is down; fix [hep] and reload");
		}
	}
	if (!same(&next.capture, &cur->capture, sizeof(next.capture))) {
		close_capture(d);
		if (open_capture(d, &next)) {
			failed = true;
			log_err("reload: new [capture] settings failed; restoring the previous ones");
			next.capture = cur->capture;
			if (open_capture(d, &next))
				log_err("reload: capture is down; fix [capture] and reload");
		}
	}
	if (!same(&next.calls, &cur->calls, sizeof(next.calls))) {
		/* the call table keeps its settings for the calls it holds */
		log_warn("reload: changes in [calls] take effect when listenind restarts");
		next.calls = cur->calls;
	}
	if (!same(&next.audit, &cur->audit, sizeof(next.audit))) {
		log_warn("reload: changes in [audit] take effect when listenind restarts");
		next.audit = cur->audit;
	}
	/* live sessions hold ports and sources: only the groups change now */
	sessions_set_admin_group(d->sessions, next.sessions.admin_group);
	memcpy(cur->sessions.admin_group, next.sessions.admin_group,
	       sizeof(cur->sessions.admin_group));
	memcpy(cur->sessions.notice_group, next.sessions.notice_group,
	       sizeof(cur->sessions.notice_group));
	if (!same(&next.sessions, &cur->sessions, sizeof(next.sessions))) {
		log_warn("reload: changes in [sessions] other than admin_group and notice_group take effect when listenind restarts");
		next.sessions = cur->sessions;
	}
	*cur = next;
	reload_policy(d);
	d->reloads++;
	if (failed) {
		d->reload_failures++;
		log_err("configuration reloaded in part: see the errors above");
	} else {
		log_notice("configuration reloaded");
	}
}

static void on_signal(void *ctx, int signo)
{
	struct daemon *d = ctx;

	if (signo == SIGHUP) {
		reload(d);
		return;
	}
	log_notice("SIG%s: stopping", sigabbrev_np(signo));
	loop_stop(d->loop);
}

static void on_tick(void *ctx)
{
	struct daemon *d = ctx;
	struct timespec now, wall;

	clock_gettime(CLOCK_MONOTONIC, &now);
	clock_gettime(CLOCK_REALTIME, &wall);
	calls_expire(d->calls, wall);
	control_on_tick(d->control, (uint64_t)now.tv_sec * 1000 +
			(uint64_t)now.tv_nsec / 1000000);
	if (d->hep)
		hep_server_on_tick(d->hep, &now);
	if (d->capture)
		capture_on_tick(d->capture, &now);
	sessions_on_tick(d->sessions, (int64_t)wall.tv_sec * 1000 + wall.tv_nsec / 1000000);
	d->ticks++;
	if (d->ticks % KERNEL_RETRY_S == 0) {
		if (!d->nl) {
			open_kernel(d, false);
		} else if (lnl_stats_get(d->nl, NULL, NULL) == -ENOENT) {
			log_warn("kernel: the listenin module was unloaded; its taps are gone");
			sessions_kernel_gone(d->sessions);
			close_kernel(d);
		}
	}
	if (d->ticks % PURGE_EVERY_S == 0)
		purge_audit(d);
}

/* ---- start and stop ---- */

/* The call table's own rules, so --check-config knows everything start does. */
static int check_calls(const struct daemon *d)
{
	struct calls_config cc;
	const char *why;

	calls_config_from(&d->cfg, &cc);
	why = calls_config_check(&cc);
	if (why) {
		fprintf(stderr, "listenind: %s: [calls]: %s\n",
			d->config_path ? d->config_path : "embedded defaults", why);
		return -1;
	}
	return 0;
}

static int load(struct daemon *d, const char *path, bool explicit_path)
{
	char err[CONFIG_ERR_LEN];

	if (!explicit_path && access(path, F_OK) && errno == ENOENT) {
		config_defaults(&d->cfg);
		d->config_path = NULL;
		return 0;
	}
	d->config_path = path;
	if (config_load(&d->cfg, path, err, sizeof(err))) {
		fprintf(stderr, "listenind: %s\n", err);
		return -1;
	}
	return check_calls(d);
}

/* An invalid policy stops the start; an absent one denies everything. */
static int load_policy(struct daemon *d, bool quiet)
{
	char err[POLICY_ERR_LEN];
	int ret = read_policy(d->cfg.policy.file, &d->policy, err, sizeof(err));

	if (ret < 0) {
		fprintf(stderr, "listenind: policy: %s\n", err);
		return -1;
	}
	if (ret > 0 && !quiet)
		log_warn("policy: %s: every monitoring request is denied (set [policy] file)", err);
	else if (!ret && !quiet)
		log_info("policy: %s: %u grants, %u roles, %u reasons", d->cfg.policy.file,
			 d->policy->n_grants, d->policy->n_roles, d->policy->n_reasons);
	return 0;
}

static int run(struct daemon *d)
{
	static const int signals[] = { SIGHUP, SIGTERM, SIGINT };
	struct calls_config cc;
	struct session_config sc;
	char err[SESSION_ERR_LEN];
	int ret = 1;

	signal(SIGPIPE, SIG_IGN);
	apply_logging(&d->cfg);
	d->loop = loop_new();
	if (!d->loop) {
		log_err("cannot create the event loop: %s", strerror(errno));
		return 1;
	}
	if (loop_signals(d->loop, signals, 3, on_signal, d)) {
		log_err("cannot take signals: %s", strerror(errno));
		goto out;
	}
	calls_config_from(&d->cfg, &cc);
	d->calls = calls_new(&cc);
	if (!d->calls) {
		log_err("cannot create the call table: %s", strerror(errno));
		goto out;
	}
	if (load_policy(d, false))
		goto out;
	open_audit(d);
	session_config_from(&d->cfg, &sc);
	d->sessions = sessions_new(&sc, d->calls, d->audit, d->audit_why, err, sizeof(err));
	if (!d->sessions) {
		log_err("sessions: %s", err);
		goto out;
	}
	sessions_set_policy(d->sessions, d->policy, "policy_revoked");
	d->notifier = (struct session_notifier){ notice_subscribers, notice_publish, d };
	sessions_set_notifier(d->sessions, &d->notifier);
	/* the control socket refuses to start a second daemon: before any tap is touched */
	if (open_control(d, &d->cfg) || open_hep(d, &d->cfg) || open_capture(d, &d->cfg))
		goto out;
	audit_admin(d, AUDIT_DAEMON_START, "listenind started");
	d->audited_start = true;
	purge_audit(d);
	open_kernel(d, true);
	d->tick = loop_timer_add(d->loop, TICK_MS, on_tick, d);
	if (!d->tick) {
		log_err("cannot create the timer: %s", strerror(errno));
		goto out;
	}
	if (!d->hep && !d->capture)
		log_warn("no SIP input: set listen_udp or listen_tcp in [hep], or interfaces in [capture]");
	clock_gettime(CLOCK_MONOTONIC, &d->started);
	log_notice("started (pid %d, configuration %s)", (int)getpid(),
		   d->config_path ? d->config_path : "embedded defaults");
	if (loop_run(d->loop)) {
		log_err("event loop failed: %s", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	close_capture(d);
	close_hep(d);
	control_close(d->control);
	d->control = NULL;
	sessions_free(d->sessions, "daemon_stop");
	d->sessions = NULL;
	if (d->audited_start)
		audit_admin(d, AUDIT_DAEMON_STOP, ret ? "listenind failed" : "listenind stopped");
	close_kernel(d);
	audit_close(d->audit);
	policy_free(d->policy);
	calls_free(d->calls);
	loop_free(d->loop);
	if (!ret)
		log_notice("stopped");
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "dump-config", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon d = { 0 };
	const char *path = CONFIG_DEFAULT_PATH;
	bool explicit_path = false, check = false, dump = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			explicit_path = true;
			break;
		case 'C':
			check = true;
			break;
		case 'D':
			dump = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("listenind 0.1\n");
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "listenind: unexpected argument \"%s\"; see listenind --help\n",
			argv[optind]);
		return 2;
	}
	if (load(&d, path, explicit_path))
		return 1;
	if (check && load_policy(&d, true))
		return 1;
	policy_free(d.policy);
	d.policy = NULL;
	if (dump)
		config_dump(&d.cfg, stdout);
	if (check) {
		printf("listenind: %s: configuration is valid\n",
		       d.config_path ? d.config_path : "embedded defaults");
	}
	if (check || dump)
		return 0;
	return run(&d);
}
