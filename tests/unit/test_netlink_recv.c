// SPDX-License-Identifier: GPL-2.0
/*
 * lnl_transact() and lnl_events_recv() reading what a socket delivers: a
 * second netlink socket sends our handle datagrams ahead of the kernel's
 * own answer (to a family id the kernel does not know, so ENOENT).
 * Needs CAP_NET_ADMIN to send to another socket; skips without it.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "netlink/internal.h"
#include "netlink/lnl.h"
#include "tap.h"

#define FAMILY_ID 0x7ff3

static struct lnl nl;
static int inject_fd;
static char dgram[4096] __attribute__((aligned(8)));
static size_t dgram_len;

static int setup(void)
{
	struct timeval tv = { .tv_sec = 5 };
	int one = 1;

	nl.buflen = 64 * 1024;
	nl.buf = calloc(1, nl.buflen);
	nl.rbuf = calloc(1, nl.buflen);
	nl.sock = mnl_socket_open(NETLINK_GENERIC);
	inject_fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	if (!nl.buf || !nl.rbuf || !nl.sock || inject_fd < 0 ||
	    mnl_socket_bind(nl.sock, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	mnl_socket_setsockopt(nl.sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl.sock, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(nl.sock), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
	nl.portid = mnl_socket_get_portid(nl.sock);
	nl.family_id = FAMILY_ID;
	nl.seq = 100;
	return 0;
}

/* Appends a message answering our next request; returns it. */
static struct nlmsghdr *add(uint16_t type, uint16_t flags)
{
	struct nlmsghdr *m = (struct nlmsghdr *)(dgram + dgram_len);

	memset(m, 0, sizeof(dgram) - dgram_len);
	m = mnl_nlmsg_put_header(m);
	m->nlmsg_type = type;
	m->nlmsg_flags = flags;
	m->nlmsg_seq = nl.seq + 1;
	m->nlmsg_pid = nl.portid;
	return m;
}

static void added(struct nlmsghdr *m)
{
	dgram_len += MNL_ALIGN(m->nlmsg_len);
}

static void genl(struct nlmsghdr *m, uint8_t cmd)
{
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(m, sizeof(*g));

	g->cmd = cmd;
	g->version = LISTENIN_GENL_VERSION;
}

static struct nlmsgerr *error(struct nlmsghdr *m, int err)
{
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(m, sizeof(*e));

	e->error = err;
	e->msg.nlmsg_len = sizeof(struct nlmsghdr);
	return e;
}

static int send_dgram(void)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = nl.portid };
	ssize_t n = sendto(inject_fd, dgram, dgram_len, 0,
			   (struct sockaddr *)&to, sizeof(to));

	dgram_len = 0;
	return n < 0 ? -errno : 0;
}

static void drain(void)
{
	while (recv(mnl_socket_get_fd(nl.sock), nl.rbuf, nl.buflen,
		    MSG_DONTWAIT) >= 0)
		;
}

/* A TAP_GET reply and its ACK: proves the replies injected are read. */
static void test_reply(void)
{
	struct nlmsghdr *m = add(FAMILY_ID, 0);
	struct lnl_tap tap;
	int ret;

	genl(m, LISTENIN_CMD_TAP_GET);
	mnl_attr_put_u32(m, LISTENIN_A_TAP_ID, 77);
	added(m);
	m = add(NLMSG_ERROR, NLM_F_CAPPED);
	error(m, 0);
	added(m);
	send_dgram();
	ret = lnl_tap_get(&nl, 77, &tap);
	ok(ret == 0 && tap.id == 77, "an injected TAP_GET reply is read (%d, %s)",
	   ret, lnl_error(&nl) ? lnl_error(&nl) : "");
	lnl_tap_free(&tap);
	drain();
}

/*
 * A message claiming 2 GiB or more: mnl_nlmsg_ok() alone lets it through
 * (it compares as int), and the error's extended ACK would then be read
 * far past the datagram, or its message reported as the kernel's.
 */
static void test_huge_error(void)
{
	struct nlmsghdr *m = add(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	struct lnl_tap tap;
	const char *err;
	int ret;

	error(m, -EINVAL);
	mnl_attr_put_strz(m, NLMSGERR_ATTR_MSG, "from the bogus message");
	added(m);
	m->nlmsg_len |= 0x80000000u;
	send_dgram();
	ret = lnl_tap_get(&nl, 1, &tap);
	err = lnl_error(&nl);
	ok(ret == -EBADMSG && err && strstr(err, "truncated") &&
	   !lnl_error_from_kernel(&nl),
	   "an error message with nlmsg_len >= 2^31 is a malformed reply (%d, %s)",
	   ret, err ? err : "");
	drain();
}

static int events_seen;
static uint32_t event_id;

static int event_cb(const struct lnl_event *ev, void *arg)
{
	(void)arg;
	events_seen++;
	event_id = ev->id;
	return 0;
}

static struct nlmsghdr *event(uint32_t id)
{
	struct nlmsghdr *m = add(FAMILY_ID, 0);

	genl(m, LISTENIN_CMD_TAP_EXPIRED);
	mnl_attr_put_u32(m, LISTENIN_A_TAP_ID, id);
	mnl_attr_put_u32(m, LISTENIN_A_TAP_END_CAUSE, LISTENIN_END_CAUSE_IDLE);
	added(m);
	return m;
}

static void test_huge_event(void)
{
	struct nlmsghdr *m;
	int ret;

	event(5);
	m = event(6);
	m->nlmsg_len |= 0x80000000u;
	send_dgram();
	ret = lnl_events_recv(&nl, event_cb, NULL);
	ok(ret == 0 && events_seen == 1 && event_id == 5,
	   "an event with nlmsg_len >= 2^31 is not parsed (%d, %d events, %s)",
	   ret, events_seen, lnl_error(&nl) ? lnl_error(&nl) : "");
	drain();
}

int main(void)
{
	int ret;

	printf("TAP version 13\n");
	ret = setup();
	if (!ret) {
		/* Sending to another socket needs CAP_NET_ADMIN. */
		dgram_len = 0;
		event(1);
		ret = send_dgram();
		drain();
	}
	if (ret) {
		printf("1..0 # SKIP cannot send to a netlink socket: %s\n",
		       strerror(-ret));
		return 4;
	}
	test_reply();
	test_huge_error();
	test_huge_event();
	return tap_done();
}
