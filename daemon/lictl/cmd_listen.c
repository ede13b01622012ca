// SPDX-License-Identifier: GPL-2.0
/*
 * lictl listen CALL --to ADDR:PORT --reason CODE [--note TEXT] [--mode MODE]:
 * asks listenind to start a monitoring session. listenind decides with the
 * policy for the caller's Unix account and audits the answer either way.
 */
#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "common/jout.h"
#include "lictl/commands.h"

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

int cmd_listen(int argc, char **argv, const struct lictl_opts *opts)
{
	const char *cmd = argv[0], *call = NULL, *to = NULL, *reason = NULL;
	const char *note = NULL, *mode = NULL;
	struct json_object *req, *reply;
	struct addr a;
	uint16_t port;
	const char *why;
	int status = 0;

	for (int i = 1; i < argc; i++) {
		const char **slot = NULL;

		if (!strcmp(argv[i], "--to"))
			slot = &to;
		else if (!strcmp(argv[i], "--reason"))
			slot = &reason;
		else if (!strcmp(argv[i], "--note"))
			slot = &note;
		else if (!strcmp(argv[i], "--mode"))
			slot = &mode;
		if (slot) {
			if (i + 1 >= argc)
				return lictl_usage_error(cmd, "%s needs a value", argv[i]);
			if (*slot)
				return lictl_usage_error(cmd, "%s given twice", argv[i]);
			*slot = argv[++i];
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1])
			return lictl_usage_error(cmd, "\"%s\": unknown option; expected --to, --reason, --note or --mode",
						 argv[i]);
		if (call)
			return lictl_usage_error(cmd, "\"%s\": unexpected argument: one CALL only",
						 argv[i]);
		call = argv[i];
	}
	if (!call)
		return lictl_usage_error(cmd, "missing CALL: a call's id from \"lictl calls\", or its Call-ID");
	if (!to)
		return lictl_usage_error(cmd, "missing --to ADDR:PORT: where the copies go");
	if (!reason)
		return lictl_usage_error(cmd, "missing --reason CODE: the business purpose (see the policy's reasons)");
	why = addr_parse(to, ADDR_PORT_REQUIRED, &a, &port);
	if (why)
		return lictl_usage_error(cmd, "--to \"%s\": %s", to, why);

	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("listen"));
	json_object_object_add(req, "call", json_object_new_string(call));
	json_object_object_add(req, "to", json_object_new_string(to));
	json_object_object_add(req, "reason", json_object_new_string(reason));
	if (note)
		json_object_object_add(req, "note", json_object_new_string(note));
	if (mode)
		json_object_object_add(req, "mode", json_object_new_string(mode));
	reply = lictl_ctl_request(cmd, req, &status);
	if (!reply)
		return status;
	if (opts->json)
		return jout_print(stdout, reply) ?
			lictl_error(cmd, "cannot write to standard output") : LICTL_EXIT_OK;
	printf("session %s: listening to call %s (tap %s)\n", dash(lictl_str(reply, "session")),
	       dash(lictl_str(reply, "call")), dash(lictl_str(reply, "tap")));
	printf("  copies to     %s\n", dash(lictl_str(reply, "to")));
	printf("  caller->callee from source port %s, callee->caller from %s (RTCP: port + 1)\n",
	       dash(lictl_str(reply, "port_caller_to_callee")),
	       dash(lictl_str(reply, "port_callee_to_caller")));
	printf("  rule          %s\n", dash(lictl_str(reply, "rule")));
	printf("  max duration  %s s, agent notice %s\n", dash(lictl_str(reply, "max_duration")),
	       dash(lictl_str(reply, "notice")));
	json_object_put(reply);
	return LICTL_EXIT_OK;
}
