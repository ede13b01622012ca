// SPDX-License-Identifier: GPL-2.0
#include <linux/build_bug.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <net/dst.h>

#include "tap.h"

/* The common tap: one IPv4 stream with one output that is not listen-only. */
#define SMALL_TAP_SIZE	(sizeof(struct listenin_tap) + \
			 sizeof(struct listenin_stream) + \
			 sizeof(struct listenin_output) + \
			 sizeof(struct listenin_match))

static struct kmem_cache *small_taps;

int listenin_tap_init(void)
{
	/* Objects of the exact size: no kmalloc rounding for the common tap. */
	BUILD_BUG_ON(SMALL_TAP_SIZE > 176);
	BUILD_BUG_ON(sizeof(struct listenin_match) != 24);
	BUILD_BUG_ON(sizeof(struct listenin_stream) % 8 ||
		     sizeof(struct listenin_output) % 8 ||
		     sizeof(struct listenin_tap) % 8);
	small_taps = kmem_cache_create("listenin_tap", SMALL_TAP_SIZE, 0, 0,
				       NULL);
	return small_taps ? 0 : -ENOMEM;
}

/* After rcu_barrier(): no tap is left. */
void listenin_tap_exit(void)
{
	kmem_cache_destroy(small_taps);
}

struct listenin_tap *listenin_tap_alloc(unsigned int n_streams,
					unsigned int n_outputs,
					unsigned int n_matches,
					unsigned int n_addr6)
{
	struct listenin_tap *tap;
	size_t size;

	size = sizeof(*tap) + n_streams * sizeof(struct listenin_stream) +
	       n_outputs * sizeof(struct listenin_output) +
	       n_matches * sizeof(struct listenin_match) +
	       n_addr6 * sizeof(struct in6_addr);
	if (size == SMALL_TAP_SIZE) {
		tap = kmem_cache_zalloc(small_taps, GFP_KERNEL);
		if (tap)
			tap->cached = true;
	} else {
		tap = kvzalloc(size, GFP_KERNEL);
	}
	if (!tap)
		return NULL;
	tap->n_streams = n_streams;
	tap->n_outputs = n_outputs;
	tap->n_matches = n_matches;
	return tap;
}

void listenin_tap_set_match(struct listenin_tap *tap, unsigned int i, u8 kind,
			    unsigned int owner)
{
	struct listenin_match *m = listenin_tap_match(tap, i);

	m->kind = kind;
	m->owner = owner;
	m->tap_off = (u8 *)m - (u8 *)tap;
}

/* @slot: where an IPv6 address goes, in the same tap after @a. */
void listenin_ip_set(union listenin_ip *a, u8 family,
		     const union listenin_addr *v, struct in6_addr *slot)
{
	if (family == AF_INET) {
		a->ip = v->ip;
		return;
	}
	*slot = v->ip6;
	a->off6 = (u8 *)slot - (u8 *)a;
}

/* Only for taps that the packet path can no longer (or never could) see. */
void listenin_tap_free(struct listenin_tap *tap)
{
	unsigned int i;

	for (i = 0; i < tap->n_outputs; i++)
		dst_release(rcu_dereference_protected(listenin_tap_output(tap, i)->route,
						      1));
	if (tap->cached)
		kmem_cache_free(small_taps, tap);
	else
		kvfree(tap);
}

static void tap_free_rcu(struct rcu_head *rcu)
{
	listenin_tap_free(container_of(rcu, struct listenin_tap, rcu));
}

void listenin_tap_free_rcu(struct listenin_tap *tap)
{
	call_rcu(&tap->rcu, tap_free_rcu);
}

/* Streams start idle when the tap is made: no separate creation time. */
unsigned long listenin_tap_last_active(const struct listenin_tap *tap)
{
	unsigned long last = READ_ONCE(tap->streams[0].last_seen);
	unsigned int i;

	for (i = 1; i < tap->n_streams; i++) {
		unsigned long seen = READ_ONCE(tap->streams[i].last_seen);

		if (time_after(seen, last))
			last = seen;
	}
	return last;
}

void listenin_output_counters(const struct listenin_output *out,
			      struct listenin_tap_counters *c)
{
	c->copies += atomic64_read(&out->copies);
	c->copy_bytes += atomic64_read(&out->copy_bytes);
	c->copy_failures += atomic64_read(&out->copy_failures);
	c->talkback_dropped += atomic64_read(&out->talkback_dropped);
}

void listenin_stream_counters(const struct listenin_stream *s,
			      struct listenin_tap_counters *c)
{
	c->packets += atomic64_read(&s->packets);
	c->bytes += atomic64_read(&s->bytes);
}

void listenin_tap_counters(const struct listenin_tap *tap,
			   struct listenin_tap_counters *c)
{
	unsigned int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < tap->n_streams; i++)
		listenin_stream_counters(&tap->streams[i], c);
	for (i = 0; i < tap->n_outputs; i++)
		listenin_output_counters(listenin_tap_output(tap, i), c);
}
