// SPDX-License-Identifier: GPL-2.0
/*
 * lictl's output forms: the JSON of a tap is a documented, stable interface
 * (lictl(8)), so it is compared here byte for byte; the text form too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lictl/format.h"
#include "tap.h"

static void same(const char *got, const char *want, const char *what)
{
	ok(!strcmp(got, want), "%s", what);
	if (strcmp(got, want))
		printf("# got:\n%s\n# want:\n%s\n", got, want);
}

static void set(struct addr *a, const char *s)
{
	if (addr_parse(s, ADDR_PORT_NONE, a, NULL))
		abort();
}

static void count(struct lnl_counters *c, unsigned int type, uint64_t v)
{
	c->present |= 1U << type;
	c->val[type] = v;
}

static struct lnl_output outs[2];
static struct lnl_stream streams[2];
static struct lnl_tap tap;

static void make_tap(void)
{
	tap.id = 7;
	tap.cookie = 0x4d2;
	tap.idle_timeout = 30;
	tap.idle_msecs = 1250;
	for (unsigned int i = 1; i <= LISTENIN_A_COUNTER_TALKBACK_DROPPED; i++)
		count(&tap.counters, i, 100 * i);

	set(&streams[0].dst, "10.0.0.5");
	streams[0].dst_port = 40000;
	set(&streams[0].src, "198.51.100.7");
	streams[0].has_ssrc = true;
	streams[0].ssrc = 0xdeadbeef;
	streams[0].flags = LISTENIN_STREAM_F_RTCP;
	count(&streams[0].counters, LISTENIN_A_COUNTER_PACKETS, 120);
	count(&streams[0].counters, LISTENIN_A_COUNTER_BYTES, 20640);
	set(&outs[0].dst, "10.9.0.2");
	outs[0].dst_port = 5004;
	set(&outs[0].src, "10.0.0.1");
	outs[0].src_port = 30000;
	outs[0].flags = LISTENIN_OUTPUT_F_LISTEN_ONLY;
	count(&outs[0].counters, LISTENIN_A_COUNTER_COPIES, 120);
	count(&outs[0].counters, LISTENIN_A_COUNTER_COPY_BYTES, 20640);
	count(&outs[0].counters, LISTENIN_A_COUNTER_COPY_FAILURES, 0);
	count(&outs[0].counters, LISTENIN_A_COUNTER_TALKBACK_DROPPED, 2);
	streams[0].outputs = &outs[0];
	streams[0].n_outputs = 1;

	set(&streams[1].dst, "2001:db8::5");
	streams[1].dst_port = 40002;
	streams[1].src_port = 9;
	set(&outs[1].dst, "2001:db8::9");
	outs[1].dst_port = 6000;
	set(&outs[1].src, "2001:db8::1");
	outs[1].src_port = 6002;
	streams[1].outputs = &outs[1];
	streams[1].n_outputs = 1;

	tap.streams = streams;
	tap.n_streams = 2;
}

static void test_json(void)
{
	struct json_object *obj = format_json_tap(&tap);
	const char *s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE);

	same(s,
	     "{\"id\":7,\"cookie\":1234,\"idle_timeout\":30,\"idle_msecs\":1250,"
	     "\"counters\":{\"packets\":100,\"bytes\":200,\"copies\":300,\"copy_bytes\":400,"
	     "\"copy_failures\":500,\"talkback_dropped\":600},"
	     "\"streams\":["
	     "{\"family\":\"inet\",\"dst\":\"10.0.0.5\",\"dst_port\":40000,"
	     "\"src\":\"198.51.100.7\",\"src_port\":null,\"ssrc\":3735928559,\"rtcp\":true,"
	     "\"flags\":1,\"counters\":{\"packets\":120,\"bytes\":20640},"
	     "\"outputs\":[{\"dst\":\"10.9.0.2\",\"dst_port\":5004,\"src\":\"10.0.0.1\","
	     "\"src_port\":30000,\"listen_only\":true,\"flags\":1,"
	     "\"counters\":{\"copies\":120,\"copy_bytes\":20640,\"copy_failures\":0,"
	     "\"talkback_dropped\":2}}]},"
	     "{\"family\":\"inet6\",\"dst\":\"2001:db8::5\",\"dst_port\":40002,"
	     "\"src\":null,\"src_port\":9,\"ssrc\":null,\"rtcp\":false,\"flags\":0,"
	     "\"counters\":{},"
	     "\"outputs\":[{\"dst\":\"2001:db8::9\",\"dst_port\":6000,\"src\":\"2001:db8::1\","
	     "\"src_port\":6002,\"listen_only\":false,\"flags\":0,\"counters\":{}}]}]}",
	     "JSON of a tap: every documented key, in order, nulls for \"any\"");
	json_object_put(obj);

	{
		struct lnl_tap big = { .id = 1, .cookie = UINT64_MAX };

		obj = format_json_tap(&big);
		s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
		ok(strstr(s, "\"cookie\":18446744073709551615") != NULL,
		   "a 64-bit cookie is printed exactly, not as a double");
		json_object_put(obj);
	}
}

static char *text(void (*fn)(FILE *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, arg);
	fclose(f);
	return buf;
}

static void print_tap(FILE *f, const void *arg)
{
	format_print_tap(f, arg);
}

static void print_line(FILE *f, const void *arg)
{
	format_print_counters_line(f, arg);
}

static void test_text(void)
{
	char *s = text(print_tap, &tap);

	same(s,
	     "tap 7\n"
	     "  cookie        0x4d2\n"
	     "  idle          1.250 s (timeout 30 s)\n"
	     "  packets       100 (200 bytes)\n"
	     "  copies        300 (400 bytes), 500 failed\n"
	     "  talk-back     600 dropped\n"
	     "  stream 10.0.0.5:40000 from 198.51.100.7 ssrc 0xdeadbeef rtcp\n"
	     "    packets       120 (20640 bytes)\n"
	     "    output 10.9.0.2:5004 src 10.0.0.1:30000 listen-only\n"
	     "      copies        120 (20640 bytes), 0 failed\n"
	     "      talk-back     2 dropped\n"
	     "  stream [2001:db8::5]:40002 from *:9\n"
	     "    output [2001:db8::9]:6000 src [2001:db8::1]:6002\n",
	     "text form of a tap, as lictl(8) shows it");
	free(s);
	s = text(print_line, &outs[0].counters);
	same(s, "copies 120 copy_bytes 20640 copy_failures 0 talkback_dropped 2",
	     "one-line counters, as monitor prints them");
	free(s);
}

int main(void)
{
	printf("TAP version 13\n");
	make_tap();
	test_json();
	test_text();
	return tap_done();
}
