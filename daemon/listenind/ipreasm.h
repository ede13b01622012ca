/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IPv4 and IPv6 fragment reassembly for captured UDP SIP (large SDP bodies
 * arrive fragmented). Datagrams are keyed by family, addresses, protocol
 * (IPv4) and identification. Fragments are copied and kept until the
 * datagram is whole, its timeout passes, or memory runs short.
 *
 * Overlapping fragments drop the whole datagram (RFC 5722; Linux does the
 * same for IPv4); an exact duplicate is ignored. Memory is bounded by
 * max_bytes of fragment data plus one 64 KiB output buffer; past it, the
 * oldest datagrams are evicted.
 */
#ifndef LISTENIND_IPREASM_H
#define LISTENIND_IPREASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPREASM_MAX_DATAGRAM	65535	/* fragmentable part, bytes */

struct ipreasm;

struct ipreasm_config {
	unsigned int max_datagrams;	/* being reassembled at once */
	unsigned int max_fragments;	/* per datagram */
	size_t max_bytes;		/* fragment data held, all datagrams */
	unsigned int timeout_ms;	/* from the first fragment */
};

struct ipreasm_key {
	int family;			/* AF_INET or AF_INET6 */
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t id;			/* 16 bits for IPv4 */
	uint8_t proto;			/* IPv4 only; 0 for IPv6 (taken from offset 0) */
};

/* Outcome of ipreasm_add(): a datagram, not yet, or why a fragment was refused. */
enum ipreasm_result {
	IPREASM_DONE,
	IPREASM_PENDING,
	IPREASM_ERR_ALIGN,		/* non-last fragment not a multiple of 8 bytes */
	IPREASM_ERR_TOO_BIG,		/* offset + length past 65535 */
	IPREASM_ERR_OVERLAP,		/* overlaps another fragment: datagram dropped */
	IPREASM_ERR_END,		/* inconsistent last fragment or data past it */
	IPREASM_ERR_TOO_MANY,		/* over max_fragments: datagram dropped */
	IPREASM_ERR_NOMEM,
	IPREASM_ERR_EMPTY,		/* fragment without data */
	IPREASM_RESULT_COUNT,
};

enum ipreasm_counter {
	IPREASM_CNT_FRAGMENTS,
	IPREASM_CNT_DATAGRAMS,		/* reassembled */
	IPREASM_CNT_DUPLICATES,
	IPREASM_CNT_TIMEOUTS,		/* datagrams dropped incomplete */
	IPREASM_CNT_EVICTED,		/* dropped for room (table or bytes full) */
	IPREASM_CNT_ERR,		/* first of the IPREASM_ERR_* counters */
	IPREASM_CNT_COUNT = IPREASM_CNT_ERR + IPREASM_RESULT_COUNT - IPREASM_ERR_ALIGN,
};

/* 256 datagrams, 64 fragments each, 4 MiB, 5 s. */
void ipreasm_config_defaults(struct ipreasm_config *cfg);

struct ipreasm *ipreasm_new(const struct ipreasm_config *cfg);
void ipreasm_free(struct ipreasm *r);

/*
 * Adds one fragment: offset in bytes within the fragmentable part, more =
 * the MF flag; proto is the protocol (IPv4 header, or the IPv6 fragment
 * header's next header). On IPREASM_DONE, *out and *out_len hold the whole
 * payload (valid until the next call) and *out_proto its protocol.
 */
enum ipreasm_result ipreasm_add(struct ipreasm *r, const struct ipreasm_key *key,
				uint8_t proto, uint32_t offset, bool more,
				const uint8_t *data, size_t len, uint64_t now_ms,
				const uint8_t **out, size_t *out_len, uint8_t *out_proto);

/* Drops datagrams older than the timeout. */
void ipreasm_expire(struct ipreasm *r, uint64_t now_ms);

unsigned int ipreasm_pending(const struct ipreasm *r);
size_t ipreasm_bytes(const struct ipreasm *r);
uint64_t ipreasm_counter(const struct ipreasm *r, enum ipreasm_counter c);
const char *ipreasm_counter_name(enum ipreasm_counter c);
const char *ipreasm_strerror(enum ipreasm_result res);

#endif
