/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LISTENIN_DUP_H
#define _LISTENIN_DUP_H

#include <linux/percpu.h>
#include <linux/skbuff.h>

#include "table.h"

struct listenin_net;

/* A parsed UDP packet; offsets are from skb->data (the IP header). */
struct listenin_pkt {
	struct listenin_key key;
	union listenin_addr saddr;
	__be16 sport;
	unsigned int thoff;
	unsigned int len;
	unsigned int plen;
};

/* Set while this CPU sends a copy, so the hooks let the copy pass. */
DECLARE_PER_CPU(bool, listenin_dup_busy);

void listenin_dup(struct net *net, struct listenin_net *ln,
		  struct sk_buff *skb, const struct listenin_pkt *pkt,
		  struct listenin_output *out, bool rtcp_port);

#endif /* _LISTENIN_DUP_H */
