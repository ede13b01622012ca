// SPDX-License-Identifier: GPL-2.0
/*
 * RTP flood for the fast-path benchmark: prebuilt Ethernet frames (IPv4,
 * UDP with checksum, RTP v2 PCMU header, 20 ms of payload) sent on a packet
 * socket with sendmmsg, so the sender costs one syscall per batch and the
 * frames look like a real call's media to every hook on the way.
 *
 *   blast IFNAME DST_MAC SRC_ADDR DST_ADDR SRC_PORT DST_PORT PAYLOAD SECONDS
 *
 * PAYLOAD is the RTP payload size in bytes (160 = G.711 20 ms); SECONDS 0
 * sends until SIGTERM or SIGINT. Prints what it sent when it stops.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RING		512
/* Frames (up to 1454 bytes) start 2 bytes into 8-byte aligned rows, so the
 * IP header behind the 14-byte Ethernet header is aligned.
 */
#define FRAME_ROOM	1520
#define FRAME_OFF	2
#define RTP_HDR		12

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void fail(const char *what, const char *arg)
{
	fprintf(stderr, "blast: %s '%s'\n", what, arg);
	exit(2);
}

static unsigned long number(const char *s, const char *name, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max) {
		fprintf(stderr, "blast: %s '%s' is not a number from 0 to %lu\n", name, s, max);
		exit(2);
	}
	return v;
}

static uint32_t sum16(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;

	for (; len > 1; b += 2, len -= 2)
		sum += (uint32_t)b[0] << 8 | b[1];
	if (len)
		sum += (uint32_t)b[0] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

struct flow {
	uint8_t dst_mac[6], src_mac[6];
	struct in_addr src, dst;
	uint16_t sport, dport;
	size_t payload;
};

static size_t build(uint8_t *f, const struct flow *fl, uint16_t seq)
{
	struct ether_header *eth = (struct ether_header *)f;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct udphdr *udp = (struct udphdr *)(ip + 1);
	uint8_t *rtp = (uint8_t *)(udp + 1);
	size_t ulen = sizeof(*udp) + RTP_HDR + fl->payload;
	uint32_t ts = seq * 160u, ssrc = 0x4c49534e, sum;

	memcpy(eth->ether_dhost, fl->dst_mac, 6);
	memcpy(eth->ether_shost, fl->src_mac, 6);
	eth->ether_type = htons(ETHERTYPE_IP);

	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->tos = 0xb8;		/* DSCP EF, as voice media is usually marked */
	ip->tot_len = htons(sizeof(*ip) + ulen);
	ip->id = htons(seq);
	ip->frag_off = htons(IP_DF);
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->saddr = fl->src.s_addr;
	ip->daddr = fl->dst.s_addr;
	ip->check = fold(sum16(ip, sizeof(*ip), 0));

	rtp[0] = 0x80;		/* version 2, no padding, extension or CSRC */
	rtp[1] = 0;		/* PCMU */
	rtp[2] = seq >> 8;
	rtp[3] = seq;
	rtp[4] = ts >> 24;
	rtp[5] = ts >> 16;
	rtp[6] = ts >> 8;
	rtp[7] = ts;
	rtp[8] = ssrc >> 24;
	rtp[9] = ssrc >> 16;
	rtp[10] = ssrc >> 8;
	rtp[11] = ssrc;
	memset(rtp + RTP_HDR, 0xff, fl->payload);	/* PCMU silence */

	udp->source = htons(fl->sport);
	udp->dest = htons(fl->dport);
	udp->len = htons(ulen);
	udp->check = 0;
	sum = sum16(&ip->saddr, 8, IPPROTO_UDP + ulen);
	udp->check = fold(sum16(udp, ulen, sum));
	if (!udp->check)
		udp->check = 0xffff;
	return sizeof(*eth) + sizeof(*ip) + ulen;
}

int main(int argc, char **argv)
{
	static uint8_t frames[RING][FRAME_ROOM] __attribute__((aligned(8)));
	static struct mmsghdr msgs[RING];
	static struct iovec iov[RING];
	unsigned long seconds, sent = 0, refused = 0;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct timespec t0, now;
	struct flow fl = { 0 };
	struct ifreq ifr = { 0 };
	int fd, one = 1;
	double elapsed;

	if (argc != 9) {
		fprintf(stderr, "usage: blast IFNAME DST_MAC SRC_ADDR DST_ADDR SRC_PORT DST_PORT PAYLOAD SECONDS\n");
		return 2;
	}
	if (sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &fl.dst_mac[0], &fl.dst_mac[1],
		   &fl.dst_mac[2], &fl.dst_mac[3], &fl.dst_mac[4], &fl.dst_mac[5]) != 6)
		fail("DST_MAC is not a MAC address like aa:bb:cc:dd:ee:ff:", argv[2]);
	if (inet_pton(AF_INET, argv[3], &fl.src) != 1)
		fail("SRC_ADDR is not an IPv4 address:", argv[3]);
	if (inet_pton(AF_INET, argv[4], &fl.dst) != 1)
		fail("DST_ADDR is not an IPv4 address:", argv[4]);
	fl.sport = number(argv[5], "SRC_PORT", 65535);
	fl.dport = number(argv[6], "DST_PORT", 65535);
	fl.payload = number(argv[7], "PAYLOAD", 1400);
	seconds = number(argv[8], "SECONDS", 86400);

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("blast: packet socket");
		return 1;
	}
	if (strlen(argv[1]) >= IFNAMSIZ)
		fail("IFNAME is too long:", argv[1]);
	strcpy(ifr.ifr_name, argv[1]);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		fail("no such interface in this network namespace:", argv[1]);
	sll.sll_ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		fail("cannot read the MAC address of interface", argv[1]);
	memcpy(fl.src_mac, ifr.ifr_hwaddr.sa_data, 6);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("blast: bind");
		return 1;
	}
	/* best effort: noqueue devices such as veth gain little from it */
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));

	for (int i = 0; i < RING; i++) {
		iov[i].iov_base = frames[i] + FRAME_OFF;
		iov[i].iov_len = build(frames[i] + FRAME_OFF, &fl, i);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	now = t0;
	while (!stop && (!seconds || (unsigned long)(now.tv_sec - t0.tv_sec) < seconds)) {
		int n = sendmmsg(fd, msgs, RING, 0);

		if (n < 0) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
				perror("blast: sendmmsg");
				return 1;
			}
			refused++;
		} else {
			sent += n;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
	}
	elapsed = (now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9;
	printf("sent %lu packets in %.3f s (%.0f pps), %lu batches refused\n", sent, elapsed,
	       elapsed > 0 ? sent / elapsed : 0, refused);
	return 0;
}
