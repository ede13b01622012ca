// SPDX-License-Identifier: GPL-2.0
/*
 * wavmix: the supervisor's ear. Receives the copies of a monitored call on
 * one ADDR:PORT (both directions arrive there, told apart by their source
 * port: caller->callee from the session's port P, callee->caller from P+2),
 * decodes PCMU, places every packet on one 8 kHz timeline by its RTP
 * timestamp, mixes both directions into one 16-bit mono WAV file and
 * measures (Goertzel) how much of the energy lies at given frequencies, so
 * a script can prove it heard both sides.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <getopt.h>
#include <poll.h>

#define TOOL "wavmix"
#include "rtp.h"

#define BLOCK		800		/* 100 ms: 10 Hz bins */
#define MAX_STREAMS	4
#define MAX_TONES	8

static const char usage[] =
	"Usage: wavmix [OPTIONS] -o FILE BIND\n"
	"Receives a monitoring session's copies on BIND (ADDR:PORT or [ADDR]:PORT),\n"
	"decodes PCMU, mixes both directions into one 8 kHz 16-bit mono WAV FILE and\n"
	"reports the share of the energy at the frequencies given with --tone.\n"
	"  -o, --out FILE         the WAV file to write (required)\n"
	"  -d, --duration SECS    stop after SECS seconds (default 10, decimals allowed)\n"
	"  -i, --idle SECS        stop once SECS pass without a datagram (after the first)\n"
	"  -P, --port-base P      copies of caller->callee come from source port P, of\n"
	"                         callee->caller from P+2 (default: the lower of two\n"
	"                         source ports 2 apart is P)\n"
	"  -f, --from ADDR        accept only datagrams from this address\n"
	"  -t, --tone HZ          report the share of the energy at HZ (repeatable, 8 at most)\n"
	"  -e, --expect SHARE     fail unless every --tone holds at least SHARE (0..1) of\n"
	"                         the mix's energy and 10 times more than any other\n"
	"                         frequency probed (every 50 Hz from 100 to 3900 Hz)\n"
	"  -m, --max-seconds SECS longest WAV kept (default 120)\n"
	"  -w, --ready FILE       create FILE once bound, for scripts to start senders\n"
	"SIGTERM or SIGINT ends the run early; the file and the report still follow.\n"
	"Prints one line per stream (source, direction, SSRC, packets, lost, other\n"
	"payload types), then\n"
	"  wav=FILE samples=N seconds=S packets=N\n"
	"  tone hz=HZ mix=SHARE caller_to_callee=SHARE callee_to_caller=SHARE\n"
	"  other hz=HZ mix=SHARE           (the strongest probe away from the tones)\n"
	"Exit status: 0 as expected, 1 not as expected, 2 bad arguments or setup failure.\n";

struct stream {
	struct sockaddr_storage from;
	uint16_t port;
	uint32_t ssrc;
	uint32_t base_ts;
	long long offset;		/* samples from the first packet of all */
	uint16_t next_seq;
	unsigned long long packets, lost, other_pt;
	int16_t *pcm;			/* max_samples */
	size_t end;			/* highest sample written + 1 */
	int dir;			/* 0 caller->callee, 1 callee->caller, -1 unknown */
};

static const char *const dir_name[] = { "caller_to_callee", "callee_to_caller" };

/* Goertzel power at hz over one block, and the block's energy. */
static double goertzel(const int32_t *x, size_t n, double hz)
{
	double coef = 2 * cosine(2 * PI * hz / RATE_HZ), s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s0 = (double)x[i] + coef * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	return s1 * s1 + s2 * s2 - coef * s1 * s2;
}

/* Share of the signal's energy at hz: 1.0 for a pure tone at hz. */
static double share(const int32_t *x, size_t len, double hz)
{
	double p = 0, e = 0;

	for (size_t b = 0; b + BLOCK <= len; b += BLOCK) {
		p += goertzel(x + b, BLOCK, hz);
		for (size_t i = 0; i < BLOCK; i++)
			e += (double)x[b + i] * (double)x[b + i];
	}
	return e > 0 ? p / (e * BLOCK / 2) : 0;
}

static int write_wav(const char *path, const int32_t *mix, size_t n)
{
	uint8_t h[44];
	uint32_t data = (uint32_t)(n * 2);
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	memcpy(h, "RIFF", 4);
	for (int i = 0; i < 4; i++) {
		h[4 + i] = (uint8_t)((36 + data) >> (8 * i));
		h[40 + i] = (uint8_t)(data >> (8 * i));
		h[24 + i] = (uint8_t)(RATE_HZ >> (8 * i));		/* sample rate */
		h[28 + i] = (uint8_t)((RATE_HZ * 2) >> (8 * i));	/* byte rate */
	}
	memcpy(h + 8, "WAVEfmt ", 8);
	h[16] = 16, h[17] = 0, h[18] = 0, h[19] = 0;		/* fmt chunk size */
	h[20] = 1, h[21] = 0;					/* PCM */
	h[22] = 1, h[23] = 0;					/* mono */
	h[32] = 2, h[33] = 0;					/* block align */
	h[34] = 16, h[35] = 0;					/* bits per sample */
	memcpy(h + 36, "data", 4);
	fwrite(h, 1, sizeof(h), f);
	for (size_t i = 0; i < n; i++) {
		int32_t v = mix[i] > 32767 ? 32767 : mix[i] < -32768 ? -32768 : mix[i];
		uint8_t le[2] = { (uint8_t)v, (uint8_t)((uint16_t)v >> 8) };

		fwrite(le, 1, 2, f);
	}
	if (ferror(f)) {
		fclose(f);
		return -1;
	}
	return fclose(f) ? -1 : 0;
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "idle", required_argument, NULL, 'i' },
		{ "port-base", required_argument, NULL, 'P' },
		{ "from", required_argument, NULL, 'f' },
		{ "tone", required_argument, NULL, 't' },
		{ "expect", required_argument, NULL, 'e' },
		{ "max-seconds", required_argument, NULL, 'm' },
		{ "ready", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	double duration = 10, idle = 0, max_seconds = 120, expect = -1, start, last = 0, t0 = 0;
	double tones[MAX_TONES], tshare[MAX_TONES], dshare[MAX_TONES][2], other = 0, other_hz = 0;
	const char *out = NULL, *ready = NULL;
	struct sockaddr_storage bind_addr, from_addr;
	struct stream streams[MAX_STREAMS];
	unsigned long long port_base = 0, packets = 0, ignored = 0;
	size_t n_streams = 0, n_tones = 0, max_samples, len = 0;
	socklen_t bind_len;
	bool have_from = false, ok = true;
	static uint8_t buf[DGRAM_MAX];
	int32_t *mix, *dmix[2];
	char name[INET6_ADDRSTRLEN + 8];
	int c, fd;

	while ((c = getopt_long(argc, argv, "o:d:i:P:f:t:e:m:w:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'd':
			duration = opt_duration(optarg);
			break;
		case 'i':
			idle = opt_idle(optarg);
			break;
		case 'P':
			if (parse_uint(optarg, 65533, &port_base) || !port_base)
				die_usage("--port-base wants a port 1..65533, not '%s'", optarg);
			break;
		case 'f': {
			char ep[INET6_ADDRSTRLEN + 8];
			socklen_t l;

			snprintf(ep, sizeof(ep), strchr(optarg, ':') ? "[%s]:1" : "%s:1", optarg);
			if (strlen(optarg) > INET6_ADDRSTRLEN || parse_endpoint(ep, &from_addr, &l, false))
				die_usage("--from wants an IPv4 or IPv6 address, not '%s'", optarg);
			have_from = true;
			break;
		}
		case 't': {
			double hz;

			if (parse_double(optarg, 50, 3950, &hz))
				die_usage("--tone wants a frequency of 50..3950 Hz, not '%s'", optarg);
			if (n_tones == MAX_TONES)
				die_usage("at most %d --tone", MAX_TONES);
			tones[n_tones++] = hz;
			break;
		}
		case 'e':
			if (parse_double(optarg, 0, 1, &expect))
				die_usage("--expect wants a share of the energy, 0..1, not '%s'", optarg);
			break;
		case 'm':
			if (parse_seconds(optarg, &max_seconds) || max_seconds < 1 || max_seconds > 3600)
				die_usage("--max-seconds wants 1..3600, not '%s'", optarg);
			break;
		case 'w':
			ready = optarg;
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
	if (!out)
		die_usage("%s", "--out FILE is required");
	if (expect >= 0 && !n_tones)
		die_usage("%s", "--expect needs at least one --tone");
	parse_bind(argv[optind], &bind_addr, &bind_len);
	if (have_from && from_addr.ss_family != bind_addr.ss_family)
		die_usage("--from and BIND must be of the same family");

	max_samples = (size_t)(max_seconds * RATE_HZ);
	catch_stop_signals();
	fd = udp_bind(&bind_addr, &bind_len, argv[optind], 0);
	if (fd < 0)
		return 2;
	if (ready && create_ready(ready))
		return 2;

	start = now();
	while (!stop) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct sockaddr_storage src;
		socklen_t slen = sizeof(src);
		struct stream *st = NULL;
		double t = now();
		uint32_t ts;
		long long pos;
		ssize_t n;

		if (t - start >= duration || (idle > 0 && packets && t - last >= idle))
			break;
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&src, &slen);
		if (n < 0)
			continue;
		t = now();
		if (have_from && !same_host(&src, &from_addr)) {
			ignored++;
			continue;
		}
		if (n < RTP_HEADER_LEN || (buf[0] & 0xc0) != RTP_V2 || (buf[0] & 0x30)) {
			ignored++;	/* not RTP, or with CSRCs/extension we do not decode */
			continue;
		}
		for (size_t i = 0; i < n_streams; i++)
			if (same_host(&streams[i].from, &src) && streams[i].port == endpoint_port(&src))
				st = &streams[i];
		if (!st) {
			if (n_streams == MAX_STREAMS) {
				ignored++;
				continue;
			}
			st = &streams[n_streams];
			memset(st, 0, sizeof(*st));
			st->pcm = calloc(max_samples, sizeof(*st->pcm));
			if (!st->pcm) {
				fprintf(stderr, "wavmix: out of memory\n");
				return 2;
			}
			if (!packets)
				t0 = t;
			st->from = src;
			st->port = endpoint_port(&src);
			st->ssrc = rtp_ssrc(buf);
			st->base_ts = rtp_ts(buf);
			st->offset = (long long)((t - t0) * RATE_HZ);
			st->next_seq = rtp_seq(buf);
			st->dir = -1;
			n_streams++;
		}
		packets++;
		last = t;
		st->packets++;
		if (rtp_seq(buf) != st->next_seq)
			st->lost += (uint16_t)(rtp_seq(buf) - st->next_seq);
		st->next_seq = (uint16_t)(rtp_seq(buf) + 1);
		if ((buf[1] & 0x7f) != 0) {
			st->other_pt++;
			continue;
		}
		ts = rtp_ts(buf);
		pos = st->offset + (int32_t)(ts - st->base_ts);
		for (ssize_t i = RTP_HEADER_LEN; i < n; i++, pos++) {
			if (pos < 0 || (size_t)pos >= max_samples)
				continue;
			st->pcm[pos] = ulaw_decode(buf[i]);
			if ((size_t)pos + 1 > st->end)
				st->end = (size_t)pos + 1;
		}
	}
	close(fd);

	/* directions from the source ports */
	for (size_t i = 0; i < n_streams; i++) {
		struct stream *st = &streams[i];

		if (port_base) {
			st->dir = st->port == port_base ? 0 : st->port == port_base + 2 ? 1 : -1;
			continue;
		}
		for (size_t j = 0; j < n_streams; j++) {
			if (streams[j].port == st->port + 2 && same_host(&streams[j].from, &st->from))
				st->dir = 0;
			if (streams[j].port + 2 == st->port && same_host(&streams[j].from, &st->from))
				st->dir = 1;
		}
	}
	for (size_t i = 0; i < n_streams; i++)
		if (streams[i].end > len)
			len = streams[i].end;
	mix = calloc(len + 1, sizeof(*mix));
	dmix[0] = calloc(len + 1, sizeof(*mix));
	dmix[1] = calloc(len + 1, sizeof(*mix));
	if (!mix || !dmix[0] || !dmix[1]) {
		fprintf(stderr, "wavmix: out of memory\n");
		return 2;
	}
	for (size_t i = 0; i < n_streams; i++) {
		struct stream *st = &streams[i];

		for (size_t k = 0; k < st->end; k++) {
			mix[k] += st->pcm[k];
			if (st->dir >= 0)
				dmix[st->dir][k] += st->pcm[k];
		}
		printf("stream from=%s dir=%s ssrc=0x%08x packets=%llu lost=%llu other_pt=%llu\n",
		       format_endpoint(&st->from, name, sizeof(name)),
		       st->dir >= 0 ? dir_name[st->dir] : "unknown", st->ssrc, st->packets,
		       st->lost, st->other_pt);
		free(st->pcm);
	}
	if (write_wav(out, mix, len)) {
		fprintf(stderr, "wavmix: cannot write %s: %s\n", out, strerror(errno));
		return 2;
	}
	printf("wav=%s samples=%zu seconds=%.2f packets=%llu ignored=%llu\n", out, len,
	       (double)len / RATE_HZ, packets, ignored);

	for (size_t i = 0; i < n_tones; i++) {
		tshare[i] = share(mix, len, tones[i]);
		dshare[i][0] = share(dmix[0], len, tones[i]);
		dshare[i][1] = share(dmix[1], len, tones[i]);
		printf("tone hz=%g mix=%.4f %s=%.4f %s=%.4f\n", tones[i], tshare[i],
		       dir_name[0], dshare[i][0], dir_name[1], dshare[i][1]);
	}
	for (double hz = 100; hz <= 3900; hz += 50) {
		bool near = false;
		double s;

		for (size_t i = 0; i < n_tones; i++)
			near |= hz > tones[i] - 60 && hz < tones[i] + 60;
		if (near)
			continue;
		s = share(mix, len, hz);
		if (s > other) {
			other = s;
			other_hz = hz;
		}
	}
	printf("other hz=%g mix=%.4f\n", other_hz, other);

	if (expect >= 0) {
		if (!len) {
			fprintf(stderr, "wavmix: no PCMU audio was received\n");
			ok = false;
		}
		for (size_t i = 0; i < n_tones && len; i++) {
			if (tshare[i] < expect || tshare[i] < 10 * other) {
				fprintf(stderr, "wavmix: %g Hz holds %.4f of the energy; expected at least %.4f and 10 times the strongest other frequency (%g Hz, %.4f)\n",
					tones[i], tshare[i], expect, other_hz, other);
				ok = false;
			}
		}
	}
	free(mix);
	free(dmix[0]);
	free(dmix[1]);
	return ok ? 0 : 1;
}
