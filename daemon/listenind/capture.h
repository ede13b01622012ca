/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Passive capture of SIP on chosen interfaces: one AF_PACKET (SOCK_DGRAM)
 * socket per interface with a classic BPF filter that passes UDP and TCP to
 * or from the configured ports, plus IP fragments (their ports are only
 * known after reassembly). IPv4 and IPv6 (with extension headers), one or
 * two VLAN tags left in the payload, fragment reassembly for UDP, stream
 * reassembly and SIP framing for TCP. Each SIP message goes to
 * calls_ingest_sip(); everything refused is counted by reason and logged
 * (rate-limited).
 *
 * No loop of its own: capture_fd() is one pollable descriptor (an epoll set
 * over the packet sockets); call capture_on_readable() when it is readable
 * and capture_on_tick() about once a second.
 *
 * Memory: one 64 KiB packet buffer, the IP reassembler's max_bytes plus a
 * 64 KiB output buffer, and the TCP reassembler's max_bytes (see ipreasm.h
 * and tcpreasm.h); with the defaults about 36 MiB at worst. Each socket's
 * kernel queue is rcvbuf bytes.
 */
#ifndef LISTENIND_CAPTURE_H
#define LISTENIND_CAPTURE_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "listenind/ipreasm.h"
#include "listenind/tcpreasm.h"

struct calls;
struct capture;

#define CAPTURE_MAX_IFACES	16
#define CAPTURE_MAX_PORTS	16

struct capture_port_range {
	uint16_t first;
	uint16_t last;
};

struct capture_config {
	char ifaces[CAPTURE_MAX_IFACES][IFNAMSIZ];	/* "any" = every interface */
	unsigned int n_ifaces;
	struct capture_port_range ports[CAPTURE_MAX_PORTS];
	unsigned int n_ports;
	bool promiscuous;
	int rcvbuf;			/* SO_RCVBUF per socket, bytes; 0 = system default */
	unsigned int batch;		/* packets read per socket per capture_on_readable() */
	struct ipreasm_config reasm;
	struct tcpreasm_config tcp;
};

enum capture_counter {
	CAPTURE_CNT_PACKETS,
	CAPTURE_CNT_TRUNCATED,		/* larger than the 64 KiB buffer */
	CAPTURE_CNT_LOOPBACK_COPIES,	/* outgoing copy on a loopback device: skipped */
	CAPTURE_CNT_NOT_IP,
	CAPTURE_CNT_BAD_IP,		/* malformed IPv4/IPv6 header or extension */
	CAPTURE_CNT_BAD_L4,		/* malformed UDP or TCP header */
	CAPTURE_CNT_OTHER_PROTO,	/* neither UDP nor TCP */
	CAPTURE_CNT_PORT_NOT_WATCHED,
	CAPTURE_CNT_KEEPALIVES,		/* empty or CRLF-only UDP payloads */
	CAPTURE_CNT_SIP_UDP,		/* SIP messages handed over from UDP */
	CAPTURE_CNT_SIP_TCP,		/* ... and from TCP */
	CAPTURE_CNT_SIP_REJECTED,	/* refused by the call table */
	CAPTURE_CNT_KERNEL_DROPS,	/* socket queue full (PACKET_STATISTICS) */
	CAPTURE_CNT_RECV_ERRORS,
	CAPTURE_CNT_COUNT,
};

/* No interface, port 5060, 4 MiB socket buffers, batch 64, reassembly defaults. */
void capture_config_defaults(struct capture_config *cfg);

/*
 * Opens a filtered packet socket per interface (needs CAP_NET_RAW). With no
 * interface it opens none: capture_packet() still works (tests). On error
 * returns NULL with err holding a sentence naming the interface and problem.
 */
struct capture *capture_open(const struct capture_config *cfg, struct calls *calls,
			     char *err, size_t errlen);
void capture_close(struct capture *cap);

int capture_fd(const struct capture *cap);
void capture_on_readable(struct capture *cap);
/* now: CLOCK_MONOTONIC. Expires reassembly state, reads kernel drop counts. */
void capture_on_tick(struct capture *cap, const struct timespec *now);

/*
 * One packet as a SOCK_DGRAM packet socket delivers it: the network header
 * first, ethertype in host order (0x0800, 0x86dd, or a VLAN tag 0x8100 /
 * 0x88a8 followed by the tag). seen is the capture time; now_ms monotonic.
 */
void capture_packet(struct capture *cap, uint16_t ethertype, const uint8_t *pkt, size_t len,
		    const struct timespec *seen, uint64_t now_ms);

uint64_t capture_counter(const struct capture *cap, enum capture_counter c);
const char *capture_counter_name(enum capture_counter c);
const struct ipreasm *capture_ipreasm(const struct capture *cap);
const struct tcpreasm *capture_tcpreasm(const struct capture *cap);

/* Calls fn for every counter of the capture and its two reassemblers. */
void capture_foreach_counter(const struct capture *cap,
			     void (*fn)(void *ctx, const char *name, uint64_t value),
			     void *ctx);

#endif
