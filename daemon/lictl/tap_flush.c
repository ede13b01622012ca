// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>

#include "common/jout.h"
#include "lictl/commands.h"

int cmd_tap_flush(int argc, char **argv, const struct lictl_opts *opts)
{
	const char *cmd = argv[0];
	struct lnl *nl;
	uint32_t count;
	int ret;

	ret = lictl_no_args(cmd, argc, argv);
	if (ret)
		return ret;
	ret = lictl_nl_open(cmd, &nl);
	if (ret)
		return ret;
	ret = lnl_tap_flush(nl, &count);
	if (ret)
		ret = lictl_nl_error(cmd, nl, ret);
	lnl_close(nl);
	if (ret)
		return ret;

	if (opts->json) {
		struct json_object *obj = json_object_new_object();

		jout_add_u64(obj, "flushed", count);
		jout_print(stdout, obj);
	} else {
		printf("%" PRIu32 " tap%s flushed\n", count, count == 1 ? "" : "s");
	}
	return LICTL_EXIT_OK;
}
