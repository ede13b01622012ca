// SPDX-License-Identifier: GPL-2.0
/*
 * One rhltable per namespace maps (family, destination address, destination
 * port) to the streams, RTCP ports and listen-only outputs that care about
 * it. Entries carry no key of their own: it is derived from the stream or
 * output that owns them in the same tap block, which keeps the common tap
 * (one IPv4 stream, one output) in one 176-byte object.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jhash.h>
#include <linux/rhashtable.h>
#include <net/ipv6.h>

#include "netns.h"
#include "table.h"

static void match_key(const struct listenin_match *m, struct listenin_key *key)
{
	const struct listenin_tap *tap = listenin_match_tap(m);
	const struct listenin_stream *s;
	const struct listenin_output *out;
	const union listenin_ip *addr;

	switch (m->kind) {
	case LISTENIN_MATCH_RTP:
		s = &tap->streams[m->owner];
		addr = &s->daddr;
		key->port = s->dport;
		key->family = s->family;
		break;
	case LISTENIN_MATCH_RTCP:
		s = &tap->streams[m->owner];
		addr = &s->daddr;
		key->port = htons(ntohs(s->dport) + 1);
		key->family = s->family;
		break;
	default:
		/* Talk-back is addressed to where the output's copies come from. */
		out = listenin_tap_output(tap, m->owner);
		addr = &out->saddr;
		key->port = out->sport;
		key->family = out->family;
		break;
	}
	if (key->family == AF_INET)
		key->addr.ip = addr->ip;
	else
		key->addr.ip6 = *listenin_ip6(addr);
}

/*
 * Only the family's part of the address counts: keys are built field by
 * field, and an IPv4 key's other twelve bytes are never set.
 */
static u32 key_hash(const void *data, u32 len, u32 seed)
{
	const struct listenin_key *key = data;
	u32 tail = (__force u16)key->port | (u32)key->family << 16;

	if (key->family == AF_INET)
		return jhash_2words((__force u32)key->addr.ip, tail, seed);
	return jhash2((const u32 *)key->addr.ip6.s6_addr32, 4, seed ^ tail);
}

static bool key_equal(const struct listenin_key *a,
		      const struct listenin_key *b)
{
	if (a->port != b->port || a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->addr.ip == b->addr.ip;
	return ipv6_addr_equal(&a->addr.ip6, &b->addr.ip6);
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
	return !key_equal(&key, arg->key);
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

/*
 * Entries become visible one by one; the tap's streams only copy once
 * listenin_netns_tap_add() marks it live, so a failed insert never copied.
 */
int listenin_table_insert(struct listenin_net *ln, struct listenin_tap *tap)
{
	unsigned int i;
	int err;

	for (i = 0; i < tap->n_matches; i++) {
		err = insert(ln, listenin_tap_match(tap, i));
		if (err) {
			while (i--)
				rhltable_remove(&ln->table,
						&listenin_tap_match(tap, i)->node,
						table_params);
			return err;
		}
	}
	return 0;
}

void listenin_table_remove(struct listenin_net *ln, struct listenin_tap *tap)
{
	unsigned int i;

	for (i = 0; i < tap->n_matches; i++)
		rhltable_remove(&ln->table, &listenin_tap_match(tap, i)->node,
				table_params);
}

#ifdef DEBUG
#include "selftest.h"
#include "selftest/table.c"
#endif
