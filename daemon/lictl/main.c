// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "lictl/commands.h"

struct command {
	const char *group;	/* first word */
	const char *name;	/* second word, or NULL for one-word commands */
	lictl_cmd_fn fn;
	const char *summary;
	const char *usage;	/* what follows the command words */
	const char *details;
};

static const struct command commands[] = {
	{ "tap", "add", cmd_tap_add, "create a tap on one call's media",
	  "[--cookie N] [--idle-timeout SECS] STREAM...",
	  "  STREAM := stream DST_ADDR:PORT [from SRC_ADDR[:PORT] | from *:PORT]\n"
	  "                   [ssrc N] [rtcp] OUTPUT...\n"
	  "  OUTPUT := output DST_ADDR:PORT src SRC_ADDR:PORT [listen-only]\n"
	  "\n"
	  "  A stream matches UDP packets to DST_ADDR:PORT, optionally only from\n"
	  "  SRC_ADDR (and port) and with RTP SSRC N; rtcp also copies its RTCP.\n"
	  "  Each output sends every matched packet again, rewritten to its\n"
	  "  DST_ADDR:PORT from its src SRC_ADDR:PORT; listen-only drops packets\n"
	  "  coming back from the output's destination. IPv6: [ADDR]:PORT.\n"
	  "  --cookie N          64-bit value kept with the tap (default 0)\n"
	  "  --idle-timeout SECS remove the tap after SECS without media, 1..86400\n"
	  "                      (default 30)\n"
	  "  Example:\n"
	  "    lictl tap add stream 10.0.0.5:40000 from 198.51.100.7 rtcp \\\n"
	  "        output 10.9.0.2:5004 src 10.0.0.1:30000 listen-only\n" },
	{ "tap", "del", cmd_tap_del, "delete a tap", "ID", NULL },
	{ "tap", "show", cmd_tap_show, "show taps with their counters", "[ID]",
	  "  Without ID, every tap of the network namespace.\n" },
	{ "tap", "flush", cmd_tap_flush, "delete every tap", "", NULL },
	{ "stats", NULL, cmd_stats, "show namespace and global counters", "",
	  NULL },
	{ "monitor", NULL, cmd_monitor, "print tap events as they happen", "",
	  "  Runs until interrupted (SIGINT, SIGTERM), one line per event.\n" },
	{ "calls", NULL, cmd_calls, "list the calls listenind knows", "",
	  "  From listenind's control socket ($LISTENIND_SOCKET, default\n"
	  "  /run/listenind/control.sock).\n" },
	{ "call", "show", cmd_call_show, "show one call: parties, media, history",
	  "ID", "  ID is the call's id from \"lictl calls\", or its SIP Call-ID.\n" },
	{ "listen", NULL, cmd_listen, "start listening to a call (listenind decides)",
	  "CALL --to ADDR:PORT --reason CODE [--note TEXT] [--mode MODE]",
	  "  CALL is a call's id from \"lictl calls\", or its SIP Call-ID. listenind\n"
	  "  checks the policy for your Unix account and audits the decision. Both\n"
	  "  directions are copied to ADDR:PORT: caller->callee from the session's\n"
	  "  source port P, callee->caller from P+2 (their RTCP from P+1 and P+3 to\n"
	  "  PORT+1). Talk-back toward the gateway is dropped (listen-only).\n"
	  "  --reason CODE  the business purpose, one of the policy's reasons\n"
	  "  --note TEXT    free text (a ticket number; some reasons require it)\n"
	  "  --mode MODE    listen (default); whisper and barge are not available yet\n" },
	{ "sessions", NULL, cmd_sessions, "list monitoring sessions (yours; all for admins)",
	  "", NULL },
	{ "stop", NULL, cmd_stop, "stop a monitoring session, or all of them",
	  "SESSION | --all [--note TEXT]",
	  "  SESSION is a number from \"lictl sessions\". Your own sessions, or any\n"
	  "  for administrators (root, admin_group).\n"
	  "  --all          administrators only: the admin flush. One admin_flush\n"
	  "                 audit record names you, then every session ends\n"
	  "                 (end cause admin_flush) and its tap is deleted.\n"
	  "  --note TEXT    why, kept in the admin_flush record\n" },
	{ "audit", "list", cmd_audit, "list the newest audit records (admins)",
	  "[--limit N] [--from SEQ] [--uid UID] [--event EVENT]",
	  "  Default: the 20 newest records. EVENT: session_start, session_stop,\n"
	  "  mode_change, denial, policy_reload, admin_flush, retention_purge,\n"
	  "  daemon_start, daemon_stop.\n" },
	{ "audit", "show", cmd_audit, "show one audit record (admins)", "SEQ", NULL },
	{ "audit", "verify", cmd_audit, "verify the audit trail's hash chain (admins)", "",
	  "  Exit status 1 when a record does not fit the chain; prints which.\n" },
	{ "audit", "export", cmd_audit, "export audit records as JSON Lines (admins)",
	  "[--limit N] [--from SEQ] [--uid UID] [--event EVENT]", NULL },
	{ "access", "review", cmd_access_review, "who may monitor what (admins)",
	  "[--days N] [--inactive-days N]",
	  "  Every grant of the running policy with its users, role and scope, the\n"
	  "  grants expiring within N days (default 30), and every granted user with\n"
	  "  their last audited action, flagged when older than --inactive-days\n"
	  "  (default: inactive_days in [policy] of listenind.conf; 0 flags nobody)\n"
	  "  or never seen.\n" },
	{ "watch", NULL, cmd_watch, "print agent notices as listenind sends them",
	  "",
	  "  For administrators and notice_group. One line per notice (started,\n"
	  "  repointed, stopped; \"active\" for sessions running when you connect)\n"
	  "  about sessions on calls at sites with notice = event. While nobody\n"
	  "  watches, listenind refuses sessions at those sites. Runs until\n"
	  "  interrupted.\n" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_usage_line(FILE *f, const struct command *c)
{
	fprintf(f, "%s%s%s%s%s", c->group, c->name ? " " : "",
		c->name ? c->name : "", c->usage[0] ? " " : "", c->usage);
}

static void print_help(FILE *f)
{
	fprintf(f, "Usage: lictl [-j|--json] COMMAND [ARGS...]\n"
		   "       lictl help [COMMAND]\n"
		   "       lictl COMMAND --help\n\n"
		   "Administers listenin.ko, the in-kernel call monitoring module.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++) {
		char name[32];

		snprintf(name, sizeof(name), "%s%s%s", commands[i].group,
			 commands[i].name ? " " : "",
			 commands[i].name ? commands[i].name : "");
		fprintf(f, "  %-12s %s\n", name, commands[i].summary);
	}
	fprintf(f, "\nOptions:\n"
		   "  -j, --json     print JSON instead of text (see lictl(8))\n"
		   "  -h, --help     print this help\n"
		   "  -V, --version  print the protocol version lictl speaks\n");
}

static void print_command_help(const struct command *c)
{
	printf("Usage: lictl ");
	print_usage_line(stdout, c);
	printf("\n\n%c%s.\n", toupper((unsigned char)c->summary[0]),
	       c->summary + 1);
	if (c->details)
		printf("\n%s", c->details);
}

static const char *group_names(const char *group, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(commands[i].group, group) || !commands[i].name)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					off ? ", " : "", commands[i].name);
		if (off >= len)
			break;
	}
	return buf;
}

/*
 * Finds the command named by argv[0] (and argv[1]); *words: how many
 * words it took. Prints the error and returns NULL when there is none.
 */
static const struct command *find(int argc, char **argv, int *words, int *status)
{
	bool group_known = false;
	char names[128];

	for (size_t i = 0; i < N_COMMANDS; i++) {
		const struct command *c = &commands[i];

		if (strcmp(c->group, argv[0]))
			continue;
		group_known = true;
		if (!c->name) {
			*words = 1;
			return c;
		}
		if (argc > 1 && !strcmp(c->name, argv[1])) {
			*words = 2;
			return c;
		}
	}
	if (!group_known) {
		fprintf(stderr, "lictl: \"%s\": unknown command (see: lictl help)\n",
			argv[0]);
		*status = LICTL_EXIT_USAGE;
		return NULL;
	}
	group_names(argv[0], names, sizeof(names));
	if (argc < 2) {
		fprintf(stderr, "lictl: %s: missing subcommand: expected one of %s\n",
			argv[0], names);
		*status = LICTL_EXIT_USAGE;
	} else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		printf("Usage:\n");
		for (size_t i = 0; i < N_COMMANDS; i++) {
			if (strcmp(commands[i].group, argv[0]))
				continue;
			printf("  lictl ");
			print_usage_line(stdout, &commands[i]);
			printf("\n");
		}
		*status = LICTL_EXIT_OK;
	} else {
		fprintf(stderr, "lictl: %s: \"%s\": unknown subcommand: expected one of %s\n",
			argv[0], argv[1], names);
		*status = LICTL_EXIT_USAGE;
	}
	return NULL;
}

static bool is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

int main(int argc, char **argv)
{
	struct lictl_opts opts = { 0 };
	const struct command *c;
	char fullname[32];
	int i, words, status = LICTL_EXIT_USAGE;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			opts.json = true;
		} else if (is_help(argv[i])) {
			print_help(stdout);
			return LICTL_EXIT_OK;
		} else if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			printf("lictl: generic netlink family \"%s\" version %d\n",
			       LISTENIN_GENL_NAME, LISTENIN_GENL_VERSION);
			return LICTL_EXIT_OK;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			fprintf(stderr, "lictl: \"%s\": unknown option; expected -j/--json, -h/--help or -V/--version\n",
				argv[i]);
			return LICTL_EXIT_USAGE;
		}
	}
	if (i == argc) {
		print_help(stderr);
		return LICTL_EXIT_USAGE;
	}
	argc -= i;
	argv += i;

	if (!strcmp(argv[0], "help")) {
		if (argc == 1) {
			print_help(stdout);
			return LICTL_EXIT_OK;
		}
		if (argc == 2) {
			/* "help tap" lists the group like "tap --help". */
			char *group_help[] = { argv[1], "--help", NULL };

			c = find(2, group_help, &words, &status);
		} else {
			c = find(argc - 1, argv + 1, &words, &status);
		}
		if (!c)
			return status;
		print_command_help(c);
		return LICTL_EXIT_OK;
	}

	c = find(argc, argv, &words, &status);
	if (!c)
		return status;
	argc -= words - 1;
	argv += words - 1;
	if (argc > 1 && is_help(argv[1])) {
		print_command_help(c);
		return LICTL_EXIT_OK;
	}
	snprintf(fullname, sizeof(fullname), "%s%s%s", c->group,
		 c->name ? " " : "", c->name ? c->name : "");
	argv[0] = fullname;
	return c->fn(argc, argv, &opts);
}
