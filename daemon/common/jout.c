// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>

#include "common/jout.h"

void jout_add_u64(struct json_object *obj, const char *key, uint64_t v)
{
	json_object_object_add(obj, key, json_object_new_uint64(v));
}

void jout_add_int(struct json_object *obj, const char *key, int64_t v)
{
	json_object_object_add(obj, key, json_object_new_int64(v));
}

void jout_add_str(struct json_object *obj, const char *key, const char *s)
{
	json_object_object_add(obj, key, s ? json_object_new_string(s) : NULL);
}

void jout_add_bool(struct json_object *obj, const char *key, bool v)
{
	json_object_object_add(obj, key, json_object_new_boolean(v));
}

void jout_add_null(struct json_object *obj, const char *key)
{
	json_object_object_add(obj, key, NULL);
}

void jout_add_addr(struct json_object *obj, const char *key,
		   const struct addr *a)
{
	char buf[ADDR_STRLEN];

	if (!addr_len(a)) {
		jout_add_null(obj, key);
		return;
	}
	jout_add_str(obj, key, addr_format(a, 0, buf, sizeof(buf)));
}

int jout_print(FILE *f, struct json_object *obj)
{
	const char *s = json_object_to_json_string_ext(obj,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	int ret = 0;

	if (fputs(s, f) == EOF || fputc('\n', f) == EOF || fflush(f) == EOF)
		ret = -1;
	json_object_put(obj);
	return ret;
}
