// SPDX-License-Identifier: GPL-2.0
/*
 * HEP server over real sockets on 127.0.0.1 and ::1: UDP and TCP, split and
 * coalesced TCP segments, authentication, limits, idle close, counters.
 * calls_ingest_sip() keeps what the server delivers (ingest_sink.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listenind/hep_server.h"
#include "test_hep_build.h"
#include "ingest_sink.h"
#include "tap.h"

static const char sip[] = "INVITE sip:1000@example.com SIP/2.0\r\n"
			  "Call-ID: abc\r\nContent-Length: 0\r\n\r\n";

static void set_addr(struct hep_listen *l, int family, const char *ip)
{
	memset(l, 0, sizeof(*l));
	if (family == AF_INET) {
		struct sockaddr_in *in = (void *)&l->ss;

		in->sin_family = AF_INET;
		inet_pton(AF_INET, ip, &in->sin_addr);
		l->len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (void *)&l->ss;

		in6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, ip, &in6->sin6_addr);
		l->len = sizeof(*in6);
	}
}

/* Runs the server until n messages were delivered or counter c reaches v. */
static void pump(struct hep_server *srv, unsigned int n, int c, uint64_t v)
{
	for (int i = 0; i < 50; i++) {
		struct pollfd p = { .fd = hep_server_fd(srv), .events = POLLIN };

		if (n_got >= n && (c < 0 || hep_server_counter(srv, c) >= v))
			return;
		if (poll(&p, 1, 40) > 0)
			hep_server_on_readable(srv);
	}
}

static int client(struct hep_server *srv, int type, unsigned int i)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	if (hep_server_local_addr(srv, type, i, &ss, &len))
		return -1;
	fd = socket(ss.ss_family, type, 0);
	if (fd < 0)
		return -1;
	if (type == SOCK_STREAM)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&ss, len)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int send_udp(struct hep_server *srv, unsigned int i, const void *buf, size_t len)
{
	int fd = client(srv, SOCK_DGRAM, i);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = send(fd, buf, len, 0);
	close(fd);
	return r == (ssize_t)len ? 0 : -1;
}

/* True when the server closed fd (read returns 0 or an error). */
static int closed_by_server(struct hep_server *srv, int fd)
{
	char c;

	for (int i = 0; i < 25; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct pollfd s = { .fd = hep_server_fd(srv), .events = POLLIN };

		if (poll(&s, 1, 20) > 0)
			hep_server_on_readable(srv);
		if (poll(&p, 1, 20) > 0)
			return read(fd, &c, 1) <= 0;
	}
	return 0;
}

static void test_udp(struct hep_server *srv)
{
	static const uint8_t s4[4] = { 192, 0, 2, 1 };
	struct hb b;
	size_t len;

	n_got = 0;
	len = hb_sip(&b, AF_INET, "s3cret", sip, strlen(sip));
	ok(send_udp(srv, 0, b.buf, len) == 0, "send HEP over UDP to 127.0.0.1");
	pump(srv, 1, -1, 0);
	ok(n_got == 1 && got[0].len == strlen(sip) && !memcmp(got[0].msg, sip, got[0].len),
	   "UDP/IPv4: SIP payload delivered");
	ok(calls_ok, "delivered to the call table given at open");
	ok(got[0].origin.input == SIP_INPUT_HEP && got[0].origin.family == AF_INET &&
	   got[0].origin.transport == IPPROTO_UDP && !memcmp(got[0].origin.src_addr, s4, 4) &&
	   got[0].origin.src_port == 5060 && got[0].origin.dst_port == 5080,
	   "origin carries the captured addresses and ports");
	ok(got[0].origin.seen.tv_sec == 1700000000 && got[0].origin.seen.tv_nsec == 123456000,
	   "origin time is the HEP timestamp");

	n_got = 0;
	len = hb_sip(&b, AF_INET6, "s3cret", sip, strlen(sip));
	ok(send_udp(srv, 1, b.buf, len) == 0, "send HEP over UDP to ::1");
	pump(srv, 1, -1, 0);
	ok(n_got == 1 && got[0].origin.family == AF_INET6 && got[0].origin.src_addr[0] == 0x20 &&
	   got[0].origin.dst_addr[15] == 2, "UDP/IPv6: delivered with IPv6 addresses");

	/* Key with a trailing NUL, as some agents send it. */
	n_got = 0;
	len = hb_sip(&b, AF_INET, NULL, sip, strlen(sip));
	b.len = len - (6 + strlen(sip));
	hb_chunk(&b, 0, 0x000e, "s3cret", 7);
	hb_chunk(&b, 0, 0x000f, sip, strlen(sip));
	len = hb_end(&b);
	send_udp(srv, 0, b.buf, len);
	pump(srv, 1, -1, 0);
	ok(n_got == 1, "key with a trailing NUL accepted");
}

static void test_rejects(struct hep_server *srv)
{
	struct hb b;
	size_t len;

	n_got = 0;
	len = hb_sip(&b, AF_INET, NULL, sip, strlen(sip));
	send_udp(srv, 0, b.buf, len);
	pump(srv, 99, HEP_CNT_AUTH_MISSING, 1);
	ok(n_got == 0 && hep_server_counter(srv, HEP_CNT_AUTH_MISSING) == 1,
	   "message without key rejected and counted");

	len = hb_sip(&b, AF_INET, "s3cres", sip, strlen(sip));
	send_udp(srv, 0, b.buf, len);
	len = hb_sip(&b, AF_INET, "s3cret-longer", sip, strlen(sip));
	send_udp(srv, 0, b.buf, len);
	len = hb_sip(&b, AF_INET, "s3cre", sip, strlen(sip));
	send_udp(srv, 0, b.buf, len);
	pump(srv, 99, HEP_CNT_AUTH_WRONG, 3);
	ok(n_got == 0 && hep_server_counter(srv, HEP_CNT_AUTH_WRONG) == 3,
	   "wrong, longer and shorter keys rejected and counted");

	send_udp(srv, 0, "HEP2\0\10xy", 8);
	send_udp(srv, 0, "junk", 4);
	pump(srv, 99, HEP_CNT_DECODE + 1, 1);
	ok(hep_server_counter(srv, HEP_CNT_DECODE + 1) == 1 &&
	   !strcmp(hep_counter_name(HEP_CNT_DECODE + 1), "bad_magic"),
	   "HEPv2 counted as bad_magic");
	pump(srv, 99, HEP_CNT_DECODE, 1);
	ok(hep_server_counter(srv, HEP_CNT_DECODE) == 1 &&
	   !strcmp(hep_counter_name(HEP_CNT_DECODE), "short"), "4-byte datagram counted as short");

	len = hb_sip(&b, AF_INET, "s3cret", sip, strlen(sip));
	b.buf[len - strlen(sip) - 3] = 0x10;	/* payload chunk type -> compressed */
	send_udp(srv, 0, b.buf, len);
	pump(srv, 99, HEP_CNT_COMPRESSED, 1);
	ok(n_got == 0 && hep_server_counter(srv, HEP_CNT_COMPRESSED) == 1,
	   "compressed payload rejected and counted");

	len = hb_sip(&b, AF_INET, "s3cret", sip, strlen(sip));
	for (size_t i = 6; i + 7 <= len; ) {
		unsigned int type = b.buf[i + 2] << 8 | b.buf[i + 3];
		unsigned int clen = b.buf[i + 4] << 8 | b.buf[i + 5];

		if (type == 0x000b)
			b.buf[i + 6] = 100;	/* protocol type: not SIP */
		if (type == 0x0002)
			b.buf[i + 6] = 132;	/* SCTP */
		i += clen;
	}
	send_udp(srv, 0, b.buf, len);
	pump(srv, 99, HEP_CNT_NOT_SIP, 1);
	ok(n_got == 0 && hep_server_counter(srv, HEP_CNT_NOT_SIP) == 1,
	   "non-SIP protocol type counted and ignored");

	ingest_ret = -EINVAL;
	len = hb_sip(&b, AF_INET, "s3cret", sip, strlen(sip));
	send_udp(srv, 0, b.buf, len);
	pump(srv, 1, -1, 0);
	ok(n_got == 1 && hep_server_counter(srv, HEP_CNT_SIP_REJECTED) == 1,
	   "rejection by the call table counted");
	ingest_ret = 0;
}

static void test_tcp(struct hep_server *srv)
{
	struct hb b, b2;
	size_t len, len2;
	uint8_t two[2 * 512];
	int fd;

	/* One message split across three TCP segments. */
	n_got = 0;
	len = hb_sip(&b, AF_INET, "s3cret", sip, strlen(sip));
	fd = client(srv, SOCK_STREAM, 0);
	ok(fd >= 0, "connect HEP over TCP to 127.0.0.1");
	write(fd, b.buf, 3);
	pump(srv, 1, -1, 0);
	write(fd, b.buf + 3, 40);
	pump(srv, 1, -1, 0);
	ok(n_got == 0, "nothing delivered before the message is complete");
	write(fd, b.buf + 43, len - 43);
	pump(srv, 1, -1, 0);
	ok(n_got == 1 && got[0].len == strlen(sip) && !memcmp(got[0].msg, sip, got[0].len) &&
	   got[0].origin.transport == IPPROTO_UDP,
	   "TCP/IPv4: message split across segments delivered once");
	ok(hep_server_tcp_clients(srv) == 1, "one TCP client");
	close(fd);
	pump(srv, 99, HEP_CNT_TCP_PEER_CLOSED, 1);
	ok(hep_server_tcp_clients(srv) == 0 &&
	   hep_server_counter(srv, HEP_CNT_TCP_PEER_CLOSED) == 1, "peer close frees the client");

	/* Two messages in one segment, over IPv6. */
	n_got = 0;
	len = hb_sip(&b, AF_INET6, "s3cret", sip, strlen(sip));
	len2 = hb_sip(&b2, AF_INET6, "s3cret", "SIP/2.0 180 Ringing\r\n\r\n", 23);
	memcpy(two, b.buf, len);
	memcpy(two + len, b2.buf, len2);
	fd = client(srv, SOCK_STREAM, 1);
	ok(fd >= 0, "connect HEP over TCP to ::1");
	write(fd, two, len + len2);
	pump(srv, 2, -1, 0);
	ok(n_got == 2 && got[0].len == strlen(sip) && got[1].len == 23 &&
	   !memcmp(got[1].msg, "SIP/2.0 180", 11) && got[1].origin.family == AF_INET6,
	   "TCP/IPv6: two messages in one segment both delivered in order");

	/* A bad message inside the stream is counted; the stream goes on. */
	n_got = 0;
	len = hb_sip(&b, AF_INET6, "wrong", sip, strlen(sip));
	memcpy(two, b.buf, len);
	len2 = hb_sip(&b2, AF_INET6, "s3cret", sip, strlen(sip));
	memcpy(two + len, b2.buf, len2);
	write(fd, two, len + len2);
	pump(srv, 1, -1, 0);
	ok(n_got == 1 && hep_server_tcp_clients(srv) == 1,
	   "wrong key on TCP: that message dropped, next one delivered");

	/* Not HEP at all: the stream cannot be resynchronised. */
	write(fd, "GET / HTTP/1.0\r\n\r\n", 18);
	ok(closed_by_server(srv, fd) && hep_server_counter(srv, HEP_CNT_TCP_FRAMING_CLOSED) == 1,
	   "non-HEP bytes on TCP close the connection");
	close(fd);
}

static void test_limits(void)
{
	struct hep_config cfg;
	struct hep_server *srv;
	char err[256];
	int fd[3];
	struct timespec now;

	hep_config_defaults(&cfg);
	set_addr(&cfg.tcp[0], AF_INET, "127.0.0.1");
	cfg.n_tcp = 1;
	cfg.max_tcp_clients = 2;
	cfg.tcp_idle_timeout = 5;
	srv = hep_server_open(&cfg, want_calls, err, sizeof(err));
	ok(srv != NULL, "server with 2 TCP clients max");
	if (!srv)
		return;
	fd[0] = client(srv, SOCK_STREAM, 0);
	fd[1] = client(srv, SOCK_STREAM, 0);
	pump(srv, 0, HEP_CNT_TCP_ACCEPTED, 2);
	fd[2] = client(srv, SOCK_STREAM, 0);
	ok(closed_by_server(srv, fd[2]) && hep_server_counter(srv, HEP_CNT_TCP_REFUSED) == 1 &&
	   hep_server_tcp_clients(srv) == 2, "third client refused and counted");

	write(fd[0], "HEP3", 4);
	pump(srv, 0, -1, 0);
	clock_gettime(CLOCK_MONOTONIC, &now);
	hep_server_on_tick(srv, &now);
	ok(hep_server_tcp_clients(srv) == 2, "fresh clients survive a tick");
	now.tv_sec += 6;
	hep_server_on_tick(srv, &now);
	ok(hep_server_tcp_clients(srv) == 0 && hep_server_counter(srv, HEP_CNT_TCP_IDLE_CLOSED) == 2,
	   "idle clients closed after tcp_idle_timeout");
	ok(closed_by_server(srv, fd[0]), "idle client sees the close");
	for (int i = 0; i < 3; i++)
		close(fd[i]);
	hep_server_close(srv);
}

static void test_open_errors(struct hep_server *srv)
{
	struct hep_config cfg;
	char err[256] = "", want[256];
	socklen_t len;

	hep_config_defaults(&cfg);
	cfg.n_udp = 1;
	hep_server_local_addr(srv, SOCK_DGRAM, 0, &cfg.udp[0].ss, &len);
	cfg.udp[0].len = len;
	ok(hep_server_open(&cfg, NULL, err, sizeof(err)) == NULL, "port in use refused");
	snprintf(want, sizeof(want), "cannot listen for HEP over UDP on 127.0.0.1:%u: Address already in use",
		 ntohs(((struct sockaddr_in *)&cfg.udp[0].ss)->sin_port));
	ok(!strcmp(err, want), "error names the transport, address and cause");
	if (strcmp(err, want))
		printf("#   got \"%s\"\n", err);

	cfg.udp[0].ss.ss_family = AF_UNIX;
	ok(hep_server_open(&cfg, NULL, err, sizeof(err)) == NULL && strstr(err, "neither IPv4 nor IPv6"),
	   "non-IP listen address refused");
}

static void test_names(void)
{
	int all = 1;

	for (int i = 0; i < HEP_CNT_COUNT; i++) {
		const char *n = hep_counter_name(i);

		if (!n || !*n || !strcmp(n, "unknown") || !strcmp(n, "ok"))
			all = 0;
		for (int j = 0; j < i; j++)
			if (!strcmp(n, hep_counter_name(j)))
				all = 0;
	}
	ok(all, "every counter has a distinct name");
}

int main(void)
{
	struct hep_config cfg;
	struct hep_server *srv;
	char err[256];

	want_calls = (struct calls *)&n_got;	/* any pointer: the server only passes it on */
	hep_config_defaults(&cfg);
	set_addr(&cfg.udp[0], AF_INET, "127.0.0.1");
	set_addr(&cfg.udp[1], AF_INET6, "::1");
	set_addr(&cfg.tcp[0], AF_INET, "127.0.0.1");
	set_addr(&cfg.tcp[1], AF_INET6, "::1");
	cfg.n_udp = cfg.n_tcp = 2;
	strcpy(cfg.auth_key, "s3cret");
	srv = hep_server_open(&cfg, want_calls, err, sizeof(err));
	ok(srv != NULL, "open UDP and TCP listeners on 127.0.0.1 and ::1");
	if (!srv) {
		printf("# %s\n", err);
		return tap_done();
	}
	test_udp(srv);
	test_rejects(srv);
	test_tcp(srv);
	test_open_errors(srv);
	hep_server_close(srv);
	test_limits();
	test_names();
	return tap_done();
}
