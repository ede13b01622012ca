// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>

#include "common/jout.h"
#include "lictl/commands.h"

static struct json_object *json_stats(const struct lnl_stats *s)
{
	struct json_object *obj = json_object_new_object();

	for (unsigned int i = 1; i <= LISTENIN_A_STATS_MAX; i++)
		if ((s->present & (1U << i)) && lnl_stats_name(i))
			jout_add_u64(obj, lnl_stats_name(i), s->val[i]);
	return obj;
}

static void print_value(const struct lnl_stats *s, unsigned int i)
{
	if (s->present & (1U << i))
		printf(" %20" PRIu64, s->val[i]);
	else
		printf(" %20s", "-");
}

int cmd_stats(int argc, char **argv, const struct lictl_opts *opts)
{
	const char *cmd = argv[0];
	struct lnl_stats ns, global;
	struct lnl *nl;
	int ret;

	ret = lictl_no_args(cmd, argc, argv);
	if (ret)
		return ret;
	ret = lictl_nl_open(cmd, &nl);
	if (ret)
		return ret;
	ret = lnl_stats_get(nl, &ns, &global);
	if (ret)
		ret = lictl_nl_error(cmd, nl, ret);
	lnl_close(nl);
	if (ret)
		return ret;

	if (opts->json) {
		struct json_object *obj = json_object_new_object();

		json_object_object_add(obj, "namespace", json_stats(&ns));
		json_object_object_add(obj, "global", json_stats(&global));
		if (jout_print(stdout, obj))
			return lictl_error(cmd, "cannot write to standard output");
		return LICTL_EXIT_OK;
	}
	printf("%-18s %20s %20s\n", "", "namespace", "global");
	for (unsigned int i = 1; i <= LISTENIN_A_STATS_MAX; i++) {
		if (!lnl_stats_name(i) ||
		    !((ns.present | global.present) & (1U << i)))
			continue;
		printf("%-18s", lnl_stats_name(i));
		print_value(&ns, i);
		print_value(&global, i);
		putchar('\n');
	}
	if (fflush(stdout))
		return lictl_error(cmd, "cannot write to standard output");
	return LICTL_EXIT_OK;
}
