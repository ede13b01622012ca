// SPDX-License-Identifier: GPL-2.0
#include "listenind/ipreasm.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct frag {
	uint32_t off;
	uint32_t len;
	uint8_t *data;
};

struct dgram {
	bool used;
	bool has_end;
	bool has_first;
	uint8_t proto;
	struct ipreasm_key key;
	uint64_t first_ms;
	uint32_t end;
	uint32_t have;
	unsigned int n;
	struct frag *frags;
};

struct ipreasm {
	struct ipreasm_config cfg;
	struct dgram *dgrams;
	unsigned int used;
	size_t bytes;
	uint8_t *out;
	uint64_t counters[IPREASM_CNT_COUNT];
};

static const char *const names[IPREASM_CNT_COUNT] = {
	[IPREASM_CNT_FRAGMENTS] = "fragments",
	[IPREASM_CNT_DATAGRAMS] = "reassembled",
	[IPREASM_CNT_DUPLICATES] = "duplicate_fragments",
	[IPREASM_CNT_TIMEOUTS] = "reassembly_timeouts",
	[IPREASM_CNT_EVICTED] = "reassembly_evicted",
	[IPREASM_CNT_ERR + IPREASM_ERR_ALIGN - IPREASM_ERR_ALIGN] = "fragment_misaligned",
	[IPREASM_CNT_ERR + IPREASM_ERR_TOO_BIG - IPREASM_ERR_ALIGN] = "fragment_too_big",
	[IPREASM_CNT_ERR + IPREASM_ERR_OVERLAP - IPREASM_ERR_ALIGN] = "fragment_overlap",
	[IPREASM_CNT_ERR + IPREASM_ERR_END - IPREASM_ERR_ALIGN] = "fragment_bad_end",
	[IPREASM_CNT_ERR + IPREASM_ERR_TOO_MANY - IPREASM_ERR_ALIGN] = "fragment_too_many",
	[IPREASM_CNT_ERR + IPREASM_ERR_NOMEM - IPREASM_ERR_ALIGN] = "fragment_no_memory",
	[IPREASM_CNT_ERR + IPREASM_ERR_EMPTY - IPREASM_ERR_ALIGN] = "fragment_empty",
};

static const char *const texts[IPREASM_RESULT_COUNT] = {
	[IPREASM_DONE] = "datagram reassembled",
	[IPREASM_PENDING] = "fragment kept, datagram incomplete",
	[IPREASM_ERR_ALIGN] = "fragment that is not the last is not a multiple of 8 bytes",
	[IPREASM_ERR_TOO_BIG] = "fragment ends past 65535 bytes",
	[IPREASM_ERR_OVERLAP] = "fragment overlaps another one; datagram dropped",
	[IPREASM_ERR_END] = "fragments disagree on where the datagram ends; datagram dropped",
	[IPREASM_ERR_TOO_MANY] = "datagram has more fragments than allowed; datagram dropped",
	[IPREASM_ERR_NOMEM] = "no memory left for reassembly; datagram dropped",
	[IPREASM_ERR_EMPTY] = "fragment carries no data",
};

const char *ipreasm_counter_name(enum ipreasm_counter c)
{
	return (unsigned int)c < IPREASM_CNT_COUNT ? names[c] : "unknown";
}

const char *ipreasm_strerror(enum ipreasm_result res)
{
	return (unsigned int)res < IPREASM_RESULT_COUNT ? texts[res] : "unknown reassembly result";
}

uint64_t ipreasm_counter(const struct ipreasm *r, enum ipreasm_counter c)
{
	return (unsigned int)c < IPREASM_CNT_COUNT ? r->counters[c] : 0;
}

unsigned int ipreasm_pending(const struct ipreasm *r)
{
	return r->used;
}

size_t ipreasm_bytes(const struct ipreasm *r)
{
	return r->bytes;
}

void ipreasm_config_defaults(struct ipreasm_config *cfg)
{
	cfg->max_datagrams = 256;
	cfg->max_fragments = 64;
	cfg->max_bytes = 4 << 20;
	cfg->timeout_ms = 5000;
}

struct ipreasm *ipreasm_new(const struct ipreasm_config *cfg)
{
	struct ipreasm *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->cfg = *cfg;
	if (!r->cfg.max_datagrams)
		r->cfg.max_datagrams = 1;
	if (!r->cfg.max_fragments)
		r->cfg.max_fragments = 1;
	r->dgrams = calloc(r->cfg.max_datagrams, sizeof(*r->dgrams));
	r->out = malloc(IPREASM_MAX_DATAGRAM);
	if (!r->dgrams || !r->out) {
		ipreasm_free(r);
		return NULL;
	}
	return r;
}

static void drop(struct ipreasm *r, struct dgram *d)
{
	unsigned int i;

	for (i = 0; i < d->n; i++) {
		r->bytes -= d->frags[i].len;
		free(d->frags[i].data);
	}
	free(d->frags);
	memset(d, 0, sizeof(*d));
	r->used--;
}

void ipreasm_free(struct ipreasm *r)
{
	unsigned int i;

	if (!r)
		return;
	for (i = 0; r->dgrams && i < r->cfg.max_datagrams; i++)
		if (r->dgrams[i].used)
			drop(r, &r->dgrams[i]);
	free(r->dgrams);
	free(r->out);
	free(r);
}

static bool same_key(const struct ipreasm_key *a, const struct ipreasm_key *b)
{
	size_t alen = a->family == AF_INET6 ? 16 : 4;

	return a->family == b->family && a->id == b->id && a->proto == b->proto &&
	       !memcmp(a->src, b->src, alen) && !memcmp(a->dst, b->dst, alen);
}

static struct dgram *oldest(struct ipreasm *r, const struct dgram *except)
{
	struct dgram *best = NULL;
	unsigned int i;

	for (i = 0; i < r->cfg.max_datagrams; i++) {
		struct dgram *d = &r->dgrams[i];

		if (!d->used || d == except)
			continue;
		if (!best || d->first_ms < best->first_ms)
			best = d;
	}
	return best;
}

static struct dgram *lookup(struct ipreasm *r, const struct ipreasm_key *key, uint64_t now_ms)
{
	struct dgram *free_slot = NULL;
	unsigned int i;

	for (i = 0; i < r->cfg.max_datagrams; i++) {
		struct dgram *d = &r->dgrams[i];

		if (!d->used) {
			if (!free_slot)
				free_slot = d;
			continue;
		}
		if (!same_key(&d->key, key))
			continue;
		if (now_ms - d->first_ms < r->cfg.timeout_ms)
			return d;
		/* Same id reused after the timeout: a new datagram. */
		r->counters[IPREASM_CNT_TIMEOUTS]++;
		drop(r, d);
		if (!free_slot)
			free_slot = d;
	}
	if (!free_slot) {
		free_slot = oldest(r, NULL);
		r->counters[IPREASM_CNT_EVICTED]++;
		drop(r, free_slot);
	}
	free_slot->frags = calloc(r->cfg.max_fragments, sizeof(*free_slot->frags));
	if (!free_slot->frags)
		return NULL;
	free_slot->used = true;
	free_slot->key = *key;
	free_slot->first_ms = now_ms;
	r->used++;
	return free_slot;
}

static enum ipreasm_result fail(struct ipreasm *r, struct dgram *d, enum ipreasm_result res)
{
	if (d)
		drop(r, d);
	r->counters[IPREASM_CNT_ERR + res - IPREASM_ERR_ALIGN]++;
	return res;
}

enum ipreasm_result ipreasm_add(struct ipreasm *r, const struct ipreasm_key *key,
				uint8_t proto, uint32_t offset, bool more,
				const uint8_t *data, size_t len, uint64_t now_ms,
				const uint8_t **out, size_t *out_len, uint8_t *out_proto)
{
	uint32_t end;
	struct dgram *d;
	struct frag *f;
	unsigned int i;

	r->counters[IPREASM_CNT_FRAGMENTS]++;
	if (!len)
		return fail(r, NULL, IPREASM_ERR_EMPTY);
	if (offset % 8 || (more && len % 8))
		return fail(r, NULL, IPREASM_ERR_ALIGN);
	if (offset > IPREASM_MAX_DATAGRAM || len > IPREASM_MAX_DATAGRAM - offset)
		return fail(r, NULL, IPREASM_ERR_TOO_BIG);
	end = offset + (uint32_t)len;

	d = lookup(r, key, now_ms);
	if (!d)
		return fail(r, NULL, IPREASM_ERR_NOMEM);

	if (!more) {
		if (d->has_end && d->end != end)
			return fail(r, d, IPREASM_ERR_END);
		for (i = 0; i < d->n; i++)
			if (d->frags[i].off + d->frags[i].len > end)
				return fail(r, d, IPREASM_ERR_END);
	} else if (d->has_end && end >= d->end) {
		return fail(r, d, IPREASM_ERR_END);
	}
	for (i = 0; i < d->n; i++) {
		f = &d->frags[i];
		if (f->off == offset && f->len == len) {
			r->counters[IPREASM_CNT_DUPLICATES]++;
			return IPREASM_PENDING;
		}
		if (offset < f->off + f->len && f->off < end)
			return fail(r, d, IPREASM_ERR_OVERLAP);
	}
	if (d->n >= r->cfg.max_fragments)
		return fail(r, d, IPREASM_ERR_TOO_MANY);
	while (r->bytes + len > r->cfg.max_bytes) {
		struct dgram *o = oldest(r, d);

		if (!o)
			return fail(r, d, IPREASM_ERR_NOMEM);
		r->counters[IPREASM_CNT_EVICTED]++;
		drop(r, o);
	}

	f = &d->frags[d->n];
	f->data = malloc(len);
	if (!f->data)
		return fail(r, d, IPREASM_ERR_NOMEM);
	memcpy(f->data, data, len);
	f->off = offset;
	f->len = (uint32_t)len;
	d->n++;
	d->have += (uint32_t)len;
	r->bytes += len;
	if (!more) {
		d->has_end = true;
		d->end = end;
	}
	if (!offset) {
		d->has_first = true;
		d->proto = proto;
	}
	if (!d->has_end || d->have != d->end)
		return IPREASM_PENDING;

	/* No overlaps and d->have == d->end: the fragments tile [0, end). */
	for (i = 0; i < d->n; i++)
		memcpy(r->out + d->frags[i].off, d->frags[i].data, d->frags[i].len);
	*out = r->out;
	*out_len = d->end;
	*out_proto = key->family == AF_INET ? key->proto : d->proto;
	r->counters[IPREASM_CNT_DATAGRAMS]++;
	drop(r, d);
	return IPREASM_DONE;
}

void ipreasm_expire(struct ipreasm *r, uint64_t now_ms)
{
	unsigned int i;

	for (i = 0; i < r->cfg.max_datagrams; i++) {
		struct dgram *d = &r->dgrams[i];

		if (d->used && now_ms - d->first_ms >= r->cfg.timeout_ms) {
			r->counters[IPREASM_CNT_TIMEOUTS]++;
			drop(r, d);
		}
	}
}
