// SPDX-License-Identifier: GPL-2.0
/* HEPv3 decoder: every field, every rejection, every length. */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "listenind/hep.h"
#include "test_hep_build.h"
#include "tap.h"

static const char sip[] = "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 0\r\n\r\n";

static void test_ipv4(void)
{
	struct hb b;
	struct hep_packet p;
	size_t len = hb_sip(&b, AF_INET, "secret", sip, strlen(sip));
	static const uint8_t s4[4] = { 192, 0, 2, 1 }, d4[4] = { 192, 0, 2, 2 };

	ok(hep_decode(b.buf, len, &p) == HEP_OK, "IPv4 SIP message decodes");
	ok(p.family == AF_INET && p.ip_proto == IPPROTO_UDP, "family and proto");
	ok(!memcmp(p.src_addr, s4, 4) && !memcmp(p.dst_addr, d4, 4), "IPv4 addresses");
	ok(p.src_port == 5060 && p.dst_port == 5080, "ports in host order");
	ok(p.has_timestamp && p.ts_sec == 1700000000 && p.ts_usec == 123456, "timestamp");
	ok(p.proto_type == HEP_PROTO_SIP, "proto type SIP");
	ok(p.has_capture_id && p.capture_id == 2001, "capture agent id");
	ok(p.auth_key_len == 6 && !memcmp(p.auth_key, "secret", 6), "auth key");
	ok(p.payload_len == strlen(sip) && !memcmp(p.payload, sip, p.payload_len) &&
	   !p.compressed, "payload");
	ok(hep_frame_length(b.buf, 6) == len, "frame length from the header alone");
}

static void test_ipv6(void)
{
	struct hb b;
	struct hep_packet p;
	size_t len = hb_sip(&b, AF_INET6, NULL, sip, strlen(sip));

	ok(hep_decode(b.buf, len, &p) == HEP_OK, "IPv6 SIP message decodes");
	ok(p.family == AF_INET6 && p.src_addr[0] == 0x20 && p.src_addr[15] == 1 &&
	   p.dst_addr[15] == 2, "IPv6 addresses");
	ok(!p.auth_key && p.auth_key_len == 0, "no auth key");
}

/* A minimal valid message, optionally with extra chunks before the payload. */
static size_t base(struct hb *b, int skip)
{
	static const uint8_t a[4] = { 10, 0, 0, 1 };

	hb_start(b);
	if (skip != 1)
		hb_u8(b, 1, 2);
	if (skip != 2)
		hb_u8(b, 2, 6);
	if (skip != 3)
		hb_chunk(b, 0, 3, a, 4);
	if (skip != 4)
		hb_chunk(b, 0, 4, a, 4);
	if (skip != 7)
		hb_u16(b, 7, 1);
	if (skip != 8)
		hb_u16(b, 8, 2);
	if (skip != 11)
		hb_u8(b, 11, 1);
	if (skip != 15)
		hb_chunk(b, 0, 15, "x", 1);
	return hb_end(b);
}

static void expect(const uint8_t *buf, size_t len, enum hep_error want, const char *name)
{
	struct hep_packet p;
	enum hep_error got = hep_decode(buf, len, &p);

	ok(got == want, "%s", name);
	if (got != want)
		printf("#   got %s, want %s\n", hep_error_name(got), hep_error_name(want));
}

static void test_missing(void)
{
	static const struct {
		int skip;
		enum hep_error err;
		const char *name;
	} cases[] = {
		{ 1, HEP_ERR_MISSING_FAMILY, "missing family rejected" },
		{ 2, HEP_ERR_MISSING_PROTO, "missing IP proto rejected" },
		{ 3, HEP_ERR_MISSING_ADDR, "missing source address rejected" },
		{ 4, HEP_ERR_MISSING_ADDR, "missing destination address rejected" },
		{ 7, HEP_ERR_MISSING_PORT, "missing source port rejected" },
		{ 8, HEP_ERR_MISSING_PORT, "missing destination port rejected" },
		{ 11, HEP_ERR_MISSING_PROTO_TYPE, "missing proto type rejected" },
		{ 15, HEP_ERR_MISSING_PAYLOAD, "missing payload rejected" },
	};
	struct hb b;
	struct hep_packet p;
	size_t len;

	len = base(&b, 0);
	ok(hep_decode(b.buf, len, &p) == HEP_OK && !p.has_timestamp && !p.has_capture_id,
	   "minimal message decodes, no timestamp");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = base(&b, cases[i].skip);
		expect(b.buf, len, cases[i].err, cases[i].name);
	}
}

static void test_lengths(void)
{
	struct hb b;
	struct hep_packet p;
	size_t len = base(&b, 0);
	size_t i;
	int all = 1;

	expect(b.buf, 0, HEP_ERR_SHORT, "empty rejected");
	expect(b.buf, 5, HEP_ERR_SHORT, "5 bytes rejected");
	expect(b.buf, len - 1, HEP_ERR_TOTAL_LENGTH, "truncated message rejected");
	b.buf[len] = 0;
	expect(b.buf, len + 1, HEP_ERR_TOTAL_LENGTH, "trailing byte rejected");

	memcpy(b.buf, "HEP2", 4);
	expect(b.buf, len, HEP_ERR_MAGIC, "HEPv2 magic rejected");
	ok(hep_frame_length(b.buf, len) == 0, "frame length 0 for wrong magic");
	memcpy(b.buf, "HEP3", 4);

	/* Every prefix of a valid message, with the total length fixed up. */
	for (i = 6; i < len; i++) {
		uint8_t tmp[256];

		memcpy(tmp, b.buf, i);
		hb_put16(tmp + 4, (unsigned int)i);
		if (hep_decode(tmp, i, &p) == HEP_OK)
			all = 0;
	}
	ok(all, "no proper prefix of a message decodes");

	hb_put16(b.buf + 4, 3);
	ok(hep_frame_length(b.buf, len) == 0, "frame length 0 for total < 6");
	hb_put16(b.buf + 4, (unsigned int)len);

	/* Chunk length 5 (less than its own header). */
	hb_put16(b.buf + 6 + 4, 5);
	expect(b.buf, len, HEP_ERR_CHUNK_LENGTH, "chunk length < 6 rejected");
	/* Chunk length past the end. */
	hb_put16(b.buf + 6 + 4, 0xfff0);
	expect(b.buf, len, HEP_ERR_CHUNK_TRUNCATED, "chunk past the end rejected");
	hb_put16(b.buf + 6 + 4, 7);

	/* Half a chunk header at the end. */
	len = base(&b, 0);
	memset(b.buf + len, 0, 3);
	hb_put16(b.buf + 4, (unsigned int)len + 3);
	expect(b.buf, len + 3, HEP_ERR_CHUNK_TRUNCATED, "partial chunk header rejected");
}

static void test_chunks(void)
{
	struct hb b;
	struct hep_packet p;
	size_t len;
	static const uint8_t a[4] = { 10, 0, 0, 1 };

	/* Wrong fixed size: a 2-byte family. */
	hb_start(&b);
	hb_u16(&b, 1, 2);
	len = hb_end(&b);
	expect(b.buf, len, HEP_ERR_CHUNK_LENGTH, "2-byte family chunk rejected");

	/* IPv4 family with IPv6-sized address chunk. */
	hb_start(&b);
	hb_chunk(&b, 0, 3, a, 3);
	len = hb_end(&b);
	expect(b.buf, len, HEP_ERR_CHUNK_LENGTH, "3-byte IPv4 address rejected");

	base(&b, 0);
	b.len -= 7;
	hb_u8(&b, 1, 2);
	hb_chunk(&b, 0, 15, "x", 1);
	len = hb_end(&b);
	expect(b.buf, len, HEP_ERR_DUPLICATE_CHUNK, "duplicate family chunk rejected");

	base(&b, 0);
	b.len -= 7;
	hb_chunk(&b, 0, 16, "zz", 2);
	hb_chunk(&b, 0, 15, "x", 1);
	len = hb_end(&b);
	expect(b.buf, len, HEP_ERR_TWO_PAYLOADS, "plain and compressed payload rejected");

	base(&b, 15);
	hb_chunk(&b, 0, 16, "zz", 2);
	len = hb_end(&b);
	ok(hep_decode(b.buf, len, &p) == HEP_OK && p.compressed && p.payload_len == 2,
	   "compressed payload is decoded and flagged");

	base(&b, 0);
	b.buf[6 + 6] = 7;
	expect(b.buf, b.len, HEP_ERR_BAD_FAMILY, "family 7 rejected");

	/* IPv6 family with only IPv4 addresses. */
	base(&b, 0);
	b.buf[6 + 6] = 10;
	len = b.len;
	expect(b.buf, len, HEP_ERR_MISSING_ADDR, "IPv6 family with IPv4 addresses rejected");

	/* Vendor and unknown generic chunks are skipped. */
	base(&b, 15);
	hb_chunk(&b, 0x0003, 0x0001, "vendor-data", 11);
	hb_chunk(&b, 0, 0x0011, "corr-id", 7);
	hb_chunk(&b, 0, 0x000d, "\0\5", 2);
	hb_chunk(&b, 0x0005, 0x000f, "not-the-payload", 15);
	hb_chunk(&b, 0, 15, "x", 1);
	len = hb_end(&b);
	ok(hep_decode(b.buf, len, &p) == HEP_OK && p.vendor_chunks == 2 &&
	   p.unknown_chunks == 2 && p.payload_len == 1 && p.payload[0] == 'x',
	   "vendor and unknown chunks skipped");

	/* Extra IPv6 address chunks do not leak into an IPv4 message. */
	base(&b, 15);
	{
		uint8_t v6[16];

		memset(v6, 0xee, sizeof(v6));
		hb_chunk(&b, 0, 5, v6, 16);
	}
	hb_chunk(&b, 0, 15, "x", 1);
	len = hb_end(&b);
	ok(hep_decode(b.buf, len, &p) == HEP_OK && p.src_addr[0] == 10 && p.src_addr[4] == 0 &&
	   p.src_addr[15] == 0, "IPv6 chunk ignored in an IPv4 message");

	/* Empty payload chunk is a payload of length 0. */
	base(&b, 15);
	hb_chunk(&b, 0, 15, "", 0);
	len = hb_end(&b);
	ok(hep_decode(b.buf, len, &p) == HEP_OK && p.payload_len == 0, "empty payload decodes");
}

static void test_names(void)
{
	int all = 1;

	for (int e = 0; e < HEP_ERR_COUNT; e++)
		if (!hep_error_name(e) || !hep_strerror(e) || !*hep_error_name(e))
			all = 0;
	ok(all, "every error has a name and a sentence");
	ok(!strcmp(hep_error_name(HEP_ERR_COUNT), "unknown"), "out of range error named");
}

int main(void)
{
	test_ipv4();
	test_ipv6();
	test_missing();
	test_lengths();
	test_chunks();
	test_names();
	return tap_done();
}
