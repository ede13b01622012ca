/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LISTENIN_NETLINK_H
#define _LISTENIN_NETLINK_H

#include <linux/listenin.h>

struct listenin_tap;
struct net;

void listenin_netlink_notify(struct net *net, struct listenin_tap *tap,
			     enum listenin_end_cause cause);
int listenin_netlink_init(void);
void listenin_netlink_exit(void);

#endif /* _LISTENIN_NETLINK_H */
