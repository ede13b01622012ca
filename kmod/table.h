/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LISTENIN_TABLE_H
#define _LISTENIN_TABLE_H

#include "tap.h"

struct listenin_net;

/* What a packet is looked up by: family, destination address and port. */
struct listenin_key {
	union listenin_addr addr;
	__be16 port;
	u8 family;
	u8 pad;
};

int listenin_table_init(struct listenin_net *ln);
void listenin_table_destroy(struct listenin_net *ln);
int listenin_table_insert(struct listenin_net *ln, struct listenin_tap *tap);
void listenin_table_remove(struct listenin_net *ln, struct listenin_tap *tap);
struct rhlist_head *listenin_table_lookup(struct listenin_net *ln,
					  const struct listenin_key *key);

#endif /* _LISTENIN_TABLE_H */
