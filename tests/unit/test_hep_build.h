/* SPDX-License-Identifier: GPL-2.0 */
/* Builds HEPv3 messages for the HEP tests, chunk by chunk. */
#ifndef TEST_HEP_BUILD_H
#define TEST_HEP_BUILD_H

#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

struct hb {
	uint8_t buf[70000];
	size_t len;
};

static inline void hb_put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void hb_start(struct hb *b)
{
	memcpy(b->buf, "HEP3", 4);
	b->len = 6;
}

static inline void hb_chunk(struct hb *b, unsigned int vendor, unsigned int type,
			    const void *val, size_t vlen)
{
	hb_put16(b->buf + b->len, vendor);
	hb_put16(b->buf + b->len + 2, type);
	hb_put16(b->buf + b->len + 4, (unsigned int)(vlen + 6));
	memcpy(b->buf + b->len + 6, val, vlen);
	b->len += 6 + vlen;
}

static inline void hb_u8(struct hb *b, unsigned int type, uint8_t v)
{
	hb_chunk(b, 0, type, &v, 1);
}

static inline void hb_u16(struct hb *b, unsigned int type, uint16_t v)
{
	uint8_t p[2];

	hb_put16(p, v);
	hb_chunk(b, 0, type, p, 2);
}

static inline void hb_u32(struct hb *b, unsigned int type, uint32_t v)
{
	uint8_t p[4];

	hb_put16(p, v >> 16);
	hb_put16(p + 2, v & 0xffff);
	hb_chunk(b, 0, type, p, 4);
}

static inline size_t hb_end(struct hb *b)
{
	hb_put16(b->buf + 4, (unsigned int)b->len);
	return b->len;
}

/* A complete SIP-over-UDP message as Kamailio's siptrace would send it. */
static inline size_t hb_sip(struct hb *b, int family, const char *key,
			    const char *payload, size_t plen)
{
	static const uint8_t s4[4] = { 192, 0, 2, 1 }, d4[4] = { 192, 0, 2, 2 };
	static const uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t d6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

	hb_start(b);
	hb_u8(b, 0x0001, family == AF_INET6 ? 10 : 2);
	hb_u8(b, 0x0002, 17);
	if (family == AF_INET6) {
		hb_chunk(b, 0, 0x0005, s6, 16);
		hb_chunk(b, 0, 0x0006, d6, 16);
	} else {
		hb_chunk(b, 0, 0x0003, s4, 4);
		hb_chunk(b, 0, 0x0004, d4, 4);
	}
	hb_u16(b, 0x0007, 5060);
	hb_u16(b, 0x0008, 5080);
	hb_u32(b, 0x0009, 1700000000);
	hb_u32(b, 0x000a, 123456);
	hb_u8(b, 0x000b, 1);
	hb_u32(b, 0x000c, 2001);
	if (key)
		hb_chunk(b, 0, 0x000e, key, strlen(key));
	hb_chunk(b, 0, 0x000f, payload, plen);
	return hb_end(b);
}

#endif
