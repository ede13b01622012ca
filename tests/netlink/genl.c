// SPDX-License-Identifier: GPL-2.0
/*
 * The "listenin" generic netlink family, spoken directly (libmnl, no lictl):
 * replies, dumps, flush, events, permissions, and the rejection of every
 * kind of malformed request with EINVAL and an extended ack that says what
 * is wrong and points at the attribute.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/listenin.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define MAX_SPEC	16

struct nl {
	struct mnl_socket *sock;
	uint16_t family;
	uint32_t events_group;
	uint32_t seq;
	char buf[1 << 16];
	/* Of the last request: */
	char msg[256];		/* extack message, "" if none */
	int offs;		/* extack offset, -1 if none */
	int miss_type;		/* extack missing attribute, -1 if none */
};

/* A TAP_NEW request; -1 in a field omits its attribute. */
struct ospec {
	int dst_len, src_len;
	long dst_port, src_port;
	long long flags;
};

struct sspec {
	long family;
	int addr_family;
	int dst_len, src_len;
	long dst_port, src_port;
	long long ssrc, flags;
	int n_outputs;		/* -1: no OUTPUTS nest */
	struct ospec out[MAX_SPEC];
};

struct tspec {
	long long cookie, idle;
	int n_streams;		/* -1: no STREAMS nest */
	struct sspec st[MAX_SPEC];
	int extra_type;		/* an extra top-level u32 attribute, 0 for none */
	bool garbage_streams;	/* STREAMS nest holding bytes that are no attributes */
	bool garbage_stream_type;	/* an attribute of type 2 inside STREAMS */
};

/* Where build_tap() put some attributes (offsets from the message start). */
struct where {
	int stream_dst_addr, stream_dst_port, stream_flags, stream_family;
	int out_dst_addr, out_dst_port, out_src_addr, out_flags;
	int extra, streams, idle;
};

static int port_seq = 10000;

static void ospec_default(struct ospec *o, int family)
{
	o->dst_len = o->src_len = family == AF_INET6 ? 16 : 4;
	o->dst_port = 6000;
	o->src_port = 7000;
	o->flags = -1;
}

static void tspec_default(struct tspec *t, int family)
{
	struct sspec *s = &t->st[0];

	memset(t, 0, sizeof(*t));
	t->cookie = -1;
	t->idle = -1;
	t->n_streams = 1;
	s->family = family;
	s->addr_family = family;
	s->dst_len = family == AF_INET6 ? 16 : 4;
	s->src_len = -1;
	s->dst_port = port_seq++;
	s->src_port = -1;
	s->ssrc = -1;
	s->flags = -1;
	s->n_outputs = 1;
	ospec_default(&s->out[0], family);
}

static void put_addr(struct nlmsghdr *nlh, uint16_t type, int family, int len, int n, int *off)
{
	uint8_t a[32] = { 0 };

	if (len < 0)
		return;
	if (family == AF_INET6) {
		inet_pton(AF_INET6, "2001:db8::", a);
		a[15] = (uint8_t)n;
	} else {
		a[0] = 198;
		a[1] = 51;
		a[2] = 100;
		a[3] = (uint8_t)n;
	}
	if (off)
		*off = (int)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)nlh);
	mnl_attr_put(nlh, type, (size_t)len, a);
}

static int tail(struct nlmsghdr *nlh)
{
	return (int)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)nlh);
}

static struct nlmsghdr *msg_start(struct nl *nl, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = LISTENIN_GENL_VERSION;
	return nlh;
}

static struct nlmsghdr *build_tap(struct nl *nl, const struct tspec *t, struct where *w, uint16_t flags)
{
	struct nlmsghdr *nlh = msg_start(nl, LISTENIN_CMD_TAP_NEW, flags);
	struct nlattr *streams, *stream, *outputs, *output;
	int i, j;

	memset(w, -1, sizeof(*w));
	if (t->cookie >= 0)
		mnl_attr_put_u64(nlh, LISTENIN_A_TAP_COOKIE, (uint64_t)t->cookie);
	if (t->idle >= 0) {
		w->idle = tail(nlh);
		mnl_attr_put_u32(nlh, LISTENIN_A_TAP_IDLE_TIMEOUT, (uint32_t)t->idle);
	}
	if (t->extra_type) {
		w->extra = tail(nlh);
		mnl_attr_put_u32(nlh, (uint16_t)t->extra_type, 1);
	}
	if (t->n_streams < 0)
		return nlh;
	w->streams = tail(nlh);
	streams = mnl_attr_nest_start(nlh, LISTENIN_A_TAP_STREAMS);
	if (t->garbage_streams) {
		static const uint8_t junk[12] = { 0xff, 0x7f, 0x01, 0x00, 0xde, 0xad, 0xbe, 0xef };

		memcpy(mnl_nlmsg_get_payload_tail(nlh), junk, sizeof(junk));
		nlh->nlmsg_len += sizeof(junk);
	}
	if (t->garbage_stream_type)
		mnl_attr_put_u32(nlh, LISTENIN_A_STREAM + 1, 1);
	for (i = 0; i < t->n_streams; i++) {
		const struct sspec *s = &t->st[i];

		stream = mnl_attr_nest_start(nlh, LISTENIN_A_STREAM);
		if (s->family >= 0) {
			if (!i)
				w->stream_family = tail(nlh);
			mnl_attr_put_u16(nlh, LISTENIN_A_STREAM_FAMILY, (uint16_t)s->family);
		}
		put_addr(nlh, LISTENIN_A_STREAM_DST_ADDR, s->addr_family, s->dst_len, 1,
			 i ? NULL : &w->stream_dst_addr);
		if (s->dst_port >= 0) {
			if (!i)
				w->stream_dst_port = tail(nlh);
			mnl_attr_put_u16(nlh, LISTENIN_A_STREAM_DST_PORT, (uint16_t)s->dst_port);
		}
		put_addr(nlh, LISTENIN_A_STREAM_SRC_ADDR, s->addr_family, s->src_len, 2, NULL);
		if (s->src_port >= 0)
			mnl_attr_put_u16(nlh, LISTENIN_A_STREAM_SRC_PORT, (uint16_t)s->src_port);
		if (s->ssrc >= 0)
			mnl_attr_put_u32(nlh, LISTENIN_A_STREAM_SSRC, (uint32_t)s->ssrc);
		if (s->flags >= 0) {
			if (!i)
				w->stream_flags = tail(nlh);
			mnl_attr_put_u32(nlh, LISTENIN_A_STREAM_FLAGS, (uint32_t)s->flags);
		}
		if (s->n_outputs >= 0) {
			outputs = mnl_attr_nest_start(nlh, LISTENIN_A_STREAM_OUTPUTS);
			for (j = 0; j < s->n_outputs; j++) {
				const struct ospec *o = &s->out[j];
				bool first = !i && !j;

				output = mnl_attr_nest_start(nlh, LISTENIN_A_OUTPUT);
				put_addr(nlh, LISTENIN_A_OUTPUT_DST_ADDR, s->addr_family, o->dst_len,
					 10 + j, first ? &w->out_dst_addr : NULL);
				if (o->dst_port >= 0) {
					if (first)
						w->out_dst_port = tail(nlh);
					mnl_attr_put_u16(nlh, LISTENIN_A_OUTPUT_DST_PORT, (uint16_t)o->dst_port);
				}
				put_addr(nlh, LISTENIN_A_OUTPUT_SRC_ADDR, s->addr_family, o->src_len,
					 254, first ? &w->out_src_addr : NULL);
				if (o->src_port >= 0)
					mnl_attr_put_u16(nlh, LISTENIN_A_OUTPUT_SRC_PORT, (uint16_t)o->src_port);
				if (o->flags >= 0) {
					if (first)
						w->out_flags = tail(nlh);
					mnl_attr_put_u32(nlh, LISTENIN_A_OUTPUT_FLAGS, (uint32_t)o->flags);
				}
				mnl_attr_nest_end(nlh, output);
			}
			mnl_attr_nest_end(nlh, outputs);
		}
		mnl_attr_nest_end(nlh, stream);
	}
	mnl_attr_nest_end(nlh, streams);
	return nlh;
}

static int extack_cb(const struct nlattr *a, void *data)
{
	struct nl *nl = data;

	switch (mnl_attr_get_type(a)) {
	case NLMSGERR_ATTR_MSG:
		snprintf(nl->msg, sizeof(nl->msg), "%.*s",
			 (int)mnl_attr_get_payload_len(a), (const char *)mnl_attr_get_payload(a));
		break;
	case NLMSGERR_ATTR_OFFS:
		nl->offs = (int)mnl_attr_get_u32(a);
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		nl->miss_type = (int)mnl_attr_get_u32(a);
		break;
	}
	return MNL_CB_OK;
}

/*
 * Sends nlh and reads until its ACK, error or dump end; each other message
 * goes to cb. Returns 0 or -errno and fills the extack fields.
 */
static int request(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	uint32_t seq = nlh->nlmsg_seq;
	bool dump = nlh->nlmsg_flags & NLM_F_DUMP, want_ack = nlh->nlmsg_flags & NLM_F_ACK;
	bool got_reply = false;

	nl->msg[0] = '\0';
	nl->offs = -1;
	nl->miss_type = -1;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t got = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		struct nlmsghdr *m;
		int n = (int)got;

		if (got < 0)
			return -errno;
		for (m = (struct nlmsghdr *)nl->buf; mnl_nlmsg_ok(m, n);
		     m = mnl_nlmsg_next(m, &n)) {
			if (m->nlmsg_seq != seq)
				continue;
			if (m->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = mnl_nlmsg_get_payload(m);

				if (m->nlmsg_flags & NLM_F_ACK_TLVS)
					mnl_attr_parse(m, sizeof(*e), extack_cb, nl);
				return e->error;
			}
			if (m->nlmsg_type == NLMSG_DONE) {
				int err = 0;

				if (mnl_nlmsg_get_payload_len(m) >= sizeof(int))
					memcpy(&err, mnl_nlmsg_get_payload(m), sizeof(int));
				if (m->nlmsg_flags & NLM_F_ACK_TLVS)
					mnl_attr_parse(m, sizeof(int), extack_cb, nl);
				return err;
			}
			got_reply = true;
			if (cb && cb(m, data) < 0)
				return -EBADMSG;
		}
		if (!dump && !want_ack && got_reply)
			return 0;
	}
}

static int family_cb(const struct nlattr *a, void *data);

static int grp_cb(const struct nlattr *a, void *data)
{
	struct nl *nl = data;
	const struct nlattr *g, *i;
	const char *name = NULL;
	uint32_t id = 0;

	(void)a;
	mnl_attr_for_each_nested(g, a) {
		mnl_attr_for_each_nested(i, g) {
			if (mnl_attr_get_type(i) == CTRL_ATTR_MCAST_GRP_NAME)
				name = mnl_attr_get_str(i);
			else if (mnl_attr_get_type(i) == CTRL_ATTR_MCAST_GRP_ID)
				id = mnl_attr_get_u32(i);
		}
		if (name && !strcmp(name, LISTENIN_MCGRP_EVENTS))
			nl->events_group = id;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlattr *a, void *data)
{
	struct nl *nl = data;

	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
		nl->family = mnl_attr_get_u16(a);
	else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GROUPS)
		grp_cb(a, nl);
	return MNL_CB_OK;
}

static int family_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_cb, data);
}

/* Opens a socket and resolves the family: 0, -ENOENT (not loaded), -errno. */
static int nl_open(struct nl *nl)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock)
		return -errno;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nlh = mnl_nlmsg_put_header(nl->buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, LISTENIN_GENL_NAME);
	ret = request(nl, nlh, family_msg_cb, nl);
	if (!ret && !nl->family)
		ret = -ENOENT;
	return ret;
}

static void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

struct reply {
	uint32_t id, count;
	uint64_t cookie;
	int cmd;
	bool has_id, has_cookie, has_count;
	uint32_t idle_timeout;
	int n_streams, n_outputs, end_cause;
	bool has_counters;
	uint16_t dst_port, out_dst_port, out_src_port;
	uint8_t dst_addr[16], out_dst_addr[16];
	int dst_len, out_dst_len;
	uint32_t ids[4096];
	int n_ids;
};

static void parse_output(const struct nlattr *o, struct reply *r)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, o) {
		switch (mnl_attr_get_type(a)) {
		case LISTENIN_A_OUTPUT_DST_ADDR:
			r->out_dst_len = (int)mnl_attr_get_payload_len(a);
			if (r->out_dst_len <= 16)
				memcpy(r->out_dst_addr, mnl_attr_get_payload(a), (size_t)r->out_dst_len);
			break;
		case LISTENIN_A_OUTPUT_DST_PORT:
			r->out_dst_port = mnl_attr_get_u16(a);
			break;
		case LISTENIN_A_OUTPUT_SRC_PORT:
			r->out_src_port = mnl_attr_get_u16(a);
			break;
		}
	}
}

static void parse_stream(const struct nlattr *s, struct reply *r)
{
	const struct nlattr *a, *o;

	mnl_attr_for_each_nested(a, s) {
		switch (mnl_attr_get_type(a)) {
		case LISTENIN_A_STREAM_DST_ADDR:
			r->dst_len = (int)mnl_attr_get_payload_len(a);
			if (r->dst_len <= 16)
				memcpy(r->dst_addr, mnl_attr_get_payload(a), (size_t)r->dst_len);
			break;
		case LISTENIN_A_STREAM_DST_PORT:
			r->dst_port = mnl_attr_get_u16(a);
			break;
		case LISTENIN_A_STREAM_OUTPUTS:
			mnl_attr_for_each_nested(o, a) {
				r->n_outputs++;
				parse_output(o, r);
			}
			break;
		}
	}
}

static int reply_attr_cb(const struct nlattr *a, void *data)
{
	struct reply *r = data;
	const struct nlattr *s;

	switch (mnl_attr_get_type(a)) {
	case LISTENIN_A_TAP_ID:
		r->id = mnl_attr_get_u32(a);
		r->has_id = true;
		if (r->n_ids < 4096)
			r->ids[r->n_ids++] = r->id;
		break;
	case LISTENIN_A_TAP_COOKIE:
		r->cookie = mnl_attr_get_u64(a);
		r->has_cookie = true;
		break;
	case LISTENIN_A_TAP_IDLE_TIMEOUT:
		r->idle_timeout = mnl_attr_get_u32(a);
		break;
	case LISTENIN_A_TAP_STREAMS:
		mnl_attr_for_each_nested(s, a) {
			r->n_streams++;
			parse_stream(s, r);
		}
		break;
	case LISTENIN_A_TAP_COUNTERS:
		r->has_counters = true;
		break;
	case LISTENIN_A_TAP_END_CAUSE:
		r->end_cause = (int)mnl_attr_get_u32(a);
		break;
	case LISTENIN_A_FLUSH_COUNT:
		r->count = mnl_attr_get_u32(a);
		r->has_count = true;
		break;
	}
	return MNL_CB_OK;
}

static int reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reply *r = data;
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	r->cmd = g->cmd;
	return mnl_attr_parse(nlh, sizeof(*g), reply_attr_cb, r);
}

static int tap_new(struct nl *nl, const struct tspec *t, struct reply *r)
{
	struct where w;

	memset(r, 0, sizeof(*r));
	return request(nl, build_tap(nl, t, &w, NLM_F_ACK), reply_cb, r);
}

static int simple(struct nl *nl, uint8_t cmd, long id, uint16_t flags, struct reply *r)
{
	struct nlmsghdr *nlh = msg_start(nl, cmd, NLM_F_ACK | flags);

	if (id >= 0)
		mnl_attr_put_u32(nlh, LISTENIN_A_TAP_ID, (uint32_t)id);
	memset(r, 0, sizeof(*r));
	return request(nl, nlh, reply_cb, r);
}

static bool has_word(const char *msg, const char *words)
{
	char buf[128], *w, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", words);
	for (w = strtok_r(buf, "|", &save); w; w = strtok_r(NULL, "|", &save))
		if (strcasestr(msg, w))
			return true;
	return false;
}

static long param(const char *name)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/listenin/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * Expects the request for t to fail with err, an extack message containing
 * one of words ("a|b"), and when offs >= 0 an extack offset equal to offs.
 */
#define EXPECT_REJECT(t, w_off, err, words) do {				\
	struct where _w;							\
	struct nlmsghdr *_nlh = build_tap(&self->nl, (t), &_w, NLM_F_ACK);	\
	int _ret = request(&self->nl, _nlh, NULL, NULL);			\
	int _off = (w_off);							\
										\
	EXPECT_EQ(-(err), _ret);						\
	TH_LOG("extack: \"%s\" offset %d (bad attribute at %d) missing type %d", \
	       self->nl.msg, self->nl.offs, _off, self->nl.miss_type);		\
	EXPECT_NE('\0', self->nl.msg[0]);					\
	EXPECT_TRUE(has_word(self->nl.msg, (words)));				\
	if (_off >= 0)								\
		EXPECT_EQ(_off, self->nl.offs);					\
} while (0)

/* Offsets depend on the message layout: compute them from a dry build. */
#define WHERE(t, field) ({ struct where _ww; build_tap(&self->nl, (t), &_ww, 0); _ww.field; })

/* The 6.1 harness runs the test body even when the setup skipped. */
#define SKIPPED_IN_SETUP do { if (_metadata->skip) return; } while (0)

FIXTURE(genl) {
	struct nl nl;
};

FIXTURE_SETUP(genl)
{
	struct reply r;
	int ret;

	const char *only = getenv("LISTENIN_GENL_ONLY");

	/* test-limits.sh runs some tests with small module parameters. */
	if (only && !strstr(only, _metadata->name))
		SKIP(return, "not in LISTENIN_GENL_ONLY");
	if (geteuid())
		SKIP(return, "needs root");
	ret = nl_open(&self->nl);
	if (ret == -ENOENT)
		SKIP(return, "the listenin family is not registered (module not loaded)");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, simple(&self->nl, LISTENIN_CMD_TAP_FLUSH, -1, 0, &r));
}

FIXTURE_TEARDOWN(genl)
{
	struct reply r;

	if (self->nl.sock)
		simple(&self->nl, LISTENIN_CMD_TAP_FLUSH, -1, 0, &r);
	nl_close(&self->nl);
}

TEST_F(genl, new_replies_with_id_and_cookie)
{
	SKIPPED_IN_SETUP;
	struct tspec t;
	struct reply r, r2;
	struct where w;

	tspec_default(&t, AF_INET);
	t.cookie = 0x1122334455667788LL;
	ASSERT_EQ(0, tap_new(&self->nl, &t, &r));
	EXPECT_EQ(LISTENIN_CMD_TAP_NEW, r.cmd);
	ASSERT_TRUE(r.has_id);
	EXPECT_NE(0, r.id);
	ASSERT_TRUE(r.has_cookie);
	EXPECT_EQ(0x1122334455667788ULL, r.cookie);

	/* Without NLM_F_ACK the reply still comes, with the next id. */
	tspec_default(&t, AF_INET6);
	memset(&r2, 0, sizeof(r2));
	ASSERT_EQ(0, request(&self->nl, build_tap(&self->nl, &t, &w, 0), reply_cb, &r2));
	ASSERT_TRUE(r2.has_id);
	EXPECT_NE(r.id, r2.id);
	EXPECT_TRUE(r2.has_cookie);
	EXPECT_EQ(0, r2.cookie);
}

TEST_F(genl, get_returns_what_was_created)
{
	SKIPPED_IN_SETUP;
	struct tspec t;
	struct reply r, g;
	uint8_t want[16];

	tspec_default(&t, AF_INET6);
	t.idle = 77;
	t.cookie = 42;
	t.st[0].n_outputs = 2;
	ospec_default(&t.st[0].out[1], AF_INET6);
	t.st[0].out[1].dst_port = 6002;
	t.st[0].out[1].flags = LISTENIN_OUTPUT_F_LISTEN_ONLY;
	ASSERT_EQ(0, tap_new(&self->nl, &t, &r));
	ASSERT_EQ(0, simple(&self->nl, LISTENIN_CMD_TAP_GET, r.id, 0, &g));
	EXPECT_EQ(LISTENIN_CMD_TAP_GET, g.cmd);
	EXPECT_EQ(r.id, g.id);
	EXPECT_EQ(42, g.cookie);
	EXPECT_EQ(77, g.idle_timeout);
	EXPECT_TRUE(g.has_counters);
	EXPECT_EQ(1, g.n_streams);
	EXPECT_EQ(2, g.n_outputs);
	EXPECT_EQ(t.st[0].dst_port, g.dst_port);
	ASSERT_EQ(16, g.dst_len);
	inet_pton(AF_INET6, "2001:db8::1", want);
	EXPECT_EQ(0, memcmp(want, g.dst_addr, 16));
	EXPECT_EQ(6002, g.out_dst_port);	/* the last output parsed */
	EXPECT_EQ(7000, g.out_src_port);

	/* Defaults: cookie 0, idle timeout 30 s. */
	tspec_default(&t, AF_INET);
	ASSERT_EQ(0, tap_new(&self->nl, &t, &r));
	ASSERT_EQ(0, simple(&self->nl, LISTENIN_CMD_TAP_GET, r.id, 0, &g));
	EXPECT_EQ(0, g.cookie);
	EXPECT_EQ(LISTENIN_IDLE_TIMEOUT_DEFAULT, g.idle_timeout);
}

TEST_F(genl, get_and_del_of_a_missing_tap_fail_with_enoent)
{
	SKIPPED_IN_SETUP;
	struct tspec t;
	struct reply r;
	uint32_t id;

	EXPECT_EQ(-ENOENT, simple(&self->nl, LISTENIN_CMD_TAP_GET, 0x7ffffff0, 0, &r));
	EXPECT_EQ(-ENOENT, simple(&self->nl, LISTENIN_CMD_TAP_DEL, 0x7ffffff0, 0, &r));

	tspec_default(&t, AF_INET);
	ASSERT_EQ(0, tap_new(&self->nl, &t, &r));
	id = r.id;
	ASSERT_EQ(0, simple(&self->nl, LISTENIN_CMD_TAP_DEL, id, 0, &r));
	EXPECT_EQ(-ENOENT, simple(&self->nl, LISTENIN_CMD_TAP_GET, id, 0, &r));
	EXPECT_EQ(-ENOENT, simple(&self->nl, LISTENIN_CMD_TAP_DEL, id, 0, &r));
}

TEST_F(genl, get_and_del_need_an_id)
{
	SKIPPED_IN_SETUP;
	struct reply r;

	EXPECT_EQ(-EINVAL, simple(&self->nl, LISTENIN_CMD_TAP_GET, -1, 0, &r));
	EXPECT_EQ(-EINVAL, simple(&self->nl, LISTENIN_CMD_TAP_DEL, -1, 0, &r));
	TH_LOG("extack: \"%s\" missing type %d", self->nl.msg, self->nl.miss_type);
	EXPECT_NE('\0', self->nl.msg[0]);
	if (self->nl.miss_type >= 0)
		EXPECT_EQ(LISTENIN_A_TAP_ID, self->nl.miss_type);
}

TEST_F(genl, dump_lists_every_tap_in_ascending_order)
{
	SKIPPED_IN_SETUP;
	uint32_t created[40];
	struct tspec t;
	struct reply r, d;
	struct nlmsghdr *nlh;
	int i, j;

	for (i = 0; i < 40; i++) {
		tspec_default(&t, i & 1 ? AF_INET6 : AF_INET);
		ASSERT_EQ(0, tap_new(&self->nl, &t, &r));
		created[i] = r.id;
	}
	/* Remove a few in the middle: the dump must not show them. */
	for (i = 5; i < 40; i += 7)
		ASSERT_EQ(0, simple(&self->nl, LISTENIN_CMD_TAP_DEL, created[i], 0, &r));

	memset(&d, 0, sizeof(d));
	nlh = msg_start(&self->nl, LISTENIN_CMD_TAP_GET, NLM_F_DUMP);
	ASSERT_EQ(0, request(&self->nl, nlh, reply_cb, &d));
	EXPECT_EQ(40 - 5, d.n_ids);
	for (i = 1; i < d.n_ids; i++)
		EXPECT_LT(d.ids[i - 1], d.ids[i]);
	for (i = 0; i < 40; i++) {
		bool found = false;

		for (j = 0; j < d.n_ids; j++)
			found |= d.ids[j] == created[i];
		EXPECT_EQ(i >= 5 && (i - 5) % 7 == 0 ? false : true, found) {
			TH_LOG("tap %u (created %d-th)", created[i], i);
		}
	}
}

/*
 * A dump that spans several recvmsg() calls while a tap is added is flagged
 * NLM_F_DUMP_INTR. The kernel prepares the next batch as each one is read,
 * so enough taps are created for the change to land before a later batch.
 */
TEST_F(genl, dump_interrupted_by_a_change_is_flagged)
{
	SKIPPED_IN_SETUP;
	bool intr = false, done = false, changed = false;
	int i, batches = 0, taps = 0;
	struct nlmsghdr *nlh, *m;
	struct tspec t;
	struct reply r;
	struct nl other;

	ASSERT_EQ(0, nl_open(&other));
	for (i = 0; i < 400; i++) {
		tspec_default(&t, AF_INET6);
		t.st[0].n_outputs = 2;
		ospec_default(&t.st[0].out[1], AF_INET6);
		ASSERT_EQ(0, tap_new(&self->nl, &t, &r));
	}
	nlh = msg_start(&self->nl, LISTENIN_CMD_TAP_GET, NLM_F_DUMP);
	ASSERT_LT(0, mnl_socket_sendto(self->nl.sock, nlh, nlh->nlmsg_len));
	while (!done) {
		ssize_t got = mnl_socket_recvfrom(self->nl.sock, self->nl.buf, sizeof(self->nl.buf));
		int n = (int)got;

		ASSERT_LT(0, got);
		batches++;
		for (m = (struct nlmsghdr *)self->nl.buf; mnl_nlmsg_ok(m, n); m = mnl_nlmsg_next(m, &n)) {
			if (m->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (m->nlmsg_type == NLMSG_DONE || m->nlmsg_type == NLMSG_ERROR)
				done = true;
			else
				taps++;
		}
		if (!changed && !done) {
			tspec_default(&t, AF_INET);
			ASSERT_EQ(0, tap_new(&other, &t, &r));
			changed = true;
		}
	}
	TH_LOG("%d taps in %d batches", taps, batches);
	ASSERT_LT(2, batches);
	EXPECT_TRUE(intr);
	nl_close(&other);
}

TEST_F(genl, flush_reports_how_many_taps_it_removed)
{
	SKIPPED_IN_SETUP;
	struct tspec t;
	struct reply r, d;
	struct nlmsghdr *nlh;
	int i;

	for (i = 0; i < 3; i++) {
		tspec_default(&t, AF_INET);
		ASSERT_EQ(0, tap_new(&self->nl, &t, &r));
	}
	ASSERT_EQ(0, simple(&self->nl, LISTENIN_CMD_TAP_FLUSH, -1, 0, &r));
	EXPECT_EQ(LISTENIN_CMD_TAP_FLUSH, r.cmd);
	ASSERT_TRUE(r.has_count);
	EXPECT_EQ(3, r.count);
	ASSERT_EQ(0, simple(&self->nl, LISTENIN_CMD_TAP_FLUSH, -1, 0, &r));
	ASSERT_TRUE(r.has_count);
	EXPECT_EQ(0, r.count);

	memset(&d, 0, sizeof(d));
	nlh = msg_start(&self->nl, LISTENIN_CMD_TAP_GET, NLM_F_DUMP);
	ASSERT_EQ(0, request(&self->nl, nlh, reply_cb, &d));
	EXPECT_EQ(0, d.n_ids);
}

TEST_F(genl, rejects_missing_attributes)
{
	SKIPPED_IN_SETUP;
	struct tspec t;

	tspec_default(&t, AF_INET);
	t.st[0].dst_port = -1;
	EXPECT_REJECT(&t, -1, EINVAL, "port");
	if (self->nl.miss_type >= 0)
		EXPECT_EQ(LISTENIN_A_STREAM_DST_PORT, self->nl.miss_type);

	tspec_default(&t, AF_INET);
	t.st[0].dst_len = -1;
	EXPECT_REJECT(&t, -1, EINVAL, "addr");

	tspec_default(&t, AF_INET);
	t.st[0].family = -1;
	EXPECT_REJECT(&t, -1, EINVAL, "famil");

	tspec_default(&t, AF_INET);
	t.n_streams = -1;
	EXPECT_REJECT(&t, -1, EINVAL, "stream");

	tspec_default(&t, AF_INET);
	t.n_streams = 0;
	EXPECT_REJECT(&t, -1, EINVAL, "stream");

	tspec_default(&t, AF_INET);
	t.st[0].n_outputs = -1;
	EXPECT_REJECT(&t, -1, EINVAL, "output");

	tspec_default(&t, AF_INET);
	t.st[0].n_outputs = 0;
	EXPECT_REJECT(&t, -1, EINVAL, "output");

	tspec_default(&t, AF_INET);
	t.st[0].out[0].src_port = -1;
	EXPECT_REJECT(&t, -1, EINVAL, "port");

	tspec_default(&t, AF_INET);
	t.st[0].out[0].src_len = -1;
	EXPECT_REJECT(&t, -1, EINVAL, "addr");
}

TEST_F(genl, rejects_bad_addresses_with_the_attribute)
{
	SKIPPED_IN_SETUP;
	struct tspec t;

	tspec_default(&t, AF_INET);
	t.st[0].dst_len = 5;
	EXPECT_REJECT(&t, WHERE(&t, stream_dst_addr), EINVAL, "addr|length|size");

	tspec_default(&t, AF_INET6);
	t.st[0].dst_len = 4;
	EXPECT_REJECT(&t, WHERE(&t, stream_dst_addr), EINVAL, "addr|length|size|famil");

	/* An IPv4 stream with IPv6 outputs. */
	tspec_default(&t, AF_INET);
	t.st[0].out[0].dst_len = 16;
	EXPECT_REJECT(&t, WHERE(&t, out_dst_addr), EINVAL, "famil|addr|length|size");

	tspec_default(&t, AF_INET6);
	t.st[0].out[0].src_len = 4;
	EXPECT_REJECT(&t, WHERE(&t, out_src_addr), EINVAL, "famil|addr|length|size");

	tspec_default(&t, AF_INET);
	t.st[0].family = 17;	/* AF_PACKET */
	EXPECT_REJECT(&t, WHERE(&t, stream_family), EINVAL, "famil");
}

TEST_F(genl, rejects_port_zero)
{
	SKIPPED_IN_SETUP;
	struct tspec t;

	tspec_default(&t, AF_INET);
	t.st[0].dst_port = 0;
	EXPECT_REJECT(&t, WHERE(&t, stream_dst_port), EINVAL, "port");

	tspec_default(&t, AF_INET);
	t.st[0].out[0].dst_port = 0;
	EXPECT_REJECT(&t, WHERE(&t, out_dst_port), EINVAL, "port");
}

TEST_F(genl, rejects_unknown_flag_bits)
{
	SKIPPED_IN_SETUP;
	struct tspec t;

	tspec_default(&t, AF_INET);
	t.st[0].flags = LISTENIN_STREAM_F_ALL + 1;
	EXPECT_REJECT(&t, WHERE(&t, stream_flags), EINVAL, "flag|bit");

	tspec_default(&t, AF_INET);
	t.st[0].out[0].flags = 1U << 31;
	EXPECT_REJECT(&t, WHERE(&t, out_flags), EINVAL, "flag|bit");
}

TEST_F(genl, rejects_idle_timeouts_out_of_range)
{
	SKIPPED_IN_SETUP;
	struct tspec t;

	tspec_default(&t, AF_INET);
	t.idle = 0;
	EXPECT_REJECT(&t, WHERE(&t, idle), EINVAL, "idle|timeout");

	tspec_default(&t, AF_INET);
	t.idle = LISTENIN_IDLE_TIMEOUT_MAX + 1;
	EXPECT_REJECT(&t, WHERE(&t, idle), EINVAL, "idle|timeout");
}

TEST_F(genl, rejects_nested_garbage_and_unknown_attributes)
{
	SKIPPED_IN_SETUP;
	struct tspec t;

	tspec_default(&t, AF_INET);
	t.garbage_streams = true;
	EXPECT_REJECT(&t, -1, EINVAL, "attribute|leftover|garbage|length|stream");

	tspec_default(&t, AF_INET);
	t.garbage_stream_type = true;
	EXPECT_REJECT(&t, -1, EINVAL, "attribute|stream");

	/* Strict validation: an attribute type the family does not know... */
	tspec_default(&t, AF_INET);
	t.extra_type = LISTENIN_A_MAX + 1;
	EXPECT_REJECT(&t, WHERE(&t, extra), EINVAL, "attribute|unknown");

	/* ...and one it knows that TAP_NEW does not take. */
	tspec_default(&t, AF_INET);
	t.extra_type = LISTENIN_A_FLUSH_COUNT;
	EXPECT_REJECT(&t, WHERE(&t, extra), EINVAL, "attribute|unknown|allowed|count|unexpected");
}

TEST_F(genl, created_whole_or_not_at_all)
{
	SKIPPED_IN_SETUP;
	struct tspec t;
	struct reply d;
	struct nlmsghdr *nlh;

	/* The second stream is bad: the first must not be left behind. */
	tspec_default(&t, AF_INET);
	t.n_streams = 2;
	t.st[1] = t.st[0];
	t.st[1].dst_port++;
	t.st[1].out[0].dst_len = 5;
	EXPECT_REJECT(&t, -1, EINVAL, "addr|length|size");

	memset(&d, 0, sizeof(d));
	nlh = msg_start(&self->nl, LISTENIN_CMD_TAP_GET, NLM_F_DUMP);
	ASSERT_EQ(0, request(&self->nl, nlh, reply_cb, &d));
	EXPECT_EQ(0, d.n_ids);
}

TEST_F(genl, max_streams_and_max_outputs_give_e2big)
{
	SKIPPED_IN_SETUP;
	long max_streams = param("max_streams"), max_outputs = param("max_outputs");
	struct tspec t;
	struct reply r;
	long i;

	if (max_streams < 0 || max_outputs < 0)
		SKIP(return, "no max_* parameters under /sys/module/listenin/parameters");

	if (max_streams < MAX_SPEC) {
		tspec_default(&t, AF_INET);
		t.n_streams = (int)max_streams + 1;
		for (i = 1; i < t.n_streams; i++) {
			t.st[i] = t.st[0];
			t.st[i].dst_port = t.st[0].dst_port + i;
		}
		EXPECT_REJECT(&t, -1, E2BIG, "stream|max");
		t.n_streams--;
		EXPECT_EQ(0, tap_new(&self->nl, &t, &r));
	} else {
		TH_LOG("max_streams=%ld: not checked (above %d)", max_streams, MAX_SPEC - 1);
	}

	if (max_outputs < MAX_SPEC) {
		tspec_default(&t, AF_INET);
		t.st[0].n_outputs = (int)max_outputs + 1;
		for (i = 1; i < t.st[0].n_outputs; i++) {
			t.st[0].out[i] = t.st[0].out[0];
			t.st[0].out[i].dst_port = 6000 + i;
		}
		EXPECT_REJECT(&t, -1, E2BIG, "output|max");
		t.st[0].n_outputs--;
		EXPECT_EQ(0, tap_new(&self->nl, &t, &r));
	} else {
		TH_LOG("max_outputs=%ld: not checked (above %d)", max_outputs, MAX_SPEC - 1);
	}
}

TEST_F(genl, max_taps_gives_enospc)
{
	SKIPPED_IN_SETUP;
	long max_taps = param("max_taps");
	struct tspec t;
	struct reply r;
	long i;

	if (max_taps < 0)
		SKIP(return, "no max_taps parameter under /sys/module/listenin/parameters");
	if (max_taps > 2048)
		SKIP(return, "max_taps=%ld: too many taps to fill here (load with max_taps=N)", max_taps);
	for (i = 0; i < max_taps; i++) {
		tspec_default(&t, AF_INET);
		ASSERT_EQ(0, tap_new(&self->nl, &t, &r)) {
			TH_LOG("tap %ld of max_taps=%ld: %s", i + 1, max_taps, self->nl.msg);
		}
	}
	tspec_default(&t, AF_INET);
	EXPECT_REJECT(&t, -1, ENOSPC, "tap|max|limit");
	ASSERT_EQ(0, simple(&self->nl, LISTENIN_CMD_TAP_FLUSH, -1, 0, &r));
	EXPECT_EQ(max_taps, r.count);
	EXPECT_EQ(0, tap_new(&self->nl, &t, &r));
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	return reply_cb(nlh, data);
}

/* Reads one event from sock (1 s at most); 0 or -errno. */
static int read_event(struct nl *ev, struct reply *r)
{
	struct timeval tv = { .tv_sec = 1 };
	ssize_t n;

	setsockopt(mnl_socket_get_fd(ev->sock), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = mnl_socket_recvfrom(ev->sock, ev->buf, sizeof(ev->buf));
	if (n < 0)
		return -errno;
	memset(r, 0, sizeof(*r));
	return mnl_cb_run(ev->buf, (size_t)n, 0, 0, event_cb, r) < 0 ? -errno : 0;
}

TEST_F(genl, delete_and_flush_announce_tap_deleted)
{
	SKIPPED_IN_SETUP;
	struct nl ev;
	struct tspec t;
	struct reply r, e;
	uint32_t id1, id2;

	ASSERT_EQ(0, nl_open(&ev));
	ASSERT_NE(0, ev.events_group);
	ASSERT_EQ(0, mnl_socket_setsockopt(ev.sock, NETLINK_ADD_MEMBERSHIP,
					   &ev.events_group, sizeof(ev.events_group)));

	tspec_default(&t, AF_INET);
	t.cookie = 0xc001;
	ASSERT_EQ(0, tap_new(&self->nl, &t, &r));
	id1 = r.id;
	ASSERT_EQ(0, simple(&self->nl, LISTENIN_CMD_TAP_DEL, id1, 0, &r));
	ASSERT_EQ(0, read_event(&ev, &e));
	EXPECT_EQ(LISTENIN_CMD_TAP_DELETED, e.cmd);
	EXPECT_EQ(id1, e.id);
	EXPECT_EQ(0xc001, e.cookie);
	EXPECT_EQ(LISTENIN_END_CAUSE_DELETED, e.end_cause);
	EXPECT_TRUE(e.has_counters);

	t.cookie = 0xc002;
	ASSERT_EQ(0, tap_new(&self->nl, &t, &r));
	id2 = r.id;
	ASSERT_EQ(0, simple(&self->nl, LISTENIN_CMD_TAP_FLUSH, -1, 0, &r));
	ASSERT_EQ(0, read_event(&ev, &e));
	EXPECT_EQ(LISTENIN_CMD_TAP_DELETED, e.cmd);
	EXPECT_EQ(id2, e.id);
	EXPECT_EQ(0xc002, e.cookie);
	EXPECT_EQ(LISTENIN_END_CAUSE_FLUSHED, e.end_cause);

	/* Nothing else was announced. */
	EXPECT_EQ(-EAGAIN, read_event(&ev, &e));
	nl_close(&ev);
}

struct stats {
	bool ns, global;
	int n_ns, n_global;
};

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct stats *st = data;
	struct nlattr *a, *c;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		bool ns = mnl_attr_get_type(a) == LISTENIN_A_STATS_NAMESPACE;
		bool global = mnl_attr_get_type(a) == LISTENIN_A_STATS_GLOBAL;

		st->ns |= ns;
		st->global |= global;
		if (!ns && !global)
			continue;
		mnl_attr_for_each_nested(c, a) {
			if (mnl_attr_get_type(c) == LISTENIN_A_STATS_PAD)
				continue;
			if (ns)
				st->n_ns++;
			else
				st->n_global++;
		}
	}
	return MNL_CB_OK;
}

TEST_F(genl, stats_carry_every_figure_for_namespace_and_global)
{
	SKIPPED_IN_SETUP;
	struct nlmsghdr *nlh = msg_start(&self->nl, LISTENIN_CMD_STATS_GET, NLM_F_ACK);
	struct stats st = { 0 };

	ASSERT_EQ(0, request(&self->nl, nlh, stats_cb, &st));
	EXPECT_TRUE(st.ns);
	EXPECT_TRUE(st.global);
	/* Every LISTENIN_A_STATS_* but UNSPEC and PAD. */
	EXPECT_EQ(LISTENIN_A_STATS_MAX - 1, st.n_ns);
	EXPECT_EQ(LISTENIN_A_STATS_MAX - 1, st.n_global);
}

/* Runs fn in a child that lost CAP_NET_ADMIN; returns its exit status. */
static int unprivileged(int (*drop)(void), struct __test_metadata *_metadata)
{
	pid_t pid = fork();
	int status;

	if (!pid) {
		struct nl nl;
		struct tspec t;
		struct reply r;
		struct nlmsghdr *nlh;
		int fails = 0, ret;

		if (drop()) {
			perror("dropping privileges");
			_exit(100);
		}
		/* Netlink checks the credentials of whoever opened the socket. */
		ret = nl_open(&nl);
		if (ret) {
			fprintf(stderr, "# resolving the family unprivileged: %s\n", strerror(-ret));
			_exit(101);
		}
		tspec_default(&t, AF_INET);
		ret = tap_new(&nl, &t, &r);
		fails += ret != -EPERM;
		fprintf(stderr, "# TAP_NEW: %s\n", strerror(-ret));
		ret = simple(&nl, LISTENIN_CMD_TAP_GET, 1, 0, &r);
		fails += ret != -EPERM;
		fprintf(stderr, "# TAP_GET: %s\n", strerror(-ret));
		nlh = msg_start(&nl, LISTENIN_CMD_TAP_GET, NLM_F_DUMP);
		ret = request(&nl, nlh, NULL, NULL);
		fails += ret != -EPERM;
		fprintf(stderr, "# TAP_GET dump: %s\n", strerror(-ret));
		ret = simple(&nl, LISTENIN_CMD_TAP_DEL, 1, 0, &r);
		fails += ret != -EPERM;
		fprintf(stderr, "# TAP_DEL: %s\n", strerror(-ret));
		ret = simple(&nl, LISTENIN_CMD_TAP_FLUSH, -1, 0, &r);
		fails += ret != -EPERM;
		fprintf(stderr, "# TAP_FLUSH: %s\n", strerror(-ret));
		ret = simple(&nl, LISTENIN_CMD_STATS_GET, -1, 0, &r);
		fails += ret != -EPERM;
		fprintf(stderr, "# STATS_GET: %s\n", strerror(-ret));
		ret = mnl_socket_setsockopt(nl.sock, NETLINK_ADD_MEMBERSHIP, &nl.events_group,
					    sizeof(nl.events_group)) ? -errno : 0;
		fails += ret != -EPERM;
		fprintf(stderr, "# joining the events group: %s\n", strerror(-ret));
		_exit(fails);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	(void)_metadata;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return -1;
	return 0;
}

/* Every capability, but in a user namespace that does not own the netns. */
static int enter_user_namespace(void)
{
	return unshare(CLONE_NEWUSER);
}

TEST_F(genl, nobody_gets_eperm_and_the_tap_survives)
{
	SKIPPED_IN_SETUP;
	struct tspec t;
	struct reply r, g;

	tspec_default(&t, AF_INET);
	ASSERT_EQ(0, tap_new(&self->nl, &t, &r));
	EXPECT_EQ(0, unprivileged(become_nobody, _metadata));
	EXPECT_EQ(0, simple(&self->nl, LISTENIN_CMD_TAP_GET, r.id, 0, &g));
}

TEST_F(genl, foreign_user_namespace_gets_eperm)
{
	SKIPPED_IN_SETUP;
	int ret = unprivileged(enter_user_namespace, _metadata);

	if (ret == 100)
		SKIP(return, "unprivileged user namespaces are not available");
	EXPECT_EQ(0, ret);
}

TEST_HARNESS_MAIN
