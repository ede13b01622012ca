// SPDX-License-Identifier: GPL-2.0
#include "listenind/hep.h"

#include <string.h>
#include <sys/socket.h>

static const struct {
	const char *name;
	const char *text;
} errors[HEP_ERR_COUNT] = {
	[HEP_OK] = { "ok", "valid HEPv3 message" },
	[HEP_ERR_SHORT] = { "short", "message shorter than the 6-byte HEPv3 header" },
	[HEP_ERR_MAGIC] = { "bad_magic", "message does not start with \"HEP3\" (HEPv1/v2 are not supported)" },
	[HEP_ERR_TOTAL_LENGTH] = { "bad_total_length", "HEPv3 total length does not match the message size" },
	[HEP_ERR_CHUNK_TRUNCATED] = { "chunk_truncated", "HEPv3 chunk extends past the end of the message" },
	[HEP_ERR_CHUNK_LENGTH] = { "bad_chunk_length", "HEPv3 chunk length is too small or wrong for its type" },
	[HEP_ERR_DUPLICATE_CHUNK] = { "duplicate_chunk", "HEPv3 chunk appears twice" },
	[HEP_ERR_BAD_FAMILY] = { "bad_family", "HEPv3 IP family is neither 2 (IPv4) nor 10 (IPv6)" },
	[HEP_ERR_MISSING_FAMILY] = { "missing_family", "HEPv3 message has no IP family chunk" },
	[HEP_ERR_MISSING_PROTO] = { "missing_ip_proto", "HEPv3 message has no IP protocol chunk" },
	[HEP_ERR_MISSING_ADDR] = { "missing_address", "HEPv3 message lacks a source or destination address of its family" },
	[HEP_ERR_MISSING_PORT] = { "missing_port", "HEPv3 message lacks a source or destination port" },
	[HEP_ERR_MISSING_PROTO_TYPE] = { "missing_proto_type", "HEPv3 message has no protocol type chunk" },
	[HEP_ERR_MISSING_PAYLOAD] = { "missing_payload", "HEPv3 message has no payload chunk" },
	[HEP_ERR_TWO_PAYLOADS] = { "two_payloads", "HEPv3 message has both a plain and a compressed payload" },
};

const char *hep_error_name(enum hep_error err)
{
	return (unsigned int)err < HEP_ERR_COUNT ? errors[err].name : "unknown";
}

const char *hep_strerror(enum hep_error err)
{
	return (unsigned int)err < HEP_ERR_COUNT ? errors[err].text : "unknown HEPv3 error";
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

size_t hep_frame_length(const uint8_t *buf, size_t len)
{
	size_t total;

	if (len < HEP_HEADER_LEN || memcmp(buf, "HEP3", 4))
		return 0;
	total = get16(buf + 4);
	return total < HEP_HEADER_LEN ? 0 : total;
}

/* Expected value length of fixed-size chunks; 0 for variable ones. */
static size_t fixed_len(uint16_t type)
{
	switch (type) {
	case HEP_CHUNK_IP_FAMILY:
	case HEP_CHUNK_IP_PROTO:
	case HEP_CHUNK_PROTO_TYPE:
		return 1;
	case HEP_CHUNK_SRC_PORT:
	case HEP_CHUNK_DST_PORT:
		return 2;
	case HEP_CHUNK_IPV4_SRC:
	case HEP_CHUNK_IPV4_DST:
	case HEP_CHUNK_TS_SEC:
	case HEP_CHUNK_TS_USEC:
	case HEP_CHUNK_CAPTURE_ID:
		return 4;
	case HEP_CHUNK_IPV6_SRC:
	case HEP_CHUNK_IPV6_DST:
		return 16;
	default:
		return 0;
	}
}

enum hep_error hep_decode(const uint8_t *buf, size_t len, struct hep_packet *pkt)
{
	const uint8_t *addr[HEP_CHUNK_IPV6_DST + 1] = { NULL };
	uint32_t seen = 0;
	uint8_t family = 0;
	size_t off, alen;
	int src, dst;

	if (len < HEP_HEADER_LEN)
		return HEP_ERR_SHORT;
	if (memcmp(buf, "HEP3", 4))
		return HEP_ERR_MAGIC;
	if (get16(buf + 4) != len)
		return HEP_ERR_TOTAL_LENGTH;

	memset(pkt, 0, sizeof(*pkt));
	for (off = HEP_HEADER_LEN; off < len;) {
		uint16_t vendor, type, clen;
		const uint8_t *v;
		size_t vlen;

		if (len - off < HEP_CHUNK_HEADER_LEN)
			return HEP_ERR_CHUNK_TRUNCATED;
		vendor = get16(buf + off);
		type = get16(buf + off + 2);
		clen = get16(buf + off + 4);
		if (clen < HEP_CHUNK_HEADER_LEN)
			return HEP_ERR_CHUNK_LENGTH;
		if (clen > len - off)
			return HEP_ERR_CHUNK_TRUNCATED;
		v = buf + off + HEP_CHUNK_HEADER_LEN;
		vlen = clen - HEP_CHUNK_HEADER_LEN;
		off += clen;

		if (vendor) {
			pkt->vendor_chunks++;
			continue;
		}
		if (type > HEP_CHUNK_PAYLOAD_ZIP || type == 0 || type == 0x000d) {
			pkt->unknown_chunks++;
			continue;
		}
		if (seen & (1u << type))
			return HEP_ERR_DUPLICATE_CHUNK;
		seen |= 1u << type;
		if (fixed_len(type) && vlen != fixed_len(type))
			return HEP_ERR_CHUNK_LENGTH;

		switch (type) {
		case HEP_CHUNK_IP_FAMILY:
			family = v[0];
			break;
		case HEP_CHUNK_IP_PROTO:
			pkt->ip_proto = v[0];
			break;
		case HEP_CHUNK_IPV4_SRC:
		case HEP_CHUNK_IPV4_DST:
		case HEP_CHUNK_IPV6_SRC:
		case HEP_CHUNK_IPV6_DST:
			addr[type] = v;
			break;
		case HEP_CHUNK_SRC_PORT:
			pkt->src_port = get16(v);
			break;
		case HEP_CHUNK_DST_PORT:
			pkt->dst_port = get16(v);
			break;
		case HEP_CHUNK_TS_SEC:
			pkt->ts_sec = get32(v);
			break;
		case HEP_CHUNK_TS_USEC:
			pkt->ts_usec = get32(v);
			break;
		case HEP_CHUNK_PROTO_TYPE:
			pkt->proto_type = v[0];
			break;
		case HEP_CHUNK_CAPTURE_ID:
			pkt->capture_id = get32(v);
			pkt->has_capture_id = true;
			break;
		case HEP_CHUNK_AUTH_KEY:
			pkt->auth_key = v;
			pkt->auth_key_len = vlen;
			break;
		case HEP_CHUNK_PAYLOAD:
		case HEP_CHUNK_PAYLOAD_ZIP:
			pkt->payload = v;
			pkt->payload_len = vlen;
			pkt->compressed = type == HEP_CHUNK_PAYLOAD_ZIP;
			break;
		default:
			/* 0x0011+ excluded above; nothing else is generic here */
			pkt->unknown_chunks++;
			break;
		}
	}

	if (!(seen & 1u << HEP_CHUNK_IP_FAMILY))
		return HEP_ERR_MISSING_FAMILY;
	if (family == HEP_FAMILY_IPV4) {
		pkt->family = AF_INET;
		src = HEP_CHUNK_IPV4_SRC;
		dst = HEP_CHUNK_IPV4_DST;
		alen = 4;
	} else if (family == HEP_FAMILY_IPV6) {
		pkt->family = AF_INET6;
		src = HEP_CHUNK_IPV6_SRC;
		dst = HEP_CHUNK_IPV6_DST;
		alen = 16;
	} else {
		return HEP_ERR_BAD_FAMILY;
	}
	if (!addr[src] || !addr[dst])
		return HEP_ERR_MISSING_ADDR;
	memcpy(pkt->src_addr, addr[src], alen);
	memcpy(pkt->dst_addr, addr[dst], alen);
	if (!(seen & 1u << HEP_CHUNK_IP_PROTO))
		return HEP_ERR_MISSING_PROTO;
	if (!(seen & 1u << HEP_CHUNK_SRC_PORT) || !(seen & 1u << HEP_CHUNK_DST_PORT))
		return HEP_ERR_MISSING_PORT;
	if (!(seen & 1u << HEP_CHUNK_PROTO_TYPE))
		return HEP_ERR_MISSING_PROTO_TYPE;
	if ((seen & 1u << HEP_CHUNK_PAYLOAD) && (seen & 1u << HEP_CHUNK_PAYLOAD_ZIP))
		return HEP_ERR_TWO_PAYLOADS;
	if (!pkt->payload)
		return HEP_ERR_MISSING_PAYLOAD;
	pkt->has_timestamp = (seen & 1u << HEP_CHUNK_TS_SEC) && (seen & 1u << HEP_CHUNK_TS_USEC);
	return HEP_OK;
}
