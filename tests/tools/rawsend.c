// SPDX-License-Identifier: GPL-2.0
/*
 * rawsend: sends malformed IPv4/IPv6 packets aimed at an RTP port through a
 * raw socket, to prove that the hook lets them pass untouched. The "frag"
 * kind sends a valid RTP datagram in two fragments, which rtprecv at the
 * destination verifies once the stack has reassembled it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <getopt.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>

#define TOOL "rawsend"
#include "rtp.h"

#define IP4_HLEN	20
#define IP6_HLEN	40
#define FRAG6_HLEN	8
#define UDP_HLEN	8
#define PROTO_EXPERIMENT	253	/* RFC 3692 */

static const char usage[] =
	"Usage: rawsend [OPTIONS] KIND SRC DST\n"
	"Sends malformed packets from SRC to DST (ADDR:PORT or [ADDR]:PORT) through a\n"
	"raw socket; each carries an rtpsend packet where it carries a payload.\n"
	"  KIND  udp-trunc    IP payload of 4 bytes: a truncated UDP header\n"
	"        udp-len-long UDP length field larger than the IP payload\n"
	"        udp-len-short UDP length field smaller than the UDP header\n"
	"        frag         a valid UDP/RTP datagram split into two fragments\n"
	"        frag-first   only the first fragment (more fragments never come)\n"
	"        frag-second  only the second fragment (offset > 0)\n"
	"        not-udp      IP protocol 253 carrying a UDP header and RTP\n"
	"  -c, --count N      packets (datagrams for frag) to send (default 10)\n"
	"  -r, --rate PPS     packets per second (default 50)\n"
	"  -s, --ssrc SSRC    RTP SSRC (default 0x4c490001)\n"
	"  -q, --seq SEQ      first RTP sequence number (default 0)\n"
	"  -l, --len BYTES    RTP payload bytes (default 160)\n"
	"Prints: sent=N kind=KIND from=SRC to=DST\n";

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Builds the UDP datagram (header + RTP) with a correct checksum. */
static size_t build_udp(uint8_t *p, const struct sockaddr_storage *src,
			const struct sockaddr_storage *dst, uint32_t ssrc,
			uint16_t seq, size_t len)
{
	size_t n = UDP_HLEN + build_dgram(p + UDP_HLEN, KIND_RTP, ssrc, seq, 0, len);
	uint32_t sum = IPPROTO_UDP + (uint32_t)n;
	uint16_t c;

	if (src->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)src, *d = (const void *)dst;

		memcpy(p, &s->sin_port, 2);
		memcpy(p + 2, &d->sin_port, 2);
		sum = csum_add(sum, (const uint8_t *)&s->sin_addr, 4);
		sum = csum_add(sum, (const uint8_t *)&d->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *s = (const void *)src, *d = (const void *)dst;

		memcpy(p, &s->sin6_port, 2);
		memcpy(p + 2, &d->sin6_port, 2);
		sum = csum_add(sum, (const uint8_t *)&s->sin6_addr, 16);
		sum = csum_add(sum, (const uint8_t *)&d->sin6_addr, 16);
	}
	put16(p + 4, (uint16_t)n);
	put16(p + 6, 0);
	c = csum_fold(csum_add(sum, p, n));
	put16(p + 6, c ? c : 0xffff);
	return n;
}

/*
 * Writes the IP header for a packet with l4len bytes after it (after the
 * fragment header for IPv6 fragments). frag: -1 none, else the offset in
 * bytes, with more set when more fragments follow.
 */
static size_t build_ip(uint8_t *p, const struct sockaddr_storage *src,
		       const struct sockaddr_storage *dst, uint8_t proto,
		       size_t l4len, int frag, bool more, uint32_t id)
{
	if (src->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)src, *d = (const void *)dst;
		uint16_t off = 0;

		if (frag >= 0)
			off = (uint16_t)(frag / 8) | (more ? 0x2000 : 0);
		p[0] = 0x45;
		p[1] = 0;
		put16(p + 2, (uint16_t)(IP4_HLEN + l4len));
		put16(p + 4, (uint16_t)id);
		put16(p + 6, off);
		p[8] = 64;
		p[9] = proto;
		put16(p + 10, 0);
		memcpy(p + 12, &s->sin_addr, 4);
		memcpy(p + 16, &d->sin_addr, 4);
		put16(p + 10, csum_fold(csum_add(0, p, IP4_HLEN)));
		return IP4_HLEN;
	} else {
		const struct sockaddr_in6 *s = (const void *)src, *d = (const void *)dst;
		size_t hlen = IP6_HLEN + (frag >= 0 ? FRAG6_HLEN : 0);

		put32(p, 0x60000000);
		put16(p + 4, (uint16_t)(hlen - IP6_HLEN + l4len));
		p[6] = frag >= 0 ? IPPROTO_FRAGMENT : proto;
		p[7] = 64;
		memcpy(p + 8, &s->sin6_addr, 16);
		memcpy(p + 24, &d->sin6_addr, 16);
		if (frag >= 0) {
			p[40] = proto;
			p[41] = 0;
			put16(p + 42, (uint16_t)((frag / 8) << 3 | (more ? 1 : 0)));
			put32(p + 44, id);
		}
		return hlen;
	}
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "rate", required_argument, NULL, 'r' },
		{ "ssrc", required_argument, NULL, 's' },
		{ "seq", required_argument, NULL, 'q' },
		{ "len", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char *const kinds[] = {
		"udp-trunc", "udp-len-long", "udp-len-short", "frag",
		"frag-first", "frag-second", "not-udp",
	};
	unsigned long long count = 10, rate = 50, ssrc = 0x4c490001, seq0 = 0, len = 160, i;
	static uint8_t udp[DGRAM_MAX + UDP_HLEN], pkt[2048];
	struct sockaddr_storage src, dst, to;
	socklen_t srclen, dstlen;
	unsigned long long sent = 0;
	struct timespec start;
	char sbuf[64];
	unsigned int kind;
	int c, fd;

	while ((c = getopt_long(argc, argv, "c:r:s:q:l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (parse_uint(optarg, ULLONG_MAX, &count))
				die_usage("--count wants a number of packets, not '%s'", optarg);
			break;
		case 'r':
			if (parse_uint(optarg, 100000, &rate) || !rate)
				die_usage("--rate wants packets per second, 1..100000, not '%s'", optarg);
			break;
		case 's':
			ssrc = opt_ssrc(optarg);
			break;
		case 'q':
			if (parse_uint(optarg, 65535, &seq0))
				die_usage("--seq wants a sequence number 0..65535, not '%s'", optarg);
			break;
		case 'l':
			if (parse_uint(optarg, 1200, &len) || len < 16)
				die_usage("--len wants payload bytes, 16..1200, not '%s'", optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			die_try_help();
		}
	}
	if (argc - optind != 3)
		die_usage("wants three arguments, KIND SRC DST");
	for (kind = 0; kind < sizeof(kinds) / sizeof(kinds[0]); kind++)
		if (!strcmp(argv[optind], kinds[kind]))
			break;
	if (kind == sizeof(kinds) / sizeof(kinds[0]))
		die_usage("unknown KIND '%s'", argv[optind]);
	if (parse_endpoint(argv[optind + 1], &src, &srclen, false))
		die_usage("SRC '%s' is not ADDR:PORT or [IPv6]:PORT with a port 1..65535",
			  argv[optind + 1]);
	if (parse_endpoint(argv[optind + 2], &dst, &dstlen, false))
		die_usage("DST '%s' is not ADDR:PORT or [IPv6]:PORT with a port 1..65535",
			  argv[optind + 2]);
	if (src.ss_family != dst.ss_family)
		die_usage("SRC and DST must both be IPv4 or both IPv6");

	fd = socket(dst.ss_family, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("rawsend: raw socket (needs CAP_NET_RAW)");
		return 2;
	}
	/* Raw sockets take the protocol, not a port, where the port goes. */
	to = dst;
	if (to.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&to)->sin6_port = 0;
	else
		((struct sockaddr_in *)&to)->sin_port = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < count; i++) {
		uint16_t seq = (uint16_t)(seq0 + i);
		size_t ulen = build_udp(udp, &src, &dst, (uint32_t)ssrc, seq, len);
		uint32_t id = 0x4c00 + (uint32_t)(i & 0xff) + 1;
		struct {
			size_t off, len;
			bool more;
		} part[2];
		unsigned int nparts = 1, k;
		uint64_t ns = (uint64_t)start.tv_nsec + i * 1000000000ULL / rate;
		struct timespec t = {
			.tv_sec = start.tv_sec + (time_t)(ns / 1000000000ULL),
			.tv_nsec = (long)(ns % 1000000000ULL),
		};

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
			;
		/* Fragment payloads are cut at a multiple of 8 past the UDP header. */
		part[0].off = 0;
		part[0].len = ulen;
		part[0].more = false;
		switch (kind) {
		case 0:
			part[0].len = 4;
			break;
		case 1:
			put16(udp + 4, (uint16_t)(ulen + 64));
			break;
		case 2:
			put16(udp + 4, 4);
			break;
		case 3:
			part[0].len = 24;
			part[0].more = true;
			part[1].off = 24;
			part[1].len = ulen - 24;
			part[1].more = false;
			nparts = 2;
			break;
		case 4:
			part[0].len = 24;
			part[0].more = true;
			break;
		case 5:
			part[0].off = 24;
			part[0].len = ulen - 24;
			break;
		}
		for (k = 0; k < nparts; k++) {
			bool frag = kind >= 3 && kind <= 5;
			size_t h = build_ip(pkt, &src, &dst, kind == 6 ? PROTO_EXPERIMENT : IPPROTO_UDP,
					    part[k].len, frag ? (int)part[k].off : -1,
					    part[k].more, id);

			memcpy(pkt + h, udp + part[k].off, part[k].len);
			if (sendto(fd, pkt, h + part[k].len, 0, (struct sockaddr *)&to, dstlen) < 0) {
				fprintf(stderr, "rawsend: sending %s packet %llu to %s failed: %s\n",
					kinds[kind], i, argv[optind + 2], strerror(errno));
				return 1;
			}
		}
		sent++;
	}
	close(fd);
	printf("sent=%llu kind=%s from=%s to=%s\n", sent, kinds[kind],
	       format_endpoint(&src, sbuf, sizeof(sbuf)), argv[optind + 2]);
	return 0;
}
