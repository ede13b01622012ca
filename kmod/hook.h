/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LISTENIN_HOOK_H
#define _LISTENIN_HOOK_H

struct listenin_net;

int listenin_hooks_register(struct listenin_net *ln);
void listenin_hooks_unregister(struct listenin_net *ln);

#endif /* _LISTENIN_HOOK_H */
