// SPDX-License-Identifier: GPL-2.0
#include "listenind/hep_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "common/log.h"
#include "listenind/hep.h"
#include "listenind/ingest.h"

_Static_assert(HEP_CNT_COUNT == HEP_CNT_DECODE + HEP_ERR_COUNT - 1,
	       "one counter per HEP decode error");

#define PEER_LEN	(INET6_ADDRSTRLEN + 8)
#define LOG_BURST	10
#define LOG_WINDOW_MS	10000

enum { TAG_UDP = 1, TAG_LISTEN = 2, TAG_CONN = 3 };

struct conn {
	int fd;
	uint8_t *buf;
	size_t len;
	uint64_t last_ms;
	char peer[PEER_LEN];
};

struct hep_server {
	struct hep_config cfg;
	struct calls *calls;
	int epfd;
	int udp[HEP_MAX_LISTEN];
	int tcp[HEP_MAX_LISTEN];
	struct conn *conns;
	unsigned int n_conns;
	size_t key_len;
	uint8_t *rbuf;
	uint64_t counters[HEP_CNT_COUNT];
	uint64_t log_window;
	unsigned int log_n;
	uint64_t log_suppressed;
};

static const char *const names[HEP_CNT_DECODE] = {
	[HEP_CNT_UDP_DATAGRAMS] = "udp_datagrams",
	[HEP_CNT_TCP_ACCEPTED] = "tcp_accepted",
	[HEP_CNT_TCP_REFUSED] = "tcp_refused_limit",
	[HEP_CNT_TCP_IDLE_CLOSED] = "tcp_closed_idle",
	[HEP_CNT_TCP_PEER_CLOSED] = "tcp_closed_by_peer",
	[HEP_CNT_TCP_FRAMING_CLOSED] = "tcp_closed_not_hep",
	[HEP_CNT_RECV_ERRORS] = "recv_errors",
	[HEP_CNT_MESSAGES] = "messages",
	[HEP_CNT_AUTH_MISSING] = "auth_key_missing",
	[HEP_CNT_AUTH_WRONG] = "auth_key_wrong",
	[HEP_CNT_COMPRESSED] = "compressed_payload",
	[HEP_CNT_NOT_SIP] = "not_sip",
	[HEP_CNT_BAD_TRANSPORT] = "bad_transport",
	[HEP_CNT_EMPTY_PAYLOAD] = "empty_payload",
	[HEP_CNT_DELIVERED] = "sip_delivered",
	[HEP_CNT_SIP_REJECTED] = "sip_rejected",
};

const char *hep_counter_name(enum hep_counter c)
{
	if ((unsigned int)c < HEP_CNT_DECODE)
		return names[c];
	if ((unsigned int)c < HEP_CNT_COUNT)
		return hep_error_name(c - HEP_CNT_DECODE + 1);
	return "unknown";
}

uint64_t hep_server_counter(const struct hep_server *srv, enum hep_counter c)
{
	return (unsigned int)c < HEP_CNT_COUNT ? srv->counters[c] : 0;
}

unsigned int hep_server_tcp_clients(const struct hep_server *srv)
{
	return srv->n_conns;
}

int hep_server_fd(const struct hep_server *srv)
{
	return srv->epfd;
}

void hep_config_defaults(struct hep_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_tcp_clients = 64;
	cfg->tcp_idle_timeout = 300;
	cfg->udp_batch = 64;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void format_addr(const struct sockaddr *sa, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(in6->sin6_port));
	} else {
		snprintf(buf, len, "(family %d)", sa->sa_family);
	}
}

/* At most LOG_BURST warnings per window; the rest are counted and summed up. */
static void warn(struct hep_server *srv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void warn(struct hep_server *srv, const char *fmt, ...)
{
	uint64_t now = now_ms();
	va_list ap;

	if (now - srv->log_window >= LOG_WINDOW_MS) {
		if (srv->log_suppressed)
			log_warn("hep: %llu more rejections not logged in the last %u s",
				 (unsigned long long)srv->log_suppressed, LOG_WINDOW_MS / 1000);
		srv->log_window = now;
		srv->log_n = 0;
		srv->log_suppressed = 0;
	}
	if (srv->log_n >= LOG_BURST) {
		srv->log_suppressed++;
		return;
	}
	srv->log_n++;
	va_start(ap, fmt);
	log_vmsg(LOG_WARNING, fmt, ap);
	va_end(ap);
}

static bool key_matches(const struct hep_server *srv, const uint8_t *key, size_t len)
{
	const uint8_t *want = (const uint8_t *)srv->cfg.auth_key;
	uint8_t diff;
	size_t i;

	/* Some agents send the key with its C string terminator. */
	if (len && key[len - 1] == '\0')
		len--;
	diff = len != srv->key_len;
	for (i = 0; i < srv->key_len; i++)
		diff |= want[i] ^ (i < len ? key[i] : 0);
	return !diff;
}

static void handle(struct hep_server *srv, const uint8_t *buf, size_t len, const char *peer)
{
	struct sip_origin origin = { .input = SIP_INPUT_HEP };
	struct hep_packet pkt;
	enum hep_error err;

	err = hep_decode(buf, len, &pkt);
	if (err != HEP_OK) {
		srv->counters[HEP_CNT_DECODE + err - 1]++;
		warn(srv, "hep: message from %s rejected: %s", peer, hep_strerror(err));
		return;
	}
	srv->counters[HEP_CNT_MESSAGES]++;
	if (srv->key_len) {
		if (!pkt.auth_key) {
			srv->counters[HEP_CNT_AUTH_MISSING]++;
			warn(srv, "hep: message from %s rejected: no authentication key (chunk 0x000e) but hep auth_key is set",
			     peer);
			return;
		}
		if (!key_matches(srv, pkt.auth_key, pkt.auth_key_len)) {
			srv->counters[HEP_CNT_AUTH_WRONG]++;
			warn(srv, "hep: message from %s rejected: wrong authentication key", peer);
			return;
		}
	}
	if (pkt.proto_type != HEP_PROTO_SIP) {
		srv->counters[HEP_CNT_NOT_SIP]++;
		return;
	}
	if (pkt.compressed) {
		srv->counters[HEP_CNT_COMPRESSED]++;
		warn(srv, "hep: message from %s rejected: compressed payload (chunk 0x0010) is not supported, turn compression off in the agent",
		     peer);
		return;
	}
	if (pkt.ip_proto != IPPROTO_UDP && pkt.ip_proto != IPPROTO_TCP) {
		srv->counters[HEP_CNT_BAD_TRANSPORT]++;
		warn(srv, "hep: message from %s rejected: IP protocol %u is neither UDP (17) nor TCP (6)",
		     peer, pkt.ip_proto);
		return;
	}
	if (!pkt.payload_len) {
		srv->counters[HEP_CNT_EMPTY_PAYLOAD]++;
		return;
	}

	origin.family = pkt.family;
	origin.transport = pkt.ip_proto;
	memcpy(origin.src_addr, pkt.src_addr, sizeof(origin.src_addr));
	memcpy(origin.dst_addr, pkt.dst_addr, sizeof(origin.dst_addr));
	origin.src_port = pkt.src_port;
	origin.dst_port = pkt.dst_port;
	if (pkt.has_timestamp && pkt.ts_usec < 1000000) {
		origin.seen.tv_sec = (time_t)pkt.ts_sec;
		origin.seen.tv_nsec = (long)pkt.ts_usec * 1000;
	} else {
		clock_gettime(CLOCK_REALTIME, &origin.seen);
	}
	if (calls_ingest_sip(srv->calls, &origin, (const char *)pkt.payload, pkt.payload_len) < 0)
		srv->counters[HEP_CNT_SIP_REJECTED]++;
	else
		srv->counters[HEP_CNT_DELIVERED]++;
}

static int add_fd(struct hep_server *srv, int fd, uint32_t tag, uint32_t idx)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)tag << 32 | idx };

	return epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int open_one(struct hep_server *srv, const struct hep_listen *l, int type,
		    uint32_t tag, uint32_t idx, char *err, size_t errlen)
{
	const char *what = type == SOCK_DGRAM ? "UDP" : "TCP";
	char name[PEER_LEN];
	int fd, one = 1;

	format_addr((const struct sockaddr *)&l->ss, name, sizeof(name));
	if (l->ss.ss_family != AF_INET && l->ss.ss_family != AF_INET6) {
		snprintf(err, errlen, "HEP %s listen address %s is neither IPv4 nor IPv6", what, name);
		return -1;
	}
	fd = socket(l->ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (l->ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		goto fail;
	if (type == SOCK_STREAM && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		goto fail;
	if (type == SOCK_DGRAM && srv->cfg.udp_rcvbuf > 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &srv->cfg.udp_rcvbuf, sizeof(int)))
		goto fail;
	if (bind(fd, (const struct sockaddr *)&l->ss, l->len))
		goto fail;
	if (type == SOCK_STREAM && listen(fd, 64))
		goto fail;
	if (add_fd(srv, fd, tag, idx))
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "cannot listen for HEP over %s on %s: %s", what, name, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

struct hep_server *hep_server_open(const struct hep_config *cfg, struct calls *calls,
				   char *err, size_t errlen)
{
	struct hep_server *srv;
	unsigned int i;

	if (cfg->n_udp > HEP_MAX_LISTEN || cfg->n_tcp > HEP_MAX_LISTEN) {
		snprintf(err, errlen, "at most %d HEP listen addresses per transport", HEP_MAX_LISTEN);
		return NULL;
	}
	if (!memchr(cfg->auth_key, '\0', sizeof(cfg->auth_key))) {
		snprintf(err, errlen, "HEP auth_key is longer than %d bytes", HEP_KEY_MAX - 1);
		return NULL;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		goto nomem;
	srv->cfg = *cfg;
	if (!srv->cfg.udp_batch)
		srv->cfg.udp_batch = 1;
	srv->calls = calls;
	srv->key_len = strlen(cfg->auth_key);
	for (i = 0; i < HEP_MAX_LISTEN; i++)
		srv->udp[i] = srv->tcp[i] = -1;
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (srv->epfd < 0) {
		snprintf(err, errlen, "cannot create the HEP epoll set: %s", strerror(errno));
		free(srv);
		return NULL;
	}
	srv->rbuf = malloc(HEP_MAX_LEN + 1);
	srv->conns = calloc(cfg->max_tcp_clients ? cfg->max_tcp_clients : 1, sizeof(*srv->conns));
	if (!srv->rbuf || !srv->conns) {
		hep_server_close(srv);
		goto nomem;
	}
	for (i = 0; i < cfg->n_udp; i++) {
		srv->udp[i] = open_one(srv, &cfg->udp[i], SOCK_DGRAM, TAG_UDP, i, err, errlen);
		if (srv->udp[i] < 0)
			goto fail;
	}
	for (i = 0; i < cfg->n_tcp; i++) {
		srv->tcp[i] = open_one(srv, &cfg->tcp[i], SOCK_STREAM, TAG_LISTEN, i, err, errlen);
		if (srv->tcp[i] < 0)
			goto fail;
	}
	return srv;
fail:
	hep_server_close(srv);
	return NULL;
nomem:
	snprintf(err, errlen, "out of memory opening the HEP server");
	return NULL;
}

static void conn_close(struct hep_server *srv, unsigned int i)
{
	struct conn *c = &srv->conns[i];

	close(c->fd);
	free(c->buf);
	srv->n_conns--;
	if (i != srv->n_conns) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)TAG_CONN << 32 | i };

		*c = srv->conns[srv->n_conns];
		epoll_ctl(srv->epfd, EPOLL_CTL_MOD, c->fd, &ev);
	}
	memset(&srv->conns[srv->n_conns], 0, sizeof(*c));
}

void hep_server_close(struct hep_server *srv)
{
	unsigned int i;

	if (!srv)
		return;
	while (srv->n_conns)
		conn_close(srv, srv->n_conns - 1);
	for (i = 0; i < HEP_MAX_LISTEN; i++) {
		if (srv->udp[i] >= 0)
			close(srv->udp[i]);
		if (srv->tcp[i] >= 0)
			close(srv->tcp[i]);
	}
	if (srv->epfd >= 0)
		close(srv->epfd);
	free(srv->conns);
	free(srv->rbuf);
	free(srv);
}

int hep_server_local_addr(const struct hep_server *srv, int type, unsigned int i,
			  struct sockaddr_storage *ss, socklen_t *len)
{
	const int *fds = type == SOCK_DGRAM ? srv->udp : srv->tcp;

	if (i >= HEP_MAX_LISTEN || fds[i] < 0)
		return -1;
	*len = sizeof(*ss);
	return getsockname(fds[i], (struct sockaddr *)ss, len);
}

static void on_udp(struct hep_server *srv, int fd)
{
	struct sockaddr_storage from;
	char peer[PEER_LEN];
	unsigned int n;

	for (n = 0; n < srv->cfg.udp_batch; n++) {
		socklen_t flen = sizeof(from);
		ssize_t r = recvfrom(fd, srv->rbuf, HEP_MAX_LEN + 1, MSG_TRUNC,
				     (struct sockaddr *)&from, &flen);

		if (r < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				srv->counters[HEP_CNT_RECV_ERRORS]++;
				warn(srv, "hep: UDP receive failed: %s", strerror(errno));
			}
			return;
		}
		srv->counters[HEP_CNT_UDP_DATAGRAMS]++;
		format_addr((struct sockaddr *)&from, peer, sizeof(peer));
		/* Over HEP_MAX_LEN cannot be HEPv3: let the decoder say so. */
		handle(srv, srv->rbuf, (size_t)r > HEP_MAX_LEN + 1 ? HEP_MAX_LEN + 1 : (size_t)r, peer);
	}
}

static void on_accept(struct hep_server *srv, int lfd)
{
	for (;;) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		char peer[PEER_LEN];
		struct conn *c;
		int fd;

		fd = accept4(lfd, (struct sockaddr *)&from, &flen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED) {
				srv->counters[HEP_CNT_RECV_ERRORS]++;
				warn(srv, "hep: TCP accept failed: %s", strerror(errno));
			}
			return;
		}
		format_addr((struct sockaddr *)&from, peer, sizeof(peer));
		if (srv->n_conns >= srv->cfg.max_tcp_clients) {
			srv->counters[HEP_CNT_TCP_REFUSED]++;
			warn(srv, "hep: TCP connection from %s closed: already %u clients (max_tcp_clients)",
			     peer, srv->n_conns);
			close(fd);
			continue;
		}
		c = &srv->conns[srv->n_conns];
		c->buf = malloc(HEP_MAX_LEN);
		if (!c->buf || add_fd(srv, fd, TAG_CONN, srv->n_conns)) {
			srv->counters[HEP_CNT_RECV_ERRORS]++;
			warn(srv, "hep: TCP connection from %s closed: %s", peer,
			     c->buf ? strerror(errno) : "out of memory");
			free(c->buf);
			c->buf = NULL;
			close(fd);
			continue;
		}
		c->fd = fd;
		c->len = 0;
		c->last_ms = now_ms();
		memcpy(c->peer, peer, sizeof(peer));
		srv->n_conns++;
		srv->counters[HEP_CNT_TCP_ACCEPTED]++;
	}
}

/* Returns false when the connection was closed. */
static bool on_conn(struct hep_server *srv, unsigned int i)
{
	struct conn *c = &srv->conns[i];
	size_t off = 0;
	ssize_t r;

	r = read(c->fd, c->buf + c->len, HEP_MAX_LEN - c->len);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return true;
	if (r <= 0) {
		if (r < 0) {
			srv->counters[HEP_CNT_RECV_ERRORS]++;
			warn(srv, "hep: TCP connection from %s failed: %s", c->peer, strerror(errno));
		} else {
			srv->counters[HEP_CNT_TCP_PEER_CLOSED]++;
			if (c->len)
				warn(srv, "hep: TCP connection from %s closed with %zu bytes of an incomplete message",
				     c->peer, c->len);
		}
		conn_close(srv, i);
		return false;
	}
	c->len += (size_t)r;
	c->last_ms = now_ms();

	while (c->len - off >= HEP_HEADER_LEN) {
		size_t n = hep_frame_length(c->buf + off, c->len - off);

		if (!n) {
			srv->counters[HEP_CNT_TCP_FRAMING_CLOSED]++;
			warn(srv, "hep: TCP connection from %s closed: stream is not HEPv3 (bad magic or length)",
			     c->peer);
			conn_close(srv, i);
			return false;
		}
		if (n > c->len - off)
			break;
		handle(srv, c->buf + off, n, c->peer);
		off += n;
	}
	if (off) {
		memmove(c->buf, c->buf + off, c->len - off);
		c->len -= off;
	}
	return true;
}

void hep_server_on_readable(struct hep_server *srv)
{
	struct epoll_event ev[32];
	int n, i;

	n = epoll_wait(srv->epfd, ev, 32, 0);
	for (i = 0; i < n; i++) {
		uint32_t tag = (uint32_t)(ev[i].data.u64 >> 32);
		uint32_t idx = (uint32_t)ev[i].data.u64;

		if (tag == TAG_UDP && idx < HEP_MAX_LISTEN)
			on_udp(srv, srv->udp[idx]);
		else if (tag == TAG_LISTEN && idx < HEP_MAX_LISTEN)
			on_accept(srv, srv->tcp[idx]);
		else if (tag == TAG_CONN && idx < srv->n_conns)
			on_conn(srv, idx);
	}
}

void hep_server_on_tick(struct hep_server *srv, const struct timespec *now)
{
	uint64_t ms = (uint64_t)now->tv_sec * 1000 + (uint64_t)now->tv_nsec / 1000000;
	uint64_t idle = (uint64_t)srv->cfg.tcp_idle_timeout * 1000;
	unsigned int i = srv->n_conns;

	if (!srv->cfg.tcp_idle_timeout)
		return;
	while (i--) {
		struct conn *c = &srv->conns[i];

		if (ms > c->last_ms && ms - c->last_ms >= idle) {
			srv->counters[HEP_CNT_TCP_IDLE_CLOSED]++;
			warn(srv, "hep: TCP connection from %s closed after %u s without data",
			     c->peer, srv->cfg.tcp_idle_timeout);
			conn_close(srv, i);
		}
	}
}
