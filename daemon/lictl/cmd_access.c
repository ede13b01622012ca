// SPDX-License-Identifier: GPL-2.0
/*
 * lictl access review [--days N]: who may monitor what under the running
 * policy, and which grants expire within N days (default 30). For
 * administrators. -j prints the review object.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jout.h"
#include "lictl/commands.h"

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static void join(struct json_object *arr, const char *key, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; arr && i < json_object_array_length(arr) && off < len; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		const char *s = key ? lictl_str(e, key) : json_object_get_string(e);

		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", s ? s : "?");
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

static void print_grant(struct json_object *g)
{
	struct json_object *scope = member(g, "scope");
	char buf[1024];

	printf("grant %s\n", lictl_str(g, "grant") ? lictl_str(g, "grant") : "?");
	join(member(g, "users"), "user", buf, sizeof(buf));
	printf("  %-12s %s%s%s%s\n", "users", buf, lictl_str(g, "group") ? " (group " : "",
	       lictl_str(g, "group") ? lictl_str(g, "group") : "", lictl_str(g, "group") ? ")" : "");
	join(member(g, "modes"), NULL, buf, sizeof(buf));
	printf("  %-12s %s: %s, at most %s s, %s\n", "role",
	       lictl_str(g, "role") ? lictl_str(g, "role") : "?", buf,
	       lictl_str(g, "max_duration") ? lictl_str(g, "max_duration") : "?",
	       lictl_str(g, "hours") ? lictl_str(g, "hours") : "any time");
	if (scope) {
		json_object_object_foreach(scope, dim, list) {
			join(list, NULL, buf, sizeof(buf));
			printf("  %-12s %s\n", dim, buf);
		}
	}
	printf("  %-12s %s%s\n", "expires", lictl_str(g, "expires") ? lictl_str(g, "expires") : "never",
	       member(g, "expired") && json_object_get_boolean(member(g, "expired")) ? " (EXPIRED)" :
	       member(g, "expiring") && json_object_get_boolean(member(g, "expiring")) ? " (expiring soon)" : "");
}

int cmd_access_review(int argc, char **argv, const struct lictl_opts *opts)
{
	const char *cmd = argv[0];
	struct json_object *req, *reply, *review, *list;
	unsigned long long days = 30;
	char *end;
	int status = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--days"))
			return lictl_usage_error(cmd, "\"%s\": unknown argument; expected --days N", argv[i]);
		if (i + 1 >= argc)
			return lictl_usage_error(cmd, "--days needs a number of days");
		errno = 0;
		days = strtoull(argv[++i], &end, 10);
		if (argv[i][0] < '0' || argv[i][0] > '9' || *end || errno || days > 36500)
			return lictl_usage_error(cmd, "--days \"%s\": expected 0 to 36500", argv[i]);
	}
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("access_review"));
	json_object_object_add(req, "days", json_object_new_uint64(days));
	reply = lictl_ctl_request(cmd, req, &status);
	if (!reply)
		return status;
	review = member(reply, "review");
	if (!review) {
		json_object_put(reply);
		return lictl_error(cmd, "listenind's reply has no \"review\"");
	}
	if (opts->json) {
		json_object_get(review);
		json_object_put(reply);
		return jout_print(stdout, review) ?
			lictl_error(cmd, "cannot write to standard output") : LICTL_EXIT_OK;
	}
	printf("policy %s\n\n", lictl_str(review, "policy") ? lictl_str(review, "policy") : "?");
	list = member(review, "grants");
	for (size_t i = 0; list && i < json_object_array_length(list); i++)
		print_grant(json_object_array_get_idx(list, i));
	if (!list || !json_object_array_length(list))
		printf("(no grants: nobody may monitor)\n");
	list = member(review, "expiring");
	printf("\nexpiring within %llu days:", days);
	for (size_t i = 0; list && i < json_object_array_length(list); i++)
		printf(" %s (%s)", lictl_str(json_object_array_get_idx(list, i), "grant"),
		       lictl_str(json_object_array_get_idx(list, i), "expires"));
	printf("%s\n", list && json_object_array_length(list) ? "" : " none");
	json_object_put(reply);
	return LICTL_EXIT_OK;
}
