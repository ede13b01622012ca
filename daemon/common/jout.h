/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Machine-readable output on json-c: small constructors for the values
 * listen-in prints, and one printer. Objects are printed on one line
 * (JSON_C_TO_STRING_PLAIN), so a stream of them is JSON Lines.
 */
#ifndef COMMON_JOUT_H
#define COMMON_JOUT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/addr.h"

/* Adds key=value to obj; the value objects are owned by obj afterwards. */
void jout_add_u64(struct json_object *obj, const char *key, uint64_t v);
void jout_add_int(struct json_object *obj, const char *key, int64_t v);
void jout_add_str(struct json_object *obj, const char *key, const char *s);
void jout_add_bool(struct json_object *obj, const char *key, bool v);
/* The address as a string without port, or null for AF_UNSPEC. */
void jout_add_addr(struct json_object *obj, const char *key,
		   const struct addr *a);
void jout_add_null(struct json_object *obj, const char *key);

/*
 * Prints obj and a newline to f, flushes, and releases obj.
 * Returns 0, or -1 if writing failed.
 */
int jout_print(FILE *f, struct json_object *obj);

#endif
