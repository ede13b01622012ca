/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LISTENIN_SYSFS_H
#define _LISTENIN_SYSFS_H

int listenin_sysfs_init(void);
void listenin_sysfs_exit(void);

#endif /* _LISTENIN_SYSFS_H */
