/* SPDX-License-Identifier: GPL-2.0 */
/* Builds IPv4/IPv6 packets (network header first) for the capture tests. */
#ifndef TEST_CAPTURE_BUILD_H
#define TEST_CAPTURE_BUILD_H

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

struct pb {
	uint8_t buf[70000];
	size_t len;
};

static inline void pb_put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void pb_put32(uint8_t *p, uint32_t v)
{
	pb_put16(p, v >> 16);
	pb_put16(p + 2, v & 0xffff);
}

/* UDP header + payload into out; returns its length. */
static inline size_t pb_udp(uint8_t *out, uint16_t sport, uint16_t dport, const void *pl,
			    size_t len)
{
	pb_put16(out, sport);
	pb_put16(out + 2, dport);
	pb_put16(out + 4, (unsigned int)(len + 8));
	pb_put16(out + 6, 0);
	memcpy(out + 8, pl, len);
	return len + 8;
}

/* TCP header (20 bytes) + payload into out; flags as in the TCP header. */
static inline size_t pb_tcp(uint8_t *out, uint16_t sport, uint16_t dport, uint32_t seq,
			    uint8_t flags, const void *pl, size_t len)
{
	memset(out, 0, 20);
	pb_put16(out, sport);
	pb_put16(out + 2, dport);
	pb_put32(out + 4, seq);
	out[12] = 5 << 4;
	out[13] = flags;
	pb_put16(out + 14, 65535);
	if (len)
		memcpy(out + 20, pl, len);
	return len + 20;
}

/* IPv4 packet around l4[0..len): fragment offset in bytes, more = MF. */
static inline void pb_ipv4(struct pb *b, uint8_t proto, uint16_t id, uint32_t off, int more,
			   const uint8_t *l4, size_t len)
{
	uint8_t *p = b->buf;

	memset(p, 0, 20);
	p[0] = 0x45;
	pb_put16(p + 2, (unsigned int)(20 + len));
	pb_put16(p + 4, id);
	pb_put16(p + 6, (more ? 0x2000 : 0) | (off / 8));
	p[8] = 64;
	p[9] = proto;
	p[12] = 192, p[13] = 0, p[14] = 2, p[15] = 1;
	p[16] = 192, p[17] = 0, p[18] = 2, p[19] = 2;
	memcpy(p + 20, l4, len);
	b->len = 20 + len;
}

/*
 * IPv6 packet: with frag_id != 0 a fragment header (offset, more); with
 * dstopts a destination options header before it.
 */
static inline void pb_ipv6(struct pb *b, uint8_t proto, int dstopts, uint32_t frag_id,
			   uint32_t off, int more, const uint8_t *l4, size_t len)
{
	uint8_t *p = b->buf, *q = p + 40;
	uint8_t *nh = p + 6;

	memset(p, 0, 40);
	p[0] = 0x60;
	p[7] = 64;
	p[8] = 0x20, p[9] = 0x01, p[10] = 0x0d, p[11] = 0xb8, p[23] = 1;
	p[24] = 0x20, p[25] = 0x01, p[26] = 0x0d, p[27] = 0xb8, p[39] = 2;
	if (dstopts) {
		*nh = 60;
		memset(q, 0, 8);
		q[2] = 1;	/* PadN */
		q[3] = 4;
		nh = q;
		q += 8;
	}
	if (frag_id) {
		*nh = 44;
		memset(q, 0, 8);
		pb_put16(q + 2, off | (more ? 1 : 0));
		pb_put32(q + 4, frag_id);
		nh = q;
		q += 8;
	}
	*nh = proto;
	memcpy(q, l4, len);
	b->len = (size_t)(q - p) + len;
	pb_put16(p + 4, (unsigned int)(b->len - 40));
}

#endif
