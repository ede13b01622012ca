/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LISTENIN_TAP_H
#define _LISTENIN_TAP_H

#include <linux/atomic.h>
#include <linux/container_of.h>
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

/*
 * An address inside a tap: IPv4 in place; IPv6 stored at the end of the
 * tap's block, @off6 bytes after this field. IPv4 taps stay small.
 */
union listenin_ip {
	__be32 ip;
	u32 off6;
};

static inline const struct in6_addr *listenin_ip6(const union listenin_ip *a)
{
	return (const struct in6_addr *)((const u8 *)a + a->off6);
}

/* The 4 or 16 bytes of an address of @family. */
static inline const void *listenin_ip_bytes(const union listenin_ip *a,
					    u8 family)
{
	return family == AF_INET ? (const void *)&a->ip : listenin_ip6(a);
}

enum listenin_match_kind {
	LISTENIN_MATCH_RTP,
	LISTENIN_MATCH_RTCP,
	LISTENIN_MATCH_TALKBACK,
};

/*
 * One entry of the match table; its key is derived from its owner, stream
 * @owner (RTP, RTCP) or output @owner (TALKBACK) of the tap @tap_off bytes
 * before it. Only the entries a tap needs exist.
 */
struct listenin_match {
	struct rhlist_head node;
	u8 kind;
	u16 owner;
	u32 tap_off;
};

struct listenin_output {
	struct dst_entry __rcu *route;
	atomic64_t copies;
	atomic64_t copy_bytes;
	atomic64_t copy_failures;
	atomic64_t talkback_dropped;
	union listenin_ip daddr;
	union listenin_ip saddr;
	__be16 dport;
	__be16 sport;
	u32 route_cookie;
	u8 family;
	u8 flags;
};

enum listenin_stream_narrow {
	LISTENIN_NARROW_SADDR = 1U << 0,
	LISTENIN_NARROW_SPORT = 1U << 1,
	LISTENIN_NARROW_SSRC = 1U << 2,
};

struct listenin_stream {
	union listenin_ip daddr;
	union listenin_ip saddr;
	__be16 dport;
	__be16 sport;
	__be32 ssrc;
	u16 first_output;
	u8 n_outputs;
	u8 index;
	u8 family;
	u8 flags;
	u8 narrow;
	unsigned long last_seen;
	atomic64_t packets;
	atomic64_t bytes;
};

/*
 * A tap is one block: this header, streams[n_streams], the outputs of every
 * stream in order (n_outputs), the table entries (n_matches), then the IPv6
 * addresses. It is freed as a whole, after a grace period.
 */
struct listenin_tap {
	struct rcu_head rcu;
	u64 cookie;
	u32 id;
	u32 idle_timeout;
	bool live;
	bool cached;
	u8 n_streams;
	u16 n_outputs;
	u16 n_matches;
	struct listenin_stream streams[];
};

static inline struct listenin_output *
listenin_tap_output(const struct listenin_tap *tap, unsigned int i)
{
	return (struct listenin_output *)&tap->streams[tap->n_streams] + i;
}

static inline struct listenin_match *
listenin_tap_match(const struct listenin_tap *tap, unsigned int i)
{
	return (struct listenin_match *)listenin_tap_output(tap, tap->n_outputs) + i;
}

static inline struct in6_addr *
listenin_tap_addr6(const struct listenin_tap *tap, unsigned int i)
{
	return (struct in6_addr *)listenin_tap_match(tap, tap->n_matches) + i;
}

static inline struct listenin_tap *
listenin_stream_tap(const struct listenin_stream *s)
{
	return container_of(s - s->index, struct listenin_tap, streams[0]);
}

static inline struct listenin_output *
listenin_stream_output(const struct listenin_stream *s, unsigned int i)
{
	return listenin_tap_output(listenin_stream_tap(s), s->first_output + i);
}

static inline struct listenin_tap *
listenin_match_tap(const struct listenin_match *m)
{
	return (struct listenin_tap *)((u8 *)m - m->tap_off);
}

static inline unsigned int listenin_tap_outputs(const struct listenin_tap *tap)
{
	return tap->n_outputs;
}

struct listenin_tap_counters {
	u64 packets;
	u64 bytes;
	u64 copies;
	u64 copy_bytes;
	u64 copy_failures;
	u64 talkback_dropped;
};

int listenin_tap_init(void);
void listenin_tap_exit(void);
struct listenin_tap *listenin_tap_alloc(unsigned int n_streams,
					unsigned int n_outputs,
					unsigned int n_matches,
					unsigned int n_addr6);
void listenin_tap_set_match(struct listenin_tap *tap, unsigned int i, u8 kind,
			    unsigned int owner);
void listenin_ip_set(union listenin_ip *a, u8 family,
		     const union listenin_addr *v, struct in6_addr *slot);
void listenin_tap_free(struct listenin_tap *tap);
void listenin_tap_free_rcu(struct listenin_tap *tap);
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
