/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logging to stderr (default) or syslog, with syslog's levels (LOG_ERR ..
 * LOG_DEBUG from <syslog.h>). Messages above the current level are dropped.
 *
 * On stderr a message reads "IDENT: text" for errors and
 * "IDENT: warning: text", "IDENT: debug: text" and so on for the rest.
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

/* ident is kept by pointer and must outlive logging. */
void log_init(const char *ident, bool to_syslog, int level);
void log_set_level(int level);
int log_get_level(void);
/* Parses "err", "warning", "notice", "info" or "debug"; -1 if unknown. */
int log_level_parse(const char *name);

void log_msg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(int level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
