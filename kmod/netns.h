/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LISTENIN_NETNS_H
#define _LISTENIN_NETNS_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/rhashtable-types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "counters.h"
#include "tap.h"

struct netlink_ext_ack;

/* IPv4 and IPv6, each at PRE_ROUTING and LOCAL_OUT. */
#define LISTENIN_HOOKS 4

struct listenin_net {
	struct net *net;
	/* Serializes writers: taps, table inserts and removals, hooks. */
	struct mutex lock;
	struct xarray taps;
	u32 next_id;
	/* Bumped on every change of the tap set, for dump consistency. */
	unsigned int generation;
	struct rhltable table;
	struct delayed_work expiry;
	/* Jiffies between expiry scans, from the shortest idle timeout. */
	unsigned long expiry_period;
	bool hooks;
	struct nf_hook_ops hook_ops[LISTENIN_HOOKS];
	bool dying;
	u64 n_taps;
	u64 n_streams;
	u64 n_outputs;
	u64 taps_expired;
	struct listenin_pcpu_stats __percpu *stats;
	/* On the list of namespaces counters.c sums for global figures. */
	struct list_head node;
};

extern unsigned int listenin_net_id;

static inline struct listenin_net *listenin_net(const struct net *net)
{
	return net_generic(net, listenin_net_id);
}

int listenin_netns_tap_add(struct listenin_net *ln, struct listenin_tap *tap,
			   struct netlink_ext_ack *extack);
void listenin_netns_tap_unlink(struct listenin_net *ln,
			       struct listenin_tap *tap);
int listenin_netns_init(void);
void listenin_netns_exit(void);

#endif /* _LISTENIN_NETNS_H */
