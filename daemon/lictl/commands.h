/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lictl subcommands. Each lives in its own file and has one row in the
 * table in main.c. A command receives argv[0] = its full name ("tap add")
 * and its own arguments after it; "-h"/"--help" never reaches it (main
 * prints the row's usage). It returns the process exit status:
 * 0 success, 1 runtime failure, 2 usage error (LICTL_EXIT_*).
 */
#ifndef LICTL_COMMANDS_H
#define LICTL_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

#include "netlink/lnl.h"

#define LICTL_EXIT_OK		0
#define LICTL_EXIT_FAILURE	1
#define LICTL_EXIT_USAGE	2

struct lictl_opts {
	bool json;		/* -j/--json: machine output, see lictl(8) */
};

typedef int (*lictl_cmd_fn)(int argc, char **argv,
			    const struct lictl_opts *opts);

int cmd_tap_add(int argc, char **argv, const struct lictl_opts *opts);
int cmd_tap_del(int argc, char **argv, const struct lictl_opts *opts);
int cmd_tap_show(int argc, char **argv, const struct lictl_opts *opts);
int cmd_tap_flush(int argc, char **argv, const struct lictl_opts *opts);
int cmd_stats(int argc, char **argv, const struct lictl_opts *opts);
int cmd_monitor(int argc, char **argv, const struct lictl_opts *opts);
int cmd_calls(int argc, char **argv, const struct lictl_opts *opts);
int cmd_call_show(int argc, char **argv, const struct lictl_opts *opts);
int cmd_listen(int argc, char **argv, const struct lictl_opts *opts);
int cmd_sessions(int argc, char **argv, const struct lictl_opts *opts);
int cmd_stop(int argc, char **argv, const struct lictl_opts *opts);
int cmd_audit(int argc, char **argv, const struct lictl_opts *opts);
int cmd_access_review(int argc, char **argv, const struct lictl_opts *opts);
int cmd_watch(int argc, char **argv, const struct lictl_opts *opts);

/*
 * Sends req (consumed) to listenind; the reply, or NULL with the error
 * printed and *status set. For the session, audit and access commands.
 */
struct json_object;
struct json_object *lictl_ctl_request(const char *cmd, struct json_object *req, int *status);
/* A member as a string ("-" never), or NULL when absent or null. */
const char *lictl_str(struct json_object *obj, const char *key);
/* A member holding CLOCK_REALTIME milliseconds as "YYYY-MM-DD HH:MM:SSZ", or "-". */
const char *lictl_time_ms(struct json_object *obj, const char *key, char *buf, size_t len);

/* "lictl: CMD: message" on stderr; both return their exit status. */
int lictl_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int lictl_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Opens the netlink handle; on failure prints why (module not loaded, ...)
 * and returns an exit status, else 0.
 */
int lictl_nl_open(const char *cmd, struct lnl **nl);
/* Prints a failed request's error (extack message, permission hint). */
int lictl_nl_error(const char *cmd, struct lnl *nl, int err);

/* Rejects any argument left over; returns 0 or an exit status. */
int lictl_no_args(const char *cmd, int argc, char **argv);
/* Parses a tap id (1..UINT32_MAX); returns 0 or an exit status. */
int lictl_parse_id(const char *cmd, const char *arg, uint32_t *id);

#endif
