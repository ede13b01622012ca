// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/genetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netlink/internal.h"

static const char *check_kind(const struct nlattr *a, enum lnl_kind kind)
{
	uint16_t len = mnl_attr_get_payload_len(a);

	switch (kind) {
	case LNL_U16:
		return len == 2 ? NULL : "a 16-bit attribute has the wrong length";
	case LNL_U32:
		return len == 4 ? NULL : "a 32-bit attribute has the wrong length";
	case LNL_U64:
		return len == 8 ? NULL : "a 64-bit attribute has the wrong length";
	case LNL_ADDR:
		return len == 4 || len == 16 ? NULL :
		       "an address attribute is neither 4 nor 16 bytes long";
	case LNL_NEST:
		return mnl_attr_validate(a, MNL_TYPE_NESTED) ? "a nested attribute is malformed" : NULL;
	default:
		return NULL;
	}
}

int lnl_attrs_parse(const void *payload, size_t len, const enum lnl_kind *policy,
		    unsigned int max, const struct nlattr **tb,
		    const char **why)
{
	const char *p = payload;
	const char *err;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	while (len > 0) {
		const struct nlattr *a = (const struct nlattr *)p;
		unsigned int type;
		size_t step;

		if (len > INT32_MAX || !mnl_attr_ok(a, (int)len)) {
			*why = "an attribute overruns its message";
			return -EBADMSG;
		}
		type = mnl_attr_get_type(a);
		if (type <= max && policy[type] != LNL_NONE &&
		    policy[type] != LNL_PAD) {
			err = check_kind(a, policy[type]);
			if (err) {
				*why = err;
				return -EBADMSG;
			}
			tb[type] = a;
		}
		step = MNL_ALIGN(a->nla_len);
		if (step > len)
			step = len;
		p += step;
		len -= step;
	}
	return 0;
}

static int parse_nest(const struct nlattr *nest, const enum lnl_kind *policy,
		      unsigned int max, const struct nlattr **tb,
		      const char **why)
{
	return lnl_attrs_parse(mnl_attr_get_payload(nest),
			       mnl_attr_get_payload_len(nest), policy, max, tb,
			       why);
}

static const enum lnl_kind counter_policy[LISTENIN_A_COUNTER_MAX + 1] = {
	[LISTENIN_A_COUNTER_PACKETS] = LNL_U64,
	[LISTENIN_A_COUNTER_BYTES] = LNL_U64,
	[LISTENIN_A_COUNTER_COPIES] = LNL_U64,
	[LISTENIN_A_COUNTER_COPY_BYTES] = LNL_U64,
	[LISTENIN_A_COUNTER_COPY_FAILURES] = LNL_U64,
	[LISTENIN_A_COUNTER_TALKBACK_DROPPED] = LNL_U64,
	[LISTENIN_A_COUNTER_PAD] = LNL_PAD,
};

int lnl_parse_counters(const struct nlattr *nest, struct lnl_counters *c,
		       const char **why)
{
	const struct nlattr *tb[LISTENIN_A_COUNTER_MAX + 1];
	int ret;

	memset(c, 0, sizeof(*c));
	ret = parse_nest(nest, counter_policy, LISTENIN_A_COUNTER_MAX, tb, why);
	if (ret)
		return ret;
	for (unsigned int i = 1; i <= LISTENIN_A_COUNTER_MAX; i++) {
		if (!tb[i])
			continue;
		c->val[i] = mnl_attr_get_u64(tb[i]);
		c->present |= 1U << i;
	}
	return 0;
}

static const enum lnl_kind stats_policy[LISTENIN_A_STATS_MAX + 1] = {
	[LISTENIN_A_STATS_TAPS] = LNL_U64,
	[LISTENIN_A_STATS_STREAMS] = LNL_U64,
	[LISTENIN_A_STATS_OUTPUTS] = LNL_U64,
	[LISTENIN_A_STATS_PACKETS_INSPECTED] = LNL_U64,
	[LISTENIN_A_STATS_PACKETS_MATCHED] = LNL_U64,
	[LISTENIN_A_STATS_COPIES_SENT] = LNL_U64,
	[LISTENIN_A_STATS_COPY_FAILURES] = LNL_U64,
	[LISTENIN_A_STATS_TALKBACK_DROPPED] = LNL_U64,
	[LISTENIN_A_STATS_TAPS_EXPIRED] = LNL_U64,
	[LISTENIN_A_STATS_NOT_UDP] = LNL_U64,
	[LISTENIN_A_STATS_FRAGMENTS] = LNL_U64,
	[LISTENIN_A_STATS_MALFORMED] = LNL_U64,
	[LISTENIN_A_STATS_NOT_RTP] = LNL_U64,
	[LISTENIN_A_STATS_PAD] = LNL_PAD,
};

static int parse_stats_nest(const struct nlattr *nest, struct lnl_stats *s,
			    const char **why)
{
	const struct nlattr *tb[LISTENIN_A_STATS_MAX + 1];
	int ret;

	memset(s, 0, sizeof(*s));
	ret = parse_nest(nest, stats_policy, LISTENIN_A_STATS_MAX, tb, why);
	if (ret)
		return ret;
	for (unsigned int i = 1; i <= LISTENIN_A_STATS_MAX; i++) {
		if (!tb[i])
			continue;
		s->val[i] = mnl_attr_get_u64(tb[i]);
		s->present |= 1U << i;
	}
	return 0;
}

static const enum lnl_kind output_policy[LISTENIN_A_OUTPUT_MAX + 1] = {
	[LISTENIN_A_OUTPUT_DST_ADDR] = LNL_ADDR,
	[LISTENIN_A_OUTPUT_DST_PORT] = LNL_U16,
	[LISTENIN_A_OUTPUT_SRC_ADDR] = LNL_ADDR,
	[LISTENIN_A_OUTPUT_SRC_PORT] = LNL_U16,
	[LISTENIN_A_OUTPUT_FLAGS] = LNL_U32,
	[LISTENIN_A_OUTPUT_COUNTERS] = LNL_NEST,
};

static bool get_addr(const struct nlattr *a, int family, struct addr *out)
{
	return addr_set(out, family, mnl_attr_get_payload(a),
			mnl_attr_get_payload_len(a));
}

static int parse_output(const struct nlattr *nest, int family,
			struct lnl_output *o, const char **why)
{
	const struct nlattr *tb[LISTENIN_A_OUTPUT_MAX + 1];
	int ret;

	ret = parse_nest(nest, output_policy, LISTENIN_A_OUTPUT_MAX, tb, why);
	if (ret)
		return ret;
	if (!tb[LISTENIN_A_OUTPUT_DST_ADDR] || !tb[LISTENIN_A_OUTPUT_DST_PORT] ||
	    !tb[LISTENIN_A_OUTPUT_SRC_ADDR] || !tb[LISTENIN_A_OUTPUT_SRC_PORT]) {
		*why = "an output lacks its destination or source address or port";
		return -EBADMSG;
	}
	if (!get_addr(tb[LISTENIN_A_OUTPUT_DST_ADDR], family, &o->dst) ||
	    !get_addr(tb[LISTENIN_A_OUTPUT_SRC_ADDR], family, &o->src)) {
		*why = "an output address does not have the stream's family";
		return -EBADMSG;
	}
	o->dst_port = mnl_attr_get_u16(tb[LISTENIN_A_OUTPUT_DST_PORT]);
	o->src_port = mnl_attr_get_u16(tb[LISTENIN_A_OUTPUT_SRC_PORT]);
	if (tb[LISTENIN_A_OUTPUT_FLAGS])
		o->flags = mnl_attr_get_u32(tb[LISTENIN_A_OUTPUT_FLAGS]);
	if (tb[LISTENIN_A_OUTPUT_COUNTERS])
		return lnl_parse_counters(tb[LISTENIN_A_OUTPUT_COUNTERS],
					  &o->counters, why);
	return 0;
}

/* Counts the entries of a list nest, each a nest of type entry_type. */
static int count_entries(const struct nlattr *list, uint16_t entry_type,
			 size_t *n, const char **why)
{
	const struct nlattr *a;
	size_t seen = 0, count = 0;

	mnl_attr_for_each_nested(a, list) {
		seen += MNL_ALIGN(a->nla_len);
		if (mnl_attr_get_type(a) != entry_type)
			continue;
		if (mnl_attr_validate(a, MNL_TYPE_NESTED)) {
			*why = "a list entry is not a valid nest";
			return -EBADMSG;
		}
		count++;
	}
	if (seen < mnl_attr_get_payload_len(list)) {
		*why = "an attribute overruns its list";
		return -EBADMSG;
	}
	*n = count;
	return 0;
}

static const enum lnl_kind stream_policy[LISTENIN_A_STREAM_MAX + 1] = {
	[LISTENIN_A_STREAM_FAMILY] = LNL_U16,
	[LISTENIN_A_STREAM_DST_ADDR] = LNL_ADDR,
	[LISTENIN_A_STREAM_DST_PORT] = LNL_U16,
	[LISTENIN_A_STREAM_SRC_ADDR] = LNL_ADDR,
	[LISTENIN_A_STREAM_SRC_PORT] = LNL_U16,
	[LISTENIN_A_STREAM_SSRC] = LNL_U32,
	[LISTENIN_A_STREAM_FLAGS] = LNL_U32,
	[LISTENIN_A_STREAM_OUTPUTS] = LNL_NEST,
	[LISTENIN_A_STREAM_COUNTERS] = LNL_NEST,
};

static int parse_stream(const struct nlattr *nest, struct lnl_stream *s,
			const char **why)
{
	const struct nlattr *tb[LISTENIN_A_STREAM_MAX + 1];
	const struct nlattr *a;
	int family, ret;
	size_t n;

	ret = parse_nest(nest, stream_policy, LISTENIN_A_STREAM_MAX, tb, why);
	if (ret)
		return ret;
	if (!tb[LISTENIN_A_STREAM_FAMILY] || !tb[LISTENIN_A_STREAM_DST_ADDR] ||
	    !tb[LISTENIN_A_STREAM_DST_PORT]) {
		*why = "a stream lacks its family, destination address or port";
		return -EBADMSG;
	}
	family = mnl_attr_get_u16(tb[LISTENIN_A_STREAM_FAMILY]);
	if (family != AF_INET && family != AF_INET6) {
		*why = "a stream's family is neither AF_INET nor AF_INET6";
		return -EBADMSG;
	}
	if (!get_addr(tb[LISTENIN_A_STREAM_DST_ADDR], family, &s->dst) ||
	    (tb[LISTENIN_A_STREAM_SRC_ADDR] &&
	     !get_addr(tb[LISTENIN_A_STREAM_SRC_ADDR], family, &s->src))) {
		*why = "a stream address does not have the stream's family";
		return -EBADMSG;
	}
	s->dst_port = mnl_attr_get_u16(tb[LISTENIN_A_STREAM_DST_PORT]);
	if (tb[LISTENIN_A_STREAM_SRC_PORT])
		s->src_port = mnl_attr_get_u16(tb[LISTENIN_A_STREAM_SRC_PORT]);
	if (tb[LISTENIN_A_STREAM_SSRC]) {
		s->has_ssrc = true;
		s->ssrc = mnl_attr_get_u32(tb[LISTENIN_A_STREAM_SSRC]);
	}
	if (tb[LISTENIN_A_STREAM_FLAGS])
		s->flags = mnl_attr_get_u32(tb[LISTENIN_A_STREAM_FLAGS]);
	if (tb[LISTENIN_A_STREAM_COUNTERS]) {
		ret = lnl_parse_counters(tb[LISTENIN_A_STREAM_COUNTERS],
					 &s->counters, why);
		if (ret)
			return ret;
	}
	if (!tb[LISTENIN_A_STREAM_OUTPUTS])
		return 0;
	ret = count_entries(tb[LISTENIN_A_STREAM_OUTPUTS], LISTENIN_A_OUTPUT,
			    &n, why);
	if (ret || !n)
		return ret;
	s->outputs = calloc(n, sizeof(*s->outputs));
	if (!s->outputs)
		return -ENOMEM;
	mnl_attr_for_each_nested(a, tb[LISTENIN_A_STREAM_OUTPUTS]) {
		if (mnl_attr_get_type(a) != LISTENIN_A_OUTPUT)
			continue;
		ret = parse_output(a, family, &s->outputs[s->n_outputs++], why);
		if (ret)
			return ret;
	}
	return 0;
}

static const enum lnl_kind tap_policy[LISTENIN_A_MAX + 1] = {
	[LISTENIN_A_TAP_ID] = LNL_U32,
	[LISTENIN_A_TAP_COOKIE] = LNL_U64,
	[LISTENIN_A_TAP_IDLE_TIMEOUT] = LNL_U32,
	[LISTENIN_A_TAP_IDLE_MSECS] = LNL_U32,
	[LISTENIN_A_TAP_STREAMS] = LNL_NEST,
	[LISTENIN_A_TAP_COUNTERS] = LNL_NEST,
	[LISTENIN_A_TAP_END_CAUSE] = LNL_U32,
	[LISTENIN_A_FLUSH_COUNT] = LNL_U32,
	[LISTENIN_A_STATS_NAMESPACE] = LNL_NEST,
	[LISTENIN_A_STATS_GLOBAL] = LNL_NEST,
	[LISTENIN_A_PAD] = LNL_PAD,
};

static int parse_top(const struct nlmsghdr *nlh, const struct nlattr **tb,
		     const char **why)
{
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct genlmsghdr)) {
		*why = "message too short for a generic netlink header";
		return -EBADMSG;
	}
	return lnl_attrs_parse(LNL_GENL_PAYLOAD(nlh), LNL_GENL_PAYLOAD_LEN(nlh),
			       tap_policy, LISTENIN_A_MAX, tb, why);
}

static int parse_tap(const struct nlmsghdr *nlh, struct lnl_tap *tap,
		     const char **why)
{
	const struct nlattr *tb[LISTENIN_A_MAX + 1];
	const struct nlattr *a;
	size_t n;
	int ret;

	ret = parse_top(nlh, tb, why);
	if (ret)
		return ret;
	if (!tb[LISTENIN_A_TAP_ID]) {
		*why = "a tap message lacks the tap id";
		return -EBADMSG;
	}
	tap->id = mnl_attr_get_u32(tb[LISTENIN_A_TAP_ID]);
	if (tb[LISTENIN_A_TAP_COOKIE])
		tap->cookie = mnl_attr_get_u64(tb[LISTENIN_A_TAP_COOKIE]);
	if (tb[LISTENIN_A_TAP_IDLE_TIMEOUT])
		tap->idle_timeout = mnl_attr_get_u32(tb[LISTENIN_A_TAP_IDLE_TIMEOUT]);
	if (tb[LISTENIN_A_TAP_IDLE_MSECS])
		tap->idle_msecs = mnl_attr_get_u32(tb[LISTENIN_A_TAP_IDLE_MSECS]);
	if (tb[LISTENIN_A_TAP_COUNTERS]) {
		ret = lnl_parse_counters(tb[LISTENIN_A_TAP_COUNTERS],
					 &tap->counters, why);
		if (ret)
			return ret;
	}
	if (!tb[LISTENIN_A_TAP_STREAMS])
		return 0;
	ret = count_entries(tb[LISTENIN_A_TAP_STREAMS], LISTENIN_A_STREAM, &n,
			    why);
	if (ret || !n)
		return ret;
	tap->streams = calloc(n, sizeof(*tap->streams));
	if (!tap->streams)
		return -ENOMEM;
	mnl_attr_for_each_nested(a, tb[LISTENIN_A_TAP_STREAMS]) {
		if (mnl_attr_get_type(a) != LISTENIN_A_STREAM)
			continue;
		ret = parse_stream(a, &tap->streams[tap->n_streams++], why);
		if (ret)
			return ret;
	}
	return 0;
}

int lnl_parse_tap(const struct nlmsghdr *nlh, struct lnl_tap *tap,
		  const char **why)
{
	const char *dummy;
	int ret;

	memset(tap, 0, sizeof(*tap));
	ret = parse_tap(nlh, tap, why ? why : &dummy);
	if (ret)
		lnl_tap_free(tap);
	return ret;
}

int lnl_parse_event(const struct nlmsghdr *nlh, struct lnl_event *ev,
		    const char **why)
{
	const struct nlattr *tb[LISTENIN_A_MAX + 1];
	const struct genlmsghdr *genl;
	const char *dummy;
	int ret;

	if (!why)
		why = &dummy;
	memset(ev, 0, sizeof(*ev));
	ret = parse_top(nlh, tb, why);
	if (ret)
		return ret;
	genl = mnl_nlmsg_get_payload(nlh);
	if (genl->cmd != LISTENIN_CMD_TAP_EXPIRED &&
	    genl->cmd != LISTENIN_CMD_TAP_DELETED) {
		*why = "not a tap event";
		return -EBADMSG;
	}
	if (!tb[LISTENIN_A_TAP_ID]) {
		*why = "a tap event lacks the tap id";
		return -EBADMSG;
	}
	ev->cmd = genl->cmd;
	ev->id = mnl_attr_get_u32(tb[LISTENIN_A_TAP_ID]);
	if (tb[LISTENIN_A_TAP_COOKIE])
		ev->cookie = mnl_attr_get_u64(tb[LISTENIN_A_TAP_COOKIE]);
	if (tb[LISTENIN_A_TAP_END_CAUSE])
		ev->end_cause = mnl_attr_get_u32(tb[LISTENIN_A_TAP_END_CAUSE]);
	if (tb[LISTENIN_A_TAP_COUNTERS])
		return lnl_parse_counters(tb[LISTENIN_A_TAP_COUNTERS],
					  &ev->counters, why);
	return 0;
}

int lnl_parse_stats(const struct nlmsghdr *nlh, struct lnl_stats *ns,
		    struct lnl_stats *global, const char **why)
{
	const struct nlattr *tb[LISTENIN_A_MAX + 1];
	struct lnl_stats tmp;
	const char *dummy;
	int ret;

	if (!why)
		why = &dummy;
	ret = parse_top(nlh, tb, why);
	if (ret)
		return ret;
	if (!tb[LISTENIN_A_STATS_NAMESPACE] || !tb[LISTENIN_A_STATS_GLOBAL]) {
		*why = "a stats reply lacks the namespace or global figures";
		return -EBADMSG;
	}
	ret = parse_stats_nest(tb[LISTENIN_A_STATS_NAMESPACE], ns ? ns : &tmp, why);
	if (ret)
		return ret;
	return parse_stats_nest(tb[LISTENIN_A_STATS_GLOBAL], global ? global : &tmp,
				why);
}

void lnl_tap_free(struct lnl_tap *tap)
{
	for (size_t i = 0; i < tap->n_streams; i++)
		free(tap->streams[i].outputs);
	free(tap->streams);
	memset(tap, 0, sizeof(*tap));
}

static const char *const counter_names[LISTENIN_A_COUNTER_MAX + 1] = {
	[LISTENIN_A_COUNTER_PACKETS] = "packets",
	[LISTENIN_A_COUNTER_BYTES] = "bytes",
	[LISTENIN_A_COUNTER_COPIES] = "copies",
	[LISTENIN_A_COUNTER_COPY_BYTES] = "copy_bytes",
	[LISTENIN_A_COUNTER_COPY_FAILURES] = "copy_failures",
	[LISTENIN_A_COUNTER_TALKBACK_DROPPED] = "talkback_dropped",
};

static const char *const stats_names[LISTENIN_A_STATS_MAX + 1] = {
	[LISTENIN_A_STATS_TAPS] = "taps",
	[LISTENIN_A_STATS_STREAMS] = "streams",
	[LISTENIN_A_STATS_OUTPUTS] = "outputs",
	[LISTENIN_A_STATS_PACKETS_INSPECTED] = "packets_inspected",
	[LISTENIN_A_STATS_PACKETS_MATCHED] = "packets_matched",
	[LISTENIN_A_STATS_COPIES_SENT] = "copies_sent",
	[LISTENIN_A_STATS_COPY_FAILURES] = "copy_failures",
	[LISTENIN_A_STATS_TALKBACK_DROPPED] = "talkback_dropped",
	[LISTENIN_A_STATS_TAPS_EXPIRED] = "taps_expired",
	[LISTENIN_A_STATS_NOT_UDP] = "not_udp",
	[LISTENIN_A_STATS_FRAGMENTS] = "fragments",
	[LISTENIN_A_STATS_MALFORMED] = "malformed",
	[LISTENIN_A_STATS_NOT_RTP] = "not_rtp",
};

static const char *const end_cause_names[LISTENIN_END_CAUSE_MAX + 1] = {
	[LISTENIN_END_CAUSE_UNSPEC] = "unspec",
	[LISTENIN_END_CAUSE_DELETED] = "deleted",
	[LISTENIN_END_CAUSE_FLUSHED] = "flushed",
	[LISTENIN_END_CAUSE_IDLE] = "idle",
};

const char *lnl_counter_name(unsigned int type)
{
	return type <= LISTENIN_A_COUNTER_MAX ? counter_names[type] : NULL;
}

const char *lnl_stats_name(unsigned int type)
{
	return type <= LISTENIN_A_STATS_MAX ? stats_names[type] : NULL;
}

const char *lnl_end_cause_name(uint32_t cause)
{
	return cause <= LISTENIN_END_CAUSE_MAX ? end_cause_names[cause] : NULL;
}
