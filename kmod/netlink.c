// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "listenin": the protocol is documented in
 * uapi/linux/listenin.h. Handlers run under genl_mutex (parallel_ops is
 * off) and take the namespace lock for anything that touches taps, since
 * the expiry work changes them too.
 */
#include <linux/jiffies.h>
#include <linux/rwsem.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "netlink.h"
#include "netns.h"

static struct genl_family listenin_family;

/*
 * The expiry work may announce a tap while the module unloads: it must not
 * use the family once genl_unregister_family() has started.
 */
static DECLARE_RWSEM(notify_sem);
static bool notify_on;

/*
 * Values are checked by hand rather than with NLA_POLICY_RANGE: the core
 * answers ERANGE to a range violation, and the protocol promises EINVAL with
 * a message naming the attribute. Validation functions are only safe on
 * NLA_BINARY (the core's policy dump in extack WARNs on integer ones).
 */
static int validate_addr(const struct nlattr *attr,
			 struct netlink_ext_ack *extack)
{
	if (nla_len(attr) == sizeof(struct in_addr) ||
	    nla_len(attr) == sizeof(struct in6_addr))
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "address must be 4 bytes (AF_INET) or 16 bytes (AF_INET6)");
	return -EINVAL;
}

#define ADDR_POLICY	NLA_POLICY_VALIDATE_FN(NLA_BINARY, validate_addr)

static const struct nla_policy output_policy[LISTENIN_A_OUTPUT_MAX + 1] = {
	[LISTENIN_A_OUTPUT_DST_ADDR] = ADDR_POLICY,
	[LISTENIN_A_OUTPUT_DST_PORT] = { .type = NLA_U16 },
	[LISTENIN_A_OUTPUT_SRC_ADDR] = ADDR_POLICY,
	[LISTENIN_A_OUTPUT_SRC_PORT] = { .type = NLA_U16 },
	[LISTENIN_A_OUTPUT_FLAGS] = NLA_POLICY_MASK(NLA_U32, LISTENIN_OUTPUT_F_ALL),
};

static const struct nla_policy outputs_policy[LISTENIN_A_OUTPUTS_MAX + 1] = {
	[LISTENIN_A_OUTPUT] = NLA_POLICY_NESTED(output_policy),
};

static const struct nla_policy stream_policy[LISTENIN_A_STREAM_MAX + 1] = {
	[LISTENIN_A_STREAM_FAMILY] = { .type = NLA_U16 },
	[LISTENIN_A_STREAM_DST_ADDR] = ADDR_POLICY,
	[LISTENIN_A_STREAM_DST_PORT] = { .type = NLA_U16 },
	[LISTENIN_A_STREAM_SRC_ADDR] = ADDR_POLICY,
	[LISTENIN_A_STREAM_SRC_PORT] = { .type = NLA_U16 },
	[LISTENIN_A_STREAM_SSRC] = { .type = NLA_U32 },
	[LISTENIN_A_STREAM_FLAGS] = NLA_POLICY_MASK(NLA_U32, LISTENIN_STREAM_F_ALL),
	[LISTENIN_A_STREAM_OUTPUTS] = NLA_POLICY_NESTED(outputs_policy),
};

static const struct nla_policy streams_policy[LISTENIN_A_STREAMS_MAX + 1] = {
	[LISTENIN_A_STREAM] = NLA_POLICY_NESTED(stream_policy),
};

static const struct nla_policy new_policy[LISTENIN_A_MAX + 1] = {
	[LISTENIN_A_TAP_COOKIE] = { .type = NLA_U64 },
	[LISTENIN_A_TAP_IDLE_TIMEOUT] = { .type = NLA_U32 },
	[LISTENIN_A_TAP_STREAMS] = NLA_POLICY_NESTED(streams_policy),
};

static const struct nla_policy id_policy[LISTENIN_A_MAX + 1] = {
	[LISTENIN_A_TAP_ID] = { .type = NLA_U32 },
};

/* Sets the "missing attribute" extack fields and a message; true if absent. */
#define MISSING(extack, nest, tb, type, msg) ({				\
	struct netlink_ext_ack *__ea = (extack);			\
	bool __missing = NL_REQ_ATTR_CHECK(__ea, nest, tb, type);	\
									\
	if (__missing)							\
		NL_SET_ERR_MSG(__ea, msg);				\
	__missing;							\
})

static int get_addr(const struct nlattr *nla, u8 family,
		    union listenin_addr *addr, struct netlink_ext_ack *extack)
{
	if (nla_len(nla) != listenin_addr_len(family)) {
		if (family == AF_INET)
			NL_SET_ERR_MSG_ATTR(extack, nla, "address must be 4 bytes for AF_INET");
		else
			NL_SET_ERR_MSG_ATTR(extack, nla, "address must be 16 bytes for AF_INET6");
		return -EINVAL;
	}
	memset(addr, 0, sizeof(*addr));
	nla_memcpy(addr, nla, sizeof(*addr));
	if (family == AF_INET ? !addr->ip : ipv6_addr_any(&addr->ip6)) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "address may not be unspecified");
		return -EINVAL;
	}
	return 0;
}

static int get_port(const struct nlattr *attr, __be16 *port,
		    struct netlink_ext_ack *extack)
{
	u16 p = nla_get_u16(attr);

	if (!p) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "port may not be 0");
		return -EINVAL;
	}
	*port = htons(p);
	return 0;
}

static unsigned int count_nested(const struct nlattr *nest)
{
	const struct nlattr *nla;
	unsigned int n = 0;
	int rem;

	nla_for_each_nested(nla, nest, rem)
		n++;
	return n;
}

/*
 * The first pass over a tap's streams sizes its block: outputs, table
 * entries and IPv6 addresses. It reports nothing: anything wrong is found
 * again, with its message, by the second pass (parse_stream()) before that
 * pass uses more than was sized.
 */
struct tap_shape {
	unsigned int outputs;
	unsigned int matches;
	unsigned int addr6;
	unsigned int max_outputs;
};

static void shape_stream(struct tap_shape *sh, const struct nlattr *nest)
{
	struct nlattr *tb[LISTENIN_A_STREAM_MAX + 1];
	struct nlattr *otb[LISTENIN_A_OUTPUT_MAX + 1];
	unsigned int n = 0, addrs = 0;
	struct nlattr *nla;
	bool ip6;
	int rem;

	if (nla_parse_nested(tb, LISTENIN_A_STREAM_MAX, nest, stream_policy,
			     NULL) ||
	    !tb[LISTENIN_A_STREAM_FAMILY] || !tb[LISTENIN_A_STREAM_OUTPUTS])
		return;
	ip6 = nla_get_u16(tb[LISTENIN_A_STREAM_FAMILY]) == AF_INET6;
	sh->matches++;
	if (tb[LISTENIN_A_STREAM_FLAGS] &&
	    (nla_get_u32(tb[LISTENIN_A_STREAM_FLAGS]) & LISTENIN_STREAM_F_RTCP))
		sh->matches++;
	addrs += 2;
	nla_for_each_nested(nla, tb[LISTENIN_A_STREAM_OUTPUTS], rem) {
		if (n++ == sh->max_outputs)
			break;
		sh->outputs++;
		addrs += 2;
		if (!nla_parse_nested(otb, LISTENIN_A_OUTPUT_MAX, nla,
				      output_policy, NULL) &&
		    otb[LISTENIN_A_OUTPUT_FLAGS] &&
		    (nla_get_u32(otb[LISTENIN_A_OUTPUT_FLAGS]) &
		     LISTENIN_OUTPUT_F_LISTEN_ONLY))
			sh->matches++;
	}
	if (ip6)
		sh->addr6 += addrs;
}

/* Where the second pass is in the tap's block. */
struct tap_fill {
	struct listenin_tap *tap;
	unsigned int output;
	unsigned int match;
	unsigned int addr6;
	unsigned int n_addr6;
	unsigned int max_outputs;
};

static bool fill_full(const struct tap_fill *f, unsigned int outputs,
		      unsigned int matches, unsigned int addr6)
{
	return WARN_ON_ONCE(f->output + outputs > f->tap->n_outputs ||
			    f->match + matches > f->tap->n_matches ||
			    f->addr6 + addr6 > f->n_addr6);
}

static void fill_match(struct tap_fill *f, u8 kind, unsigned int owner)
{
	listenin_tap_set_match(f->tap, f->match++, kind, owner);
}

static void fill_addr(struct tap_fill *f, union listenin_ip *a, u8 family,
		      const union listenin_addr *v)
{
	struct in6_addr *slot = NULL;

	if (family == AF_INET6)
		slot = listenin_tap_addr6(f->tap, f->addr6++);
	listenin_ip_set(a, family, v, slot);
}

static int parse_output(struct tap_fill *f, struct listenin_stream *s,
			struct nlattr *nest, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[LISTENIN_A_OUTPUT_MAX + 1];
	union listenin_addr daddr, saddr;
	struct listenin_output *out;
	__be16 dport, sport;
	u8 flags = 0;
	int err;

	err = nla_parse_nested(tb, LISTENIN_A_OUTPUT_MAX, nest, output_policy,
			       extack);
	if (err)
		return err;
	if (MISSING(extack, nest, tb, LISTENIN_A_OUTPUT_DST_ADDR,
		    "output needs LISTENIN_A_OUTPUT_DST_ADDR") ||
	    MISSING(extack, nest, tb, LISTENIN_A_OUTPUT_DST_PORT,
		    "output needs LISTENIN_A_OUTPUT_DST_PORT") ||
	    MISSING(extack, nest, tb, LISTENIN_A_OUTPUT_SRC_ADDR,
		    "output needs LISTENIN_A_OUTPUT_SRC_ADDR") ||
	    MISSING(extack, nest, tb, LISTENIN_A_OUTPUT_SRC_PORT,
		    "output needs LISTENIN_A_OUTPUT_SRC_PORT"))
		return -EINVAL;
	err = get_addr(tb[LISTENIN_A_OUTPUT_DST_ADDR], s->family, &daddr,
		       extack);
	if (err)
		return err;
	err = get_addr(tb[LISTENIN_A_OUTPUT_SRC_ADDR], s->family, &saddr,
		       extack);
	if (err)
		return err;
	err = get_port(tb[LISTENIN_A_OUTPUT_DST_PORT], &dport, extack);
	if (err)
		return err;
	err = get_port(tb[LISTENIN_A_OUTPUT_SRC_PORT], &sport, extack);
	if (err)
		return err;
	if (s->flags & LISTENIN_STREAM_F_RTCP) {
		if (dport == htons(U16_MAX)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[LISTENIN_A_OUTPUT_DST_PORT],
					    "RTCP needs port + 1: output port must be below 65535");
			return -EINVAL;
		}
		if (sport == htons(U16_MAX)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[LISTENIN_A_OUTPUT_SRC_PORT],
					    "RTCP needs port + 1: output source port must be below 65535");
			return -EINVAL;
		}
	}
	if (tb[LISTENIN_A_OUTPUT_FLAGS])
		flags = nla_get_u32(tb[LISTENIN_A_OUTPUT_FLAGS]);
	if (fill_full(f, 1, !!(flags & LISTENIN_OUTPUT_F_LISTEN_ONLY),
		      s->family == AF_INET6 ? 2 : 0))
		return -EINVAL;
	out = listenin_tap_output(f->tap, f->output);
	out->family = s->family;
	out->flags = flags;
	out->dport = dport;
	out->sport = sport;
	fill_addr(f, &out->daddr, s->family, &daddr);
	fill_addr(f, &out->saddr, s->family, &saddr);
	if (flags & LISTENIN_OUTPUT_F_LISTEN_ONLY)
		fill_match(f, LISTENIN_MATCH_TALKBACK, f->output);
	f->output++;
	return 0;
}

static int parse_stream(struct tap_fill *f, struct listenin_stream *s,
			struct nlattr *nest, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[LISTENIN_A_STREAM_MAX + 1], *nla;
	union listenin_addr daddr, saddr = {};
	unsigned int n;
	u16 family;
	int err, rem;

	err = nla_parse_nested(tb, LISTENIN_A_STREAM_MAX, nest, stream_policy,
			       extack);
	if (err)
		return err;
	if (MISSING(extack, nest, tb, LISTENIN_A_STREAM_FAMILY,
		    "stream needs LISTENIN_A_STREAM_FAMILY") ||
	    MISSING(extack, nest, tb, LISTENIN_A_STREAM_DST_ADDR,
		    "stream needs LISTENIN_A_STREAM_DST_ADDR") ||
	    MISSING(extack, nest, tb, LISTENIN_A_STREAM_DST_PORT,
		    "stream needs LISTENIN_A_STREAM_DST_PORT") ||
	    MISSING(extack, nest, tb, LISTENIN_A_STREAM_OUTPUTS,
		    "stream needs LISTENIN_A_STREAM_OUTPUTS"))
		return -EINVAL;
	family = nla_get_u16(tb[LISTENIN_A_STREAM_FAMILY]);
	if (family != AF_INET && family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LISTENIN_A_STREAM_FAMILY],
				    "stream family must be AF_INET or AF_INET6");
		return -EINVAL;
	}
	n = count_nested(tb[LISTENIN_A_STREAM_OUTPUTS]);
	if (!n) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LISTENIN_A_STREAM_OUTPUTS],
				    "stream needs at least one output");
		return -EINVAL;
	}
	if (n > f->max_outputs) {
		NL_SET_ERR_MSG_ATTR(extack, tb[LISTENIN_A_STREAM_OUTPUTS],
				    "too many outputs in one stream (module parameter max_outputs)");
		return -E2BIG;
	}
	s->family = family;
	err = get_addr(tb[LISTENIN_A_STREAM_DST_ADDR], family, &daddr, extack);
	if (err)
		return err;
	err = get_port(tb[LISTENIN_A_STREAM_DST_PORT], &s->dport, extack);
	if (err)
		return err;
	if (tb[LISTENIN_A_STREAM_SRC_ADDR]) {
		err = get_addr(tb[LISTENIN_A_STREAM_SRC_ADDR], family, &saddr,
			       extack);
		if (err)
			return err;
		s->narrow |= LISTENIN_NARROW_SADDR;
	}
	if (tb[LISTENIN_A_STREAM_SRC_PORT]) {
		err = get_port(tb[LISTENIN_A_STREAM_SRC_PORT], &s->sport,
			       extack);
		if (err)
			return err;
		s->narrow |= LISTENIN_NARROW_SPORT;
	}
	if (tb[LISTENIN_A_STREAM_SSRC]) {
		s->ssrc = htonl(nla_get_u32(tb[LISTENIN_A_STREAM_SSRC]));
		s->narrow |= LISTENIN_NARROW_SSRC;
	}
	if (tb[LISTENIN_A_STREAM_FLAGS])
		s->flags = nla_get_u32(tb[LISTENIN_A_STREAM_FLAGS]);
	if (s->flags & LISTENIN_STREAM_F_RTCP) {
		if (s->dport == htons(U16_MAX)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[LISTENIN_A_STREAM_DST_PORT],
					    "RTCP needs port + 1: stream port must be below 65535");
			return -EINVAL;
		}
		if ((s->narrow & LISTENIN_NARROW_SPORT) &&
		    s->sport == htons(U16_MAX)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[LISTENIN_A_STREAM_SRC_PORT],
					    "RTCP needs port + 1: stream source port must be below 65535");
			return -EINVAL;
		}
	}
	if (fill_full(f, 0, 1 + !!(s->flags & LISTENIN_STREAM_F_RTCP),
		      family == AF_INET6 ? 2 : 0))
		return -EINVAL;
	fill_addr(f, &s->daddr, family, &daddr);
	fill_addr(f, &s->saddr, family, &saddr);
	s->first_output = f->output;
	s->last_seen = jiffies;
	fill_match(f, LISTENIN_MATCH_RTP, s->index);
	if (s->flags & LISTENIN_STREAM_F_RTCP)
		fill_match(f, LISTENIN_MATCH_RTCP, s->index);
	nla_for_each_nested(nla, tb[LISTENIN_A_STREAM_OUTPUTS], rem) {
		err = parse_output(f, s, nla, extack);
		if (err)
			return err;
	}
	s->n_outputs = n;
	return 0;
}

static int put_u64s(struct sk_buff *skb, int nest_type, int pad,
		    const int *types, const u64 *vals, unsigned int n)
{
	struct nlattr *nest;
	unsigned int i;

	nest = nla_nest_start(skb, nest_type);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		if (nla_put_u64_64bit(skb, types[i], vals[i], pad)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

enum counter_set {
	COUNTERS_TAP,
	COUNTERS_STREAM,
	COUNTERS_OUTPUT,
};

static int put_counters(struct sk_buff *skb, int nest_type,
			const struct listenin_tap_counters *c,
			enum counter_set set)
{
	static const int stream_types[] = {
		LISTENIN_A_COUNTER_PACKETS, LISTENIN_A_COUNTER_BYTES,
	};
	static const int output_types[] = {
		LISTENIN_A_COUNTER_COPIES, LISTENIN_A_COUNTER_COPY_BYTES,
		LISTENIN_A_COUNTER_COPY_FAILURES,
		LISTENIN_A_COUNTER_TALKBACK_DROPPED,
	};
	static const int tap_types[] = {
		LISTENIN_A_COUNTER_PACKETS, LISTENIN_A_COUNTER_BYTES,
		LISTENIN_A_COUNTER_COPIES, LISTENIN_A_COUNTER_COPY_BYTES,
		LISTENIN_A_COUNTER_COPY_FAILURES,
		LISTENIN_A_COUNTER_TALKBACK_DROPPED,
	};
	const u64 stream_vals[] = { c->packets, c->bytes };
	const u64 output_vals[] = {
		c->copies, c->copy_bytes, c->copy_failures, c->talkback_dropped,
	};
	const u64 tap_vals[] = {
		c->packets, c->bytes, c->copies, c->copy_bytes,
		c->copy_failures, c->talkback_dropped,
	};

	switch (set) {
	case COUNTERS_STREAM:
		return put_u64s(skb, nest_type, LISTENIN_A_COUNTER_PAD,
				stream_types, stream_vals,
				ARRAY_SIZE(stream_vals));
	case COUNTERS_OUTPUT:
		return put_u64s(skb, nest_type, LISTENIN_A_COUNTER_PAD,
				output_types, output_vals,
				ARRAY_SIZE(output_vals));
	default:
		return put_u64s(skb, nest_type, LISTENIN_A_COUNTER_PAD,
				tap_types, tap_vals, ARRAY_SIZE(tap_vals));
	}
}

static size_t counters_size(unsigned int n)
{
	return nla_total_size(0) + n * nla_total_size_64bit(sizeof(u64));
}

static size_t tap_msg_size(const struct listenin_tap *tap)
{
	size_t addr = nla_total_size(sizeof(struct in6_addr));
	size_t u32s = nla_total_size(sizeof(u32));
	size_t size, output, stream;
	unsigned int i;

	size = 4 * u32s + nla_total_size_64bit(sizeof(u64)) + counters_size(6) +
	       nla_total_size(0);
	output = nla_total_size(0) + 2 * addr + 3 * u32s + counters_size(4);
	stream = nla_total_size(0) + 2 * addr + 5 * u32s + counters_size(2) +
		 nla_total_size(0);
	for (i = 0; i < tap->n_streams; i++)
		size += stream + tap->streams[i].n_outputs * output;
	return size;
}

static int put_output(struct sk_buff *skb, const struct listenin_output *out)
{
	unsigned int len = listenin_addr_len(out->family);
	struct listenin_tap_counters c = {};
	struct nlattr *nest;

	nest = nla_nest_start(skb, LISTENIN_A_OUTPUT);
	if (!nest)
		return -EMSGSIZE;
	listenin_output_counters(out, &c);
	if (nla_put(skb, LISTENIN_A_OUTPUT_DST_ADDR, len,
		    listenin_ip_bytes(&out->daddr, out->family)) ||
	    nla_put_u16(skb, LISTENIN_A_OUTPUT_DST_PORT, ntohs(out->dport)) ||
	    nla_put(skb, LISTENIN_A_OUTPUT_SRC_ADDR, len,
		    listenin_ip_bytes(&out->saddr, out->family)) ||
	    nla_put_u16(skb, LISTENIN_A_OUTPUT_SRC_PORT, ntohs(out->sport)) ||
	    nla_put_u32(skb, LISTENIN_A_OUTPUT_FLAGS, out->flags) ||
	    put_counters(skb, LISTENIN_A_OUTPUT_COUNTERS, &c, COUNTERS_OUTPUT)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_stream(struct sk_buff *skb, const struct listenin_stream *s)
{
	unsigned int i, len = listenin_addr_len(s->family);
	struct listenin_tap_counters c = {};
	struct nlattr *nest, *outputs;

	nest = nla_nest_start(skb, LISTENIN_A_STREAM);
	if (!nest)
		return -EMSGSIZE;
	listenin_stream_counters(s, &c);
	if (nla_put_u16(skb, LISTENIN_A_STREAM_FAMILY, s->family) ||
	    nla_put(skb, LISTENIN_A_STREAM_DST_ADDR, len,
		    listenin_ip_bytes(&s->daddr, s->family)) ||
	    nla_put_u16(skb, LISTENIN_A_STREAM_DST_PORT, ntohs(s->dport)) ||
	    ((s->narrow & LISTENIN_NARROW_SADDR) &&
	     nla_put(skb, LISTENIN_A_STREAM_SRC_ADDR, len,
		     listenin_ip_bytes(&s->saddr, s->family))) ||
	    ((s->narrow & LISTENIN_NARROW_SPORT) &&
	     nla_put_u16(skb, LISTENIN_A_STREAM_SRC_PORT, ntohs(s->sport))) ||
	    ((s->narrow & LISTENIN_NARROW_SSRC) &&
	     nla_put_u32(skb, LISTENIN_A_STREAM_SSRC, ntohl(s->ssrc))) ||
	    nla_put_u32(skb, LISTENIN_A_STREAM_FLAGS, s->flags) ||
	    put_counters(skb, LISTENIN_A_STREAM_COUNTERS, &c, COUNTERS_STREAM))
		goto cancel;
	outputs = nla_nest_start(skb, LISTENIN_A_STREAM_OUTPUTS);
	if (!outputs)
		goto cancel;
	for (i = 0; i < s->n_outputs; i++)
		if (put_output(skb, listenin_stream_output(s, i)))
			goto cancel;
	nla_nest_end(skb, outputs);
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int put_tap(struct sk_buff *skb, const struct listenin_tap *tap)
{
	unsigned long idle = jiffies - listenin_tap_last_active(tap);
	struct listenin_tap_counters c;
	struct nlattr *streams;
	unsigned int i;

	listenin_tap_counters(tap, &c);
	if (nla_put_u32(skb, LISTENIN_A_TAP_ID, tap->id) ||
	    nla_put_u64_64bit(skb, LISTENIN_A_TAP_COOKIE, tap->cookie,
			      LISTENIN_A_PAD) ||
	    nla_put_u32(skb, LISTENIN_A_TAP_IDLE_TIMEOUT, tap->idle_timeout) ||
	    nla_put_u32(skb, LISTENIN_A_TAP_IDLE_MSECS,
			min_t(u64, jiffies_to_msecs(idle), U32_MAX)) ||
	    put_counters(skb, LISTENIN_A_TAP_COUNTERS, &c, COUNTERS_TAP))
		return -EMSGSIZE;
	streams = nla_nest_start(skb, LISTENIN_A_TAP_STREAMS);
	if (!streams)
		return -EMSGSIZE;
	for (i = 0; i < tap->n_streams; i++)
		if (put_stream(skb, &tap->streams[i]))
			return -EMSGSIZE;
	nla_nest_end(skb, streams);
	return 0;
}

static int tap_new(struct sk_buff *skb, struct genl_info *info)
{
	struct listenin_net *ln = listenin_net(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *streams = info->attrs[LISTENIN_A_TAP_STREAMS];
	struct tap_shape sh = {};
	struct tap_fill fill = {};
	struct listenin_tap *tap;
	struct sk_buff *msg;
	struct nlattr *nla;
	unsigned int n, i = 0;
	void *hdr;
	u64 cookie;
	int err, rem;
	u32 id;

	if (MISSING(extack, NULL, info->attrs, LISTENIN_A_TAP_STREAMS,
		    "a tap needs LISTENIN_A_TAP_STREAMS"))
		return -EINVAL;
	n = count_nested(streams);
	if (!n) {
		NL_SET_ERR_MSG_ATTR(extack, streams, "a tap needs at least one stream");
		return -EINVAL;
	}
	if (n > min(READ_ONCE(listenin_max_streams), LISTENIN_MAX_STREAMS_LIMIT)) {
		NL_SET_ERR_MSG_ATTR(extack, streams,
				    "too many streams in one tap (module parameter max_streams)");
		return -E2BIG;
	}
	sh.max_outputs = min(READ_ONCE(listenin_max_outputs),
			     LISTENIN_MAX_OUTPUTS_LIMIT);
	nla_for_each_nested(nla, streams, rem)
		shape_stream(&sh, nla);
	tap = listenin_tap_alloc(n, sh.outputs, sh.matches, sh.addr6);
	if (!tap)
		return -ENOMEM;
	if (info->attrs[LISTENIN_A_TAP_COOKIE])
		tap->cookie = nla_get_u64(info->attrs[LISTENIN_A_TAP_COOKIE]);
	tap->idle_timeout = LISTENIN_IDLE_TIMEOUT_DEFAULT;
	nla = info->attrs[LISTENIN_A_TAP_IDLE_TIMEOUT];
	if (nla) {
		tap->idle_timeout = nla_get_u32(nla);
		if (!tap->idle_timeout ||
		    tap->idle_timeout > LISTENIN_IDLE_TIMEOUT_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "idle timeout must be 1..86400 seconds");
			listenin_tap_free(tap);
			return -EINVAL;
		}
	}
	fill.tap = tap;
	fill.n_addr6 = sh.addr6;
	fill.max_outputs = sh.max_outputs;
	nla_for_each_nested(nla, streams, rem) {
		struct listenin_stream *s = &tap->streams[i];

		s->index = i++;
		err = parse_stream(&fill, s, nla, extack);
		if (err) {
			listenin_tap_free(tap);
			return err;
		}
	}
	/* Every entry the table gets must be filled in. */
	if (WARN_ON_ONCE(fill.output != tap->n_outputs ||
			 fill.match != tap->n_matches ||
			 fill.addr6 != fill.n_addr6)) {
		listenin_tap_free(tap);
		return -EINVAL;
	}

	/* Everything that can fail after the insert is done before it. */
	msg = genlmsg_new(nla_total_size(sizeof(u32)) +
			  nla_total_size_64bit(sizeof(u64)), GFP_KERNEL);
	if (!msg) {
		listenin_tap_free(tap);
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(msg, info, &listenin_family, 0,
				LISTENIN_CMD_TAP_NEW);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_msg;
	}

	mutex_lock(&ln->lock);
	err = listenin_netns_tap_add(ln, tap, extack);
	id = tap->id;
	cookie = tap->cookie;
	mutex_unlock(&ln->lock);
	if (err) {
		/* The table may have exposed (never live) entries: wait. */
		listenin_tap_free_rcu(tap);
		nlmsg_free(msg);
		return err;
	}

	if (nla_put_u32(msg, LISTENIN_A_TAP_ID, id) ||
	    nla_put_u64_64bit(msg, LISTENIN_A_TAP_COOKIE, cookie,
			      LISTENIN_A_PAD)) {
		/* Cannot happen: the message was sized for exactly this. */
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_msg:
	nlmsg_free(msg);
	listenin_tap_free(tap);
	return err;
}

static struct listenin_tap *find_tap(struct listenin_net *ln,
				     struct genl_info *info, int *err)
{
	struct nlattr *attr = info->attrs[LISTENIN_A_TAP_ID];
	struct listenin_tap *tap;

	*err = -EINVAL;
	if (!nla_get_u32(attr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "tap id 0 is never used");
		return NULL;
	}
	*err = -ENOENT;
	tap = xa_load(&ln->taps, nla_get_u32(attr));
	if (!tap)
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "no tap with this id in this network namespace");
	return tap;
}

static int tap_del(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct listenin_net *ln = listenin_net(net);
	struct listenin_tap *tap;
	int err;

	if (MISSING(info->extack, NULL, info->attrs, LISTENIN_A_TAP_ID,
		    "deleting a tap needs LISTENIN_A_TAP_ID"))
		return -EINVAL;
	mutex_lock(&ln->lock);
	tap = find_tap(ln, info, &err);
	if (!tap) {
		mutex_unlock(&ln->lock);
		return err;
	}
	listenin_netns_tap_unlink(ln, tap);
	listenin_netlink_notify(net, tap, LISTENIN_END_CAUSE_DELETED);
	mutex_unlock(&ln->lock);
	/* The contract: copies stop before the reply. Wait out packets that
	 * found the tap just before it was unlinked.
	 */
	synchronize_rcu();
	listenin_tap_free_rcu(tap);
	return 0;
}

static int tap_get(struct sk_buff *skb, struct genl_info *info)
{
	struct listenin_net *ln = listenin_net(genl_info_net(info));
	struct listenin_tap *tap;
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (MISSING(info->extack, NULL, info->attrs, LISTENIN_A_TAP_ID,
		    "getting one tap needs LISTENIN_A_TAP_ID (or use a dump)"))
		return -EINVAL;
	mutex_lock(&ln->lock);
	tap = find_tap(ln, info, &err);
	if (!tap)
		goto out;
	err = -ENOMEM;
	msg = genlmsg_new(tap_msg_size(tap), GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &listenin_family, 0,
				LISTENIN_CMD_TAP_GET);
	if (!hdr || put_tap(msg, tap)) {
		nlmsg_free(msg);
		err = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	mutex_unlock(&ln->lock);
	return genlmsg_reply(msg, info);
out:
	mutex_unlock(&ln->lock);
	return err;
}

static int tap_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct listenin_net *ln = listenin_net(sock_net(skb->sk));
	struct listenin_tap *tap;
	unsigned long id;
	bool any = false;
	int err = 0;

	if (info->attrs && info->attrs[LISTENIN_A_TAP_ID]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, info->attrs[LISTENIN_A_TAP_ID],
				    "a tap dump takes no attributes");
		return -EINVAL;
	}
	mutex_lock(&ln->lock);
	cb->seq = ln->generation;
	xa_for_each_start(&ln->taps, id, tap, cb->args[0]) {
		void *hdr;

		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &listenin_family,
				  NLM_F_MULTI, LISTENIN_CMD_TAP_GET);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		genl_dump_check_consistent(cb, hdr);
		if (put_tap(skb, tap)) {
			genlmsg_cancel(skb, hdr);
			err = -EMSGSIZE;
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = id + 1;
		any = true;
	}
	mutex_unlock(&ln->lock);
	/* A tap too big for an empty message must not end the dump quietly. */
	if (err && !any)
		return err;
	return skb->len;
}

static int tap_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct listenin_net *ln = listenin_net(net);
	struct listenin_tap *tap;
	struct sk_buff *msg;
	unsigned long id;
	u32 count = 0;
	void *hdr;

	msg = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &listenin_family, 0,
				LISTENIN_CMD_TAP_FLUSH);
	if (!hdr) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	mutex_lock(&ln->lock);
	xa_for_each(&ln->taps, id, tap) {
		listenin_netns_tap_unlink(ln, tap);
		listenin_netlink_notify(net, tap, LISTENIN_END_CAUSE_FLUSHED);
		listenin_tap_free_rcu(tap);
		count++;
	}
	mutex_unlock(&ln->lock);
	/* As for a delete: no copy of a flushed tap after the reply. The taps
	 * themselves are already queued for freeing after this grace period.
	 */
	if (count)
		synchronize_rcu();
	if (nla_put_u32(msg, LISTENIN_A_FLUSH_COUNT, count)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int put_stats(struct sk_buff *skb, int nest_type, const u64 *v)
{
	int types[LISTENIN_A_STATS_PAD - 1];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++)
		types[i] = LISTENIN_A_STATS_TAPS + i;
	return put_u64s(skb, nest_type, LISTENIN_A_STATS_PAD, types,
			v + LISTENIN_A_STATS_TAPS, ARRAY_SIZE(types));
}

static int stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct listenin_net *ln = listenin_net(genl_info_net(info));
	u64 local[__LISTENIN_A_STATS_MAX], global[__LISTENIN_A_STATS_MAX];
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(2 * counters_size(LISTENIN_A_STATS_PAD - 1),
			  GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &listenin_family, 0,
				LISTENIN_CMD_STATS_GET);
	listenin_counters_net(ln, local);
	listenin_counters_global(global);
	if (!hdr || put_stats(msg, LISTENIN_A_STATS_NAMESPACE, local) ||
	    put_stats(msg, LISTENIN_A_STATS_GLOBAL, global)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

void listenin_netlink_notify(struct net *net, struct listenin_tap *tap,
			     enum listenin_end_cause cause)
{
	struct listenin_tap_counters c;
	struct sk_buff *msg;
	void *hdr;
	u8 cmd;

	down_read(&notify_sem);
	if (!notify_on || !genl_has_listeners(&listenin_family, net, 0))
		goto out;
	msg = genlmsg_new(3 * nla_total_size(sizeof(u32)) +
			  nla_total_size_64bit(sizeof(u64)) + counters_size(6),
			  GFP_KERNEL);
	if (!msg)
		goto out;
	cmd = cause == LISTENIN_END_CAUSE_IDLE ? LISTENIN_CMD_TAP_EXPIRED :
						 LISTENIN_CMD_TAP_DELETED;
	hdr = genlmsg_put(msg, 0, 0, &listenin_family, 0, cmd);
	listenin_tap_counters(tap, &c);
	if (!hdr || nla_put_u32(msg, LISTENIN_A_TAP_ID, tap->id) ||
	    nla_put_u64_64bit(msg, LISTENIN_A_TAP_COOKIE, tap->cookie,
			      LISTENIN_A_PAD) ||
	    nla_put_u32(msg, LISTENIN_A_TAP_END_CAUSE, cause) ||
	    put_counters(msg, LISTENIN_A_TAP_COUNTERS, &c, COUNTERS_TAP)) {
		nlmsg_free(msg);
		goto out;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&listenin_family, net, msg, 0, 0, GFP_KERNEL);
out:
	up_read(&notify_sem);
}

static const struct genl_ops listenin_ops[] = {
	{
		.cmd = LISTENIN_CMD_TAP_NEW,
		.doit = tap_new,
		.policy = new_policy,
		.maxattr = LISTENIN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = LISTENIN_CMD_TAP_DEL,
		.doit = tap_del,
		.policy = id_policy,
		.maxattr = LISTENIN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = LISTENIN_CMD_TAP_GET,
		.doit = tap_get,
		.dumpit = tap_dump,
		.policy = id_policy,
		.maxattr = LISTENIN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		/* No policy: the core rejects every attribute. */
		.cmd = LISTENIN_CMD_TAP_FLUSH,
		.doit = tap_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = LISTENIN_CMD_STATS_GET,
		.doit = stats_get,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group listenin_mcgrps[] = {
	{
		.name = LISTENIN_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

static struct genl_family listenin_family __ro_after_init = {
	.name = LISTENIN_GENL_NAME,
	.version = LISTENIN_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = listenin_ops,
	.n_ops = ARRAY_SIZE(listenin_ops),
	.mcgrps = listenin_mcgrps,
	.n_mcgrps = ARRAY_SIZE(listenin_mcgrps),
};

int __init listenin_netlink_init(void)
{
	int err;

	err = genl_register_family(&listenin_family);
	if (err)
		return err;
	down_write(&notify_sem);
	notify_on = true;
	up_write(&notify_sem);
	return 0;
}

void listenin_netlink_exit(void)
{
	down_write(&notify_sem);
	notify_on = false;
	up_write(&notify_sem);
	genl_unregister_family(&listenin_family);
}
