// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "common/jout.h"
#include "lictl/commands.h"

int cmd_tap_del(int argc, char **argv, const struct lictl_opts *opts)
{
	const char *cmd = argv[0];
	struct lnl *nl;
	uint32_t id;
	int ret;

	if (argc < 2)
		return lictl_usage_error(cmd, "missing tap id (see: lictl tap show)");
	ret = lictl_parse_id(cmd, argv[1], &id);
	if (!ret)
		ret = lictl_no_args(cmd, argc - 1, argv + 1);
	if (ret)
		return ret;

	ret = lictl_nl_open(cmd, &nl);
	if (ret)
		return ret;
	ret = lnl_tap_del(nl, id);
	if (ret == -ENOENT)
		ret = lictl_error(cmd, "tap %" PRIu32 " does not exist", id);
	else if (ret)
		ret = lictl_nl_error(cmd, nl, ret);
	lnl_close(nl);
	if (ret)
		return ret;

	if (opts->json) {
		struct json_object *obj = json_object_new_object();

		jout_add_u64(obj, "id", id);
		jout_print(stdout, obj);
	} else {
		printf("tap %" PRIu32 " deleted\n", id);
	}
	return LICTL_EXIT_OK;
}
