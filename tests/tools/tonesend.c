// SPDX-License-Identifier: GPL-2.0
/*
 * tonesend: one side of a phone call's media: RTP with a PCMU (G.711 mu-law)
 * sine tone of a chosen frequency, 8 kHz, at a steady packet rate, from a
 * fixed source port (symmetric RTP) until a count, a duration or SIGTERM.
 * Two of them at different frequencies make a call whose two directions
 * can be told apart by ear or by wavmix.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

#include "rtp.h"

#define RATE_HZ 8000
#define PI 3.14159265358979323846

/* sin(x) without libm: reduced to [-pi, pi], then a Taylor series to x^17. */
static double sine(double x)
{
	double term, sum, x2;

	x -= 2 * PI * (double)(long long)(x / (2 * PI));
	if (x > PI)
		x -= 2 * PI;
	else if (x < -PI)
		x += 2 * PI;
	x2 = x * x;
	term = x;
	sum = x;
	for (int n = 1; n <= 8; n++) {
		term *= -x2 / (double)((2 * n) * (2 * n + 1));
		sum += term;
	}
	return sum;
}

static const char usage[] =
	"Usage: tonesend [OPTIONS] SRC DST\n"
	"Sends RTP carrying a PCMU (G.711 mu-law) sine tone from SRC to DST.\n"
	"  SRC, DST             ADDR:PORT, or [ADDR]:PORT for IPv6; SRC port 0 picks one\n"
	"  -f, --freq HZ        tone frequency, 20..3900 Hz (default 440)\n"
	"  -a, --amplitude A    peak amplitude, 1..32767 of 16-bit full scale (default\n"
	"                       8192, -12 dBFS)\n"
	"  -r, --rate PPS       packets per second, 10..100, dividing 8000 (default 50)\n"
	"  -c, --count N        packets to send (default: until --duration or SIGTERM)\n"
	"  -d, --duration SECS  stop after SECS seconds (decimals allowed)\n"
	"  -s, --ssrc SSRC      RTP SSRC, decimal or 0x hex (default 0x746f6e65)\n"
	"  -Q, --quiet          do not print the summary line\n"
	"Prints: sent=N errors=N freq=HZ ssrc=0xSSRC from=ADDR:PORT to=ADDR:PORT\n"
	"Exit status: 0 all sent, 1 send errors, 2 bad arguments or setup failure.\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void __attribute__((format(printf, 1, 2), noreturn)) die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tonesend: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'tonesend --help'.\n");
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t };

	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static int parse_double(const char *s, double lo, double hi, double *v)
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

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "freq", required_argument, NULL, 'f' },
		{ "amplitude", required_argument, NULL, 'a' },
		{ "rate", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "ssrc", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned long long rate = 50, count = ULLONG_MAX, ssrc = 0x746f6e65;
	unsigned long long sent = 0, errors = 0, i, amp = 8192;
	double freq = 440, duration = 0, start, end, phase_step;
	struct sockaddr_storage src, dst;
	socklen_t srclen, dstlen;
	struct sigaction sa = { .sa_handler = on_signal };
	uint8_t buf[RTP_HEADER_LEN + RATE_HZ / 10];
	bool quiet = false;
	char from[INET6_ADDRSTRLEN + 8];
	size_t len;
	int c, fd;

	while ((c = getopt_long(argc, argv, "f:a:r:c:d:s:Qh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (parse_double(optarg, 20, 3900, &freq))
				die_usage("--freq wants a frequency of 20..3900 Hz, not '%s'", optarg);
			break;
		case 'a':
			if (parse_uint(optarg, 32767, &amp) || !amp)
				die_usage("--amplitude wants 1..32767, not '%s'", optarg);
			break;
		case 'r':
			if (parse_uint(optarg, 100, &rate) || rate < 10 || RATE_HZ % rate)
				die_usage("--rate wants 10..100 packets per second dividing 8000, not '%s'",
					  optarg);
			break;
		case 'c':
			if (parse_uint(optarg, ULLONG_MAX, &count) || !count)
				die_usage("--count wants a number of packets above 0, not '%s'", optarg);
			break;
		case 'd':
			if (parse_seconds(optarg, &duration) || duration == 0)
				die_usage("--duration wants seconds, more than 0 and at most 86400, not '%s'", optarg);
			break;
		case 's':
			if (parse_uint(optarg, UINT32_MAX, &ssrc))
				die_usage("--ssrc wants a 32-bit number, not '%s'", optarg);
			break;
		case 'Q':
			quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs("Try 'tonesend --help'.\n", stderr);
			return 2;
		}
	}
	if (argc - optind != 2)
		die_usage("%s", "wants two arguments, SRC and DST (ADDR:PORT or [ADDR]:PORT)");
	if (parse_endpoint(argv[optind], &src, &srclen, true))
		die_usage("SRC '%s' is not ADDR:PORT or [IPv6]:PORT", argv[optind]);
	if (parse_endpoint(argv[optind + 1], &dst, &dstlen, false))
		die_usage("DST '%s' is not ADDR:PORT or [IPv6]:PORT with a port 1..65535",
			  argv[optind + 1]);
	if (src.ss_family != dst.ss_family)
		die_usage("SRC and DST must both be IPv4 or both IPv6 (SRC is '%s')", argv[optind]);

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fd = socket(src.ss_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("tonesend: socket");
		return 2;
	}
	if (bind(fd, (struct sockaddr *)&src, srclen)) {
		fprintf(stderr, "tonesend: cannot bind to %s: %s\n", argv[optind], strerror(errno));
		return 2;
	}
	srclen = sizeof(src);
	getsockname(fd, (struct sockaddr *)&src, &srclen);

	len = RATE_HZ / rate;
	phase_step = 2.0 * PI * freq / RATE_HZ;
	start = now();
	end = duration > 0 ? start + duration : 0;
	for (i = 0; i < count && !stop; i++) {
		uint32_t ts = (uint32_t)(i * len);
		double t = start + (double)i / (double)rate;

		if (end && t >= end)
			break;
		sleep_until(t);
		if (stop)
			break;
		buf[0] = 0x80;
		buf[1] = i ? 0 : 0x80;		/* PCMU; marker on the first packet */
		put16(buf + 2, (uint16_t)i);
		put32(buf + 4, ts);
		put32(buf + 8, (uint32_t)ssrc);
		for (size_t k = 0; k < len; k++)
			buf[RTP_HEADER_LEN + k] =
				ulaw((int16_t)((double)amp * sine(phase_step * (double)(ts + k))));
		if (sendto(fd, buf, RTP_HEADER_LEN + len, 0, (struct sockaddr *)&dst, dstlen) ==
		    (ssize_t)(RTP_HEADER_LEN + len))
			sent++;
		else if (!errors++)
			fprintf(stderr, "tonesend: sending packet %llu to %s failed: %s\n",
				i, argv[optind + 1], strerror(errno));
	}
	close(fd);
	if (!quiet)
		printf("sent=%llu errors=%llu freq=%g ssrc=0x%08llx from=%s to=%s\n", sent, errors,
		       freq, ssrc, format_endpoint(&src, from, sizeof(from)), argv[optind + 1]);
	return errors ? 1 : 0;
}
