// SPDX-License-Identifier: GPL-2.0
#include "listenind/capture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "listenind/ingest.h"

#define PKT_BUF		65536
#define SNAPLEN		262144
#define LOG_BURST	10
#define LOG_WINDOW_MS	10000
#define MAX_EXT_HEADERS	8

struct capture {
	struct capture_config cfg;
	struct calls *calls;
	int epfd;
	int fds[CAPTURE_MAX_IFACES];
	struct ipreasm *reasm;
	struct tcpreasm *tcp;
	uint8_t *buf;
	struct timespec seen;		/* of the packet being handled */
	uint64_t counters[CAPTURE_CNT_COUNT];
	uint64_t log_window;
	unsigned int log_n;
	uint64_t log_suppressed;
};

static const char *const names[CAPTURE_CNT_COUNT] = {
	[CAPTURE_CNT_PACKETS] = "packets",
	[CAPTURE_CNT_TRUNCATED] = "truncated",
	[CAPTURE_CNT_LOOPBACK_COPIES] = "loopback_copies_skipped",
	[CAPTURE_CNT_NOT_IP] = "not_ip",
	[CAPTURE_CNT_BAD_IP] = "bad_ip_header",
	[CAPTURE_CNT_BAD_L4] = "bad_udp_tcp_header",
	[CAPTURE_CNT_OTHER_PROTO] = "not_udp_tcp",
	[CAPTURE_CNT_PORT_NOT_WATCHED] = "port_not_watched",
	[CAPTURE_CNT_KEEPALIVES] = "keepalives",
	[CAPTURE_CNT_SIP_UDP] = "sip_udp",
	[CAPTURE_CNT_SIP_TCP] = "sip_tcp",
	[CAPTURE_CNT_SIP_REJECTED] = "sip_rejected",
	[CAPTURE_CNT_KERNEL_DROPS] = "kernel_drops",
	[CAPTURE_CNT_RECV_ERRORS] = "recv_errors",
};

const char *capture_counter_name(enum capture_counter c)
{
	return (unsigned int)c < CAPTURE_CNT_COUNT ? names[c] : "unknown";
}

uint64_t capture_counter(const struct capture *cap, enum capture_counter c)
{
	return (unsigned int)c < CAPTURE_CNT_COUNT ? cap->counters[c] : 0;
}

const struct ipreasm *capture_ipreasm(const struct capture *cap)
{
	return cap->reasm;
}

const struct tcpreasm *capture_tcpreasm(const struct capture *cap)
{
	return cap->tcp;
}

int capture_fd(const struct capture *cap)
{
	return cap->epfd;
}

void capture_foreach_counter(const struct capture *cap,
			     void (*fn)(void *ctx, const char *name, uint64_t value),
			     void *ctx)
{
	int i;

	for (i = 0; i < CAPTURE_CNT_COUNT; i++)
		fn(ctx, capture_counter_name(i), cap->counters[i]);
	for (i = 0; i < IPREASM_CNT_COUNT; i++)
		fn(ctx, ipreasm_counter_name(i), ipreasm_counter(cap->reasm, i));
	for (i = 0; i < TCPREASM_CNT_COUNT; i++)
		fn(ctx, tcpreasm_counter_name(i), tcpreasm_counter(cap->tcp, i));
}

void capture_config_defaults(struct capture_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ports[0].first = cfg->ports[0].last = 5060;
	cfg->n_ports = 1;
	cfg->rcvbuf = 4 << 20;
	cfg->batch = 64;
	ipreasm_config_defaults(&cfg->reasm);
	tcpreasm_config_defaults(&cfg->tcp);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void warn(struct capture *cap, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void warn(struct capture *cap, const char *fmt, ...)
{
	uint64_t now = mono_ms();
	va_list ap;

	if (now - cap->log_window >= LOG_WINDOW_MS) {
		if (cap->log_suppressed)
			log_warn("capture: %llu more rejections not logged in the last %u s",
				 (unsigned long long)cap->log_suppressed, LOG_WINDOW_MS / 1000);
		cap->log_window = now;
		cap->log_n = 0;
		cap->log_suppressed = 0;
	}
	if (cap->log_n >= LOG_BURST) {
		cap->log_suppressed++;
		return;
	}
	cap->log_n++;
	va_start(ap, fmt);
	log_vmsg(LOG_WARNING, fmt, ap);
	va_end(ap);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool watched(const struct capture *cap, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < cap->cfg.n_ports; i++)
		if (port >= cap->cfg.ports[i].first && port <= cap->cfg.ports[i].last)
			return true;
	return false;
}

static void ingest(struct capture *cap, struct sip_origin *origin, const char *msg, size_t len,
		   enum capture_counter what)
{
	cap->counters[what]++;
	if (calls_ingest_sip(cap->calls, origin, msg, len) < 0)
		cap->counters[CAPTURE_CNT_SIP_REJECTED]++;
}

static void deliver_tcp(void *ctx, const struct tcpreasm_key *key, const char *msg, size_t len)
{
	struct capture *cap = ctx;
	struct sip_origin origin = {
		.input = SIP_INPUT_CAPTURE,
		.family = key->family,
		.transport = IPPROTO_TCP,
		.src_port = key->sport,
		.dst_port = key->dport,
		.seen = cap->seen,
	};

	memcpy(origin.src_addr, key->src, sizeof(origin.src_addr));
	memcpy(origin.dst_addr, key->dst, sizeof(origin.dst_addr));
	ingest(cap, &origin, msg, len, CAPTURE_CNT_SIP_TCP);
}

static void udp(struct capture *cap, int family, const uint8_t *src, const uint8_t *dst,
		const uint8_t *p, size_t len)
{
	struct sip_origin origin = {
		.input = SIP_INPUT_CAPTURE,
		.family = family,
		.transport = IPPROTO_UDP,
		.seen = cap->seen,
	};
	size_t ulen, alen = family == AF_INET6 ? 16 : 4, i;

	if (len < 8 || (ulen = get16(p + 4)) < 8 || ulen > len) {
		cap->counters[CAPTURE_CNT_BAD_L4]++;
		warn(cap, "capture: UDP header of a %zu-byte datagram is malformed (length field %u)",
		     len, len >= 8 ? get16(p + 4) : 0);
		return;
	}
	origin.src_port = get16(p);
	origin.dst_port = get16(p + 2);
	if (!watched(cap, origin.src_port) && !watched(cap, origin.dst_port)) {
		cap->counters[CAPTURE_CNT_PORT_NOT_WATCHED]++;
		return;
	}
	p += 8;
	ulen -= 8;
	for (i = 0; i < ulen && (p[i] == '\r' || p[i] == '\n' || p[i] == '\0'); i++)
		;
	if (i == ulen) {
		cap->counters[CAPTURE_CNT_KEEPALIVES]++;
		return;
	}
	memcpy(origin.src_addr, src, alen);
	memcpy(origin.dst_addr, dst, alen);
	ingest(cap, &origin, (const char *)p, ulen, CAPTURE_CNT_SIP_UDP);
}

static void tcp(struct capture *cap, int family, const uint8_t *src, const uint8_t *dst,
		const uint8_t *p, size_t len, uint64_t now_ms)
{
	struct tcpreasm_key key = { .family = family };
	size_t doff, alen = family == AF_INET6 ? 16 : 4;
	uint64_t before[5], after[5];
	static const enum tcpreasm_counter watch[5] = {
		TCPREASM_CNT_NO_LENGTH, TCPREASM_CNT_BAD_LENGTH, TCPREASM_CNT_TOO_LARGE,
		TCPREASM_CNT_GAPS, TCPREASM_CNT_NO_MEMORY,
	};
	static const char *const why[5] = {
		"a SIP message without Content-Length", "a SIP message with a bad Content-Length",
		"a SIP message over the size limit", "lost segments (out-of-order limit)",
		"the memory limit",
	};
	int i;

	if (len < 20 || (doff = (size_t)(p[12] >> 4) * 4) < 20 || doff > len) {
		cap->counters[CAPTURE_CNT_BAD_L4]++;
		warn(cap, "capture: TCP header of a %zu-byte segment is malformed", len);
		return;
	}
	key.sport = get16(p);
	key.dport = get16(p + 2);
	if (!watched(cap, key.sport) && !watched(cap, key.dport)) {
		cap->counters[CAPTURE_CNT_PORT_NOT_WATCHED]++;
		return;
	}
	memcpy(key.src, src, alen);
	memcpy(key.dst, dst, alen);
	for (i = 0; i < 5; i++)
		before[i] = tcpreasm_counter(cap->tcp, watch[i]);
	tcpreasm_segment(cap->tcp, &key, get32(p + 4), p[13] & (TCPREASM_FIN | TCPREASM_SYN | TCPREASM_RST),
			 p + doff, len - doff, now_ms);
	for (i = 0; i < 5; i++) {
		after[i] = tcpreasm_counter(cap->tcp, watch[i]);
		if (after[i] != before[i]) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(family, src, a, sizeof(a));
			warn(cap, "capture: TCP stream from %s port %u: data dropped because of %s; waiting for the next SIP message",
			     a, key.sport, why[i]);
		}
	}
}

static void l4(struct capture *cap, int family, const uint8_t *src, const uint8_t *dst,
	       uint8_t proto, const uint8_t *p, size_t len, uint64_t now_ms)
{
	if (proto == IPPROTO_UDP)
		udp(cap, family, src, dst, p, len);
	else if (proto == IPPROTO_TCP)
		tcp(cap, family, src, dst, p, len, now_ms);
	else
		cap->counters[CAPTURE_CNT_OTHER_PROTO]++;
}

static void bad_ip(struct capture *cap, const char *what)
{
	cap->counters[CAPTURE_CNT_BAD_IP]++;
	warn(cap, "capture: packet dropped: %s", what);
}

static bool reassemble(struct capture *cap, const struct ipreasm_key *key, uint8_t proto,
		       uint32_t off, bool more, const uint8_t *p, size_t len, uint64_t now_ms,
		       const uint8_t **out, size_t *out_len, uint8_t *out_proto)
{
	enum ipreasm_result r;

	r = ipreasm_add(cap->reasm, key, proto, off, more, p, len, now_ms, out, out_len, out_proto);
	if (r == IPREASM_DONE)
		return true;
	if (r != IPREASM_PENDING) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(key->family, key->src, a, sizeof(a));
		warn(cap, "capture: fragment from %s (id %u) dropped: %s", a, key->id,
		     ipreasm_strerror(r));
	}
	return false;
}

static void ipv4(struct capture *cap, const uint8_t *p, size_t len, uint64_t now_ms)
{
	size_t ihl, total;
	uint16_t frag;

	if (len < 20 || p[0] >> 4 != 4) {
		bad_ip(cap, "IPv4 header shorter than 20 bytes or wrong version");
		return;
	}
	ihl = (size_t)(p[0] & 0xf) * 4;
	total = get16(p + 2);
	if (ihl < 20 || total < ihl || total > len) {
		bad_ip(cap, "IPv4 header or total length inconsistent with the packet");
		return;
	}
	frag = get16(p + 6);
	if (frag & 0x3fff) {
		struct ipreasm_key key = { .family = AF_INET, .id = get16(p + 4), .proto = p[9] };
		const uint8_t *out;
		size_t out_len;
		uint8_t proto;

		memcpy(key.src, p + 12, 4);
		memcpy(key.dst, p + 16, 4);
		if (!reassemble(cap, &key, p[9], (uint32_t)(frag & 0x1fff) * 8, frag & 0x2000,
				p + ihl, total - ihl, now_ms, &out, &out_len, &proto))
			return;
		l4(cap, AF_INET, p + 12, p + 16, proto, out, out_len, now_ms);
		return;
	}
	l4(cap, AF_INET, p + 12, p + 16, p[9], p + ihl, total - ihl, now_ms);
}

static void ipv6(struct capture *cap, const uint8_t *p, size_t len, uint64_t now_ms)
{
	const uint8_t *src = p + 8, *dst = p + 24, *q;
	bool reassembled = false;
	uint8_t nh;
	size_t rest;
	int i;

	if (len < 40 || p[0] >> 4 != 6) {
		bad_ip(cap, "IPv6 header shorter than 40 bytes or wrong version");
		return;
	}
	rest = get16(p + 4);
	if (!rest || rest > len - 40) {
		bad_ip(cap, "IPv6 payload length inconsistent with the packet (jumbograms are not supported)");
		return;
	}
	nh = p[6];
	q = p + 40;

	for (i = 0; i < MAX_EXT_HEADERS; i++) {
		size_t hlen;

		switch (nh) {
		case 0:		/* hop-by-hop */
		case 43:	/* routing */
		case 60:	/* destination options */
			if (rest < 8 || (hlen = ((size_t)q[1] + 1) * 8) > rest) {
				bad_ip(cap, "IPv6 extension header truncated");
				return;
			}
			nh = q[0];
			q += hlen;
			rest -= hlen;
			continue;
		case 44: {	/* fragment */
			struct ipreasm_key key = { .family = AF_INET6 };
			const uint8_t *out;
			size_t out_len;

			if (rest < 8 || reassembled) {
				bad_ip(cap, "IPv6 fragment header truncated or repeated");
				return;
			}
			key.id = get32(q + 4);
			memcpy(key.src, src, 16);
			memcpy(key.dst, dst, 16);
			if (!reassemble(cap, &key, q[0], get16(q + 2) & 0xfff8, q[3] & 1, q + 8,
					rest - 8, now_ms, &out, &out_len, &nh))
				return;
			reassembled = true;
			q = out;
			rest = out_len;
			continue;
		}
		default:
			l4(cap, AF_INET6, src, dst, nh, q, rest, now_ms);
			return;
		}
	}
	bad_ip(cap, "IPv6 packet with too many extension headers");
}

void capture_packet(struct capture *cap, uint16_t ethertype, const uint8_t *pkt, size_t len,
		    const struct timespec *seen, uint64_t now_ms)
{
	int tags;

	cap->counters[CAPTURE_CNT_PACKETS]++;
	cap->seen = *seen;
	for (tags = 0; (ethertype == ETH_P_8021Q || ethertype == ETH_P_8021AD) && tags < 2; tags++) {
		if (len < 4) {
			bad_ip(cap, "VLAN tag truncated");
			return;
		}
		ethertype = get16(pkt + 2);
		pkt += 4;
		len -= 4;
	}
	if (ethertype == ETH_P_IP)
		ipv4(cap, pkt, len, now_ms);
	else if (ethertype == ETH_P_IPV6)
		ipv6(cap, pkt, len, now_ms);
	else
		cap->counters[CAPTURE_CNT_NOT_IP]++;
}

/* Classic BPF over the network header (SOCK_DGRAM): see capture.h. */

#define MAX_INSNS	160

struct prog {
	struct sock_filter insn[MAX_INSNS];
	int jt[MAX_INSNS], jf[MAX_INSNS];	/* absolute targets, -1 = next */
	int n;
};

enum { L_ACCEPT = 1000, L_DROP = 1001 };

static int emit(struct prog *p, uint16_t code, uint32_t k, int jt, int jf)
{
	if (p->n >= MAX_INSNS)
		return MAX_INSNS - 1;	/* build_filter() sees p->n and fails */
	p->insn[p->n] = (struct sock_filter)BPF_STMT(code, k);
	p->jt[p->n] = jt;
	p->jf[p->n] = jf;
	return p->n++;
}

static void emit_ports(struct prog *p, const struct capture_config *cfg, uint32_t at)
{
	unsigned int i;

	emit(p, BPF_LD | BPF_H | BPF_IND, at, -1, -1);
	for (i = 0; i < cfg->n_ports; i++) {
		const struct capture_port_range *r = &cfg->ports[i];

		if (r->first == r->last) {
			emit(p, BPF_JMP | BPF_JEQ | BPF_K, r->first, L_ACCEPT, -1);
		} else {
			/* first <= A <= last */
			emit(p, BPF_JMP | BPF_JGE | BPF_K, r->first, -1, p->n + 2);
			emit(p, BPF_JMP | BPF_JGT | BPF_K, r->last, -1, L_ACCEPT);
		}
	}
}

static int build_filter(const struct capture_config *cfg, struct sock_filter *out)
{
	struct prog p = { .n = 0 };
	int v4, v6, v6udp, v6tcp, hbh, hbh_udp, hbh_tcp, ports, ports2, i, accept, drop;

	emit(&p, BPF_LD | BPF_W | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_PROTOCOL), -1, -1);
	v4 = emit(&p, BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, -1);		/* patched */
	v6 = emit(&p, BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, L_DROP);	/* patched */

	p.jt[v4] = p.n;
	emit(&p, BPF_LD | BPF_B | BPF_ABS, 9, -1, -1);
	emit(&p, BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, p.n + 2, -1);
	emit(&p, BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, -1, L_DROP);
	/* Non-first fragments carry no ports: reassembled in userspace. */
	emit(&p, BPF_LD | BPF_H | BPF_ABS, 6, -1, -1);
	emit(&p, BPF_JMP | BPF_JSET | BPF_K, 0x1fff, L_ACCEPT, -1);
	emit(&p, BPF_LDX | BPF_B | BPF_MSH, 0, -1, -1);
	ports = emit(&p, BPF_JMP | BPF_JA, 0, -1, -1);			/* patched */

	p.jt[v6] = p.n;
	emit(&p, BPF_LD | BPF_B | BPF_ABS, 6, -1, -1);
	v6udp = emit(&p, BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, -1);	/* patched */
	v6tcp = emit(&p, BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, -1);	/* patched */
	hbh = emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, -1);			/* patched */
	/* Fragment, routing, destination options: parsed in userspace. */
	emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 44, L_ACCEPT, -1);
	emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 43, L_ACCEPT, -1);
	emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 60, L_ACCEPT, L_DROP);

	/* Hop-by-hop: look behind it, so MLD (ICMPv6) stays in the kernel. */
	p.jt[hbh] = p.n;
	emit(&p, BPF_LD | BPF_B | BPF_ABS, 40, -1, -1);
	hbh_udp = emit(&p, BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, -1);	/* patched */
	hbh_tcp = emit(&p, BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, -1);	/* patched */
	emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 44, L_ACCEPT, -1);
	emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 43, L_ACCEPT, -1);
	emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 60, L_ACCEPT, L_DROP);
	p.jt[hbh_udp] = p.jt[hbh_tcp] = p.n;
	emit(&p, BPF_LD | BPF_B | BPF_ABS, 41, -1, -1);
	emit(&p, BPF_ALU | BPF_ADD | BPF_K, 1, -1, -1);
	emit(&p, BPF_ALU | BPF_LSH | BPF_K, 3, -1, -1);
	emit(&p, BPF_ALU | BPF_ADD | BPF_K, 40, -1, -1);
	emit(&p, BPF_MISC | BPF_TAX, 0, -1, -1);
	ports2 = emit(&p, BPF_JMP | BPF_JA, 0, -1, -1);			/* patched */

	p.jt[v6udp] = p.jt[v6tcp] = p.n;
	emit(&p, BPF_LDX | BPF_W | BPF_IMM, 40, -1, -1);

	p.insn[ports].k = (uint32_t)(p.n - ports - 1);
	p.insn[ports2].k = (uint32_t)(p.n - ports2 - 1);
	emit_ports(&p, cfg, 0);
	emit_ports(&p, cfg, 2);
	emit(&p, BPF_RET | BPF_K, 0, -1, -1);
	accept = emit(&p, BPF_RET | BPF_K, SNAPLEN, -1, -1);
	drop = emit(&p, BPF_RET | BPF_K, 0, -1, -1);
	if (p.n >= MAX_INSNS)
		return -1;

	for (i = 0; i < p.n; i++) {
		int t = p.jt[i] == L_ACCEPT ? accept : p.jt[i] == L_DROP ? drop : p.jt[i];
		int f = p.jf[i] == L_ACCEPT ? accept : p.jf[i] == L_DROP ? drop : p.jf[i];

		if (BPF_CLASS(p.insn[i].code) != BPF_JMP || BPF_OP(p.insn[i].code) == BPF_JA)
			continue;
		t = t < 0 ? 0 : t - i - 1;
		f = f < 0 ? 0 : f - i - 1;
		if (t < 0 || t > 255 || f < 0 || f > 255)
			return -1;
		p.insn[i].jt = (uint8_t)t;
		p.insn[i].jf = (uint8_t)f;
	}
	memcpy(out, p.insn, sizeof(p.insn[0]) * (size_t)p.n);
	return p.n;
}

static int open_iface(struct capture *cap, const char *name, unsigned int idx,
		      char *err, size_t errlen)
{
	struct sock_filter insns[MAX_INSNS];
	struct sock_fprog prog = { .filter = insns };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = idx };
	const char *step;
	int fd, n, one = 1;

	if (!memchr(name, '\0', IFNAMSIZ) || !*name) {
		snprintf(err, errlen, "capture interface name is empty or longer than %d characters",
			 IFNAMSIZ - 1);
		return -1;
	}
	if (strcmp(name, "any")) {
		sll.sll_ifindex = (int)if_nametoindex(name);
		if (!sll.sll_ifindex) {
			snprintf(err, errlen, "capture interface \"%s\" does not exist", name);
			return -1;
		}
	}
	n = build_filter(&cap->cfg, insns);
	if (n < 0) {
		snprintf(err, errlen, "capture filter too large: use fewer port ranges");
		return -1;
	}
	prog.len = (unsigned short)n;

	/* Protocol 0 until the filter is attached: nothing unfiltered is queued. */
	step = "create a packet socket (needs CAP_NET_RAW)";
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	step = "attach the BPF filter";
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)))
		goto fail;
	step = "enable timestamps";
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)))
		goto fail;
	step = "set the receive buffer";
	if (cap->cfg.rcvbuf > 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &cap->cfg.rcvbuf, sizeof(int)))
		goto fail;
	step = "bind";
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		goto fail;
	if (cap->cfg.promiscuous && sll.sll_ifindex) {
		struct packet_mreq mr = { .mr_ifindex = sll.sll_ifindex, .mr_type = PACKET_MR_PROMISC };

		step = "enable promiscuous mode";
		if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)))
			goto fail;
	}
	step = "watch the socket";
	if (epoll_ctl(cap->epfd, EPOLL_CTL_ADD, fd, &ev))
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "cannot capture on \"%s\": %s: %s", name, step, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

struct capture *capture_open(const struct capture_config *cfg, struct calls *calls,
			     char *err, size_t errlen)
{
	struct capture *cap;
	unsigned int i;

	if (cfg->n_ifaces > CAPTURE_MAX_IFACES || cfg->n_ports > CAPTURE_MAX_PORTS) {
		snprintf(err, errlen, "at most %d capture interfaces and %d port ranges",
			 CAPTURE_MAX_IFACES, CAPTURE_MAX_PORTS);
		return NULL;
	}
	if (cfg->n_ifaces && !cfg->n_ports) {
		snprintf(err, errlen, "capture interfaces are set but no port: nothing would be captured");
		return NULL;
	}
	for (i = 0; i < cfg->n_ports; i++) {
		if (!cfg->ports[i].first || cfg->ports[i].first > cfg->ports[i].last) {
			snprintf(err, errlen, "capture port range %u-%u is empty or starts at 0",
				 cfg->ports[i].first, cfg->ports[i].last);
			return NULL;
		}
	}
	cap = calloc(1, sizeof(*cap));
	if (!cap) {
		snprintf(err, errlen, "out of memory opening the capture");
		return NULL;
	}
	cap->cfg = *cfg;
	if (!cap->cfg.batch)
		cap->cfg.batch = 1;
	cap->calls = calls;
	for (i = 0; i < CAPTURE_MAX_IFACES; i++)
		cap->fds[i] = -1;
	cap->epfd = epoll_create1(EPOLL_CLOEXEC);
	cap->buf = malloc(PKT_BUF);
	cap->reasm = ipreasm_new(&cfg->reasm);
	cap->tcp = tcpreasm_new(&cfg->tcp, deliver_tcp, cap);
	if (cap->epfd < 0 || !cap->buf || !cap->reasm || !cap->tcp) {
		snprintf(err, errlen, "cannot set up the capture: %s",
			 cap->epfd < 0 ? strerror(errno) : "out of memory");
		capture_close(cap);
		return NULL;
	}
	for (i = 0; i < cfg->n_ifaces; i++) {
		cap->fds[i] = open_iface(cap, cfg->ifaces[i], i, err, errlen);
		if (cap->fds[i] < 0) {
			capture_close(cap);
			return NULL;
		}
	}
	return cap;
}

void capture_close(struct capture *cap)
{
	unsigned int i;

	if (!cap)
		return;
	for (i = 0; i < CAPTURE_MAX_IFACES; i++)
		if (cap->fds[i] >= 0)
			close(cap->fds[i]);
	if (cap->epfd >= 0)
		close(cap->epfd);
	ipreasm_free(cap->reasm);
	tcpreasm_free(cap->tcp);
	free(cap->buf);
	free(cap);
}

static void read_socket(struct capture *cap, int fd)
{
	unsigned int n;

	for (n = 0; n < cap->cfg.batch; n++) {
		struct sockaddr_ll sll;
		union {
			char buf[CMSG_SPACE(sizeof(struct timespec))];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = { .iov_base = cap->buf, .iov_len = PKT_BUF };
		struct msghdr msg = {
			.msg_name = &sll, .msg_namelen = sizeof(sll),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
		};
		struct timespec seen = { 0, 0 };
		struct cmsghdr *c;
		ssize_t r;

		r = recvmsg(fd, &msg, MSG_TRUNC);
		if (r < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				cap->counters[CAPTURE_CNT_RECV_ERRORS]++;
				warn(cap, "capture: receive failed: %s", strerror(errno));
			}
			return;
		}
		if (sll.sll_pkttype == PACKET_OUTGOING && sll.sll_hatype == ARPHRD_LOOPBACK) {
			cap->counters[CAPTURE_CNT_LOOPBACK_COPIES]++;
			continue;
		}
		if ((size_t)r > PKT_BUF) {
			cap->counters[CAPTURE_CNT_PACKETS]++;
			cap->counters[CAPTURE_CNT_TRUNCATED]++;
			warn(cap, "capture: %zd-byte packet larger than the %d-byte buffer dropped",
			     r, PKT_BUF);
			continue;
		}
		for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
			    c->cmsg_len >= CMSG_LEN(sizeof(seen)))
				memcpy(&seen, CMSG_DATA(c), sizeof(seen));
		if (!seen.tv_sec)
			clock_gettime(CLOCK_REALTIME, &seen);
		capture_packet(cap, ntohs(sll.sll_protocol), cap->buf, (size_t)r, &seen, mono_ms());
	}
}

void capture_on_readable(struct capture *cap)
{
	struct epoll_event ev[CAPTURE_MAX_IFACES];
	int n, i;

	n = epoll_wait(cap->epfd, ev, CAPTURE_MAX_IFACES, 0);
	for (i = 0; i < n; i++)
		if (ev[i].data.u32 < CAPTURE_MAX_IFACES && cap->fds[ev[i].data.u32] >= 0)
			read_socket(cap, cap->fds[ev[i].data.u32]);
}

void capture_on_tick(struct capture *cap, const struct timespec *now)
{
	uint64_t ms = (uint64_t)now->tv_sec * 1000 + (uint64_t)now->tv_nsec / 1000000;
	unsigned int i;

	ipreasm_expire(cap->reasm, ms);
	tcpreasm_expire(cap->tcp, ms);
	for (i = 0; i < CAPTURE_MAX_IFACES; i++) {
		struct tpacket_stats st;
		socklen_t len = sizeof(st);

		if (cap->fds[i] < 0 ||
		    getsockopt(cap->fds[i], SOL_PACKET, PACKET_STATISTICS, &st, &len))
			continue;
		if (st.tp_drops) {
			cap->counters[CAPTURE_CNT_KERNEL_DROPS] += st.tp_drops;
			warn(cap, "capture: kernel dropped %u packets on \"%s\": raise rcvbuf",
			     st.tp_drops, cap->cfg.ifaces[i]);
		}
	}
}
