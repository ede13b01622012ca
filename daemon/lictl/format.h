/* SPDX-License-Identifier: GPL-2.0 */
/* Human and JSON forms of taps and counters, shared by lictl commands. */
#ifndef LICTL_FORMAT_H
#define LICTL_FORMAT_H

#include <json-c/json.h>
#include <stdio.h>

#include "netlink/lnl.h"

/* {"packets": N, ...} with the counters the kernel sent. */
struct json_object *format_json_counters(const struct lnl_counters *c);
struct json_object *format_json_tap(const struct lnl_tap *tap);
/* The multi-line human form of one tap (see lictl(8)). */
void format_print_tap(FILE *f, const struct lnl_tap *tap);
/* "packets 12 bytes 2040 ..." on one line; empty if none were sent. */
void format_print_counters_line(FILE *f, const struct lnl_counters *c);
/* RFC 3339 UTC time of now with milliseconds. */
const char *format_now(char *buf, size_t len);

#endif
