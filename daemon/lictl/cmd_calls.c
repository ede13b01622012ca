// SPDX-License-Identifier: GPL-2.0
/*
 * lictl calls, lictl call show ID: the calls listenind learned from SIP, over
 * its control socket. -j prints what the daemon sent: an array of calls, or
 * one call.
 */
#include <stdio.h>
#include <string.h>

#include "common/jout.h"
#include "lictl/commands.h"
#include "lictl/ctl_client.h"

static const char *str(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) ||
	    json_object_is_type(v, json_type_null))
		return NULL;
	return json_object_get_string(v);
}

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

static struct json_object *member(struct json_object *obj, const char *key)
{
	struct json_object *v;

	return obj && json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

/* "user@host", "user" or "-" */
static const char *party(struct json_object *call, const char *key, char *buf,
			 size_t len)
{
	struct json_object *p = member(call, key);
	const char *user = str(p, "user"), *host = str(p, "host");

	if (user && host)
		snprintf(buf, len, "%s@%s", user, host);
	else
		snprintf(buf, len, "%s", user ? user : host ? host : "-");
	return buf;
}

/* "HH:MM:SS" out of an ISO 8601 time, for the table. */
static const char *clock_of(const char *iso, char *buf, size_t len)
{
	const char *t = iso ? strchr(iso, 'T') : NULL;

	snprintf(buf, len, "%.8s", t ? t + 1 : "-");
	return buf;
}

static struct json_object *request(const char *cmd, const char *name,
				   const char *id, const char *key, int *status)
{
	struct json_object *req = json_object_new_object(), *reply, *v = NULL;
	char err[512];

	json_object_object_add(req, "cmd", json_object_new_string(name));
	if (id)
		json_object_object_add(req, "id", json_object_new_string(id));
	reply = ctl_call(req, err, sizeof(err));
	json_object_put(req);
	if (!reply) {
		*status = lictl_error(cmd, "%s", err);
		return NULL;
	}
	if (!json_object_object_get_ex(reply, key, &v) || !v) {
		json_object_put(reply);
		*status = lictl_error(cmd, "listenind's reply has no \"%s\"", key);
		return NULL;
	}
	json_object_get(v);
	json_object_put(reply);
	return v;
}

int cmd_calls(int argc, char **argv, const struct lictl_opts *opts)
{
	const char *cmd = argv[0];
	struct json_object *list;
	int status, n;

	status = lictl_no_args(cmd, argc, argv);
	if (status)
		return status;
	list = request(cmd, "calls", NULL, "calls", &status);
	if (!list)
		return status;
	if (!json_object_is_type(list, json_type_array)) {
		json_object_put(list);
		return lictl_error(cmd, "listenind's \"calls\" is not a list");
	}
	if (opts->json)
		return jout_print(stdout, list) ?
			lictl_error(cmd, "cannot write to standard output") :
			LICTL_EXIT_OK;

	n = (int)json_object_array_length(list);
	printf("%-6s %-11s %-28s %-28s %-12s %-12s %-8s\n", "ID", "STATE", "CALLER",
	       "CALLEE", "AGENT", "QUEUE", "CREATED");
	for (int i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(list, (size_t)i);
		char caller[128], callee[128], created[16];

		printf("%-6s %-11s %-28.28s %-28.28s %-12.12s %-12.12s %-8s\n",
		       dash(str(c, "id")), dash(str(c, "state")),
		       party(c, "caller", caller, sizeof(caller)),
		       party(c, "callee", callee, sizeof(callee)),
		       dash(str(c, "agent")), dash(str(c, "queue")),
		       clock_of(str(c, "created"), created, sizeof(created)));
	}
	if (!n)
		printf("(no calls)\n");
	json_object_put(list);
	return LICTL_EXIT_OK;
}

static void print_streams(struct json_object *media, const char *direction)
{
	struct json_object *list = member(media, direction);
	size_t n = list && json_object_is_type(list, json_type_array) ?
		   json_object_array_length(list) : 0;

	if (!n) {
		printf("    %-18s (none)\n", direction);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(list, i);
		struct json_object *pts = member(s, "payloads");
		struct json_object *mux = member(s, "rtcp_mux");
		struct json_object *active = member(s, "active");

		printf("    %-18s %-6s %s:%s rtcp %s", i ? "" : direction,
		       dash(str(s, "media")), dash(str(s, "dst")),
		       dash(str(s, "rtp_port")),
		       mux && json_object_get_boolean(mux) ? "mux" :
		       dash(str(s, "rtcp_port")));
		printf(" payloads");
		for (size_t j = 0; pts && j < json_object_array_length(pts); j++)
			printf("%s%d", j ? "," : " ",
			       json_object_get_int(json_object_array_get_idx(pts, j)));
		printf(" %s\n", active && json_object_get_boolean(active) ?
		       "active" : "inactive");
	}
}

/* "alice@host (Alice Caller)"; a display name's SIP quotes are not shown. */
static void print_party(const char *label, const char *who, const char *display)
{
	size_t n = display ? strlen(display) : 0;

	if (n >= 2 && display[0] == '"' && display[n - 1] == '"') {
		display++;
		n -= 2;
	}
	if (n)
		printf("  %-12s %s (%.*s)\n", label, who, (int)n, display);
	else
		printf("  %-12s %s\n", label, who);
}

static void print_call(struct json_object *c)
{
	static const char *const meta[] = {
		"agent", "queue", "team", "department", "site", "campaign",
	};
	struct json_object *caller = member(c, "caller"), *callee = member(c, "callee");
	struct json_object *transfer = member(c, "transfer");
	struct json_object *media = member(c, "media");
	struct json_object *history = member(c, "history");
	char buf[160];

	printf("call %s\n", dash(str(c, "id")));
	printf("  %-12s %s\n", "call-id", dash(str(c, "call_id")));
	printf("  %-12s %s\n", "state", dash(str(c, "state")));
	print_party("caller", party(c, "caller", buf, sizeof(buf)), str(caller, "display"));
	print_party("callee", party(c, "callee", buf, sizeof(buf)), str(callee, "display"));
	printf("  %-12s %s\n", "asserted", dash(str(c, "asserted")));
	for (size_t i = 0; i < sizeof(meta) / sizeof(meta[0]); i++)
		printf("  %-12s %s\n", meta[i], dash(str(c, meta[i])));
	if (str(transfer, "target") || str(transfer, "replaces") ||
	    str(transfer, "replaced_by"))
		printf("  %-12s target %s by %s replaces %s replaced-by %s\n",
		       "transfer", dash(str(transfer, "target")),
		       dash(str(transfer, "by")), dash(str(transfer, "replaces")),
		       dash(str(transfer, "replaced_by")));
	printf("  %-12s %s\n", "conference",
	       member(c, "conference") &&
	       json_object_get_boolean(member(c, "conference")) ? "yes" : "no");
	printf("  %-12s %s\n", "created", dash(str(c, "created")));
	printf("  %-12s %s\n", "answered", dash(str(c, "answered")));
	printf("  %-12s %s\n", "ended", dash(str(c, "ended")));
	if (str(c, "end_reason"))
		printf("  %-12s %s%s%s\n", "end reason", str(c, "end_reason"),
		       str(c, "final_status") ? " " : "",
		       str(c, "final_status") ? str(c, "final_status") : "");
	printf("  %-12s %s\n", "last SIP", dash(str(c, "last_sip")));
	printf("  media\n");
	print_streams(media, "caller_to_callee");
	print_streams(media, "callee_to_caller");
	printf("  history\n");
	for (size_t i = 0; history && i < json_object_array_length(history); i++) {
		struct json_object *h = json_object_array_get_idx(history, i);

		printf("    %-24s %-11s %s\n", dash(str(h, "at")),
		       dash(str(h, "state")), dash(str(h, "event")));
	}
	if (str(c, "history_dropped") && strcmp(str(c, "history_dropped"), "0"))
		printf("    (%s older changes not kept)\n", str(c, "history_dropped"));
}

int cmd_call_show(int argc, char **argv, const struct lictl_opts *opts)
{
	const char *cmd = argv[0];
	struct json_object *call;
	int status;

	if (argc < 2)
		return lictl_usage_error(cmd, "missing ID: a call's id from \"lictl calls\", or its Call-ID");
	if (argc > 2)
		return lictl_usage_error(cmd, "\"%s\": unexpected argument after the ID",
					 argv[2]);
	call = request(cmd, "call", argv[1], "call", &status);
	if (!call)
		return status;
	if (opts->json)
		return jout_print(stdout, call) ?
			lictl_error(cmd, "cannot write to standard output") :
			LICTL_EXIT_OK;
	print_call(call);
	json_object_put(call);
	return LICTL_EXIT_OK;
}
