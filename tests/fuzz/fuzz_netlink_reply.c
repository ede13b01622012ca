// SPDX-License-Identifier: GPL-2.0
/*
 * The lnl reply and event parsers, fed any bytes as a netlink message
 * stream. Input: a mode byte, a flags byte, then the stream.
 *
 * Mode PARSE hands each message of the stream to lnl_parse_tap(),
 * lnl_parse_event() and lnl_parse_stats(), and uses its bytes as extended
 * ACK offsets into a TAP_NEW request for lnl_where*().
 *
 * The other modes run a real request: the stream is sent as one datagram
 * from a second netlink socket to the handle's own, ahead of the kernel's
 * answer, so lnl_transact() (NLMSG_ERROR/DONE, extended ACK, dump flags),
 * the reply callbacks and lnl_events_recv() read it as they would the
 * kernel's. The family id is one the kernel does not know: its own answer,
 * queued behind ours, is an ENOENT error that ends any request our stream
 * leaves open. Unless bit 7 of the mode is set, every message the walk
 * reaches gets the request's sequence number and port id, so that it is
 * not skipped as a leftover. Sending to another socket needs CAP_NET_ADMIN:
 * without it, every input is run in mode PARSE.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "netlink/internal.h"
#include "netlink/lnl.h"
#include "../unit/sample_tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAMILY_ID 0x7ff3	/* not a registered generic netlink family */
#define BUFLEN (64 * 1024)

enum mode { PARSE, TAP_NEW, TAP_GET, TAP_DUMP, TAP_FLUSH, STATS_GET,
	    EVENTS, N_MODES };

static struct lnl nl;
static int inject_fd = -1;
static bool can_inject;
static char request[4096];
static size_t request_len;
static char msgs[BUFLEN] __attribute__((aligned(8)));

static void check(bool cond)
{
	if (!cond)
		__builtin_trap();
}

/* A request for offsets to hit; stream 1 gets a source port without an address. */
static struct lnl_output outs[3];
static struct lnl_stream streams[2];
static struct lnl_tap tap;

static void drain(void);

static bool try_inject(void)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = nl.portid };
	struct nlmsghdr noop = { .nlmsg_len = sizeof(noop),
				 .nlmsg_type = NLMSG_NOOP };
	bool sent = sendto(inject_fd, &noop, sizeof(noop), 0,
			   (struct sockaddr *)&to, sizeof(to)) == sizeof(noop);

	drain();
	return sent;
}

static void setup(void)
{
	struct timeval tv = { .tv_sec = 2 };
	int one = 1, ret;

	sample_tap(&tap, streams, outs);
	streams[1].src_port = 9;
	ret = lnl_build_tap_new(request, sizeof(request), FAMILY_ID, 1, &tap);
	check(ret > 0);
	request_len = (size_t)ret;

	nl.buflen = BUFLEN;
	nl.buf = malloc(BUFLEN);
	nl.rbuf = malloc(BUFLEN);
	nl.sock = mnl_socket_open(NETLINK_GENERIC);
	check(nl.buf && nl.rbuf && nl.sock);
	mnl_socket_setsockopt(nl.sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl.sock, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(nl.sock), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
	check(mnl_socket_bind(nl.sock, 0, MNL_SOCKET_AUTOPID) == 0);
	nl.portid = mnl_socket_get_portid(nl.sock);
	nl.family_id = FAMILY_ID;
	nl.seq = 1000;

	inject_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	check(inject_fd >= 0);
	can_inject = try_inject();
}

static void check_tap(const struct lnl_tap *t)
{
	check(!t->n_streams || t->streams);
	for (size_t i = 0; i < t->n_streams; i++) {
		const struct lnl_stream *s = &t->streams[i];
		int family = s->dst.family;

		check(family == AF_INET || family == AF_INET6);
		check(s->src.family == AF_UNSPEC || s->src.family == family);
		check(!s->n_outputs || s->outputs);
		for (size_t j = 0; j < s->n_outputs; j++)
			check(s->outputs[j].dst.family == family &&
			      s->outputs[j].src.family == family);
	}
}

static void check_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		check(!b[i]);
}

static void parse_one(const struct nlmsghdr *m)
{
	struct lnl_tap t;
	struct lnl_event ev;
	struct lnl_stats ns, global;
	const char *why = NULL;
	int ret;

	ret = lnl_parse_tap(m, &t, &why);
	check(ret == 0 || ret == -EBADMSG || ret == -ENOMEM);
	if (ret == -EBADMSG)
		check(why && why[0]);
	if (ret) {
		check_zero(&t, sizeof(t));
	} else {
		check_tap(&t);
		lnl_tap_free(&t);
	}
	why = NULL;
	ret = lnl_parse_event(m, &ev, &why);
	check(ret == 0 || (ret == -EBADMSG && why && why[0]));
	if (!ret)
		check(ev.cmd == LISTENIN_CMD_TAP_EXPIRED ||
		      ev.cmd == LISTENIN_CMD_TAP_DELETED);
	ret = lnl_parse_stats(m, &ns, &global, NULL);
	check(ret == 0 || ret == -EBADMSG);
	ret = lnl_parse_stats(m, NULL, NULL, NULL);
	check(ret == 0 || ret == -EBADMSG);
}

static void where(const struct nlmsghdr *req, const uint8_t *data, size_t size)
{
	char buf[256], tiny[8];

	for (size_t i = 0; i + 4 <= size; i += 4) {
		uint32_t off, type;

		memcpy(&off, data + i, 4);
		type = off >> 16;
		off &= 0xffff;
		if (lnl_where(req, off, buf, sizeof(buf)))
			check(strlen(buf) < sizeof(buf));
		lnl_where(req, off, tiny, sizeof(tiny));
		if (lnl_where_missing(req, type, data[i] & 1, off, buf,
				      sizeof(buf)))
			check(strlen(buf) < sizeof(buf));
		lnl_where_missing(req, type, true, off, tiny, sizeof(tiny));
	}
}

static void parse_mode(const uint8_t *data, size_t size)
{
	const struct nlmsghdr *m = (const struct nlmsghdr *)msgs;
	int len = (int)size;

	memcpy(msgs, data, size);
	for (; lnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len))
		parse_one(m);
	where((const struct nlmsghdr *)request, data, size < 64 ? size : 64);
	/* The stream's first message as the request offsets point into. */
	m = (const struct nlmsghdr *)msgs;
	if (lnl_nlmsg_ok(m, (int)size))
		where(m, data, size < 64 ? size : 64);
}

/*
 * The messages the walk reaches answer request seq of our handle, the one
 * with a length that does not fit too.
 */
static void address(size_t size, uint32_t seq)
{
	size_t off = 0;

	while (size - off >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr *m = (struct nlmsghdr *)(msgs + off);

		m->nlmsg_seq = seq;
		m->nlmsg_pid = nl.portid;
		if (m->nlmsg_len < sizeof(*m) || m->nlmsg_len > size - off)
			break;
		off += MNL_ALIGN(m->nlmsg_len);
		if (off > size)
			break;
	}
}

static void inject(size_t size)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = nl.portid };

	check(sendto(inject_fd, msgs, size, 0, (struct sockaddr *)&to,
		     sizeof(to)) == (ssize_t)size);
}

/* Drops what the kernel or our stream left behind for the next input. */
static void drain(void)
{
	while (recv(mnl_socket_get_fd(nl.sock), nl.rbuf, nl.buflen,
		    MSG_DONTWAIT) >= 0)
		;
}

static int stop_after;

static int tap_cb(const struct lnl_tap *t, void *arg)
{
	int *seen = arg;

	check_tap(t);
	return ++*seen == stop_after ? 42 : 0;
}

static int event_cb(const struct lnl_event *ev, void *arg)
{
	int *seen = arg;

	check(ev->cmd == LISTENIN_CMD_TAP_EXPIRED ||
	      ev->cmd == LISTENIN_CMD_TAP_DELETED);
	return ++*seen == stop_after ? 42 : 0;
}

/* A result is 0, LNL_DUMP_INTR, a callback's 42 or -errno. */
static void check_result(int ret)
{
	const char *err = lnl_error(&nl);

	check(ret <= 0 || ret == LNL_DUMP_INTR || ret == 42);
	check(ret >= -4095);
	if (err)
		check(strlen(err) < sizeof(nl.error));
}

static void request_mode(enum mode mode, bool keep, uint8_t flags,
			 size_t size)
{
	struct lnl_stats ns, global;
	struct lnl_tap t;
	uint32_t id, count;
	uint64_t cookie;
	int seen = 0, ret;

	if (!keep)
		address(size, nl.seq + 1);
	stop_after = flags & 3;
	inject(size);
	switch (mode) {
	case TAP_NEW:
		ret = lnl_tap_new(&nl, &tap, &id, &cookie);
		/* lnl_transact() took our request as the one being answered. */
		check(nl.req == (const struct nlmsghdr *)nl.buf);
		break;
	case TAP_GET:
		ret = lnl_tap_get(&nl, 1, &t);
		if (!ret) {
			check_tap(&t);
			lnl_tap_free(&t);
		} else {
			check_zero(&t, sizeof(t));
		}
		break;
	case TAP_DUMP:
		ret = lnl_tap_dump(&nl, tap_cb, &seen);
		break;
	case TAP_FLUSH:
		ret = lnl_tap_flush(&nl, flags & 4 ? NULL : &count);
		break;
	case STATS_GET:
		ret = lnl_stats_get(&nl, flags & 4 ? NULL : &ns,
				    flags & 8 ? NULL : &global);
		break;
	default:
		ret = lnl_events_recv(&nl, event_cb, &seen);
		break;
	}
	check_result(ret);
	drain();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum mode mode;
	uint8_t flags;
	bool keep;

	if (!nl.sock)
		setup();
	if (size < 2 || size - 2 > sizeof(msgs))
		return 0;
	mode = (enum mode)((data[0] & 0x7f) % N_MODES);
	keep = data[0] & 0x80;
	flags = data[1];
	data += 2;
	size -= 2;
	if (mode == PARSE || !can_inject) {
		parse_mode(data, size);
		return 0;
	}
	/* Netlink sockets refuse to send an empty datagram. */
	if (!size)
		return 0;
	memcpy(msgs, data, size);
	request_mode(mode, keep, flags, size);
	return 0;
}
