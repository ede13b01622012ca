/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * listenin: silent call monitoring in the kernel's netfilter path.
 *
 * Generic netlink family LISTENIN_GENL_NAME ("listenin"), version
 * LISTENIN_GENL_VERSION. This header is the protocol's documentation; the
 * module, lictl, listenind and the tests are all written against it.
 *
 * Model
 * -----
 *
 * A tap is one monitoring session of one call. It is created in one request,
 * carries a kernel-assigned id (u32, never 0, unique within the network
 * namespace while the tap exists), a 64-bit cookie chosen by the caller
 * (listenind stores its audit session id there), an idle timeout, and one or
 * more streams.
 *
 * A stream matches packets by (family, destination address, destination UDP
 * port). It may be narrowed by source address, source port and RTP SSRC (any
 * of them). With LISTENIN_STREAM_F_RTCP it also matches the stream's RTCP:
 * packets to destination port + 1, and RTCP multiplexed on the RTP port
 * (RFC 5761). Without that flag, RTCP is not copied. UDP payloads that are
 * neither RTP version 2 nor (with the flag) RTCP are not copied and are
 * counted as not_rtp.
 *
 * Each stream has one or more outputs. For every matching packet, each output
 * sends one copy, rewritten to the output's destination address and port and
 * to its source address and port; RTCP that arrived on port + 1 is sent to
 * the output's destination port + 1 from its source port + 1. Outputs have
 * the family of their stream. The original packet continues unchanged.
 * Copies are never matched again, and carry no conntrack state.
 *
 * An output with LISTENIN_OUTPUT_F_LISTEN_ONLY also drops talk-back: UDP
 * packets from the output's destination address and port to its source
 * address and port are dropped (and counted) while the tap exists. A
 * supervisor who only listens can never become audible through the gateway.
 *
 * A tap whose streams have seen no packet for its idle timeout is removed and
 * announced with LISTENIN_CMD_TAP_EXPIRED on the "events" multicast group.
 * Every other removal (delete, flush, namespace teardown excepted) is
 * announced with LISTENIN_CMD_TAP_DELETED. Both carry the tap's id, cookie
 * and final counters, so the owner can close its session and audit it.
 *
 * State is per network namespace. Every command requires CAP_NET_ADMIN in the
 * namespace that owns the socket (GENL_UNS_ADMIN_PERM): a tap list reveals who
 * monitors whom. Joining the events group needs the same permission.
 *
 * Conventions
 * -----------
 *
 * Addresses are binary in network byte order: 4 bytes for AF_INET, 16 for
 * AF_INET6, and must have the length of the stream's family. Ports are u16
 * in host byte order and may not be 0. Counters are u64 (NLA_PAD'ded with the
 * *_PAD attribute of their nest). Attributes not listed for a command are
 * rejected (strict validation); every rejection carries an extended ack
 * message and points at the offending attribute when there is one.
 *
 * Commands
 * --------
 *
 * LISTENIN_CMD_TAP_NEW (do, NLM_F_ACK optional)
 *   Request:
 *     LISTENIN_A_TAP_COOKIE        u64, optional (0)
 *     LISTENIN_A_TAP_IDLE_TIMEOUT  u32 seconds, 1..86400, optional (30)
 *     LISTENIN_A_TAP_STREAMS       nest, required, 1..max_streams entries
 *       LISTENIN_A_STREAM          nest, repeated:
 *         LISTENIN_A_STREAM_FAMILY    u16 AF_INET or AF_INET6, required
 *         LISTENIN_A_STREAM_DST_ADDR  binary, required
 *         LISTENIN_A_STREAM_DST_PORT  u16, required
 *         LISTENIN_A_STREAM_SRC_ADDR  binary, optional (any)
 *         LISTENIN_A_STREAM_SRC_PORT  u16, optional (any)
 *         LISTENIN_A_STREAM_SSRC      u32, optional (any)
 *         LISTENIN_A_STREAM_FLAGS     u32 LISTENIN_STREAM_F_*, optional
 *         LISTENIN_A_STREAM_OUTPUTS   nest, required, 1..max_outputs entries
 *           LISTENIN_A_OUTPUT         nest, repeated:
 *             LISTENIN_A_OUTPUT_DST_ADDR  binary, required
 *             LISTENIN_A_OUTPUT_DST_PORT  u16, required
 *             LISTENIN_A_OUTPUT_SRC_ADDR  binary, required
 *             LISTENIN_A_OUTPUT_SRC_PORT  u16, required
 *             LISTENIN_A_OUTPUT_FLAGS     u32 LISTENIN_OUTPUT_F_*, optional
 *   Reply: a LISTENIN_CMD_TAP_NEW message with LISTENIN_A_TAP_ID and
 *   LISTENIN_A_TAP_COOKIE identifying the tap that was created. The tap is
 *   created whole or not at all.
 *   Errors: EINVAL (malformed or inconsistent attributes: extack names which),
 *   ENOSPC (max_taps reached in this namespace), E2BIG (more streams or
 *   outputs than max_streams / max_outputs), ENOMEM, EPERM.
 *
 * LISTENIN_CMD_TAP_DEL (do)
 *   Request: LISTENIN_A_TAP_ID u32, required.
 *   Copies stop before the reply is sent. Announced with
 *   LISTENIN_CMD_TAP_DELETED. Errors: ENOENT (no such tap), EINVAL, EPERM.
 *
 * LISTENIN_CMD_TAP_GET (do and dump)
 *   do: LISTENIN_A_TAP_ID u32, required; replies with one tap message.
 *   dump: no attributes; one message per tap, in ascending id order. A dump
 *   that spans several recvmsg() calls while taps are added or removed is
 *   flagged NLM_F_DUMP_INTR (generation counter); restart it if consistency
 *   matters.
 *   Tap message:
 *     LISTENIN_A_TAP_ID            u32
 *     LISTENIN_A_TAP_COOKIE        u64
 *     LISTENIN_A_TAP_IDLE_TIMEOUT  u32 seconds
 *     LISTENIN_A_TAP_IDLE_MSECS    u32, milliseconds since the last packet
 *                                  (or since creation)
 *     LISTENIN_A_TAP_COUNTERS      nest of LISTENIN_A_COUNTER_* (sums)
 *     LISTENIN_A_TAP_STREAMS       nest, as in the request, each stream with
 *                                  LISTENIN_A_STREAM_COUNTERS and each output
 *                                  with LISTENIN_A_OUTPUT_COUNTERS
 *   Errors: ENOENT, EINVAL, EPERM.
 *
 * LISTENIN_CMD_TAP_FLUSH (do)
 *   No attributes. Removes every tap of the namespace (copies stop before
 *   the reply, as for a delete), each announced with
 *   LISTENIN_CMD_TAP_DELETED. Replies with a LISTENIN_CMD_TAP_FLUSH message
 *   carrying LISTENIN_A_FLUSH_COUNT (u32, taps removed).
 *
 * LISTENIN_CMD_STATS_GET (do)
 *   No attributes. Replies with LISTENIN_A_STATS_NAMESPACE (this namespace)
 *   and LISTENIN_A_STATS_GLOBAL (all namespaces since module load, the
 *   figures /sys/kernel/listenin/ shows), each a nest of
 *   LISTENIN_A_STATS_* counters.
 *
 * Notifications (multicast group LISTENIN_MCGRP_EVENTS, "events")
 *   LISTENIN_CMD_TAP_EXPIRED, LISTENIN_CMD_TAP_DELETED: LISTENIN_A_TAP_ID,
 *   LISTENIN_A_TAP_COOKIE, LISTENIN_A_TAP_END_CAUSE (u32 enum
 *   listenin_end_cause), LISTENIN_A_TAP_COUNTERS.
 *
 * Limits are module parameters: max_taps (per namespace), max_streams (per
 * tap), max_outputs (per stream).
 */
#ifndef _UAPI_LINUX_LISTENIN_H
#define _UAPI_LINUX_LISTENIN_H

#define LISTENIN_GENL_NAME		"listenin"
#define LISTENIN_GENL_VERSION		1
#define LISTENIN_MCGRP_EVENTS		"events"

#define LISTENIN_IDLE_TIMEOUT_DEFAULT	30
#define LISTENIN_IDLE_TIMEOUT_MAX	86400

enum listenin_cmd {
	LISTENIN_CMD_UNSPEC,
	LISTENIN_CMD_TAP_NEW,
	LISTENIN_CMD_TAP_DEL,
	LISTENIN_CMD_TAP_GET,
	LISTENIN_CMD_TAP_FLUSH,
	LISTENIN_CMD_STATS_GET,
	LISTENIN_CMD_TAP_EXPIRED,
	LISTENIN_CMD_TAP_DELETED,
	__LISTENIN_CMD_MAX
};

#define LISTENIN_CMD_MAX (__LISTENIN_CMD_MAX - 1)

enum listenin_attr {
	LISTENIN_A_UNSPEC,
	LISTENIN_A_TAP_ID,		/* u32 */
	LISTENIN_A_TAP_COOKIE,		/* u64 */
	LISTENIN_A_TAP_IDLE_TIMEOUT,	/* u32, seconds */
	LISTENIN_A_TAP_IDLE_MSECS,	/* u32, reply only */
	LISTENIN_A_TAP_STREAMS,		/* nest of LISTENIN_A_STREAM */
	LISTENIN_A_TAP_COUNTERS,	/* nest of LISTENIN_A_COUNTER_*, reply */
	LISTENIN_A_TAP_END_CAUSE,	/* u32 enum listenin_end_cause, events */
	LISTENIN_A_FLUSH_COUNT,		/* u32, flush reply */
	LISTENIN_A_STATS_NAMESPACE,	/* nest of LISTENIN_A_STATS_* */
	LISTENIN_A_STATS_GLOBAL,	/* nest of LISTENIN_A_STATS_* */
	LISTENIN_A_PAD,
	__LISTENIN_A_MAX
};

#define LISTENIN_A_MAX (__LISTENIN_A_MAX - 1)

/* The only attribute allowed inside LISTENIN_A_TAP_STREAMS. */
enum listenin_streams_attr {
	LISTENIN_A_STREAMS_UNSPEC,
	LISTENIN_A_STREAM,		/* nest of LISTENIN_A_STREAM_* */
	__LISTENIN_A_STREAMS_MAX
};

#define LISTENIN_A_STREAMS_MAX (__LISTENIN_A_STREAMS_MAX - 1)

enum listenin_stream_attr {
	LISTENIN_A_STREAM_UNSPEC,
	LISTENIN_A_STREAM_FAMILY,	/* u16, AF_INET or AF_INET6 */
	LISTENIN_A_STREAM_DST_ADDR,	/* binary, 4 or 16 bytes */
	LISTENIN_A_STREAM_DST_PORT,	/* u16 */
	LISTENIN_A_STREAM_SRC_ADDR,	/* binary, 4 or 16 bytes */
	LISTENIN_A_STREAM_SRC_PORT,	/* u16 */
	LISTENIN_A_STREAM_SSRC,		/* u32 */
	LISTENIN_A_STREAM_FLAGS,	/* u32, LISTENIN_STREAM_F_* */
	LISTENIN_A_STREAM_OUTPUTS,	/* nest of LISTENIN_A_OUTPUT */
	LISTENIN_A_STREAM_COUNTERS,	/* nest of LISTENIN_A_COUNTER_*, reply */
	__LISTENIN_A_STREAM_MAX
};

#define LISTENIN_A_STREAM_MAX (__LISTENIN_A_STREAM_MAX - 1)

enum listenin_stream_flags {
	LISTENIN_STREAM_F_RTCP = 1U << 0,
};

#define LISTENIN_STREAM_F_ALL	(LISTENIN_STREAM_F_RTCP)

/* The only attribute allowed inside LISTENIN_A_STREAM_OUTPUTS. */
enum listenin_outputs_attr {
	LISTENIN_A_OUTPUTS_UNSPEC,
	LISTENIN_A_OUTPUT,		/* nest of LISTENIN_A_OUTPUT_* */
	__LISTENIN_A_OUTPUTS_MAX
};

#define LISTENIN_A_OUTPUTS_MAX (__LISTENIN_A_OUTPUTS_MAX - 1)

enum listenin_output_attr {
	LISTENIN_A_OUTPUT_UNSPEC,
	LISTENIN_A_OUTPUT_DST_ADDR,	/* binary, the stream's family */
	LISTENIN_A_OUTPUT_DST_PORT,	/* u16 */
	LISTENIN_A_OUTPUT_SRC_ADDR,	/* binary, the stream's family */
	LISTENIN_A_OUTPUT_SRC_PORT,	/* u16 */
	LISTENIN_A_OUTPUT_FLAGS,	/* u32, LISTENIN_OUTPUT_F_* */
	LISTENIN_A_OUTPUT_COUNTERS,	/* nest of LISTENIN_A_COUNTER_*, reply */
	__LISTENIN_A_OUTPUT_MAX
};

#define LISTENIN_A_OUTPUT_MAX (__LISTENIN_A_OUTPUT_MAX - 1)

enum listenin_output_flags {
	LISTENIN_OUTPUT_F_LISTEN_ONLY = 1U << 0,
};

#define LISTENIN_OUTPUT_F_ALL	(LISTENIN_OUTPUT_F_LISTEN_ONLY)

/*
 * Counters of a tap (sums over its streams and outputs), a stream (packets
 * matched) or an output (copies). Each message carries the ones that apply.
 */
enum listenin_counter_attr {
	LISTENIN_A_COUNTER_UNSPEC,
	LISTENIN_A_COUNTER_PACKETS,		/* u64, packets matched */
	LISTENIN_A_COUNTER_BYTES,		/* u64, bytes matched (IP) */
	LISTENIN_A_COUNTER_COPIES,		/* u64, copies sent */
	LISTENIN_A_COUNTER_COPY_BYTES,		/* u64, bytes sent (IP) */
	LISTENIN_A_COUNTER_COPY_FAILURES,	/* u64 */
	LISTENIN_A_COUNTER_TALKBACK_DROPPED,	/* u64 */
	LISTENIN_A_COUNTER_PAD,
	__LISTENIN_A_COUNTER_MAX
};

#define LISTENIN_A_COUNTER_MAX (__LISTENIN_A_COUNTER_MAX - 1)

/*
 * Namespace and global figures. Gauges (TAPS, STREAMS, OUTPUTS) are current
 * values; everything else counts since module load (global) or since the
 * namespace first used listenin (namespace). The same names, lower-cased
 * without the prefix, are the files under /sys/kernel/listenin/.
 */
enum listenin_stats_attr {
	LISTENIN_A_STATS_UNSPEC,
	LISTENIN_A_STATS_TAPS,			/* u64 gauge */
	LISTENIN_A_STATS_STREAMS,		/* u64 gauge */
	LISTENIN_A_STATS_OUTPUTS,		/* u64 gauge */
	LISTENIN_A_STATS_PACKETS_INSPECTED,	/* u64 */
	LISTENIN_A_STATS_PACKETS_MATCHED,	/* u64 */
	LISTENIN_A_STATS_COPIES_SENT,		/* u64 */
	LISTENIN_A_STATS_COPY_FAILURES,		/* u64 */
	LISTENIN_A_STATS_TALKBACK_DROPPED,	/* u64 */
	LISTENIN_A_STATS_TAPS_EXPIRED,		/* u64 */
	LISTENIN_A_STATS_NOT_UDP,		/* u64 */
	LISTENIN_A_STATS_FRAGMENTS,		/* u64 */
	LISTENIN_A_STATS_MALFORMED,		/* u64, truncated/bad lengths */
	LISTENIN_A_STATS_NOT_RTP,		/* u64, matched but not RTP */
	LISTENIN_A_STATS_PAD,
	__LISTENIN_A_STATS_MAX
};

#define LISTENIN_A_STATS_MAX (__LISTENIN_A_STATS_MAX - 1)

enum listenin_end_cause {
	LISTENIN_END_CAUSE_UNSPEC,
	LISTENIN_END_CAUSE_DELETED,	/* LISTENIN_CMD_TAP_DEL */
	LISTENIN_END_CAUSE_FLUSHED,	/* LISTENIN_CMD_TAP_FLUSH */
	LISTENIN_END_CAUSE_IDLE,	/* idle timeout, LISTENIN_CMD_TAP_EXPIRED */
	__LISTENIN_END_CAUSE_MAX
};

#define LISTENIN_END_CAUSE_MAX (__LISTENIN_END_CAUSE_MAX - 1)

#endif /* _UAPI_LINUX_LISTENIN_H */
