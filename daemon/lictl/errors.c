// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/num.h"
#include "lictl/commands.h"

__attribute__((format(printf, 2, 0)))
static void vreport(const char *cmd, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "lictl: %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int lictl_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(cmd, fmt, ap);
	va_end(ap);
	return LICTL_EXIT_USAGE;
}

int lictl_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(cmd, fmt, ap);
	va_end(ap);
	return LICTL_EXIT_FAILURE;
}

int lictl_nl_open(const char *cmd, struct lnl **nl)
{
	char why[256];
	int ret;

	ret = lnl_open(nl, why, sizeof(why));
	if (!ret)
		return 0;
	if (why[0])
		return lictl_error(cmd, "%s", why);
	return lictl_error(cmd, "cannot open a generic netlink socket: %s",
			   strerror(-ret));
}

int lictl_nl_error(const char *cmd, struct lnl *nl, int err)
{
	const char *msg = lnl_error(nl);

	if (err == -EPERM)
		return lictl_error(cmd, "permission denied: CAP_NET_ADMIN is required in this network namespace (run as root)%s%s",
				   msg ? "; kernel: " : "", msg ? msg : "");
	if (err == -EBADMSG && msg)
		return lictl_error(cmd, "malformed reply from the kernel: %s", msg);
	if (err == -ENOBUFS)
		return lictl_error(cmd, "the netlink receive buffer overflowed: %s",
				   msg ? msg : "replies were lost");
	if (!lnl_error_from_kernel(nl))
		return lictl_error(cmd, "%s%s%s", msg ? msg : "", msg ? ": " : "",
				   strerror(-err));
	if (msg)
		return lictl_error(cmd, "kernel: %s (%s)", msg, strerror(-err));
	return lictl_error(cmd, "kernel: %s", strerror(-err));
}

int lictl_no_args(const char *cmd, int argc, char **argv)
{
	if (argc <= 1)
		return 0;
	if (!strcmp(argv[1], "-j") || !strcmp(argv[1], "--json"))
		return lictl_usage_error(cmd, "\"%s\": global options go before the command, as in: lictl -j %s",
					 argv[1], cmd);
	return lictl_usage_error(cmd, "\"%s\": unexpected argument (see: lictl %s --help)",
				 argv[1], cmd);
}

int lictl_parse_id(const char *cmd, const char *arg, uint32_t *id)
{
	if (!strcmp(arg, "-j") || !strcmp(arg, "--json"))
		return lictl_usage_error(cmd, "\"%s\": global options go before the command, as in: lictl -j %s",
					 arg, cmd);
	if (num_parse_u32(arg, 1, UINT32_MAX, id))
		return lictl_usage_error(cmd, "\"%s\": tap id must be a number 1..4294967295",
					 arg);
	return 0;
}
