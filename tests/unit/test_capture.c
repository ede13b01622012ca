// SPDX-License-Identifier: GPL-2.0
/*
 * Capture packet handler, fed the packets a SOCK_DGRAM packet socket would
 * deliver: IPv4/IPv6, VLAN, fragments, UDP and TCP SIP, malformed headers.
 * calls_ingest_sip() keeps what is delivered (ingest_sink.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "listenind/capture.h"
#include "test_capture_build.h"
#include "ingest_sink.h"
#include "tap.h"

static const struct timespec when = { 1700000000, 5000 };
static char big[5000];
static size_t big_len;
static const char opt[] = "OPTIONS sip:a@b SIP/2.0\r\nCall-ID: o\r\nContent-Length: 0\r\n\r\n";

static void feed(struct capture *cap, uint16_t type, const struct pb *b)
{
	capture_packet(cap, type, b->buf, b->len, &when, 0);
}

static int got_msg(unsigned int i, const char *msg, size_t len)
{
	return got[i].len == len && !memcmp(got[i].msg, msg, len);
}

static void test_udp(struct capture *cap)
{
	uint8_t l4[8192];
	struct pb b;
	size_t n;

	n_got = 0;
	n = pb_udp(l4, 5062, 5060, opt, strlen(opt));
	pb_ipv4(&b, IPPROTO_UDP, 1, 0, 0, l4, n);
	feed(cap, 0x0800, &b);
	ok(n_got == 1 && got_msg(0, opt, strlen(opt)), "UDP/IPv4 SIP delivered");
	ok(got[0].origin.input == SIP_INPUT_CAPTURE && got[0].origin.family == AF_INET &&
	   got[0].origin.transport == IPPROTO_UDP && got[0].origin.src_port == 5062 &&
	   got[0].origin.dst_port == 5060 && got[0].origin.src_addr[0] == 192 &&
	   got[0].origin.dst_addr[3] == 2 && got[0].origin.seen.tv_sec == when.tv_sec,
	   "origin: addresses, ports, capture time");

	/* Ethernet padding after the IPv4 total length is ignored. */
	memset(b.buf + b.len, 0xee, 30);
	b.len += 30;
	feed(cap, 0x0800, &b);
	ok(n_got == 2 && got_msg(1, opt, strlen(opt)), "trailing padding ignored");

	{
		struct pb v;

		pb_ipv4(&b, IPPROTO_UDP, 1, 0, 0, l4, n);
		v.buf[0] = 0x00, v.buf[1] = 0x2a, v.buf[2] = 0x08, v.buf[3] = 0x00;
		memcpy(v.buf + 4, b.buf, b.len);
		v.len = b.len + 4;
		feed(cap, 0x8100, &v);
		ok(n_got == 3, "VLAN-tagged packet delivered");
	}

	n = pb_udp(l4, 5062, 5999, opt, strlen(opt));
	pb_ipv4(&b, IPPROTO_UDP, 1, 0, 0, l4, n);
	feed(cap, 0x0800, &b);
	ok(n_got == 3 && capture_counter(cap, CAPTURE_CNT_PORT_NOT_WATCHED) == 1,
	   "unwatched ports counted, not delivered");

	n = pb_udp(l4, 7000, 5065, opt, strlen(opt));
	pb_ipv4(&b, IPPROTO_UDP, 1, 0, 0, l4, n);
	feed(cap, 0x0800, &b);
	ok(n_got == 4, "port inside a configured range delivered");

	n = pb_udp(l4, 5060, 5060, "\r\n\r\n", 4);
	pb_ipv4(&b, IPPROTO_UDP, 1, 0, 0, l4, n);
	feed(cap, 0x0800, &b);
	ok(n_got == 4 && capture_counter(cap, CAPTURE_CNT_KEEPALIVES) == 1, "CRLF keep-alive counted");

	n = pb_udp(l4, 5062, 5060, opt, strlen(opt));
	pb_ipv6(&b, IPPROTO_UDP, 1, 0, 0, 0, l4, n);
	feed(cap, 0x86dd, &b);
	ok(n_got == 5 && got[4].origin.family == AF_INET6 && got[4].origin.src_addr[15] == 1 &&
	   got[4].origin.dst_addr[0] == 0x20 && got_msg(4, opt, strlen(opt)),
	   "UDP/IPv6 behind a destination options header delivered");
}

static void test_fragments(struct capture *cap)
{
	uint8_t l4[8192];
	struct pb b;
	size_t n;

	n_got = 0;
	n = pb_udp(l4, 5060, 5060, big, big_len);
	/* Three fragments, last first. */
	pb_ipv4(&b, IPPROTO_UDP, 77, 2960, 0, l4 + 2960, n - 2960);
	feed(cap, 0x0800, &b);
	pb_ipv4(&b, IPPROTO_UDP, 77, 0, 1, l4, 1480);
	feed(cap, 0x0800, &b);
	ok(n_got == 0, "incomplete IPv4 datagram held");
	pb_ipv4(&b, IPPROTO_UDP, 77, 1480, 1, l4 + 1480, 1480);
	feed(cap, 0x0800, &b);
	ok(n_got == 1 && got_msg(0, big, big_len), "fragmented UDP/IPv4 SIP with a large body delivered");

	n_got = 0;
	pb_ipv6(&b, IPPROTO_UDP, 0, 0x1234, 0, 1, l4, 1232);
	feed(cap, 0x86dd, &b);
	pb_ipv6(&b, IPPROTO_UDP, 0, 0x1234, 1232, 1, l4 + 1232, 1232);
	feed(cap, 0x86dd, &b);
	pb_ipv6(&b, IPPROTO_UDP, 0, 0x1234, 2464, 0, l4 + 2464, n - 2464);
	feed(cap, 0x86dd, &b);
	ok(n_got == 1 && got[0].origin.family == AF_INET6 && got_msg(0, big, big_len),
	   "fragmented UDP/IPv6 SIP delivered");

	/* Overlap: counted by the reassembler, nothing delivered. */
	n_got = 0;
	pb_ipv4(&b, IPPROTO_UDP, 78, 0, 1, l4, 1480);
	feed(cap, 0x0800, &b);
	pb_ipv4(&b, IPPROTO_UDP, 78, 1000, 0, l4 + 1000, 800);
	feed(cap, 0x0800, &b);
	ok(n_got == 0 &&
	   ipreasm_counter(capture_ipreasm(cap), IPREASM_CNT_ERR + IPREASM_ERR_OVERLAP -
			   IPREASM_ERR_ALIGN) == 1, "overlapping fragments dropped and counted");

	/* Reassembled datagram to an unwatched port. */
	n = pb_udp(l4, 9, 9, big, 2000);
	pb_ipv4(&b, IPPROTO_UDP, 79, 0, 1, l4, 1480);
	feed(cap, 0x0800, &b);
	pb_ipv4(&b, IPPROTO_UDP, 79, 1480, 0, l4 + 1480, n - 1480);
	feed(cap, 0x0800, &b);
	ok(n_got == 0 && capture_counter(cap, CAPTURE_CNT_PORT_NOT_WATCHED) == 2,
	   "reassembled datagram to other ports dropped");
}

static void test_tcp(struct capture *cap)
{
	static const char inv[] = "INVITE sip:1@b SIP/2.0\r\nCall-ID: t\r\nl: 4\r\n\r\nabcd";
	uint8_t l4[8192], two[512];
	struct pb b;
	size_t n, li = strlen(inv), lo = strlen(opt);

	n_got = 0;
	n = pb_tcp(l4, 40000, 5060, 100, 0x02, NULL, 0);
	pb_ipv4(&b, IPPROTO_TCP, 5, 0, 0, l4, n);
	feed(cap, 0x0800, &b);
	n = pb_tcp(l4, 40000, 5060, 101, 0x18, inv, 20);
	pb_ipv4(&b, IPPROTO_TCP, 6, 0, 0, l4, n);
	feed(cap, 0x0800, &b);
	ok(n_got == 0, "half a TCP message held");
	n = pb_tcp(l4, 40000, 5060, 121, 0x18, inv + 20, li - 20);
	pb_ipv4(&b, IPPROTO_TCP, 7, 0, 0, l4, n);
	feed(cap, 0x0800, &b);
	ok(n_got == 1 && got_msg(0, inv, li) && got[0].origin.transport == IPPROTO_TCP &&
	   got[0].origin.src_port == 40000, "TCP/IPv4 message split across segments delivered");

	memcpy(two, opt, lo);
	memcpy(two + lo, inv, li);
	n = pb_tcp(l4, 5060, 40001, 9000, 0x18, two, lo + li);
	pb_ipv6(&b, IPPROTO_TCP, 0, 0, 0, 0, l4, n);
	feed(cap, 0x86dd, &b);
	ok(n_got == 3 && got_msg(1, opt, lo) && got_msg(2, inv, li) &&
	   got[2].origin.family == AF_INET6, "TCP/IPv6 mid-stream: two messages in one segment");

	n = pb_tcp(l4, 40000, 5060, 121 + (uint32_t)(li - 20), 0x11, NULL, 0);
	pb_ipv4(&b, IPPROTO_TCP, 8, 0, 0, l4, n);
	feed(cap, 0x0800, &b);
	ok(tcpreasm_flows(capture_tcpreasm(cap)) == 1, "FIN frees its flow, the other remains");
	ok(capture_counter(cap, CAPTURE_CNT_SIP_TCP) == 3, "TCP messages counted");
}

static void test_bad(struct capture *cap)
{
	uint8_t l4[256];
	struct pb b;
	size_t n = pb_udp(l4, 5060, 5060, opt, strlen(opt));
	uint64_t bad;

	n_got = 0;
	capture_packet(cap, 0x0806, (const uint8_t *)"arp", 3, &when, 0);
	ok(capture_counter(cap, CAPTURE_CNT_NOT_IP) == 1, "ARP counted as not IP");

	pb_ipv4(&b, IPPROTO_UDP, 1, 0, 0, l4, n);
	capture_packet(cap, 0x0800, b.buf, 19, &when, 0);
	b.buf[0] = 0x65;
	feed(cap, 0x0800, &b);
	b.buf[0] = 0x44;
	feed(cap, 0x0800, &b);
	b.buf[0] = 0x4f;
	pb_put16(b.buf + 2, 40);
	feed(cap, 0x0800, &b);
	b.buf[0] = 0x45;
	pb_put16(b.buf + 2, (unsigned int)b.len + 1);
	feed(cap, 0x0800, &b);
	ok(capture_counter(cap, CAPTURE_CNT_BAD_IP) == 5,
	   "short, wrong version, bad IHL, IHL past total, total past packet: 5 bad IPv4");

	bad = capture_counter(cap, CAPTURE_CNT_BAD_IP);
	pb_ipv6(&b, IPPROTO_UDP, 1, 0, 0, 0, l4, n);
	capture_packet(cap, 0x86dd, b.buf, 39, &when, 0);
	b.buf[48 - 8 + 1] = 200;	/* dstopts length far past the packet */
	feed(cap, 0x86dd, &b);
	b.buf[41] = 0;
	pb_put16(b.buf + 4, 0);
	feed(cap, 0x86dd, &b);
	pb_put16(b.buf + 4, (unsigned int)b.len);
	feed(cap, 0x86dd, &b);
	ok(capture_counter(cap, CAPTURE_CNT_BAD_IP) == bad + 4,
	   "short, truncated extension, jumbo, payload past packet: 4 bad IPv6");

	pb_ipv4(&b, IPPROTO_UDP, 1, 0, 0, l4, 7);
	feed(cap, 0x0800, &b);
	pb_ipv4(&b, IPPROTO_UDP, 1, 0, 0, l4, n);
	pb_put16(b.buf + 20 + 4, (unsigned int)n + 1);
	feed(cap, 0x0800, &b);
	pb_ipv4(&b, IPPROTO_TCP, 1, 0, 0, l4, 19);
	feed(cap, 0x0800, &b);
	ok(capture_counter(cap, CAPTURE_CNT_BAD_L4) == 3, "short UDP, UDP length past IP, short TCP");

	pb_ipv4(&b, IPPROTO_ICMP, 1, 0, 0, l4, n);
	feed(cap, 0x0800, &b);
	ok(capture_counter(cap, CAPTURE_CNT_OTHER_PROTO) == 1, "ICMP counted as not UDP/TCP");

	capture_packet(cap, 0x8100, b.buf, 3, &when, 0);
	ok(n_got == 0 && capture_counter(cap, CAPTURE_CNT_BAD_IP) == bad + 5,
	   "truncated VLAN tag counted; nothing delivered from bad packets");
}

static void count(void *ctx, const char *name, uint64_t v)
{
	const char **names = ctx;
	int i;

	(void)v;
	for (i = 0; names[i]; i++)
		if (!strcmp(names[i], name))
			names[255] = "dup";
	names[i] = name;
}

static void test_open(void)
{
	struct capture_config cfg;
	struct capture *cap;
	char err[256] = "";

	capture_config_defaults(&cfg);
	strcpy(cfg.ifaces[0], "nosuch0");
	cfg.n_ifaces = 1;
	cap = capture_open(&cfg, NULL, err, sizeof(err));
	ok(!cap && !strcmp(err, "capture interface \"nosuch0\" does not exist"),
	   "unknown interface named in the error");
	if (cap || strcmp(err, "capture interface \"nosuch0\" does not exist"))
		printf("#   got \"%s\"\n", err);
	cfg.ports[0].first = 6000;
	cfg.ports[0].last = 5000;
	cap = capture_open(&cfg, NULL, err, sizeof(err));
	ok(!cap && strstr(err, "6000-5000"), "reversed port range refused");
	cfg.n_ports = 0;
	cap = capture_open(&cfg, NULL, err, sizeof(err));
	ok(!cap && strstr(err, "no port"), "interfaces without ports refused");
}

int main(void)
{
	struct capture_config cfg;
	struct capture *cap;
	char err[256];
	const char *names[256] = { NULL };

	for (int n = snprintf(big, sizeof(big), "INVITE sip:1000@b SIP/2.0\r\nCall-ID: big\r\n"
			      "Content-Length: 4000\r\n\r\n"); n < (int)sizeof(big) - 1; n++)
		big[n] = (char)('a' + n % 26);
	big_len = strlen(big);
	big_len = big_len > 4060 ? 4060 : big_len;

	capture_config_defaults(&cfg);
	cfg.ports[1].first = 5064;
	cfg.ports[1].last = 5070;
	cfg.n_ports = 2;
	cap = capture_open(&cfg, NULL, err, sizeof(err));
	ok(cap != NULL, "capture without interfaces opens");
	if (!cap) {
		printf("# %s\n", err);
		return tap_done();
	}
	test_udp(cap);
	test_fragments(cap);
	test_tcp(cap);
	test_bad(cap);
	capture_foreach_counter(cap, count, names);
	ok(!names[255] && names[CAPTURE_CNT_COUNT + IPREASM_CNT_COUNT + TCPREASM_CNT_COUNT - 1] &&
	   !names[CAPTURE_CNT_COUNT + IPREASM_CNT_COUNT + TCPREASM_CNT_COUNT],
	   "every counter listed once with a distinct name");
	capture_close(cap);
	test_open();
	return tap_done();
}
