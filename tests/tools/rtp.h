/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What rtpsend sends and rtprecv checks: both build every datagram from
 * (kind, ssrc, seq, payload type, length) alone, so a receiver proves a
 * packet byte-identical by building it again and comparing. Also the RTP
 * header, PCMU and tone arithmetic that tonesend, wavmix and rawsend use.
 */
#ifndef LISTENIN_TESTS_RTP_H
#define LISTENIN_TESTS_RTP_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tool.h"

#define RTP_HEADER_LEN		12
#define RTCP_SR_LEN		28
#define SHORT_LEN		8
#define DGRAM_MAX		65507
#define RTP_V2			0x80
#define RATE_HZ			8000	/* PCMU samples per second */
#define PI			3.14159265358979323846

enum kind {
	KIND_RTP,	/* RTP v2, payload from the test pattern */
	KIND_TONE,	/* RTP v2, payload a 1 kHz PCMU tone */
	KIND_RTCP,	/* RTCP sender report */
	KIND_V0,	/* RTP header with version 0: not RTP */
	KIND_SHORT,	/* 8 bytes: shorter than any RTP header */
	KIND_TEXT,	/* ASCII text */
};

static inline const char *kind_name(enum kind k)
{
	static const char *const names[] = {
		[KIND_RTP] = "rtp", [KIND_TONE] = "tone", [KIND_RTCP] = "rtcp",
		[KIND_V0] = "v0", [KIND_SHORT] = "short", [KIND_TEXT] = "text",
	};
	return names[k];
}

/* The options of rtpsend and rtprecv that describe the datagrams. */
/* -T (--tone), -R (--rtcp) or -b KIND (--bogus KIND): the kind of datagram. */
static inline enum kind opt_kind(int c, const char *s)
{
	if (c == 'T')
		return KIND_TONE;
	if (c == 'R')
		return KIND_RTCP;
	if (!strcmp(s, "v0"))
		return KIND_V0;
	if (!strcmp(s, "short"))
		return KIND_SHORT;
	if (!strcmp(s, "text"))
		return KIND_TEXT;
	die_usage("--bogus wants v0, short or text, not '%s'", s);
}

static inline unsigned long long opt_pt(const char *s)
{
	unsigned long long v;

	if (parse_uint(s, 127, &v))
		die_usage("--pt wants a payload type 0..127, not '%s'", s);
	return v;
}

static inline unsigned long long opt_len(const char *s)
{
	unsigned long long v;

	if (parse_uint(s, DGRAM_MAX - RTP_HEADER_LEN, &v))
		die_usage("--len wants payload bytes, 0..65495, not '%s'", s);
	return v;
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void put_rtp_header(uint8_t *p, uint8_t vpxcc, uint8_t mpt, uint16_t seq,
				  uint32_t ts, uint32_t ssrc)
{
	p[0] = vpxcc;
	p[1] = mpt;
	put16(p + 2, seq);
	put32(p + 4, ts);
	put32(p + 8, ssrc);
}

static inline uint16_t rtp_seq(const uint8_t *p)
{
	return get16(p + 2);
}

static inline uint32_t rtp_ts(const uint8_t *p)
{
	return get32(p + 4);
}

static inline uint32_t rtp_ssrc(const uint8_t *p)
{
	return get32(p + 8);
}

static inline uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

/* The test pattern: differs per SSRC, per sequence number and per offset. */
static inline void fill_pattern(uint8_t *p, size_t len, uint32_t ssrc, uint16_t seq)
{
	uint32_t seed = mix32(ssrc ^ ((uint32_t)seq << 16 | seq));
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 3))
			seed = mix32(seed + (uint32_t)i);
		p[i] = (uint8_t)(seed >> ((i & 3) * 8));
	}
}

/* G.711 mu-law encoding of one 16-bit linear sample. */
static inline uint8_t ulaw(int16_t sample)
{
	int s = sample, sign = 0, exp, mant;

	if (s < 0) {
		s = -s;
		sign = 0x80;
	}
	if (s > 32635)
		s = 32635;
	s += 0x84;
	for (exp = 7; exp > 0 && !(s & (0x80 << exp)); exp--)
		;
	mant = (s >> (exp + 3)) & 0x0f;
	return (uint8_t)~(sign | exp << 4 | mant);
}

/* G.711 mu-law to 16-bit linear. */
static inline int16_t ulaw_decode(uint8_t u)
{
	int t;

	u = (uint8_t)~u;
	t = ((u & 0x0f) << 3) + 0x84;
	t <<= (u & 0x70) >> 4;
	return (int16_t)((u & 0x80) ? 0x84 - t : t - 0x84);
}

/* sin and cos without libm: x reduced to [-pi, pi], then a Taylor series. */
static inline double reduce_angle(double x)
{
	x -= 2 * PI * (double)(long long)(x / (2 * PI));
	if (x > PI)
		x -= 2 * PI;
	else if (x < -PI)
		x += 2 * PI;
	return x;
}

static inline double sine(double x)
{
	double term, sum, x2;

	x = reduce_angle(x);
	x2 = x * x;
	term = x;
	sum = x;
	for (int n = 1; n <= 8; n++) {
		term *= -x2 / (double)((2 * n) * (2 * n + 1));
		sum += term;
	}
	return sum;
}

static inline double cosine(double x)
{
	double term = 1, sum = 1, x2;

	x = reduce_angle(x);
	x2 = x * x;
	for (int n = 1; n <= 9; n++) {
		term *= -x2 / (double)((2 * n - 1) * (2 * n));
		sum += term;
	}
	return sum;
}

/* 1 kHz at 8 kHz sampling, about -12 dBFS: the sample index is the timestamp. */
static inline void fill_tone(uint8_t *p, size_t len, uint32_t ts)
{
	static const int16_t period[8] = { 0, 5793, 8192, 5793, 0, -5793, -8192, -5793 };
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = ulaw(period[(ts + i) & 7]);
}

static inline uint32_t rtp_timestamp(uint32_t ssrc, uint16_t seq, size_t len)
{
	return mix32(ssrc) + (uint32_t)seq * (uint32_t)len;
}

/*
 * Builds datagram seq of the stream ssrc into buf (DGRAM_MAX bytes); len is
 * the payload length where the kind has one. Returns the datagram's length.
 */
static inline size_t build_dgram(uint8_t *buf, enum kind k, uint32_t ssrc,
				 uint16_t seq, uint8_t pt, size_t len)
{
	uint32_t ts = rtp_timestamp(ssrc, seq, len);
	int n;

	switch (k) {
	case KIND_RTP:
	case KIND_TONE:
	case KIND_V0:
		put_rtp_header(buf, k == KIND_V0 ? 0x00 : RTP_V2, pt & 0x7f, seq, ts, ssrc);
		if (k == KIND_TONE)
			fill_tone(buf + RTP_HEADER_LEN, len, ts);
		else
			fill_pattern(buf + RTP_HEADER_LEN, len, ssrc, seq);
		return RTP_HEADER_LEN + len;
	case KIND_RTCP:
		buf[0] = RTP_V2;
		buf[1] = 200;
		put16(buf + 2, RTCP_SR_LEN / 4 - 1);
		put32(buf + 4, ssrc);
		put32(buf + 8, mix32(ssrc + seq));
		put32(buf + 12, mix32(ssrc ^ seq));
		put32(buf + 16, ts);
		put32(buf + 20, seq);
		put32(buf + 24, (uint32_t)seq * (uint32_t)len);
		return RTCP_SR_LEN;
	case KIND_SHORT:
		put32(buf, ssrc);
		put16(buf + 4, seq);
		put16(buf + 6, (uint16_t)~seq);
		return SHORT_LEN;
	case KIND_TEXT:
		n = snprintf((char *)buf, DGRAM_MAX, "BOGUS ssrc=%08x seq=%05u len=%05zu ",
			     ssrc, seq, len);
		if ((size_t)n < len)
			memset(buf + n, '.', len - n);
		return (size_t)n > len ? (size_t)n : len;
	}
	return 0;
}

/*
 * Reads the identity (ssrc, seq, pt, len) a datagram claims to have, so that
 * the caller can rebuild it; returns -1 if it does not even look like kind k.
 */
static inline int parse_dgram(const uint8_t *buf, size_t n, enum kind k,
			      uint32_t *ssrc, uint16_t *seq, uint8_t *pt, size_t *len)
{
	unsigned int s, q;
	size_t l;

	*pt = 0;
	switch (k) {
	case KIND_RTP:
	case KIND_TONE:
	case KIND_V0:
		if (n < RTP_HEADER_LEN)
			return -1;
		*seq = rtp_seq(buf);
		*ssrc = rtp_ssrc(buf);
		*pt = buf[1] & 0x7f;
		*len = n - RTP_HEADER_LEN;
		return 0;
	case KIND_RTCP:
		if (n != RTCP_SR_LEN)
			return -1;
		*ssrc = get32(buf + 4);
		*seq = (uint16_t)get32(buf + 20);
		*len = *seq ? get32(buf + 24) / *seq : 0;
		return 0;
	case KIND_SHORT:
		if (n != SHORT_LEN)
			return -1;
		*ssrc = get32(buf);
		*seq = get16(buf + 4);
		*len = 0;
		return 0;
	case KIND_TEXT:
		if (n < 32 || sscanf((const char *)buf, "BOGUS ssrc=%8x seq=%5u len=%5zu ",
				     &s, &q, &l) != 3 || q > 0xffff)
			return -1;
		*ssrc = s;
		*seq = (uint16_t)q;
		*len = l;
		return 0;
	}
	return -1;
}

#endif
