// SPDX-License-Identifier: GPL-2.0
/*
 * lictl watch: subscribes to listenind's agent notices (sessions on calls
 * at sites with notice = event) and prints one line per notice until
 * interrupted or the daemon goes away. -j prints each object as listenind
 * sent it, the subscription's acknowledgement first.
 */
#include <stdio.h>

#include "common/jout.h"
#include "lictl/commands.h"
#include "lictl/ctl_client.h"

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

static int print_one(struct json_object *obj, void *arg)
{
	const struct lictl_opts *opts = arg;
	char when[32];

	if (opts->json) {
		if (jout_print(stdout, json_object_get(obj)))
			return -1;
	} else if (lictl_str(obj, "watching")) {
		printf("watching agent notices (%s active)\n", dash(lictl_str(obj, "active")));
	} else {
		printf("%s %-9s session %s call %s (%s) extension %s site %s%s%s\n",
		       lictl_time_ms(obj, "time_ms", when, sizeof(when)),
		       dash(lictl_str(obj, "state")), dash(lictl_str(obj, "session")),
		       dash(lictl_str(obj, "call")), dash(lictl_str(obj, "call_id")),
		       dash(lictl_str(obj, "extension")), dash(lictl_str(obj, "site")),
		       lictl_str(obj, "end_cause") ? " cause " : "",
		       lictl_str(obj, "end_cause") ? lictl_str(obj, "end_cause") : "");
	}
	return fflush(stdout) ? -1 : 0;
}

int cmd_watch(int argc, char **argv, const struct lictl_opts *opts)
{
	const char *cmd = argv[0];
	struct json_object *req;
	char err[1024];
	int status = lictl_no_args(cmd, argc, argv), ret;

	if (status)
		return status;
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("watch"));
	ret = ctl_stream(req, print_one, (void *)opts, err, sizeof(err));
	json_object_put(req);
	if (ret)
		return lictl_error(cmd, "%s", err);
	return lictl_error(cmd, "cannot write to standard output");
}
