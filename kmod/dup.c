// SPDX-License-Identifier: GPL-2.0
/*
 * Copies a matched packet to one output: a private copy of the headers,
 * rewritten to the output's addresses and ports, checksums fixed, routed
 * with the output's cached route and handed straight to the neighbour
 * layer, or, with output_hooks=Y or where the route needs more than that,
 * sent as a locally generated packet through LOCAL_OUT and POST_ROUTING.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/moduleparam.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/ip6_fib.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/neighbour.h>
#include <net/route.h>
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
#include <net/netfilter/nf_conntrack.h>
#endif

#include "dup.h"
#include "netns.h"

DEFINE_PER_CPU(bool, listenin_dup_busy);

static bool output_hooks __read_mostly;
module_param(output_hooks, bool, 0644);
MODULE_PARM_DESC(output_hooks,
		 "Send copies through the netfilter LOCAL_OUT and POST_ROUTING hooks (default N: straight to the neighbour layer)");

static struct dst_entry *lookup4(struct net *net,
				 const struct listenin_output *out)
{
	/* ANYSRC: the copies' source need not be an address of this host. */
	struct flowi4 fl4 = {
		.daddr = out->daddr.ip,
		.saddr = out->saddr.ip,
		.flowi4_proto = IPPROTO_UDP,
		.flowi4_scope = RT_SCOPE_UNIVERSE,
		.flowi4_flags = FLOWI_FLAG_ANYSRC,
	};
	struct rtable *rt;

	rt = ip_route_output_key(net, &fl4);
	return IS_ERR(rt) ? NULL : &rt->dst;
}

static struct dst_entry *lookup6(struct net *net,
				 const struct listenin_output *out, u32 *cookie)
{
	struct flowi6 fl6 = {
		.daddr = *listenin_ip6(&out->daddr),
		.saddr = *listenin_ip6(&out->saddr),
		.flowi6_proto = IPPROTO_UDP,
	};
	struct dst_entry *dst;

	dst = ip6_route_output(net, NULL, &fl6);
	if (dst->error) {
		dst_release(dst);
		return NULL;
	}
	*cookie = rt6_get_cookie(container_of(dst, struct rt6_info, dst));
	return dst;
}

/*
 * The output owns one reference on its cached route. A stale route is
 * replaced with xchg() and released; dst_release() frees it only after an
 * RCU grace period, so a CPU still holding the old pointer (noref, inside
 * this RCU read section) is safe. Racing refreshes each release what they
 * swapped out; a cookie written by the other racer only causes one more
 * refresh.
 */
static struct dst_entry *route(struct net *net, struct listenin_output *out)
{
	struct dst_entry *dst = rcu_dereference(out->route);
	u32 cookie = 0;

	if (likely(dst) && likely(dst_check(dst, READ_ONCE(out->route_cookie))))
		return dst;
	if (out->family == AF_INET)
		dst = lookup4(net, out);
	else
		dst = lookup6(net, out, &cookie);
	if (!dst)
		return NULL;
	WRITE_ONCE(out->route_cookie, cookie);
	dst_release(unrcu_pointer(xchg(&out->route, RCU_INITIALIZER(dst))));
	return dst;
}

static void ports(const struct listenin_output *out, bool rtcp_port,
		  __be16 *sport, __be16 *dport)
{
	*sport = out->sport;
	*dport = out->dport;
	if (rtcp_port) {
		*sport = htons(ntohs(*sport) + 1);
		*dport = htons(ntohs(*dport) + 1);
	}
}

/* ~old + new, summed one's complement: what a checksum over old gains. */
static __wsum diff32(__be32 old, __be32 new)
{
	return csum_add((__force __wsum)~old, (__force __wsum)new);
}

/*
 * One update of the UDP checksum for new addresses (in the pseudo-header,
 * so also for a CHECKSUM_PARTIAL copy, whose field holds only that) and new
 * ports. A zero checksum over IPv4 means "none" and stays so.
 */
static void udp_rewrite(struct sk_buff *skb, __wsum addr_diff,
			__be16 sport, __be16 dport)
{
	struct udphdr *uh = udp_hdr(skb);
	__wsum port_diff;

	port_diff = csum_add(diff32((__force __be32)uh->source, (__force __be32)sport),
			     diff32((__force __be32)uh->dest, (__force __be32)dport));
	uh->source = sport;
	uh->dest = dport;
	if (!uh->check && skb->protocol == htons(ETH_P_IP) &&
	    skb->ip_summed != CHECKSUM_PARTIAL)
		return;
	/* A copy is CHECKSUM_PARTIAL or NONE, never COMPLETE: no skb->csum. */
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		uh->check = ~csum_fold(csum_add(addr_diff, csum_unfold(uh->check)));
	else
		csum_replace_by_diff(&uh->check, csum_add(addr_diff, port_diff));
	if (!uh->check)
		uh->check = CSUM_MANGLED_0;
}

/* The copy is a packet this host originates: TTL from its route. */
static void rewrite4(struct sk_buff *skb, const struct listenin_output *out,
		     bool rtcp_port, struct dst_entry *dst)
{
	struct iphdr *iph = ip_hdr(skb);
	__be16 sport, dport;

	ports(out, rtcp_port, &sport, &dport);
	skb->protocol = htons(ETH_P_IP);
	udp_rewrite(skb, csum_add(diff32(iph->saddr, out->saddr.ip),
				  diff32(iph->daddr, out->daddr.ip)),
		    sport, dport);
	iph->saddr = out->saddr.ip;
	iph->daddr = out->daddr.ip;
	iph->ttl = ip4_dst_hoplimit(dst);
}

static void rewrite6(struct sk_buff *skb, const struct listenin_output *out,
		     bool rtcp_port, struct dst_entry *dst)
{
	const struct in6_addr *saddr = listenin_ip6(&out->saddr);
	const struct in6_addr *daddr = listenin_ip6(&out->daddr);
	struct ipv6hdr *ip6h = ipv6_hdr(skb);
	__wsum addr_diff = 0;
	__be16 sport, dport;
	int i;

	for (i = 0; i < 4; i++) {
		addr_diff = csum_add(addr_diff, diff32(ip6h->saddr.s6_addr32[i],
						       saddr->s6_addr32[i]));
		addr_diff = csum_add(addr_diff, diff32(ip6h->daddr.s6_addr32[i],
						       daddr->s6_addr32[i]));
	}
	ports(out, rtcp_port, &sport, &dport);
	skb->protocol = htons(ETH_P_IPV6);
	udp_rewrite(skb, addr_diff, sport, dport);
	ip6h->saddr = *saddr;
	ip6h->daddr = *daddr;
	ip6h->hop_limit = ip6_dst_hoplimit(dst);
}

/*
 * A copy already carries its final addresses and is untracked, so the
 * output hooks have nothing to do for it; skipping them (and the generic
 * output path) is most of what a copy costs beyond the copy itself. Routes
 * that need that path (IPsec, lightweight tunnels, multicast, an IPv6
 * gateway for IPv4, fragmentation) still take it.
 */
static bool direct_ok(const struct sk_buff *skb, const struct dst_entry *dst,
		      int family)
{
	if (READ_ONCE(output_hooks) || dst_xfrm(dst) || dst->lwtstate ||
	    skb_is_gso(skb) || skb->len > dst_mtu(dst))
		return false;
	if (family == AF_INET)
		return dst->output == ip_output &&
		       ((const struct rtable *)dst)->rt_gw_family != AF_INET6;
	return dst->output == ip6_output &&
	       !ipv6_addr_is_multicast(&ipv6_hdr(skb)->daddr);
}

/* copy_packet() left the headroom dst->dev's link-layer header needs. */
static int send_direct(struct sk_buff *skb, struct dst_entry *dst, int family)
{
	struct net_device *dev = dst->dev;
	struct neighbour *neigh;
	bool is_v6gw = false;

	if (family == AF_INET) {
		ip_send_check(ip_hdr(skb));
		neigh = ip_neigh_for_gw((struct rtable *)dst, skb, &is_v6gw);
	} else {
		neigh = ip_neigh_gw6(dev, rt6_nexthop((struct rt6_info *)dst,
						      &ipv6_hdr(skb)->daddr));
	}
	if (IS_ERR(neigh)) {
		kfree_skb(skb);
		return PTR_ERR(neigh);
	}
	return neigh_output(neigh, skb, is_v6gw);
}

static int send_hooks(struct net *net, struct sk_buff *skb, int family)
{
	int err;

	__this_cpu_write(listenin_dup_busy, true);
	if (family == AF_INET)
		err = ip_local_out(net, NULL, skb);
	else
		err = ip6_local_out(net, NULL, skb);
	__this_cpu_write(listenin_dup_busy, false);
	return err;
}

/*
 * A new packet holding the original's IP datagram, with room for the output
 * device's link-layer header: cheaper than pskb_copy(), which also copies
 * the original's metadata (route, conntrack, extensions, control block,
 * mark, timestamp) only for all of it to be reset. A GSO original is copied
 * linear and keeps its segmentation.
 */
static struct sk_buff *copy_packet(const struct sk_buff *skb,
				   const struct listenin_pkt *pkt,
				   const struct dst_entry *dst)
{
	unsigned int nhoff = skb_network_offset(skb);
	unsigned int headroom = LL_RESERVED_SPACE(dst->dev);
	struct sk_buff *nskb;

	nskb = alloc_skb(headroom + pkt->len, GFP_ATOMIC);
	if (!nskb)
		return NULL;
	skb_reserve(nskb, headroom);
	skb_reset_network_header(nskb);
	skb_set_transport_header(nskb, pkt->thoff - nhoff);
	if (skb_copy_bits(skb, nhoff, skb_put(nskb, pkt->len), pkt->len)) {
		kfree_skb(nskb);
		return NULL;
	}
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		nskb->ip_summed = CHECKSUM_PARTIAL;
		nskb->csum_start = skb_transport_header(nskb) - nskb->head;
		nskb->csum_offset = offsetof(struct udphdr, check);
	}
	if (skb_is_gso(skb)) {
		skb_shinfo(nskb)->gso_size = skb_shinfo(skb)->gso_size;
		skb_shinfo(nskb)->gso_type = skb_shinfo(skb)->gso_type;
		skb_shinfo(nskb)->gso_segs = skb_shinfo(skb)->gso_segs;
	}
	nskb->priority = skb->priority;
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	nf_ct_set(nskb, NULL, IP_CT_UNTRACKED);
#endif
	/* DF came from the original's path, not the copy's: a copy too large
	 * for its route is fragmented, not lost.
	 */
	nskb->ignore_df = 1;
	return nskb;
}

/* Runs in the hook, under rcu_read_lock() with bottom halves disabled. */
void listenin_dup(struct net *net, struct listenin_net *ln,
		  struct sk_buff *skb, const struct listenin_pkt *pkt,
		  struct listenin_output *out, bool rtcp_port)
{
	struct dst_entry *dst;
	struct sk_buff *nskb;
	unsigned int len;
	int err;

	dst = route(net, out);
	if (!dst)
		goto fail;
	nskb = copy_packet(skb, pkt, dst);
	if (!nskb)
		goto fail;
	if (pkt->key.family == AF_INET)
		rewrite4(nskb, out, rtcp_port, dst);
	else
		rewrite6(nskb, out, rtcp_port, dst);
	skb_dst_set_noref(nskb, dst);
	nskb->dev = dst->dev;
	len = nskb->len;

	if (direct_ok(nskb, dst, pkt->key.family))
		err = send_direct(nskb, dst, pkt->key.family);
	else
		err = send_hooks(net, nskb, pkt->key.family);
	if (unlikely(net_xmit_eval(err)))
		goto fail;
	atomic64_inc(&out->copies);
	atomic64_add(len, &out->copy_bytes);
	listenin_stat_inc(ln->stats, LISTENIN_A_STATS_COPIES_SENT);
	return;

fail:
	atomic64_inc(&out->copy_failures);
	listenin_stat_inc(ln->stats, LISTENIN_A_STATS_COPY_FAILURES);
}
