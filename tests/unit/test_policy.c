// SPDX-License-Identifier: GPL-2.0
/*
 * Monitoring policy: a table of requests against one policy file, each with
 * the decision and the words of the rule that must explain it; then the
 * review helpers. Times are UTC (TZ is set), users come from a fixed table
 * (and "root" once through the real getpwnam).
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "listenind/policy.h"

static int n_tests, n_failed;

static void ok(int cond, const char *name)
{
	n_tests++;
	if (!cond)
		n_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", n_tests, name);
}

static const struct {
	const char *name;
	uid_t uid;
} users[] = {
	{ "alice", 1001 }, { "bob", 1002 }, { "carol", 1003 }, { "dave", 1004 },
	{ "erin", 1005 }, { "tom", 1006 },
};

static int resolve(const char *name, uid_t *uid, void *ctx)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		if (!strcmp(users[i].name, name)) {
			*uid = users[i].uid;
			return 0;
		}
	}
	return -1;
}

static const char policy_text[] =
	"# test policy\n"
	"[policy]\n"
	"notice = none\n"
	"\n"
	"[site paris]\n"
	"notice = event\n"
	"\n"
	"[reason qa]\n"
	"description = \"Quality review # not a comment\"\n"
	"[reason complaint]\n"
	"text = required\n"
	"[reason coaching]\n"
	"description = Coaching a trainee   # inline comment\n"
	"\n"
	"[group sales-leads]\n"
	"members = alice, bob\n"
	"[group trainers]\n"
	"members = tom\n"
	"\n"
	"[role supervisor]\n"
	"modes = listen\n"
	"max_duration = 30m\n"
	"hours = 08:00-18:00 mon-fri\n"
	"[role coach]\n"
	"modes = listen, whisper\n"
	"max_duration = 1h\n"
	"reasons = coaching\n"
	"[role night]\n"
	"modes = listen\n"
	"max_duration = 2h\n"
	"hours = 22:00-06:00 mon-fri\n"
	"[role compliance]\n"
	"modes = listen whisper barge\n"
	"max_duration = 4h\n"
	"\n"
	"[grant sales-leads]\n"
	"group = sales-leads\n"
	"role = supervisor\n"
	"queues = sales, renewals\n"
	"sites = paris, lyon\n"
	"[grant alice-support]\n"
	"user = alice\n"
	"role = coach\n"
	"queues = support\n"
	"[grant tom-trainees]\n"
	"group = trainers\n"
	"role = coach\n"
	"agents = 2001, 2002\n"
	"[grant carol-night]\n"
	"user = carol\n"
	"role = night\n"
	"departments = support\n"
	"[grant dave-all]\n"
	"user = dave\n"
	"role = compliance\n"
	"queues = *\n"
	"expires = 2026-12-31\n"
	"[grant erin-old]\n"
	"user = erin\n"
	"role = compliance\n"
	"campaigns = spring\n"
	"expires = 2026-01-31\n";

/* 2026-11-23 is a Monday. */
static time_t at(int y, int mon, int d, int h, int mi)
{
	struct tm tm = {
		.tm_year = y - 1900, .tm_mon = mon - 1, .tm_mday = d,
		.tm_hour = h, .tm_min = mi, .tm_isdst = -1,
	};

	return mktime(&tm);
}

#define MON10	at(2026, 11, 23, 10, 0)

struct row {
	const char *user;		/* NULL: uid 4242, nobody in the policy */
	enum policy_mode mode;
	const char *reason, *text;
	/* agent, queue, team, department, site, campaign */
	const char *meta[POLICY_SCOPE_COUNT];
	time_t now;
	bool allow;
	const char *rule;		/* must appear in the rule */
	unsigned int max;		/* expected max_duration when allowed */
};

#define M(agent, queue, team, dept, site, camp) { agent, queue, team, dept, site, camp }

static void run_table(const struct policy *p)
{
	const struct row rows[] = {
		/* sales leads: queues sales/renewals at paris/lyon, weekdays 8-18 */
		{ "alice", POLICY_MODE_LISTEN, "qa", NULL, M("1001", "sales", NULL, NULL, "paris", NULL),
		  MON10, true, "allowed by grant \"sales-leads\" (role \"supervisor\")", 1800 },
		{ "alice", POLICY_MODE_LISTEN, "qa", NULL, M("1001", "sales", NULL, NULL, "paris", NULL),
		  at(2026, 11, 23, 17, 50), true, "sales-leads", 600 },
		{ "alice", POLICY_MODE_LISTEN, "qa", NULL, M("1001", "sales", NULL, NULL, "paris", NULL),
		  at(2026, 11, 23, 18, 0), false,
		  "grant \"sales-leads\": role \"supervisor\" allows monitoring only 08:00-18:00 mon-fri", 0 },
		{ "alice", POLICY_MODE_LISTEN, "qa", NULL, M("1001", "sales", NULL, NULL, "paris", NULL),
		  at(2026, 11, 28, 10, 0), false, "allows monitoring only 08:00-18:00 mon-fri", 0 },
		{ "alice", POLICY_MODE_LISTEN, "qa", NULL, M("1001", "sales", NULL, NULL, "paris", NULL),
		  at(2026, 11, 23, 7, 59), false, "only 08:00-18:00", 0 },
		{ "bob", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, "Renewals", NULL, NULL, "LYON", NULL),
		  MON10, true, "sales-leads", 1800 },
		{ "bob", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, "billing", NULL, NULL, "paris", NULL),
		  MON10, false, "grant \"sales-leads\": queue \"billing\" outside scope (sales, renewals)", 0 },
		{ "bob", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, NULL, NULL, NULL, "paris", NULL),
		  MON10, false, "grant \"sales-leads\": the call has no queue", 0 },
		{ "bob", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, "", NULL, NULL, "paris", NULL),
		  MON10, false, "the call has no queue", 0 },
		{ "bob", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, "sales", NULL, NULL, "berlin", NULL),
		  MON10, false, "site \"berlin\" outside scope (paris, lyon)", 0 },
		{ "bob", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, "sales", NULL, NULL, NULL, NULL),
		  MON10, false, "the call has no site", 0 },
		{ "bob", POLICY_MODE_WHISPER, "qa", NULL, M(NULL, "sales", NULL, NULL, "paris", NULL),
		  MON10, false, "role \"supervisor\" does not allow whisper", 0 },
		{ "bob", POLICY_MODE_BARGE, "qa", NULL, M(NULL, "sales", NULL, NULL, "paris", NULL),
		  MON10, false, "does not allow barge", 0 },
		/* reasons */
		{ "alice", POLICY_MODE_LISTEN, NULL, NULL, M(NULL, "sales", NULL, NULL, "paris", NULL),
		  MON10, false, "reason code missing", 0 },
		{ "alice", POLICY_MODE_LISTEN, "", "text alone", M(NULL, "sales", NULL, NULL, "paris", NULL),
		  MON10, false, "reason code missing", 0 },
		{ "alice", POLICY_MODE_LISTEN, "fun", NULL, M(NULL, "sales", NULL, NULL, "paris", NULL),
		  MON10, false, "unknown reason code \"fun\"", 0 },
		{ "alice", POLICY_MODE_LISTEN, "QA", NULL, M(NULL, "sales", NULL, NULL, "paris", NULL),
		  MON10, false, "unknown reason code \"QA\"", 0 },
		{ "alice", POLICY_MODE_LISTEN, "complaint", NULL, M(NULL, "sales", NULL, NULL, "paris", NULL),
		  MON10, false, "reason \"complaint\" requires a free-text explanation", 0 },
		{ "alice", POLICY_MODE_LISTEN, "complaint", "", M(NULL, "sales", NULL, NULL, "paris", NULL),
		  MON10, false, "requires a free-text explanation", 0 },
		{ "alice", POLICY_MODE_LISTEN, "complaint", "ticket 4411", M(NULL, "sales", NULL, NULL, "paris", NULL),
		  MON10, true, "sales-leads", 1800 },
		/* alice also has alice-support (role coach: coaching only, any time) */
		{ "alice", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, "support", NULL, NULL, "paris", NULL),
		  MON10, false, "grant \"sales-leads\": queue \"support\" outside scope", 0 },
		{ "alice", POLICY_MODE_LISTEN, "coaching", NULL, M(NULL, "support", NULL, NULL, "paris", NULL),
		  MON10, true, "allowed by grant \"alice-support\" (role \"coach\")", 3600 },
		{ "alice", POLICY_MODE_LISTEN, "coaching", NULL, M(NULL, "support", NULL, NULL, NULL, NULL),
		  at(2026, 11, 29, 3, 0), true, "alice-support", 3600 },
		{ "alice", POLICY_MODE_LISTEN, "coaching", NULL, M(NULL, "sales", NULL, NULL, "paris", NULL),
		  MON10, true, "sales-leads", 1800 },
		{ "alice", POLICY_MODE_WHISPER, "coaching", NULL, M(NULL, "support", NULL, NULL, "paris", NULL),
		  MON10, false, "whisper is not available yet: no media path", 0 },
		/* nobody */
		{ NULL, POLICY_MODE_LISTEN, "qa", NULL, M("1001", "sales", "a", "b", "paris", "c"),
		  MON10, false, "no grant for user uid 4242", 0 },
		{ NULL, POLICY_MODE_LISTEN, NULL, NULL, M(NULL, NULL, NULL, NULL, NULL, NULL),
		  MON10, false, "no grant for user", 0 },
		/* trainer: named agents, coaching only */
		{ "tom", POLICY_MODE_LISTEN, "coaching", NULL, M("2001", "sales", NULL, NULL, "paris", NULL),
		  MON10, true, "tom-trainees", 3600 },
		{ "tom", POLICY_MODE_LISTEN, "coaching", NULL, M("2002", NULL, NULL, NULL, NULL, NULL),
		  at(2026, 11, 29, 23, 0), true, "tom-trainees", 3600 },
		{ "tom", POLICY_MODE_LISTEN, "qa", NULL, M("2001", "sales", NULL, NULL, "paris", NULL),
		  MON10, false, "role \"coach\" does not accept reason \"qa\" (accepted: coaching)", 0 },
		{ "tom", POLICY_MODE_LISTEN, "coaching", NULL, M("3000", "sales", NULL, NULL, "paris", NULL),
		  MON10, false, "grant \"tom-trainees\": agent \"3000\" outside scope (2001, 2002)", 0 },
		{ "tom", POLICY_MODE_LISTEN, "coaching", NULL, M(NULL, "sales", NULL, NULL, "paris", NULL),
		  MON10, false, "the call has no agent", 0 },
		{ "tom", POLICY_MODE_WHISPER, "coaching", NULL, M("2001", NULL, NULL, NULL, NULL, NULL),
		  MON10, false, "whisper is not available yet: no media path carries it (grant \"tom-trainees\" would allow it)", 0 },
		{ "tom", POLICY_MODE_BARGE, "coaching", NULL, M("2001", NULL, NULL, NULL, NULL, NULL),
		  MON10, false, "role \"coach\" does not allow barge", 0 },
		/* night shift across midnight, weekdays the window starts on */
		{ "carol", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, NULL, NULL, "support", NULL, NULL),
		  at(2026, 11, 23, 23, 0), true, "carol-night", 7200 },
		{ "carol", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, NULL, NULL, "support", NULL, NULL),
		  at(2026, 11, 24, 5, 30), true, "carol-night", 1800 },
		{ "carol", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, NULL, NULL, "support", NULL, NULL),
		  at(2026, 11, 23, 5, 30), false, "allows monitoring only 22:00-06:00 mon-fri", 0 },
		{ "carol", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, NULL, NULL, "support", NULL, NULL),
		  at(2026, 11, 28, 3, 0), true, "carol-night", 7200 },
		{ "carol", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, NULL, NULL, "support", NULL, NULL),
		  at(2026, 11, 28, 4, 30), true, "carol-night", 5400 },
		{ "carol", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, NULL, NULL, "support", NULL, NULL),
		  at(2026, 11, 28, 23, 0), false, "only 22:00-06:00", 0 },
		{ "carol", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, NULL, NULL, "support", NULL, NULL),
		  at(2026, 11, 23, 12, 0), false, "only 22:00-06:00", 0 },
		{ "carol", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, NULL, NULL, "sales", NULL, NULL),
		  at(2026, 11, 23, 23, 0), false, "department \"sales\" outside scope (support)", 0 },
		/* compliance: any queue, even unknown; expires */
		{ "dave", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, "anything", NULL, NULL, NULL, NULL),
		  MON10, true, "dave-all", 4 * 3600 },
		{ "dave", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, NULL, NULL, NULL, NULL, NULL),
		  MON10, true, "dave-all", 4 * 3600 },
		{ "dave", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, "x", NULL, NULL, NULL, NULL),
		  at(2026, 12, 31, 22, 0), true, "dave-all", 7200 },
		{ "dave", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, "x", NULL, NULL, NULL, NULL),
		  at(2027, 1, 1, 0, 0), false, "grant \"dave-all\" expired after 2026-12-31", 0 },
		{ "dave", POLICY_MODE_BARGE, "qa", NULL, M(NULL, "x", NULL, NULL, NULL, NULL),
		  MON10, false, "barge is not available yet: no media path", 0 },
		{ "dave", POLICY_MODE_WHISPER, "qa", NULL, M(NULL, "x", NULL, NULL, NULL, NULL),
		  at(2027, 2, 1, 0, 0), false, "expired", 0 },
		{ "erin", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, NULL, NULL, NULL, NULL, "spring"),
		  MON10, false, "grant \"erin-old\" expired after 2026-01-31", 0 },
		{ "erin", POLICY_MODE_LISTEN, "qa", NULL, M(NULL, NULL, NULL, NULL, NULL, "spring"),
		  at(2026, 1, 31, 23, 59), true, "erin-old", 60 },
		{ "dave", (enum policy_mode)7, "qa", NULL, M(NULL, "x", NULL, NULL, NULL, NULL),
		  MON10, false, "unknown monitoring mode 7", 0 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct policy_request req = {
			.uid = 4242, .mode = r->mode, .reason = r->reason,
			.reason_text = r->text, .now = r->now,
		};
		struct policy_decision d;
		char name[512];
		bool got, good;

		if (r->user)
			resolve(r->user, &req.uid, NULL);
		memcpy(req.meta, r->meta, sizeof(req.meta));
		got = policy_decide(p, &req, &d);
		good = got == r->allow && d.allow == got && strstr(d.rule, r->rule) &&
		       (!got || d.max_duration == r->max) && (got || !d.grant);
		snprintf(name, sizeof(name), "row %zu: %s %s %s -> %s \"%s\"", i + 1,
			 r->user ? r->user : "uid 4242", policy_mode_name(r->mode),
			 r->reason ? r->reason : "(no reason)", r->allow ? "allow" : "deny",
			 r->rule);
		ok(good, name);
		if (!good)
			printf("#   got %s \"%s\" max %u\n", got ? "allow" : "deny", d.rule,
			       d.max_duration);
	}
}

static void test_notice_and_modes(struct policy *p)
{
	struct policy_request req = {
		.uid = 1006, .mode = POLICY_MODE_WHISPER, .reason = "coaching",
		.meta = M("2001", NULL, NULL, NULL, "Paris", NULL), .now = MON10,
	};
	struct policy_decision d;

	policy_decide(p, &req, &d);
	ok(d.notice == POLICY_NOTICE_EVENT, "site paris (any case) announces sessions to the agent");
	req.meta[CALLS_META_SITE] = "lyon";
	policy_decide(p, &req, &d);
	ok(d.notice == POLICY_NOTICE_NONE, "unlisted site takes [policy] notice = none");

	/* the day a media path carries whisper, the model already allows it */
	p->available_modes |= 1u << POLICY_MODE_WHISPER;
	ok(policy_decide(p, &req, &d) && d.grant && !strcmp(d.grant->name, "tom-trainees"),
	   "whisper allowed by the role once the media path offers it");
	p->available_modes = 1u << POLICY_MODE_LISTEN;
}

struct count_ctx {
	unsigned int pairs, expiring, expired, via_group;
	uid_t bob_uid;
};

static void count_access(const struct policy_access *a, void *ctx)
{
	struct count_ctx *c = ctx;

	c->pairs++;
	c->expiring += a->expiring;
	c->expired += a->expired;
	c->via_group += a->via != NULL;
	if (!strcmp(a->user->name, "bob"))
		c->bob_uid = a->user->uid;
}

static void test_review(const struct policy *p)
{
	struct count_ctx c = { 0 };
	struct json_object *o, *grants, *expiring, *g, *v;
	char buf[256];

	policy_foreach_access(p, MON10, 60, count_access, &c);
	ok(c.pairs == 7 && c.via_group == 3 && c.bob_uid == 1002,
	   "access review: 7 user/grant pairs, 3 through groups");
	ok(c.expiring == 1 && c.expired == 1,
	   "access review: dave-all expires within 60 days, erin-old has expired");
	memset(&c, 0, sizeof(c));
	policy_foreach_access(p, MON10, 30, count_access, &c);
	ok(c.expiring == 0, "nothing expires within 30 days");

	o = policy_review_json(p, MON10, 60);
	ok(json_object_object_get_ex(o, "grants", &grants) &&
	   json_object_array_length(grants) == 6, "review JSON lists 6 grants");
	ok(json_object_object_get_ex(o, "expiring", &expiring) &&
	   json_object_array_length(expiring) == 1 &&
	   json_object_object_get_ex(json_object_array_get_idx(expiring, 0), "grant", &v) &&
	   !strcmp(json_object_get_string(v), "dave-all"), "review JSON: dave-all is expiring");
	g = json_object_array_get_idx(grants, 0);
	ok(json_object_object_get_ex(g, "users", &v) && json_object_array_length(v) == 2 &&
	   json_object_object_get_ex(g, "hours", &v) &&
	   !strcmp(json_object_get_string(v), "08:00-18:00 mon-fri"),
	   "review JSON: sales-leads has 2 users, hours 08:00-18:00 mon-fri");
	ok(json_object_object_get_ex(g, "scope", &v) &&
	   !strcmp(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
		   "{\"queue\":[\"sales\",\"renewals\"],\"site\":[\"paris\",\"lyon\"]}"),
	   "review JSON: scope by dimension");
	json_object_put(o);

	policy_scope_format(&p->grants[4], buf, sizeof(buf));
	ok(!strcmp(buf, "queue *"), "scope text of an any-queue grant");
	policy_hours_format(p->grants[4].role, buf, sizeof(buf));
	ok(!strcmp(buf, "any time"), "hours text of a role without hours");
}

static void test_hours_format(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "08:00-18:00", "08:00-18:00 daily" },
		{ "08:00-18:00 daily", "08:00-18:00 daily" },
		{ "09:00-12:00 sat, 08:00-18:00 mon-fri", "09:00-12:00 sat, 08:00-18:00 mon-fri" },
		{ "00:00-24:00 mon wed fri", "00:00-24:00 mon wed fri" },
		{ "22:00-06:00 fri-mon", "22:00-06:00 mon fri-sun" },
		{ "07:30-19:15 SUN Tue-Thu", "07:30-19:15 tue-thu sun" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[256], buf[256], err[POLICY_ERR_LEN];
		struct policy *p;

		snprintf(text, sizeof(text),
			 "[role r]\nmodes = listen\nmax_duration = 1h\nhours = %s\n", cases[i].in);
		p = policy_parse("h.conf", text, strlen(text), resolve, NULL, err, sizeof(err));
		buf[0] = '\0';
		if (p)
			policy_hours_format(&p->roles[0], buf, sizeof(buf));
		ok(p && !strcmp(buf, cases[i].out), cases[i].in);
		if (!p || strcmp(buf, cases[i].out))
			printf("#   got \"%s\" %s\n", buf, p ? "" : err);
		policy_free(p);
	}
}

static const char head[] =
	"[reason qa]\n"					/* 1 */
	"[role sup]\n"					/* 2 */
	"modes = listen\n"				/* 3 */
	"max_duration = 30m\n";				/* 4 */

static void expect_error(const char *body, const char *want)
{
	char text[2048], err[POLICY_ERR_LEN] = "";
	struct policy *p;

	snprintf(text, sizeof(text), "%s%s", head, body);
	p = policy_parse("policy.conf", text, strlen(text), resolve, NULL, err, sizeof(err));
	ok(!p && !strcmp(err, want), want);
	if (p || strcmp(err, want))
		printf("#   got \"%s\"\n", p ? "(accepted)" : err);
	policy_free(p);
}

static void test_errors(void)
{
	expect_error("[grant x]\nuser = alice\nrole = supervisor\nqueues = a\n",
		     "policy.conf:7: grant \"x\": unknown role \"supervisor\"");
	expect_error("[grant x]\nuser = mallory\n",
		     "policy.conf:6: grant \"x\": unknown user \"mallory\" (no such Unix account)");
	expect_error("[group g]\nmembers = alice, zed\n",
		     "policy.conf:6: group \"g\": unknown user \"zed\" (no such Unix account)");
	expect_error("[group g]\nmembers = alice, alice\n",
		     "policy.conf:6: group \"g\": user \"alice\" listed twice");
	expect_error("[group g]\n[role z]\n",
		     "policy.conf:5: group \"g\" has no members");
	expect_error("[grant x]\ngroup = nobody-here\nrole = sup\nqueues = a\n",
		     "policy.conf:6: grant \"x\": unknown group \"nobody-here\"");
	expect_error("[grant x]\nuser = alice\ngroup = g\n",
		     "policy.conf:7: grant \"x\": set user or group, not both");
	expect_error("[grant x]\nrole = sup\nqueues = a\n",
		     "policy.conf:5: grant \"x\": name a user or a group");
	expect_error("[grant x]\nuser = alice\nqueues = a\n",
		     "policy.conf:5: grant \"x\": role missing");
	expect_error("[grant x]\nuser = alice\nrole = sup\n",
		     "policy.conf:5: grant \"x\" has no scope: set at least one of agents, queues, teams, departments, sites or campaigns (\"*\" matches any)");
	expect_error("[grant x]\nuser = alice\nrole = sup\nqueues = a, *\n",
		     "policy.conf:8: grant \"x\": \"*\" cannot be combined with names");
	expect_error("[grant x]\nuser = alice\nrole = sup\nqueues = a\nqueues = b\n",
		     "policy.conf:9: grant \"x\": queues set twice");
	expect_error("[grant x]\nuser = alice\nrole = sup\nqueue = a\n",
		     "policy.conf:8: grant \"x\": unknown key \"queue\" (known: user, group, role, agents, queues, teams, departments, sites, campaigns, expires)");
	expect_error("[grant x]\nuser = alice\nrole = sup\nqueues = a\nexpires = 2026-02-30\n",
		     "policy.conf:9: grant \"x\": bad expires \"2026-02-30\": expected a date YYYY-MM-DD");
	expect_error("[grant x]\nuser = alice\nrole = sup\nqueues = a\nexpires = 31/12/2026\n",
		     "policy.conf:9: grant \"x\": bad expires \"31/12/2026\": expected a date YYYY-MM-DD");
	expect_error("[grant x]\nuser = alice\nrole = sup\nqueues = a\n[grant x]\n",
		     "policy.conf:9: grant \"x\" already defined at line 5");
	expect_error("[role sup]\n",
		     "policy.conf:5: role \"sup\" already defined at line 2");
	expect_error("[role r]\nmodes = listen, spy\n",
		     "policy.conf:6: role \"r\": unknown mode \"spy\": use listen, whisper or barge");
	expect_error("[role r]\nmodes = listen\n",
		     "policy.conf:5: role \"r\": max_duration missing (e.g. 30m)");
	expect_error("[role r]\nmax_duration = 1h\n",
		     "policy.conf:5: role \"r\": modes missing (listen, whisper, barge)");
	expect_error("[role r]\nmodes = listen\nmax_duration = 8d\n",
		     "policy.conf:7: role \"r\": bad max_duration \"8d\": expected 1s to 7d (suffix s, m, h or d)");
	expect_error("[role r]\nmodes = listen\nmax_duration = 0\n",
		     "policy.conf:7: role \"r\": bad max_duration \"0\": expected 1s to 7d (suffix s, m, h or d)");
	expect_error("[role r]\nhours = 8:00-18:00\n",
		     "policy.conf:6: role \"r\": bad hours \"8:00-18:00\": expected HH:MM-HH:MM followed by days such as mon-fri");
	expect_error("[role r]\nhours = 08:00-25:00\n",
		     "policy.conf:6: role \"r\": bad hours \"08:00-25:00\": expected HH:MM-HH:MM followed by days such as mon-fri");
	expect_error("[role r]\nhours = 08:00-08:00\n",
		     "policy.conf:6: role \"r\": hours window \"08:00-08:00\" is empty");
	expect_error("[role r]\nhours = 08:00-18:00 mon-fry\n",
		     "policy.conf:6: role \"r\": bad days \"mon-fry\": use mon, tue, wed, thu, fri, sat, sun, a range such as mon-fri, or daily");
	expect_error("[role r]\nhours = ,\n",
		     "policy.conf:6: role \"r\": empty hours");
	expect_error("[role r]\nmodes = listen\nmax_duration = 1h\nreasons = qa, fun\n",
		     "policy.conf:8: role \"r\": unknown reason \"fun\"");
	expect_error("[reason q2]\ntext = maybe\n",
		     "policy.conf:6: reason \"q2\": bad text \"maybe\": use required or optional");
	expect_error("[site s]\nnotice = popup\n",
		     "policy.conf:6: site \"s\": bad notice \"popup\": use none or event");
	expect_error("[site s]\n",
		     "policy.conf:5: site \"s\": notice missing (none or event)");
	expect_error("[policy]\nnotice = none\n[policy]\n",
		     "policy.conf:7: [policy] appears twice");
	expect_error("[policy x]\n",
		     "policy.conf:5: [policy] takes no name");
	expect_error("[user alice]\n",
		     "policy.conf:5: unknown section kind \"user\": use policy, group, role, grant, reason or site");
	expect_error("[grant]\n",
		     "policy.conf:5: [grant] needs a name: [grant NAME]");
	expect_error("[grant a,b]\n",
		     "policy.conf:5: bad grant name \"a,b\": 1 to 63 printable characters without blanks, commas, quotes, brackets, '#', '=' or '*'");
	expect_error("[grant x\n",
		     "policy.conf:5: bad section header: expected [KIND NAME]");
	expect_error("just words\n",
		     "policy.conf:5: expected \"key = value\" or a [section] header");
	expect_error("[reason r]\ndescription = \"open\n",
		     "policy.conf:6: unterminated quoted value");
	expect_error("[reason r]\ndescription =\n",
		     "policy.conf:6: reason \"r\": empty value for description");
	expect_error("[group g]\nmembers = ,\n",
		     "policy.conf:6: group \"g\": empty user list");
	expect_error("[group g]\nmembers = *\n",
		     "policy.conf:6: group \"g\": \"*\" is not allowed here");
	expect_error("[reason r]\ndescription = a\001b\n",
		     "policy.conf:6: control character 0x01 in the line");
	expect_error("[reason r]\ndescription = a\rb\n",
		     "policy.conf:6: control character 0x0d in the line");
	expect_error("[grant x]\nuser = alice\nrole = sup\nsites = a b c a\n",
		     "policy.conf:8: grant \"x\": site \"a\" listed twice");

	{
		char err[POLICY_ERR_LEN] = "";
		struct policy *p = policy_parse("k.conf", "key = v\n", 8, resolve, NULL,
						err, sizeof(err));

		ok(!p && !strcmp(err, "k.conf:1: key \"key\" outside a section"),
		   "key before any section");
		p = policy_parse("n.conf", "[policy]\n\0x\n", 12, resolve, NULL, err, sizeof(err));
		ok(!p && !strcmp(err, "n.conf:2: NUL byte in the file"), "NUL byte rejected");
	}
}

/* Lists and sections grow past their first allocation; limits are enforced. */
static void test_limits(void)
{
	size_t cap = 64 * 1024, n = 0;
	char *text = malloc(cap), err[POLICY_ERR_LEN] = "";
	struct policy *p;

	if (!text)
		return;
	n += (size_t)snprintf(text + n, cap - n, "[role r]\nmodes = listen\nmax_duration = 1h\n");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(text + n, cap - n, "[reason r%d]\n", i);
	n += (size_t)snprintf(text + n, cap - n, "[grant g]\nuser = bob\nrole = r\nqueues =");
	for (int i = 0; i < POLICY_MAX_ITEMS; i++)
		n += (size_t)snprintf(text + n, cap - n, " q%d", i);
	n += (size_t)snprintf(text + n, cap - n, "\n");
	p = policy_parse("l.conf", text, n, resolve, NULL, err, sizeof(err));
	ok(p && p->n_reasons == 40 && p->grants[0].scope[CALLS_META_QUEUE].count == POLICY_MAX_ITEMS &&
	   !strcmp(p->reasons[39].code, "r39") &&
	   !strcmp(p->grants[0].scope[CALLS_META_QUEUE].names[255], "q255"),
	   "40 reasons and a 256-queue grant load");
	if (p) {
		struct policy_request req = {
			.uid = 1002, .reason = "r39", .now = MON10,
			.meta = M(NULL, "Q200", NULL, NULL, NULL, NULL),
		};
		struct policy_decision d;

		ok(policy_decide(p, &req, &d), "the 201st queue of a long list matches");
	}
	policy_free(p);
	n--;
	n += (size_t)snprintf(text + n, cap - n, " one-more\n");
	p = policy_parse("l.conf", text, n, resolve, NULL, err, sizeof(err));
	ok(!p && !strcmp(err, "l.conf:47: grant \"g\": too many queue names (at most 256)"),
	   "the 257th queue is refused");
	if (p || strcmp(err, "l.conf:47: grant \"g\": too many queue names (at most 256)"))
		printf("#   got \"%s\"\n", err);
	policy_free(p);
	free(text);
}

static void test_getpwnam_and_load(void)
{
	static const char text[] =
		"[reason audit]\n[role r]\nmodes = listen\nmax_duration = 1h\n"
		"[grant root-all]\nuser = root\nrole = r\nqueues = *\n";
	static const char bad_user[] = "[group g]\nmembers = no-such-user-li\n";
	char path[] = "/tmp/test_policy.XXXXXX", err[POLICY_ERR_LEN] = "";
	struct policy *p;
	FILE *f;
	int fd;

	p = policy_parse("r.conf", text, strlen(text), NULL, NULL, err, sizeof(err));
	ok(p && p->grants[0].user.uid == 0, "getpwnam resolves root to uid 0");
	policy_free(p);
	p = policy_parse("r.conf", bad_user, strlen(bad_user), NULL, NULL, err, sizeof(err));
	if (p || strcmp(err, "r.conf:2: group \"g\": unknown user \"no-such-user-li\" (no such Unix account)"))
		printf("#   got \"%s\"\n", err);
	ok(!p && !strcmp(err, "r.conf:2: group \"g\": unknown user \"no-such-user-li\" (no such Unix account)"),
	   "getpwnam: unknown account names file and line");
	policy_free(p);

	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	p = policy_load(path, err, sizeof(err));
	ok(p && p->n_grants == 1 && !strcmp(p->source, path), "policy_load reads a file");
	policy_free(p);
	chmod(path, 0666);
	p = policy_load(path, err, sizeof(err));
	ok(!p && strstr(err, "writable by anyone (mode 0666)"), "world-writable policy refused");
	policy_free(p);
	unlink(path);
	p = policy_load(path, err, sizeof(err));
	ok(!p && strstr(err, "cannot open the policy file: No such file or directory"),
	   "missing policy file names the error");
	p = policy_parse("e.conf", "", 0, resolve, NULL, err, sizeof(err));
	ok(p && p->n_grants == 0, "an empty policy is valid");
	if (p) {
		struct policy_request req = { .uid = 0, .reason = "qa", .now = MON10 };
		struct policy_decision d;

		ok(!policy_decide(p, &req, &d) && strstr(d.rule, "no grant"),
		   "an empty policy denies everything");
	}
	policy_free(p);
}

static char *dump(const struct policy *p)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	policy_dump(p, f);
	fclose(f);
	return text;
}

/* The dump is the file format: it parses back to a policy with the same dump. */
static void test_dump(const struct policy *p)
{
	char err[POLICY_ERR_LEN] = "", *a = dump(p), *b = NULL;
	struct policy *q = NULL;

	if (a)
		q = policy_parse("dump", a, strlen(a), resolve, NULL, err, sizeof(err));
	if (q)
		b = dump(q);
	ok(q && b && !strcmp(a, b), "policy_dump output parses back to the same policy");
	if (!q)
		printf("# %s\n", err);
	ok(a && strstr(a, "[grant dave-all]\nuser = dave\nrole = compliance\nqueues = *\nexpires = 2026-12-31\n") &&
	   strstr(a, "[role night]\nmodes = listen\nmax_duration = 7200s\nhours = 22:00-06:00 mon-fri\n") &&
	   strstr(a, "description = \"Quality review # not a comment\"\ntext = optional\n"),
	   "policy_dump writes grants, roles and quoted descriptions");
	if (q) {
		struct policy_request req = {
			.uid = 1003, .reason = "qa", .now = at(2026, 11, 24, 5, 30),
			.meta = M(NULL, NULL, NULL, "support", NULL, NULL),
		};
		struct policy_decision d1, d2;

		ok(policy_decide(p, &req, &d1) == policy_decide(q, &req, &d2) &&
		   !strcmp(d1.rule, d2.rule) && d1.max_duration == d2.max_duration,
		   "the re-parsed dump decides the same");
	}
	free(a);
	free(b);
	policy_free(q);
}

static int resolve_any(const char *name, uid_t *uid, void *ctx)
{
	(void)ctx;
	*uid = (uid_t)(5000 + (unsigned char)name[0]);
	return 0;
}

/* The documented example must load and mean what its comments say. */
static void test_example(void)
{
	static const char *const where[] = {
		"docs/examples/policy.conf", "../docs/examples/policy.conf",
	};
	char err[POLICY_ERR_LEN] = "", *text = NULL;
	struct policy *p = NULL;
	size_t len = 0;

	for (size_t i = 0; i < 2 && !text; i++) {
		FILE *f = fopen(where[i], "r");

		if (!f)
			continue;
		text = malloc(65536);
		len = text ? fread(text, 1, 65536, f) : 0;
		fclose(f);
	}
	ok(text != NULL, "docs/examples/policy.conf found (run from the repository or daemon/)");
	if (text)
		p = policy_parse("policy.conf", text, len, resolve_any, NULL, err, sizeof(err));
	ok(p && p->n_grants == 5 && p->n_reasons == 4, "the example policy parses");
	if (!p && text)
		printf("# %s\n", err);
	if (p) {
		struct policy_request req = {
			.uid = 5000 + 'a', .mode = POLICY_MODE_LISTEN, .reason = "qa",
			.meta = M("2001", "sales", NULL, NULL, "paris", NULL), .now = MON10,
		};
		struct policy_decision d;

		ok(policy_decide(p, &req, &d) && d.notice == POLICY_NOTICE_EVENT &&
		   d.max_duration == 1800, "example: alice may listen to sales in Paris, agent told");
		req.uid = 5000 + 'd';
		req.mode = POLICY_MODE_WHISPER;
		req.reason = "coaching";
		req.meta[CALLS_META_AGENT] = "2102";
		ok(!policy_decide(p, &req, &d) && strstr(d.rule, "whisper is not available yet"),
		   "example: the trainer's whisper is refused until a media path exists");
	}
	policy_free(p);
	free(text);
}

int main(void)
{
	char err[POLICY_ERR_LEN] = "";
	struct policy *p;

	setenv("TZ", "UTC", 1);
	tzset();
	p = policy_parse("test.conf", policy_text, sizeof(policy_text) - 1, resolve,
			 NULL, err, sizeof(err));
	ok(p != NULL, "test policy parses");
	if (!p) {
		printf("# %s\n", err);
		printf("1..%d\n", n_tests);
		return 1;
	}
	ok(!strcmp(p->reasons[0].description, "Quality review # not a comment") &&
	   !strcmp(p->reasons[2].description, "Coaching a trainee"),
	   "quoted values keep '#', inline comments are cut");
	run_table(p);
	test_notice_and_modes(p);
	test_review(p);
	test_dump(p);
	policy_free(p);
	test_hours_format();
	test_errors();
	test_limits();
	test_getpwnam_and_load();
	test_example();
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
