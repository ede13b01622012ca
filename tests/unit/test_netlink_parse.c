// SPDX-License-Identifier: GPL-2.0
/*
 * Replies and events as the kernel sends them (u64 counters with PAD
 * attributes, nests flagged NLA_F_NESTED), and malformed ones: the parsers
 * must accept the first and reject every one of the second with -EBADMSG;
 * and lnl_ack_error() on one answer to a batch of requests.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netlink/internal.h"
#include "netlink/lnl.h"
#include "sample_tap.h"
#include "tap.h"

static char buf[16384];

static struct nlmsghdr *start(uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = 0x20;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = LISTENIN_GENL_VERSION;
	return nlh;
}

/* Like the kernel's nla_put_u64_64bit(): a PAD first when unaligned. */
static void put_u64(struct nlmsghdr *nlh, uint16_t type, uint64_t v, uint16_t pad)
{
	if ((nlh->nlmsg_len + MNL_ATTR_HDRLEN) % 8)
		mnl_attr_put(nlh, pad, 0, NULL);
	mnl_attr_put_u64(nlh, type, v);
}

static void put_counters(struct nlmsghdr *nlh, uint16_t type, const uint64_t *v,
			 const int *which, int n)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	for (int i = 0; i < n; i++)
		put_u64(nlh, (uint16_t)which[i], v[i], LISTENIN_A_COUNTER_PAD);
	mnl_attr_nest_end(nlh, nest);
}

static const uint8_t v4a[8] = { 10, 0, 0, 5 }, v4b[4] = { 10, 9, 0, 2 };
static const uint8_t v4c[4] = { 10, 0, 0, 1 };

/*
 * A TAP_GET reply with one IPv4 stream and one output. bad selects a
 * defect to build in (0: none).
 */
enum defect {
	OK, SHORT_COUNTER, ADDR_5, OUTPUT_V6_IN_V4, NO_DST_PORT, BAD_FAMILY,
	NO_ID, OVERRUN, LIST_GARBAGE, SRC_V6_IN_V4, NOT_NESTED_LIST, N_DEFECTS
};

static const char *const defect_names[] = {
	"none", "a 4-byte u64 counter", "a 5-byte address",
	"a 16-byte output address in an IPv4 stream", "a stream without DST_PORT",
	"stream family AF_UNIX", "no TAP_ID", "an attribute longer than its message",
	"trailing bytes in the STREAMS list", "a 16-byte source in an IPv4 stream",
	"a stream entry that is a 2-byte attribute",
};

static struct nlmsghdr *tap_reply(enum defect bad)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct nlmsghdr *nlh = start(LISTENIN_CMD_TAP_GET);
	struct nlattr *streams, *stream, *outputs, *output;
	const uint64_t tapc[] = { 100, 17200, 200, 34400, 1, 3 };
	const int tapw[] = { 1, 2, 3, 4, 5, 6 };
	const uint64_t sc[] = { 100, 17200 };
	const int sw[] = { LISTENIN_A_COUNTER_PACKETS, LISTENIN_A_COUNTER_BYTES };
	const uint64_t oc[] = { 200, 34400, 1, 3 };
	const int ow[] = { LISTENIN_A_COUNTER_COPIES, LISTENIN_A_COUNTER_COPY_BYTES,
			   LISTENIN_A_COUNTER_COPY_FAILURES,
			   LISTENIN_A_COUNTER_TALKBACK_DROPPED };

	if (bad != NO_ID)
		mnl_attr_put_u32(nlh, LISTENIN_A_TAP_ID, 7);
	put_u64(nlh, LISTENIN_A_TAP_COOKIE, 0xfeedULL, LISTENIN_A_PAD);
	mnl_attr_put_u32(nlh, LISTENIN_A_TAP_IDLE_TIMEOUT, 30);
	mnl_attr_put_u32(nlh, LISTENIN_A_TAP_IDLE_MSECS, 1250);
	/* An attribute from a newer kernel: ignored. */
	mnl_attr_put_u32(nlh, LISTENIN_A_MAX + 5, 0xabcdef);
	if (bad == SHORT_COUNTER) {
		struct nlattr *n = mnl_attr_nest_start(nlh, LISTENIN_A_TAP_COUNTERS);

		mnl_attr_put_u32(nlh, LISTENIN_A_COUNTER_PACKETS, 1);
		mnl_attr_nest_end(nlh, n);
	} else {
		put_counters(nlh, LISTENIN_A_TAP_COUNTERS, tapc, tapw, 6);
	}
	streams = mnl_attr_nest_start(nlh, LISTENIN_A_TAP_STREAMS);
	if (bad == NOT_NESTED_LIST)
		mnl_attr_put_u16(nlh, LISTENIN_A_STREAM, 1);
	stream = mnl_attr_nest_start(nlh, LISTENIN_A_STREAM);
	mnl_attr_put_u16(nlh, LISTENIN_A_STREAM_FAMILY, bad == BAD_FAMILY ? AF_UNIX : AF_INET);
	mnl_attr_put(nlh, LISTENIN_A_STREAM_DST_ADDR, bad == ADDR_5 ? 5 : 4, v4a);
	if (bad != NO_DST_PORT)
		mnl_attr_put_u16(nlh, LISTENIN_A_STREAM_DST_PORT, 40000);
	if (bad == SRC_V6_IN_V4)
		mnl_attr_put(nlh, LISTENIN_A_STREAM_SRC_ADDR, 16, v6);
	mnl_attr_put_u32(nlh, LISTENIN_A_STREAM_FLAGS, LISTENIN_STREAM_F_RTCP);
	put_counters(nlh, LISTENIN_A_STREAM_COUNTERS, sc, sw, 2);
	outputs = mnl_attr_nest_start(nlh, LISTENIN_A_STREAM_OUTPUTS);
	output = mnl_attr_nest_start(nlh, LISTENIN_A_OUTPUT);
	if (bad == OUTPUT_V6_IN_V4)
		mnl_attr_put(nlh, LISTENIN_A_OUTPUT_DST_ADDR, 16, v6);
	else
		mnl_attr_put(nlh, LISTENIN_A_OUTPUT_DST_ADDR, 4, v4b);
	mnl_attr_put_u16(nlh, LISTENIN_A_OUTPUT_DST_PORT, 5004);
	mnl_attr_put(nlh, LISTENIN_A_OUTPUT_SRC_ADDR, 4, v4c);
	mnl_attr_put_u16(nlh, LISTENIN_A_OUTPUT_SRC_PORT, 30000);
	mnl_attr_put_u32(nlh, LISTENIN_A_OUTPUT_FLAGS, LISTENIN_OUTPUT_F_LISTEN_ONLY);
	put_counters(nlh, LISTENIN_A_OUTPUT_COUNTERS, oc, ow, 4);
	mnl_attr_nest_end(nlh, output);
	mnl_attr_nest_end(nlh, outputs);
	mnl_attr_nest_end(nlh, stream);
	if (bad == LIST_GARBAGE) {
		/* Two bytes that cannot be an attribute, inside the list. */
		memset(mnl_nlmsg_get_payload_tail(nlh), 0xff, 4);
		nlh->nlmsg_len += 4;
		streams->nla_len = (uint16_t)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)streams - 2);
	} else {
		mnl_attr_nest_end(nlh, streams);
	}
	if (bad == OVERRUN)
		streams->nla_len += 64;
	return nlh;
}

static void test_tap(void)
{
	struct lnl_tap t;
	const char *why = NULL;
	const struct lnl_stream *s;
	const struct lnl_output *o;
	int ret = lnl_parse_tap(tap_reply(OK), &t, &why);

	ok(ret == 0, "a well-formed TAP_GET reply parses (%s)", ret ? why : "ok");
	if (ret)
		return;
	ok(t.id == 7 && t.cookie == 0xfeed && t.idle_timeout == 30 && t.idle_msecs == 1250,
	   "id, cookie, idle timeout and idle time");
	ok(t.counters.present == 0x7e && t.counters.val[LISTENIN_A_COUNTER_PACKETS] == 100 &&
	   t.counters.val[LISTENIN_A_COUNTER_TALKBACK_DROPPED] == 3,
	   "tap counters: all six present, values read across PAD attributes");
	ok(t.n_streams == 1, "one stream");
	s = &t.streams[0];
	ok(s->dst.family == AF_INET && !memcmp(s->dst.bytes, v4a, 4) && s->dst_port == 40000 &&
	   s->src.family == AF_UNSPEC && !s->has_ssrc && s->flags == LISTENIN_STREAM_F_RTCP,
	   "stream fields; absent source and SSRC read as \"any\"");
	ok(s->counters.present == ((1U << LISTENIN_A_COUNTER_PACKETS) |
				   (1U << LISTENIN_A_COUNTER_BYTES)) &&
	   s->counters.val[LISTENIN_A_COUNTER_BYTES] == 17200,
	   "stream counters: only those sent are present");
	ok(s->n_outputs == 1, "one output");
	o = &s->outputs[0];
	ok(!memcmp(o->dst.bytes, v4b, 4) && o->dst_port == 5004 &&
	   !memcmp(o->src.bytes, v4c, 4) && o->src_port == 30000 &&
	   o->flags == LISTENIN_OUTPUT_F_LISTEN_ONLY &&
	   o->counters.val[LISTENIN_A_COUNTER_COPIES] == 200,
	   "output fields and counters");
	lnl_tap_free(&t);

	for (int d = OK + 1; d < N_DEFECTS; d++) {
		why = NULL;
		ret = lnl_parse_tap(tap_reply(d), &t, &why);
		ok(ret == -EBADMSG && why && t.streams == NULL,
		   "rejects %s: %s", defect_names[d], why ? why : "(accepted)");
		if (!ret)
			lnl_tap_free(&t);
	}

	{
		struct nlmsghdr *nlh = tap_reply(OK);

		nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 2;
		ok(lnl_parse_tap(nlh, &t, NULL) == -EBADMSG,
		   "rejects a message shorter than the genl header");
	}
}

/* Every truncation of a valid reply is parsed or rejected, never overrun. */
static void test_truncations(void)
{
	struct nlmsghdr *nlh = tap_reply(OK);
	uint32_t full = nlh->nlmsg_len;
	int bad = 0;

	for (uint32_t len = MNL_NLMSG_HDRLEN; len < full; len++) {
		struct nlmsghdr *copy;
		struct lnl_tap t;
		int ret;

		tap_reply(OK);
		copy = malloc(len);
		memcpy(copy, buf, len);
		copy->nlmsg_len = len;
		ret = lnl_parse_tap(copy, &t, NULL);
		if (ret == 0)
			lnl_tap_free(&t);
		else if (ret != -EBADMSG)
			bad++;
		free(copy);
	}
	ok(bad == 0, "all %u truncations parse or fail with -EBADMSG (ASan watches reads)",
	   (unsigned int)(full - MNL_NLMSG_HDRLEN));
}

static void test_event(void)
{
	struct nlmsghdr *nlh;
	struct lnl_event ev;
	const uint64_t c[] = { 5, 10 };
	const int w[] = { LISTENIN_A_COUNTER_PACKETS, LISTENIN_A_COUNTER_COPIES };
	const char *why = NULL;

	nlh = start(LISTENIN_CMD_TAP_EXPIRED);
	mnl_attr_put_u32(nlh, LISTENIN_A_TAP_ID, 3);
	put_u64(nlh, LISTENIN_A_TAP_COOKIE, 99, LISTENIN_A_PAD);
	mnl_attr_put_u32(nlh, LISTENIN_A_TAP_END_CAUSE, LISTENIN_END_CAUSE_IDLE);
	put_counters(nlh, LISTENIN_A_TAP_COUNTERS, c, w, 2);
	ok(lnl_parse_event(nlh, &ev, &why) == 0 && ev.cmd == LISTENIN_CMD_TAP_EXPIRED &&
	   ev.id == 3 && ev.cookie == 99 && ev.end_cause == LISTENIN_END_CAUSE_IDLE &&
	   ev.counters.val[LISTENIN_A_COUNTER_COPIES] == 10,
	   "TAP_EXPIRED: id, cookie, cause idle, counters");
	ok(!strcmp(lnl_end_cause_name(ev.end_cause), "idle") &&
	   lnl_end_cause_name(LISTENIN_END_CAUSE_MAX + 1) == NULL,
	   "end cause names, NULL when unknown");

	nlh = start(LISTENIN_CMD_TAP_DELETED);
	mnl_attr_put_u32(nlh, LISTENIN_A_TAP_ID, 4);
	mnl_attr_put_u32(nlh, LISTENIN_A_TAP_END_CAUSE, LISTENIN_END_CAUSE_FLUSHED);
	ok(lnl_parse_event(nlh, &ev, NULL) == 0 && ev.cmd == LISTENIN_CMD_TAP_DELETED &&
	   ev.id == 4 && ev.counters.present == 0, "TAP_DELETED without counters");

	nlh = start(LISTENIN_CMD_TAP_GET);
	mnl_attr_put_u32(nlh, LISTENIN_A_TAP_ID, 4);
	ok(lnl_parse_event(nlh, &ev, &why) == -EBADMSG, "a TAP_GET is not an event");
	nlh = start(LISTENIN_CMD_TAP_DELETED);
	mnl_attr_put_u16(nlh, LISTENIN_A_TAP_END_CAUSE, 1);
	mnl_attr_put_u32(nlh, LISTENIN_A_TAP_ID, 4);
	ok(lnl_parse_event(nlh, &ev, &why) == -EBADMSG, "a 2-byte END_CAUSE is rejected");
}

static void test_stats(void)
{
	struct nlmsghdr *nlh;
	struct nlattr *n;
	struct lnl_stats ns, gl;

	nlh = start(LISTENIN_CMD_STATS_GET);
	n = mnl_attr_nest_start(nlh, LISTENIN_A_STATS_NAMESPACE);
	put_u64(nlh, LISTENIN_A_STATS_TAPS, 2, LISTENIN_A_STATS_PAD);
	put_u64(nlh, LISTENIN_A_STATS_NOT_RTP, 11, LISTENIN_A_STATS_PAD);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, LISTENIN_A_STATS_GLOBAL);
	for (uint16_t i = LISTENIN_A_STATS_TAPS; i <= LISTENIN_A_STATS_NOT_RTP; i++)
		put_u64(nlh, i, 1000 + i, LISTENIN_A_STATS_PAD);
	mnl_attr_nest_end(nlh, n);
	ok(lnl_parse_stats(nlh, &ns, &gl, NULL) == 0 &&
	   ns.val[LISTENIN_A_STATS_TAPS] == 2 && ns.val[LISTENIN_A_STATS_NOT_RTP] == 11 &&
	   ns.present == ((1U << LISTENIN_A_STATS_TAPS) | (1U << LISTENIN_A_STATS_NOT_RTP)) &&
	   gl.val[LISTENIN_A_STATS_FRAGMENTS] == 1000 + LISTENIN_A_STATS_FRAGMENTS,
	   "STATS_GET: namespace and global figures");
	ok(!strcmp(lnl_stats_name(LISTENIN_A_STATS_PACKETS_INSPECTED), "packets_inspected") &&
	   !strcmp(lnl_stats_name(LISTENIN_A_STATS_NOT_RTP), "not_rtp") &&
	   lnl_stats_name(LISTENIN_A_STATS_PAD) == NULL,
	   "statistics names match the sysfs file names; PAD has none");

	nlh = start(LISTENIN_CMD_STATS_GET);
	n = mnl_attr_nest_start(nlh, LISTENIN_A_STATS_NAMESPACE);
	mnl_attr_nest_end(nlh, n);
	ok(lnl_parse_stats(nlh, &ns, &gl, NULL) == -EBADMSG,
	   "a stats reply without global figures is rejected");
}

/*
 * lnl_ack_error() on one answer of a batch (tests/bench/taps packs many
 * requests per datagram): the kernel's message and the attribute its
 * offset points at, a plain ACK, and a truncated error message.
 */
static void test_ack_error(void)
{
	static char req[4096] __attribute__((aligned(8)));
	static char ack[4096] __attribute__((aligned(8)));
	struct lnl_stream streams[2];
	struct lnl_output outs[3];
	struct nlmsghdr *r, *a;
	const struct nlattr *attr;
	struct lnl_tap tap;
	struct nlmsgerr *e;
	struct lnl nl;
	const char *err;
	uint32_t off = 0;
	int ret;

	memset(&nl, 0, sizeof(nl));
	nl.family_id = 0x20;
	sample_tap(&tap, streams, outs);
	ret = lnl_build_tap_new(req, sizeof(req), nl.family_id, 7, &tap);
	ok(ret > 0, "a TAP_NEW request to answer (%d)", ret);
	r = (struct nlmsghdr *)req;
	mnl_attr_for_each(attr, r, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(attr) == LISTENIN_A_TAP_STREAMS)
			off = (uint32_t)((const char *)attr - req);

	a = mnl_nlmsg_put_header(ack);
	a->nlmsg_type = NLMSG_ERROR;
	a->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	e = mnl_nlmsg_put_extra_header(a, sizeof(*e));
	e->error = -EINVAL;
	e->msg = *r;
	mnl_attr_put_strz(a, NLMSGERR_ATTR_MSG, "no stream");
	mnl_attr_put_u32(a, NLMSGERR_ATTR_OFFS, off);
	ret = lnl_ack_error(&nl, a, r);
	err = lnl_error(&nl) ? lnl_error(&nl) : "";
	ok(ret == -EINVAL && off && strstr(err, "no stream") &&
	   strstr(err, "LISTENIN_A_TAP_STREAMS") && lnl_error_from_kernel(&nl),
	   "an error names the kernel's message and the attribute (%d, %s)",
	   ret, err);

	a = mnl_nlmsg_put_header(ack);
	a->nlmsg_type = NLMSG_ERROR;
	a->nlmsg_flags = NLM_F_CAPPED;
	e = mnl_nlmsg_put_extra_header(a, sizeof(*e));
	e->error = 0;
	e->msg = *r;
	ret = lnl_ack_error(&nl, a, r);
	ok(ret == 0 && !lnl_error(&nl) && !lnl_error_from_kernel(&nl),
	   "an ACK is no error (%d)", ret);

	a->nlmsg_len = sizeof(*a) + 2;
	ret = lnl_ack_error(&nl, a, r);
	err = lnl_error(&nl) ? lnl_error(&nl) : "";
	ok(ret == -EBADMSG && strstr(err, "truncated"),
	   "a truncated error message is malformed (%d, %s)", ret, err);
}

int main(void)
{
	printf("TAP version 13\n");
	test_tap();
	test_truncations();
	test_event();
	test_stats();
	test_ack_error();
	return tap_done();
}
