/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LISTENIN_TAP_H
#define _LISTENIN_TAP_H

#include <linux/atomic.h>
#include <linux/in6.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>
#include <linux/socket.h>
#include <linux/types.h>

struct dst_entry;

extern unsigned int listenin_max_taps;
extern unsigned int listenin_max_streams;
extern unsigned int listenin_max_outputs;

#define LISTENIN_MAX_STREAMS_LIMIT	64
#define LISTENIN_MAX_OUTPUTS_LIMIT	64

union listenin_addr {
	__be32 ip;
	struct in6_addr ip6;
};

enum listenin_match_kind {
	LISTENIN_MATCH_RTP,
	LISTENIN_MATCH_RTCP,
	LISTENIN_MATCH_TALKBACK,
};

/* One entry of the match table; its key is derived from its container. */
struct listenin_match {
	struct rhlist_head node;
	u8 kind;
};

struct listenin_output {
	struct listenin_match talkback;
	union listenin_addr daddr;
	union listenin_addr saddr;
	__be16 dport;
	__be16 sport;
	u32 route_cookie;
	u8 family;
	u8 flags;
	struct dst_entry __rcu *route;
	atomic64_t copies;
	atomic64_t copy_bytes;
	atomic64_t copy_failures;
	atomic64_t talkback_dropped;
};

enum listenin_stream_narrow {
	LISTENIN_NARROW_SADDR = 1U << 0,
	LISTENIN_NARROW_SPORT = 1U << 1,
	LISTENIN_NARROW_SSRC = 1U << 2,
};

struct listenin_stream {
	struct listenin_match rtp;
	struct listenin_match rtcp;
	struct listenin_tap *tap;
	union listenin_addr daddr;
	union listenin_addr saddr;
	__be16 dport;
	__be16 sport;
	__be32 ssrc;
	u8 family;
	u8 flags;
	u8 narrow;
	u8 n_outputs;
	unsigned long last_seen;
	atomic64_t packets;
	atomic64_t bytes;
	struct listenin_output outputs[];
};

struct listenin_tap {
	struct rcu_head rcu;
	u64 cookie;
	unsigned long created;
	u32 id;
	u32 idle_timeout;
	bool live;
	u8 n_streams;
	struct listenin_stream *streams[];
};

struct listenin_tap_counters {
	u64 packets;
	u64 bytes;
	u64 copies;
	u64 copy_bytes;
	u64 copy_failures;
	u64 talkback_dropped;
};

struct listenin_tap *listenin_tap_alloc(unsigned int n_streams);
struct listenin_stream *listenin_stream_alloc(unsigned int n_outputs);
void listenin_tap_free(struct listenin_tap *tap);
void listenin_tap_free_rcu(struct listenin_tap *tap);
unsigned int listenin_tap_outputs(const struct listenin_tap *tap);
unsigned long listenin_tap_last_active(const struct listenin_tap *tap);
void listenin_tap_counters(const struct listenin_tap *tap,
			   struct listenin_tap_counters *c);
void listenin_stream_counters(const struct listenin_stream *s,
			      struct listenin_tap_counters *c);
void listenin_output_counters(const struct listenin_output *out,
			      struct listenin_tap_counters *c);

static inline unsigned int listenin_addr_len(u8 family)
{
	return family == AF_INET ? sizeof(__be32) : sizeof(struct in6_addr);
}

#endif /* _LISTENIN_TAP_H */
