/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lnl: client of the "listenin" generic netlink family (see
 * uapi/linux/listenin.h for the protocol). The only code in listen-in that
 * speaks netlink; lictl and listenind call these functions.
 *
 * Every function returning int returns 0 (or a documented positive value)
 * on success and -errno on failure. After a failure, lnl_error() returns
 * the kernel's extended ACK message, or a sentence describing a malformed
 * reply, or NULL when there is nothing more to say than strerror(-ret).
 *
 * A handle is one netlink socket and is not thread-safe. Use one handle for
 * requests and another, subscribed with lnl_events_subscribe(), for events.
 * Requests block until their reply, at most 30 s (then -ETIMEDOUT).
 */
#ifndef NETLINK_LNL_H
#define NETLINK_LNL_H

#include <linux/listenin.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

struct lnl;

/*
 * Counters of a tap, stream or output: val[] is indexed by
 * LISTENIN_A_COUNTER_*; bit (1 << type) of present is set for each counter
 * the kernel sent.
 */
struct lnl_counters {
	uint32_t present;
	uint64_t val[LISTENIN_A_COUNTER_MAX + 1];
};

/* Namespace or global figures, indexed by LISTENIN_A_STATS_*. */
struct lnl_stats {
	uint32_t present;
	uint64_t val[LISTENIN_A_STATS_MAX + 1];
};

struct lnl_output {
	struct addr dst;
	uint16_t dst_port;
	struct addr src;
	uint16_t src_port;
	uint32_t flags;			/* LISTENIN_OUTPUT_F_* */
	struct lnl_counters counters;	/* replies only */
};

struct lnl_stream {
	struct addr dst;		/* its family is the stream's */
	uint16_t dst_port;
	struct addr src;		/* AF_UNSPEC: any source address */
	uint16_t src_port;		/* 0: any source port */
	bool has_ssrc;
	uint32_t ssrc;
	uint32_t flags;			/* LISTENIN_STREAM_F_* */
	struct lnl_output *outputs;
	size_t n_outputs;
	struct lnl_counters counters;	/* replies only */
};

struct lnl_tap {
	uint32_t id;			/* replies only */
	uint64_t cookie;
	uint32_t idle_timeout;		/* seconds; 0 in a request: default */
	uint32_t idle_msecs;		/* replies only */
	struct lnl_counters counters;	/* replies only */
	struct lnl_stream *streams;
	size_t n_streams;
};

/* A TAP_EXPIRED or TAP_DELETED notification. */
struct lnl_event {
	uint8_t cmd;			/* LISTENIN_CMD_TAP_EXPIRED or _DELETED */
	uint32_t id;
	uint64_t cookie;
	uint32_t end_cause;		/* enum listenin_end_cause */
	struct lnl_counters counters;
};

/*
 * Opens a socket and resolves the family and its "events" group.
 * -ENOENT: the family is not registered (module not loaded). On failure a
 * sentence (or "") is written to err unless it is NULL.
 */
int lnl_open(struct lnl **nlp, char *err, size_t errlen);
void lnl_close(struct lnl *nl);
/* The socket, for poll()/epoll in an event loop. */
int lnl_fd(const struct lnl *nl);
const char *lnl_error(const struct lnl *nl);
/* True if the last failure was an error answer from the kernel. */
bool lnl_error_from_kernel(const struct lnl *nl);
/* The family's version as the kernel announced it. */
uint32_t lnl_family_version(const struct lnl *nl);

/* Creates a tap; *id and *cookie (either may be NULL) identify it. */
int lnl_tap_new(struct lnl *nl, const struct lnl_tap *tap, uint32_t *id,
		uint64_t *cookie);
int lnl_tap_del(struct lnl *nl, uint32_t id);
/* Fills *tap; release it with lnl_tap_free(). */
int lnl_tap_get(struct lnl *nl, uint32_t id, struct lnl_tap *tap);

/*
 * Dumps every tap in ascending id order; cb's tap is valid during the call
 * only. A cb returning non-zero stops the dump and is returned. Returns
 * LNL_DUMP_INTR when the kernel flagged the dump as interrupted (taps were
 * added or removed meanwhile: what cb saw may be inconsistent; restart).
 */
#define LNL_DUMP_INTR 1
typedef int (*lnl_tap_cb)(const struct lnl_tap *tap, void *arg);
int lnl_tap_dump(struct lnl *nl, lnl_tap_cb cb, void *arg);

/* Removes every tap of the namespace; *count (may be NULL): how many. */
int lnl_tap_flush(struct lnl *nl, uint32_t *count);

/* Either pointer may be NULL. */
int lnl_stats_get(struct lnl *nl, struct lnl_stats *ns,
		  struct lnl_stats *global);

/*
 * Joins the "events" group. The handle should then be used for events only.
 * lnl_events_recv() reads one datagram and calls cb for each event in it;
 * it returns 0, cb's non-zero value, -EAGAIN (non-blocking socket, nothing
 * queued), -ENOBUFS (events were lost: resynchronise with a dump), or
 * another -errno.
 */
typedef int (*lnl_event_cb)(const struct lnl_event *ev, void *arg);
int lnl_events_subscribe(struct lnl *nl);
int lnl_events_recv(struct lnl *nl, lnl_event_cb cb, void *arg);

/* Frees what a parser allocated in *tap and zeroes it. */
void lnl_tap_free(struct lnl_tap *tap);

/* Names of counters and statistics in lower case, or NULL if unknown. */
const char *lnl_counter_name(unsigned int type);
const char *lnl_stats_name(unsigned int type);
const char *lnl_end_cause_name(uint32_t cause);

/*
 * Message building and parsing, for the functions above and for tests and
 * fuzzers. lnl_build_tap_new() writes a complete TAP_NEW request into buf
 * and returns its length, -EMSGSIZE if it does not fit, or -EINVAL if an
 * address has no usable family. The parsers validate every attribute
 * (type, length, nesting, address length against family) and return
 * -EBADMSG with *why (may be NULL) set to a constant sentence.
 */
int lnl_build_tap_new(void *buf, size_t len, uint16_t family_id, uint32_t seq,
		      const struct lnl_tap *tap);
int lnl_parse_tap(const struct nlmsghdr *nlh, struct lnl_tap *tap,
		  const char **why);
int lnl_parse_event(const struct nlmsghdr *nlh, struct lnl_event *ev,
		    const char **why);
int lnl_parse_stats(const struct nlmsghdr *nlh, struct lnl_stats *ns,
		    struct lnl_stats *global, const char **why);

/*
 * For a client that pipelines requests on lnl_fd() itself (the benchmark
 * packs hundreds of TAP_NEW into one datagram): the family id to build them
 * with, and the meaning of one NLMSG_ERROR answer: 0 for an ack, else
 * -errno with lnl_error() and lnl_error_from_kernel() set as after a failed
 * call. req (may be NULL) is the request it answers, so that the extended
 * ack can name the offending attribute.
 */
uint16_t lnl_family_id(const struct lnl *nl);
int lnl_ack_error(struct lnl *nl, const struct nlmsghdr *ack,
		  const struct nlmsghdr *req);

#endif
