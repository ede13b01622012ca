/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP stream reassembly for captured SIP over TCP, one direction of a
 * connection per flow (4-tuple), then SIP message framing: headers end at
 * the first empty line, the body is Content-Length (or compact "l") bytes.
 *
 * Capture may start in the middle of a connection, and segments may be lost:
 * a flow that was not seen from its SYN, or that lost data, resynchronises
 * on the next segment that starts with a SIP start line.
 *
 * Memory: per flow, a stream buffer of at most max_message bytes and at most
 * max_ooo_bytes of out-of-order segments; all flows together at most
 * max_bytes; at most max_flows flows (least recently used evicted).
 */
#ifndef LISTENIND_TCPREASM_H
#define LISTENIND_TCPREASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TCPREASM_FIN	0x01
#define TCPREASM_SYN	0x02
#define TCPREASM_RST	0x04

struct tcpreasm;

struct tcpreasm_config {
	unsigned int max_flows;
	size_t max_message;		/* largest SIP message (headers + body) */
	unsigned int max_ooo_segments;	/* per flow */
	size_t max_ooo_bytes;		/* per flow */
	size_t max_bytes;		/* all flows: stream buffers + out of order */
	unsigned int idle_timeout_ms;
};

struct tcpreasm_key {
	int family;			/* AF_INET or AF_INET6 */
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;			/* host order */
	uint16_t dport;
};

/* Called for every complete SIP message, in stream order. */
typedef void (*tcpreasm_deliver_fn)(void *ctx, const struct tcpreasm_key *key,
				    const char *msg, size_t len);

enum tcpreasm_frame {
	TCPREASM_FRAME_DONE,
	TCPREASM_FRAME_MORE,		/* need more bytes */
	TCPREASM_FRAME_NO_LENGTH,	/* no Content-Length: required on TCP */
	TCPREASM_FRAME_BAD_LENGTH,	/* not a number, or two different values */
	TCPREASM_FRAME_TOO_LARGE,	/* over max_message */
	TCPREASM_FRAME_COUNT,
};

enum tcpreasm_counter {
	TCPREASM_CNT_SEGMENTS,
	TCPREASM_CNT_MESSAGES,		/* delivered */
	TCPREASM_CNT_FLOWS,		/* created */
	TCPREASM_CNT_FLOWS_EVICTED,	/* over max_flows */
	TCPREASM_CNT_FLOWS_IDLE,
	TCPREASM_CNT_FLOWS_CLOSED,	/* FIN or RST */
	TCPREASM_CNT_RETRANSMITS,	/* data already seen */
	TCPREASM_CNT_OUT_OF_ORDER,	/* segments buffered ahead of a gap */
	TCPREASM_CNT_GAPS,		/* out-of-order limits hit: data lost, resync */
	TCPREASM_CNT_UNSYNCED,		/* segments skipped while looking for a SIP start */
	TCPREASM_CNT_NO_MEMORY,		/* max_bytes or malloc: flow data dropped */
	TCPREASM_CNT_NO_LENGTH,
	TCPREASM_CNT_BAD_LENGTH,
	TCPREASM_CNT_TOO_LARGE,
	TCPREASM_CNT_COUNT,
};

/* 1024 flows, 64 KiB messages, 32 segments / 64 KiB out of order, 32 MiB, 60 s. */
void tcpreasm_config_defaults(struct tcpreasm_config *cfg);

struct tcpreasm *tcpreasm_new(const struct tcpreasm_config *cfg,
			      tcpreasm_deliver_fn deliver, void *ctx);
void tcpreasm_free(struct tcpreasm *t);

/* One TCP segment: sequence number, TCPREASM_* flags, payload. */
void tcpreasm_segment(struct tcpreasm *t, const struct tcpreasm_key *key, uint32_t seq,
		      uint8_t flags, const uint8_t *data, size_t len, uint64_t now_ms);

/* Frees flows idle for idle_timeout_ms. */
void tcpreasm_expire(struct tcpreasm *t, uint64_t now_ms);

unsigned int tcpreasm_flows(const struct tcpreasm *t);
size_t tcpreasm_bytes(const struct tcpreasm *t);
uint64_t tcpreasm_counter(const struct tcpreasm *t, enum tcpreasm_counter c);
const char *tcpreasm_counter_name(enum tcpreasm_counter c);

/*
 * Frames one SIP message at the start of buf. *skip is the number of
 * leading CRLF keep-alive bytes; on DONE the message is buf[*skip..*skip +
 * *msg_len). Pure; used by the reassembler and by its tests and fuzzer.
 */
enum tcpreasm_frame tcpreasm_sip_frame(const uint8_t *buf, size_t len, size_t max,
				       size_t *skip, size_t *msg_len);

/* True when buf starts with a SIP request or status line. */
bool tcpreasm_sip_start(const uint8_t *buf, size_t len);

#endif
