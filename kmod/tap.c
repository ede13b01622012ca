// SPDX-License-Identifier: GPL-2.0
#include <linux/build_bug.h>
#include <linux/jiffies.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <net/dst.h>

#include "tap.h"

struct listenin_tap *listenin_tap_alloc(unsigned int n_streams)
{
	struct listenin_tap *tap;

	tap = kzalloc(struct_size(tap, streams, n_streams), GFP_KERNEL);
	if (!tap)
		return NULL;
	tap->created = jiffies;
	return tap;
}

struct listenin_stream *listenin_stream_alloc(unsigned int n_outputs)
{
	struct listenin_stream *s;
	unsigned int i;

	/* The common stream, one output, must stay in a 256-byte object. */
	BUILD_BUG_ON(sizeof(*s) + sizeof(s->outputs[0]) > 256);
	s = kzalloc(struct_size(s, outputs, n_outputs), GFP_KERNEL);
	if (!s)
		return NULL;
	s->rtp.kind = LISTENIN_MATCH_RTP;
	s->rtcp.kind = LISTENIN_MATCH_RTCP;
	s->n_outputs = n_outputs;
	s->last_seen = jiffies;
	for (i = 0; i < n_outputs; i++)
		s->outputs[i].talkback.kind = LISTENIN_MATCH_TALKBACK;
	return s;
}

/* Only for taps that the packet path can no longer (or never could) see. */
void listenin_tap_free(struct listenin_tap *tap)
{
	unsigned int i, j;

	for (i = 0; i < tap->n_streams; i++) {
		struct listenin_stream *s = tap->streams[i];

		if (!s)
			continue;
		for (j = 0; j < s->n_outputs; j++)
			dst_release(rcu_dereference_protected(s->outputs[j].route, 1));
		kfree(s);
	}
	kfree(tap);
}

static void tap_free_rcu(struct rcu_head *rcu)
{
	listenin_tap_free(container_of(rcu, struct listenin_tap, rcu));
}

void listenin_tap_free_rcu(struct listenin_tap *tap)
{
	call_rcu(&tap->rcu, tap_free_rcu);
}

unsigned int listenin_tap_outputs(const struct listenin_tap *tap)
{
	unsigned int i, n = 0;

	for (i = 0; i < tap->n_streams; i++)
		n += tap->streams[i]->n_outputs;
	return n;
}

unsigned long listenin_tap_last_active(const struct listenin_tap *tap)
{
	unsigned long last = tap->created;
	unsigned int i;

	for (i = 0; i < tap->n_streams; i++) {
		unsigned long seen = READ_ONCE(tap->streams[i]->last_seen);

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
	unsigned int i, j;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < tap->n_streams; i++) {
		const struct listenin_stream *s = tap->streams[i];

		listenin_stream_counters(s, c);
		for (j = 0; j < s->n_outputs; j++)
			listenin_output_counters(&s->outputs[j], c);
	}
}
