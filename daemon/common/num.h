/* SPDX-License-Identifier: GPL-2.0 */
/* Strict number parsing for command lines and configuration files. */
#ifndef COMMON_NUM_H
#define COMMON_NUM_H

#include <stdint.h>

/*
 * Parses a whole string as an unsigned decimal or 0x-prefixed hexadecimal
 * number within [min, max]. Returns 0, -EINVAL (not a number: empty, sign,
 * junk) or -ERANGE (a number outside [min, max]).
 */
int num_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int num_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

#endif
