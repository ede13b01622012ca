// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>

#include "common/jout.h"
#include "lictl/commands.h"
#include "lictl/format.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *event_name(uint8_t cmd)
{
	return cmd == LISTENIN_CMD_TAP_EXPIRED ? "expired" : "deleted";
}

static const char *cause_name(uint32_t cause)
{
	const char *name = lnl_end_cause_name(cause);

	return name ? name : "unknown";
}

static int print_event(const struct lnl_event *ev, void *arg)
{
	const struct lictl_opts *opts = arg;
	char now[64];

	format_now(now, sizeof(now));
	if (opts->json) {
		struct json_object *obj = json_object_new_object();

		jout_add_str(obj, "time", now);
		jout_add_str(obj, "event", event_name(ev->cmd));
		jout_add_u64(obj, "id", ev->id);
		jout_add_u64(obj, "cookie", ev->cookie);
		jout_add_str(obj, "cause", cause_name(ev->end_cause));
		json_object_object_add(obj, "counters",
				       format_json_counters(&ev->counters));
		return jout_print(stdout, obj) ? -EIO : 0;
	}
	printf("%s tap %" PRIu32 " %s: cookie 0x%" PRIx64 " cause %s ", now,
	       ev->id, event_name(ev->cmd), ev->cookie, cause_name(ev->end_cause));
	format_print_counters_line(stdout, &ev->counters);
	putchar('\n');
	return fflush(stdout) ? -EIO : 0;
}

static int report_loss(const char *cmd, const struct lictl_opts *opts)
{
	char now[64];

	fprintf(stderr, "lictl: %s: events were lost (socket receive buffer overflowed); run \"lictl tap show\" to resynchronise\n",
		cmd);
	if (!opts->json)
		return 0;
	struct json_object *obj = json_object_new_object();

	jout_add_str(obj, "time", format_now(now, sizeof(now)));
	jout_add_str(obj, "event", "lost");
	return jout_print(stdout, obj) ? -EIO : 0;
}

static int watch(const char *cmd, struct lnl *nl, const struct lictl_opts *opts,
		 const sigset_t *orig)
{
	struct pollfd pfd = { .fd = lnl_fd(nl), .events = POLLIN };
	int ret;

	while (!stop) {
		if (ppoll(&pfd, 1, NULL, orig) < 0) {
			if (errno == EINTR)
				continue;
			return lictl_error(cmd, "poll: %m");
		}
		for (;;) {
			ret = lnl_events_recv(nl, print_event, (void *)opts);
			if (ret == -EAGAIN)
				break;
			if (ret == -ENOBUFS)
				ret = report_loss(cmd, opts);
			if (ret == -EIO)
				return lictl_error(cmd, "cannot write to standard output");
			if (ret)
				return lictl_nl_error(cmd, nl, ret);
		}
	}
	return LICTL_EXIT_OK;
}

int cmd_monitor(int argc, char **argv, const struct lictl_opts *opts)
{
	const char *cmd = argv[0];
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, orig;
	struct lnl *nl;
	int ret;

	ret = lictl_no_args(cmd, argc, argv);
	if (ret)
		return ret;
	ret = lictl_nl_open(cmd, &nl);
	if (ret)
		return ret;
	ret = lnl_events_subscribe(nl);
	if (ret) {
		ret = lictl_nl_error(cmd, nl, ret);
		lnl_close(nl);
		return ret;
	}
	if (fcntl(lnl_fd(nl), F_SETFL, fcntl(lnl_fd(nl), F_GETFL) | O_NONBLOCK) < 0) {
		lnl_close(nl);
		return lictl_error(cmd, "cannot make the netlink socket non-blocking: %m");
	}

	/* Signals arrive only inside ppoll(), so none is missed between checks. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigdelset(&orig, SIGINT);
	sigdelset(&orig, SIGTERM);

	ret = watch(cmd, nl, opts, &orig);
	lnl_close(nl);
	return ret;
}
