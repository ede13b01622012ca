// SPDX-License-Identifier: GPL-2.0
/*
 * Installs many listenin taps quickly for the fast-path benchmark: requests
 * are packed into large netlink datagrams (the kernel processes every
 * message of a datagram in turn), so 100,000 taps cost a few hundred
 * syscalls instead of 100,000 lictl runs.
 *
 *   taps add COUNT DST_ADDR DST_PORT OUT_ADDR OUT_PORT OUT_SRC_ADDR OUT_SRC_PORT
 *       tap i (0 <= i < COUNT) has one IPv4 stream to DST_ADDR + i,
 *       port DST_PORT + 2 * (i % 1000), and one output to OUT_ADDR,
 *       port OUT_PORT + 2 * (i % 1000), from OUT_SRC_ADDR:OUT_SRC_PORT.
 *   taps flush      removes every tap of the namespace
 *   taps stats      prints this namespace's counters, "name value" per line
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "linux/listenin.h"

#define BATCH		256
#define MSG_MAX		256
#define IDLE_TIMEOUT	LISTENIN_IDLE_TIMEOUT_MAX

struct conn {
	struct mnl_socket *nl;
	uint16_t family;
	uint32_t seq;
	uint32_t portid;
};

struct tap_spec {
	uint32_t dst;		/* host order */
	uint16_t dst_port;
	uint32_t out;
	uint16_t out_port;
	uint32_t out_src;
	uint16_t out_src_port;
};

static void die(const char *what)
{
	fprintf(stderr, "taps: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: taps add COUNT DST_ADDR DST_PORT OUT_ADDR OUT_PORT OUT_SRC_ADDR OUT_SRC_PORT\n"
		"       taps flush\n"
		"       taps stats\n");
	exit(2);
}

static uint32_t parse_addr(const char *s, const char *name)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "taps: %s '%s' is not an IPv4 address\n", name, s);
		exit(2);
	}
	return ntohl(a.s_addr);
}

static unsigned long parse_num(const char *s, const char *name, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max) {
		fprintf(stderr, "taps: %s '%s' is not a number from 0 to %lu\n", name, s, max);
		exit(2);
	}
	return v;
}

/* Prints an error message from the kernel, with its extended ack text. */
static bool quiet;

static int report_error(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const char *msg = NULL;

	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		unsigned int off = sizeof(*err);
		const struct nlattr *a;

		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += mnl_nlmsg_get_payload_len(&err->msg);
		mnl_attr_for_each(a, nlh, off)
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
				msg = mnl_attr_get_str(a);
	}
	if (quiet)
		return -err->error;
	fprintf(stderr, "taps: kernel refused request %u: %s%s%s\n", err->msg.nlmsg_seq,
		strerror(-err->error), msg ? ": " : "", msg ? msg : "");
	return -err->error;
}

static int family_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
		*(uint16_t *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static struct nlmsghdr *put_request(char *buf, struct conn *c, uint16_t type, uint16_t flags,
				    uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++c->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

/*
 * Sends one request and hands every reply message to cb until the kernel's
 * ack or done; returns 0 or the kernel's errno.
 */
static int transact(struct conn *c, struct nlmsghdr *req,
		    void (*cb)(const struct nlmsghdr *, void *), void *data)
{
	static char buf[1 << 16];
	uint32_t seq = req->nlmsg_seq;

	req->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(c->nl, req, req->nlmsg_len) < 0)
		die("send");
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(c->nl, buf, sizeof(buf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len = n;

		if (n < 0)
			die("receive");
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

				return e->error ? report_error(nlh) : 0;
			}
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (cb)
				cb(nlh, data);
		}
	}
}

static void family_reply(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr, data);
}

static void conn_open(struct conn *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int one = 1, rcvbuf = 16 << 20;

	memset(c, 0, sizeof(*c));
	c->seq = time(NULL);
	c->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!c->nl)
		die("netlink socket");
	if (mnl_socket_bind(c->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink bind");
	c->portid = mnl_socket_get_portid(c->nl);
	mnl_socket_setsockopt(c->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	/* room for a whole batch of replies; FORCE needs CAP_NET_ADMIN */
	if (setsockopt(mnl_socket_get_fd(c->nl), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(mnl_socket_get_fd(c->nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			   sizeof(rcvbuf));

	nlh = put_request(buf, c, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, LISTENIN_GENL_NAME);
	quiet = true;
	if (transact(c, nlh, family_reply, &c->family) || !c->family) {
		fprintf(stderr, "taps: generic netlink family '%s' not found: is listenin.ko loaded?\n",
			LISTENIN_GENL_NAME);
		exit(1);
	}
	quiet = false;
}

static void put_tap(char *at, struct conn *c, const struct tap_spec *t)
{
	struct nlmsghdr *nlh = put_request(at, c, c->family, NLM_F_ACK, LISTENIN_CMD_TAP_NEW,
					   LISTENIN_GENL_VERSION);
	struct nlattr *streams, *stream, *outputs, *output;
	uint32_t a;

	mnl_attr_put_u32(nlh, LISTENIN_A_TAP_IDLE_TIMEOUT, IDLE_TIMEOUT);
	streams = mnl_attr_nest_start(nlh, LISTENIN_A_TAP_STREAMS);
	stream = mnl_attr_nest_start(nlh, LISTENIN_A_STREAM);
	mnl_attr_put_u16(nlh, LISTENIN_A_STREAM_FAMILY, AF_INET);
	a = htonl(t->dst);
	mnl_attr_put(nlh, LISTENIN_A_STREAM_DST_ADDR, 4, &a);
	mnl_attr_put_u16(nlh, LISTENIN_A_STREAM_DST_PORT, t->dst_port);
	outputs = mnl_attr_nest_start(nlh, LISTENIN_A_STREAM_OUTPUTS);
	output = mnl_attr_nest_start(nlh, LISTENIN_A_OUTPUT);
	a = htonl(t->out);
	mnl_attr_put(nlh, LISTENIN_A_OUTPUT_DST_ADDR, 4, &a);
	mnl_attr_put_u16(nlh, LISTENIN_A_OUTPUT_DST_PORT, t->out_port);
	a = htonl(t->out_src);
	mnl_attr_put(nlh, LISTENIN_A_OUTPUT_SRC_ADDR, 4, &a);
	mnl_attr_put_u16(nlh, LISTENIN_A_OUTPUT_SRC_PORT, t->out_src_port);
	mnl_attr_nest_end(nlh, output);
	mnl_attr_nest_end(nlh, outputs);
	mnl_attr_nest_end(nlh, stream);
	mnl_attr_nest_end(nlh, streams);
}

/*
 * Waits for the ack (NLMSG_ERROR, 0 on success) of every request of the
 * batch; the TAP_NEW replies in between are not needed here.
 */
static unsigned int collect(struct conn *c, unsigned int expected)
{
	static char buf[1 << 16];
	unsigned int got = 0, failed = 0;

	while (got < expected) {
		ssize_t n = mnl_socket_recvfrom(c->nl, buf, sizeof(buf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len = n;

		if (n < 0)
			die("receive (replies lost? raise net.core.rmem_max)");
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error && !failed++)
				report_error(nlh);
			got++;
		}
	}
	return failed;
}

static int cmd_add(char **argv)
{
	unsigned long count = parse_num(argv[0], "COUNT", 10000000);
	struct tap_spec base = {
		.dst = parse_addr(argv[1], "DST_ADDR"),
		.dst_port = parse_num(argv[2], "DST_PORT", 65535),
		.out = parse_addr(argv[3], "OUT_ADDR"),
		.out_port = parse_num(argv[4], "OUT_PORT", 65535),
		.out_src = parse_addr(argv[5], "OUT_SRC_ADDR"),
		.out_src_port = parse_num(argv[6], "OUT_SRC_PORT", 65535),
	};
	static char buf[BATCH * MSG_MAX];
	unsigned long i = 0, failed = 0;
	struct timespec t0, t1;
	struct conn c;

	if (base.dst_port + 2 * 999 > 65535 || base.out_port + 2 * 999 > 65535 ||
	    !base.dst_port || !base.out_port || !base.out_src_port) {
		fprintf(stderr, "taps: DST_PORT and OUT_PORT must be 1..63537 (each tap adds up to 1998), OUT_SRC_PORT not 0\n");
		return 2;
	}
	conn_open(&c);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (i < count) {
		unsigned int n = 0;
		size_t len = 0;

		for (; n < BATCH && i < count; n++, i++) {
			struct tap_spec t = base;

			t.dst += i;
			t.dst_port += 2 * (i % 1000);
			t.out_port += 2 * (i % 1000);
			put_tap(buf + len, &c, &t);
			len += ((struct nlmsghdr *)(buf + len))->nlmsg_len;
		}
		if (mnl_socket_sendto(c.nl, buf, len) < 0)
			die("send");
		failed += collect(&c, n);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("added %lu taps, %lu refused, in %.3f s\n", count - failed, failed,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	mnl_socket_close(c.nl);
	return failed ? 1 : 0;
}

static void flush_reply(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == LISTENIN_A_FLUSH_COUNT)
			*(uint32_t *)data = mnl_attr_get_u32(a);
}

static int cmd_flush(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t count = 0;
	struct conn c;
	int err;

	conn_open(&c);
	err = transact(&c, put_request(buf, &c, c.family, 0, LISTENIN_CMD_TAP_FLUSH,
				       LISTENIN_GENL_VERSION), flush_reply, &count);
	mnl_socket_close(c.nl);
	if (err)
		return 1;
	printf("flushed %u taps\n", count);
	return 0;
}

static const char *const stat_names[] = {
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

static void stats_reply(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a, *s;

	(void)data;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != LISTENIN_A_STATS_NAMESPACE)
			continue;
		mnl_attr_for_each_nested(s, a) {
			unsigned int t = mnl_attr_get_type(s);

			if (t < sizeof(stat_names) / sizeof(stat_names[0]) && stat_names[t] &&
			    mnl_attr_get_payload_len(s) == sizeof(uint64_t))
				printf("%s %" PRIu64 "\n", stat_names[t], mnl_attr_get_u64(s));
		}
	}
}

static int cmd_stats(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct conn c;
	int err;

	conn_open(&c);
	err = transact(&c, put_request(buf, &c, c.family, 0, LISTENIN_CMD_STATS_GET,
				       LISTENIN_GENL_VERSION), stats_reply, NULL);
	mnl_socket_close(c.nl);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 9 && !strcmp(argv[1], "add"))
		return cmd_add(argv + 2);
	if (argc == 2 && !strcmp(argv[1], "flush"))
		return cmd_flush();
	if (argc == 2 && !strcmp(argv[1], "stats"))
		return cmd_stats();
	usage();
	return 2;
}
