// SPDX-License-Identifier: GPL-2.0
/* The call table through calls_ingest_sip(): calls, metadata, transfers, limits, expiry, JSON. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "listenind/call_json.h"
#include "listenind/calls.h"
#include "sip_fixture.h"

#define T0 1800000000		/* seconds: all message times start here */

struct change {
	uint64_t id;
	enum dialog_state old_state, new_state;
	unsigned int changes;
};

struct recorder {
	unsigned int count;
	struct change log[256];
};

static void record(const struct call *call, enum dialog_state old_state,
		   enum dialog_state new_state, unsigned int changes, void *ctx)
{
	struct recorder *r = ctx;

	if (r->count < sizeof(r->log) / sizeof(r->log[0]))
		r->log[r->count] = (struct change){ call->id, old_state, new_state, changes };
	r->count++;
}

static struct sip_origin origin_at(long sec)
{
	struct sip_origin o = { .input = SIP_INPUT_HEP, .family = AF_INET,
				.transport = IPPROTO_UDP, .src_port = 5060, .dst_port = 5060 };

	o.src_addr[0] = 10, o.src_addr[3] = 5;
	o.dst_addr[0] = 10, o.dst_addr[3] = 21;
	o.seen.tv_sec = sec;
	o.seen.tv_nsec = 250000000;
	return o;
}

/* Feeds every message of a fixture, one second apart from start; returns how many were applied. */
static unsigned int feed_all(struct calls *calls, const char *file, long start)
{
	struct fixture f;
	unsigned int applied = 0;

	fixture_load(&f, file);
	for (unsigned int i = 0; i < f.count; i++) {
		struct sip_origin o = origin_at(start + i);

		applied += calls_ingest_sip(calls, &o, f.msgs[i].text, f.msgs[i].len) == 0;
	}
	fixture_free(&f);
	return applied;
}

static int feed(struct calls *calls, const char *file, const char *label, long at)
{
	struct fixture f;
	const struct fixture_msg *m;
	struct sip_origin o = origin_at(at);
	int ret = -999;

	fixture_load(&f, file);
	m = fixture_find(&f, label);
	if (m)
		ret = calls_ingest_sip(calls, &o, m->text, m->len);
	fixture_free(&f);
	return ret;
}

static struct calls *new_table(unsigned int max_calls)
{
	struct calls_config cfg;

	calls_config_defaults(&cfg);
	cfg.max_calls = max_calls;
	return calls_new(&cfg);
}

static void test_basic(void)
{
	struct calls *calls = new_table(100);
	struct recorder r = { 0 };
	struct calls_stats st;
	const struct call *c;

	calls_subscribe(calls, record, &r);
	ok(feed_all(calls, "basic_call.sip", T0) == 7, "all 7 messages of a basic call applied");
	c = calls_find(calls, "basic-call-1@10.1.0.5");
	ok(c && c->id == 1 && calls_find_id(calls, 1) == c, "found by Call-ID and by id");
	ok(c && c->dialog.state == DIALOG_ENDED && c->end_event == DIALOG_EV_BYE, "ended by BYE");
	ok(c && !strcmp(c->caller.user, "+14155550100") && !strcmp(c->callee.user, "1001") &&
	   !strcmp(c->asserted, "+14155550100"), "caller, callee, asserted identity");
	ok(c && !strcmp(c->meta[CALLS_META_AGENT], "1001"), "agent defaults to the To user");
	ok(c && !strcmp(c->meta[CALLS_META_QUEUE], "sales-eu") &&
	   !strcmp(c->meta[CALLS_META_TEAM], "team-blue") &&
	   !strcmp(c->meta[CALLS_META_DEPARTMENT], "sales") &&
	   !strcmp(c->meta[CALLS_META_SITE], "lisbon") &&
	   !strcmp(c->meta[CALLS_META_CAMPAIGN], "spring-2026"), "queue, team, department, site, campaign");
	ok(c && c->history_count == 4 && c->history[0].state == DIALOG_TRYING &&
	   c->history[1].state == DIALOG_RINGING && c->history[2].state == DIALOG_ANSWERED &&
	   c->history[3].state == DIALOG_ENDED, "history: trying, ringing, answered, ended");
	ok(c && c->created_ms == T0 * 1000LL + 250 && c->answered_ms == (T0 + 3) * 1000LL + 250 &&
	   c->ended_ms == (T0 + 5) * 1000LL + 250 && c->last_sip_ms == (T0 + 6) * 1000LL + 250,
	   "times come from the message origin");
	ok(r.count == 4 && r.log[0].changes & CALLS_CHANGED_NEW && r.log[0].changes & CALLS_CHANGED_MEDIA &&
	   r.log[1].old_state == DIALOG_TRYING && r.log[1].new_state == DIALOG_RINGING &&
	   r.log[2].new_state == DIALOG_ANSWERED && r.log[2].changes & CALLS_CHANGED_MEDIA &&
	   r.log[3].old_state == DIALOG_ANSWERED && r.log[3].new_state == DIALOG_ENDED,
	   "subscriber saw new, ringing, answered with media, ended (%u calls)", r.count);
	calls_get_stats(calls, &st);
	ok(st.messages == 7 && st.applied == 7 && st.created == 1 && st.ended == 1 && st.active == 1,
	   "counters: messages, applied, created, ended, active");

	ok(calls_ingest_sip(calls, NULL, "INVITE nonsense", 15) == -EINVAL, "garbage rejected with -EINVAL");
	calls_get_stats(calls, &st);
	ok(st.rejected[CALLS_REASON_UNPARSEABLE] == 1 && st.messages == 8 && st.applied == 7,
	   "garbage counted as unparseable");
	calls_free(calls);
}

static void test_agent_source(void)
{
	struct calls_config cfg;
	struct calls *calls;
	const struct call *c;

	calls_config_defaults(&cfg);
	cfg.agent_source = CALLS_AGENT_FROM_ASSERTED;
	cfg.meta_header[CALLS_META_QUEUE] = "X-Skill";
	calls = calls_new(&cfg);
	feed(calls, "basic_call.sip", "INVITE", T0);
	c = calls_find(calls, "basic-call-1@10.1.0.5");
	ok(c && !strcmp(c->meta[CALLS_META_AGENT], "+14155550100"), "agent from P-Asserted-Identity");
	ok(c && !c->meta[CALLS_META_QUEUE][0], "queue header renamed: X-Queue no longer read");
	calls_free(calls);

	cfg.agent_source = CALLS_AGENT_FROM_FROM;
	calls = calls_new(&cfg);
	feed(calls, "auth_407.sip", "INVITE", T0);
	c = calls_find(calls, "auth-call-1@10.3.0.9");
	ok(c && !strcmp(c->meta[CALLS_META_AGENT], "1099"), "agent from the From user");
	calls_free(calls);
}

static void test_fork_and_agent_header(void)
{
	struct calls *calls = new_table(100);
	struct recorder r = { 0 };
	const struct call *c;
	struct calls_stats st;

	calls_subscribe(calls, record, &r);
	feed_all(calls, "forked_early.sip", T0);
	c = calls_find(calls, "fork-call-1@198.51.100.10");
	ok(c && !strcmp(c->meta[CALLS_META_AGENT], "2002"), "X-Agent of the 200 OK names the agent");
	ok(c && c->dialog.state == DIALOG_ENDED && c->dialog.early_count == 2, "two forks, then ended");
	calls_get_stats(calls, &st);
	ok(st.rejected[CALLS_REASON_TAG_MISMATCH] == 1, "BYE to the losing fork counted as tag mismatch");
	ok(r.count >= 4 && (r.log[3].changes & CALLS_CHANGED_META) &&
	   r.log[3].new_state == DIALOG_ANSWERED, "agent change announced with the answer");
	calls_free(calls);
}

static void test_transfers(void)
{
	struct calls *calls = new_table(100);
	const struct call *a, *b, *cc, *blind;
	struct recorder r = { 0 };

	calls_subscribe(calls, record, &r);
	ok(feed_all(calls, "attended_transfer.sip", T0) == 13, "attended transfer: all 13 messages applied");
	a = calls_find(calls, "att-call-a@10.1.0.5");
	b = calls_find(calls, "consult-b@10.2.0.27");
	cc = calls_find(calls, "att-call-c@10.1.0.5");
	ok(a && b && cc, "three calls tracked");
	ok(a && a->history_count >= 4 && a->history[2].state == DIALOG_HELD &&
	   a->history[3].state == DIALOG_TRANSFERRED &&
	   a->history[3].event == DIALOG_EV_ATTENDED_TRANSFER && a->dialog.state == DIALOG_ENDED,
	   "A: held, transferred (attended), ended");
	ok(a && !strcmp(a->transfer_target, "1008") && !strcmp(a->transferred_by, "1007"),
	   "A: transfer target and transferor");
	ok(b && a && b->transfer_of == a->id && cc && b->replaced_by == cc->id &&
	   b->history[2].state == DIALOG_TRANSFERRED && b->history[2].event == DIALOG_EV_REPLACED &&
	   b->dialog.state == DIALOG_ENDED, "B: named by A's REFER, replaced by C, ended");
	ok(cc && b && cc->replaces == b->id && cc->dialog.state == DIALOG_ANSWERED,
	   "C: replaces B, answered");
	ok(cc && !strcmp(cc->meta[CALLS_META_QUEUE], "sales-eu") &&
	   !strcmp(cc->meta[CALLS_META_TEAM], "team-blue") && !strcmp(cc->meta[CALLS_META_AGENT], "1008"),
	   "C keeps the customer call's queue and team, agent is 1008");

	feed_all(calls, "blind_transfer.sip", T0 + 100);
	blind = calls_find(calls, "blind-call-1@10.1.0.5");
	ok(blind && blind->history[2].state == DIALOG_TRANSFERRED &&
	   blind->history[2].event == DIALOG_EV_BLIND_TRANSFER && blind->dialog.state == DIALOG_ENDED,
	   "blind transfer then ended");
	ok(blind && !strcmp(blind->transfer_target, "retention") &&
	   !strcmp(blind->meta[CALLS_META_QUEUE], "retention"), "REFER's X-Queue moves the call's queue");
	calls_free(calls);
}

static void test_other_flows(void)
{
	struct calls *calls = new_table(100);
	const struct call *c;
	struct calls_stats st;

	ok(feed_all(calls, "busy_486.sip", T0) == 4, "busy flow applied");
	c = calls_find(calls, "busy-call-1@10.1.0.5");
	ok(c && c->dialog.state == DIALOG_ENDED && c->final_status == 486 &&
	   c->end_event == DIALOG_EV_FAILURE && !c->answered_ms, "486: ended unanswered, status 486");
	feed_all(calls, "cancel.sip", T0);
	c = calls_find(calls, "cancel-call-1@10.1.0.5");
	ok(c && c->dialog.state == DIALOG_ENDED && c->end_event == DIALOG_EV_CANCEL &&
	   c->final_status == 0, "CANCEL: ended by cancel");
	feed_all(calls, "compact.sip", T0);
	c = calls_find(calls, "compact-call-1@10.1.0.5");
	ok(c && c->dialog.state == DIALOG_ENDED && !strcmp(c->transfer_target, "2100") &&
	   !strcmp(c->meta[CALLS_META_QUEUE], "sales-us"), "compact-form call tracked end to end");
	feed_all(calls, "multipart.sip", T0);
	c = calls_find(calls, "mp-call-1@203.0.113.7");
	ok(c && c->dialog.state == DIALOG_ANSWERED && c->dialog.has_sdp[DIALOG_CALLER] &&
	   c->dialog.sdp[DIALOG_CALLER].streams[0].rtp_port == 50000, "SIP-I multipart offer used");
	feed_all(calls, "conference.sip", T0);
	c = calls_find(calls, "conf-call-1@10.1.0.5");
	ok(c && c->dialog.state == DIALOG_CONFERENCE && c->conference, "conference seen");
	feed_all(calls, "hold_resume.sip", T0);
	c = calls_find(calls, "hold-call-1@10.1.0.5");
	ok(c && c->history_count == 7, "hold flow: trying answered held resumed held resumed ended");
	ok(feed_all(calls, "reinvite_media.sip", T0) == 9, "re-INVITE and UPDATE flow applied");

	calls_get_stats(calls, &st);
	ok(feed_all(calls, "not_calls.sip", T0) == 5, "REGISTER, OPTIONS, SUBSCRIBE, MESSAGE ignored without error");
	{
		struct calls_stats after;

		calls_get_stats(calls, &after);
		ok(after.rejected[CALLS_REASON_NOT_A_CALL] - st.rejected[CALLS_REASON_NOT_A_CALL] == 5 &&
		   after.applied == st.applied && after.created == st.created,
		   "non-call traffic counted as not a call, nothing created");
		ok(after.rejected[CALLS_REASON_UNKNOWN_CALL] == 1, "BYE of an unknown call counted");
	}
	ok(feed(calls, "not_calls.sip", "BYE", T0) == -ENOENT, "BYE of an unknown call: -ENOENT");
	calls_free(calls);
}

static const char bad_sdp_invite[] =
	"INVITE sip:1020@10.2.0.50 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 10.1.0.5:5060;branch=z9hG4bK-bad\r\n"
	"From: <sip:+1555@pbx>;tag=bad-1\r\n"
	"To: <sip:1020@pbx>\r\n"
	"Call-ID: bad-sdp-1\r\n"
	"CSeq: 1 INVITE\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 22\r\n"
	"\r\n"
	"v=0\r\nthis is not SDP\r\n";

static void test_bad_sdp(void)
{
	struct calls *calls = new_table(10);
	struct calls_stats st;
	const struct call *c;

	ok(calls_ingest_sip(calls, NULL, bad_sdp_invite, strlen(bad_sdp_invite)) == -EBADMSG,
	   "INVITE with bad SDP: -EBADMSG");
	calls_get_stats(calls, &st);
	c = calls_find(calls, "bad-sdp-1");
	ok(c && !c->dialog.has_sdp[DIALOG_CALLER] && st.rejected[CALLS_REASON_BAD_SDP] == 1 &&
	   st.applied == 1, "the call is tracked without media, bad SDP counted");
	ok(c && c->created_ms > 0, "no origin: the clock gives the time");
	calls_free(calls);
}

static void test_rejection_reasons(void)
{
	static const struct {
		const char *text;
		int ret;
		enum calls_reason reason;
	} cases[] = {
		{ "BYE sip:a@b SIP/2.0\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCSeq: 1 BYE\r\n\r\n",
		  -EINVAL, CALLS_REASON_NO_CALL_ID },
		{ "BYE sip:a@b SIP/2.0\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: r1\r\n\r\n",
		  -EINVAL, CALLS_REASON_NO_CSEQ },
		{ "BYE sip:a@b SIP/2.0\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: r1\r\nCSeq: x BYE\r\n\r\n",
		  -EINVAL, CALLS_REASON_BAD_CSEQ },
		{ "BYE sip:a@b SIP/2.0\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\nCall-ID: r1\r\nCSeq: 1 BYE\r\n\r\n",
		  -EINVAL, CALLS_REASON_NO_FROM_TAG },
		{ "BYE sip:a@b SIP/2.0\r\nFrom: <sip:a@b>;tag=1\r\nCall-ID: r1\r\nCSeq: 1 BYE\r\n\r\n",
		  -EINVAL, CALLS_REASON_NO_TO },
		{ "INVITE sip:a@b SIP/2.0\r\nFrom: <sip:a@b>;tag=0123456789012345678901234567890123456789012345678901234567890123456789\r\n"
		  "To: <sip:c@d>\r\nCall-ID: r2\r\nCSeq: 1 INVITE\r\n\r\n", -EINVAL, CALLS_REASON_TAG_TOO_LONG },
		{ "ACK sip:a@b SIP/2.0\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: r3\r\nCSeq: 1 ACK\r\n\r\n",
		  -ENOENT, CALLS_REASON_UNKNOWN_CALL },
		{ "SIP/2.0 200 OK\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: r3\r\nCSeq: 1 INVITE\r\n\r\n",
		  -ENOENT, CALLS_REASON_UNKNOWN_CALL },
		{ "SIP/2.0 200 OK\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: r3\r\nCSeq: 1 OPTIONS\r\n\r\n",
		  0, CALLS_REASON_NOT_A_CALL },
	};
	struct calls *calls = new_table(10);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct calls_stats before, after;
		int ret;

		calls_get_stats(calls, &before);
		ret = calls_ingest_sip(calls, NULL, cases[i].text, strlen(cases[i].text));
		calls_get_stats(calls, &after);
		ok(ret == cases[i].ret &&
		   after.rejected[cases[i].reason] == before.rejected[cases[i].reason] + 1 &&
		   after.applied == before.applied, "rejected as \"%s\" (returned %d)",
		   calls_reason_name(cases[i].reason), ret);
	}
	ok(calls_count(calls) == 0, "no rejected message created a call");
	calls_free(calls);
}

static int invite_for(char *buf, size_t size, unsigned int n)
{
	return snprintf(buf, size,
			"INVITE sip:%u@10.2.0.50 SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 10.1.0.5:5060;branch=z9hG4bK-n%u\r\n"
			"From: <sip:+1555%u@pbx>;tag=f%u\r\n"
			"To: <sip:%u@pbx>\r\n"
			"Call-ID: gen-%u@10.1.0.5\r\n"
			"CSeq: 1 INVITE\r\n"
			"Content-Length: 0\r\n\r\n", n, n, n, n, n, n);
}

static int answer_for(char *buf, size_t size, unsigned int n)
{
	return snprintf(buf, size,
			"SIP/2.0 200 OK\r\n"
			"Via: SIP/2.0/UDP 10.1.0.5:5060;branch=z9hG4bK-n%u\r\n"
			"From: <sip:+1555%u@pbx>;tag=f%u\r\n"
			"To: <sip:%u@pbx>;tag=t%u\r\n"
			"Call-ID: gen-%u@10.1.0.5\r\n"
			"CSeq: 1 INVITE\r\n"
			"Content-Length: 0\r\n\r\n", n, n, n, n, n, n);
}

static int send_gen(struct calls *calls, int (*make)(char *, size_t, unsigned int), unsigned int n,
		    long at)
{
	char buf[512];
	int len = make(buf, sizeof(buf), n);
	struct sip_origin o = origin_at(at);

	return calls_ingest_sip(calls, &o, buf, (size_t)len);
}

static void count_call(const struct call *call, void *ctx)
{
	(void)call;
	(*(unsigned int *)ctx)++;
}

static void test_limits(void)
{
	struct calls *calls = new_table(3);
	struct recorder r = { 0 };
	struct calls_stats st;
	unsigned int visited = 0;

	calls_subscribe(calls, record, &r);
	for (unsigned int n = 1; n <= 3; n++)
		send_gen(calls, invite_for, n, T0 + n);
	ok(calls_count(calls) == 3, "three unanswered calls fill a table of 3");
	ok(send_gen(calls, invite_for, 4, T0 + 4) == 0 && !calls_find(calls, "gen-1@10.1.0.5") &&
	   calls_find(calls, "gen-4@10.1.0.5"), "a fourth evicts the oldest unanswered");
	ok(r.count == 5 && r.log[3].new_state == DIALOG_ENDED && r.log[3].id == 1,
	   "eviction announced as ended");
	calls_get_stats(calls, &st);
	ok(st.evicted == 1 && st.removed == 1, "eviction counted");
	for (unsigned int n = 2; n <= 4; n++)
		send_gen(calls, answer_for, n, T0 + 10);
	ok(send_gen(calls, invite_for, 5, T0 + 11) == -ENOSPC && !calls_find(calls, "gen-5@10.1.0.5"),
	   "table full of answered calls: the new call is refused with -ENOSPC");
	calls_get_stats(calls, &st);
	ok(st.rejected[CALLS_REASON_TOO_MANY_CALLS] == 1, "refusal counted as too many calls");
	calls_foreach(calls, count_call, &visited);
	ok(visited == 3, "foreach visits every call");
	calls_unsubscribe(calls, record, &r);
	calls_free(calls);
}

static void test_expiry(void)
{
	struct calls_config cfg;
	struct calls *calls;
	const struct call *c;
	struct calls_stats st;

	calls_config_defaults(&cfg);
	cfg.setup_timeout = 10;
	cfg.idle_timeout = 100;
	cfg.ended_linger = 5;
	calls = calls_new(&cfg);
	send_gen(calls, invite_for, 1, T0);
	send_gen(calls, invite_for, 2, T0);
	send_gen(calls, answer_for, 2, T0 + 1);
	calls_expire(calls, (struct timespec){ T0 + 9, 0 });
	c = calls_find(calls, "gen-1@10.1.0.5");
	ok(c && c->dialog.state == DIALOG_TRYING, "unanswered call kept before setup_timeout");
	calls_expire(calls, (struct timespec){ T0 + 10, 500000000 });
	ok(c->dialog.state == DIALOG_ENDED && c->end_event == DIALOG_EV_TIMEOUT,
	   "unanswered call ended by setup_timeout");
	calls_expire(calls, (struct timespec){ T0 + 16, 0 });
	ok(!calls_find(calls, "gen-1@10.1.0.5") && !calls_find_id(calls, 1),
	   "ended call removed after ended_linger");
	c = calls_find(calls, "gen-2@10.1.0.5");
	ok(c && c->dialog.state == DIALOG_ANSWERED, "answered call kept within idle_timeout");
	calls_expire(calls, (struct timespec){ T0 + 101, 300000000 });
	ok(c->dialog.state == DIALOG_ENDED && c->end_event == DIALOG_EV_TIMEOUT,
	   "silent answered call ended by idle_timeout");
	calls_expire(calls, (struct timespec){ T0 + 200, 0 });
	calls_get_stats(calls, &st);
	ok(calls_count(calls) == 0 && st.expired == 2 && st.removed == 2, "table empty, 2 expired");
	calls_free(calls);
}

static void test_history_bound(void)
{
	struct calls *calls = new_table(10);
	struct fixture f;
	const struct call *c;

	fixture_load(&f, "hold_resume.sip");
	for (unsigned int i = 0; i < 5; i++) {
		struct sip_origin o = origin_at(T0 + i);

		calls_ingest_sip(calls, &o, f.msgs[i].text, f.msgs[i].len);
	}
	for (unsigned int round = 0; round < 20; round++) {
		struct sip_origin o = origin_at(T0 + 10 + round);
		const struct fixture_msg *m = fixture_find(&f, round % 2 ? "re-INVITE hold by agent" :
									  "re-INVITE resume by agent");

		calls_ingest_sip(calls, &o, m->text, m->len);
	}
	c = calls_find(calls, "hold-call-1@10.1.0.5");
	ok(c && c->history_count == CALLS_MAX_HISTORY && c->history_dropped > 0 &&
	   c->history[0].state == DIALOG_TRYING &&
	   c->history[CALLS_MAX_HISTORY - 1].at_ms == (T0 + 29) * 1000LL + 250,
	   "history bounded at %d, first and latest kept (%u dropped)", CALLS_MAX_HISTORY,
	   c ? c->history_dropped : 0);
	fixture_free(&f);
	calls_free(calls);
}

static void test_config(void)
{
	struct calls_config cfg;

	calls_config_defaults(&cfg);
	ok(!calls_config_check(&cfg), "defaults are valid");
	ok(cfg.max_calls == 100000 && cfg.setup_timeout == 300 && cfg.idle_timeout == 14400 &&
	   cfg.ended_linger == 60 && !strcmp(cfg.meta_header[CALLS_META_QUEUE], "X-Queue"),
	   "documented defaults");
	cfg.max_calls = 0;
	ok(calls_config_check(&cfg) && !calls_new(&cfg) && errno == EINVAL, "max_calls 0 refused");
	calls_config_defaults(&cfg);
	cfg.meta_header[CALLS_META_SITE] = "X Site";
	ok(calls_config_check(&cfg) != NULL, "header name with a space refused: %s",
	   calls_config_check(&cfg));
	calls_config_defaults(&cfg);
	cfg.meta_header[CALLS_META_SITE] = "x-queue";
	ok(calls_config_check(&cfg) != NULL, "two fields on one header refused: %s",
	   calls_config_check(&cfg));
	calls_config_defaults(&cfg);
	cfg.idle_timeout = 0;
	ok(calls_config_check(&cfg) != NULL, "idle_timeout 0 refused");
	ok(!strcmp(calls_reason_name(CALLS_REASON_NO_CSEQ), "no CSeq") &&
	   !strcmp(calls_reason_name(CALLS_REASON_TOO_MANY_CALLS), "too many calls"),
	   "reason names");
}

static void test_json(void)
{
	struct calls *calls = new_table(10);
	struct json_object *list, *one, *stats, *v, *media, *dir, *stream;
	const char *text;

	feed_all(calls, "ipv6.sip", T0);
	feed_all(calls, "basic_call.sip", T0);
	list = call_json_list(calls);
	ok(list && json_object_array_length(list) == 2, "list holds both calls");
	one = json_object_array_get_idx(list, 0);
	ok(json_object_object_get_ex(one, "state", &v) && !strcmp(json_object_get_string(v), "answered"),
	   "first (established) call is the IPv6 one, answered");
	ok(json_object_object_get_ex(one, "queue", &v) && !strcmp(json_object_get_string(v), "support"),
	   "queue in JSON");
	ok(json_object_object_get_ex(one, "media", &media) &&
	   json_object_object_get_ex(media, "caller_to_callee", &dir) &&
	   json_object_array_length(dir) == 2, "media per direction");
	stream = json_object_array_get_idx(dir, 0);
	ok(json_object_object_get_ex(stream, "dst", &v) &&
	   !strcmp(json_object_get_string(v), "2001:db8:20::10") &&
	   json_object_object_get_ex(stream, "rtcp_port", &v) && json_object_get_int(v) == 30025,
	   "stream destination and RTCP port");
	ok(json_object_object_get_ex(one, "created", &v) &&
	   !strcmp(json_object_get_string(v), "2027-01-15T08:00:00.250Z"), "times in UTC ISO 8601");
	ok(json_object_object_get_ex(one, "ended", &v) && json_object_is_type(v, json_type_null),
	   "not ended: null");
	one = json_object_array_get_idx(list, 1);
	ok(json_object_object_get_ex(one, "end_reason", &v) && !strcmp(json_object_get_string(v), "bye") &&
	   json_object_object_get_ex(one, "history", &v) && json_object_array_length(v) == 4,
	   "ended call: end reason and history");
	text = json_object_to_json_string_ext(list, JSON_C_TO_STRING_PLAIN);
	ok(text && strstr(text, "\"call_id\":\"basic-call-1@10.1.0.5\""), "serialises to text");
	json_object_put(list);

	stats = call_json_stats(calls);
	ok(stats && json_object_object_get_ex(stats, "rejected", &v) &&
	   json_object_object_get_ex(v, "too many calls", &v) && json_object_get_int64(v) == 0 &&
	   json_object_object_get_ex(stats, "created", &v) && json_object_get_int64(v) == 2,
	   "stats JSON with rejections by reason");
	json_object_put(stats);
	calls_free(calls);
}

int main(void)
{
	test_basic();
	test_agent_source();
	test_fork_and_agent_header();
	test_transfers();
	test_other_flows();
	test_bad_sdp();
	test_rejection_reasons();
	test_limits();
	test_expiry();
	test_history_bound();
	test_config();
	test_json();
	return tap_done();
}
