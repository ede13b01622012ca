/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HEPv3 (Homer Encapsulation Protocol) decoder: a pure function over one
 * message. A message is "HEP3", a 16-bit total length (header included),
 * then chunks of vendor id, type id, 16-bit length (chunk header included)
 * and value, all in network order.
 */
#ifndef LISTENIND_HEP_H
#define LISTENIND_HEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEP_HEADER_LEN		6
#define HEP_CHUNK_HEADER_LEN	6
#define HEP_MAX_LEN		65535

/* Value of the "protocol type" chunk for SIP. */
#define HEP_PROTO_SIP		1

enum hep_chunk_type {
	HEP_CHUNK_IP_FAMILY = 0x0001,
	HEP_CHUNK_IP_PROTO = 0x0002,
	HEP_CHUNK_IPV4_SRC = 0x0003,
	HEP_CHUNK_IPV4_DST = 0x0004,
	HEP_CHUNK_IPV6_SRC = 0x0005,
	HEP_CHUNK_IPV6_DST = 0x0006,
	HEP_CHUNK_SRC_PORT = 0x0007,
	HEP_CHUNK_DST_PORT = 0x0008,
	HEP_CHUNK_TS_SEC = 0x0009,
	HEP_CHUNK_TS_USEC = 0x000a,
	HEP_CHUNK_PROTO_TYPE = 0x000b,
	HEP_CHUNK_CAPTURE_ID = 0x000c,
	HEP_CHUNK_AUTH_KEY = 0x000e,
	HEP_CHUNK_PAYLOAD = 0x000f,
	HEP_CHUNK_PAYLOAD_ZIP = 0x0010,
};

enum hep_error {
	HEP_OK,
	HEP_ERR_SHORT,			/* fewer bytes than the 6-byte header */
	HEP_ERR_MAGIC,			/* not "HEP3" (HEPv1/v2 or not HEP) */
	HEP_ERR_TOTAL_LENGTH,		/* total length < header or != bytes given */
	HEP_ERR_CHUNK_TRUNCATED,	/* chunk header or value past the end */
	HEP_ERR_CHUNK_LENGTH,		/* chunk length < 6 or wrong for its type */
	HEP_ERR_DUPLICATE_CHUNK,	/* a known chunk appears twice */
	HEP_ERR_BAD_FAMILY,		/* family neither 2 (IPv4) nor 10 (IPv6) */
	HEP_ERR_MISSING_FAMILY,
	HEP_ERR_MISSING_PROTO,
	HEP_ERR_MISSING_ADDR,		/* no source/destination of the family */
	HEP_ERR_MISSING_PORT,
	HEP_ERR_MISSING_PROTO_TYPE,
	HEP_ERR_MISSING_PAYLOAD,
	HEP_ERR_TWO_PAYLOADS,		/* both plain and compressed payload */
	HEP_ERR_COUNT,
};

enum hep_family {
	HEP_FAMILY_IPV4 = 2,
	HEP_FAMILY_IPV6 = 10,
};

struct hep_packet {
	int family;			/* AF_INET or AF_INET6 */
	uint8_t ip_proto;		/* IPPROTO_UDP, IPPROTO_TCP, ... */
	uint8_t src_addr[16];		/* network order; IPv4 in the first 4 */
	uint8_t dst_addr[16];
	uint16_t src_port;		/* host order */
	uint16_t dst_port;
	bool has_timestamp;		/* both seconds and microseconds given */
	uint32_t ts_sec;
	uint32_t ts_usec;
	uint8_t proto_type;		/* HEP_PROTO_SIP for SIP */
	bool has_capture_id;
	uint32_t capture_id;
	const uint8_t *auth_key;	/* NULL when absent; points into the buffer */
	size_t auth_key_len;
	const uint8_t *payload;		/* points into the buffer */
	size_t payload_len;
	bool compressed;		/* payload came from chunk 0x0010 */
	unsigned int vendor_chunks;	/* skipped: non-zero vendor id */
	unsigned int unknown_chunks;	/* skipped: generic types not used here */
};

/*
 * Decodes exactly one message of len bytes. On success fills *pkt (pointers
 * into buf) and returns HEP_OK; otherwise returns the reason and *pkt is
 * unspecified.
 */
enum hep_error hep_decode(const uint8_t *buf, size_t len, struct hep_packet *pkt);

/*
 * For stream framing: with at least HEP_HEADER_LEN bytes, returns the total
 * length of the message they start (>= HEP_HEADER_LEN), or 0 when they do
 * not start a HEPv3 message (wrong magic or impossible length).
 */
size_t hep_frame_length(const uint8_t *buf, size_t len);

/* Short identifier for counters ("chunk_truncated"), and a sentence. */
const char *hep_error_name(enum hep_error err);
const char *hep_strerror(enum hep_error err);

#endif
