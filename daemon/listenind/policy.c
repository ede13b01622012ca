// SPDX-License-Identifier: GPL-2.0
/*
 * Policy evaluation and access review. Every grant that names the caller is
 * tried in file order; the first that allows wins. When none does, the
 * refusal reported is the one of the grant that got furthest through the
 * checks, because that is the one the supervisor most likely meant.
 */
#include "listenind/policy.h"
#include "common/jout.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const mode_names[POLICY_MODE_COUNT] = {
	[POLICY_MODE_LISTEN] = "listen",
	[POLICY_MODE_WHISPER] = "whisper",
	[POLICY_MODE_BARGE] = "barge",
};

static const char *const scope_names[POLICY_SCOPE_COUNT] = {
	[CALLS_META_AGENT] = "agent", [CALLS_META_QUEUE] = "queue",
	[CALLS_META_TEAM] = "team", [CALLS_META_DEPARTMENT] = "department",
	[CALLS_META_SITE] = "site", [CALLS_META_CAMPAIGN] = "campaign",
};

static const char *const day_names[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

/* How far a grant got; a higher stage is a better explanation of a refusal. */
enum stage {
	S_EXPIRED,
	S_MODE,
	S_REASON,
	S_HOURS,
	S_SCOPE,
	S_MEDIA,
};

const char *policy_mode_name(enum policy_mode mode)
{
	return (unsigned int)mode < POLICY_MODE_COUNT ? mode_names[mode] : "?";
}

int policy_mode_parse(const char *name)
{
	for (int m = 0; m < POLICY_MODE_COUNT; m++)
		if (!strcmp(name, mode_names[m]))
			return m;
	return -1;
}

const char *policy_notice_name(enum policy_notice notice)
{
	return notice == POLICY_NOTICE_EVENT ? "event" : "none";
}

const char *policy_scope_name(unsigned int dim)
{
	return dim < POLICY_SCOPE_COUNT ? scope_names[dim] : "?";
}

enum policy_notice policy_site_notice(const struct policy *p, const char *site)
{
	if (site && *site)
		for (unsigned int i = 0; i < p->n_sites; i++)
			if (!strcasecmp(p->sites[i].name, site))
				return p->sites[i].notice;
	return p->default_notice;
}

const struct policy_reason *policy_find_reason(const struct policy *p, const char *code)
{
	for (unsigned int i = 0; i < p->n_reasons; i++)
		if (!strcmp(p->reasons[i].code, code))
			return &p->reasons[i];
	return NULL;
}

static bool list_has(const struct policy_list *l, const char *v)
{
	for (unsigned int i = 0; i < l->count; i++)
		if (!strcasecmp(l->names[i], v))
			return true;
	return false;
}

static void list_format(const struct policy_list *l, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (l->any) {
		snprintf(buf, len, "*");
		return;
	}
	for (unsigned int i = 0; i < l->count && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", l->names[i]);
}

static bool member_of(const struct policy_group *g, uid_t uid)
{
	for (unsigned int i = 0; i < g->n_members; i++)
		if (g->members[i].uid == uid)
			return true;
	return false;
}

static bool grant_applies(const struct policy_grant *g, uid_t uid)
{
	return g->to_group ? member_of(g->group, uid) : g->user.uid == uid;
}

/* Seconds left in the open window, or 0 when now is outside every window. */
static long window_left(const struct policy_role *r, time_t now)
{
	struct tm tm;
	long best = 0;
	int m, prev;

	if (!r->n_windows)
		return -1;
	if (!localtime_r(&now, &tm))
		return 0;
	m = tm.tm_hour * 60 + tm.tm_min;
	prev = (tm.tm_wday + 6) % 7;
	for (unsigned int i = 0; i < r->n_windows; i++) {
		const struct policy_window *w = &r->windows[i];
		long left = 0;

		if (w->start < w->end) {
			if ((w->days & (1u << tm.tm_wday)) && m >= w->start && m < w->end)
				left = (long)(w->end - m) * 60 - tm.tm_sec;
		} else {
			if ((w->days & (1u << tm.tm_wday)) && m >= w->start)
				left = (long)(24 * 60 - m + w->end) * 60 - tm.tm_sec;
			else if ((w->days & (1u << prev)) && m < w->end)
				left = (long)(w->end - m) * 60 - tm.tm_sec;
		}
		if (left > best)
			best = left;
	}
	return best;
}

static void set_rule(char *rule, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_rule(char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rule, POLICY_RULE_LEN, fmt, ap);
	va_end(ap);
}

/* Returns S_MEDIA + 1 when the grant allows; else the stage it failed at. */
static int try_grant(const struct policy *p, const struct policy_grant *g,
		     const struct policy_request *req, const struct policy_reason *reason,
		     struct policy_decision *d, char *rule)
{
	const struct policy_role *r = g->role;
	const char *mode = policy_mode_name(req->mode);
	long left, max;
	char buf[160];

	if (g->expires && req->now >= g->expires) {
		set_rule(rule, "grant \"%s\" expired after %s", g->name, g->expires_text);
		return S_EXPIRED;
	}
	if (!(r->modes & (1u << req->mode))) {
		set_rule(rule, "grant \"%s\": role \"%s\" does not allow %s", g->name,
			 r->name, mode);
		return S_MODE;
	}
	if (r->reasons.count && !list_has(&r->reasons, reason->code)) {
		list_format(&r->reasons, buf, sizeof(buf));
		set_rule(rule, "grant \"%s\": role \"%s\" does not accept reason \"%s\" (accepted: %s)",
			 g->name, r->name, reason->code, buf);
		return S_REASON;
	}
	left = window_left(r, req->now);
	if (left == 0) {
		policy_hours_format(r, buf, sizeof(buf));
		set_rule(rule, "grant \"%s\": role \"%s\" allows monitoring only %s",
			 g->name, r->name, buf);
		return S_HOURS;
	}
	for (unsigned int dim = 0; dim < POLICY_SCOPE_COUNT; dim++) {
		const struct policy_list *l = &g->scope[dim];
		const char *v = req->meta[dim];

		if (l->any || !l->count)
			continue;
		if (!v || !*v) {
			set_rule(rule, "grant \"%s\": the call has no %s, and the grant is limited to %ss",
				 g->name, scope_names[dim], scope_names[dim]);
			return S_SCOPE;
		}
		if (!list_has(l, v)) {
			list_format(l, buf, sizeof(buf));
			set_rule(rule, "grant \"%s\": %s \"%.64s\" outside scope (%s)",
				 g->name, scope_names[dim], v, buf);
			return S_SCOPE;
		}
	}
	if (!(p->available_modes & (1u << req->mode))) {
		set_rule(rule, "%s is not available yet: no media path carries it (grant \"%s\" would allow it)",
			 mode, g->name);
		return S_MEDIA;
	}

	max = r->max_duration;
	if (left > 0 && left < max)
		max = left;
	if (g->expires && g->expires - req->now < max)
		max = (long)(g->expires - req->now);
	d->max_duration = (unsigned int)max;
	d->grant = g;
	set_rule(rule, "allowed by grant \"%s\" (role \"%s\")", g->name, r->name);
	return S_MEDIA + 1;
}

static void deny(struct policy_decision *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void deny(struct policy_decision *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->rule, sizeof(d->rule), fmt, ap);
	va_end(ap);
	d->allow = false;
	d->grant = NULL;
	d->max_duration = 0;
}

bool policy_decide(const struct policy *p, const struct policy_request *req,
		   struct policy_decision *d)
{
	const struct policy_reason *reason;
	bool any_grant = false;
	int best = -1;

	memset(d, 0, sizeof(*d));
	d->notice = policy_site_notice(p, req->meta[CALLS_META_SITE]);
	if ((unsigned int)req->mode >= POLICY_MODE_COUNT) {
		deny(d, "unknown monitoring mode %d", (int)req->mode);
		return false;
	}
	for (unsigned int i = 0; i < p->n_grants && !any_grant; i++)
		any_grant = grant_applies(&p->grants[i], req->uid);
	if (!any_grant) {
		deny(d, "no grant for user uid %u", (unsigned int)req->uid);
		return false;
	}
	if (!req->reason || !*req->reason) {
		deny(d, "reason code missing: every session needs a reason code from the policy");
		return false;
	}
	reason = policy_find_reason(p, req->reason);
	if (!reason) {
		deny(d, "unknown reason code \"%.64s\"", req->reason);
		return false;
	}
	if (reason->text_required && (!req->reason_text || !*req->reason_text)) {
		deny(d, "reason \"%s\" requires a free-text explanation", reason->code);
		return false;
	}

	for (unsigned int i = 0; i < p->n_grants; i++) {
		const struct policy_grant *g = &p->grants[i];
		char rule[POLICY_RULE_LEN];
		int stage;

		if (!grant_applies(g, req->uid))
			continue;
		stage = try_grant(p, g, req, reason, d, rule);
		if (stage > S_MEDIA) {
			d->allow = true;
			memcpy(d->rule, rule, sizeof(d->rule));
			return true;
		}
		if (stage > best) {
			best = stage;
			memcpy(d->rule, rule, sizeof(d->rule));
		}
	}
	d->allow = false;
	d->grant = NULL;
	d->max_duration = 0;
	return false;
}

void policy_hours_format(const struct policy_role *r, char *buf, size_t len)
{
	size_t n = 0;

	if (!r->n_windows) {
		snprintf(buf, len, "any time");
		return;
	}
	buf[0] = '\0';
	for (unsigned int i = 0; i < r->n_windows && n < len; i++) {
		const struct policy_window *w = &r->windows[i];
		char days[40] = "";

		if (w->days != 0x7f) {
			size_t dn = 0;

			/* runs of consecutive days as ranges, starting on Monday */
			for (int k = 0; k < 7; k++) {
				int d = (k + 1) % 7, e = k;

				if (!(w->days & (1u << d)))
					continue;
				while (e + 1 < 7 && (w->days & (1u << ((e + 2) % 7))))
					e++;
				if (e > k)
					dn += (size_t)snprintf(days + dn, sizeof(days) - dn, " %s-%s",
							       day_names[d], day_names[(e + 1) % 7]);
				else
					dn += (size_t)snprintf(days + dn, sizeof(days) - dn, " %s",
							       day_names[d]);
				k = e;
			}
		} else {
			snprintf(days, sizeof(days), " daily");
		}
		n += (size_t)snprintf(buf + n, len - n, "%s%02u:%02u-%02u:%02u%s",
				      i ? ", " : "", (unsigned int)w->start / 60,
				      (unsigned int)w->start % 60, (unsigned int)w->end / 60,
				      (unsigned int)w->end % 60, days);
	}
}

void policy_scope_format(const struct policy_grant *g, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int dim = 0; dim < POLICY_SCOPE_COUNT && n < len; dim++) {
		char items[1024];

		if (!g->scope[dim].any && !g->scope[dim].count)
			continue;
		list_format(&g->scope[dim], items, sizeof(items));
		n += (size_t)snprintf(buf + n, len - n, "%s%s %s", n ? "; " : "",
				      scope_names[dim], items);
	}
}

void policy_foreach_access(const struct policy *p, time_t now, unsigned int days,
			   void (*fn)(const struct policy_access *a, void *ctx),
			   void *ctx)
{
	for (unsigned int i = 0; i < p->n_grants; i++) {
		const struct policy_grant *g = &p->grants[i];
		struct policy_access a = { .grant = g };

		a.expired = g->expires && now >= g->expires;
		a.expiring = !a.expired && g->expires && days &&
			     g->expires - now <= (time_t)days * 86400;
		if (!g->to_group) {
			a.user = &g->user;
			fn(&a, ctx);
			continue;
		}
		a.via = g->group;
		for (unsigned int j = 0; j < g->group->n_members; j++) {
			a.user = &g->group->members[j];
			fn(&a, ctx);
		}
	}
}

static struct json_object *list_json(const struct policy_list *l)
{
	struct json_object *arr;

	if (l->any)
		return json_object_new_string("*");
	arr = json_object_new_array();
	for (unsigned int i = 0; i < l->count; i++)
		json_object_array_add(arr, json_object_new_string(l->names[i]));
	return arr;
}

static struct json_object *grant_json(const struct policy_grant *g, time_t now,
				      unsigned int days)
{
	struct json_object *o = json_object_new_object();
	struct json_object *modes = json_object_new_array();
	struct json_object *users = json_object_new_array();
	struct json_object *scope = json_object_new_object();
	const struct policy_role *r = g->role;
	char hours[256];

	jout_add_str(o, "grant", g->name);
	jout_add_str(o, "role", r->name);
	for (int m = 0; m < POLICY_MODE_COUNT; m++)
		if (r->modes & (1u << m))
			json_object_array_add(modes, json_object_new_string(mode_names[m]));
	json_object_object_add(o, "modes", modes);
	jout_add_u64(o, "max_duration", r->max_duration);
	policy_hours_format(r, hours, sizeof(hours));
	jout_add_str(o, "hours", hours);
	if (g->to_group)
		jout_add_str(o, "group", g->group->name);
	for (unsigned int i = 0; i < (g->to_group ? g->group->n_members : 1); i++) {
		const struct policy_user *u = g->to_group ? &g->group->members[i] : &g->user;
		struct json_object *uo = json_object_new_object();

		jout_add_str(uo, "user", u->name);
		jout_add_u64(uo, "uid", u->uid);
		json_object_array_add(users, uo);
	}
	json_object_object_add(o, "users", users);
	for (unsigned int dim = 0; dim < POLICY_SCOPE_COUNT; dim++)
		if (g->scope[dim].any || g->scope[dim].count)
			json_object_object_add(scope, scope_names[dim], list_json(&g->scope[dim]));
	json_object_object_add(o, "scope", scope);
	if (g->expires) {
		jout_add_str(o, "expires", g->expires_text);
		jout_add_bool(o, "expired", now >= g->expires);
		jout_add_bool(o, "expiring", now < g->expires && days &&
			      g->expires - now <= (time_t)days * 86400);
	} else {
		jout_add_null(o, "expires");
		jout_add_bool(o, "expired", false);
		jout_add_bool(o, "expiring", false);
	}
	return o;
}

struct json_object *policy_review_json(const struct policy *p, time_t now,
				       unsigned int days)
{
	struct json_object *o = json_object_new_object();
	struct json_object *grants = json_object_new_array();
	struct json_object *expiring = json_object_new_array();

	for (unsigned int i = 0; i < p->n_grants; i++) {
		const struct policy_grant *g = &p->grants[i];

		json_object_array_add(grants, grant_json(g, now, days));
		if (g->expires && now < g->expires && days &&
		    g->expires - now <= (time_t)days * 86400)
			json_object_array_add(expiring, grant_json(g, now, days));
	}
	jout_add_str(o, "policy", p->source);
	jout_add_u64(o, "days", days);
	json_object_object_add(o, "grants", grants);
	json_object_object_add(o, "expiring", expiring);
	return o;
}

static void dump_list(FILE *out, const char *key, const struct policy_list *l)
{
	if (!l->any && !l->count)
		return;
	fprintf(out, "%s =", key);
	if (l->any)
		fputs(" *", out);
	for (unsigned int i = 0; i < l->count; i++)
		fprintf(out, "%s %s", i ? "," : "", l->names[i]);
	fputc('\n', out);
}

static void dump_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

void policy_dump(const struct policy *p, FILE *out)
{
	static const char *const scope_keys[POLICY_SCOPE_COUNT] = {
		[CALLS_META_AGENT] = "agents", [CALLS_META_QUEUE] = "queues",
		[CALLS_META_TEAM] = "teams", [CALLS_META_DEPARTMENT] = "departments",
		[CALLS_META_SITE] = "sites", [CALLS_META_CAMPAIGN] = "campaigns",
	};
	char buf[512];

	fprintf(out, "[policy]\nnotice = %s\n", policy_notice_name(p->default_notice));
	for (unsigned int i = 0; i < p->n_sites; i++)
		fprintf(out, "\n[site %s]\nnotice = %s\n", p->sites[i].name,
			policy_notice_name(p->sites[i].notice));
	for (unsigned int i = 0; i < p->n_reasons; i++) {
		const struct policy_reason *r = &p->reasons[i];

		fprintf(out, "\n[reason %s]\n", r->code);
		if (r->description[0]) {
			fputs("description = ", out);
			dump_quoted(out, r->description);
			fputc('\n', out);
		}
		fprintf(out, "text = %s\n", r->text_required ? "required" : "optional");
	}
	for (unsigned int i = 0; i < p->n_groups; i++) {
		const struct policy_group *g = &p->groups[i];

		fprintf(out, "\n[group %s]\nmembers =", g->name);
		for (unsigned int j = 0; j < g->n_members; j++)
			fprintf(out, "%s %s", j ? "," : "", g->members[j].name);
		fputc('\n', out);
	}
	for (unsigned int i = 0; i < p->n_roles; i++) {
		const struct policy_role *r = &p->roles[i];
		bool first = true;

		fprintf(out, "\n[role %s]\nmodes =", r->name);
		for (int m = 0; m < POLICY_MODE_COUNT; m++) {
			if (r->modes & (1u << m)) {
				fprintf(out, "%s %s", first ? "" : ",", mode_names[m]);
				first = false;
			}
		}
		fprintf(out, "\nmax_duration = %us\n", r->max_duration);
		if (r->n_windows) {
			policy_hours_format(r, buf, sizeof(buf));
			fprintf(out, "hours = %s\n", buf);
		}
		dump_list(out, "reasons", &r->reasons);
	}
	for (unsigned int i = 0; i < p->n_grants; i++) {
		const struct policy_grant *g = &p->grants[i];

		fprintf(out, "\n[grant %s]\n", g->name);
		if (g->to_group)
			fprintf(out, "group = %s\n", g->group->name);
		else
			fprintf(out, "user = %s\n", g->user.name);
		fprintf(out, "role = %s\n", g->role->name);
		for (unsigned int dim = 0; dim < POLICY_SCOPE_COUNT; dim++)
			dump_list(out, scope_keys[dim], &g->scope[dim]);
		if (g->expires)
			fprintf(out, "expires = %s\n", g->expires_text);
	}
}
