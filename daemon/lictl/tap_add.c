// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "common/jout.h"
#include "lictl/commands.h"
#include "lictl/tapspec.h"

int cmd_tap_add(int argc, char **argv, const struct lictl_opts *opts)
{
	const char *cmd = argv[0];
	struct lnl_tap tap;
	struct lnl *nl;
	char err[512];
	uint64_t cookie;
	uint32_t id;
	int ret;

	ret = tapspec_parse(argc - 1, argv + 1, &tap, err, sizeof(err));
	if (ret == -ENOMEM)
		return lictl_error(cmd, "%s", err);
	if (ret)
		return lictl_usage_error(cmd, "%s", err);

	ret = lictl_nl_open(cmd, &nl);
	if (ret) {
		lnl_tap_free(&tap);
		return ret;
	}
	ret = lnl_tap_new(nl, &tap, &id, &cookie);
	lnl_tap_free(&tap);
	if (ret == -ENOSPC && !lnl_error(nl))
		ret = lictl_error(cmd, "kernel: this network namespace has max_taps taps already (No space left on device)");
	else if (ret)
		ret = lictl_nl_error(cmd, nl, ret);
	lnl_close(nl);
	if (ret)
		return ret;

	if (opts->json) {
		struct json_object *obj = json_object_new_object();

		jout_add_u64(obj, "id", id);
		jout_add_u64(obj, "cookie", cookie);
		jout_print(stdout, obj);
	} else {
		printf("tap %" PRIu32 " created (cookie 0x%" PRIx64 ")\n", id, cookie);
	}
	return LICTL_EXIT_OK;
}
