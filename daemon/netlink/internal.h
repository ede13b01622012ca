/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NETLINK_INTERNAL_H
#define NETLINK_INTERNAL_H

#include <libmnl/libmnl.h>

#include "netlink/lnl.h"

struct lnl {
	struct mnl_socket *sock;
	uint16_t family_id;
	uint32_t version;
	uint32_t events_group;
	uint32_t portid;
	uint32_t seq;
	char *buf;		/* requests */
	char *rbuf;		/* replies */
	size_t buflen;		/* of each */
	const struct nlmsghdr *req;	/* the request being answered */
	char error[512];
	bool kernel_error;	/* the last failure was the kernel's answer */
};

/* Called for each reply message of the family (or of nlmsg_type). */
typedef int (*lnl_reply_cb)(const struct nlmsghdr *nlh, void *arg);

/* Starts a request in nl->buf. */
struct nlmsghdr *lnl_msg_start(struct lnl *nl, uint16_t type, uint8_t cmd,
			       uint16_t flags);
struct nlmsghdr *lnl_msg_start_buf(void *buf, size_t len, uint16_t type,
				   uint8_t cmd, uint16_t flags, uint32_t seq);

/*
 * Sends nlh (NLM_F_ACK is added) and reads until the ACK, the end of the
 * dump or an error. reply_type is the nlmsg_type replies carry.
 * Returns 0, LNL_DUMP_INTR, cb's non-zero value, or -errno.
 */
int lnl_transact(struct lnl *nl, struct nlmsghdr *nlh, uint16_t reply_type,
		 lnl_reply_cb cb, void *arg);

void lnl_set_error(struct lnl *nl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Attribute table parsing with validation: every attribute must lie inside
 * the payload; known types (1..max) are checked against policy. Unknown
 * types are ignored (newer kernels may add attributes).
 */
enum lnl_kind { LNL_NONE, LNL_U16, LNL_U32, LNL_U64, LNL_ADDR, LNL_NEST,
		LNL_PAD };

int lnl_attrs_parse(const void *payload, size_t len, const enum lnl_kind *policy,
		    unsigned int max, const struct nlattr **tb,
		    const char **why);
int lnl_parse_counters(const struct nlattr *nest, struct lnl_counters *c,
		       const char **why);

/*
 * Where an extended ACK's offset points in our request req:
 * "stream 2, output 1, LISTENIN_A_OUTPUT_SRC_ADDR"; and a missing
 * attribute: "LISTENIN_A_OUTPUT_SRC_PORT in stream 1, output 1".
 * False if the offset does not fall on an attribute of req.
 */
bool lnl_where(const struct nlmsghdr *req, uint32_t off, char *buf,
	       size_t len);
bool lnl_where_missing(const struct nlmsghdr *req, uint32_t type,
		       bool has_nest, uint32_t nest_off, char *buf, size_t len);

/*
 * mnl_nlmsg_ok() compares nlmsg_len with len as an int: a length of 2 GiB
 * or more passes, and the message would be read far past the datagram.
 */
static inline bool lnl_nlmsg_ok(const struct nlmsghdr *nlh, int len)
{
	return mnl_nlmsg_ok(nlh, len) && nlh->nlmsg_len <= (unsigned int)len;
}

#define LNL_GENL_PAYLOAD(nlh) \
	((const char *)mnl_nlmsg_get_payload(nlh) + sizeof(struct genlmsghdr))
#define LNL_GENL_PAYLOAD_LEN(nlh) \
	(mnl_nlmsg_get_payload_len(nlh) - sizeof(struct genlmsghdr))

#endif
