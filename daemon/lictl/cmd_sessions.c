// SPDX-License-Identifier: GPL-2.0
/*
 * lictl sessions: the monitoring sessions listenind runs (a supervisor sees
 * their own, an administrator every one). Also the request helper the other
 * session commands share. -j prints the daemon's array.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/jout.h"
#include "lictl/commands.h"
#include "lictl/ctl_client.h"

struct json_object *lictl_ctl_request(const char *cmd, struct json_object *req, int *status)
{
	struct json_object *reply;
	char err[1024];

	reply = ctl_call(req, err, sizeof(err));
	json_object_put(req);
	if (!reply)
		*status = lictl_error(cmd, "%s", err);
	return reply;
}

const char *lictl_str(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) ||
	    json_object_is_type(v, json_type_null))
		return NULL;
	return json_object_get_string(v);
}

const char *lictl_time_ms(struct json_object *obj, const char *key, char *buf, size_t len)
{
	struct json_object *v;
	time_t t;
	struct tm tm;

	if (!obj || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_int) || json_object_get_int64(v) <= 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	t = (time_t)(json_object_get_int64(v) / 1000);
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%SZ", &tm);
	return buf;
}

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

int cmd_sessions(int argc, char **argv, const struct lictl_opts *opts)
{
	const char *cmd = argv[0];
	struct json_object *req, *reply, *list;
	int status = 0;
	size_t n;

	status = lictl_no_args(cmd, argc, argv);
	if (status)
		return status;
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("sessions"));
	reply = lictl_ctl_request(cmd, req, &status);
	if (!reply)
		return status;
	if (!json_object_object_get_ex(reply, "sessions", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		json_object_put(reply);
		return lictl_error(cmd, "listenind's reply has no \"sessions\" list");
	}
	if (opts->json) {
		json_object_get(list);
		json_object_put(reply);
		return jout_print(stdout, list) ?
			lictl_error(cmd, "cannot write to standard output") : LICTL_EXIT_OK;
	}
	n = json_object_array_length(list);
	printf("%-8s %-6s %-6s %-12s %-7s %-12s %-24s %-10s %-20s %10s %12s %8s\n", "SESSION",
	       "TAP", "CALL", "USER", "MODE", "REASON", "TO", "EXTENSION", "STARTED", "COPIES",
	       "COPY_BYTES", "FAILED");
	for (size_t i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(list, i), *c = NULL;
		char started[32];

		json_object_object_get_ex(s, "counters", &c);
		printf("%-8s %-6s %-6s %-12.12s %-7s %-12.12s %-24s %-10.10s %-20s %10s %12s %8s\n",
		       dash(lictl_str(s, "session")), dash(lictl_str(s, "tap")),
		       dash(lictl_str(s, "call")), dash(lictl_str(s, "user")),
		       dash(lictl_str(s, "mode")), dash(lictl_str(s, "reason")),
		       dash(lictl_str(s, "to")), dash(lictl_str(s, "extension")),
		       lictl_time_ms(s, "start_ms", started, sizeof(started)),
		       c ? dash(lictl_str(c, "copies")) : "?",
		       c ? dash(lictl_str(c, "copy_bytes")) : "?",
		       c ? dash(lictl_str(c, "copy_failures")) : "?");
		if (!c && !lictl_str(reply, "counters_error"))
			printf("  counters of session %s: %s\n", dash(lictl_str(s, "session")),
			       dash(lictl_str(s, "counters_error")));
	}
	if (!n)
		printf("(no sessions)\n");
	if (lictl_str(reply, "counters_error"))
		printf("packet counters unavailable: %s\n", lictl_str(reply, "counters_error"));
	json_object_put(reply);
	return LICTL_EXIT_OK;
}
