// SPDX-License-Identifier: GPL-2.0
/*
 * Capture packet handler: a sequence of packets, each a record of length
 * (2 bytes), ethertype selector (1 byte: IPv4, IPv6, 802.1Q, 802.1ad) and
 * the bytes a SOCK_DGRAM packet socket would deliver. Exercises IP header
 * and extension parsing, both reassemblers and the SIP framer together.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "listenind/capture.h"
#include "listenind/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int calls_ingest_sip(struct calls *calls, const struct sip_origin *origin,
		     const char *msg, size_t len)
{
	(void)calls;
	if (!len || (origin->family != 2 && origin->family != 10))
		abort();
	/* Touch every byte so ASan sees any read past the message. */
	return msg[0] == msg[len - 1] ? 0 : -1;
}

static struct capture *cap;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t types[4] = { 0x0800, 0x86dd, 0x8100, 0x88a8 };
	struct timespec seen = { 1, 0 };
	uint64_t now = 0;
	size_t off = 0;

	if (!cap) {
		struct capture_config cfg;
		char err[256];

		capture_config_defaults(&cfg);
		cfg.ports[1].first = 1;
		cfg.ports[1].last = 1024;
		cfg.n_ports = 2;
		cfg.reasm.max_datagrams = 8;
		cfg.reasm.max_bytes = 1 << 16;
		cfg.tcp.max_flows = 8;
		cfg.tcp.max_bytes = 1 << 18;
		cap = capture_open(&cfg, NULL, err, sizeof(err));
		if (!cap)
			abort();
	}
	while (size - off >= 3) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		uint16_t type = types[data[off + 2] & 3];
		uint8_t *pkt;

		off += 3;
		if (len > size - off)
			len = size - off;
		/* An exact-size copy so reads past the packet are caught. */
		pkt = malloc(len ? len : 1);
		if (!pkt)
			return 0;
		memcpy(pkt, data + off, len);
		capture_packet(cap, type, pkt, len, &seen, now++);
		free(pkt);
		off += len;
	}
	/* Start every input from empty reassembly state. */
	{
		struct timespec far = { 1 << 30, 0 };

		capture_on_tick(cap, &far);
	}
	return 0;
}
