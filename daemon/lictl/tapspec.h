/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "tap add" grammar (see lictl(8)):
 *   [--cookie N] [--idle-timeout SECS] STREAM...
 *   STREAM := stream DST_ADDR:PORT [from SRC_ADDR[:PORT] | from *:PORT]
 *             [ssrc N] [rtcp] OUTPUT...
 *   OUTPUT := output DST_ADDR:PORT src SRC_ADDR:PORT [listen-only]
 */
#ifndef LICTL_TAPSPEC_H
#define LICTL_TAPSPEC_H

#include <stddef.h>

#include "netlink/lnl.h"

/*
 * Parses argv[0..argc) into *tap (release with lnl_tap_free()). Returns 0,
 * -EINVAL with a sentence naming the bad argument in err, or -ENOMEM.
 */
int tapspec_parse(int argc, char **argv, struct lnl_tap *tap, char *err,
		  size_t errlen);

#endif
