// SPDX-License-Identifier: GPL-2.0
/* The "lictl tap add" grammar: arguments -> struct lnl_tap, and its errors. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lictl/tapspec.h"
#include "tap.h"

static char err[512];

/* Splits line on spaces and parses it. */
static int parse(const char *line, struct lnl_tap *tap)
{
	static char buf[1024];
	char *argv[64];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *tok = strtok(buf, " "); tok && argc < 64; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	err[0] = '\0';
	return tapspec_parse(argc, argv, tap, err, sizeof(err));
}

static const char *fmt(const struct addr *a, uint16_t port)
{
	static char bufs[4][ADDR_STRLEN];
	static int i;

	i = (i + 1) % 4;
	return addr_format(a, port, bufs[i], sizeof(bufs[i]));
}

static void test_full(void)
{
	struct lnl_tap t;
	const struct lnl_stream *s;
	const struct lnl_output *o;
	int ret;

	ret = parse("--cookie 0x4d2 --idle-timeout 120 "
		    "stream 10.0.0.5:40000 from 198.51.100.7:7078 ssrc 0xdeadbeef rtcp "
		    "output 10.9.0.2:5004 src 10.0.0.1:30000 listen-only "
		    "output 10.9.0.3:5006 src 10.0.0.1:30002 "
		    "stream [2001:db8::5]:40002 from *:9 "
		    "output [2001:db8::9]:6000 src [2001:db8::1]:6002", &t);
	ok(ret == 0, "a full specification parses (%s)", err);
	if (ret)
		return;
	ok(t.cookie == 1234, "cookie 0x4d2 is 1234");
	ok(t.idle_timeout == 120, "idle timeout 120");
	ok(t.n_streams == 2, "two streams");
	s = &t.streams[0];
	ok(s->dst.family == AF_INET && !strcmp(fmt(&s->dst, s->dst_port), "10.0.0.5:40000"),
	   "stream 1 destination 10.0.0.5:40000");
	ok(!strcmp(fmt(&s->src, s->src_port), "198.51.100.7:7078"),
	   "stream 1 source 198.51.100.7:7078");
	ok(s->has_ssrc && s->ssrc == 0xdeadbeef, "stream 1 ssrc 0xdeadbeef");
	ok(s->flags == LISTENIN_STREAM_F_RTCP, "stream 1 has the RTCP flag only");
	ok(s->n_outputs == 2, "stream 1 has two outputs");
	o = &s->outputs[0];
	ok(!strcmp(fmt(&o->dst, o->dst_port), "10.9.0.2:5004") &&
	   !strcmp(fmt(&o->src, o->src_port), "10.0.0.1:30000") &&
	   o->flags == LISTENIN_OUTPUT_F_LISTEN_ONLY,
	   "output 1: 10.9.0.2:5004 from 10.0.0.1:30000, listen-only");
	o = &s->outputs[1];
	ok(!strcmp(fmt(&o->dst, o->dst_port), "10.9.0.3:5006") &&
	   !strcmp(fmt(&o->src, o->src_port), "10.0.0.1:30002") && o->flags == 0,
	   "output 2: 10.9.0.3:5006 from 10.0.0.1:30002, not listen-only");
	s = &t.streams[1];
	ok(s->dst.family == AF_INET6 &&
	   !strcmp(fmt(&s->dst, s->dst_port), "[2001:db8::5]:40002"),
	   "stream 2 is IPv6 [2001:db8::5]:40002");
	ok(s->src.family == AF_UNSPEC && s->src_port == 9,
	   "stream 2 matches any source address from port 9");
	ok(!s->has_ssrc && s->flags == 0, "stream 2 has no SSRC and no flags");
	ok(s->n_outputs == 1 &&
	   !strcmp(fmt(&s->outputs[0].dst, s->outputs[0].dst_port), "[2001:db8::9]:6000"),
	   "stream 2 output [2001:db8::9]:6000");
	lnl_tap_free(&t);
	ok(t.streams == NULL && t.n_streams == 0, "lnl_tap_free empties the tap");
}

static void test_minimal(void)
{
	struct lnl_tap t;

	ok(parse("stream 192.0.2.1:4000 output 192.0.2.2:5000 src 192.0.2.3:6000", &t) == 0 &&
	   t.cookie == 0 && t.idle_timeout == 0 && t.n_streams == 1 &&
	   t.streams[0].src.family == AF_UNSPEC && t.streams[0].src_port == 0,
	   "a minimal tap: defaults left to the kernel, any source");
	lnl_tap_free(&t);
	ok(parse("--cookie=18446744073709551615 --idle-timeout=86400 stream 192.0.2.1:4000 from 192.0.2.9 output 192.0.2.2:5000 src 192.0.2.3:6000", &t) == 0 &&
	   t.cookie == UINT64_MAX && t.idle_timeout == 86400 &&
	   t.streams[0].src.family == AF_INET && t.streams[0].src_port == 0,
	   "--opt=value forms, maximum values, source address without port");
	lnl_tap_free(&t);
	ok(parse("stream [2001:db8::1]:4000 from 2001:db8::2 output [2001:db8::3]:5000 src [2001:db8::4]:6000", &t) == 0 &&
	   t.streams[0].src.family == AF_INET6 && t.streams[0].src_port == 0,
	   "a bare IPv6 source address without port");
	lnl_tap_free(&t);
	ok(parse("stream 192.0.2.1:4000 ssrc 0 output 192.0.2.2:5000 src 192.0.2.3:6000", &t) == 0 &&
	   t.streams[0].has_ssrc && t.streams[0].ssrc == 0,
	   "ssrc 0 is a real SSRC, not \"any\"");
	lnl_tap_free(&t);
}

/* Each bad line must fail with err containing want. */
static void bad(const char *line, const char *want)
{
	struct lnl_tap t;
	int ret = parse(line, &t);

	ok(ret == -EINVAL && strstr(err, want) && t.streams == NULL,
	   "\"%s\" fails with \"%s\" (got %d: \"%s\")", line, want, ret, err);
}

static void test_errors(void)
{
	bad("", "missing stream");
	bad("--cookie", "\"--cookie\" needs a value");
	bad("--cookie x stream", "--cookie \"x\": expected a number");
	bad("--cookie -1 stream", "--cookie \"-1\": expected a number");
	bad("--cookie 18446744073709551616", "--cookie \"18446744073709551616\"");
	bad("--idle-timeout 0", "--idle-timeout \"0\": expected seconds 1..86400");
	bad("--idle-timeout 86401", "--idle-timeout \"86401\": expected seconds 1..86400");
	bad("--idle-timeout=", "--idle-timeout \"\": expected seconds");
	bad("--bogus 1", "\"--bogus\": unknown option");
	bad("-j stream", "global options go before the command");
	bad("output 1.2.3.4:5", "\"output\": expected \"stream DST_ADDR:PORT\"");
	bad("stream", "\"stream\" needs a value: DST_ADDR:PORT");
	bad("stream 10.0.0.1:99999", "stream \"10.0.0.1:99999\": port must be 1..65535");
	bad("stream 10.0.0.1", "stream \"10.0.0.1\": missing port");
	bad("stream 2001:db8::1", "stream \"2001:db8::1\": missing port (write IPv6 with a port as [V6ADDR]:PORT)");
	bad("stream 10.0.0.1:4000", "stream 10.0.0.1:4000 has no output");
	bad("stream 10.0.0.1:4000 output 10.0.0.2:5000", "output 10.0.0.2:5000 has no source");
	bad("stream 10.0.0.1:4000 output 10.0.0.2:5000 src", "\"src\" needs a value");
	bad("stream 10.0.0.1:4000 output 10.0.0.2:5000 src 10.0.0.3",
	    "src \"10.0.0.3\": missing port");
	bad("stream 10.0.0.1:4000 output [2001:db8::1]:5000 src 10.0.0.3:6",
	    "output \"[2001:db8::1]:5000\": the output is IPv6 but its stream is IPv4");
	bad("stream 10.0.0.1:4000 output 10.0.0.2:5000 src [2001:db8::1]:6",
	    "src \"[2001:db8::1]:6\": the source is IPv6 but the stream is IPv4");
	bad("stream [2001:db8::1]:4000 from 10.0.0.1 output [2001:db8::1]:5000 src [2001:db8::1]:6",
	    "from \"10.0.0.1\": the source is IPv4 but the stream is IPv6");
	bad("stream 10.0.0.1:4000 from 10.0.0.2 from 10.0.0.3 output 10.0.0.2:5000 src 10.0.0.3:6",
	    "from \"10.0.0.3\": this stream already has a source");
	bad("stream 10.0.0.1:4000 from * output 10.0.0.2:5000 src 10.0.0.3:6",
	    "from \"*\": expected *:PORT");
	bad("stream 10.0.0.1:4000 from *:0 output 10.0.0.2:5000 src 10.0.0.3:6",
	    "from \"*:0\": port must be 1..65535");
	bad("stream 10.0.0.1:4000 from host output 10.0.0.2:5000 src 10.0.0.3:6",
	    "from \"host\": not a valid IPv4 address");
	bad("stream 10.0.0.1:4000 ssrc 4294967296 output 10.0.0.2:5000 src 10.0.0.3:6",
	    "ssrc \"4294967296\": expected an RTP SSRC 0..4294967295");
	bad("stream 10.0.0.1:4000 ssrc 1 ssrc 2", "ssrc \"2\": this stream already has an SSRC");
	bad("stream 10.0.0.1:4000 rtcp rtcp", "\"rtcp\": given twice");
	bad("stream 10.0.0.1:4000 output 10.0.0.2:5000 src 10.0.0.3:6 rtcp",
	    "\"rtcp\": stream options (from, ssrc, rtcp) go before the stream's first output");
	bad("stream 10.0.0.1:4000 listen-only",
	    "\"listen-only\": output options (src, listen-only) follow an \"output DST_ADDR:PORT\"");
	bad("stream 10.0.0.1:4000 src 10.0.0.3:6", "\"src\": output options");
	bad("stream 10.0.0.1:4000 output 10.0.0.2:5000 src 10.0.0.3:6 src 10.0.0.3:7",
	    "src \"10.0.0.3:7\": this output already has a source");
	bad("stream 10.0.0.1:4000 output 10.0.0.2:5000 src 10.0.0.3:6 listen-only listen-only",
	    "\"listen-only\": given twice");
	bad("stream 10.0.0.1:4000 output 10.0.0.2:5000 src 10.0.0.3:6 --cookie 1",
	    "\"--cookie\": options go before the first stream");
	bad("stream 10.0.0.1:4000 output 10.0.0.2:5000 src 10.0.0.3:6 bogus",
	    "\"bogus\": unknown keyword");
	bad("stream 10.0.0.1:4000 output 10.0.0.2:5000 src 10.0.0.3:6 stream 10.0.0.1:4002",
	    "stream 10.0.0.1:4002 has no output");
}

int main(void)
{
	printf("TAP version 13\n");
	test_full();
	test_minimal();
	test_errors();
	return tap_done();
}
