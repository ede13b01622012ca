// SPDX-License-Identifier: GPL-2.0
/*
 * SIP framing over the raw input, then TCP reassembly driven by a script:
 * each record is flags/flow (1 byte), sequence step (1 byte, signed), data
 * length (1 byte), then the data. Every delivered message must frame again
 * to exactly itself; memory must stay within the configured bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "listenind/tcpreasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t max_message = 512;

static void deliver(void *ctx, const struct tcpreasm_key *key, const char *msg, size_t len)
{
	size_t skip, n;

	(void)ctx;
	(void)key;
	if (!len || len > max_message)
		abort();
	if (tcpreasm_sip_frame((const uint8_t *)msg, len, max_message, &skip, &n) !=
	    TCPREASM_FRAME_DONE || skip || n != len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcpreasm_config cfg = {
		.max_flows = 3, .max_message = max_message, .max_ooo_segments = 4,
		.max_ooo_bytes = 600, .max_bytes = 2000, .idle_timeout_ms = 50,
	};
	uint32_t seq[4] = { 1000, 0xfffffff0u, 7, 0 };
	struct tcpreasm *t;
	size_t skip, n, off = 0;
	uint64_t now = 0;

	if (tcpreasm_sip_frame(data, size, max_message, &skip, &n) == TCPREASM_FRAME_DONE &&
	    (skip > size || n > size - skip))
		abort();
	(void)tcpreasm_sip_start(data, size);

	t = tcpreasm_new(&cfg, deliver, NULL);
	if (!t)
		return 0;
	while (size - off >= 3) {
		uint8_t f = data[off];
		int8_t step = (int8_t)data[off + 1];
		size_t len = data[off + 2];
		struct tcpreasm_key k = { .family = AF_INET, .sport = (uint16_t)(f & 3), .dport = 5060 };
		uint32_t *s = &seq[f & 3];

		off += 3;
		if (len > size - off)
			len = size - off;
		*s += (uint32_t)(int32_t)step;
		now += f >> 6;
		tcpreasm_segment(t, &k, *s, (f >> 2) & 7, data + off, len, now);
		*s += (uint32_t)len;
		off += len;
		if (f & 0x20)
			tcpreasm_expire(t, now);
		if (tcpreasm_bytes(t) > cfg.max_bytes || tcpreasm_flows(t) > cfg.max_flows)
			abort();
	}
	tcpreasm_free(t);
	return 0;
}
