// SPDX-License-Identifier: GPL-2.0
/*
 * The "lictl tap add" grammar: the input is its argument list, one word a
 * line (empty lines are empty words). An accepted tap must be one the
 * kernel could take: every stream with an output, every address of its
 * stream's family, and lnl_build_tap_new() must encode it; the request,
 * given a tap id, must parse back to the same tap. A refused one must come
 * with a sentence saying why and leave no allocation behind.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lictl/tapspec.h"
#include "netlink/lnl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WORDS 256

static void check(bool cond)
{
	if (!cond)
		__builtin_trap();
}

static bool same_tap(const struct lnl_tap *a, const struct lnl_tap *b)
{
	if (a->cookie != b->cookie || a->idle_timeout != b->idle_timeout ||
	    a->n_streams != b->n_streams)
		return false;
	for (size_t i = 0; i < a->n_streams; i++) {
		const struct lnl_stream *s = &a->streams[i], *t = &b->streams[i];

		if (!addr_equal(&s->dst, &t->dst) || s->dst_port != t->dst_port ||
		    !addr_equal(&s->src, &t->src) || s->src_port != t->src_port ||
		    s->has_ssrc != t->has_ssrc || s->ssrc != t->ssrc ||
		    s->flags != t->flags || s->n_outputs != t->n_outputs)
			return false;
		for (size_t j = 0; j < s->n_outputs; j++) {
			const struct lnl_output *o = &s->outputs[j];
			const struct lnl_output *p = &t->outputs[j];

			if (!addr_equal(&o->dst, &p->dst) ||
			    o->dst_port != p->dst_port ||
			    !addr_equal(&o->src, &p->src) ||
			    o->src_port != p->src_port || o->flags != p->flags)
				return false;
		}
	}
	return true;
}

static void check_accepted(const struct lnl_tap *tap)
{
	static char buf[64 * 1024] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct lnl_tap back;
	int ret;

	check(tap->n_streams > 0 && tap->streams);
	check(tap->idle_timeout <= LISTENIN_IDLE_TIMEOUT_MAX);
	for (size_t i = 0; i < tap->n_streams; i++) {
		const struct lnl_stream *s = &tap->streams[i];
		int family = s->dst.family;

		check(family == AF_INET || family == AF_INET6);
		check(s->dst_port != 0);
		check(s->src.family == AF_UNSPEC || s->src.family == family);
		check(s->n_outputs > 0 && s->outputs);
		check(!(s->flags & ~LISTENIN_STREAM_F_RTCP));
		for (size_t j = 0; j < s->n_outputs; j++) {
			const struct lnl_output *o = &s->outputs[j];

			check(o->dst.family == family && o->src.family == family);
			check(o->dst_port && o->src_port);
			check(!(o->flags & ~LISTENIN_OUTPUT_F_LISTEN_ONLY));
		}
	}

	ret = lnl_build_tap_new(buf, sizeof(buf), 0x20, 1, tap);
	if (ret == -EMSGSIZE)
		return;
	check(ret > 0 && (size_t)ret == nlh->nlmsg_len);
	if (nlh->nlmsg_len + MNL_ATTR_HDRLEN + 4 > sizeof(buf))
		return;
	mnl_attr_put_u32(nlh, LISTENIN_A_TAP_ID, 1);
	check(lnl_parse_tap(nlh, &back, NULL) == 0);
	check(same_tap(tap, &back));
	lnl_tap_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *argv[MAX_WORDS + 1], err[256];
	struct lnl_tap tap;
	int argc = 0, ret;
	size_t start = 0;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* No input is no argument at all. */
	for (size_t i = 0; size && i <= size && argc < MAX_WORDS; i++) {
		if (i < size && text[i] != '\n')
			continue;
		text[i] = '\0';
		argv[argc++] = text + start;
		start = i + 1;
	}
	argv[argc] = NULL;

	memset(err, 'x', sizeof(err));
	ret = tapspec_parse(argc, argv, &tap, err, sizeof(err));
	if (ret == 0) {
		check_accepted(&tap);
		lnl_tap_free(&tap);
	} else {
		check(ret == -EINVAL || ret == -ENOMEM);
		check(memchr(err, '\0', sizeof(err)) && err[0]);
		check(!tap.streams && !tap.n_streams);
	}
	free(text);
	return 0;
}
