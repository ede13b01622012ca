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

#define TOOL "tonesend"
#include "rtp.h"

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
			duration = opt_duration(optarg);
			break;
		case 's':
			ssrc = opt_ssrc(optarg);
			break;
		case 'Q':
			quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			die_try_help();
		}
	}
	parse_src_dst(argc, argv, &src, &srclen, &dst, &dstlen);

	catch_stop_signals();
	fd = udp_bind(&src, &srclen, argv[optind], 0);
	if (fd < 0)
		return 2;

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
		/* PCMU; marker on the first packet */
		put_rtp_header(buf, RTP_V2, i ? 0 : 0x80, (uint16_t)i, ts, (uint32_t)ssrc);
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
