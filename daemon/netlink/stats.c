// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "netlink/internal.h"

struct stats_reply {
	struct lnl *nl;
	struct lnl_stats *ns, *global;
	bool seen;
};

static int stats_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct stats_reply *r = arg;
	const char *why;
	int ret;

	ret = lnl_parse_stats(nlh, r->ns, r->global, &why);
	if (ret) {
		lnl_set_error(r->nl, "STATS_GET reply: %s", why);
		return ret;
	}
	r->seen = true;
	return 0;
}

int lnl_stats_get(struct lnl *nl, struct lnl_stats *ns,
		  struct lnl_stats *global)
{
	struct stats_reply r = { .nl = nl, .ns = ns, .global = global };
	struct nlmsghdr *nlh;
	int ret;

	nlh = lnl_msg_start(nl, nl->family_id, LISTENIN_CMD_STATS_GET, 0);
	ret = lnl_transact(nl, nlh, nl->family_id, stats_reply, &r);
	if (ret < 0)
		return ret;
	if (!r.seen) {
		lnl_set_error(nl, "the kernel acknowledged STATS_GET without figures");
		return -EBADMSG;
	}
	return 0;
}
