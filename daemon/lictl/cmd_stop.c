// SPDX-License-Identifier: GPL-2.0
/* lictl stop SESSION: ends a monitoring session (its supervisor's or, for an administrator, any). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/jout.h"
#include "lictl/commands.h"

int cmd_stop(int argc, char **argv, const struct lictl_opts *opts)
{
	const char *cmd = argv[0];
	struct json_object *req, *reply;
	unsigned long long id;
	char *end;
	int status = 0;

	if (argc < 2)
		return lictl_usage_error(cmd, "missing SESSION: a session number from \"lictl sessions\"");
	if (argc > 2)
		return lictl_usage_error(cmd, "\"%s\": unexpected argument after SESSION", argv[2]);
	errno = 0;
	id = strtoull(argv[1], &end, 10);
	if (argv[1][0] < '1' || argv[1][0] > '9' || *end || errno)
		return lictl_usage_error(cmd, "\"%s\": SESSION must be a session number from \"lictl sessions\"",
					 argv[1]);
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("stop"));
	json_object_object_add(req, "session", json_object_new_uint64(id));
	reply = lictl_ctl_request(cmd, req, &status);
	if (!reply)
		return status;
	if (opts->json)
		return jout_print(stdout, reply) ?
			lictl_error(cmd, "cannot write to standard output") : LICTL_EXIT_OK;
	printf("session %llu stopped: %s packets copied\n", id,
	       lictl_str(reply, "packets") ? lictl_str(reply, "packets") : "?");
	json_object_put(reply);
	return LICTL_EXIT_OK;
}
