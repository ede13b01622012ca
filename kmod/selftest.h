/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LISTENIN_SELFTEST_H
#define _LISTENIN_SELFTEST_H

#include <linux/types.h>

#ifdef DEBUG
bool listenin_table_selftest(void);
bool listenin_hook_selftest(void);
#endif

#endif /* _LISTENIN_SELFTEST_H */
