// SPDX-License-Identifier: GPL-2.0
/*
 * Capture on a real interface: two network namespaces joined by a veth
 * pair, SIP sent from one to the other over UDP (large, so fragmented) and
 * TCP (split and coalesced), captured on the receiving end.
 *
 *   ns A (capture, listeners)            ns B (senders)
 *   lcaN 10.77.0.1/24 fd77::1/64 <----> lcbN 10.77.0.2/24 fd77::2/64
 *
 * Needs root (creates namespaces); skipped (exit 4) otherwise.
 * calls_ingest_sip() keeps what is delivered (ingest_sink.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listenind/capture.h"
#include "ingest_sink.h"
#include "tap.h"

static char ns_a[32], ns_b[32], if_a[16], if_b[16];
static int made;

static int run(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void cleanup(void)
{
	if (made) {
		run("ip netns del %s 2>/dev/null", ns_a);
		run("ip netns del %s 2>/dev/null", ns_b);
	}
}

static int enter(const char *ns)
{
	char path[64];
	int fd, r;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = setns(fd, CLONE_NEWNET);
	close(fd);
	return r;
}

static int topology(void)
{
	int pid = getpid() % 100000;

	snprintf(ns_a, sizeof(ns_a), "lincap-a-%d", pid);
	snprintf(ns_b, sizeof(ns_b), "lincap-b-%d", pid);
	snprintf(if_a, sizeof(if_a), "lca%d", pid);
	snprintf(if_b, sizeof(if_b), "lcb%d", pid);
	if (run("ip netns add %s", ns_a))
		return -1;
	made = 1;
	if (run("ip netns add %s", ns_b) ||
	    run("ip link add %s netns %s type veth peer name %s netns %s", if_a, ns_a, if_b, ns_b) ||
	    run("ip -n %s addr add 10.77.0.1/24 dev %s", ns_a, if_a) ||
	    run("ip -n %s addr add 10.77.0.2/24 dev %s", ns_b, if_b) ||
	    run("ip -n %s addr add fd77::1/64 dev %s nodad", ns_a, if_a) ||
	    run("ip -n %s addr add fd77::2/64 dev %s nodad", ns_b, if_b) ||
	    run("ip -n %s link set %s up", ns_a, if_a) ||
	    run("ip -n %s link set %s up", ns_b, if_b) ||
	    run("ip -n %s link set lo up", ns_a) || run("ip -n %s link set lo up", ns_b))
		return -1;
	return 0;
}

static struct capture *cap;

static void pump(unsigned int want, int ms)
{
	for (int waited = 0; n_got < want && waited < ms; waited += 20) {
		struct pollfd p = { .fd = capture_fd(cap), .events = POLLIN };

		if (poll(&p, 1, 20) > 0)
			capture_on_readable(cap);
	}
	/* Late extras would show up as a wrong count. */
	for (int i = 0; i < 5; i++) {
		struct pollfd p = { .fd = capture_fd(cap), .events = POLLIN };

		if (poll(&p, 1, 10) > 0)
			capture_on_readable(cap);
	}
}

static socklen_t sa(struct sockaddr_storage *ss, int family, const char *ip, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (void *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		inet_pton(AF_INET, ip, &in->sin_addr);
		return sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (void *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &in6->sin6_addr);
		return sizeof(*in6);
	}
}

static int listener(int family, const char *ip)
{
	struct sockaddr_storage ss;
	socklen_t len = sa(&ss, family, ip, 5060);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 4))
		return -1;
	return fd;
}

static char big[4200];

static void test_udp(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int v4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int v6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int dont = IP_PMTUDISC_DONT, dont6 = IPV6_PMTUDISC_DONT;
	size_t blen = strlen(big);

	setsockopt(v4, IPPROTO_IP, IP_MTU_DISCOVER, &dont, sizeof(dont));
	setsockopt(v6, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &dont6, sizeof(dont6));

	n_got = 0;
	len = sa(&ss, AF_INET, "10.77.0.1", 5999);
	sendto(v4, "OPTIONS sip:x SIP/2.0\r\n\r\n", 25, 0, (struct sockaddr *)&ss, len);
	len = sa(&ss, AF_INET, "10.77.0.1", 5060);
	ok(sendto(v4, big, blen, 0, (struct sockaddr *)&ss, len) == (ssize_t)blen,
	   "send a 4 KiB SIP message over UDP/IPv4 (fragmented by the 1500 MTU)");
	pump(1, 3000);
	ok(n_got == 1 && got[0].len == blen && !memcmp(got[0].msg, big, blen),
	   "captured and reassembled: the whole message delivered once");
	ok(got[0].origin.input == SIP_INPUT_CAPTURE && got[0].origin.family == AF_INET &&
	   got[0].origin.transport == IPPROTO_UDP && got[0].origin.dst_port == 5060 &&
	   got[0].origin.src_addr[3] == 2 && got[0].origin.dst_addr[3] == 1,
	   "origin: 10.77.0.2 -> 10.77.0.1:5060 UDP");
	ok(ipreasm_counter(capture_ipreasm(cap), IPREASM_CNT_DATAGRAMS) == 1,
	   "reassembler counted one datagram");

	n_got = 0;
	len = sa(&ss, AF_INET6, "fd77::1", 5060);
	ok(sendto(v6, big, blen, 0, (struct sockaddr *)&ss, len) == (ssize_t)blen,
	   "send it over UDP/IPv6 (fragmented)");
	pump(1, 3000);
	ok(n_got == 1 && got[0].len == blen && !memcmp(got[0].msg, big, blen) &&
	   got[0].origin.family == AF_INET6 && got[0].origin.src_addr[15] == 2,
	   "UDP/IPv6 fragments captured and reassembled");
	ok(capture_counter(cap, CAPTURE_CNT_PORT_NOT_WATCHED) == 0 &&
	   capture_counter(cap, CAPTURE_CNT_OTHER_PROTO) == 0 &&
	   capture_counter(cap, CAPTURE_CNT_NOT_IP) == 0,
	   "BPF filter kept out port 5999, ICMP, ARP and neighbour discovery");

	/* Behind a hop-by-hop header the filter still finds the ports. */
	{
		static const uint8_t hbh[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };	/* PadN */
		static const char small[] = "OPTIONS sip:hbh SIP/2.0\r\nContent-Length: 0\r\n\r\n";
		uint64_t before = capture_counter(cap, CAPTURE_CNT_PACKETS);

		n_got = 0;
		ok(setsockopt(v6, IPPROTO_IPV6, IPV6_HOPOPTS, hbh, sizeof(hbh)) == 0,
		   "IPv6 hop-by-hop options on the sender");
		len = sa(&ss, AF_INET6, "fd77::1", 5999);
		sendto(v6, small, strlen(small), 0, (struct sockaddr *)&ss, len);
		len = sa(&ss, AF_INET6, "fd77::1", 5060);
		sendto(v6, small, strlen(small), 0, (struct sockaddr *)&ss, len);
		pump(1, 3000);
		ok(n_got == 1 && got[0].len == strlen(small) &&
		   capture_counter(cap, CAPTURE_CNT_PACKETS) == before + 1,
		   "UDP/IPv6 behind hop-by-hop: port 5060 captured, port 5999 filtered in the kernel");
	}
	close(v4);
	close(v6);
}

static void test_tcp(int family, const char *server, int lfd)
{
	static const char m1[] = "INVITE sip:1000@a SIP/2.0\r\nCall-ID: c1\r\nContent-Length: 5\r\n\r\nv=0\r\n";
	static const char m2[] = "ACK sip:1000@a SIP/2.0\r\nCall-ID: c1\r\nl: 0\r\n\r\n";
	static const char m3[] = "BYE sip:1000@a SIP/2.0\r\nCall-ID: c1\r\nContent-Length: 0\r\n\r\n";
	static const char r1[] = "SIP/2.0 200 OK\r\nCall-ID: c1\r\nContent-Length: 0\r\n\r\n";
	struct sockaddr_storage ss;
	socklen_t len = sa(&ss, family, server, 5060);
	int c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), s, one = 1;
	char buf[256];
	const char *fam = family == AF_INET ? "IPv4" : "IPv6";

	n_got = 0;
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c, (struct sockaddr *)&ss, len) || (s = accept(lfd, NULL, NULL)) < 0) {
		ok(0, "TCP/%s connection: %s", fam, strerror(errno));
		close(c);
		return;
	}
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	write(c, m1, 30);
	pump(1, 200);
	ok(n_got == 0, "TCP/%s: nothing delivered from half a message", fam);
	write(c, m1 + 30, strlen(m1) - 30);
	pump(1, 3000);
	ok(n_got == 1 && got[0].len == strlen(m1) && !memcmp(got[0].msg, m1, got[0].len) &&
	   got[0].origin.transport == IPPROTO_TCP && got[0].origin.family == family &&
	   got[0].origin.dst_port == 5060,
	   "TCP/%s: message split across two segments delivered", fam);

	snprintf(buf, sizeof(buf), "%s%s", m2, m3);
	write(c, buf, strlen(buf));
	pump(3, 3000);
	ok(n_got == 3 && got[1].len == strlen(m2) && !memcmp(got[1].msg, m2, got[1].len) &&
	   got[2].len == strlen(m3) && !memcmp(got[2].msg, m3, got[2].len),
	   "TCP/%s: two messages in one segment delivered in order", fam);

	read(s, buf, sizeof(buf));
	write(s, r1, strlen(r1));
	pump(4, 3000);
	ok(n_got == 4 && got[3].len == strlen(r1) && got[3].origin.src_port == 5060,
	   "TCP/%s: response in the other direction delivered", fam);
	close(c);
	close(s);
	pump(99, 200);
}

int main(void)
{
	struct capture_config cfg;
	char err[256];
	int l4, l6, i;

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root to create network namespaces\n");
		return 4;
	}
	atexit(cleanup);
	if (topology()) {
		printf("1..0 # SKIP cannot create network namespaces and a veth pair\n");
		return 4;
	}
	i = snprintf(big, sizeof(big), "MESSAGE sip:1000@a SIP/2.0\r\nCall-ID: big\r\n"
		     "Content-Length: 4000\r\n\r\n");
	for (int n = 0; n < 4000; n++)
		big[i + n] = (char)('a' + n % 26);
	big[i + 4000] = '\0';

	ok(enter(ns_a) == 0, "enter namespace A");
	capture_config_defaults(&cfg);
	snprintf(cfg.ifaces[0], sizeof(cfg.ifaces[0]), "%s", if_a);
	cfg.n_ifaces = 1;
	cap = capture_open(&cfg, NULL, err, sizeof(err));
	ok(cap != NULL, "capture opened on the veth end in A");
	if (!cap) {
		printf("# %s\n", err);
		return tap_done();
	}
	l4 = listener(AF_INET, "10.77.0.1");
	l6 = listener(AF_INET6, "fd77::1");
	ok(l4 >= 0 && l6 >= 0, "SIP TCP listeners in A");
	ok(enter(ns_b) == 0, "enter namespace B for the senders");

	test_udp();
	test_tcp(AF_INET, "10.77.0.1", l4);
	test_tcp(AF_INET6, "fd77::1", l6);
	ok(tcpreasm_flows(capture_tcpreasm(cap)) == 0, "closed connections leave no TCP flow");
	ok(capture_counter(cap, CAPTURE_CNT_SIP_UDP) == 3 && capture_counter(cap, CAPTURE_CNT_SIP_TCP) == 8,
	   "3 UDP and 8 TCP SIP messages counted");

	close(l4);
	close(l6);
	capture_close(cap);
	return tap_done();
}
