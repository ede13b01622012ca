// SPDX-License-Identifier: GPL-2.0
/*
 * lictl stop SESSION: ends a monitoring session (its supervisor's or, for an
 * administrator, any). lictl stop --all [--note TEXT]: the admin flush.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jout.h"
#include "lictl/commands.h"

static int print_reply(const char *cmd, struct json_object *reply, bool json, bool all,
		       unsigned long long id)
{
	if (json)
		return jout_print(stdout, reply) ?
			lictl_error(cmd, "cannot write to standard output") : LICTL_EXIT_OK;
	if (all) {
		const char *n = lictl_str(reply, "stopped");

		printf("%s session%s stopped (admin_flush", n ? n : "?",
		       n && !strcmp(n, "1") ? "" : "s");
		if (lictl_str(reply, "audit_seq"))
			printf(", audit record %s)\n", lictl_str(reply, "audit_seq"));
		else
			printf("; NOT AUDITED: %s)\n", lictl_str(reply, "audit_error") ?
			       lictl_str(reply, "audit_error") : "?");
	} else {
		printf("session %llu stopped: %s packets copied\n", id,
		       lictl_str(reply, "packets") ? lictl_str(reply, "packets") : "?");
	}
	json_object_put(reply);
	return LICTL_EXIT_OK;
}

int cmd_stop(int argc, char **argv, const struct lictl_opts *opts)
{
	const char *cmd = argv[0], *note = NULL, *session = NULL;
	struct json_object *req, *reply;
	unsigned long long id = 0;
	bool all = false;
	char *end;
	int status = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--all")) {
			all = true;
		} else if (!strcmp(argv[i], "--note")) {
			if (++i >= argc)
				return lictl_usage_error(cmd, "--note needs a text");
			note = argv[i];
		} else if (argv[i][0] == '-') {
			return lictl_usage_error(cmd, "\"%s\": unknown option; expected --all or --note TEXT",
						 argv[i]);
		} else if (session) {
			return lictl_usage_error(cmd, "\"%s\": unexpected argument after SESSION", argv[i]);
		} else {
			session = argv[i];
		}
	}
	if (all && session)
		return lictl_usage_error(cmd, "give either SESSION or --all, not both");
	if (note && !all)
		return lictl_usage_error(cmd, "--note goes with --all");
	if (!all && !session)
		return lictl_usage_error(cmd, "missing SESSION: a session number from \"lictl sessions\" (or --all)");
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("stop"));
	if (all) {
		json_object_object_add(req, "all", json_object_new_boolean(1));
		if (note)
			json_object_object_add(req, "note", json_object_new_string(note));
	} else {
		errno = 0;
		id = strtoull(session, &end, 10);
		if (session[0] < '1' || session[0] > '9' || *end || errno) {
			json_object_put(req);
			return lictl_usage_error(cmd, "\"%s\": SESSION must be a session number from \"lictl sessions\"",
						 session);
		}
		json_object_object_add(req, "session", json_object_new_uint64(id));
	}
	reply = lictl_ctl_request(cmd, req, &status);
	if (!reply)
		return status;
	return print_reply(cmd, reply, opts->json, all, id);
}
