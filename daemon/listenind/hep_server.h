/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HEPv3 receiver: UDP and TCP listeners on IPv4 and IPv6 addresses. Each
 * accepted SIP payload goes to calls_ingest_sip(); everything refused is
 * counted by reason and logged (rate-limited).
 *
 * The server has no loop of its own: hep_server_fd() is one pollable
 * descriptor (an epoll set over the listeners and connections) for the
 * daemon's loop; call hep_server_on_readable() when it is readable and
 * hep_server_on_tick() about once a second.
 *
 * Memory: one 64 KiB receive buffer, plus one 64 KiB buffer per TCP
 * connection, at most max_tcp_clients of them (4 MiB with the defaults).
 */
#ifndef LISTENIND_HEP_SERVER_H
#define LISTENIND_HEP_SERVER_H

#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

struct calls;
struct hep_server;

#define HEP_MAX_LISTEN	8
#define HEP_KEY_MAX	128

struct hep_listen {
	struct sockaddr_storage ss;	/* AF_INET or AF_INET6, port in it */
	socklen_t len;
};

struct hep_config {
	struct hep_listen udp[HEP_MAX_LISTEN];
	unsigned int n_udp;
	struct hep_listen tcp[HEP_MAX_LISTEN];
	unsigned int n_tcp;
	char auth_key[HEP_KEY_MAX];	/* "" accepts messages with or without a key */
	unsigned int max_tcp_clients;	/* more connections are closed at once */
	unsigned int tcp_idle_timeout;	/* s without data before a connection is closed */
	unsigned int udp_batch;		/* datagrams read per hep_server_on_readable() */
	int udp_rcvbuf;			/* SO_RCVBUF in bytes, 0 = system default */
};

enum hep_counter {
	HEP_CNT_UDP_DATAGRAMS,
	HEP_CNT_TCP_ACCEPTED,
	HEP_CNT_TCP_REFUSED,		/* over max_tcp_clients */
	HEP_CNT_TCP_IDLE_CLOSED,
	HEP_CNT_TCP_PEER_CLOSED,
	HEP_CNT_TCP_FRAMING_CLOSED,	/* stream is not HEPv3: cannot resync */
	HEP_CNT_RECV_ERRORS,
	HEP_CNT_MESSAGES,		/* decoded without error */
	HEP_CNT_AUTH_MISSING,
	HEP_CNT_AUTH_WRONG,
	HEP_CNT_COMPRESSED,		/* chunk 0x0010: not supported */
	HEP_CNT_NOT_SIP,		/* protocol type other than SIP */
	HEP_CNT_BAD_TRANSPORT,		/* IP protocol neither UDP nor TCP */
	HEP_CNT_EMPTY_PAYLOAD,
	HEP_CNT_DELIVERED,		/* accepted by the call table */
	HEP_CNT_SIP_REJECTED,		/* refused by the call table */
	HEP_CNT_DECODE,			/* first of HEP_ERR_COUNT - 1 decode errors */
	HEP_CNT_COUNT = HEP_CNT_DECODE + 14,
};

/* Fills the defaults: no listener, no key, 64 clients, 300 s idle, batch 64. */
void hep_config_defaults(struct hep_config *cfg);

/*
 * Creates, binds and listens on every configured address. On error returns
 * NULL with err holding a sentence naming the address and the problem.
 */
struct hep_server *hep_server_open(const struct hep_config *cfg, struct calls *calls,
				   char *err, size_t errlen);
void hep_server_close(struct hep_server *srv);

int hep_server_fd(const struct hep_server *srv);
void hep_server_on_readable(struct hep_server *srv);
/* now: CLOCK_MONOTONIC. Closes idle TCP connections. */
void hep_server_on_tick(struct hep_server *srv, const struct timespec *now);

uint64_t hep_server_counter(const struct hep_server *srv, enum hep_counter c);
const char *hep_counter_name(enum hep_counter c);
unsigned int hep_server_tcp_clients(const struct hep_server *srv);

/* Bound address of the i-th UDP (SOCK_DGRAM) or TCP (SOCK_STREAM) listener. */
int hep_server_local_addr(const struct hep_server *srv, int type, unsigned int i,
			  struct sockaddr_storage *ss, socklen_t *len);

#endif
