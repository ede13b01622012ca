// SPDX-License-Identifier: GPL-2.0
/*
 * lictl access review [--days N] [--inactive-days N]: who may monitor what
 * under the running policy, which grants expire within N days (default
 * 30), and which granted users the audit trail has not seen act for
 * --inactive-days (default from listenind.conf) or ever. For
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

static void print_users(struct json_object *review)
{
	struct json_object *list = member(review, "users");
	char when[32];

	if (lictl_str(review, "users_error")) {
		printf("\nlast seen: unknown (%s)\n", lictl_str(review, "users_error"));
		return;
	}
	printf("\n%-16s %-8s %-22s %-8s %s\n", "USER", "UID", "LAST SEEN", "DAYS", "FLAG");
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *u = json_object_array_get_idx(list, i);
		bool never = member(u, "never_seen") && json_object_get_boolean(member(u, "never_seen"));
		bool idle = member(u, "inactive") && json_object_get_boolean(member(u, "inactive"));

		printf("%-16s %-8s %-22s %-8s %s\n", lictl_str(u, "user") ? lictl_str(u, "user") : "?",
		       lictl_str(u, "uid") ? lictl_str(u, "uid") : "?",
		       never ? "never" : lictl_time_ms(u, "last_seen_ms", when, sizeof(when)),
		       lictl_str(u, "days_unseen") ? lictl_str(u, "days_unseen") : "-",
		       never && idle ? "NEVER SEEN" : idle ? "INACTIVE" : "");
	}
	list = member(review, "inactive");
	printf("\nnot seen for %s days or never:", lictl_str(review, "inactive_days") ?
	       lictl_str(review, "inactive_days") : "?");
	for (size_t i = 0; list && i < json_object_array_length(list); i++)
		printf(" %s", json_object_get_string(json_object_array_get_idx(list, i)));
	printf("%s\n", list && json_object_array_length(list) ? "" : " none");
}

static int parse_days(const char *cmd, const char *opt, const char *arg,
		      unsigned long long *out)
{
	char *end;

	if (!arg)
		return lictl_usage_error(cmd, "%s needs a number of days", opt);
	errno = 0;
	*out = strtoull(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno || *out > 36500)
		return lictl_usage_error(cmd, "%s \"%s\": expected 0 to 36500", opt, arg);
	return 0;
}

int cmd_access_review(int argc, char **argv, const struct lictl_opts *opts)
{
	const char *cmd = argv[0];
	struct json_object *req, *reply, *review, *list;
	unsigned long long days = 30, inactive = 0;
	bool have_inactive = false;
	int status = 0;

	/* Every option takes a value: options are at odd positions. */
	for (int i = 1; i < argc; i += 2) {
		const char *arg = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--days")) {
			status = parse_days(cmd, argv[i], arg, &days);
		} else if (!strcmp(argv[i], "--inactive-days")) {
			status = parse_days(cmd, argv[i], arg, &inactive);
			have_inactive = true;
		} else {
			return lictl_usage_error(cmd, "\"%s\": unknown argument; expected --days N or --inactive-days N",
						 argv[i]);
		}
		if (status)
			return status;
	}
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("access_review"));
	json_object_object_add(req, "days", json_object_new_uint64(days));
	if (have_inactive)
		json_object_object_add(req, "inactive_days", json_object_new_uint64(inactive));
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
	print_users(review);
	json_object_put(reply);
	return LICTL_EXIT_OK;
}
