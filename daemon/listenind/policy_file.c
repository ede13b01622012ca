// SPDX-License-Identifier: GPL-2.0
/*
 * Policy file parser: "[kind name]" sections of "key = value" lines, read in
 * one pass, then names that refer to other sections (roles, groups, reason
 * codes) are resolved so a section may be used before it is defined. Any
 * error frees everything: the caller gets a whole policy or none.
 */
#include "listenind/policy.h"
#include "common/ini.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINE	4095
#define MAX_FILE	(1 << 20)
#define MAX_DURATION	(7 * 86400)

enum kind {
	K_NONE,
	K_POLICY,
	K_GROUP,
	K_ROLE,
	K_GRANT,
	K_REASON,
	K_SITE,
};

static const char *const kind_names[] = {
	[K_POLICY] = "policy", [K_GROUP] = "group", [K_ROLE] = "role",
	[K_GRANT] = "grant", [K_REASON] = "reason", [K_SITE] = "site",
};

/* Keys of each kind; the index is the bit in the "seen" mask. */
static const char *const group_keys[] = { "members", NULL };
static const char *const role_keys[] = { "modes", "max_duration", "hours", "reasons", NULL };
static const char *const grant_keys[] = {
	"user", "group", "role", "agents", "queues", "teams", "departments",
	"sites", "campaigns", "expires", NULL,
};
static const char *const reason_keys[] = { "description", "text", NULL };
static const char *const site_keys[] = { "notice", NULL };
static const char *const policy_keys[] = { "notice", NULL };

static const char *const *const kind_keys[] = {
	[K_POLICY] = policy_keys, [K_GROUP] = group_keys, [K_ROLE] = role_keys,
	[K_GRANT] = grant_keys, [K_REASON] = reason_keys, [K_SITE] = site_keys,
};

/* Grant keys naming a scope dimension, in enum calls_meta order. */
static const char *const scope_keys[POLICY_SCOPE_COUNT] = {
	[CALLS_META_AGENT] = "agents", [CALLS_META_QUEUE] = "queues",
	[CALLS_META_TEAM] = "teams", [CALLS_META_DEPARTMENT] = "departments",
	[CALLS_META_SITE] = "sites", [CALLS_META_CAMPAIGN] = "campaigns",
};

static const char *const day_names[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

/* What a section refers to by name, resolved after the whole file is read. */
struct ref {
	char name[POLICY_NAME_MAX];
	unsigned int line;
};

struct pending_grant {
	struct ref role, group;
	unsigned int user_line;
};

struct pending_role {
	unsigned int reasons_line;
};

struct parser {
	struct policy *p;
	const char *file;
	unsigned int line;
	char *err;
	size_t errlen;
	policy_resolve_fn resolve;
	void *ctx;

	enum kind kind;
	unsigned int seen;		/* keys set in the current section */
	bool policy_seen;
	unsigned int section_line;
	struct pending_grant *pg;	/* parallel to p->grants */
	struct pending_role *pr;	/* parallel to p->roles */
};

static int fail(struct parser *ps, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *ps, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ini_vfail(ps->err, ps->errlen, ps->file, line, fmt, ap);
	va_end(ap);
	return -1;
}

static int default_resolve(const char *name, uid_t *uid, void *ctx)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	(void)ctx;
	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) || !res)
		return -1;
	*uid = res->pw_uid;
	return 0;
}

/* Names in the file: printable, no blanks, commas, quotes or brackets. */
static bool is_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= POLICY_NAME_MAX)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (!isgraph(c) || strchr(",\"'[]#=*", c))
			return false;
	}
	return true;
}

static void *grow(void *arr, unsigned int count, size_t size)
{
	/* capacity 4, then doubled each time count reaches a power of two */
	if (count == 0)
		return realloc(arr, 4 * size);
	if (count < 4 || (count & (count - 1)))
		return arr;
	return realloc(arr, (size_t)count * 2 * size);
}

static const char *section_label(const struct parser *ps)
{
	static char buf[POLICY_NAME_MAX + 16];
	const struct policy *p = ps->p;
	const char *name = "";

	switch (ps->kind) {
	case K_GROUP: name = p->groups[p->n_groups - 1].name; break;
	case K_ROLE: name = p->roles[p->n_roles - 1].name; break;
	case K_GRANT: name = p->grants[p->n_grants - 1].name; break;
	case K_REASON: name = p->reasons[p->n_reasons - 1].code; break;
	case K_SITE: name = p->sites[p->n_sites - 1].name; break;
	default: return "[policy]";
	}
	snprintf(buf, sizeof(buf), "%s \"%s\"", kind_names[ps->kind], name);
	return buf;
}

static int find_dup(const struct parser *ps, enum kind kind, const char *name)
{
	const struct policy *p = ps->p;

	switch (kind) {
	case K_GROUP:
		for (unsigned int i = 0; i < p->n_groups; i++)
			if (!strcmp(p->groups[i].name, name))
				return (int)p->groups[i].line;
		break;
	case K_ROLE:
		for (unsigned int i = 0; i < p->n_roles; i++)
			if (!strcmp(p->roles[i].name, name))
				return (int)p->roles[i].line;
		break;
	case K_GRANT:
		for (unsigned int i = 0; i < p->n_grants; i++)
			if (!strcmp(p->grants[i].name, name))
				return (int)p->grants[i].line;
		break;
	case K_REASON:
		for (unsigned int i = 0; i < p->n_reasons; i++)
			if (!strcmp(p->reasons[i].code, name))
				return (int)p->reasons[i].line;
		break;
	case K_SITE:
		for (unsigned int i = 0; i < p->n_sites; i++)
			if (!strcmp(p->sites[i].name, name))
				return (int)p->sites[i].line;
		break;
	default:
		break;
	}
	return 0;
}

static int close_section(struct parser *ps)
{
	const struct policy *p = ps->p;
	unsigned int line = ps->section_line;

	switch (ps->kind) {
	case K_GROUP:
		if (!(ps->seen & 1))
			return fail(ps, line, "%s has no members", section_label(ps));
		break;
	case K_ROLE:
		if (!(ps->seen & 1))
			return fail(ps, line, "%s: modes missing (listen, whisper, barge)",
				    section_label(ps));
		if (!(ps->seen & 2))
			return fail(ps, line, "%s: max_duration missing (e.g. 30m)",
				    section_label(ps));
		break;
	case K_GRANT: {
		const struct policy_grant *g = &p->grants[p->n_grants - 1];
		bool any_scope = false;

		if (!(ps->seen & 3))
			return fail(ps, line, "%s: name a user or a group", section_label(ps));
		if (!(ps->seen & 4))
			return fail(ps, line, "%s: role missing", section_label(ps));
		for (unsigned int d = 0; d < POLICY_SCOPE_COUNT; d++)
			any_scope |= g->scope[d].any || g->scope[d].count;
		if (!any_scope)
			return fail(ps, line,
				    "%s has no scope: set at least one of agents, queues, teams, departments, sites or campaigns (\"*\" matches any)",
				    section_label(ps));
		break;
	}
	case K_SITE:
		if (!(ps->seen & 1))
			return fail(ps, line, "%s: notice missing (none or event)",
				    section_label(ps));
		break;
	default:
		break;
	}
	return 0;
}

static int open_section(struct parser *ps, const struct ini *r)
{
	struct policy *p = ps->p;
	char *s = r->section, *name;
	enum kind kind = K_NONE;
	void *arr;
	int dup;

	if (*r->rest)
		return fail(ps, ps->line, "bad section header: expected [KIND NAME]");
	while (isspace((unsigned char)*s))
		s++;
	name = s;
	while (*name && !isspace((unsigned char)*name))
		name++;
	if (*name)
		*name++ = '\0';
	while (isspace((unsigned char)*name))
		name++;
	for (char *e = name + strlen(name); e > name && isspace((unsigned char)e[-1]);)
		*--e = '\0';

	for (size_t k = K_POLICY; k <= K_SITE; k++)
		if (!strcmp(s, kind_names[k]))
			kind = (enum kind)k;
	if (kind == K_NONE)
		return fail(ps, ps->line,
			    "unknown section kind \"%.64s\": use policy, group, role, grant, reason or site",
			    s);
	if (close_section(ps))
		return -1;
	ps->kind = kind;
	ps->seen = 0;
	ps->section_line = ps->line;

	if (kind == K_POLICY) {
		if (*name)
			return fail(ps, ps->line, "[policy] takes no name");
		if (ps->policy_seen)
			return fail(ps, ps->line, "[policy] appears twice");
		ps->policy_seen = true;
		return 0;
	}
	if (!*name)
		return fail(ps, ps->line, "[%s] needs a name: [%s NAME]", s, s);
	if (!is_name(name))
		return fail(ps, ps->line,
			    "bad %s name \"%.64s\": 1 to %d printable characters without blanks, commas, quotes, brackets, '#', '=' or '*'",
			    s, name, POLICY_NAME_MAX - 1);
	dup = find_dup(ps, kind, name);
	if (dup)
		return fail(ps, ps->line, "%s \"%s\" already defined at line %d",
			    s, name, dup);

	switch (kind) {
	case K_GROUP:
		if (p->n_groups >= POLICY_MAX_OBJECTS)
			goto too_many;
		if (!(arr = grow(p->groups, p->n_groups, sizeof(*p->groups))))
			goto nomem;
		p->groups = arr;
		memset(&p->groups[p->n_groups], 0, sizeof(*p->groups));
		snprintf(p->groups[p->n_groups].name, POLICY_NAME_MAX, "%s", name);
		p->groups[p->n_groups++].line = ps->line;
		break;
	case K_ROLE:
		if (p->n_roles >= POLICY_MAX_OBJECTS)
			goto too_many;
		if (!(arr = grow(p->roles, p->n_roles, sizeof(*p->roles))))
			goto nomem;
		p->roles = arr;
		if (!(arr = grow(ps->pr, p->n_roles, sizeof(*ps->pr))))
			goto nomem;
		ps->pr = arr;
		memset(&ps->pr[p->n_roles], 0, sizeof(*ps->pr));
		memset(&p->roles[p->n_roles], 0, sizeof(*p->roles));
		snprintf(p->roles[p->n_roles].name, POLICY_NAME_MAX, "%s", name);
		p->roles[p->n_roles++].line = ps->line;
		break;
	case K_GRANT:
		if (p->n_grants >= POLICY_MAX_OBJECTS)
			goto too_many;
		if (!(arr = grow(p->grants, p->n_grants, sizeof(*p->grants))))
			goto nomem;
		p->grants = arr;
		if (!(arr = grow(ps->pg, p->n_grants, sizeof(*ps->pg))))
			goto nomem;
		ps->pg = arr;
		memset(&ps->pg[p->n_grants], 0, sizeof(*ps->pg));
		memset(&p->grants[p->n_grants], 0, sizeof(*p->grants));
		snprintf(p->grants[p->n_grants].name, POLICY_NAME_MAX, "%s", name);
		p->grants[p->n_grants++].line = ps->line;
		break;
	case K_REASON:
		if (p->n_reasons >= POLICY_MAX_OBJECTS)
			goto too_many;
		if (!(arr = grow(p->reasons, p->n_reasons, sizeof(*p->reasons))))
			goto nomem;
		p->reasons = arr;
		memset(&p->reasons[p->n_reasons], 0, sizeof(*p->reasons));
		snprintf(p->reasons[p->n_reasons].code, POLICY_NAME_MAX, "%s", name);
		p->reasons[p->n_reasons++].line = ps->line;
		break;
	case K_SITE:
		if (p->n_sites >= POLICY_MAX_OBJECTS)
			goto too_many;
		if (!(arr = grow(p->sites, p->n_sites, sizeof(*p->sites))))
			goto nomem;
		p->sites = arr;
		memset(&p->sites[p->n_sites], 0, sizeof(*p->sites));
		snprintf(p->sites[p->n_sites].name, POLICY_NAME_MAX, "%s", name);
		p->sites[p->n_sites++].line = ps->line;
		break;
	default:
		break;
	}
	return 0;
too_many:
	return fail(ps, ps->line, "too many %s sections (at most %d)", s,
		    POLICY_MAX_OBJECTS);
nomem:
	return fail(ps, ps->line, "out of memory");
}

/*
 * Splits a list on commas and blanks into names. "*" alone means any.
 * what names the items in messages ("user", "queue").
 */
static int parse_list(struct parser *ps, char *v, struct policy_list *l,
		      bool allow_any, const char *what)
{
	char *save = NULL;

	for (char *it = strtok_r(v, ", \t", &save); it;
	     it = strtok_r(NULL, ", \t", &save)) {
		if (!strcmp(it, "*")) {
			if (!allow_any)
				return fail(ps, ps->line, "%s: \"*\" is not allowed here",
					    section_label(ps));
			l->any = true;
			continue;
		}
		if (!is_name(it))
			return fail(ps, ps->line, "%s: bad %s name \"%.64s\"",
				    section_label(ps), what, it);
		for (unsigned int i = 0; i < l->count; i++)
			if (!strcmp(l->names[i], it))
				return fail(ps, ps->line, "%s: %s \"%s\" listed twice",
					    section_label(ps), what, it);
		if (l->count >= POLICY_MAX_ITEMS)
			return fail(ps, ps->line, "%s: too many %s names (at most %d)",
				    section_label(ps), what, POLICY_MAX_ITEMS);
		void *arr = grow(l->names, l->count, sizeof(*l->names));

		if (!arr)
			return fail(ps, ps->line, "out of memory");
		l->names = arr;
		snprintf(l->names[l->count++], POLICY_NAME_MAX, "%s", it);
	}
	if (l->any && l->count)
		return fail(ps, ps->line, "%s: \"*\" cannot be combined with names",
			    section_label(ps));
	if (!l->any && !l->count)
		return fail(ps, ps->line, "%s: empty %s list", section_label(ps), what);
	return 0;
}

static int resolve_user(struct parser *ps, const char *name, struct policy_user *u)
{
	if (!is_name(name))
		return fail(ps, ps->line, "%s: bad user name \"%.64s\"",
			    section_label(ps), name);
	if (ps->resolve(name, &u->uid, ps->ctx))
		return fail(ps, ps->line, "%s: unknown user \"%s\" (no such Unix account)",
			    section_label(ps), name);
	snprintf(u->name, sizeof(u->name), "%s", name);
	return 0;
}

static int parse_members(struct parser *ps, char *v)
{
	struct policy_group *g = &ps->p->groups[ps->p->n_groups - 1];
	struct policy_list names = { 0 };
	int ret = -1;

	if (parse_list(ps, v, &names, false, "user"))
		goto out;
	g->members = calloc(names.count, sizeof(*g->members));
	if (!g->members) {
		fail(ps, ps->line, "out of memory");
		goto out;
	}
	for (unsigned int i = 0; i < names.count; i++) {
		if (resolve_user(ps, names.names[i], &g->members[i]))
			goto out;
		g->n_members++;
	}
	ret = 0;
out:
	free(names.names);
	return ret;
}

static int parse_clock(const char *s, const char **end, uint16_t *minutes)
{
	unsigned int h, m;

	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    s[2] != ':' || !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	h = (unsigned int)(s[0] - '0') * 10 + (unsigned int)(s[1] - '0');
	m = (unsigned int)(s[3] - '0') * 10 + (unsigned int)(s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m))
		return -1;
	*minutes = (uint16_t)(h * 60 + m);
	*end = s + 5;
	return 0;
}

static int parse_day(const char *s, size_t n)
{
	for (int d = 0; d < 7; d++)
		if (n == 3 && !strncasecmp(s, day_names[d], 3))
			return d;
	return -1;
}

static int parse_days(const char *tok, uint8_t *days)
{
	const char *dash = strchr(tok, '-');
	int a, b;

	if (!strcasecmp(tok, "daily")) {
		*days = 0x7f;
		return 0;
	}
	if (!dash) {
		a = parse_day(tok, strlen(tok));
		if (a < 0)
			return -1;
		*days |= (uint8_t)(1u << a);
		return 0;
	}
	a = parse_day(tok, (size_t)(dash - tok));
	b = parse_day(dash + 1, strlen(dash + 1));
	if (a < 0 || b < 0)
		return -1;
	for (int d = a;; d = (d + 1) % 7) {
		*days |= (uint8_t)(1u << d);
		if (d == b)
			break;
	}
	return 0;
}

static int parse_hours(struct parser *ps, struct policy_role *r, char *v)
{
	char *wsave = NULL;

	for (char *w = strtok_r(v, ",", &wsave); w; w = strtok_r(NULL, ",", &wsave)) {
		struct policy_window win = { 0 };
		char *tsave = NULL, *tok = strtok_r(w, " \t", &tsave);
		const char *end;

		if (!tok)
			return fail(ps, ps->line, "%s: empty hours window", section_label(ps));
		if (r->n_windows >= POLICY_MAX_WINDOWS)
			return fail(ps, ps->line, "%s: too many hours windows (at most %d)",
				    section_label(ps), POLICY_MAX_WINDOWS);
		if (parse_clock(tok, &end, &win.start) || *end != '-' ||
		    parse_clock(end + 1, &end, &win.end) || *end)
			return fail(ps, ps->line,
				    "%s: bad hours \"%.64s\": expected HH:MM-HH:MM followed by days such as mon-fri",
				    section_label(ps), tok);
		if (win.start == win.end)
			return fail(ps, ps->line, "%s: hours window \"%.64s\" is empty",
				    section_label(ps), tok);
		if (win.start == 24 * 60)
			return fail(ps, ps->line, "%s: hours window \"%.64s\" starts at 24:00; use 00:00",
				    section_label(ps), tok);
		while ((tok = strtok_r(NULL, " \t", &tsave))) {
			if (parse_days(tok, &win.days))
				return fail(ps, ps->line,
					    "%s: bad days \"%.64s\": use mon, tue, wed, thu, fri, sat, sun, a range such as mon-fri, or daily",
					    section_label(ps), tok);
		}
		if (!win.days)
			win.days = 0x7f;
		r->windows[r->n_windows++] = win;
	}
	if (!r->n_windows)
		return fail(ps, ps->line, "%s: empty hours", section_label(ps));
	return 0;
}

static int parse_date(struct parser *ps, struct policy_grant *g, const char *v)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned int y, m, d;
	struct tm tm = { 0 };
	char tail;

	if (strlen(v) != 10 || sscanf(v, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 ||
	    v[4] != '-' || v[7] != '-' || !isdigit((unsigned char)v[0]) ||
	    !isdigit((unsigned char)v[5]) || !isdigit((unsigned char)v[8]))
		goto bad;
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > (unsigned int)mdays[m - 1])
		goto bad;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100) || y % 400 == 0))
		goto bad;
	/* valid through the whole day: expires at the next local midnight */
	tm.tm_year = (int)y - 1900;
	tm.tm_mon = (int)m - 1;
	tm.tm_mday = (int)d + 1;
	tm.tm_isdst = -1;
	g->expires = mktime(&tm);
	if (g->expires == (time_t)-1)
		goto bad;
	snprintf(g->expires_text, sizeof(g->expires_text), "%s", v);
	return 0;
bad:
	return fail(ps, ps->line, "%s: bad expires \"%.64s\": expected a date YYYY-MM-DD",
		    section_label(ps), v);
}

static int parse_notice(struct parser *ps, enum policy_notice *out, const char *v)
{
	if (!strcmp(v, "none"))
		*out = POLICY_NOTICE_NONE;
	else if (!strcmp(v, "event"))
		*out = POLICY_NOTICE_EVENT;
	else
		return fail(ps, ps->line, "%s: bad notice \"%.64s\": use none or event",
			    section_label(ps), v);
	return 0;
}

static int set_key(struct parser *ps, unsigned int k, char *v)
{
	struct policy *p = ps->p;

	switch (ps->kind) {
	case K_POLICY:
		return parse_notice(ps, &p->default_notice, v);
	case K_GROUP:
		return parse_members(ps, v);
	case K_ROLE: {
		struct policy_role *r = &p->roles[p->n_roles - 1];
		unsigned long n;

		if (k == 0) {
			char *save = NULL;

			for (char *it = strtok_r(v, ", \t", &save); it;
			     it = strtok_r(NULL, ", \t", &save)) {
				int mode = policy_mode_parse(it);

				if (mode < 0)
					return fail(ps, ps->line,
						    "%s: unknown mode \"%.64s\": use listen, whisper or barge",
						    section_label(ps), it);
				r->modes |= 1u << mode;
			}
			if (!r->modes)
				return fail(ps, ps->line, "%s: empty modes", section_label(ps));
			return 0;
		}
		if (k == 1) {
			if (ini_seconds(v, &n) || n < 1 || n > MAX_DURATION)
				return fail(ps, ps->line,
					    "%s: bad max_duration \"%.64s\": expected 1s to 7d (suffix s, m, h or d)",
					    section_label(ps), v);
			r->max_duration = (unsigned int)n;
			return 0;
		}
		if (k == 2)
			return parse_hours(ps, r, v);
		ps->pr[p->n_roles - 1].reasons_line = ps->line;
		return parse_list(ps, v, &r->reasons, false, "reason");
	}
	case K_GRANT: {
		struct policy_grant *g = &p->grants[p->n_grants - 1];
		struct pending_grant *pg = &ps->pg[p->n_grants - 1];

		if (k == 0) {
			if (ps->seen & 2)
				return fail(ps, ps->line, "%s: set user or group, not both",
					    section_label(ps));
			pg->user_line = ps->line;
			return resolve_user(ps, v, &g->user);
		}
		if (k == 1 || k == 2) {
			struct ref *ref = k == 1 ? &pg->group : &pg->role;

			if (k == 1 && (ps->seen & 1))
				return fail(ps, ps->line, "%s: set user or group, not both",
					    section_label(ps));
			if (!is_name(v))
				return fail(ps, ps->line, "%s: bad %s name \"%.64s\"",
					    section_label(ps), k == 1 ? "group" : "role", v);
			snprintf(ref->name, sizeof(ref->name), "%s", v);
			ref->line = ps->line;
			g->to_group = g->to_group || k == 1;
			return 0;
		}
		if (k == 9)
			return parse_date(ps, g, v);
		for (unsigned int d = 0; d < POLICY_SCOPE_COUNT; d++) {
			if (!strcmp(grant_keys[k], scope_keys[d]))
				return parse_list(ps, v, &g->scope[d], true,
						  policy_scope_name(d));
		}
		return -1;
	}
	case K_REASON: {
		struct policy_reason *r = &p->reasons[p->n_reasons - 1];

		if (k == 0) {
			if (strlen(v) >= sizeof(r->description))
				return fail(ps, ps->line, "%s: description longer than %zu bytes",
					    section_label(ps), sizeof(r->description) - 1);
			snprintf(r->description, sizeof(r->description), "%s", v);
			return 0;
		}
		if (!strcmp(v, "required") || !strcmp(v, "optional")) {
			r->text_required = !strcmp(v, "required");
			return 0;
		}
		return fail(ps, ps->line, "%s: bad text \"%.64s\": use required or optional",
			    section_label(ps), v);
	}
	case K_SITE:
		return parse_notice(ps, &p->sites[p->n_sites - 1].notice, v);
	default:
		return -1;
	}
}

/* The reader's errors in this file's words. */
static int syntax_error(struct parser *ps, enum ini_error e, const struct ini *r)
{
	static const char *const fixed[] = {
		[INI_ERR_BRACKET] = "bad section header: expected [KIND NAME]",
		[INI_ERR_EQUALS] = "expected \"key = value\" or a [section] header",
		[INI_ERR_QUOTE] = "unterminated quoted value",
		[INI_ERR_AFTER_QUOTE] = "text after a quoted value",
	};

	if (e == INI_ERR_TOO_LONG)
		return fail(ps, ps->line, "line longer than %d bytes", MAX_LINE);
	if (e == INI_ERR_CONTROL && r->nul)
		return fail(ps, ps->line, "NUL byte in the file");
	if (e == INI_ERR_CONTROL)
		return fail(ps, ps->line, "control character 0x%02x in the line", r->byte);
	if ((size_t)e < sizeof(fixed) / sizeof(fixed[0]) && fixed[e])
		return fail(ps, ps->line, "%s", fixed[e]);
	return fail(ps, ps->line, "internal error: reader error %d", (int)e);
}

static int parse_key(struct parser *ps, const struct ini *r)
{
	const char *const *keys;
	const char *key = r->key;
	enum ini_error e;
	char *v;

	if (ps->kind == K_NONE)
		return fail(ps, ps->line, "key \"%.64s\" outside a section", key);
	keys = kind_keys[ps->kind];
	for (unsigned int k = 0; keys[k]; k++) {
		if (strcmp(keys[k], key))
			continue;
		if (ps->seen & (1u << k))
			return fail(ps, ps->line, "%s: %s set twice", section_label(ps), key);
		e = ini_value(r->value, &v);
		if (e)
			return syntax_error(ps, e, r);
		if (!*v)
			return fail(ps, ps->line, "%s: empty value for %s",
				    section_label(ps), key);
		if (set_key(ps, k, v))
			return -1;
		ps->seen |= 1u << k;
		return 0;
	}
	{
		char list[256] = "";

		for (unsigned int k = 0; keys[k]; k++) {
			strncat(list, k ? ", " : "", sizeof(list) - strlen(list) - 1);
			strncat(list, keys[k], sizeof(list) - strlen(list) - 1);
		}
		return fail(ps, ps->line, "%s: unknown key \"%.64s\" (known: %s)",
			    section_label(ps), key, list);
	}
}

static int resolve_refs(struct parser *ps)
{
	struct policy *p = ps->p;

	for (unsigned int i = 0; i < p->n_roles; i++) {
		const struct policy_role *r = &p->roles[i];

		for (unsigned int j = 0; j < r->reasons.count; j++) {
			if (!policy_find_reason(p, r->reasons.names[j]))
				return fail(ps, ps->pr[i].reasons_line,
					    "role \"%s\": unknown reason \"%s\"", r->name,
					    r->reasons.names[j]);
		}
	}
	for (unsigned int i = 0; i < p->n_grants; i++) {
		struct policy_grant *g = &p->grants[i];
		const struct pending_grant *pg = &ps->pg[i];

		g->role = NULL;
		for (unsigned int j = 0; j < p->n_roles; j++)
			if (!strcmp(p->roles[j].name, pg->role.name))
				g->role = &p->roles[j];
		if (!g->role)
			return fail(ps, pg->role.line, "grant \"%s\": unknown role \"%s\"",
				    g->name, pg->role.name);
		if (!g->to_group)
			continue;
		g->group = NULL;
		for (unsigned int j = 0; j < p->n_groups; j++)
			if (!strcmp(p->groups[j].name, pg->group.name))
				g->group = &p->groups[j];
		if (!g->group)
			return fail(ps, pg->group.line, "grant \"%s\": unknown group \"%s\"",
				    g->name, pg->group.name);
	}
	return 0;
}

struct policy *policy_parse(const char *name, const char *text, size_t len,
			    policy_resolve_fn resolve, void *ctx,
			    char *err, size_t errlen)
{
	struct parser ps = {
		.file = name, .err = err, .errlen = errlen,
		.resolve = resolve ? resolve : default_resolve, .ctx = ctx,
	};
	enum ini_item item;
	struct ini r;
	int ret;

	ps.p = calloc(1, sizeof(*ps.p));
	if (!ps.p) {
		fail(&ps, 0, "out of memory");
		return NULL;
	}
	snprintf(ps.p->source, sizeof(ps.p->source), "%s", name);
	ps.p->available_modes = 1u << POLICY_MODE_LISTEN;

	ini_init(&r, text, len, MAX_LINE);
	while ((item = ini_next(&r)) != INI_END) {
		ps.line = r.line;
		if (item == INI_BAD)
			ret = syntax_error(&ps, r.error, &r);
		else if (item == INI_SECTION)
			ret = open_section(&ps, &r);
		else
			ret = parse_key(&ps, &r);
		if (ret)
			goto err;
	}
	if (close_section(&ps) || resolve_refs(&ps))
		goto err;
	free(ps.pg);
	free(ps.pr);
	return ps.p;
err:
	free(ps.pg);
	free(ps.pr);
	policy_free(ps.p);
	return NULL;
}

struct policy *policy_load(const char *path, char *err, size_t errlen)
{
	struct policy *p = NULL;
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open the policy file: %s", path,
			 strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & S_IWOTH) {
		snprintf(err, errlen,
			 "%s: the policy file is writable by anyone (mode %04o): chmod o-w it",
			 path, (unsigned int)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size > MAX_FILE) {
		snprintf(err, errlen, "%s: larger than %d bytes", path, MAX_FILE);
		goto out;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while ((n = read(fd, text + len, (size_t)st.st_size + 1 - len)) > 0) {
		len += (size_t)n;
		if (len > (size_t)st.st_size) {
			snprintf(err, errlen, "%s: the file grew while being read", path);
			goto out;
		}
	}
	if (n < 0) {
		snprintf(err, errlen, "%s: read failed: %s", path, strerror(errno));
		goto out;
	}
	p = policy_parse(path, text, len, NULL, NULL, err, errlen);
out:
	free(text);
	close(fd);
	return p;
}

static void list_free(struct policy_list *l)
{
	free(l->names);
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	for (unsigned int i = 0; i < p->n_groups; i++)
		free(p->groups[i].members);
	for (unsigned int i = 0; i < p->n_roles; i++)
		list_free(&p->roles[i].reasons);
	for (unsigned int i = 0; i < p->n_grants; i++)
		for (unsigned int d = 0; d < POLICY_SCOPE_COUNT; d++)
			list_free(&p->grants[i].scope[d]);
	free(p->groups);
	free(p->roles);
	free(p->grants);
	free(p->reasons);
	free(p->sites);
	free(p);
}
