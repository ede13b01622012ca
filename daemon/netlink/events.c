// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/genetlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "netlink/internal.h"

int lnl_events_subscribe(struct lnl *nl)
{
	int group = (int)nl->events_group;
	int rcvbuf = 1 << 20;

	if (!nl->events_group) {
		lnl_set_error(nl, "the \"%s\" family has no \"%s\" multicast group",
			      LISTENIN_GENL_NAME, LISTENIN_MCGRP_EVENTS);
		return -ENOENT;
	}
	/* A burst of expiries must not overflow a small default buffer. */
	setsockopt(lnl_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* Events may be minutes apart: blocking reads wait for them. */
	setsockopt(lnl_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){ 0 },
		   sizeof(struct timeval));
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return -errno;
	return 0;
}

int lnl_events_recv(struct lnl *nl, lnl_event_cb cb, void *arg)
{
	const struct nlmsghdr *m = (const struct nlmsghdr *)nl->rbuf;
	struct lnl_event ev;
	const char *why;
	ssize_t n;
	int len, ret;

	nl->error[0] = '\0';
	nl->kernel_error = false;
	n = mnl_socket_recvfrom(nl->sock, nl->rbuf, nl->buflen);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	len = (int)n;
	for (; lnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
		const struct genlmsghdr *genl = mnl_nlmsg_get_payload(m);

		if (m->nlmsg_type != nl->family_id ||
		    mnl_nlmsg_get_payload_len(m) < sizeof(*genl) ||
		    (genl->cmd != LISTENIN_CMD_TAP_EXPIRED &&
		     genl->cmd != LISTENIN_CMD_TAP_DELETED))
			continue;
		ret = lnl_parse_event(m, &ev, &why);
		if (ret) {
			lnl_set_error(nl, "event: %s", why);
			return ret;
		}
		ret = cb(&ev, arg);
		if (ret)
			return ret;
	}
	return 0;
}
