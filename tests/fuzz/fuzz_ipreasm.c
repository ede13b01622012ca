// SPDX-License-Identifier: GPL-2.0
/*
 * IP fragment reassembly driven by a script of fragments: each 6-byte record
 * is key (3 bits family/id), offset/8 (13 bits), length (11 bits) + MF, and
 * a time step. Tight limits so eviction and every error path run.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "listenind/ipreasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t pattern[65536];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipreasm_config cfg = {
		.max_datagrams = 4, .max_fragments = 16, .max_bytes = 20000, .timeout_ms = 100,
	};
	struct ipreasm *r;
	uint64_t now = 0;

	if (!pattern[1])
		for (size_t i = 0; i < sizeof(pattern); i++)
			pattern[i] = (uint8_t)(i ^ (i >> 8));
	r = ipreasm_new(&cfg);
	if (!r)
		return 0;
	for (size_t i = 0; i + 6 <= size; i += 6) {
		const uint8_t *p = data + i;
		struct ipreasm_key k = { .family = p[0] & 1 ? AF_INET6 : AF_INET,
					 .id = (p[0] >> 1) & 3, .proto = 17 };
		uint32_t off = ((uint32_t)(p[1] & 0x1f) << 8 | p[2]) * 8;
		size_t len = ((size_t)(p[3] & 7) << 8 | p[4]);
		bool more = p[3] & 0x80;
		const uint8_t *out;
		size_t out_len;
		uint8_t proto;

		if (p[3] & 0x40)
			len *= 8;
		if (len > sizeof(pattern) - off % sizeof(pattern))
			len = sizeof(pattern) - off % sizeof(pattern);
		now += p[5] & 0x3f;
		if (p[5] & 0x80)
			ipreasm_expire(r, now);
		if (ipreasm_add(r, &k, p[0] >> 3, off, more, pattern + off % sizeof(pattern), len,
				now, &out, &out_len, &proto) == IPREASM_DONE) {
			if (!out_len || out_len > IPREASM_MAX_DATAGRAM)
				abort();
			if (memcmp(out, pattern, out_len))
				abort();
		}
		if (ipreasm_bytes(r) > cfg.max_bytes || ipreasm_pending(r) > cfg.max_datagrams)
			abort();
	}
	ipreasm_free(r);
	return 0;
}
