// SPDX-License-Identifier: GPL-2.0
/* TCP reassembly and SIP framing: order, loss, resync, limits, cleanup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "listenind/tcpreasm.h"
#include "tap.h"

static char got[8][4096];
static size_t got_len[8];
static unsigned int n_got;
static struct tcpreasm_key got_key;

static void deliver(void *ctx, const struct tcpreasm_key *key, const char *msg, size_t len)
{
	(void)ctx;
	if (n_got < 8 && len < sizeof(got[0])) {
		memcpy(got[n_got], msg, len);
		got[n_got][len] = '\0';
		got_len[n_got] = len;
	}
	got_key = *key;
	n_got++;
}

static const char inv[] = "INVITE sip:1000@example.com SIP/2.0\r\n"
			  "Call-ID: a\r\nContent-Type: application/sdp\r\n"
			  "Content-Length: 10\r\n\r\nv=0\r\no=x\r\n";
static const char ok200[] = "SIP/2.0 200 OK\r\nCall-ID: a\r\nl: 0\r\n\r\n";
static const char bye[] = "BYE sip:1000@example.com SIP/2.0\r\nCall-ID: a\r\n"
			  "content-length  :   4  \r\n\r\nabcd";

static struct tcpreasm_key key(int n)
{
	struct tcpreasm_key k = { .family = AF_INET, .sport = (uint16_t)(40000 + n), .dport = 5060 };

	k.src[0] = 10, k.src[3] = 1;
	k.dst[0] = 10, k.dst[3] = 2;
	return k;
}

static struct tcpreasm *new(void (*tweak)(struct tcpreasm_config *))
{
	struct tcpreasm_config cfg;

	tcpreasm_config_defaults(&cfg);
	if (tweak)
		tweak(&cfg);
	n_got = 0;
	return tcpreasm_new(&cfg, deliver, NULL);
}

static void seg(struct tcpreasm *t, int k, uint32_t seq, uint8_t flags, const char *d, size_t len)
{
	struct tcpreasm_key kk = key(k);

	tcpreasm_segment(t, &kk, seq, flags, (const uint8_t *)d, len, 0);
}

static void test_frame(void)
{
	size_t skip, len;
	const uint8_t *p;

	p = (const uint8_t *)inv;
	ok(tcpreasm_sip_frame(p, strlen(inv), 65535, &skip, &len) == TCPREASM_FRAME_DONE &&
	   skip == 0 && len == strlen(inv), "Content-Length frames a message with a body");
	ok(tcpreasm_sip_frame(p, strlen(inv) - 1, 65535, &skip, &len) == TCPREASM_FRAME_MORE,
	   "one byte short of the body: more");
	ok(tcpreasm_sip_frame(p, 40, 65535, &skip, &len) == TCPREASM_FRAME_MORE,
	   "headers incomplete: more");
	p = (const uint8_t *)ok200;
	ok(tcpreasm_sip_frame(p, strlen(ok200), 65535, &skip, &len) == TCPREASM_FRAME_DONE &&
	   len == strlen(ok200), "compact l: 0");
	p = (const uint8_t *)bye;
	ok(tcpreasm_sip_frame(p, strlen(bye), 65535, &skip, &len) == TCPREASM_FRAME_DONE &&
	   len == strlen(bye), "lower case name, spaces around colon and value");
	{
		char buf[256];

		snprintf(buf, sizeof(buf), "\r\n\r\n\r\n%s", ok200);
		ok(tcpreasm_sip_frame((uint8_t *)buf, strlen(buf), 65535, &skip, &len) ==
		   TCPREASM_FRAME_DONE && skip == 6 && len == strlen(ok200),
		   "leading CRLF keep-alives skipped");
	}
#define F(s) tcpreasm_sip_frame((const uint8_t *)(s), strlen(s), 200, &skip, &len)
	ok(F("SIP/2.0 200 OK\r\nCall-ID: a\r\n\r\n") == TCPREASM_FRAME_NO_LENGTH,
	   "missing Content-Length refused");
	ok(F("SIP/2.0 200 OK\r\nContent-Length: x1\r\n\r\n") == TCPREASM_FRAME_BAD_LENGTH,
	   "non-numeric Content-Length refused");
	ok(F("SIP/2.0 200 OK\r\nContent-Length: 1 2\r\n\r\n") == TCPREASM_FRAME_BAD_LENGTH,
	   "Content-Length with two numbers refused");
	ok(F("SIP/2.0 200 OK\r\nContent-Length:\r\n\r\n") == TCPREASM_FRAME_BAD_LENGTH,
	   "empty Content-Length refused");
	ok(F("SIP/2.0 200 OK\r\nContent-Length: 1\r\nl: 2\r\n\r\n") == TCPREASM_FRAME_BAD_LENGTH,
	   "conflicting Content-Length and l refused");
	ok(F("SIP/2.0 200 OK\r\nContent-Length: 0\r\nl: 0\r\n\r\n") == TCPREASM_FRAME_DONE,
	   "repeated equal Content-Length accepted");
	ok(F("SIP/2.0 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n") ==
	   TCPREASM_FRAME_TOO_LARGE, "huge Content-Length refused without overflow");
	ok(F("SIP/2.0 200 OK\r\nContent-Length: 190\r\n\r\n") == TCPREASM_FRAME_TOO_LARGE,
	   "headers + body over max refused");
	{
		const char *m = "SIP/2.0 200 OK\r\nContent-Length-X: 5\r\nLength: 3\r\nContent-Length: 0\r\n\r\n";

		ok(F(m) == TCPREASM_FRAME_DONE && len == strlen(m), "only the Content-Length header counts");
	}
	{
		char big[300];

		memset(big, 'a', sizeof(big));
		ok(tcpreasm_sip_frame((uint8_t *)big, sizeof(big), 200, &skip, &len) ==
		   TCPREASM_FRAME_TOO_LARGE, "no header end within max refused");
	}
#undef F
#define S(s) tcpreasm_sip_start((const uint8_t *)(s), strlen(s))
	ok(S("INVITE sip:a@b SIP/2.0\r\n") && S("SIP/2.0 180 Ringing\r\n") && S("SIP/2.0 200\r\n"),
	   "request and status lines recognised");
	ok(!S("INVITE sip:a@b SIP/2.0") && !S("Via: SIP/2.0/TCP x\r\n") && !S("v=0\r\n") &&
	   !S("INVITE  SIP/2.0\r\n") && !S("SIP/2.0 20 OK\r\n") && !S("INVITE sip:a b SIP/2.0\r\n"),
	   "headers, bodies, partial and malformed lines are not starts");
#undef S
}

static void test_order(void)
{
	struct tcpreasm *t = new(NULL);
	char two[1024];
	size_t l1 = strlen(inv), l2 = strlen(ok200);

	seg(t, 1, 999, TCPREASM_SYN, NULL, 0);
	seg(t, 1, 1000, 0, inv, 30);
	ok(n_got == 0, "partial message not delivered");
	seg(t, 1, 1030, 0, inv + 30, l1 - 30);
	ok(n_got == 1 && got_len[0] == l1 && !memcmp(got[0], inv, l1),
	   "message split across segments delivered");
	ok(got_key.sport == 40001 && got_key.dport == 5060, "flow key passed with the message");

	memcpy(two, ok200, l2);
	memcpy(two + l2, bye, strlen(bye));
	seg(t, 1, 1000 + (uint32_t)l1, 0, two, l2 + strlen(bye));
	ok(n_got == 3 && !strcmp(got[1], ok200) && !strcmp(got[2], bye),
	   "two messages in one segment delivered in order");

	/* Retransmission of old data and a partial overlap. */
	seg(t, 1, 1000, 0, inv, l1);
	ok(n_got == 3 && tcpreasm_counter(t, TCPREASM_CNT_RETRANSMITS) == 1,
	   "retransmitted data ignored");
	{
		uint32_t base = 1000 + (uint32_t)(l1 + l2 + strlen(bye));

		seg(t, 1, base, 0, ok200, 10);
		seg(t, 1, base + 5, 0, ok200 + 5, l2 - 5);
		ok(n_got == 4 && !strcmp(got[3], ok200), "overlapping segment trimmed");

		/* Out of order: second half first. */
		base += (uint32_t)l2;
		seg(t, 1, base + 20, 0, inv + 20, l1 - 20);
		ok(n_got == 4 && tcpreasm_counter(t, TCPREASM_CNT_OUT_OF_ORDER) == 1,
		   "segment after a gap held");
		seg(t, 1, base + 20, 0, inv + 20, l1 - 20);
		seg(t, 1, base, 0, inv, 20);
		ok(n_got == 5 && !strcmp(got[4], inv), "gap filled: message delivered once");

		/* FIN after data closes the flow. */
		base += (uint32_t)l1;
		seg(t, 1, base, TCPREASM_FIN, "\r\n\r\n", 4);
		ok(tcpreasm_flows(t) == 0 && tcpreasm_bytes(t) == 0 &&
		   tcpreasm_counter(t, TCPREASM_CNT_FLOWS_CLOSED) == 1, "FIN frees the flow");
	}

	/* Sequence numbers wrapping around 2^32. */
	n_got = 0;
	seg(t, 2, 0xfffffff0u, TCPREASM_SYN, NULL, 0);
	seg(t, 2, 0xfffffff1u, 0, inv, 40);
	seg(t, 2, 0xfffffff1u + 40, 0, inv + 40, l1 - 40);
	ok(n_got == 1 && !strcmp(got[0], inv), "sequence wrap-around");
	{
		struct tcpreasm_key rev = key(2);

		memcpy(rev.src, key(2).dst, 16);
		memcpy(rev.dst, key(2).src, 16);
		rev.sport = key(2).dport;
		rev.dport = key(2).sport;
		tcpreasm_segment(t, &rev, 77, 0, (const uint8_t *)ok200, strlen(ok200), 0);
		ok(tcpreasm_flows(t) == 2, "reverse direction is its own flow");
	}
	seg(t, 2, 5, TCPREASM_RST, NULL, 0);
	ok(tcpreasm_flows(t) == 0, "RST frees the flow and its reverse");
	tcpreasm_free(t);
}

static void test_resync(void)
{
	struct tcpreasm *t = new(NULL);
	size_t l1 = strlen(inv);

	/* Capture starts mid-stream: the tail of a message, then a new one. */
	seg(t, 3, 5000, 0, inv + 50, l1 - 50);
	ok(n_got == 0 && tcpreasm_counter(t, TCPREASM_CNT_UNSYNCED) == 1,
	   "mid-stream tail skipped");
	seg(t, 3, 5000 + (uint32_t)(l1 - 50), 0, ok200, strlen(ok200));
	ok(n_got == 1 && !strcmp(got[0], ok200), "next segment starting with a SIP line resyncs");

	/* No Content-Length on TCP: counted, then resync on the next start. */
	{
		const char bad[] = "SIP/2.0 200 OK\r\nCall-ID: b\r\n\r\n";
		uint32_t s = 5000 + (uint32_t)(l1 - 50 + strlen(ok200));

		seg(t, 3, s, 0, bad, strlen(bad));
		ok(tcpreasm_counter(t, TCPREASM_CNT_NO_LENGTH) == 1, "missing Content-Length counted");
		s += (uint32_t)strlen(bad);
		seg(t, 3, s, 0, "v=0\r\n", 5);
		s += 5;
		seg(t, 3, s, 0, inv, l1);
		ok(n_got == 2 && !strcmp(got[1], inv), "framing error then resync");
	}
	tcpreasm_free(t);
}

static void small_ooo(struct tcpreasm_config *c)
{
	c->max_ooo_segments = 2;
	c->max_flows = 2;
	c->idle_timeout_ms = 1000;
}

static void test_limits(void)
{
	struct tcpreasm *t = new(small_ooo);
	struct tcpreasm_key k;
	size_t l1 = strlen(inv);

	seg(t, 4, 99, TCPREASM_SYN, NULL, 0);
	seg(t, 4, 200, 0, "xxxx", 4);
	seg(t, 4, 300, 0, "yyyy", 4);
	ok(tcpreasm_counter(t, TCPREASM_CNT_OUT_OF_ORDER) == 2, "two segments held");
	seg(t, 4, 400, 0, inv, l1);
	ok(tcpreasm_counter(t, TCPREASM_CNT_GAPS) == 1 && n_got == 1 && !strcmp(got[0], inv),
	   "third out-of-order segment: gap abandoned, stream resumes at a SIP start");
	seg(t, 4, 100, 0, ok200, strlen(ok200));
	ok(n_got == 1, "data before the abandoned gap is not delivered");

	seg(t, 5, 1, TCPREASM_SYN, NULL, 0);
	seg(t, 6, 1, TCPREASM_SYN, NULL, 0);
	ok(tcpreasm_flows(t) == 2 && tcpreasm_counter(t, TCPREASM_CNT_FLOWS_EVICTED) == 1,
	   "over max_flows the least recently used flow is evicted");

	k = key(6);
	tcpreasm_segment(t, &k, 2, 0, (const uint8_t *)"INV", 3, 500);
	tcpreasm_expire(t, 1000);
	ok(tcpreasm_flows(t) == 1, "idle flow expired, active one kept");
	tcpreasm_expire(t, 1500);
	ok(tcpreasm_flows(t) == 0 && tcpreasm_bytes(t) == 0 &&
	   tcpreasm_counter(t, TCPREASM_CNT_FLOWS_IDLE) == 2, "all flows idle: freed, no bytes held");

	seg(t, 7, 1, 0, NULL, 0);
	ok(tcpreasm_flows(t) == 0, "a bare ACK creates no flow");
	tcpreasm_free(t);
}

static void small_msg(struct tcpreasm_config *c)
{
	c->max_message = 128;
	c->max_bytes = 300;
}

static void test_memory(void)
{
	struct tcpreasm *t = new(small_msg);
	char big[400];
	int n;

	n = snprintf(big, sizeof(big), "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 200\r\n\r\n");
	memset(big + n, 'b', 200);
	seg(t, 8, 0, TCPREASM_SYN, NULL, 0);
	seg(t, 8, 1, 0, big, (size_t)n + 200);
	ok(n_got == 0 && tcpreasm_counter(t, TCPREASM_CNT_TOO_LARGE) == 1,
	   "message over max_message refused and counted");
	ok(tcpreasm_bytes(t) <= 128, "no buffer over max_message kept");
	seg(t, 8, 1 + (uint32_t)n + 200, 0, ok200, strlen(ok200));
	ok(n_got == 1, "stream resyncs after the oversized message");

	/* Many flows each holding a partial message: max_bytes is never exceeded. */
	for (int i = 0; i < 8; i++) {
		seg(t, 10 + i, 0, TCPREASM_SYN, NULL, 0);
		seg(t, 10 + i, 1, 0, inv, 60);
	}
	ok(tcpreasm_bytes(t) <= 300 && tcpreasm_counter(t, TCPREASM_CNT_NO_MEMORY) > 0,
	   "max_bytes bounds all flows; overflow counted");
	tcpreasm_free(t);
}

static void test_names(void)
{
	int all = 1;

	for (int i = 0; i < TCPREASM_CNT_COUNT; i++)
		if (!tcpreasm_counter_name(i) || !strcmp(tcpreasm_counter_name(i), "unknown"))
			all = 0;
	ok(all, "every counter has a name");
}

int main(void)
{
	test_frame();
	test_order();
	test_resync();
	test_limits();
	test_memory();
	test_names();
	return tap_done();
}
