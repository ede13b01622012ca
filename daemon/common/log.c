// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"

static const char *log_ident = "listenin";
static bool use_syslog;
static int max_level = LOG_NOTICE;

static const char *const level_names[] = {
	[LOG_EMERG] = "emerg",
	[LOG_ALERT] = "alert",
	[LOG_CRIT] = "crit",
	[LOG_ERR] = "err",
	[LOG_WARNING] = "warning",
	[LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

void log_init(const char *ident, bool to_syslog, int level)
{
	if (use_syslog)
		closelog();
	log_ident = ident;
	use_syslog = to_syslog;
	log_set_level(level);
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(int level)
{
	if (level < LOG_EMERG)
		level = LOG_EMERG;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	max_level = level;
}

int log_get_level(void)
{
	return max_level;
}

int log_level_parse(const char *name)
{
	for (int i = LOG_EMERG; i <= LOG_DEBUG; i++)
		if (!strcasecmp(name, level_names[i]))
			return i;
	if (!strcasecmp(name, "error"))
		return LOG_ERR;
	if (!strcasecmp(name, "warn"))
		return LOG_WARNING;
	return -1;
}

void log_vmsg(int level, const char *fmt, va_list ap)
{
	if (level > max_level)
		return;
	if (use_syslog) {
		vsyslog(level, fmt, ap);
		return;
	}
	flockfile(stderr);
	if (level <= LOG_ERR)
		fprintf(stderr, "%s: ", log_ident);
	else
		fprintf(stderr, "%s: %s: ", log_ident, level_names[level]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
