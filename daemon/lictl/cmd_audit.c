// SPDX-License-Identifier: GPL-2.0
/*
 * lictl audit list|show|verify|export: listenind's audit trail, for
 * administrators (root or admin_group). export writes JSON Lines, one record
 * per line, whatever -j says; the others print text, or JSON with -j.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jout.h"
#include "lictl/commands.h"

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

static int parse_number(const char *cmd, const char *opt, const char *s,
			unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end || errno)
		return lictl_usage_error(cmd, "%s \"%s\": expected a whole number", opt, s);
	return 0;
}

/* --limit N, --from SEQ, --event EVENT, --uid UID into req. */
static int filter_options(const char *cmd, int argc, char **argv, struct json_object *req)
{
	for (int i = 1; i < argc; i++) {
		static const char *const opts[][2] = {
			{ "--limit", "limit" }, { "--from", "from_seq" },
			{ "--uid", "uid" }, { "--event", "event" },
		};
		unsigned long long n;
		size_t k;

		for (k = 0; k < 4 && strcmp(argv[i], opts[k][0]); k++)
			;
		if (k == 4)
			return lictl_usage_error(cmd, "\"%s\": unknown option; expected --limit N, --from SEQ, --uid UID or --event EVENT",
						 argv[i]);
		if (i + 1 >= argc)
			return lictl_usage_error(cmd, "%s needs a value", argv[i]);
		i++;
		if (k == 3) {
			json_object_object_add(req, opts[k][1], json_object_new_string(argv[i]));
			continue;
		}
		if (parse_number(cmd, opts[k][0], argv[i], &n))
			return LICTL_EXIT_USAGE;
		json_object_object_add(req, opts[k][1], json_object_new_uint64(n));
	}
	return 0;
}

static void print_record_line(struct json_object *r)
{
	char when[32], stop[96];
	const char *what = lictl_str(r, "end_cause") ? lictl_str(r, "end_cause") :
			   lictl_str(r, "rule") ? lictl_str(r, "rule") : lictl_str(r, "detail");

	if (lictl_str(r, "end_cause")) {
		snprintf(stop, sizeof(stop), "%s, %s packets", lictl_str(r, "end_cause"),
			 lictl_str(r, "packets") ? lictl_str(r, "packets") : "?");
		what = stop;
	}

	printf("%-6s %-21s %-15s %-8s %-12.12s %-6s %s\n", dash(lictl_str(r, "seq")),
	       lictl_time_ms(r, "time_ms", when, sizeof(when)), dash(lictl_str(r, "event")),
	       lictl_str(r, "session") && strcmp(lictl_str(r, "session"), "0") ?
	       lictl_str(r, "session") : "-",
	       dash(lictl_str(r, "user")),
	       lictl_str(r, "call") && strcmp(lictl_str(r, "call"), "0") ? lictl_str(r, "call") : "-",
	       dash(what));
}

static void print_record(struct json_object *r)
{
	json_object_object_foreach(r, key, val) {
		char when[32];

		if (json_object_is_type(val, json_type_null))
			continue;
		if (!strcmp(key, "time_ms") || !strcmp(key, "start_ms") || !strcmp(key, "end_ms"))
			printf("  %-15s %s (%s)\n", key, json_object_get_string(val),
			       lictl_time_ms(r, key, when, sizeof(when)));
		else
			printf("  %-15s %s\n", key, json_object_get_string(val));
	}
}

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

int cmd_audit(int argc, char **argv, const struct lictl_opts *opts)
{
	const char *cmd = argv[0], *op;
	struct json_object *req, *reply, *v;
	unsigned long long seq = 0;
	int status = 0;

	/* argv[0] is "audit OP" */
	op = strchr(cmd, ' ') ? strchr(cmd, ' ') + 1 : "";
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("audit"));
	json_object_object_add(req, "op", json_object_new_string(op));
	if (!strcmp(op, "list") || !strcmp(op, "export")) {
		status = filter_options(cmd, argc, argv, req);
	} else if (!strcmp(op, "show")) {
		if (argc != 2)
			status = lictl_usage_error(cmd, "needs one SEQ: a record number from \"lictl audit list\"");
		else if (!parse_number(cmd, "SEQ", argv[1], &seq))
			json_object_object_add(req, "seq", json_object_new_uint64(seq));
		else
			status = LICTL_EXIT_USAGE;
	} else if (!strcmp(op, "verify")) {
		status = lictl_no_args(cmd, argc, argv);
	} else {
		status = lictl_usage_error(cmd, "\"%s\": unknown operation; expected list, show, verify or export",
					   op);
	}
	if (status) {
		json_object_put(req);
		return status;
	}
	reply = lictl_ctl_request(cmd, req, &status);
	if (!reply)
		return status;

	if (!strcmp(op, "export")) {
		v = member(reply, "records");
		for (size_t i = 0; v && i < json_object_array_length(v); i++)
			if (jout_print(stdout, json_object_get(json_object_array_get_idx(v, i)))) {
				json_object_put(reply);
				return lictl_error(cmd, "cannot write to standard output");
			}
		json_object_put(reply);
		return LICTL_EXIT_OK;
	}
	if (!strcmp(op, "verify")) {
		bool ok = member(reply, "ok") && json_object_get_boolean(member(reply, "ok"));

		if (opts->json) {
			status = jout_print(stdout, reply) ?
				 lictl_error(cmd, "cannot write to standard output") : 0;
			return status ? status : ok ? LICTL_EXIT_OK : LICTL_EXIT_FAILURE;
		}
		if (ok)
			printf("audit trail verified: %s records, seq %s to %s\nhead %s\n",
			       dash(lictl_str(reply, "records")), dash(lictl_str(reply, "first_seq")),
			       dash(lictl_str(reply, "last_seq")), dash(lictl_str(reply, "head")));
		else
			printf("audit trail BROKEN at seq %s: %s\n(%s records checked before it)\n",
			       dash(lictl_str(reply, "bad_seq")), dash(lictl_str(reply, "why")),
			       dash(lictl_str(reply, "records")));
		json_object_put(reply);
		return ok ? LICTL_EXIT_OK : LICTL_EXIT_FAILURE;
	}
	if (opts->json) {
		v = member(reply, !strcmp(op, "show") ? "record" : "records");
		json_object_get(v);
		json_object_put(reply);
		return jout_print(stdout, v) ?
			lictl_error(cmd, "cannot write to standard output") : LICTL_EXIT_OK;
	}
	if (!strcmp(op, "show")) {
		printf("record %llu\n", seq);
		print_record(member(reply, "record"));
	} else {
		v = member(reply, "records");
		printf("%-6s %-21s %-15s %-8s %-12s %-6s %s\n", "SEQ", "TIME", "EVENT", "SESSION",
		       "USER", "CALL", "RULE / CAUSE / DETAIL");
		for (size_t i = 0; v && i < json_object_array_length(v); i++)
			print_record_line(json_object_array_get_idx(v, i));
		if (!v || !json_object_array_length(v))
			printf("(no records)\n");
	}
	json_object_put(reply);
	return LICTL_EXIT_OK;
}
