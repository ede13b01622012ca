// SPDX-License-Identifier: GPL-2.0
/*
 * Installs many listenin taps quickly for the fast-path benchmark: requests
 * are packed into large netlink datagrams (the kernel processes every
 * message of a datagram in turn), so 100,000 taps cost a few hundred
 * syscalls instead of 100,000 lictl runs. Everything else is lnl's.
 *
 *   taps add COUNT DST_ADDR DST_PORT OUT_ADDR OUT_PORT OUT_SRC_ADDR OUT_SRC_PORT [IDLE_TIMEOUT]
 *       tap i (0 <= i < COUNT) has one IPv4 stream to DST_ADDR + i,
 *       port DST_PORT + 2 * (i % 1000), and one output to OUT_ADDR,
 *       port OUT_PORT + 2 * (i % 1000), from OUT_SRC_ADDR:OUT_SRC_PORT;
 *       its idle timeout is IDLE_TIMEOUT seconds (the longest there is by
 *       default).
 *   taps flush      removes every tap of the namespace
 *   taps stats      prints this namespace's counters, "name value" per line
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "netlink/lnl.h"

#define BATCH		256
#define MSG_MAX		256

struct batch {
	char buf[BATCH * MSG_MAX];
	size_t off[BATCH];	/* of each request in buf */
	uint32_t first_seq;
	unsigned int n;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: taps add COUNT DST_ADDR DST_PORT OUT_ADDR OUT_PORT OUT_SRC_ADDR OUT_SRC_PORT [IDLE_TIMEOUT]\n"
		"       taps flush\n"
		"       taps stats\n");
	exit(2);
}

static struct addr parse_addr(const char *s, const char *name)
{
	struct addr a = { .family = AF_INET };

	if (inet_pton(AF_INET, s, &a.v4) != 1) {
		fprintf(stderr, "taps: %s '%s' is not an IPv4 address\n", name, s);
		exit(2);
	}
	return a;
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

static struct lnl *open_lnl(void)
{
	struct lnl *nl;
	char err[512];
	int ret;

	ret = lnl_open(&nl, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "taps: %s\n", err[0] ? err : strerror(-ret));
		exit(1);
	}
	return nl;
}

/* "taps: WHAT: No space left on device: max_taps reached" */
static void report(struct lnl *nl, const char *what, int ret)
{
	const char *msg = lnl_error(nl);

	fprintf(stderr, "taps: %s: %s%s%s\n", what, strerror(-ret), msg ? ": " : "",
		msg ? msg : "");
}

static int fail(struct lnl *nl, const char *what, int ret)
{
	report(nl, what, ret);
	lnl_close(nl);
	return 1;
}

static void die_recv(void)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		fprintf(stderr, "taps: no answer from the kernel within lnl's reply timeout\n");
	else if (errno == ENOBUFS)
		fprintf(stderr, "taps: answers were lost: raise net.core.rmem_max\n");
	else
		fprintf(stderr, "taps: receive: %s\n", strerror(errno));
	exit(1);
}

/*
 * Waits for the ack (NLMSG_ERROR, 0 on success) of every request of the
 * batch; the TAP_NEW replies in between are not needed here. Reports the
 * first refusal of the run. Returns how many were refused.
 */
static unsigned int collect(struct lnl *nl, const struct batch *b, unsigned int *reported)
{
	static char buf[1 << 16];
	unsigned int got = 0, refused = 0;

	while (got < b->n) {
		ssize_t n = recv(lnl_fd(nl), buf, sizeof(buf), 0);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len = n;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die_recv();
		}
		for (; mnl_nlmsg_ok(nlh, len) && nlh->nlmsg_len <= (unsigned int)len;
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			uint32_t i = nlh->nlmsg_seq - b->first_seq;
			const struct nlmsghdr *req = NULL;
			int ret;

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			if (i < b->n)
				req = (const struct nlmsghdr *)(b->buf + b->off[i]);
			ret = lnl_ack_error(nl, nlh, req);
			if (ret && !(*reported)++) {
				char what[64];

				snprintf(what, sizeof(what), "kernel refused request %u",
					 nlh->nlmsg_seq);
				report(nl, what, ret);
			}
			refused += ret != 0;
			got++;
		}
	}
	return refused;
}

static int cmd_add(int argc, char **argv)
{
	unsigned long count = parse_num(argv[0], "COUNT", 10000000);
	struct addr dst = parse_addr(argv[1], "DST_ADDR");
	uint16_t dst_port = parse_num(argv[2], "DST_PORT", 65535);
	struct lnl_output out = {
		.dst = parse_addr(argv[3], "OUT_ADDR"),
		.dst_port = parse_num(argv[4], "OUT_PORT", 65535),
		.src = parse_addr(argv[5], "OUT_SRC_ADDR"),
		.src_port = parse_num(argv[6], "OUT_SRC_PORT", 65535),
	};
	struct lnl_stream stream = { .dst = dst, .outputs = &out, .n_outputs = 1 };
	struct lnl_tap tap = {
		.idle_timeout = argc > 7 ? parse_num(argv[7], "IDLE_TIMEOUT", LISTENIN_IDLE_TIMEOUT_MAX)
					 : LISTENIN_IDLE_TIMEOUT_MAX,
		.streams = &stream,
		.n_streams = 1,
	};
	uint16_t out_port = out.dst_port;
	uint32_t base = ntohl(dst.v4.s_addr), seq = 0;
	unsigned long i = 0, refused = 0;
	unsigned int reported = 0;
	int rcvbuf = 16 << 20;
	static struct batch b;
	struct timespec t0, t1;
	struct lnl *nl;

	if (dst_port + 2 * 999 > 65535 || out_port + 2 * 999 > 65535 ||
	    !dst_port || !out_port || !out.src_port) {
		fprintf(stderr, "taps: DST_PORT and OUT_PORT must be 1..63537 (each tap adds up to 1998), OUT_SRC_PORT not 0\n");
		return 2;
	}
	nl = open_lnl();
	/* room for a whole batch of answers; FORCE needs CAP_NET_ADMIN */
	if (setsockopt(lnl_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(lnl_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (i < count) {
		size_t len = 0;

		b.first_seq = seq + 1;
		for (b.n = 0; b.n < BATCH && i < count; b.n++, i++) {
			int ret;

			stream.dst.v4.s_addr = htonl(base + i);
			stream.dst_port = dst_port + 2 * (i % 1000);
			out.dst_port = out_port + 2 * (i % 1000);
			ret = lnl_build_tap_new(b.buf + len, sizeof(b.buf) - len,
						lnl_family_id(nl), ++seq, &tap);
			if (ret < 0) {
				fprintf(stderr, "taps: cannot build request %u: %s\n", seq, strerror(-ret));
				lnl_close(nl);
				return 1;
			}
			((struct nlmsghdr *)(b.buf + len))->nlmsg_flags |= NLM_F_ACK;
			b.off[b.n] = len;
			len += ret;
		}
		if (send(lnl_fd(nl), b.buf, len, 0) < 0) {
			fprintf(stderr, "taps: send: %s\n", strerror(errno));
			lnl_close(nl);
			return 1;
		}
		refused += collect(nl, &b, &reported);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("added %lu taps, %lu refused, in %.3f s\n", count - refused, refused,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	lnl_close(nl);
	return refused ? 1 : 0;
}

static int cmd_flush(void)
{
	struct lnl *nl = open_lnl();
	uint32_t count = 0;
	int ret;

	ret = lnl_tap_flush(nl, &count);
	if (ret < 0)
		return fail(nl, "flush", ret);
	printf("flushed %u taps\n", count);
	lnl_close(nl);
	return 0;
}

static int cmd_stats(void)
{
	struct lnl *nl = open_lnl();
	struct lnl_stats ns;
	int ret;

	ret = lnl_stats_get(nl, &ns, NULL);
	if (ret < 0)
		return fail(nl, "stats", ret);
	for (unsigned int t = 1; t <= LISTENIN_A_STATS_MAX; t++)
		if ((ns.present & (1U << t)) && lnl_stats_name(t))
			printf("%s %" PRIu64 "\n", lnl_stats_name(t), ns.val[t]);
	lnl_close(nl);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 9 || argc == 10) && !strcmp(argv[1], "add"))
		return cmd_add(argc - 2, argv + 2);
	if (argc == 2 && !strcmp(argv[1], "flush"))
		return cmd_flush();
	if (argc == 2 && !strcmp(argv[1], "stats"))
		return cmd_stats();
	usage();
	return 2;
}
