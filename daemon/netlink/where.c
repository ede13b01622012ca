// SPDX-License-Identifier: GPL-2.0
/*
 * Turns the offsets of an extended ACK (NLMSGERR_ATTR_OFFS, _MISS_NEST)
 * back into the place in our request they point at, so an error can say
 * "stream 2, output 1, LISTENIN_A_OUTPUT_SRC_ADDR" instead of a byte count.
 */
#include <linux/genetlink.h>
#include <stdio.h>

#include "netlink/internal.h"

enum level { TOP, STREAMS, STREAM, OUTPUTS, OUTPUT, COUNTERS, N_LEVELS };

static const char *const top_names[LISTENIN_A_MAX + 1] = {
	[LISTENIN_A_TAP_ID] = "LISTENIN_A_TAP_ID",
	[LISTENIN_A_TAP_COOKIE] = "LISTENIN_A_TAP_COOKIE",
	[LISTENIN_A_TAP_IDLE_TIMEOUT] = "LISTENIN_A_TAP_IDLE_TIMEOUT",
	[LISTENIN_A_TAP_IDLE_MSECS] = "LISTENIN_A_TAP_IDLE_MSECS",
	[LISTENIN_A_TAP_STREAMS] = "LISTENIN_A_TAP_STREAMS",
	[LISTENIN_A_TAP_COUNTERS] = "LISTENIN_A_TAP_COUNTERS",
	[LISTENIN_A_TAP_END_CAUSE] = "LISTENIN_A_TAP_END_CAUSE",
	[LISTENIN_A_FLUSH_COUNT] = "LISTENIN_A_FLUSH_COUNT",
	[LISTENIN_A_STATS_NAMESPACE] = "LISTENIN_A_STATS_NAMESPACE",
	[LISTENIN_A_STATS_GLOBAL] = "LISTENIN_A_STATS_GLOBAL",
	[LISTENIN_A_PAD] = "LISTENIN_A_PAD",
};

static const char *const stream_names[LISTENIN_A_STREAM_MAX + 1] = {
	[LISTENIN_A_STREAM_FAMILY] = "LISTENIN_A_STREAM_FAMILY",
	[LISTENIN_A_STREAM_DST_ADDR] = "LISTENIN_A_STREAM_DST_ADDR",
	[LISTENIN_A_STREAM_DST_PORT] = "LISTENIN_A_STREAM_DST_PORT",
	[LISTENIN_A_STREAM_SRC_ADDR] = "LISTENIN_A_STREAM_SRC_ADDR",
	[LISTENIN_A_STREAM_SRC_PORT] = "LISTENIN_A_STREAM_SRC_PORT",
	[LISTENIN_A_STREAM_SSRC] = "LISTENIN_A_STREAM_SSRC",
	[LISTENIN_A_STREAM_FLAGS] = "LISTENIN_A_STREAM_FLAGS",
	[LISTENIN_A_STREAM_OUTPUTS] = "LISTENIN_A_STREAM_OUTPUTS",
	[LISTENIN_A_STREAM_COUNTERS] = "LISTENIN_A_STREAM_COUNTERS",
};

static const char *const output_names[LISTENIN_A_OUTPUT_MAX + 1] = {
	[LISTENIN_A_OUTPUT_DST_ADDR] = "LISTENIN_A_OUTPUT_DST_ADDR",
	[LISTENIN_A_OUTPUT_DST_PORT] = "LISTENIN_A_OUTPUT_DST_PORT",
	[LISTENIN_A_OUTPUT_SRC_ADDR] = "LISTENIN_A_OUTPUT_SRC_ADDR",
	[LISTENIN_A_OUTPUT_SRC_PORT] = "LISTENIN_A_OUTPUT_SRC_PORT",
	[LISTENIN_A_OUTPUT_FLAGS] = "LISTENIN_A_OUTPUT_FLAGS",
	[LISTENIN_A_OUTPUT_COUNTERS] = "LISTENIN_A_OUTPUT_COUNTERS",
};

static const char *attr_name(enum level lv, unsigned int type, char *tmp,
			     size_t len)
{
	const char *name = NULL;

	if (lv == TOP && type <= LISTENIN_A_MAX)
		name = top_names[type];
	else if (lv == STREAMS && type == LISTENIN_A_STREAM)
		name = "LISTENIN_A_STREAM";
	else if (lv == STREAM && type <= LISTENIN_A_STREAM_MAX)
		name = stream_names[type];
	else if (lv == OUTPUTS && type == LISTENIN_A_OUTPUT)
		name = "LISTENIN_A_OUTPUT";
	else if (lv == OUTPUT && type <= LISTENIN_A_OUTPUT_MAX)
		name = output_names[type];
	if (name)
		return name;
	snprintf(tmp, len, "attribute type %u", type);
	return tmp;
}

/* The level inside a nest of type at level lv, or N_LEVELS if not a nest. */
static enum level inner(enum level lv, unsigned int type)
{
	if (lv == TOP && type == LISTENIN_A_TAP_STREAMS)
		return STREAMS;
	if (lv == STREAMS && type == LISTENIN_A_STREAM)
		return STREAM;
	if (lv == STREAM && type == LISTENIN_A_STREAM_OUTPUTS)
		return OUTPUTS;
	if (lv == OUTPUTS && type == LISTENIN_A_OUTPUT)
		return OUTPUT;
	return N_LEVELS;
}

struct place {
	char path[160];		/* "stream 2, output 1" */
	size_t used;
	enum level level;	/* level of the attribute found */
	unsigned int type;	/* its type */
};

static void path_add(struct place *p, const char *what, unsigned int n)
{
	if (p->used < sizeof(p->path))
		p->used += (size_t)snprintf(p->path + p->used,
					    sizeof(p->path) - p->used, "%s%s %u",
					    p->used ? ", " : "", what, n);
}

/*
 * Finds the attribute starting at byte off of the message within
 * [payload, payload + len), the payload starting at byte base.
 */
static bool find(const char *payload, size_t len, size_t base, size_t off,
		 enum level lv, struct place *p)
{
	unsigned int entry = 0;
	size_t pos = 0;

	while (pos < len && len - pos >= MNL_ATTR_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)(payload + pos);
		size_t start = base + pos;
		unsigned int type = mnl_attr_get_type(a);

		if (a->nla_len < MNL_ATTR_HDRLEN || a->nla_len > len - pos)
			return false;
		pos += MNL_ALIGN(a->nla_len);
		if (lv == STREAMS || lv == OUTPUTS)
			entry++;
		if (off < start || off >= start + a->nla_len)
			continue;
		if (lv == STREAMS)
			path_add(p, "stream", entry);
		if (lv == OUTPUTS)
			path_add(p, "output", entry);
		if (off == start) {
			p->level = lv;
			p->type = type;
			return true;
		}
		if (inner(lv, type) == N_LEVELS)
			return false;
		return find(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a),
			    start + MNL_ATTR_HDRLEN, off, inner(lv, type), p);
	}
	return false;
}

static bool find_in(const struct nlmsghdr *req, uint32_t off, struct place *p)
{
	size_t hdr = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr));

	if (req->nlmsg_len < hdr)
		return false;
	return find((const char *)req + hdr, req->nlmsg_len - hdr, hdr, off,
		    TOP, p);
}

bool lnl_where(const struct nlmsghdr *req, uint32_t off, char *buf,
	       size_t len)
{
	struct place p = { 0 };
	char tmp[32];

	if (!find_in(req, off, &p))
		return false;
	snprintf(buf, len, "%s%s%s", p.path, p.used ? ", " : "",
		 attr_name(p.level, p.type, tmp, sizeof(tmp)));
	return true;
}

bool lnl_where_missing(const struct nlmsghdr *req, uint32_t type,
		       bool has_nest, uint32_t nest_off, char *buf, size_t len)
{
	struct place p = { 0 };
	enum level lv = TOP;
	char tmp[32];

	if (has_nest) {
		if (!find_in(req, nest_off, &p))
			return false;
		lv = inner(p.level, p.type);
		if (lv == N_LEVELS)
			return false;
	}
	snprintf(buf, len, "%s%s%s", attr_name(lv, type, tmp, sizeof(tmp)),
		 p.used ? " in " : "", p.path);
	return true;
}
