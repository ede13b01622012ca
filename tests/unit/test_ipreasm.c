// SPDX-License-Identifier: GPL-2.0
/* IP fragment reassembly: orders, duplicates, overlaps, limits, timeouts. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "listenind/ipreasm.h"
#include "tap.h"

static uint8_t payload[65535];
static const uint8_t *out;
static size_t out_len;
static uint8_t out_proto;

static struct ipreasm_key key4(uint32_t id)
{
	struct ipreasm_key k = { .family = AF_INET, .id = id, .proto = IPPROTO_UDP };

	k.src[0] = 192, k.src[3] = 1;
	k.dst[0] = 192, k.dst[3] = 2;
	return k;
}

static enum ipreasm_result add(struct ipreasm *r, const struct ipreasm_key *k, uint32_t off,
			       size_t len, int more, uint64_t now)
{
	return ipreasm_add(r, k, k->family == AF_INET ? k->proto : IPPROTO_UDP, off, more,
			   payload + off, len, now, &out, &out_len, &out_proto);
}

static int is_payload(size_t len)
{
	return out_len == len && !memcmp(out, payload, len);
}

static struct ipreasm *new(unsigned int dgrams, unsigned int frags, size_t bytes)
{
	struct ipreasm_config cfg;

	ipreasm_config_defaults(&cfg);
	if (dgrams)
		cfg.max_datagrams = dgrams;
	if (frags)
		cfg.max_fragments = frags;
	if (bytes)
		cfg.max_bytes = bytes;
	return ipreasm_new(&cfg);
}

static void test_orders(void)
{
	struct ipreasm *r = new(0, 0, 0);
	struct ipreasm_key k = key4(1);
	int res;

	ok(add(r, &k, 0, 1480, 1, 0) == IPREASM_PENDING, "first fragment pending");
	ok(add(r, &k, 1480, 1480, 1, 0) == IPREASM_PENDING, "second fragment pending");
	ok(ipreasm_pending(r) == 1 && ipreasm_bytes(r) == 2960, "one datagram, 2960 bytes held");
	res = add(r, &k, 2960, 100, 0, 1);
	ok(res == IPREASM_DONE && is_payload(3060) && out_proto == IPPROTO_UDP,
	   "in order: last fragment completes the datagram");
	ok(ipreasm_pending(r) == 0 && ipreasm_bytes(r) == 0, "nothing held after completion");

	k = key4(2);
	ok(add(r, &k, 2960, 100, 0, 0) == IPREASM_PENDING &&
	   add(r, &k, 1480, 1480, 1, 0) == IPREASM_PENDING &&
	   add(r, &k, 0, 1480, 1, 0) == IPREASM_DONE && is_payload(3060),
	   "reverse order reassembles");

	/* A 64 KiB datagram in shuffled 1232-byte fragments, over IPv6. */
	{
		struct ipreasm_key k6 = { .family = AF_INET6, .id = 0xdeadbeef };
		uint32_t offs[64];
		unsigned int n = 0, i;
		size_t total = 65000;
		int done = 0, bad = 0;

		k6.src[0] = 0x20, k6.dst[0] = 0x20, k6.dst[15] = 1;
		for (uint32_t o = 0; o < total; o += 1232)
			offs[n++] = o;
		for (i = n - 1; i > 0; i--) {
			unsigned int j = (unsigned int)rand() % (i + 1);
			uint32_t t = offs[i];

			offs[i] = offs[j];
			offs[j] = t;
		}
		for (i = 0; i < n; i++) {
			size_t len = offs[i] + 1232 > total ? total - offs[i] : 1232;

			res = add(r, &k6, offs[i], len, offs[i] + len < total, 0);
			if (res == IPREASM_DONE)
				done++;
			else if (res != IPREASM_PENDING)
				bad++;
		}
		ok(done == 1 && !bad && is_payload(total) && out_proto == IPPROTO_UDP,
		   "IPv6: 65000 bytes in 53 shuffled fragments");
	}

	ok(add(r, &k, 0, 8, 0, 0) == IPREASM_DONE && is_payload(8), "atomic fragment passes through");
	ok(ipreasm_counter(r, IPREASM_CNT_DATAGRAMS) == 4, "reassembled datagrams counted");
	ipreasm_free(r);
}

static void test_keys(void)
{
	struct ipreasm *r = new(0, 0, 0);
	struct ipreasm_key a = key4(7), b = key4(7), c = key4(7);

	b.src[3] = 9;
	c.proto = IPPROTO_TCP;
	add(r, &a, 0, 80, 1, 0);
	ok(add(r, &b, 80, 8, 0, 0) == IPREASM_PENDING, "other source does not complete");
	ok(add(r, &c, 80, 8, 0, 0) == IPREASM_PENDING, "other protocol does not complete");
	ok(add(r, &a, 80, 8, 0, 0) == IPREASM_DONE && is_payload(88), "same key completes");
	ok(ipreasm_pending(r) == 2, "the two others still pending");
	ipreasm_free(r);
}

static void test_bad(void)
{
	struct ipreasm *r = new(0, 4, 0);
	struct ipreasm_key k = key4(3);

	ok(add(r, &k, 0, 100, 1, 0) == IPREASM_ERR_ALIGN &&
	   ipreasm_counter(r, IPREASM_CNT_ERR + IPREASM_ERR_ALIGN - IPREASM_ERR_ALIGN) == 1,
	   "non-last fragment of 100 bytes refused and counted");
	ok(add(r, &k, 4, 100, 0, 0) == IPREASM_ERR_ALIGN, "offset not a multiple of 8 refused");
	ok(add(r, &k, 65528, 16, 0, 0) == IPREASM_ERR_TOO_BIG, "fragment past 65535 refused");
	ok(add(r, &k, 0, 0, 1, 0) == IPREASM_ERR_EMPTY, "empty fragment refused");
	ok(ipreasm_pending(r) == 0, "refused fragments create nothing");

	add(r, &k, 0, 80, 1, 0);
	ok(add(r, &k, 0, 80, 1, 0) == IPREASM_PENDING &&
	   ipreasm_counter(r, IPREASM_CNT_DUPLICATES) == 1, "exact duplicate ignored and counted");
	ok(add(r, &k, 40, 80, 1, 0) == IPREASM_ERR_OVERLAP && ipreasm_pending(r) == 0 &&
	   ipreasm_bytes(r) == 0, "overlap drops the datagram");
	ok(ipreasm_counter(r, IPREASM_CNT_ERR + IPREASM_ERR_OVERLAP - IPREASM_ERR_ALIGN) == 1,
	   "overlap counted");
	/* After the drop, the tail alone cannot complete anything. */
	ok(add(r, &k, 80, 8, 0, 0) == IPREASM_PENDING, "tail after an overlap starts afresh");
	ok(add(r, &k, 160, 8, 0, 0) == IPREASM_ERR_END && ipreasm_pending(r) == 0,
	   "two different ends drop the datagram");
	add(r, &k, 80, 8, 0, 0);
	ok(add(r, &k, 80, 16, 1, 0) == IPREASM_ERR_END, "data past the end drops the datagram");
	add(r, &k, 200, 8, 1, 0);
	ok(add(r, &k, 16, 8, 0, 0) == IPREASM_ERR_END, "end before existing data drops the datagram");

	for (uint32_t o = 0; o < 32; o += 8)
		add(r, &k, o, 8, 1, 0);
	ok(add(r, &k, 32, 8, 1, 0) == IPREASM_ERR_TOO_MANY && ipreasm_pending(r) == 0,
	   "fifth fragment over max_fragments=4 drops the datagram");
	ipreasm_free(r);
}

static void test_limits(void)
{
	struct ipreasm *r = new(2, 0, 1000);
	struct ipreasm_key a = key4(10), b = key4(11), c = key4(12);

	add(r, &a, 0, 600, 1, 0);
	add(r, &b, 0, 600, 1, 1);
	ok(ipreasm_pending(r) == 1 && ipreasm_bytes(r) == 600 &&
	   ipreasm_counter(r, IPREASM_CNT_EVICTED) == 1, "over max_bytes the oldest is evicted");
	ok(add(r, &b, 600, 8, 0, 1) == IPREASM_DONE && is_payload(608), "the newer one survives");

	add(r, &a, 0, 8, 1, 0);
	add(r, &b, 0, 8, 1, 1);
	add(r, &c, 0, 8, 1, 2);
	ok(ipreasm_pending(r) == 2 && ipreasm_counter(r, IPREASM_CNT_EVICTED) == 2,
	   "over max_datagrams the oldest is evicted");
	ok(add(r, &a, 8, 8, 0, 2) == IPREASM_PENDING, "evicted datagram is gone");
	ipreasm_free(r);

	r = new(0, 0, 1000);
	ok(add(r, &a, 0, 1008, 1, 0) == IPREASM_ERR_NOMEM && ipreasm_pending(r) == 0,
	   "a fragment larger than max_bytes is refused");
	ipreasm_free(r);

	r = new(0, 0, 0);
	add(r, &a, 0, 8, 1, 1000);
	add(r, &b, 0, 8, 1, 3000);
	ipreasm_expire(r, 5999);
	ok(ipreasm_pending(r) == 2, "nothing expires before 5 s");
	ipreasm_expire(r, 6000);
	ok(ipreasm_pending(r) == 1 && ipreasm_counter(r, IPREASM_CNT_TIMEOUTS) == 1,
	   "datagram expires 5 s after its first fragment");
	ok(add(r, &b, 8, 8, 0, 8000) == IPREASM_PENDING && ipreasm_counter(r, IPREASM_CNT_TIMEOUTS) == 2,
	   "a late fragment of an expired datagram starts a new one");
	ipreasm_expire(r, 100000);
	ok(ipreasm_pending(r) == 0 && ipreasm_bytes(r) == 0, "all expired, no bytes held");
	ipreasm_free(r);
}

static void test_names(void)
{
	int all = 1;

	for (int i = 0; i < IPREASM_CNT_COUNT; i++)
		if (!ipreasm_counter_name(i) || !strcmp(ipreasm_counter_name(i), "unknown"))
			all = 0;
	for (int i = 0; i < IPREASM_RESULT_COUNT; i++)
		if (!ipreasm_strerror(i))
			all = 0;
	ok(all, "every counter and result has a name");
}

int main(void)
{
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + (i >> 8));
	test_orders();
	test_keys();
	test_bad();
	test_limits();
	test_names();
	return tap_done();
}
