// SPDX-License-Identifier: GPL-2.0
/* The dialog state machine and the media of each direction from offer and answer. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "listenind/dialog.h"
#include "sip_fixture.h"

static void test_transitions(void)
{
	static const struct {
		enum dialog_state from;
		enum dialog_event event;
		enum dialog_state to;
	} table[] = {
		{ DIALOG_TRYING, DIALOG_EV_PROVISIONAL, DIALOG_RINGING },
		{ DIALOG_RINGING, DIALOG_EV_PROVISIONAL, DIALOG_RINGING },
		{ DIALOG_TRYING, DIALOG_EV_ANSWER, DIALOG_ANSWERED },
		{ DIALOG_RINGING, DIALOG_EV_ANSWER, DIALOG_ANSWERED },
		{ DIALOG_RINGING, DIALOG_EV_FAILURE, DIALOG_ENDED },
		{ DIALOG_RINGING, DIALOG_EV_CANCEL, DIALOG_ENDED },
		{ DIALOG_TRYING, DIALOG_EV_TIMEOUT, DIALOG_ENDED },
		{ DIALOG_RINGING, DIALOG_EV_EVICTED, DIALOG_ENDED },
		{ DIALOG_RINGING, DIALOG_EV_HOLD, DIALOG_RINGING },
		{ DIALOG_RINGING, DIALOG_EV_BLIND_TRANSFER, DIALOG_RINGING },
		{ DIALOG_ANSWERED, DIALOG_EV_ANSWER, DIALOG_ANSWERED },
		{ DIALOG_ANSWERED, DIALOG_EV_FAILURE, DIALOG_ANSWERED },
		{ DIALOG_ANSWERED, DIALOG_EV_CANCEL, DIALOG_ANSWERED },
		{ DIALOG_ANSWERED, DIALOG_EV_HOLD, DIALOG_HELD },
		{ DIALOG_ANSWERED, DIALOG_EV_RESUME, DIALOG_ANSWERED },
		{ DIALOG_HELD, DIALOG_EV_RESUME, DIALOG_RESUMED },
		{ DIALOG_RESUMED, DIALOG_EV_HOLD, DIALOG_HELD },
		{ DIALOG_HELD, DIALOG_EV_BLIND_TRANSFER, DIALOG_TRANSFERRED },
		{ DIALOG_ANSWERED, DIALOG_EV_ATTENDED_TRANSFER, DIALOG_TRANSFERRED },
		{ DIALOG_ANSWERED, DIALOG_EV_REPLACED, DIALOG_TRANSFERRED },
		{ DIALOG_ANSWERED, DIALOG_EV_CONFERENCE, DIALOG_CONFERENCE },
		{ DIALOG_CONFERENCE, DIALOG_EV_HOLD, DIALOG_HELD },
		{ DIALOG_TRANSFERRED, DIALOG_EV_BYE, DIALOG_ENDED },
		{ DIALOG_HELD, DIALOG_EV_TIMEOUT, DIALOG_ENDED },
		{ DIALOG_ENDED, DIALOG_EV_ANSWER, DIALOG_ENDED },
		{ DIALOG_ENDED, DIALOG_EV_PROVISIONAL, DIALOG_ENDED },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		enum dialog_state got = dialog_next(table[i].from, table[i].event);

		ok(got == table[i].to, "%s + %s -> %s (got %s)", dialog_state_name(table[i].from),
		   dialog_event_name(table[i].event), dialog_state_name(table[i].to),
		   dialog_state_name(got));
	}
	for (int s = 0; s < DIALOG_STATE_COUNT; s++)
		for (int e = 0; e < DIALOG_EVENT_COUNT; e++)
			if (dialog_next(s, e) >= DIALOG_STATE_COUNT)
				ok(0, "state %d event %d leaves the state set", s, e);
	ok(1, "every state and event gives a known state");
	ok(!strcmp(dialog_state_name(DIALOG_ENDED), "ended") &&
	   !strcmp(dialog_event_name(DIALOG_EV_ATTENDED_TRANSFER), "attended-transfer") &&
	   !strcmp(dialog_state_name(99), "?"), "state and event names");
}

/* Plays a fixture through one dialog the way the call table does. */
struct player {
	struct fixture f;
	struct dialog d;
	struct dialog_result last;
	enum dialog_error last_err;
	unsigned int transitions;
};

static enum dialog_error play(struct player *p, const char *label)
{
	const struct fixture_msg *fm = fixture_find(&p->f, label);
	struct sdp_session sdp;
	struct sip_msg m;
	enum dialog_error err;
	const struct sdp_session *body = NULL;

	if (!fm || sip_parse(&m, fm->text, fm->len, NULL, 0) != SIP_PARSED) {
		ok(0, "fixture message \"%s\" parses", label);
		return DIALOG_ERR_NOT_INITIAL_INVITE;
	}
	if (m.sdp && sdp_parse(&sdp, m.sdp, m.sdp_len) == SDP_OK)
		body = &sdp;
	if (m.request && m.method == SIP_INVITE && !m.to.tag && !p->d.call_id[0]) {
		err = dialog_init(&p->d, &m, body);
		memset(&p->last, 0, sizeof(p->last));
	} else {
		err = dialog_apply(&p->d, &m, body, &p->last);
		for (unsigned int i = 0; !err && i < p->last.event_count; i++) {
			enum dialog_state next = dialog_next(p->d.state, p->last.events[i]);

			p->transitions += next != p->d.state;
			p->d.state = next;
		}
	}
	sip_msg_release(&m);
	p->last_err = err;
	return err;
}

static void player_start(struct player *p, const char *file)
{
	memset(p, 0, sizeof(*p));
	fixture_load(&p->f, file);
}

static int addr_is(const struct sdp_addr *a, const char *text)
{
	uint8_t want[16] = { 0 };
	int family = strchr(text, ':') ? AF_INET6 : AF_INET;

	inet_pton(family, text, want);
	return a->family == family && !memcmp(a->bytes, want, family == AF_INET ? 4 : 16);
}

static void test_basic_media(void)
{
	struct player p;
	struct dialog_stream s[SDP_MAX_STREAMS];

	player_start(&p, "basic_call.sip");
	ok(play(&p, "INVITE") == DIALOG_OK && p.d.state == DIALOG_TRYING, "INVITE starts trying");
	ok(dialog_streams(&p.d, DIALOG_CALLEE_TO_CALLER, s) == 1 && s[0].active &&
	   addr_is(&s[0].dst, "10.1.0.5") && s[0].rtp_port == 20000 && s[0].rtcp_port == 20001,
	   "offer alone: callee->caller media goes to the caller's SDP");
	ok(dialog_streams(&p.d, DIALOG_CALLER_TO_CALLEE, s) == 0,
	   "offer alone: no caller->callee destination yet");
	play(&p, "100 Trying");
	ok(p.d.state == DIALOG_TRYING && p.last.event_count == 0, "100 Trying changes nothing");
	play(&p, "180 Ringing");
	ok(p.d.state == DIALOG_RINGING && p.d.early_count == 1, "180 with To-tag: ringing, early dialog");
	play(&p, "200 OK");
	ok(p.d.state == DIALOG_ANSWERED && !strcmp(p.d.callee_tag, "agent-1001-a") &&
	   p.last.media_changed && p.last.sender == DIALOG_CALLEE, "200 OK answers with the agent's SDP");
	ok(dialog_streams(&p.d, DIALOG_CALLER_TO_CALLEE, s) == 1 && s[0].active &&
	   addr_is(&s[0].dst, "10.2.0.21") && s[0].rtp_port == 30000 && s[0].rtcp_port == 30001 &&
	   s[0].payload_count == 2 && s[0].payloads[0] == 8 && s[0].payloads[1] == 101,
	   "caller->callee: agent's address, port, payloads");
	ok(dialog_streams(&p.d, DIALOG_CALLEE_TO_CALLER, s) == 1 && addr_is(&s[0].dst, "10.1.0.5") &&
	   s[0].payload_count == 3, "callee->caller: PBX address and payloads");
	play(&p, "ACK");
	ok(p.d.state == DIALOG_ANSWERED && !p.last.media_changed, "ACK without SDP changes nothing");
	play(&p, "BYE");
	ok(p.d.state == DIALOG_ENDED && p.last.sender == DIALOG_CALLER, "BYE from the caller ends");
	fixture_free(&p.f);
}

static void test_hold(void)
{
	struct player p;
	struct dialog_stream s[SDP_MAX_STREAMS];

	player_start(&p, "hold_resume.sip");
	play(&p, "INVITE");
	play(&p, "200 OK");
	play(&p, "ACK");
	play(&p, "re-INVITE hold by agent");
	ok(p.d.state == DIALOG_HELD && p.last.sender == DIALOG_CALLEE && p.d.held_by == DIALOG_CALLEE,
	   "agent's sendonly re-INVITE holds");
	dialog_streams(&p.d, DIALOG_CALLER_TO_CALLEE, s);
	ok(!s[0].active, "held: caller->callee stream inactive (agent sendonly)");
	dialog_streams(&p.d, DIALOG_CALLEE_TO_CALLER, s);
	ok(s[0].active, "held: music on hold still flows callee->caller");
	play(&p, "200 OK to hold");
	ok(p.d.state == DIALOG_HELD, "recvonly answer keeps the hold");
	dialog_streams(&p.d, DIALOG_CALLEE_TO_CALLER, s);
	ok(s[0].active, "agent sends, PBX receives (recvonly)");
	dialog_streams(&p.d, DIALOG_CALLER_TO_CALLEE, s);
	ok(!s[0].active, "PBX recvonly sends nothing");
	play(&p, "re-INVITE session refresh by PBX while held");
	ok(p.d.state == DIALOG_HELD && p.last.event_count == 0,
	   "the other side's sendrecv refresh does not resume the agent's hold");
	play(&p, "re-INVITE resume by agent");
	ok(p.d.state == DIALOG_RESUMED && p.d.held_by == -1, "agent's sendrecv re-INVITE resumes");
	play(&p, "200 OK to resume");
	dialog_streams(&p.d, DIALOG_CALLER_TO_CALLEE, s);
	ok(s[0].active, "both directions flow again");
	play(&p, "re-INVITE hold by PBX");
	ok(p.d.state == DIALOG_HELD && p.d.held_by == DIALOG_CALLER, "c=0.0.0.0 from the PBX holds");
	dialog_streams(&p.d, DIALOG_CALLEE_TO_CALLER, s);
	ok(!s[0].active && addr_is(&s[0].dst, "0.0.0.0"), "nothing flows to 0.0.0.0");
	play(&p, "200 OK to null hold");
	ok(p.d.state == DIALOG_HELD, "a sendrecv answer from the other side does not resume");
	play(&p, "re-INVITE resume by PBX");
	ok(p.d.state == DIALOG_RESUMED, "the side that held resumes");
	play(&p, "BYE from agent");
	ok(p.d.state == DIALOG_ENDED && p.last.sender == DIALOG_CALLEE, "BYE from the callee ends");
	fixture_free(&p.f);
}

static void test_forked(void)
{
	struct player p;
	struct dialog_stream s[SDP_MAX_STREAMS];

	player_start(&p, "forked_early.sip");
	play(&p, "INVITE");
	play(&p, "183 fork-a");
	dialog_streams(&p.d, DIALOG_CALLER_TO_CALLEE, s);
	ok(p.d.state == DIALOG_RINGING && p.d.early_count == 1 && addr_is(&s[0].dst, "10.2.0.31"),
	   "first early dialog with early media");
	play(&p, "183 fork-b");
	dialog_streams(&p.d, DIALOG_CALLER_TO_CALLEE, s);
	ok(p.d.early_count == 2 && addr_is(&s[0].dst, "10.2.0.32") && s[0].rtp_port == 32000,
	   "second fork: its early media is the latest");
	play(&p, "180 fork-a again");
	ok(p.d.early_count == 2, "same To-tag is the same early dialog");
	play(&p, "200 OK fork-b");
	dialog_streams(&p.d, DIALOG_CALLER_TO_CALLEE, s);
	ok(p.d.state == DIALOG_ANSWERED && !strcmp(p.d.callee_tag, "fork-b") &&
	   addr_is(&s[0].dst, "10.2.0.32") && s[0].payloads[0] == 8,
	   "answer without SDP takes the answering fork's early SDP");
	play(&p, "200 OK fork-b");
	ok(p.d.state == DIALOG_ANSWERED && !p.last.media_changed, "retransmitted 200 changes nothing");
	play(&p, "183 fork-a late");
	dialog_streams(&p.d, DIALOG_CALLER_TO_CALLEE, s);
	ok(!p.last.media_changed && addr_is(&s[0].dst, "10.2.0.32") && p.d.state == DIALOG_ANSWERED,
	   "a losing fork's late 183 does not move the media");
	ok(play(&p, "BYE to fork-a") == DIALOG_ERR_TAG_MISMATCH && p.d.state == DIALOG_ANSWERED,
	   "BYE to the fork that lost does not end the call");
	ok(play(&p, "BYE from fork-b") == DIALOG_OK && p.d.state == DIALOG_ENDED &&
	   p.last.sender == DIALOG_CALLEE, "BYE from the answering fork ends it");
	fixture_free(&p.f);
}

static void test_late_offer_and_others(void)
{
	struct player p;
	struct dialog_stream s[SDP_MAX_STREAMS];

	player_start(&p, "late_offer.sip");
	play(&p, "INVITE");
	ok(!p.d.has_sdp[DIALOG_CALLER] && dialog_streams(&p.d, DIALOG_CALLEE_TO_CALLER, s) == 0,
	   "INVITE without SDP: no media yet");
	play(&p, "200 OK");
	ok(p.d.state == DIALOG_ANSWERED && dialog_streams(&p.d, DIALOG_CALLER_TO_CALLEE, s) == 1 &&
	   s[0].active, "offer in 200 OK: caller->callee destination known");
	play(&p, "ACK");
	ok(dialog_streams(&p.d, DIALOG_CALLEE_TO_CALLER, s) == 1 && addr_is(&s[0].dst, "10.1.0.5") &&
	   s[0].rtp_port == 20050 && p.last.media_changed, "answer in ACK: callee->caller destination");
	fixture_free(&p.f);

	player_start(&p, "busy_486.sip");
	play(&p, "INVITE");
	play(&p, "486");
	ok(p.d.state == DIALOG_ENDED && p.last.final_status == 486, "486 ends the call, status kept");
	fixture_free(&p.f);

	player_start(&p, "cancel.sip");
	play(&p, "INVITE");
	play(&p, "180");
	play(&p, "CANCEL");
	ok(p.d.state == DIALOG_ENDED && p.last.events[0] == DIALOG_EV_CANCEL, "CANCEL ends a ringing call");
	play(&p, "487");
	ok(p.d.state == DIALOG_ENDED && p.transitions == 2, "487 after CANCEL: still ended, no new transition");
	fixture_free(&p.f);

	player_start(&p, "auth_407.sip");
	play(&p, "INVITE");
	play(&p, "407");
	ok(p.d.state == DIALOG_TRYING && p.last.event_count == 0, "407 challenge does not end the call");
	play(&p, "INVITE with credentials");
	ok(p.d.invite_cseq == 2, "the retried INVITE's CSeq is the initial one now");
	play(&p, "200 OK");
	ok(p.d.state == DIALOG_ANSWERED, "answered after the retry");
	fixture_free(&p.f);

	player_start(&p, "conference.sip");
	play(&p, "INVITE");
	play(&p, "200 OK");
	play(&p, "re-INVITE from the conference focus");
	ok(p.d.state == DIALOG_CONFERENCE, "re-INVITE from a focus: conference");
	dialog_streams(&p.d, DIALOG_CALLEE_TO_CALLER, s);
	ok(addr_is(&s[0].dst, "10.1.0.8") && s[0].rtp_port == 24000, "media now goes to the bridge");
	fixture_free(&p.f);

	player_start(&p, "blind_transfer.sip");
	play(&p, "INVITE");
	play(&p, "200 OK");
	play(&p, "REFER");
	ok(p.d.state == DIALOG_TRANSFERRED && p.last.events[0] == DIALOG_EV_BLIND_TRANSFER,
	   "REFER without Replaces: blind transfer");
	fixture_free(&p.f);

	player_start(&p, "attended_transfer.sip");
	play(&p, "A INVITE");
	play(&p, "A 200");
	play(&p, "A re-INVITE hold");
	ok(p.d.state == DIALOG_HELD, "a=inactive holds");
	play(&p, "A REFER");
	ok(p.d.state == DIALOG_TRANSFERRED && p.last.events[0] == DIALOG_EV_ATTENDED_TRANSFER,
	   "REFER with Replaces in Refer-To: attended transfer");
	ok(play(&p, "B INVITE") == DIALOG_ERR_CALL_ID_MISMATCH, "another Call-ID is refused");
	fixture_free(&p.f);
}

static void test_ipv6(void)
{
	struct player p;
	struct dialog_stream s[SDP_MAX_STREAMS];

	player_start(&p, "ipv6.sip");
	play(&p, "INVITE");
	play(&p, "200 OK");
	ok(dialog_streams(&p.d, DIALOG_CALLER_TO_CALLEE, s) == 2, "two streams toward the callee");
	ok(s[0].active && addr_is(&s[0].dst, "2001:db8:20::10") && s[0].rtp_port == 30020 &&
	   s[0].rtcp_port == 30025 && addr_is(&s[0].rtcp_dst, "2001:db8:20::11"),
	   "IPv6 audio toward the callee with a=rtcp address");
	ok(!s[1].active && s[1].kind == SDP_KIND_VIDEO && s[1].rtp_port == 0,
	   "refused video (port 0) is inactive");
	ok(dialog_streams(&p.d, DIALOG_CALLEE_TO_CALLER, s) == 2 && s[0].rtcp_mux &&
	   s[0].rtcp_port == 20020 && addr_is(&s[0].dst, "2001:db8:10::5"),
	   "IPv6 audio toward the caller, media-level c=, rtcp-mux");
	ok(!s[1].active, "video toward the caller inactive: the callee refused it");
	fixture_free(&p.f);
}

static void test_errors(void)
{
	struct fixture f;
	struct sip_msg m;
	struct dialog d;

	fixture_load(&f, "basic_call.sip");
	sip_parse(&m, fixture_find(&f, "BYE")->text, fixture_find(&f, "BYE")->len, NULL, 0);
	ok(dialog_init(&d, &m, NULL) == DIALOG_ERR_NOT_INITIAL_INVITE, "BYE cannot start a dialog");
	sip_msg_release(&m);
	fixture_free(&f);
	ok(!strcmp(dialog_error_name(DIALOG_ERR_TAG_MISMATCH), "tags match no dialog of the call"),
	   "error names");
}

int main(void)
{
	sip_init();
	test_transitions();
	test_basic_media();
	test_hold();
	test_forked();
	test_late_offer_and_others();
	test_ipv6();
	test_errors();
	return tap_done();
}
