// SPDX-License-Identifier: GPL-2.0
/*
 * rtprecv: receives what rtpsend sends and proves every datagram
 * byte-identical by rebuilding it from its SSRC and sequence number; counts
 * per SSRC, duplicates, losses, and where the datagrams came from.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <getopt.h>
#include <poll.h>

#define TOOL "rtprecv"
#include "rtp.h"

#define MAX_SSRCS	64
#define MAX_SOURCES	16
#define MAX_EXPECTED	16
#define MAX_REPORTS	20

static const char usage[] =
	"Usage: rtprecv [OPTIONS] BIND\n"
	"Receives on BIND (ADDR:PORT or [ADDR]:PORT) and checks that every datagram is\n"
	"byte-identical to what rtpsend sends for its SSRC and sequence number.\n"
	"  -d, --duration SECS   stop after SECS seconds (default 5, decimals allowed)\n"
	"  -c, --count N         stop after N datagrams\n"
	"  -i, --idle SECS       stop once SECS pass without a datagram (after the first)\n"
	"  -e, --expect N        fail unless exactly N valid packets arrived\n"
	"  -m, --expect-min N    fail unless at least N valid packets arrived\n"
	"  -M, --expect-max N    fail if more than N valid packets arrived\n"
	"  -n, --expect-none     fail if any datagram arrives\n"
	"  -s, --ssrc SSRC       accept only this SSRC (repeatable)\n"
	"  -f, --from ADDR:PORT  accept only datagrams from this source (repeatable)\n"
	"  -p, --pt PT           accept only this payload type\n"
	"  -l, --len BYTES       accept only this payload length\n"
	"  -T, --tone            expect the tone payload (rtpsend --tone)\n"
	"  -R, --rtcp            expect RTCP sender reports (rtpsend --rtcp)\n"
	"  -b, --bogus KIND      expect rtpsend --bogus KIND datagrams (v0, short, text)\n"
	"  -w, --ready FILE      create FILE once bound, for scripts to start senders\n"
	"  -v, --verbose         describe each bad datagram on stderr\n"
	"  -t, --talk DST        also send RTP from BIND to DST (ADDR:PORT), as a phone\n"
	"                        with symmetric RTP talks back from its receiving port\n"
	"      --talk-count N    packets to send with --talk (default 50)\n"
	"      --talk-rate PPS   their rate (default 50)\n"
	"      --talk-delay SECS start sending SECS after binding (default 0)\n"
	"      --talk-ssrc SSRC  their SSRC (default 0x7a7a0001)\n"
	"SIGTERM or SIGINT ends the run early; the summary and checks still follow.\n"
	"Prints one line per SSRC, then the summary:\n"
	"  received=N valid=N corrupt=N unexpected=N duplicates=N lost=N reordered=N\n"
	"  ssrcs=N from=ADDR:PORT[,ADDR:PORT...]\n"
	"With --talk the summary line ends with talk_sent=N talk_errors=N.\n"
	"Exit status: 0 as expected, 1 not as expected (any corrupt, unexpected or\n"
	"duplicate datagram fails), 2 bad arguments or setup failure.\n";

struct stream {
	uint32_t ssrc;
	unsigned long long packets, duplicates, reordered;
	long long min_ext, max_ext;
	unsigned int sources;	/* bit i: came from sources[i] */
	uint8_t seen[65536 / 8];
};

static struct stream streams[MAX_SSRCS];
static unsigned int nstreams;
static struct sockaddr_storage sources[MAX_SOURCES];
static unsigned int nsources;
static bool verbose;
static unsigned int reports;

static int source_index(const struct sockaddr_storage *from)
{
	unsigned int i;

	for (i = 0; i < nsources; i++)
		if (same_endpoint(&sources[i], from))
			return (int)i;
	if (nsources == MAX_SOURCES)
		return -1;
	sources[nsources] = *from;
	return (int)nsources++;
}

static void report(const struct sockaddr_storage *from, const char *what, unsigned long long nr)
{
	if (!verbose || reports >= MAX_REPORTS)
		return;
	if (++reports == MAX_REPORTS) {
		fprintf(stderr, "rtprecv: (more bad datagrams, not shown)\n");
	} else {
		char buf[64];

		fprintf(stderr, "rtprecv: datagram %llu from %s: %s\n", nr,
			format_endpoint(from, buf, sizeof(buf)), what);
	}
}

static struct stream *find_stream(uint32_t ssrc)
{
	unsigned int i;

	for (i = 0; i < nstreams; i++)
		if (streams[i].ssrc == ssrc)
			return &streams[i];
	if (nstreams == MAX_SSRCS)
		return NULL;
	streams[nstreams].ssrc = ssrc;
	return &streams[nstreams++];
}

static void account(struct stream *s, uint16_t seq, int src)
{
	long long ext;
	unsigned int bit;

	if (!s->packets) {
		ext = seq;
		s->min_ext = s->max_ext = ext;
	} else {
		ext = s->max_ext + (int16_t)(seq - (uint16_t)s->max_ext);
	}
	if (src >= 0)
		s->sources |= 1U << src;
	bit = (unsigned int)(ext & 0xffff);
	if (s->packets && (s->seen[bit / 8] & (1U << (bit % 8)))) {
		s->duplicates++;
		return;
	}
	s->seen[bit / 8] |= (uint8_t)(1U << (bit % 8));
	if (s->packets && ext < s->max_ext)
		s->reordered++;
	s->packets++;
	if (ext > s->max_ext)
		s->max_ext = ext;
	if (ext < s->min_ext)
		s->min_ext = ext;
}

static void print_sources(unsigned int mask)
{
	char buf[64];
	unsigned int i;
	bool first = true;

	for (i = 0; i < nsources; i++) {
		if (!(mask & (1U << i)))
			continue;
		printf("%s%s", first ? "" : ",", format_endpoint(&sources[i], buf, sizeof(buf)));
		first = false;
	}
	if (first)
		printf("-");
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "idle", required_argument, NULL, 'i' },
		{ "expect", required_argument, NULL, 'e' },
		{ "expect-min", required_argument, NULL, 'm' },
		{ "expect-max", required_argument, NULL, 'M' },
		{ "expect-none", no_argument, NULL, 'n' },
		{ "ssrc", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'f' },
		{ "pt", required_argument, NULL, 'p' },
		{ "len", required_argument, NULL, 'l' },
		{ "tone", no_argument, NULL, 'T' },
		{ "rtcp", no_argument, NULL, 'R' },
		{ "bogus", required_argument, NULL, 'b' },
		{ "ready", required_argument, NULL, 'w' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "talk", required_argument, NULL, 't' },
		{ "talk-count", required_argument, NULL, 1 },
		{ "talk-rate", required_argument, NULL, 2 },
		{ "talk-delay", required_argument, NULL, 3 },
		{ "talk-ssrc", required_argument, NULL, 4 },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned long long count = ULLONG_MAX, expect = ULLONG_MAX, expect_min = 0;
	unsigned long long expect_max = ULLONG_MAX, pt = ULLONG_MAX, len = ULLONG_MAX;
	unsigned long long received = 0, valid = 0, corrupt = 0, unexpected = 0;
	unsigned long long duplicates = 0, lost = 0, reordered = 0;
	uint32_t want_ssrc[MAX_EXPECTED];
	struct sockaddr_storage want_from[MAX_EXPECTED], bind_addr;
	unsigned int nwant_ssrc = 0, nwant_from = 0, i;
	double duration = 5, idle = 0, start, last = 0;
	const char *ready = NULL;
	struct sockaddr_storage talk;
	socklen_t talk_len = 0;
	unsigned long long talk_count = 50, talk_rate = 50, talk_ssrc = 0x7a7a0001;
	unsigned long long talk_sent = 0, talk_errors = 0;
	double talk_delay = 0, talk_start;
	bool expect_none = false, ok;
	enum kind kind = KIND_RTP;
	socklen_t bind_len;
	int c, fd;
	static uint8_t buf[DGRAM_MAX + 1], ref[DGRAM_MAX + 1];

	while ((c = getopt_long(argc, argv, "d:c:i:e:m:M:ns:f:p:l:TRb:w:vt:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			duration = opt_duration(optarg);
			break;
		case 'c':
			if (parse_uint(optarg, ULLONG_MAX, &count) || !count)
				die_usage("--count wants a number of datagrams above 0, not '%s'", optarg);
			break;
		case 'i':
			idle = opt_idle(optarg);
			break;
		case 'e':
			if (parse_uint(optarg, ULLONG_MAX, &expect))
				die_usage("--expect wants a number of packets, not '%s'", optarg);
			break;
		case 'm':
			if (parse_uint(optarg, ULLONG_MAX, &expect_min))
				die_usage("--expect-min wants a number of packets, not '%s'", optarg);
			break;
		case 'M':
			if (parse_uint(optarg, ULLONG_MAX, &expect_max))
				die_usage("--expect-max wants a number of packets, not '%s'", optarg);
			break;
		case 'n':
			expect_none = true;
			break;
		case 's':
			if (nwant_ssrc == MAX_EXPECTED)
				die_usage("--ssrc may be given at most 16 times, '%s' is one too many", optarg);
			want_ssrc[nwant_ssrc++] = (uint32_t)opt_ssrc(optarg);
			break;
		case 'f':
			if (nwant_from == MAX_EXPECTED)
				die_usage("--from may be given at most 16 times, '%s' is one too many", optarg);
			if (parse_endpoint(optarg, &want_from[nwant_from], &bind_len, false))
				die_usage("--from wants ADDR:PORT or [IPv6]:PORT, not '%s'", optarg);
			nwant_from++;
			break;
		case 'p':
			pt = opt_pt(optarg);
			break;
		case 'l':
			len = opt_len(optarg);
			break;
		case 'T':
		case 'R':
		case 'b':
			kind = opt_kind(c, optarg);
			break;
		case 'w':
			ready = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 't':
			if (parse_endpoint(optarg, &talk, &talk_len, false))
				die_usage("--talk wants ADDR:PORT or [IPv6]:PORT, not '%s'", optarg);
			break;
		case 1:
			if (parse_uint(optarg, ULLONG_MAX, &talk_count))
				die_usage("--talk-count wants a number of packets, not '%s'", optarg);
			break;
		case 2:
			if (parse_uint(optarg, 100000, &talk_rate) || !talk_rate)
				die_usage("--talk-rate wants packets per second, 1..100000, not '%s'", optarg);
			break;
		case 3:
			if (parse_seconds(optarg, &talk_delay))
				die_usage("--talk-delay wants seconds, 0..86400, not '%s'", optarg);
			break;
		case 4:
			if (parse_uint(optarg, UINT32_MAX, &talk_ssrc))
				die_usage("--talk-ssrc wants a 32-bit number, not '%s'", optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			die_try_help();
		}
	}
	if (argc - optind != 1)
		die_usage("%s", "wants one argument, BIND (ADDR:PORT or [ADDR]:PORT)");
	parse_bind(argv[optind], &bind_addr, &bind_len);
	if (expect_none && (expect != ULLONG_MAX || expect_min))
		die_usage("%s", "--expect-none contradicts --expect and --expect-min");
	if (talk_len && talk.ss_family != bind_addr.ss_family)
		die_usage("--talk and BIND must both be IPv4 or both IPv6");
	if (expect != ULLONG_MAX && (expect < expect_min || expect > expect_max))
		die_usage("%s", "--expect is outside --expect-min..--expect-max");

	fd = udp_bind(&bind_addr, &bind_len, argv[optind], 1 << 20);
	if (fd < 0)
		return 2;
	if (ready && create_ready(ready))
		return 2;
	catch_stop_signals();

	start = now();
	talk_start = start + talk_delay;
	while (received < count && !stop) {
		double t = now(), left = start + duration - t;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		uint32_t ssrc;
		uint16_t seq;
		uint8_t dpt;
		size_t dlen;
		ssize_t n;
		struct stream *s;
		int src;
		bool want;

		if (idle > 0 && received && last + idle - t < left)
			left = last + idle - t;
		if (left <= 0)
			break;
		while (talk_len && talk_sent + talk_errors < talk_count) {
			double next = talk_start + (double)(talk_sent + talk_errors) / (double)talk_rate;
			size_t tn;

			if (next > t) {
				if (next - t < left)
					left = next - t;
				break;
			}
			tn = build_dgram(ref, KIND_RTP, (uint32_t)talk_ssrc,
					 (uint16_t)(talk_sent + talk_errors), 0, 160);
			if (sendto(fd, ref, tn, 0, (struct sockaddr *)&talk, talk_len) == (ssize_t)tn)
				talk_sent++;
			else
				talk_errors++;
		}
		n = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("rtprecv: poll");
			return 2;
		}
		if (!n)
			continue;
		n = recvfrom(fd, buf, DGRAM_MAX, MSG_TRUNC, (struct sockaddr *)&from, &fromlen);
		if (n < 0) {
			if (errno == EINTR || errno == ECONNREFUSED)
				continue;
			perror("rtprecv: recvfrom");
			return 2;
		}
		received++;
		last = now();
		src = source_index(&from);
		if (n > DGRAM_MAX) {
			corrupt++;
			report(&from, "longer than any UDP datagram over IP", received);
			continue;
		}
		buf[n] = '\0';
		if (parse_dgram(buf, (size_t)n, kind, &ssrc, &seq, &dpt, &dlen)) {
			corrupt++;
			report(&from, "too short or not the expected kind", received);
			continue;
		}
		if (dlen > DGRAM_MAX - RTP_HEADER_LEN ||
		    build_dgram(ref, kind, ssrc, seq, dpt, dlen) != (size_t)n ||
		    memcmp(ref, buf, (size_t)n)) {
			corrupt++;
			report(&from, "bytes differ from what rtpsend sends", received);
			continue;
		}
		want = !nwant_ssrc;
		for (i = 0; i < nwant_ssrc; i++)
			want |= want_ssrc[i] == ssrc;
		if (!want) {
			unexpected++;
			report(&from, "unexpected SSRC", received);
			continue;
		}
		want = !nwant_from;
		for (i = 0; i < nwant_from; i++)
			want |= same_endpoint(&want_from[i], &from);
		if (!want) {
			unexpected++;
			report(&from, "unexpected source address or port", received);
			continue;
		}
		if ((pt != ULLONG_MAX && dpt != pt) || (len != ULLONG_MAX && dlen != len)) {
			unexpected++;
			report(&from, "unexpected payload type or length", received);
			continue;
		}
		s = find_stream(ssrc);
		if (!s) {
			unexpected++;
			report(&from, "more SSRCs than rtprecv tracks", received);
			continue;
		}
		valid++;
		account(s, seq, src);
	}
	close(fd);

	for (i = 0; i < nstreams; i++) {
		struct stream *s = &streams[i];
		unsigned long long slost = (unsigned long long)(s->max_ext - s->min_ext + 1) - s->packets;

		duplicates += s->duplicates;
		reordered += s->reordered;
		lost += slost;
		printf("ssrc=0x%08x packets=%llu duplicates=%llu lost=%llu reordered=%llu first_seq=%u last_seq=%u from=",
		       s->ssrc, s->packets, s->duplicates, slost, s->reordered,
		       (unsigned int)(s->min_ext & 0xffff), (unsigned int)(s->max_ext & 0xffff));
		print_sources(s->sources);
		printf("\n");
	}
	printf("received=%llu valid=%llu corrupt=%llu unexpected=%llu duplicates=%llu lost=%llu reordered=%llu ssrcs=%u from=",
	       received, valid, corrupt, unexpected, duplicates, lost, reordered, nstreams);
	print_sources(~0U);
	if (talk_len)
		printf(" talk_sent=%llu talk_errors=%llu", talk_sent, talk_errors);
	printf("\n");
	fflush(stdout);

	ok = !corrupt && !unexpected && !duplicates;
	if (!ok)
		fprintf(stderr, "rtprecv: %llu corrupt, %llu unexpected, %llu duplicate datagrams\n",
			corrupt, unexpected, duplicates);
	if (talk_errors) {
		fprintf(stderr, "rtprecv: %llu of %llu --talk packets could not be sent\n",
			talk_errors, talk_count);
		ok = false;
	}
	if (expect_none && received) {
		fprintf(stderr, "rtprecv: expected no datagram, received %llu\n", received);
		ok = false;
	}
	if (expect != ULLONG_MAX && valid != expect) {
		fprintf(stderr, "rtprecv: expected %llu valid packets, received %llu\n", expect, valid);
		ok = false;
	}
	if (valid < expect_min) {
		fprintf(stderr, "rtprecv: expected at least %llu valid packets, received %llu\n",
			expect_min, valid);
		ok = false;
	}
	if (valid > expect_max) {
		fprintf(stderr, "rtprecv: expected at most %llu valid packets, received %llu\n",
			expect_max, valid);
		ok = false;
	}
	return ok ? 0 : 1;
}
