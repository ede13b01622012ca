// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/jout.h"
#include "lictl/commands.h"
#include "lictl/format.h"

/* A dump interrupted by concurrent changes is restarted this many times. */
#define DUMP_ATTEMPTS 3

struct listing {
	bool json;
	struct json_object *array;
	FILE *text;
	char *buf;
	size_t len;
	size_t count;
};

static int add_tap(const struct lnl_tap *tap, void *arg)
{
	struct listing *l = arg;

	if (l->json) {
		json_object_array_add(l->array, format_json_tap(tap));
	} else {
		if (l->count)
			fputc('\n', l->text);
		format_print_tap(l->text, tap);
	}
	l->count++;
	return 0;
}

static int listing_start(struct listing *l, bool json)
{
	l->json = json;
	l->count = 0;
	if (json) {
		l->array = json_object_new_array();
		return l->array ? 0 : -ENOMEM;
	}
	l->text = open_memstream(&l->buf, &l->len);
	return l->text ? 0 : -ENOMEM;
}

static void listing_drop(struct listing *l)
{
	if (l->json) {
		json_object_put(l->array);
		return;
	}
	fclose(l->text);
	free(l->buf);
}

static int listing_print(struct listing *l)
{
	int ret = 0;

	if (l->json)
		return jout_print(stdout, l->array);
	if (!l->count)
		fputs("(no taps)\n", l->text);
	fclose(l->text);
	if (fwrite(l->buf, 1, l->len, stdout) != l->len || fflush(stdout))
		ret = -1;
	free(l->buf);
	return ret;
}

static int show_all(const char *cmd, struct lnl *nl, bool json)
{
	struct listing l;
	int ret;

	for (int attempt = 1;; attempt++) {
		if (listing_start(&l, json))
			return lictl_error(cmd, "out of memory");
		ret = lnl_tap_dump(nl, add_tap, &l);
		if (ret != LNL_DUMP_INTR || attempt == DUMP_ATTEMPTS)
			break;
		listing_drop(&l);
	}
	if (ret < 0) {
		listing_drop(&l);
		return lictl_nl_error(cmd, nl, ret);
	}
	if (ret == LNL_DUMP_INTR)
		fprintf(stderr, "lictl: %s: taps changed during each of %d attempts; this list may be inconsistent\n",
			cmd, DUMP_ATTEMPTS);
	if (listing_print(&l))
		return lictl_error(cmd, "cannot write to standard output");
	return LICTL_EXIT_OK;
}

static int show_one(const char *cmd, struct lnl *nl, uint32_t id, bool json)
{
	struct lnl_tap tap;
	int ret;

	ret = lnl_tap_get(nl, id, &tap);
	if (ret == -ENOENT)
		return lictl_error(cmd, "tap %" PRIu32 " does not exist", id);
	if (ret)
		return lictl_nl_error(cmd, nl, ret);
	if (json)
		ret = jout_print(stdout, format_json_tap(&tap));
	else
		format_print_tap(stdout, &tap);
	lnl_tap_free(&tap);
	if (ret || fflush(stdout))
		return lictl_error(cmd, "cannot write to standard output");
	return LICTL_EXIT_OK;
}

int cmd_tap_show(int argc, char **argv, const struct lictl_opts *opts)
{
	const char *cmd = argv[0];
	struct lnl *nl;
	uint32_t id = 0;
	int ret;

	if (argc > 1) {
		ret = lictl_parse_id(cmd, argv[1], &id);
		if (!ret)
			ret = lictl_no_args(cmd, argc - 1, argv + 1);
		if (ret)
			return ret;
	}
	ret = lictl_nl_open(cmd, &nl);
	if (ret)
		return ret;
	ret = id ? show_one(cmd, nl, id, opts->json) :
		   show_all(cmd, nl, opts->json);
	lnl_close(nl);
	return ret;
}
