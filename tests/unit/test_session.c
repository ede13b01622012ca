// SPDX-License-Identifier: GPL-2.0
/*
 * Monitoring sessions without the kernel module: request parsing, the copy
 * source port pool, the tap built from a call's media (checked through the
 * real TAP_NEW encoder and parser), and the decision -> audit -> tap flow
 * with a real policy, a real call table fed from tests/sip/ and a real audit
 * database in a temporary directory. The kernel is reached through struct
 * session_kernel; here a stand-in keeps taps in a table after running each
 * request through lnl_build_tap_new()/lnl_parse_tap(), so what a session
 * asks the kernel for is checked. The module itself is tested in the VM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "listenind/audit.h"
#include "listenind/calls.h"
#include "listenind/ingest.h"
#include "listenind/policy.h"
#include "listenind/review.h"
#include "listenind/session.h"
#include "netlink/lnl.h"
#include "sip_fixture.h"

/* ---- the kernel stand-in ---- */

#define MAX_TAPS 16

struct ktap {
	uint32_t id;
	uint64_t cookie;
	struct lnl_tap tap;		/* parsed back from the encoded request */
	uint64_t copies;
};

struct kernel {
	struct ktap taps[MAX_TAPS];
	unsigned int n;
	uint32_t next_id;
	int fail_new;			/* -errno for the next tap_new */
	int fail_dump;			/* -errno for every dump while set */
	unsigned int news, dels;
};

static int k_new(void *ctx, const struct lnl_tap *tap, uint32_t *id, char *err, size_t errlen)
{
	struct kernel *k = ctx;
	char buf[4096];
	const char *why = NULL;
	struct ktap *t;
	int len;

	if (k->fail_new) {
		int ret = k->fail_new;

		k->fail_new = 0;
		snprintf(err, errlen, "%s", strerror(-ret));
		return ret;
	}
	len = lnl_build_tap_new(buf, sizeof(buf), 0x20, 1, tap);
	if (len < 0 || k->n == MAX_TAPS) {
		snprintf(err, errlen, "cannot encode the tap: %d", len);
		return -EINVAL;
	}
	t = &k->taps[k->n];
	memset(t, 0, sizeof(*t));
	/* a reply is the request plus the tap's id: parse it as listenind would read it */
	((struct nlmsghdr *)buf)->nlmsg_type = 0x20;
	mnl_attr_put_u32((struct nlmsghdr *)buf, LISTENIN_A_TAP_ID, k->next_id + 1);
	if (lnl_parse_tap((struct nlmsghdr *)buf, &t->tap, &why)) {
		snprintf(err, errlen, "malformed TAP_NEW: %s", why ? why : "?");
		return -EINVAL;
	}
	t->id = *id = ++k->next_id;
	t->cookie = tap->cookie;
	k->n++;
	k->news++;
	return 0;
}

static struct ktap *k_find(struct kernel *k, uint32_t id)
{
	for (unsigned int i = 0; i < k->n; i++)
		if (k->taps[i].id == id)
			return &k->taps[i];
	return NULL;
}

static void k_remove(struct kernel *k, struct ktap *t)
{
	lnl_tap_free(&t->tap);
	*t = k->taps[--k->n];
}

static int k_del(void *ctx, uint32_t id, struct lnl_counters *last, char *err, size_t errlen)
{
	struct kernel *k = ctx;
	struct ktap *t = k_find(k, id);

	memset(last, 0, sizeof(*last));
	if (!t) {
		snprintf(err, errlen, "no tap %u", id);
		return -ENOENT;
	}
	last->present = 1u << LISTENIN_A_COUNTER_COPIES;
	last->val[LISTENIN_A_COUNTER_COPIES] = t->copies;
	k_remove(k, t);
	k->dels++;
	return 0;
}

static int k_dump(void *ctx, lnl_tap_cb cb, void *arg, char *err, size_t errlen)
{
	struct kernel *k = ctx;

	if (k->fail_dump) {
		snprintf(err, errlen, "%s", strerror(-k->fail_dump));
		return k->fail_dump;
	}
	for (unsigned int i = 0; i < k->n; i++) {
		struct lnl_tap t = k->taps[i].tap;
		int ret;

		t.id = k->taps[i].id;
		t.cookie = k->taps[i].cookie;
		t.counters.present = 1u << LISTENIN_A_COUNTER_COPIES |
				     1u << LISTENIN_A_COUNTER_COPY_BYTES;
		t.counters.val[LISTENIN_A_COUNTER_COPIES] = k->taps[i].copies;
		t.counters.val[LISTENIN_A_COUNTER_COPY_BYTES] = k->taps[i].copies * 200;
		ret = cb(&t, arg);
		if (ret)
			return ret;
	}
	return 0;
}

static void k_clear(struct kernel *k)
{
	while (k->n)
		k_remove(k, &k->taps[0]);
}

/* ---- helpers ---- */

static char dir[64];

static int resolve(const char *name, uid_t *uid, void *ctx)
{
	(void)ctx;
	if (!strcmp(name, "sup"))
		*uid = 1001;
	else if (!strcmp(name, "other"))
		*uid = 1002;
	else if (!strcmp(name, "idle"))
		*uid = 1003;
	else
		return -1;
	return 0;
}

static const char policy_text[] =
	"[reason qa]\ndescription = \"QA\"\n"
	"[reason complaint]\ndescription = \"Complaint\"\ntext = required\n"
	"[role sup]\nmodes = listen\nmax_duration = 30m\n"
	"[grant eu]\nuser = sup\nrole = sup\nqueues = sales-eu\n"
	"[grant agent1005]\nuser = sup\nrole = sup\nagents = 1005\n"
	"[grant other]\nuser = other\nrole = sup\nqueues = support\n";

static struct policy *make_policy(const char *text)
{
	char err[POLICY_ERR_LEN];
	struct policy *p = policy_parse("test.policy", text, strlen(text), resolve, NULL,
					err, sizeof(err));

	if (!p)
		printf("# policy: %s\n", err);
	return p;
}

static struct audit *open_audit(void)
{
	char db[128], key[128], err[AUDIT_ERR_LEN];
	struct audit_config ac = { .db_path = db, .key_path = key };
	struct audit *a;

	snprintf(db, sizeof(db), "%s/audit.db", dir);
	snprintf(key, sizeof(key), "%s/audit.key", dir);
	a = audit_open(&ac, err, sizeof(err));
	if (!a)
		printf("# audit: %s\n", err);
	return a;
}

/* Feeds the first n messages of a fixture (all if n is 0). */
static void feed(struct calls *calls, const char *file, unsigned int from, unsigned int n)
{
	struct fixture f;

	fixture_load(&f, file);
	for (unsigned int i = from; i < f.count && (!n || i < n); i++) {
		struct sip_origin o = { .family = AF_INET, .transport = IPPROTO_UDP,
					.src_port = 5060, .dst_port = 5060 };

		o.seen.tv_sec = 1790000000 + i;
		calls_ingest_sip(calls, &o, f.msgs[i].text, f.msgs[i].len);
	}
	fixture_free(&f);
}

static struct json_object *last_record(struct audit *a)
{
	struct audit_filter f = AUDIT_FILTER_ALL;
	struct json_object *list, *rec = NULL;
	char err[256];

	f.from_seq = audit_last_seq(a);
	list = session_audit_records(a, &f, err, sizeof(err));
	if (list && json_object_array_length(list))
		rec = json_object_get(json_object_array_get_idx(list, 0));
	json_object_put(list);
	return rec;
}

static const char *field(struct json_object *rec, const char *key)
{
	struct json_object *v;

	if (!rec || !json_object_object_get_ex(rec, key, &v) ||
	    json_object_is_type(v, json_type_null))
		return "";
	return json_object_get_string(v);
}

static int64_t ifield(struct json_object *rec, const char *key)
{
	struct json_object *v;

	return rec && json_object_object_get_ex(rec, key, &v) ? json_object_get_int64(v) : -1;
}

static struct session_config config(void)
{
	struct session_config c = { .port_base = 30000, .port_count = 16, .idle_timeout = 60 };

	addr_parse("192.0.2.10", ADDR_PORT_NONE, &c.source[0], NULL);
	return c;
}

static struct session_request request(const char *call, const char *to, const char *reason)
{
	struct json_object *o = json_object_new_object();
	struct session_request r;
	char err[256];

	json_object_object_add(o, "cmd", json_object_new_string("listen"));
	json_object_object_add(o, "call", json_object_new_string(call));
	json_object_object_add(o, "to", json_object_new_string(to));
	json_object_object_add(o, "reason", json_object_new_string(reason));
	if (session_request_parse(o, &r, err, sizeof(err)))
		printf("# request: %s\n", err);
	json_object_put(o);
	return r;
}

/* ---- tests ---- */

static void expect_parse_error(const char *json, const char *want)
{
	struct json_object *o = json_tokener_parse(json);
	struct session_request r;
	char err[256] = "";
	int ret = session_request_parse(o, &r, err, sizeof(err));

	ok(ret == -1 && strstr(err, want), "request %s refused: %s", json, err);
	json_object_put(o);
}

static void test_parse(void)
{
	struct json_object *o = json_tokener_parse(
		"{\"cmd\":\"listen\",\"call\":\"7\",\"to\":\"[2001:db8::5]:5004\","
		"\"reason\":\"complaint\",\"note\":\"ticket 42\"}");
	struct session_request r;
	char err[256] = "";
	char buf[ADDR_STRLEN];

	ok(session_request_parse(o, &r, err, sizeof(err)) == 0 && !strcmp(r.call, "7") &&
	   r.to.family == AF_INET6 && r.to_port == 5004 && !strcmp(r.reason, "complaint") &&
	   !strcmp(r.note, "ticket 42") && r.mode == POLICY_MODE_LISTEN,
	   "a full request parses; mode defaults to listen (%s)",
	   addr_format(&r.to, r.to_port, buf, sizeof(buf)));
	json_object_put(o);

	expect_parse_error("{\"cmd\":\"listen\",\"to\":\"10.0.0.1:5004\",\"reason\":\"qa\"}",
			   "needs \"call\"");
	expect_parse_error("{\"cmd\":\"listen\",\"call\":\"1\",\"reason\":\"qa\"}", "needs \"to\"");
	expect_parse_error("{\"cmd\":\"listen\",\"call\":\"1\",\"to\":\"10.0.0.1\",\"reason\":\"qa\"}",
			   "bad \"to\" \"10.0.0.1\"");
	expect_parse_error("{\"cmd\":\"listen\",\"call\":\"1\",\"to\":\"0.0.0.0:5004\",\"reason\":\"qa\"}",
			   "unicast");
	expect_parse_error("{\"cmd\":\"listen\",\"call\":\"1\",\"to\":\"239.1.1.1:5004\",\"reason\":\"qa\"}",
			   "unicast");
	expect_parse_error("{\"cmd\":\"listen\",\"call\":\"1\",\"to\":\"10.0.0.1:5004\"}",
			   "a reason code is required");
	expect_parse_error("{\"cmd\":\"listen\",\"call\":\"1\",\"to\":\"10.0.0.1:5004\",\"reason\":\"qa\",\"mode\":\"shout\"}",
			   "unknown mode \"shout\"");
	expect_parse_error("{\"cmd\":\"listen\",\"call\":\"1\",\"to\":\"10.0.0.1:5004\",\"reason\":\"qa\",\"colour\":1}",
			   "unknown key \"colour\"");
	expect_parse_error("{\"cmd\":\"listen\",\"call\":\"1\",\"to\":\"10.0.0.1:5004\",\"reason\":\"qa\",\"note\":\"a\\nb\"}",
			   "control character");
	expect_parse_error("{\"cmd\":\"listen\",\"call\":7,\"to\":\"10.0.0.1:5004\",\"reason\":\"qa\"}",
			   "\"call\" must be a string");
}

static void test_ports(void)
{
	struct session_ports p;
	uint16_t got[4];

	ok(session_ports_init(&p, 30000, 10) == -1, "a pool that is not a multiple of 4 is refused");
	ok(session_ports_init(&p, 65533, 8) == -1, "a pool past port 65535 is refused");
	ok(session_ports_init(&p, 0, 8) == -1, "port 0 is refused");
	ok(session_ports_init(&p, 65532, 4) == 0, "a pool ending at 65535 is accepted");
	session_ports_fini(&p);
	ok(session_ports_init(&p, 30000, 12) == 0 && p.blocks == 3, "12 ports make 3 sessions");
	for (int i = 0; i < 3; i++)
		got[i] = session_ports_alloc(&p);
	got[3] = session_ports_alloc(&p);
	ok(got[0] == 30000 && got[1] == 30004 && got[2] == 30008 && got[3] == 0,
	   "blocks of 4 from the base, then 0 when exhausted (%u %u %u %u)", got[0], got[1],
	   got[2], got[3]);
	session_ports_release(&p, 30004);
	session_ports_release(&p, 30005);	/* not a block start: ignored */
	session_ports_release(&p, 31000);	/* outside: ignored */
	ok(p.used == 2 && session_ports_alloc(&p) == 30004 && session_ports_alloc(&p) == 0,
	   "a released block is reused; bogus releases change nothing");
	session_ports_fini(&p);
}

static void test_build(void)
{
	struct calls_config cc;
	struct calls *calls;
	const struct call *c;
	struct lnl_stream streams[2];
	struct lnl_output outputs[2];
	struct lnl_tap tap, parsed;
	struct addr to, src, to6;
	char err[256] = "", buf[4096], a1[ADDR_STRLEN], a2[ADDR_STRLEN];
	const char *why = NULL;
	int len;

	calls_config_defaults(&cc);
	calls = calls_new(&cc);
	addr_parse("198.51.100.9", ADDR_PORT_NONE, &to, NULL);
	addr_parse("192.0.2.10", ADDR_PORT_NONE, &src, NULL);
	addr_parse("2001:db8::9", ADDR_PORT_NONE, &to6, NULL);

	feed(calls, "basic_call.sip", 0, 1);
	c = calls_find(calls, "basic-call-1@10.1.0.5");
	ok(c && session_build_tap(c, &to, 5004, &src, 30000, 60, 9, &tap, streams, outputs,
				  err, sizeof(err)) == 0 && tap.n_streams == 1 &&
	   tap.streams[0].dst_port == 20000 && tap.streams[0].outputs[0].src_port == 30002,
	   "before the answer, only the caller's receiving side: callee->caller from P+2 (%s)", err);

	feed(calls, "basic_call.sip", 1, 5);
	c = calls_find(calls, "basic-call-1@10.1.0.5");
	ok(session_build_tap(c, &to, 5004, &src, 30000, 60, 9, &tap, streams, outputs, err,
			     sizeof(err)) == 0 && tap.n_streams == 2, "answered: both directions");
	ok(tap.streams[0].dst_port == 30000 && tap.streams[1].dst_port == 20000 &&
	   !strcmp(addr_format(&tap.streams[0].dst, 0, a1, sizeof(a1)), "10.2.0.21") &&
	   !strcmp(addr_format(&tap.streams[1].dst, 0, a2, sizeof(a2)), "10.1.0.5"),
	   "streams match each receiver's SDP: %s:%u and %s:%u", a1, tap.streams[0].dst_port,
	   a2, tap.streams[1].dst_port);
	ok(tap.streams[0].outputs[0].src_port == 30000 && tap.streams[1].outputs[0].src_port == 30002 &&
	   tap.streams[0].outputs[0].dst_port == 5004 && tap.streams[1].outputs[0].dst_port == 5004 &&
	   addr_equal(&tap.streams[1].outputs[0].dst, &to) &&
	   addr_equal(&tap.streams[0].outputs[0].src, &src),
	   "both directions go to one ADDR:PORT, told apart by source port P and P+2");
	ok((tap.streams[0].outputs[0].flags & LISTENIN_OUTPUT_F_LISTEN_ONLY) &&
	   (tap.streams[1].outputs[0].flags & LISTENIN_OUTPUT_F_LISTEN_ONLY) &&
	   (tap.streams[0].flags & LISTENIN_STREAM_F_RTCP) && tap.cookie == 9 &&
	   tap.idle_timeout == 60, "outputs are listen-only, RTCP is copied, cookie and idle timeout set");

	len = lnl_build_tap_new(buf, sizeof(buf), 0x20, 1, &tap);
	((struct nlmsghdr *)buf)->nlmsg_type = 0x20;
	mnl_attr_put_u32((struct nlmsghdr *)buf, LISTENIN_A_TAP_ID, 1);
	ok(len > 0 && lnl_parse_tap((struct nlmsghdr *)buf, &parsed, &why) == 0 &&
	   parsed.n_streams == 2 && parsed.cookie == 9 &&
	   parsed.streams[1].outputs[0].src_port == 30002 &&
	   parsed.streams[1].outputs[0].flags == LISTENIN_OUTPUT_F_LISTEN_ONLY,
	   "the tap encodes as a valid TAP_NEW and reads back the same (%s)", why ? why : "ok");
	lnl_tap_free(&parsed);

	ok(session_build_tap(c, &to6, 5004, &src, 30000, 60, 9, &tap, streams, outputs, err,
			     sizeof(err)) == -1 && strstr(err, "different families"),
	   "an IPv6 supervisor with an IPv4 copy source is refused: %s", err);
	ok(session_build_tap(c, &to6, 5004, &to6, 30000, 60, 9, &tap, streams, outputs, err,
			     sizeof(err)) == -1 && strstr(err, "IPv4 media"),
	   "IPv4 media to an IPv6 supervisor is refused: %s", err);
	calls_free(calls);
}

static void test_flow(void)
{
	struct session_config cfg = config();
	struct kernel k = { .next_id = 100 };
	struct session_kernel kops = { k_new, k_del, k_dump, &k };
	struct session_caller sup = { .uid = 1001, .gid = 1001 };
	struct session_caller other = { .uid = 1002, .gid = 1002 };
	struct session_caller root = { .uid = 0, .gid = 0, .admin = true };
	struct session_request req;
	struct calls_config cc;
	struct calls *calls;
	struct policy *p, *p2;
	struct audit *a;
	struct sessions *s;
	struct json_object *reply, *rec;
	struct audit_verify_result vr;
	char err[512];
	uint64_t id, id2, seq;
	uint32_t tap;
	int ret;

	calls_config_defaults(&cc);
	calls = calls_new(&cc);
	p = make_policy(policy_text);
	a = open_audit();
	ok(p && a, "a policy and an audit database in %s", dir);
	if (!p || !a)
		return;

	/* no audit trail: nothing happens */
	s = sessions_new(&cfg, calls, NULL, "cannot open /nowhere", err, sizeof(err));
	sessions_set_policy(s, p, "policy_revoked");
	feed(calls, "basic_call.sip", 0, 5);
	req = request("basic-call-1@10.1.0.5", "198.51.100.9:5004", "qa");
	ok(!sessions_listen(s, &sup, &req, err, sizeof(err)) &&
	   strstr(err, "audit trail is not available (cannot open /nowhere)"),
	   "without an audit trail every request is refused: %s", err);
	sessions_free(s, "daemon_stop");

	s = sessions_new(&cfg, calls, a, NULL, err, sizeof(err));
	ok(s != NULL, "sessions over a real audit trail");

	/* no policy: denied and audited */
	seq = audit_last_seq(a);
	ok(!sessions_listen(s, &sup, &req, err, sizeof(err)) && strstr(err, "denied: no policy is loaded"),
	   "without a policy every request is denied: %s", err);
	rec = last_record(a);
	ok(audit_last_seq(a) == seq + 1 && !strcmp(field(rec, "event"), "denial") &&
	   strstr(field(rec, "rule"), "no policy") && ifield(rec, "uid") == 1001,
	   "the denial is audited with its rule and the supervisor's uid");
	json_object_put(rec);

	sessions_set_policy(s, p, "policy_revoked");
	ok(!sessions_listen(s, &other, &req, err, sizeof(err)) &&
	   strstr(err, "denied: grant \"other\": queue \"sales-eu\" outside scope"),
	   "a supervisor outside the call's queue is denied by the scope rule: %s", err);
	rec = last_record(a);
	ok(!strcmp(field(rec, "event"), "denial") && !strcmp(field(rec, "queue"), "sales-eu") &&
	   !strcmp(field(rec, "call_id"), "basic-call-1@10.1.0.5") &&
	   !strcmp(field(rec, "decision"), "deny") && strstr(field(rec, "rule"), "outside scope"),
	   "the denial names the call, its queue and the rule");
	json_object_put(rec);

	req = request("basic-call-1@10.1.0.5", "198.51.100.9:5004", "complaint");
	ok(!sessions_listen(s, &sup, &req, err, sizeof(err)) && strstr(err, "requires a free-text"),
	   "a reason that needs text, without text, is denied: %s", err);

	req = request("no-such-call", "198.51.100.9:5004", "qa");
	ok(!sessions_listen(s, &sup, &req, err, sizeof(err)) && strstr(err, "no call with id \"no-such-call\""),
	   "an unknown call is named: %s", err);

	req = request("basic-call-1@10.1.0.5", "[2001:db8::9]:5004", "qa");
	ok(!sessions_listen(s, &sup, &req, err, sizeof(err)) &&
	   strstr(err, "set copy_source_ipv6 in [sessions]"),
	   "an IPv6 supervisor without copy_source_ipv6 is told what to set: %s", err);

	req = request("basic-call-1@10.1.0.5", "198.51.100.9:5004", "qa");
	seq = audit_last_seq(a);
	ok(!sessions_listen(s, &sup, &req, err, sizeof(err)) &&
	   strstr(err, "the listenin kernel module is not loaded") && audit_last_seq(a) == seq,
	   "without the module an allowed request fails clearly, before any session: %s", err);

	/* with the kernel */
	sessions_set_kernel(s, &kops);
	seq = audit_last_seq(a);
	reply = sessions_listen(s, &sup, &req, err, sizeof(err));
	id = reply ? (uint64_t)ifield(reply, "session") : 0;
	tap = reply ? (uint32_t)ifield(reply, "tap") : 0;
	ok(reply && id == seq + 1 && tap == 101 && k.n == 1 && k.taps[0].cookie == id &&
	   ifield(reply, "port_caller_to_callee") == 30000 &&
	   ifield(reply, "port_callee_to_caller") == 30002 && ifield(reply, "max_duration") == 1800,
	   "allowed: session %" PRIu64 " is its session_start's seq, tap %u carries it as cookie",
	   id, tap);
	json_object_put(reply);
	rec = last_record(a);
	ok(!strcmp(field(rec, "event"), "session_start") && ifield(rec, "session") == (int64_t)id &&
	   !strcmp(field(rec, "decision"), "allow") && strstr(field(rec, "rule"), "grant \"eu\"") &&
	   !strcmp(field(rec, "reason"), "qa") && !strcmp(field(rec, "extension"), "1001") &&
	   !strcmp(field(rec, "mode"), "listen"),
	   "session_start audited with the allowing rule, reason, mode and extension");
	json_object_put(rec);

	reply = sessions_list(s, &other);
	ok(json_object_array_length(json_object_object_get(reply, "sessions")) == 0,
	   "another supervisor does not see the session");
	json_object_put(reply);
	reply = sessions_list(s, &root);
	ok(json_object_array_length(json_object_object_get(reply, "sessions")) == 1,
	   "an administrator sees it");
	json_object_put(reply);
	ok(!sessions_stop(s, &other, id, err, sizeof(err)) && strstr(err, "is not yours"),
	   "another supervisor cannot stop it: %s", err);

	k.taps[0].copies = 42;
	reply = sessions_stop(s, &sup, id, err, sizeof(err));
	ok(reply && ifield(reply, "packets") == 42 && k.n == 0,
	   "its supervisor stops it: tap deleted, 42 packets copied");
	json_object_put(reply);
	rec = last_record(a);
	ok(!strcmp(field(rec, "event"), "session_stop") && ifield(rec, "session") == (int64_t)id &&
	   !strcmp(field(rec, "end_cause"), "stopped") && ifield(rec, "packets") == 42,
	   "session_stop audited: cause stopped, 42 packets");
	json_object_put(rec);
	ok(!sessions_stop(s, &sup, id, err, sizeof(err)) && strstr(err, "no session"),
	   "a stopped session is gone: %s", err);

	/* the kernel refuses the tap */
	k.fail_new = -ENOSPC;
	seq = audit_last_seq(a);
	ok(!sessions_listen(s, &sup, &req, err, sizeof(err)) &&
	   strstr(err, "the kernel refused the tap") && audit_last_seq(a) == seq + 2,
	   "a refused tap is an error naming it: %s", err);
	rec = last_record(a);
	ok(!strcmp(field(rec, "end_cause"), "tap_failed") && strstr(field(rec, "detail"), strerror(ENOSPC)),
	   "and a session_start/session_stop pair with cause tap_failed");
	json_object_put(rec);

	/* the call ends: the session ends */
	reply = sessions_listen(s, &sup, &req, err, sizeof(err));
	id = reply ? (uint64_t)ifield(reply, "session") : 0;
	json_object_put(reply);
	feed(calls, "basic_call.sip", 5, 0);
	rec = last_record(a);
	ok(id && sessions_count(s) == 0 && k.n == 0 && !strcmp(field(rec, "end_cause"), "call_ended") &&
	   ifield(rec, "session") == (int64_t)id, "BYE ends the session (call_ended), tap deleted");
	json_object_put(rec);

	/* media change: the tap is replaced */
	feed(calls, "reinvite_media.sip", 0, 3);
	req = request("move-call-1@10.1.0.5", "198.51.100.9:5004", "qa");
	reply = sessions_listen(s, &sup, &req, err, sizeof(err));
	id = reply ? (uint64_t)ifield(reply, "session") : 0;
	tap = reply ? (uint32_t)ifield(reply, "tap") : 0;
	json_object_put(reply);
	ok(id && k.n == 1, "a session on the call whose media will move (%s)", reply ? "ok" : err);
	k.taps[0].copies = 7;
	feed(calls, "reinvite_media.sip", 3, 5);
	rec = last_record(a);
	ok(k.n == 1 && k.taps[0].id != tap && k.taps[0].cookie == id &&
	   !strcmp(field(rec, "event"), "mode_change") && strstr(field(rec, "detail"), "media changed"),
	   "re-INVITE: a new tap replaces the old one, audited as mode_change: %s", field(rec, "detail"));
	json_object_put(rec);

	/* the kernel expires the tap */
	{
		struct lnl_event ev = { .cmd = LISTENIN_CMD_TAP_EXPIRED, .id = k.taps[0].id,
					.cookie = id, .end_cause = LISTENIN_END_CAUSE_IDLE };

		ev.counters.val[LISTENIN_A_COUNTER_COPIES] = 5;
		k_clear(&k);
		sessions_on_tap_event(s, &ev);
		rec = last_record(a);
		ok(sessions_count(s) == 0 && !strcmp(field(rec, "end_cause"), "media_idle") &&
		   ifield(rec, "packets") == 12,
		   "TAP_EXPIRED ends the session (media_idle) with the packets of both taps (7 + 5)");
		json_object_put(rec);
	}

	/* maximum duration and policy reload */
	reply = sessions_listen(s, &sup, &req, err, sizeof(err));
	id = reply ? (uint64_t)ifield(reply, "session") : 0;
	json_object_put(reply);
	sessions_on_tick(s, time(NULL) * 1000LL + 1799 * 1000LL);
	ok(sessions_count(s) == 1, "still running before its 30 minutes");
	sessions_on_tick(s, time(NULL) * 1000LL + 1801 * 1000LL);
	rec = last_record(a);
	ok(sessions_count(s) == 0 && k.n == 0 && !strcmp(field(rec, "end_cause"), "max_duration"),
	   "ended at the role's maximum duration (max_duration)");
	json_object_put(rec);

	reply = sessions_listen(s, &sup, &req, err, sizeof(err));
	id2 = reply ? (uint64_t)ifield(reply, "session") : 0;
	json_object_put(reply);
	p2 = make_policy("[reason qa]\ndescription = \"QA\"\n[role sup]\nmodes = listen\n"
			 "max_duration = 30m\n[grant eu]\nuser = sup\nrole = sup\nqueues = sales-eu\n");
	sessions_set_policy(s, p2, "policy_revoked");
	rec = last_record(a);
	ok(id2 && sessions_count(s) == 0 && !strcmp(field(rec, "end_cause"), "policy_revoked") &&
	   strstr(field(rec, "detail"), "agent") == NULL && strlen(field(rec, "detail")) > 0,
	   "a reload that drops the grant ends the session (policy_revoked: %s)", field(rec, "detail"));
	json_object_put(rec);
	sessions_set_policy(s, p, "policy_revoked");

	/* restart: a previous run started a session, then died without a stop */
	sessions_free(s, "daemon_stop");
	{
		struct audit_record r = { .event = AUDIT_SESSION_START, .uid = 1001, .user = "sup",
					  .call_id = "move-call-1@10.1.0.5", .call = 2, .mode = "listen",
					  .reason = "qa", .decision = "allow", .rule = "grant \"agent1005\"" };
		struct lnl_stream st = { .dst_port = 20008 };
		struct lnl_output out = { .dst_port = 5004, .src_port = 30000,
					  .flags = LISTENIN_OUTPUT_F_LISTEN_ONLY };
		struct lnl_tap left = { .streams = &st, .n_streams = 1 };
		uint32_t tid;

		addr_parse("10.1.0.5", ADDR_PORT_NONE, &st.dst, NULL);
		addr_parse("198.51.100.9", ADDR_PORT_NONE, &out.dst, NULL);
		addr_parse("192.0.2.10", ADDR_PORT_NONE, &out.src, NULL);
		st.outputs = &out;
		st.n_outputs = 1;
		r.session = id = audit_last_seq(a) + 1;
		audit_append(a, &r, err, sizeof(err));
		left.cookie = id;
		k_new(&k, &left, &tid, err, sizeof(err));
		k.taps[k.n - 1].copies = 99;
		left.cookie = 0;		/* "lictl tap add" by hand */
		k_new(&k, &left, &tid, err, sizeof(err));
		left.cookie = 999999;		/* no session of this trail */
		k_new(&k, &left, &tid, err, sizeof(err));
	}
	s = sessions_new(&cfg, calls, a, NULL, err, sizeof(err));
	sessions_set_policy(s, p, "policy_revoked");
	sessions_set_kernel(s, &kops);
	ok(sessions_reconcile(s, err, sizeof(err)) == 1 && k.n == 2 && k.taps[0].cookie != id &&
	   k.taps[1].cookie != id,
	   "at start the tap of session %" PRIu64 " is deleted; cookie 0 and an unknown cookie stay", id);
	rec = last_record(a);
	ok(!strcmp(field(rec, "event"), "session_stop") && ifield(rec, "session") == (int64_t)id &&
	   !strcmp(field(rec, "end_cause"), "daemon_restart") && ifield(rec, "packets") == 99 &&
	   !strcmp(field(rec, "user"), "sup") && ifield(rec, "uid") == 1001 &&
	   !strcmp(field(rec, "call_id"), "move-call-1@10.1.0.5") && !strcmp(field(rec, "reason"), "qa"),
	   "audited as daemon_restart with the tap's counter and the start's supervisor and call");
	json_object_put(rec);
	ok(sessions_reconcile(s, err, sizeof(err)) == 0 && k.n == 2, "a second pass deletes nothing");

	/* the module is unloaded with its taps */
	reply = sessions_listen(s, &sup, &req, err, sizeof(err));
	json_object_put(reply);
	k_clear(&k);
	sessions_kernel_gone(s);
	rec = last_record(a);
	ok(reply && sessions_count(s) == 0 && !strcmp(field(rec, "end_cause"), "tap_lost"),
	   "an unloaded module ends every session (tap_lost)");
	json_object_put(rec);
	ok(!sessions_listen(s, &sup, &req, err, sizeof(err)) && strstr(err, "not loaded"),
	   "and further requests say the module is not loaded");

	memset(&vr, 0, sizeof(vr));
	ret = audit_verify(a, &vr, err, sizeof(err));
	ok(ret == 0 && vr.ok && vr.records == audit_last_seq(a) && vr.records > 15,
	   "the audit chain verifies over all %" PRIu64 " records", vr.records);

	sessions_free(s, "daemon_stop");
	k_clear(&k);
	audit_close(a);
	policy_free(p);
	policy_free(p2);
	calls_free(calls);
}

/* The agent-notice subscribers: a list of the events they got. */
struct watchers {
	unsigned int n;
	struct json_object *got;
};

static unsigned int w_count(void *ctx)
{
	return ((struct watchers *)ctx)->n;
}

static unsigned int w_publish(void *ctx, struct json_object *ev)
{
	struct watchers *w = ctx;

	if (w->n)
		json_object_array_add(w->got, json_object_get(ev));
	return w->n;
}

static struct json_object *nth_event(struct watchers *w, size_t back)
{
	size_t n = json_object_array_length(w->got);

	return n > back ? json_object_array_get_idx(w->got, n - 1 - back) : NULL;
}

static uint64_t listen_ok(struct sessions *s, const struct session_caller *who,
			  const struct session_request *req)
{
	char err[512];
	struct json_object *reply = sessions_listen(s, who, req, err, sizeof(err));
	uint64_t id = reply ? (uint64_t)ifield(reply, "session") : 0;

	if (!reply)
		printf("# listen: %s\n", err);
	json_object_put(reply);
	return id;
}

/* Admin flush (kernel and daemon), agent notices, live counters, the access review. */
static void test_governance(void)
{
	struct session_config cfg = config();
	struct kernel k = { .next_id = 200 };
	struct session_kernel kops = { k_new, k_del, k_dump, &k };
	struct watchers w = { 0, json_object_new_array() };
	struct session_notifier notifier = { w_count, w_publish, &w };
	struct session_caller sup = { .uid = 1001, .gid = 1001 };
	struct session_caller root = { .uid = 0, .gid = 0, .admin = true };
	struct session_request req = request("basic-call-1@10.1.0.5", "198.51.100.9:5004", "qa");
	struct json_object *reply, *rec, *ev, *list, *c;
	struct calls_config cc;
	struct calls *calls;
	struct policy *p, *pn;
	struct sessions *s;
	struct audit *a;
	char err[512];
	uint64_t id1, id2, seq;

	calls_config_defaults(&cc);
	calls = calls_new(&cc);
	p = make_policy(policy_text);
	pn = make_policy("[policy]\nnotice = event\n[reason qa]\ndescription = \"QA\"\n"
			 "[role sup]\nmodes = listen\nmax_duration = 30m\n"
			 "[grant eu]\nuser = sup\nrole = sup\nqueues = sales-eu\n");
	a = open_audit();
	s = a && p && pn ? sessions_new(&cfg, calls, a, NULL, err, sizeof(err)) : NULL;
	ok(s != NULL, "sessions for the governance cases");
	if (!s)
		return;
	sessions_set_policy(s, p, "policy_revoked");
	sessions_set_kernel(s, &kops);
	feed(calls, "basic_call.sip", 0, 5);

	/* live counters */
	id1 = listen_ok(s, &sup, &req);
	id2 = listen_ok(s, &sup, &req);
	k.taps[0].copies = 17;
	k.taps[1].copies = 3;
	reply = sessions_list(s, &root);
	list = json_object_object_get(reply, "sessions");
	c = json_object_object_get(json_object_array_get_idx(list, 0), "counters");
	ok(id1 && id2 && json_object_array_length(list) == 2 && c &&
	   ifield(c, "copies") == (int64_t)(ifield(json_object_array_get_idx(list, 0), "session") == (int64_t)id2 ? 3 : 17) &&
	   ifield(c, "copy_bytes") == ifield(c, "copies") * 200 && ifield(c, "copy_failures") == 0 &&
	   !json_object_object_get(reply, "counters_error"),
	   "sessions carry their tap's live counters (copies %" PRId64 ", bytes %" PRId64 ")",
	   ifield(c, "copies"), ifield(c, "copy_bytes"));
	json_object_put(reply);
	k.fail_dump = -EIO;
	reply = sessions_list(s, &root);
	list = json_object_object_get(reply, "sessions");
	ok(strstr(field(reply, "counters_error"), strerror(EIO)) &&
	   !json_object_object_get(json_object_array_get_idx(list, 0), "counters") &&
	   strstr(field(json_object_array_get_idx(list, 0), "counters_error"), "could not be read"),
	   "a failed kernel read is said, not shown as zeros: %s", field(reply, "counters_error"));
	json_object_put(reply);
	k.fail_dump = 0;

	/* the kernel flushes every tap: one admin_flush, then each stop with its counters */
	{
		struct lnl_event ev1 = { .cmd = LISTENIN_CMD_TAP_DELETED, .id = k.taps[0].id,
					 .cookie = k.taps[0].cookie,
					 .end_cause = LISTENIN_END_CAUSE_FLUSHED };
		struct lnl_event ev2 = ev1;
		struct audit_filter f = AUDIT_FILTER_ALL;

		ev1.counters.val[LISTENIN_A_COUNTER_COPIES] = 17;
		ev2.id = k.taps[1].id;
		ev2.cookie = k.taps[1].cookie;
		ev2.counters.val[LISTENIN_A_COUNTER_COPIES] = 3;
		seq = audit_last_seq(a);
		k_clear(&k);
		sessions_on_tap_event(s, &ev1);
		sessions_on_tap_event(s, &ev2);
		f.from_seq = seq + 1;
		list = session_audit_records(a, &f, err, sizeof(err));
		rec = json_object_array_get_idx(list, 0);
		ok(list && json_object_array_length(list) == 3 &&
		   !strcmp(field(rec, "event"), "admin_flush") &&
		   strstr(field(rec, "detail"), "2 sessions ended") &&
		   strstr(field(rec, "detail"), "lictl tap flush") && !field(rec, "uid")[0],
		   "a kernel flush is one admin_flush record: %s", field(rec, "detail"));
		ok(list && !strcmp(field(json_object_array_get_idx(list, 1), "end_cause"), "admin_flush") &&
		   !strcmp(field(json_object_array_get_idx(list, 2), "end_cause"), "admin_flush") &&
		   ifield(json_object_array_get_idx(list, 1), "packets") +
		   ifield(json_object_array_get_idx(list, 2), "packets") == 20 && sessions_count(s) == 0,
		   "then both sessions stop as admin_flush with their kernel counters (17 + 3)");
		json_object_put(list);
	}

	/* the daemon's admin flush */
	id1 = listen_ok(s, &sup, &req);
	id2 = listen_ok(s, &sup, &req);
	k.taps[0].copies = 5;
	seq = audit_last_seq(a);
	ok(!sessions_stop_all(s, &sup, "x", err, sizeof(err)) && strstr(err, "for administrators") &&
	   sessions_count(s) == 2, "a supervisor may not stop every session: %s", err);
	rec = last_record(a);
	ok(audit_last_seq(a) == seq + 1 && !strcmp(field(rec, "event"), "denial") &&
	   ifield(rec, "uid") == 1001 && strstr(field(rec, "rule"), "administrators"),
	   "and the refusal is audited as a denial");
	json_object_put(rec);
	seq = audit_last_seq(a);
	reply = sessions_stop_all(s, &root, "incident 42", err, sizeof(err));
	ok(reply && ifield(reply, "stopped") == 2 && sessions_count(s) == 0 && k.n == 0 &&
	   ifield(reply, "audit_seq") == (int64_t)seq + 1,
	   "an administrator stops every session; the flush is audit record %" PRId64,
	   ifield(reply, "audit_seq"));
	json_object_put(reply);
	{
		struct audit_filter f = AUDIT_FILTER_ALL;

		f.from_seq = seq + 1;
		list = session_audit_records(a, &f, err, sizeof(err));
		rec = json_object_array_get_idx(list, 0);
		ok(list && json_object_array_length(list) == 3 && !strcmp(field(rec, "event"), "admin_flush") &&
		   ifield(rec, "uid") == 0 && !strcmp(field(rec, "reason_text"), "incident 42") &&
		   strstr(field(rec, "detail"), "2 sessions ended") &&
		   !strcmp(field(json_object_array_get_idx(list, 2), "end_cause"), "admin_flush") &&
		   ifield(json_object_array_get_idx(list, 1), "packets") +
		   ifield(json_object_array_get_idx(list, 2), "packets") == 5,
		   "admin_flush names the admin and note first, then each stop (admin_flush, counters)");
		json_object_put(list);
	}

	/* agent notice: a site with notice = event */
	sessions_set_policy(s, pn, "policy_revoked");
	seq = audit_last_seq(a);
	ok(!sessions_listen(s, &sup, &req, err, sizeof(err)) &&
	   strstr(err, "requires an agent notice") && strstr(err, "no notice subscriber"),
	   "without a notice subscriber a notice = event site refuses: %s", err);
	rec = last_record(a);
	ok(audit_last_seq(a) == seq + 1 && !strcmp(field(rec, "event"), "denial") &&
	   strstr(field(rec, "rule"), "agent notice"), "and the refusal is audited as a denial");
	json_object_put(rec);
	sessions_set_notifier(s, &notifier);
	w.n = 1;
	reply = sessions_listen(s, &sup, &req, err, sizeof(err));
	id1 = reply ? (uint64_t)ifield(reply, "session") : 0;
	ev = nth_event(&w, 0);
	ok(reply && !strcmp(field(reply, "notice"), "event") && ev &&
	   !strcmp(field(ev, "event"), "agent_notice") && !strcmp(field(ev, "state"), "started") &&
	   ifield(ev, "session") == (int64_t)id1 && !strcmp(field(ev, "call_id"), "basic-call-1@10.1.0.5") &&
	   !strcmp(field(ev, "extension"), "1001") && !json_object_object_get(ev, "user") &&
	   !json_object_object_get(ev, "uid"),
	   "with a subscriber the session starts and the agent side hears \"started\" (no supervisor named)");
	json_object_put(reply);
	rec = last_record(a);
	ok(!strcmp(field(rec, "event"), "session_start") && strstr(field(rec, "detail"), "agent notice \"started\" sent to 1"),
	   "session_start records the notice: %s", field(rec, "detail"));
	json_object_put(rec);
	list = sessions_notices(s);
	ok(json_object_array_length(list) == 1 &&
	   !strcmp(field(json_object_array_get_idx(list, 0), "state"), "active"),
	   "a new subscriber learns the running noticed session");
	json_object_put(list);
	reply = sessions_stop(s, &sup, id1, err, sizeof(err));
	json_object_put(reply);
	ev = nth_event(&w, 0);
	rec = last_record(a);
	ok(ev && !strcmp(field(ev, "state"), "stopped") && !strcmp(field(ev, "end_cause"), "stopped") &&
	   strstr(field(rec, "detail"), "agent notice \"stopped\" sent to 1"),
	   "its end is announced (\"stopped\") and recorded: %s", field(rec, "detail"));
	json_object_put(rec);
	sessions_set_policy(s, p, "policy_revoked");
	id1 = listen_ok(s, &sup, &req);
	ok(id1 && json_object_array_length(w.got) == 2,
	   "a site with notice = none sends nothing");

	/* the access review: who has not acted for a while */
	{
		struct json_object *users, *u, *inactive;
		struct policy *pr = make_policy("[reason qa]\ndescription = \"QA\"\n[role sup]\nmodes = listen\n"
						"max_duration = 30m\n[group sups]\nmembers = sup, idle\n"
						"[grant all]\ngroup = sups\nrole = sup\nqueues = *\n");
		time_t now = time(NULL);

		users = pr ? review_users(pr, a, now, 30, err, sizeof(err)) : NULL;
		list = json_object_object_get(users, "users");
		inactive = json_object_object_get(users, "inactive");
		u = json_object_array_get_idx(list, 1);
		ok(users && json_object_array_length(list) == 2 &&
		   !strcmp(field(json_object_array_get_idx(list, 0), "user"), "sup") &&
		   !strcmp(field(json_object_array_get_idx(list, 0), "inactive"), "false") &&
		   ifield(json_object_array_get_idx(list, 0), "days_unseen") == 0 &&
		   !strcmp(field(u, "user"), "idle") && !strcmp(field(u, "never_seen"), "true") &&
		   !strcmp(field(u, "inactive"), "true") && json_object_array_length(inactive) == 1,
		   "review: sup acted today; idle was never seen and is flagged");
		json_object_put(users);
		users = pr ? review_users(pr, a, now + 31 * 86400 + 43200, 30, err, sizeof(err)) : NULL;
		inactive = json_object_object_get(users, "inactive");
		u = json_object_array_get_idx(json_object_object_get(users, "users"), 0);
		ok(users && json_object_array_length(inactive) == 2 && !strcmp(field(u, "inactive"), "true") &&
		   ifield(u, "days_unseen") == 31 && audit_event_parse(field(u, "last_event")) >= 0,
		   "31 days later sup is flagged too (last seen: %s)", field(u, "last_event"));
		json_object_put(users);
		users = pr ? review_users(pr, a, now + 31 * 86400, 0, err, sizeof(err)) : NULL;
		ok(users && json_object_array_length(json_object_object_get(users, "inactive")) == 0,
		   "inactive_days 0 flags nobody");
		json_object_put(users);
		policy_free(pr);
	}

	sessions_free(s, "daemon_stop");
	k_clear(&k);
	json_object_put(w.got);
	audit_close(a);
	policy_free(p);
	policy_free(pn);
	calls_free(calls);
}

static void test_admin(void)
{
	ok(session_is_admin(0, 0, ""), "root is an administrator");
	ok(!session_is_admin(1001, 1001, ""), "without admin_group nobody else is");
	ok(!session_is_admin(1001, 1001, "no-such-group-xyz"), "a missing group makes nobody admin");
	ok(session_is_admin(65534, 0, "root"), "the admin group's gid is enough");
}

int main(void)
{
	char cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/test_session.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_parse();
	test_ports();
	test_build();
	test_flow();
	test_governance();
	test_admin();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("# could not remove %s\n", dir);
	return tap_done();
}
