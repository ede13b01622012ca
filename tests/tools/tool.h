/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the traffic tools share besides the RTP format: options and
 * arguments, UDP endpoints and sockets, the clock, and SIGTERM/SIGINT
 * ending a run early. A tool defines TOOL, its name, before including this
 * file: every message starts with it.
 */
#ifndef LISTENIN_TESTS_TOOL_H
#define LISTENIN_TESTS_TOOL_H

#ifndef TOOL
#error "define TOOL, the program's name, before including tool.h"
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static inline void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static inline void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static inline void __attribute__((noreturn)) die_try_help(void)
{
	fputs("Try '" TOOL " --help'.\n", stderr);
	exit(2);
}

static inline void __attribute__((format(printf, 1, 2), noreturn)) die_usage(const char *fmt, ...)
{
	va_list ap;

	fputs(TOOL ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	die_try_help();
}

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleeps until now() is t, or a stop signal came. */
static inline void sleep_until(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t };

	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Parses an unsigned number (decimal or 0x hex) no larger than max. */
static inline int parse_uint(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || *end || *v > max)
		return -1;
	return 0;
}

/* Parses a decimal number within lo..hi. */
static inline int parse_double(const char *s, double lo, double hi, double *v)
{
	char *end;

	if (!*s)
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	if (errno || *end || !(*v >= lo && *v <= hi))
		return -1;
	return 0;
}

/* Parses a non-negative number of seconds, decimals allowed. */
static inline int parse_seconds(const char *s, double *v)
{
	if (*s == '-' || *s == '+')
		return -1;
	return parse_double(s, 0, 86400, v);
}

/* The options several tools take, each with the same meaning and message. */
static inline double opt_duration(const char *s)
{
	double v;

	if (parse_seconds(s, &v) || v == 0)
		die_usage("--duration wants seconds, more than 0 and at most 86400, not '%s'", s);
	return v;
}

static inline double opt_idle(const char *s)
{
	double v;

	if (parse_seconds(s, &v) || v == 0)
		die_usage("--idle wants seconds, more than 0, not '%s'", s);
	return v;
}

static inline unsigned long long opt_ssrc(const char *s)
{
	unsigned long long v;

	if (parse_uint(s, UINT32_MAX, &v))
		die_usage("--ssrc wants a 32-bit number, not '%s'", s);
	return v;
}

/* Parses ADDR:PORT or [ADDR6]:PORT; port 0 only when allow_zero. */
static inline int parse_endpoint(const char *s, struct sockaddr_storage *ss,
				 socklen_t *sslen, bool allow_zero)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *port;
	unsigned long p;
	char *end;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -1;
		hl = (size_t)(close - s - 1);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s + 1, hl);
		port = close + 2;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		hl = (size_t)(colon - s);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s, hl);
		port = colon + 1;
	}
	host[hl] = '\0';
	if (!*port || *port == '-' || *port == '+')
		return -1;
	errno = 0;
	p = strtoul(port, &end, 10);
	if (errno || *end || p > 65535 || (!p && !allow_zero))
		return -1;

	if (s[0] != '[') {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return -1;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)p);
		*sslen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return -1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)p);
		*sslen = sizeof(*sin6);
	}
	return 0;
}

static inline const char *format_endpoint(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(sin->sin_port));
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ntohs(sin6->sin6_port));
	}
	return buf;
}

static inline uint16_t endpoint_port(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ? ((const struct sockaddr_in *)ss)->sin_port :
						((const struct sockaddr_in6 *)ss)->sin6_port);
}

static inline bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		       &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr));
}

static inline bool same_endpoint(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	return same_host(a, b) && endpoint_port(a) == endpoint_port(b);
}

/* A sender's two arguments, SRC and DST, after the options; SRC port 0 picks one. */
static inline void parse_src_dst(int argc, char *argv[], struct sockaddr_storage *src,
				 socklen_t *srclen, struct sockaddr_storage *dst, socklen_t *dstlen)
{
	if (argc - optind != 2)
		die_usage("%s", "wants two arguments, SRC and DST (ADDR:PORT or [ADDR]:PORT)");
	if (parse_endpoint(argv[optind], src, srclen, true))
		die_usage("SRC '%s' is not ADDR:PORT or [IPv6]:PORT", argv[optind]);
	if (parse_endpoint(argv[optind + 1], dst, dstlen, false))
		die_usage("DST '%s' is not ADDR:PORT or [IPv6]:PORT with a port 1..65535",
			  argv[optind + 1]);
	if (src->ss_family != dst->ss_family)
		die_usage("SRC and DST must both be IPv4 or both IPv6 (SRC is '%s')", argv[optind]);
}

/* A receiver's argument, BIND. */
static inline void parse_bind(const char *arg, struct sockaddr_storage *ss, socklen_t *len)
{
	if (parse_endpoint(arg, ss, len, false))
		die_usage("BIND '%s' is not ADDR:PORT or [IPv6]:PORT with a port 1..65535", arg);
}

/*
 * A UDP socket bound to *ss (arg: as the user wrote it), with a receive
 * buffer of rcvbuf bytes unless 0; *ss gets the port the kernel picked for
 * port 0. Says what failed and returns -1 on failure.
 */
static inline int udp_bind(struct sockaddr_storage *ss, socklen_t *len, const char *arg,
			   int rcvbuf)
{
	int fd = socket(ss->ss_family, SOCK_DGRAM, 0);

	if (fd < 0) {
		perror(TOOL ": socket");
		return -1;
	}
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)ss, *len)) {
		fprintf(stderr, TOOL ": cannot bind to %s: %s\n", arg, strerror(errno));
		close(fd);
		return -1;
	}
	*len = sizeof(*ss);
	getsockname(fd, (struct sockaddr *)ss, len);
	return fd;
}

/* Creates the --ready file that tells a script the socket is bound. */
static inline int create_ready(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		fprintf(stderr, TOOL ": cannot create ready file %s: %s\n", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

#endif
