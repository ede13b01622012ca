// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "netlink/internal.h"

/* nla_len is 16 bits: a nest that grew past it cannot be closed. */
static bool end_nest(struct nlmsghdr *nlh, struct nlattr *nest)
{
	if ((size_t)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)nest) > UINT16_MAX)
		return false;
	mnl_attr_nest_end(nlh, nest);
	return true;
}

/*
 * libmnl's *_check() keep a spare header's worth of room, and libmnl 1.0.4
 * leaves attribute padding uninitialised; these do neither.
 */
static bool put(struct nlmsghdr *nlh, size_t len, uint16_t type, size_t size,
		const void *data)
{
	size_t room = MNL_ALIGN(MNL_ATTR_HDRLEN + size);

	if (nlh->nlmsg_len + room > len)
		return false;
	memset(mnl_nlmsg_get_payload_tail(nlh), 0, room);
	mnl_attr_put(nlh, type, size, data);
	return true;
}

static bool put_u16(struct nlmsghdr *nlh, size_t len, uint16_t type, uint16_t v)
{
	return put(nlh, len, type, sizeof(v), &v);
}

static bool put_u32(struct nlmsghdr *nlh, size_t len, uint16_t type, uint32_t v)
{
	return put(nlh, len, type, sizeof(v), &v);
}

static bool put_u64(struct nlmsghdr *nlh, size_t len, uint16_t type, uint64_t v)
{
	return put(nlh, len, type, sizeof(v), &v);
}

static struct nlattr *nest_start(struct nlmsghdr *nlh, size_t len, uint16_t type)
{
	if (nlh->nlmsg_len + MNL_ATTR_HDRLEN > len)
		return NULL;
	return mnl_attr_nest_start(nlh, type);
}

static bool put_addr(struct nlmsghdr *nlh, size_t len, uint16_t type,
		     const struct addr *a)
{
	return put(nlh, len, type, addr_len(a), a->bytes);
}

static int put_output(struct nlmsghdr *nlh, size_t len, int family,
		      const struct lnl_output *o)
{
	struct nlattr *nest;

	if (o->dst.family != family || o->src.family != family)
		return -EINVAL;
	nest = nest_start(nlh, len, LISTENIN_A_OUTPUT);
	if (!nest ||
	    !put_addr(nlh, len, LISTENIN_A_OUTPUT_DST_ADDR, &o->dst) ||
	    !put_u16(nlh, len, LISTENIN_A_OUTPUT_DST_PORT, o->dst_port) ||
	    !put_addr(nlh, len, LISTENIN_A_OUTPUT_SRC_ADDR, &o->src) ||
	    !put_u16(nlh, len, LISTENIN_A_OUTPUT_SRC_PORT, o->src_port) ||
	    (o->flags && !put_u32(nlh, len, LISTENIN_A_OUTPUT_FLAGS, o->flags)))
		return -EMSGSIZE;
	return end_nest(nlh, nest) ? 0 : -EMSGSIZE;
}

static int put_stream(struct nlmsghdr *nlh, size_t len,
		      const struct lnl_stream *s)
{
	int family = s->dst.family;
	struct nlattr *nest, *outputs;
	int ret;

	if (!addr_len(&s->dst) ||
	    (s->src.family != AF_UNSPEC && s->src.family != family))
		return -EINVAL;
	nest = nest_start(nlh, len, LISTENIN_A_STREAM);
	if (!nest ||
	    !put_u16(nlh, len, LISTENIN_A_STREAM_FAMILY, (uint16_t)family) ||
	    !put_addr(nlh, len, LISTENIN_A_STREAM_DST_ADDR, &s->dst) ||
	    !put_u16(nlh, len, LISTENIN_A_STREAM_DST_PORT, s->dst_port) ||
	    (s->src.family != AF_UNSPEC &&
	     !put_addr(nlh, len, LISTENIN_A_STREAM_SRC_ADDR, &s->src)) ||
	    (s->src_port &&
	     !put_u16(nlh, len, LISTENIN_A_STREAM_SRC_PORT, s->src_port)) ||
	    (s->has_ssrc &&
	     !put_u32(nlh, len, LISTENIN_A_STREAM_SSRC, s->ssrc)) ||
	    (s->flags &&
	     !put_u32(nlh, len, LISTENIN_A_STREAM_FLAGS, s->flags)))
		return -EMSGSIZE;
	outputs = nest_start(nlh, len, LISTENIN_A_STREAM_OUTPUTS);
	if (!outputs)
		return -EMSGSIZE;
	for (size_t i = 0; i < s->n_outputs; i++) {
		ret = put_output(nlh, len, family, &s->outputs[i]);
		if (ret)
			return ret;
	}
	if (!end_nest(nlh, outputs) || !end_nest(nlh, nest))
		return -EMSGSIZE;
	return 0;
}

int lnl_build_tap_new(void *buf, size_t len, uint16_t family_id, uint32_t seq,
		      const struct lnl_tap *tap)
{
	struct nlmsghdr *nlh;
	struct nlattr *streams;
	int ret;

	nlh = lnl_msg_start_buf(buf, len, family_id, LISTENIN_CMD_TAP_NEW, 0, seq);
	if (!nlh)
		return -EMSGSIZE;
	if (!put_u64(nlh, len, LISTENIN_A_TAP_COOKIE, tap->cookie) ||
	    (tap->idle_timeout &&
	     !put_u32(nlh, len, LISTENIN_A_TAP_IDLE_TIMEOUT,
				     tap->idle_timeout)))
		return -EMSGSIZE;
	streams = nest_start(nlh, len, LISTENIN_A_TAP_STREAMS);
	if (!streams)
		return -EMSGSIZE;
	for (size_t i = 0; i < tap->n_streams; i++) {
		ret = put_stream(nlh, len, &tap->streams[i]);
		if (ret)
			return ret;
	}
	if (!end_nest(nlh, streams))
		return -EMSGSIZE;
	return (int)nlh->nlmsg_len;
}
