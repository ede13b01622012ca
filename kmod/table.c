// SPDX-License-Identifier: GPL-2.0
/*
 * One rhltable per namespace maps (family, destination address, destination
 * port) to the streams, RTCP ports and listen-only outputs that care about
 * it. Entries carry no key of their own: it is derived from the stream or
 * output that embeds them, which keeps a stream with one output in a
 * 256-byte slab object.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jhash.h>
#include <linux/rhashtable.h>

#include "netns.h"
#include "table.h"

static void match_key(const struct listenin_match *m, struct listenin_key *key)
{
	const struct listenin_stream *s;
	const struct listenin_output *out;

	memset(key, 0, sizeof(*key));
	switch (m->kind) {
	case LISTENIN_MATCH_RTP:
		s = container_of(m, struct listenin_stream, rtp);
		key->addr = s->daddr;
		key->port = s->dport;
		key->family = s->family;
		break;
	case LISTENIN_MATCH_RTCP:
		s = container_of(m, struct listenin_stream, rtcp);
		key->addr = s->daddr;
		key->port = htons(ntohs(s->dport) + 1);
		key->family = s->family;
		break;
	default:
		/* Talk-back is addressed to where the output's copies come from. */
		out = container_of(m, struct listenin_output, talkback);
		key->addr = out->saddr;
		key->port = out->sport;
		key->family = out->family;
		break;
	}
}

static u32 key_hash(const void *data, u32 len, u32 seed)
{
	return jhash2(data, sizeof(struct listenin_key) / sizeof(u32), seed);
}

static u32 match_hash(const void *data, u32 len, u32 seed)
{
	struct listenin_key key;

	match_key(data, &key);
	return key_hash(&key, len, seed);
}

static int match_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	struct listenin_key key;

	match_key(obj, &key);
	return memcmp(&key, arg->key, sizeof(key));
}

static const struct rhashtable_params table_params = {
	.head_offset = offsetof(struct listenin_match, node),
	.key_len = sizeof(struct listenin_key),
	.hashfn = key_hash,
	.obj_hashfn = match_hash,
	.obj_cmpfn = match_cmp,
	.automatic_shrinking = true,
};

int listenin_table_init(struct listenin_net *ln)
{
	return rhltable_init(&ln->table, &table_params);
}

void listenin_table_destroy(struct listenin_net *ln)
{
	rhltable_destroy(&ln->table);
}

struct rhlist_head *listenin_table_lookup(struct listenin_net *ln,
					  const struct listenin_key *key)
{
	return rhltable_lookup(&ln->table, key, table_params);
}

/*
 * rhltable_insert() would hand the entry itself to obj_cmpfn as the key;
 * duplicates are only chained into one list when the real key is given.
 */
static int insert(struct listenin_net *ln, struct listenin_match *m)
{
	struct listenin_key key;

	match_key(m, &key);
	return rhltable_insert_key(&ln->table, &key, &m->node, table_params);
}

static void stream_remove(struct listenin_net *ln, struct listenin_stream *s,
			  unsigned int n_outputs, bool rtp, bool rtcp)
{
	unsigned int i;

	for (i = 0; i < n_outputs; i++)
		if (s->outputs[i].flags & LISTENIN_OUTPUT_F_LISTEN_ONLY)
			rhltable_remove(&ln->table, &s->outputs[i].talkback.node,
					table_params);
	if (rtcp && (s->flags & LISTENIN_STREAM_F_RTCP))
		rhltable_remove(&ln->table, &s->rtcp.node, table_params);
	if (rtp)
		rhltable_remove(&ln->table, &s->rtp.node, table_params);
}

static int stream_insert(struct listenin_net *ln, struct listenin_stream *s)
{
	unsigned int i;
	int err;

	err = insert(ln, &s->rtp);
	if (err)
		return err;
	if (s->flags & LISTENIN_STREAM_F_RTCP) {
		err = insert(ln, &s->rtcp);
		if (err) {
			stream_remove(ln, s, 0, true, false);
			return err;
		}
	}
	for (i = 0; i < s->n_outputs; i++) {
		if (!(s->outputs[i].flags & LISTENIN_OUTPUT_F_LISTEN_ONLY))
			continue;
		err = insert(ln, &s->outputs[i].talkback);
		if (err) {
			stream_remove(ln, s, i, true, true);
			return err;
		}
	}
	return 0;
}

/*
 * Entries become visible one by one; the tap's streams only copy once
 * listenin_netns_tap_add() marks it live, so a failed insert never copied.
 */
int listenin_table_insert(struct listenin_net *ln, struct listenin_tap *tap)
{
	unsigned int i;
	int err;

	for (i = 0; i < tap->n_streams; i++) {
		err = stream_insert(ln, tap->streams[i]);
		if (err) {
			while (i--)
				stream_remove(ln, tap->streams[i],
					      tap->streams[i]->n_outputs,
					      true, true);
			return err;
		}
	}
	return 0;
}

void listenin_table_remove(struct listenin_net *ln, struct listenin_tap *tap)
{
	unsigned int i;

	for (i = 0; i < tap->n_streams; i++)
		stream_remove(ln, tap->streams[i], tap->streams[i]->n_outputs,
			      true, true);
}

#ifdef DEBUG
#include "selftest.h"
#include "selftest/table.c"
#endif
