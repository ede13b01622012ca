/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LISTENIN_HOOK_H
#define _LISTENIN_HOOK_H

struct net;

int listenin_hooks_register(struct net *net);
void listenin_hooks_unregister(struct net *net);

#endif /* _LISTENIN_HOOK_H */
