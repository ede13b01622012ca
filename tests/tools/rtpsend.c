// SPDX-License-Identifier: GPL-2.0
/*
 * rtpsend: sends numbered RTP packets over UDP at a steady rate, each one
 * rebuildable by rtprecv from its SSRC and sequence number.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <getopt.h>

#define TOOL "rtpsend"
#include "rtp.h"

static const char usage[] =
	"Usage: rtpsend [OPTIONS] SRC DST\n"
	"Sends numbered RTP packets over UDP from SRC to DST.\n"
	"  SRC, DST             ADDR:PORT, or [ADDR]:PORT for IPv6; SRC port 0 picks one\n"
	"  -r, --rate PPS       packets per second, 0 for as fast as possible (default 50)\n"
	"  -c, --count N        packets to send (default 100, or no limit with --duration)\n"
	"  -d, --duration SECS  stop after SECS seconds (decimals allowed)\n"
	"  -s, --ssrc SSRC      RTP SSRC, decimal or 0x hex (default 0x4c490001)\n"
	"  -p, --pt PT          RTP payload type 0..127 (default 0, PCMU)\n"
	"  -l, --len BYTES      payload bytes after the RTP header (default 160)\n"
	"  -q, --seq SEQ        first sequence number 0..65535 (default 0)\n"
	"  -T, --tone           payload is a 1 kHz PCMU tone instead of the test pattern\n"
	"  -R, --rtcp           send RTCP sender reports instead of RTP\n"
	"  -b, --bogus KIND     send datagrams that are not RTP: v0 (RTP header with\n"
	"                       version 0), short (8 bytes), text (ASCII)\n"
	"  -k, --keep-going     count send errors instead of stopping at the first one\n"
	"  -Q, --quiet          do not print the summary line\n"
	"Prints: sent=N errors=N kind=K ssrc=0xSSRC from=ADDR:PORT to=ADDR:PORT\n"
	"Exit status: 0 all sent, 1 send errors, 2 bad arguments or setup failure.\n";

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "rate", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "ssrc", required_argument, NULL, 's' },
		{ "pt", required_argument, NULL, 'p' },
		{ "len", required_argument, NULL, 'l' },
		{ "seq", required_argument, NULL, 'q' },
		{ "tone", no_argument, NULL, 'T' },
		{ "rtcp", no_argument, NULL, 'R' },
		{ "bogus", required_argument, NULL, 'b' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "quiet", no_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned long long rate = 50, count = 100, ssrc = 0x4c490001, pt = 0, len = 160, seq0 = 0;
	bool count_set = false, keep_going = false, quiet = false;
	unsigned long long sent = 0, errors = 0, i;
	struct sockaddr_storage src, dst;
	socklen_t srclen, dstlen;
	double duration = 0, start, end;
	enum kind kind = KIND_RTP;
	int c, fd, first_errno = 0;
	static uint8_t buf[DGRAM_MAX];

	while ((c = getopt_long(argc, argv, "r:c:d:s:p:l:q:TRb:kQh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (parse_uint(optarg, 1000000, &rate))
				die_usage("--rate wants packets per second, 0..1000000, not '%s'", optarg);
			break;
		case 'c':
			if (parse_uint(optarg, ULLONG_MAX, &count))
				die_usage("--count wants a number of packets, not '%s'", optarg);
			count_set = true;
			break;
		case 'd':
			duration = opt_duration(optarg);
			break;
		case 's':
			ssrc = opt_ssrc(optarg);
			break;
		case 'p':
			pt = opt_pt(optarg);
			break;
		case 'l':
			len = opt_len(optarg);
			break;
		case 'q':
			if (parse_uint(optarg, 65535, &seq0))
				die_usage("--seq wants a sequence number 0..65535, not '%s'", optarg);
			break;
		case 'T':
		case 'R':
		case 'b':
			kind = opt_kind(c, optarg);
			break;
		case 'k':
			keep_going = true;
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
	if (kind == KIND_TEXT && len < 32)
		die_usage("%s", "--bogus text wants --len of at least 32");
	if (duration > 0 && !count_set)
		count = ULLONG_MAX;

	fd = udp_bind(&src, &srclen, argv[optind], 0);
	if (fd < 0)
		return 2;

	start = now();
	end = duration > 0 ? start + duration : 0;
	for (i = 0; i < count; i++) {
		uint16_t seq = (uint16_t)(seq0 + i);
		size_t n = build_dgram(buf, kind, (uint32_t)ssrc, seq, (uint8_t)pt, len);

		if (rate) {
			double t = start + (double)i / (double)rate;

			if (end && t >= end)
				break;
			sleep_until(t);
		} else if (end && now() >= end) {
			break;
		}
		if (sendto(fd, buf, n, 0, (struct sockaddr *)&dst, dstlen) == (ssize_t)n) {
			sent++;
			continue;
		}
		if (!errors++)
			first_errno = errno;
		if (!keep_going) {
			fprintf(stderr, "rtpsend: sending packet %llu to %s failed: %s\n",
				i, argv[optind + 1], strerror(errno));
			break;
		}
	}
	close(fd);

	if (!quiet) {
		char sbuf[64], dbuf[64];

		printf("sent=%llu errors=%llu kind=%s ssrc=0x%08llx from=%s to=%s\n",
		       sent, errors, kind_name(kind), ssrc,
		       format_endpoint(&src, sbuf, sizeof(sbuf)),
		       format_endpoint(&dst, dbuf, sizeof(dbuf)));
	}
	if (errors && keep_going)
		fprintf(stderr, "rtpsend: %llu sends failed, the first with: %s\n",
			errors, strerror(first_errno));
	return errors ? 1 : 0;
}
