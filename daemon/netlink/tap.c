// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/genetlink.h>
#include <string.h>

#include "netlink/internal.h"

struct new_reply {
	struct lnl *nl;
	uint32_t id;
	uint64_t cookie;
	bool seen;
};

static int new_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct new_reply *r = arg;
	struct lnl_tap tap;
	const char *why;
	int ret;

	ret = lnl_parse_tap(nlh, &tap, &why);
	if (ret) {
		lnl_set_error(r->nl, "TAP_NEW reply: %s", why);
		return ret;
	}
	r->id = tap.id;
	r->cookie = tap.cookie;
	r->seen = true;
	lnl_tap_free(&tap);
	return 0;
}

int lnl_tap_new(struct lnl *nl, const struct lnl_tap *tap, uint32_t *id,
		uint64_t *cookie)
{
	struct new_reply r = { .nl = nl };
	int ret;

	ret = lnl_build_tap_new(nl->buf, nl->buflen, nl->family_id, ++nl->seq,
				tap);
	if (ret == -EMSGSIZE) {
		lnl_set_error(nl, "the tap does not fit in one %zu-byte request",
			      nl->buflen);
		return ret;
	}
	if (ret == -EINVAL) {
		lnl_set_error(nl, "a stream or output address is missing or of another family than its stream");
		return ret;
	}
	ret = lnl_transact(nl, (struct nlmsghdr *)nl->buf, nl->family_id,
			   new_reply, &r);
	if (ret < 0)
		return ret;
	if (!r.seen) {
		lnl_set_error(nl, "the kernel acknowledged TAP_NEW without saying which tap it created");
		return -EBADMSG;
	}
	if (id)
		*id = r.id;
	if (cookie)
		*cookie = r.cookie;
	return 0;
}

int lnl_tap_del(struct lnl *nl, uint32_t id)
{
	struct nlmsghdr *nlh;

	nlh = lnl_msg_start(nl, nl->family_id, LISTENIN_CMD_TAP_DEL, 0);
	mnl_attr_put_u32(nlh, LISTENIN_A_TAP_ID, id);
	return lnl_transact(nl, nlh, nl->family_id, NULL, NULL);
}

struct get_reply {
	struct lnl *nl;
	struct lnl_tap *tap;
	lnl_tap_cb cb;
	void *arg;
	bool seen;
};

static int get_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct get_reply *r = arg;
	const char *why;
	int ret;

	if (r->seen && !r->cb) {
		lnl_set_error(r->nl, "more than one reply to TAP_GET");
		return -EBADMSG;
	}
	ret = lnl_parse_tap(nlh, r->tap, &why);
	if (ret == -EBADMSG)
		lnl_set_error(r->nl, "TAP_GET reply: %s", why);
	if (ret)
		return ret;
	r->seen = true;
	if (!r->cb)
		return 0;
	ret = r->cb(r->tap, r->arg);
	lnl_tap_free(r->tap);
	return ret;
}

int lnl_tap_get(struct lnl *nl, uint32_t id, struct lnl_tap *tap)
{
	struct get_reply r = { .nl = nl, .tap = tap };
	struct nlmsghdr *nlh;
	int ret;

	memset(tap, 0, sizeof(*tap));
	nlh = lnl_msg_start(nl, nl->family_id, LISTENIN_CMD_TAP_GET, 0);
	mnl_attr_put_u32(nlh, LISTENIN_A_TAP_ID, id);
	ret = lnl_transact(nl, nlh, nl->family_id, get_reply, &r);
	if (ret < 0) {
		lnl_tap_free(tap);
		return ret;
	}
	if (!r.seen) {
		lnl_set_error(nl, "the kernel acknowledged TAP_GET without a tap");
		return -EBADMSG;
	}
	return 0;
}

int lnl_tap_dump(struct lnl *nl, lnl_tap_cb cb, void *arg)
{
	struct lnl_tap tap;
	struct get_reply r = { .nl = nl, .tap = &tap, .cb = cb, .arg = arg };
	struct nlmsghdr *nlh;

	nlh = lnl_msg_start(nl, nl->family_id, LISTENIN_CMD_TAP_GET, NLM_F_DUMP);
	return lnl_transact(nl, nlh, nl->family_id, get_reply, &r);
}

struct flush_reply {
	struct lnl *nl;
	uint32_t count;
	bool seen;
};

static int flush_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct flush_reply *r = arg;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != LISTENIN_A_FLUSH_COUNT)
			continue;
		if (mnl_attr_get_payload_len(a) != sizeof(uint32_t)) {
			lnl_set_error(r->nl, "TAP_FLUSH reply: the count is not a u32");
			return -EBADMSG;
		}
		r->count = mnl_attr_get_u32(a);
		r->seen = true;
	}
	return 0;
}

int lnl_tap_flush(struct lnl *nl, uint32_t *count)
{
	struct flush_reply r = { .nl = nl };
	struct nlmsghdr *nlh;
	int ret;

	nlh = lnl_msg_start(nl, nl->family_id, LISTENIN_CMD_TAP_FLUSH, 0);
	ret = lnl_transact(nl, nlh, nl->family_id, flush_reply, &r);
	if (ret < 0)
		return ret;
	if (!r.seen) {
		lnl_set_error(nl, "TAP_FLUSH reply without LISTENIN_A_FLUSH_COUNT");
		return -EBADMSG;
	}
	if (count)
		*count = r.count;
	return 0;
}
