// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path: parse IPv4/IPv6 UDP without touching the packet, one
 * lookup in the namespace's match table, then copy to every output of each
 * matching stream or drop talk-back. Everything else is counted and passes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/rhashtable.h>
#include <linux/udp.h>
#include <net/ipv6.h>

#include "dup.h"
#include "hook.h"
#include "netns.h"

#define RTP_HDR_LEN	12
#define RTCP_HDR_LEN	8

enum pkt_class {
	CLASS_NONE,
	CLASS_RTP,
	CLASS_RTCP,
};

static bool parse4(struct listenin_net *ln, struct sk_buff *skb,
		   struct listenin_pkt *pkt)
{
	unsigned int nhoff = skb_network_offset(skb), ihl, tot, ulen;
	const struct iphdr *iph;
	const struct udphdr *uh;
	struct udphdr _uh;
	struct iphdr _iph;

	iph = skb_header_pointer(skb, nhoff, sizeof(_iph), &_iph);
	if (!iph || iph->version != 4)
		goto malformed;
	ihl = iph->ihl * 4;
	tot = ntohs(iph->tot_len);
	if (ihl < sizeof(*iph) || tot < ihl || nhoff + tot > skb->len)
		goto malformed;
	if (iph->protocol != IPPROTO_UDP) {
		listenin_stat_inc(ln->stats, LISTENIN_A_STATS_NOT_UDP);
		return false;
	}
	if (iph->frag_off & htons(IP_MF | IP_OFFSET)) {
		listenin_stat_inc(ln->stats, LISTENIN_A_STATS_FRAGMENTS);
		return false;
	}
	if (tot < ihl + sizeof(*uh))
		goto malformed;
	uh = skb_header_pointer(skb, nhoff + ihl, sizeof(_uh), &_uh);
	if (!uh)
		goto malformed;
	ulen = ntohs(uh->len);
	if (ulen < sizeof(*uh) || ulen > tot - ihl)
		goto malformed;

	pkt->key.addr.ip = iph->daddr;
	pkt->key.port = uh->dest;
	pkt->key.family = AF_INET;
	pkt->saddr.ip = iph->saddr;
	pkt->sport = uh->source;
	pkt->thoff = nhoff + ihl;
	pkt->len = tot;
	pkt->plen = ulen - sizeof(*uh);
	return true;

malformed:
	listenin_stat_inc(ln->stats, LISTENIN_A_STATS_MALFORMED);
	return false;
}

static bool parse6(struct listenin_net *ln, struct sk_buff *skb,
		   struct listenin_pkt *pkt)
{
	unsigned int nhoff = skb_network_offset(skb), end, ulen;
	unsigned int thoff = 0;
	const struct ipv6hdr *ip6h;
	const struct udphdr *uh;
	struct ipv6hdr _ip6h;
	struct udphdr _uh;
	int flags = 0, proto;

	ip6h = skb_header_pointer(skb, nhoff, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6)
		goto malformed;
	/* A zero payload length (jumbogram) is nothing RTP would use. */
	end = nhoff + sizeof(*ip6h) + ntohs(ip6h->payload_len);
	if (!ip6h->payload_len || end > skb->len)
		goto malformed;
	proto = ipv6_find_hdr(skb, &thoff, -1, NULL, &flags);
	if (flags & IP6_FH_F_FRAG) {
		listenin_stat_inc(ln->stats, LISTENIN_A_STATS_FRAGMENTS);
		return false;
	}
	if (proto == -EBADMSG)
		goto malformed;
	if (proto != IPPROTO_UDP) {
		listenin_stat_inc(ln->stats, LISTENIN_A_STATS_NOT_UDP);
		return false;
	}
	if (thoff + sizeof(*uh) > end)
		goto malformed;
	uh = skb_header_pointer(skb, thoff, sizeof(_uh), &_uh);
	if (!uh)
		goto malformed;
	ulen = ntohs(uh->len);
	if (ulen < sizeof(*uh) || ulen > end - thoff)
		goto malformed;

	pkt->key.addr.ip6 = ip6h->daddr;
	pkt->key.port = uh->dest;
	pkt->key.family = AF_INET6;
	pkt->saddr.ip6 = ip6h->saddr;
	pkt->sport = uh->source;
	pkt->thoff = thoff;
	pkt->len = end - nhoff;
	pkt->plen = ulen - sizeof(*uh);
	return true;

malformed:
	listenin_stat_inc(ln->stats, LISTENIN_A_STATS_MALFORMED);
	return false;
}

static bool addr_eq(u8 family, const union listenin_ip *a,
		    const union listenin_addr *b)
{
	if (family == AF_INET)
		return a->ip == b->ip;
	return ipv6_addr_equal(listenin_ip6(a), &b->ip6);
}

/* RTCP packet types 192..223 share their second byte with RTP payload
 * types 64..95 plus the marker bit, which RFC 5761 keeps free for muxing.
 */
static bool rtcp_type(u8 b)
{
	return b >= 192 && b <= 223;
}

static enum pkt_class classify(const struct listenin_stream *s, const u8 *p,
			       unsigned int len, bool rtcp_port, __be32 *ssrc)
{
	if (len < RTCP_HDR_LEN || (p[0] >> 6) != 2)
		return CLASS_NONE;
	if (rtcp_port || rtcp_type(p[1])) {
		if (!(s->flags & LISTENIN_STREAM_F_RTCP) || !rtcp_type(p[1]))
			return CLASS_NONE;
		memcpy(ssrc, p + 4, sizeof(*ssrc));
		return CLASS_RTCP;
	}
	if (len < RTP_HDR_LEN)
		return CLASS_NONE;
	memcpy(ssrc, p + 8, sizeof(*ssrc));
	return CLASS_RTP;
}

static bool narrowed_out(const struct listenin_stream *s,
			 const struct listenin_pkt *pkt, bool rtcp_port)
{
	__be16 sport = s->sport;

	if ((s->narrow & LISTENIN_NARROW_SADDR) &&
	    !addr_eq(s->family, &s->saddr, &pkt->saddr))
		return true;
	if (s->narrow & LISTENIN_NARROW_SPORT) {
		/* RTCP on its own port comes from the peer's port + 1. */
		if (rtcp_port)
			sport = htons(ntohs(sport) + 1);
		if (sport != pkt->sport)
			return true;
	}
	return false;
}

static void stream_match(struct net *net, struct listenin_net *ln,
			 struct sk_buff *skb, const struct listenin_pkt *pkt,
			 struct listenin_stream *s, bool rtcp_port,
			 const u8 *payload, unsigned int len, bool *matched)
{
	struct listenin_tap *tap = listenin_stream_tap(s);
	struct listenin_output *out;
	unsigned long now = jiffies;
	__be32 ssrc;
	unsigned int i;

	if (!READ_ONCE(tap->live) || narrowed_out(s, pkt, rtcp_port))
		return;
	if (classify(s, payload, len, rtcp_port, &ssrc) == CLASS_NONE) {
		listenin_stat_inc(ln->stats, LISTENIN_A_STATS_NOT_RTP);
		return;
	}
	if ((s->narrow & LISTENIN_NARROW_SSRC) && ssrc != s->ssrc)
		return;
	*matched = true;
	atomic64_inc(&s->packets);
	atomic64_add(pkt->len, &s->bytes);
	if (READ_ONCE(s->last_seen) != now)
		WRITE_ONCE(s->last_seen, now);
	out = listenin_tap_output(tap, s->first_output);
	for (i = 0; i < s->n_outputs; i++)
		listenin_dup(net, ln, skb, pkt, out + i, rtcp_port);
}

static bool talkback(struct listenin_net *ln, const struct listenin_pkt *pkt,
		     struct listenin_output *out)
{
	if (pkt->sport != out->dport ||
	    !addr_eq(out->family, &out->daddr, &pkt->saddr))
		return false;
	atomic64_inc(&out->talkback_dropped);
	listenin_stat_inc(ln->stats, LISTENIN_A_STATS_TALKBACK_DROPPED);
	return true;
}

static unsigned int match(struct net *net, struct listenin_net *ln,
			  struct sk_buff *skb, const struct listenin_pkt *pkt)
{
	struct rhlist_head *list, *pos;
	struct listenin_match *m;
	bool matched = false, drop = false;
	unsigned int len;
	const u8 *payload;
	u8 buf[RTP_HDR_LEN];

	list = listenin_table_lookup(ln, &pkt->key);
	if (!list)
		return NF_ACCEPT;
	len = min_t(unsigned int, pkt->plen, RTP_HDR_LEN);
	payload = skb_header_pointer(skb, pkt->thoff + sizeof(struct udphdr),
				     len, buf);
	if (!payload)
		len = 0;

	rhl_for_each_entry_rcu(m, pos, list, node) {
		struct listenin_tap *tap = listenin_match_tap(m);

		switch (m->kind) {
		case LISTENIN_MATCH_RTP:
		case LISTENIN_MATCH_RTCP:
			stream_match(net, ln, skb, pkt, &tap->streams[m->owner],
				     m->kind == LISTENIN_MATCH_RTCP, payload, len,
				     &matched);
			break;
		case LISTENIN_MATCH_TALKBACK:
			if (talkback(ln, pkt, listenin_tap_output(tap, m->owner)))
				drop = true;
			break;
		}
	}
	if (matched)
		listenin_stat_inc(ln->stats, LISTENIN_A_STATS_PACKETS_MATCHED);
	return drop ? NF_DROP : NF_ACCEPT;
}

static unsigned int listenin_hook(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	struct listenin_net *ln;
	struct listenin_pkt pkt;
	unsigned int verdict = NF_ACCEPT;
	bool udp, bh_off;

	/* Traffic on loopback was already seen at LOCAL_OUT in this namespace:
	 * looking at it again at PRE_ROUTING would copy every packet twice.
	 */
	if (state->hook == NF_INET_PRE_ROUTING && state->in &&
	    (state->in->flags & IFF_LOOPBACK))
		return NF_ACCEPT;

	/* LOCAL_OUT may run in process context: pin the CPU for the per-CPU
	 * recursion flag and counters. Received packets are already in a
	 * softirq.
	 */
	bh_off = !in_softirq();
	if (bh_off)
		local_bh_disable();
	if (unlikely(__this_cpu_read(listenin_dup_busy)))
		goto out;
	ln = priv;
	listenin_stat_inc(ln->stats, LISTENIN_A_STATS_PACKETS_INSPECTED);
	if (state->pf == NFPROTO_IPV4)
		udp = parse4(ln, skb, &pkt);
	else
		udp = parse6(ln, skb, &pkt);
	if (udp)
		verdict = match(state->net, ln, skb, &pkt);
out:
	if (bh_off)
		local_bh_enable();
	return verdict;
}

/*
 * After defragmentation (NF_IP_PRI_CONNTRACK_DEFRAG, -400) so reassembled
 * datagrams are seen whole when conntrack is loaded, and before the raw
 * table and conntrack (-300, -200) so dropped talk-back never creates
 * conntrack state and copies are taken before any NOTRACK or mangling.
 */
#define PRI4	(NF_IP_PRI_RAW - 1)
#define PRI6	(NF_IP6_PRI_RAW - 1)

static const struct nf_hook_ops hook_template[LISTENIN_HOOKS] = {
	{
		.hook = listenin_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = PRI4,
	},
	{
		.hook = listenin_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = PRI4,
	},
	{
		.hook = listenin_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = PRI6,
	},
	{
		.hook = listenin_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = PRI6,
	},
};

/*
 * Each namespace registers its own copy whose priv is its state: the hook
 * then needs no net_generic() lookup, which takes the RCU read lock again.
 */
int listenin_hooks_register(struct listenin_net *ln)
{
	unsigned int i;

	for (i = 0; i < LISTENIN_HOOKS; i++) {
		ln->hook_ops[i] = hook_template[i];
		ln->hook_ops[i].priv = ln;
	}
	return nf_register_net_hooks(ln->net, ln->hook_ops, LISTENIN_HOOKS);
}

void listenin_hooks_unregister(struct listenin_net *ln)
{
	nf_unregister_net_hooks(ln->net, ln->hook_ops, LISTENIN_HOOKS);
}

#ifdef DEBUG
#include "selftest.h"
#include "selftest/classify.c"
#endif
