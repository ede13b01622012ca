// SPDX-License-Identifier: GPL-2.0
/*
 * TAP_NEW requests as lnl builds them, read back attribute by attribute
 * with libmnl against the tree uapi/linux/listenin.h documents.
 */
#include <arpa/inet.h>
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

#define FAMILY_ID 0x1234

static struct lnl_output tap_outs[3];
static struct lnl_stream streams[2];
static struct lnl_tap tap;

/* Attributes of a nest (or message) by type; counts repeats and strays. */
struct seen {
	const struct nlattr *tb[32];
	int count[32];
	int unnested;		/* nests without NLA_F_NESTED */
	int total;
};

static void collect(const void *payload, size_t len, struct seen *s)
{
	const struct nlattr *attr;

	memset(s, 0, sizeof(*s));
	mnl_attr_for_each_payload(payload, len) {
		uint16_t type = mnl_attr_get_type(attr);
		const struct nlattr *a = attr;

		s->total++;
		if (type < 32) {
			s->tb[type] = a;
			s->count[type]++;
		}
	}
}

static void collect_nest(const struct nlattr *nest, struct seen *s)
{
	collect(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest), s);
}

static int is_nested(const struct nlattr *a)
{
	return a && (a->nla_type & NLA_F_NESTED) &&
	       mnl_attr_validate(a, MNL_TYPE_NESTED) == 0;
}

static int u16_is(const struct nlattr *a, uint16_t v)
{
	return a && mnl_attr_get_payload_len(a) == 2 && mnl_attr_get_u16(a) == v;
}

static int u32_is(const struct nlattr *a, uint32_t v)
{
	return a && mnl_attr_get_payload_len(a) == 4 && mnl_attr_get_u32(a) == v;
}

static int addr_is(const struct nlattr *a, const char *s)
{
	struct addr want;

	sample_addr(&want, s);
	return a && mnl_attr_get_payload_len(a) == addr_len(&want) &&
	       !memcmp(mnl_attr_get_payload(a), want.bytes, addr_len(&want));
}

static void check_output(const struct nlattr *nest, const char *dst,
			 uint16_t dport, const char *src, uint16_t sport,
			 uint32_t flags, const char *name)
{
	struct seen s;

	collect_nest(nest, &s);
	ok(addr_is(s.tb[LISTENIN_A_OUTPUT_DST_ADDR], dst) &&
	   u16_is(s.tb[LISTENIN_A_OUTPUT_DST_PORT], dport),
	   "%s: OUTPUT_DST_ADDR %s, OUTPUT_DST_PORT %u (host order)", name, dst, dport);
	ok(addr_is(s.tb[LISTENIN_A_OUTPUT_SRC_ADDR], src) &&
	   u16_is(s.tb[LISTENIN_A_OUTPUT_SRC_PORT], sport),
	   "%s: OUTPUT_SRC_ADDR %s, OUTPUT_SRC_PORT %u", name, src, sport);
	if (flags)
		ok(u32_is(s.tb[LISTENIN_A_OUTPUT_FLAGS], flags),
		   "%s: OUTPUT_FLAGS 0x%x", name, flags);
	else
		ok(!s.tb[LISTENIN_A_OUTPUT_FLAGS], "%s: no OUTPUT_FLAGS when 0", name);
	ok(!s.tb[LISTENIN_A_OUTPUT_COUNTERS] && s.total == 4 + !!flags,
	   "%s: nothing but the documented request attributes", name);
}

static void test_tree(void)
{
	static char buf[8192];
	const struct nlmsghdr *nlh = (const void *)buf;
	const struct genlmsghdr *genl;
	const struct nlattr *a;
	struct seen top, list, st, outl;
	const struct nlattr *entries[4];
	int n = 0, len;

	len = lnl_build_tap_new(buf, sizeof(buf), FAMILY_ID, 77, &tap);
	ok(len > 0 && (size_t)len == nlh->nlmsg_len, "TAP_NEW builds (%d bytes)", len);
	if (len <= 0)
		return;
	ok(nlh->nlmsg_type == FAMILY_ID && nlh->nlmsg_seq == 77 &&
	   (nlh->nlmsg_flags & NLM_F_REQUEST) && !(nlh->nlmsg_flags & NLM_F_DUMP),
	   "header: family id, sequence number, NLM_F_REQUEST");
	genl = mnl_nlmsg_get_payload(nlh);
	ok(genl->cmd == LISTENIN_CMD_TAP_NEW && genl->version == LISTENIN_GENL_VERSION,
	   "genl header: LISTENIN_CMD_TAP_NEW, version %d", LISTENIN_GENL_VERSION);

	collect((const char *)genl + sizeof(*genl),
		mnl_nlmsg_get_payload_len(nlh) - sizeof(*genl), &top);
	ok(top.tb[LISTENIN_A_TAP_COOKIE] &&
	   mnl_attr_get_payload_len(top.tb[LISTENIN_A_TAP_COOKIE]) == 8 &&
	   mnl_attr_get_u64(top.tb[LISTENIN_A_TAP_COOKIE]) == tap.cookie,
	   "TAP_COOKIE is the u64 cookie");
	ok(u32_is(top.tb[LISTENIN_A_TAP_IDLE_TIMEOUT], 45), "TAP_IDLE_TIMEOUT is u32 45");
	ok(is_nested(top.tb[LISTENIN_A_TAP_STREAMS]) &&
	   top.count[LISTENIN_A_TAP_STREAMS] == 1,
	   "one TAP_STREAMS nest, flagged NLA_F_NESTED");
	ok(top.total == 3 && !top.tb[LISTENIN_A_TAP_ID] && !top.tb[LISTENIN_A_TAP_COUNTERS],
	   "no other top-level attribute (no id, no counters)");
	if (!top.tb[LISTENIN_A_TAP_STREAMS])
		return;

	collect_nest(top.tb[LISTENIN_A_TAP_STREAMS], &list);
	mnl_attr_for_each_nested(a, top.tb[LISTENIN_A_TAP_STREAMS])
		if (n < 4)
			entries[n++] = a;
	ok(list.count[LISTENIN_A_STREAM] == 2 && list.total == 2,
	   "TAP_STREAMS holds exactly two LISTENIN_A_STREAM entries");
	ok(n == 2 && is_nested(entries[0]) && is_nested(entries[1]),
	   "each stream entry is a nest");
	if (n != 2)
		return;

	collect_nest(entries[0], &st);
	ok(u16_is(st.tb[LISTENIN_A_STREAM_FAMILY], AF_INET), "stream 1: STREAM_FAMILY AF_INET");
	ok(addr_is(st.tb[LISTENIN_A_STREAM_DST_ADDR], "10.0.0.5") &&
	   u16_is(st.tb[LISTENIN_A_STREAM_DST_PORT], 40000),
	   "stream 1: DST_ADDR 4 bytes network order, DST_PORT 40000 host order");
	ok(addr_is(st.tb[LISTENIN_A_STREAM_SRC_ADDR], "198.51.100.7") &&
	   u16_is(st.tb[LISTENIN_A_STREAM_SRC_PORT], 7078),
	   "stream 1: SRC_ADDR and SRC_PORT");
	ok(u32_is(st.tb[LISTENIN_A_STREAM_SSRC], 0xdeadbeef), "stream 1: SSRC u32");
	ok(u32_is(st.tb[LISTENIN_A_STREAM_FLAGS], LISTENIN_STREAM_F_RTCP),
	   "stream 1: FLAGS LISTENIN_STREAM_F_RTCP");
	ok(is_nested(st.tb[LISTENIN_A_STREAM_OUTPUTS]) && !st.tb[LISTENIN_A_STREAM_COUNTERS] &&
	   st.total == 8, "stream 1: one OUTPUTS nest, nothing else");
	if (st.tb[LISTENIN_A_STREAM_OUTPUTS]) {
		const struct nlattr *o[2];
		int k = 0;

		collect_nest(st.tb[LISTENIN_A_STREAM_OUTPUTS], &outl);
		ok(outl.count[LISTENIN_A_OUTPUT] == 2 && outl.total == 2,
		   "stream 1: OUTPUTS holds exactly two LISTENIN_A_OUTPUT entries");
		mnl_attr_for_each_nested(a, st.tb[LISTENIN_A_STREAM_OUTPUTS])
			if (k < 2 && is_nested(a))
				o[k++] = a;
		if (k == 2) {
			check_output(o[0], "10.9.0.2", 5004, "10.0.0.1", 30000,
				     LISTENIN_OUTPUT_F_LISTEN_ONLY, "stream 1 output 1");
			check_output(o[1], "10.9.0.3", 5006, "10.0.0.1", 30002, 0,
				     "stream 1 output 2");
		}
	}

	collect_nest(entries[1], &st);
	ok(u16_is(st.tb[LISTENIN_A_STREAM_FAMILY], AF_INET6) &&
	   addr_is(st.tb[LISTENIN_A_STREAM_DST_ADDR], "2001:db8::5") &&
	   u16_is(st.tb[LISTENIN_A_STREAM_DST_PORT], 40002),
	   "stream 2: AF_INET6, 16-byte DST_ADDR, DST_PORT");
	ok(!st.tb[LISTENIN_A_STREAM_SRC_ADDR] && !st.tb[LISTENIN_A_STREAM_SRC_PORT] &&
	   !st.tb[LISTENIN_A_STREAM_SSRC] && !st.tb[LISTENIN_A_STREAM_FLAGS],
	   "stream 2: \"any\" source, SSRC and no flags are left out, not sent as 0");
	if (st.tb[LISTENIN_A_STREAM_OUTPUTS]) {
		mnl_attr_for_each_nested(a, st.tb[LISTENIN_A_STREAM_OUTPUTS])
			check_output(a, "2001:db8::9", 6000, "2001:db8::1", 6002, 0,
				     "stream 2 output 1");
	}
}

static void test_round_trip(void)
{
	static char buf[8192];
	struct lnl_tap back;
	const char *why = NULL;
	int ret, same = 1;

	lnl_build_tap_new(buf, sizeof(buf), FAMILY_ID, 1, &tap);
	ret = lnl_parse_tap((const struct nlmsghdr *)buf, &back, &why);
	/* A request has no id; the parser requires one as replies have it. */
	ok(ret == -EBADMSG && why && strstr(why, "tap id"),
	   "a request without TAP_ID is not a valid tap message (%s)", why ? why : "");

	/* Add the id as a reply would and read everything back. */
	mnl_attr_put_u32((struct nlmsghdr *)buf, LISTENIN_A_TAP_ID, 9);
	ret = lnl_parse_tap((const struct nlmsghdr *)buf, &back, &why);
	ok(ret == 0, "the request plus TAP_ID parses as a tap");
	if (ret)
		return;
	ok(back.id == 9 && back.cookie == tap.cookie && back.idle_timeout == 45 &&
	   back.n_streams == 2, "id, cookie, idle timeout and stream count survive");
	for (size_t i = 0; i < 2 && back.n_streams == 2; i++) {
		const struct lnl_stream *a = &tap.streams[i], *b = &back.streams[i];

		same &= addr_equal(&a->dst, &b->dst) && a->dst_port == b->dst_port &&
			a->src.family == b->src.family && a->src_port == b->src_port &&
			a->has_ssrc == b->has_ssrc && a->ssrc == b->ssrc &&
			a->flags == b->flags && a->n_outputs == b->n_outputs;
		if (a->src.family)
			same &= addr_equal(&a->src, &b->src);
		for (size_t j = 0; same && j < a->n_outputs; j++) {
			const struct lnl_output *x = &a->outputs[j], *y = &b->outputs[j];

			same &= addr_equal(&x->dst, &y->dst) && x->dst_port == y->dst_port &&
				addr_equal(&x->src, &y->src) && x->src_port == y->src_port &&
				x->flags == y->flags;
		}
	}
	ok(same, "every stream and output field survives build and parse");
	lnl_tap_free(&back);
}

static void test_sizes(void)
{
	static char full[8192];
	int need = lnl_build_tap_new(full, sizeof(full), FAMILY_ID, 1, &tap);
	int bad = 0;

	for (int len = 0; len < need; len++) {
		char *buf = malloc(len ? (size_t)len : 1);

		if (lnl_build_tap_new(buf, (size_t)len, FAMILY_ID, 1, &tap) != -EMSGSIZE)
			bad++;
		free(buf);
	}
	ok(need > 0 && bad == 0,
	   "every buffer shorter than %d bytes gives -EMSGSIZE without overflowing", need);
	{
		char *buf = malloc((size_t)need);

		ok(lnl_build_tap_new(buf, (size_t)need, FAMILY_ID, 1, &tap) == need &&
		   !memcmp(buf, full, (size_t)need), "an exact-size buffer is enough");
		free(buf);
	}
}

static void test_invalid(void)
{
	static char buf[8192];
	struct lnl_stream s = streams[0];
	struct lnl_output o = tap_outs[0];
	struct lnl_tap t = { .streams = &s, .n_streams = 1 };

	s.outputs = &o;
	s.n_outputs = 1;
	sample_addr(&o.dst, "2001:db8::1");
	ok(lnl_build_tap_new(buf, sizeof(buf), FAMILY_ID, 1, &t) == -EINVAL,
	   "an IPv6 output in an IPv4 stream is refused with -EINVAL");
	o = tap_outs[0];
	sample_addr(&s.src, "2001:db8::1");
	ok(lnl_build_tap_new(buf, sizeof(buf), FAMILY_ID, 1, &t) == -EINVAL,
	   "an IPv6 source in an IPv4 stream is refused with -EINVAL");
	s = streams[0];
	s.outputs = &o;
	s.n_outputs = 1;
	memset(&s.dst, 0, sizeof(s.dst));
	ok(lnl_build_tap_new(buf, sizeof(buf), FAMILY_ID, 1, &t) == -EINVAL,
	   "a stream without a destination family is refused with -EINVAL");
}

static void test_big(void)
{
	/* More than a 16-bit nest can hold: must fail cleanly, not wrap. */
	size_t n = 1200, len = 1 << 20;
	struct lnl_output *outs = calloc(n, sizeof(*outs));
	struct lnl_stream s = streams[1];
	struct lnl_tap t = { .streams = &s, .n_streams = 1 };
	char *buf = malloc(len);

	for (size_t i = 0; i < n; i++)
		outs[i] = tap_outs[2];
	s.outputs = outs;
	s.n_outputs = n;
	ok(lnl_build_tap_new(buf, len, FAMILY_ID, 1, &t) == -EMSGSIZE,
	   "%zu IPv6 outputs overflow a 64 KiB nest: -EMSGSIZE", n);
	s.n_outputs = 100;
	ok(lnl_build_tap_new(buf, len, FAMILY_ID, 1, &t) > 0, "100 outputs fit");
	free(buf);
	free(outs);
}

/* The n-th (1-based) attribute of type inside nest, or NULL. */
static const struct nlattr *nth(const struct nlattr *nest, uint16_t type, int n)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type && --n == 0)
			return a;
	return NULL;
}

static void test_where(void)
{
	static char buf[8192];
	const struct nlmsghdr *nlh = (const void *)buf;
	const struct nlattr *list, *s2, *outs, *o1, *src, *s1, *o2;
	char w[256];
	uint32_t off;

	lnl_build_tap_new(buf, sizeof(buf), FAMILY_ID, 1, &tap);
	list = NULL;
	{
		const struct nlattr *a;

		mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
			if (mnl_attr_get_type(a) == LISTENIN_A_TAP_STREAMS)
				list = a;
	}
	s2 = list ? nth(list, LISTENIN_A_STREAM, 2) : NULL;
	outs = s2 ? nth(s2, LISTENIN_A_STREAM_OUTPUTS, 1) : NULL;
	o1 = outs ? nth(outs, LISTENIN_A_OUTPUT, 1) : NULL;
	src = o1 ? nth(o1, LISTENIN_A_OUTPUT_SRC_ADDR, 1) : NULL;
	ok(src != NULL, "found stream 2, output 1, OUTPUT_SRC_ADDR by walking");
	if (!src)
		return;
	off = (uint32_t)((const char *)src - buf);
	ok(lnl_where(nlh, off, w, sizeof(w)) &&
	   !strcmp(w, "stream 2, output 1, LISTENIN_A_OUTPUT_SRC_ADDR"),
	   "extack offset %u names \"%s\"", off, w);
	off = (uint32_t)((const char *)list - buf);
	ok(lnl_where(nlh, off, w, sizeof(w)) && !strcmp(w, "LISTENIN_A_TAP_STREAMS"),
	   "offset of the STREAMS nest names it (\"%s\")", w);
	ok(!lnl_where(nlh, off + 1, w, sizeof(w)),
	   "an offset inside an attribute header names nothing");
	ok(!lnl_where(nlh, nlh->nlmsg_len + 4, w, sizeof(w)),
	   "an offset past the message names nothing");
	s1 = nth(list, LISTENIN_A_STREAM, 1);
	outs = nth(s1, LISTENIN_A_STREAM_OUTPUTS, 1);
	o2 = nth(outs, LISTENIN_A_OUTPUT, 2);
	off = (uint32_t)((const char *)o2 - buf);
	ok(lnl_where_missing(nlh, LISTENIN_A_OUTPUT_SRC_PORT, true, off, w, sizeof(w)) &&
	   !strcmp(w, "LISTENIN_A_OUTPUT_SRC_PORT in stream 1, output 2"),
	   "a missing attribute in a nest: \"%s\"", w);
	ok(lnl_where_missing(nlh, LISTENIN_A_TAP_STREAMS, false, 0, w, sizeof(w)) &&
	   !strcmp(w, "LISTENIN_A_TAP_STREAMS"),
	   "a missing top-level attribute: \"%s\"", w);
	{
		/* A last attribute whose padding runs past the message (fuzzer). */
		const uint8_t tail[5] = { 5, 0, 0, 0, 0x32 };
		size_t n = MNL_NLMSG_HDRLEN + 4 + sizeof(tail);
		struct nlmsghdr *m = calloc(1, n);
		int found = 0;

		m->nlmsg_len = (uint32_t)n;
		memcpy((char *)m + MNL_NLMSG_HDRLEN + 4, tail, sizeof(tail));
		for (uint32_t o = 0; o < n + 8; o++)
			found += lnl_where(m, o, w, sizeof(w));
		ok(found == 1, "an unpadded last attribute is found once, nothing read past it");
		free(m);
	}
}

int main(void)
{
	printf("TAP version 13\n");
	sample_tap(&tap, streams, tap_outs);
	test_tree();
	test_round_trip();
	test_sizes();
	test_invalid();
	test_big();
	test_where();
	return tap_done();
}
