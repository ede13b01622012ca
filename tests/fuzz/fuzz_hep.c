// SPDX-License-Identifier: GPL-2.0
/* HEPv3 decoder: any bytes, as one UDP datagram and as a TCP stream. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "listenind/hep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hep_packet p;
	size_t off = 0;

	if (hep_decode(data, size, &p) == HEP_OK) {
		if (p.payload + p.payload_len > data + size || p.payload < data)
			__builtin_trap();
		if (p.auth_key && (p.auth_key < data || p.auth_key + p.auth_key_len > data + size))
			__builtin_trap();
	}
	while (size - off >= HEP_HEADER_LEN) {
		size_t n = hep_frame_length(data + off, size - off);

		if (!n || n > size - off)
			break;
		(void)hep_decode(data + off, n, &p);
		off += n;
	}
	return 0;
}
