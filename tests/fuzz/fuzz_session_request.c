// SPDX-License-Identifier: GPL-2.0
/*
 * listenind's "listen" request: any bytes as a control socket line, parsed
 * as JSON, then as a listen request. What it accepts must be a request a
 * session can use: a call, a unicast address with a port, a reason, a known
 * mode, strings within their buffers.
 */
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "listenind/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *req;
	struct session_request r;
	char err[SESSION_ERR_LEN];

	if (!tok)
		return 0;
	req = json_tokener_parse_ex(tok, (const char *)data, (int)(size > 4096 ? 4096 : size));
	json_tokener_free(tok);
	if (!req || !json_object_is_type(req, json_type_object)) {
		json_object_put(req);
		return 0;
	}
	if (session_request_parse(req, &r, err, sizeof(err)) == 0) {
		if (!r.call[0] || !r.reason[0] || !r.to_port ||
		    (r.to.family != AF_INET && r.to.family != AF_INET6) ||
		    (unsigned int)r.mode >= POLICY_MODE_COUNT ||
		    strnlen(r.note, sizeof(r.note)) == sizeof(r.note) ||
		    strnlen(r.call, sizeof(r.call)) == sizeof(r.call))
			__builtin_trap();
	} else if (!err[0] || strnlen(err, sizeof(err)) == sizeof(err)) {
		__builtin_trap();
	}
	json_object_put(req);
	return 0;
}
