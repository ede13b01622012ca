// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/genetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "netlink/internal.h"

/* Large enough for any dump message: the kernel sizes those by our reads. */
#define LNL_BUFLEN (64 * 1024)
/* Seconds a request waits for its reply. */
#define LNL_REPLY_TIMEOUT 30

void lnl_set_error(struct lnl *nl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(nl->error, sizeof(nl->error), fmt, ap);
	va_end(ap);
}

bool lnl_error_from_kernel(const struct lnl *nl)
{
	return nl->kernel_error;
}

const char *lnl_error(const struct lnl *nl)
{
	return nl->error[0] ? nl->error : NULL;
}

int lnl_fd(const struct lnl *nl)
{
	return mnl_socket_get_fd(nl->sock);
}

uint32_t lnl_family_version(const struct lnl *nl)
{
	return nl->version;
}

uint16_t lnl_family_id(const struct lnl *nl)
{
	return nl->family_id;
}

struct nlmsghdr *lnl_msg_start_buf(void *buf, size_t len, uint16_t type,
				   uint8_t cmd, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	if (len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*genl)))
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = type == GENL_ID_CTRL ? 1 : LISTENIN_GENL_VERSION;
	return nlh;
}

struct nlmsghdr *lnl_msg_start(struct lnl *nl, uint16_t type, uint8_t cmd,
			       uint16_t flags)
{
	/* These requests are small; no stale reply bytes in their padding. */
	memset(nl->buf, 0, 256);
	return lnl_msg_start_buf(nl->buf, nl->buflen, type, cmd, flags,
				 ++nl->seq);
}

struct ext_ack {
	const char *msg;
	uint32_t offs, miss_type, miss_nest;
	bool has_offs, has_miss_type, has_miss_nest;
};

static int ext_ack_attr(const struct nlattr *a, void *data)
{
	struct ext_ack *ack = data;

	switch (mnl_attr_get_type(a)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			ack->msg = mnl_attr_get_str(a);
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
			ack->offs = mnl_attr_get_u32(a);
			ack->has_offs = true;
		}
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
			ack->miss_type = mnl_attr_get_u32(a);
			ack->has_miss_type = true;
		}
		break;
	case NLMSGERR_ATTR_MISS_NEST:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
			ack->miss_nest = mnl_attr_get_u32(a);
			ack->has_miss_nest = true;
		}
		break;
	}
	return MNL_CB_OK;
}

/* off: where the TLVs start, counted from the start of the payload. */
static void parse_ext_ack(struct lnl *nl, const struct nlmsghdr *m, size_t off)
{
	struct ext_ack ack = { 0 };
	size_t len = mnl_nlmsg_get_payload_len(m);
	const struct nlmsghdr *req = nl->req;
	char where[256] = "";
	bool family = req && req->nlmsg_type == nl->family_id && nl->family_id;

	if (!(m->nlmsg_flags & NLM_F_ACK_TLVS) || off >= len)
		return;
	mnl_attr_parse_payload((const char *)mnl_nlmsg_get_payload(m) + off,
			       len - off, ext_ack_attr, &ack);
	if (family && ack.has_miss_type)
		lnl_where_missing(req, ack.miss_type, ack.has_miss_nest,
				  ack.miss_nest, where, sizeof(where));
	else if (family && ack.has_offs)
		lnl_where(req, ack.offs, where, sizeof(where));
	if (ack.msg && ack.msg[0])
		lnl_set_error(nl, "%s%s%s%s", ack.msg, where[0] ? " [" : "",
			      where, where[0] ? "]" : "");
	else if (where[0] && ack.has_miss_type)
		lnl_set_error(nl, "missing %s", where);
	else if (ack.has_miss_type)
		lnl_set_error(nl, "missing attribute type %u", ack.miss_type);
	else if (where[0])
		lnl_set_error(nl, "invalid %s", where);
}

static int handle_error(struct lnl *nl, const struct nlmsghdr *m)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);
	size_t off;

	if (mnl_nlmsg_get_payload_len(m) < sizeof(*e)) {
		lnl_set_error(nl, "truncated netlink error message");
		return -EBADMSG;
	}
	if (e->error > 0 || e->error < -4095) {
		lnl_set_error(nl, "netlink error message with code %d", e->error);
		return -EBADMSG;
	}
	if (e->error == 0)
		return 0;
	if (m->nlmsg_flags & NLM_F_CAPPED)
		off = sizeof(*e);
	else if (e->msg.nlmsg_len < sizeof(struct nlmsghdr))
		return e->error;
	else
		off = MNL_ALIGN(sizeof(int) + e->msg.nlmsg_len);
	parse_ext_ack(nl, m, off);
	return e->error;
}

int lnl_ack_error(struct lnl *nl, const struct nlmsghdr *ack,
		  const struct nlmsghdr *req)
{
	int ret;

	nl->error[0] = '\0';
	nl->req = req;
	ret = handle_error(nl, ack);
	nl->req = NULL;
	nl->kernel_error = ret != 0;
	return ret;
}

static int handle_done(struct lnl *nl, const struct nlmsghdr *m)
{
	int err;

	if (mnl_nlmsg_get_payload_len(m) < sizeof(int))
		return 0;
	memcpy(&err, mnl_nlmsg_get_payload(m), sizeof(err));
	if (err >= 0)
		return 0;
	if (err < -4095) {
		lnl_set_error(nl, "dump ended with code %d", err);
		return -EBADMSG;
	}
	parse_ext_ack(nl, m, MNL_ALIGN(sizeof(int)));
	return err;
}

int lnl_transact(struct lnl *nl, struct nlmsghdr *nlh, uint16_t reply_type,
		 lnl_reply_cb cb, void *arg)
{
	uint32_t seq = nlh->nlmsg_seq;
	int kernel_err = 0, cb_ret = 0;
	bool intr = false, done = false;

	nl->error[0] = '\0';
	nl->kernel_error = false;
	nl->req = nlh;
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;

	while (!done) {
		const struct nlmsghdr *m = (const struct nlmsghdr *)nl->rbuf;
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->rbuf, nl->buflen);
		int len;

		if (n == 0) {
			lnl_set_error(nl, "the netlink socket returned an empty read");
			return -EIO;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				lnl_set_error(nl, "no reply from the kernel within %d s",
					      LNL_REPLY_TIMEOUT);
				return -ETIMEDOUT;
			}
			if (errno == ENOSPC) {
				lnl_set_error(nl, "reply larger than %zu bytes",
					      nl->buflen);
				return -EMSGSIZE;
			}
			return -errno;
		}
		len = (int)n;
		for (; lnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
			/* Leftovers of an earlier request, or multicast. */
			if (m->nlmsg_seq != seq || m->nlmsg_pid != nl->portid)
				continue;
			if (m->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (m->nlmsg_type == NLMSG_ERROR) {
				kernel_err = handle_error(nl, m);
				done = true;
				break;
			}
			if (m->nlmsg_type == NLMSG_DONE) {
				kernel_err = handle_done(nl, m);
				done = true;
				break;
			}
			if (m->nlmsg_type != reply_type || cb_ret || !cb)
				continue;
			if (mnl_nlmsg_get_payload_len(m) < sizeof(struct genlmsghdr)) {
				lnl_set_error(nl, "reply too short for a generic netlink header");
				cb_ret = -EBADMSG;
				continue;
			}
			cb_ret = cb(m, arg);
		}
		if (!done && len > 0) {
			lnl_set_error(nl, "truncated netlink message in reply");
			return -EBADMSG;
		}
	}
	if (kernel_err) {
		nl->kernel_error = true;
		return kernel_err;
	}
	if (cb_ret)
		return cb_ret;
	return intr ? LNL_DUMP_INTR : 0;
}

static const enum lnl_kind ctrl_policy[CTRL_ATTR_MAX + 1] = {
	[CTRL_ATTR_FAMILY_ID] = LNL_U16,
	[CTRL_ATTR_VERSION] = LNL_U32,
	[CTRL_ATTR_MCAST_GROUPS] = LNL_NEST,
};

static int mcast_group(struct lnl *nl, const struct nlattr *grp)
{
	const struct nlattr *a;
	const char *name = NULL;
	uint32_t id = 0;
	bool has_id = false;

	mnl_attr_for_each_nested(a, grp) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			name = mnl_attr_get_str(a);
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
			id = mnl_attr_get_u32(a);
			has_id = true;
		}
	}
	if (name && has_id && !strcmp(name, LISTENIN_MCGRP_EVENTS))
		nl->events_group = id;
	return 0;
}

static int family_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct lnl *nl = arg;
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	const struct nlattr *grp;
	const char *why;

	if (lnl_attrs_parse(LNL_GENL_PAYLOAD(nlh), LNL_GENL_PAYLOAD_LEN(nlh),
			    ctrl_policy, CTRL_ATTR_MAX, tb, &why)) {
		lnl_set_error(nl, "family reply: %s", why);
		return -EBADMSG;
	}
	if (!tb[CTRL_ATTR_FAMILY_ID]) {
		lnl_set_error(nl, "family reply without a family id");
		return -EBADMSG;
	}
	nl->family_id = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_VERSION])
		nl->version = mnl_attr_get_u32(tb[CTRL_ATTR_VERSION]);
	if (tb[CTRL_ATTR_MCAST_GROUPS])
		mnl_attr_for_each_nested(grp, tb[CTRL_ATTR_MCAST_GROUPS])
			if (mnl_attr_validate(grp, MNL_TYPE_NESTED) == 0)
				mcast_group(nl, grp);
	return 0;
}

static int resolve_family(struct lnl *nl)
{
	struct nlmsghdr *nlh;
	int ret;

	nlh = lnl_msg_start(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, LISTENIN_GENL_NAME);
	ret = lnl_transact(nl, nlh, GENL_ID_CTRL, family_reply, nl);
	if (ret == -ENOENT)
		lnl_set_error(nl, "generic netlink family \"%s\" not found: is listenin.ko loaded?",
			      LISTENIN_GENL_NAME);
	else if (!ret && !nl->family_id) {
		lnl_set_error(nl, "no reply to the family query");
		ret = -EBADMSG;
	}
	return ret;
}

int lnl_open(struct lnl **nlp, char *err, size_t errlen)
{
	struct lnl *nl;
	int one = 1, ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->buflen = LNL_BUFLEN;
	nl->buf = malloc(nl->buflen);
	nl->rbuf = malloc(nl->buflen);
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->buf || !nl->rbuf || !nl->sock)
		goto err_errno;
	/* Best effort: older kernels lack these and still work. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	/* A module that never answers must not hang its callers. */
	setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVTIMEO,
		   &(struct timeval){ .tv_sec = LNL_REPLY_TIMEOUT },
		   sizeof(struct timeval));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err_errno;
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);
	ret = resolve_family(nl);
	if (ret < 0) {
		if (err && errlen)
			snprintf(err, errlen, "%s", nl->error);
		lnl_close(nl);
		return ret;
	}
	*nlp = nl;
	return 0;

err_errno:
	ret = -errno;
	if (err && errlen)
		err[0] = '\0';
	lnl_close(nl);
	return ret;
}

void lnl_close(struct lnl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	free(nl->rbuf);
	free(nl);
}
