// SPDX-License-Identifier: GPL-2.0
/* SDP media extraction: addresses, ports, RTCP, payloads, directions, hold, rejections. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "listenind/sdp.h"
#include "listenind/sip.h"
#include "sip_fixture.h"

static enum sdp_error parse(struct sdp_session *s, const char *text)
{
	return sdp_parse(s, text, strlen(text));
}

static int addr_is(const struct sdp_addr *a, const char *text)
{
	struct sdp_addr want = { 0 };

	if (inet_pton(AF_INET, text, want.bytes) == 1)
		want.family = AF_INET;
	else if (inet_pton(AF_INET6, text, want.bytes) == 1)
		want.family = AF_INET6;
	return a->family == want.family && !memcmp(a->bytes, want.bytes, 16);
}

#define HEAD "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"

static void test_basic(void)
{
	struct sdp_session s;
	const struct sdp_stream *a = &s.streams[0];

	ok(parse(&s, HEAD "c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8 0 101\r\n") == SDP_OK,
	   "minimal audio SDP parses");
	ok(s.stream_count == 1 && a->kind == SDP_KIND_AUDIO, "one audio stream");
	ok(addr_is(&a->addr, "192.0.2.1"), "session-level c= applies to the stream");
	ok(a->rtp_port == 4000 && a->rtcp_port == 4001 && !a->rtcp_mux, "RTCP on RTP port + 1");
	ok(addr_is(&a->rtcp_addr, "192.0.2.1"), "RTCP address defaults to the stream's");
	ok(a->payload_count == 3 && a->payloads[0] == 8 && a->payloads[1] == 0 &&
	   a->payloads[2] == 101, "payload types in order");
	ok(a->direction == SDP_SENDRECV, "sendrecv by default");
	ok(!sdp_session_is_hold(&s), "not on hold");

	ok(parse(&s, "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 0\n") ==
	   SDP_OK && s.stream_count == 1, "LF-only line ends accepted");
}

static void test_media_level(void)
{
	struct sdp_session s;

	ok(parse(&s, HEAD "c=IN IP4 192.0.2.1\r\nt=0 0\r\na=sendonly\r\n"
			  "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 198.51.100.7\r\na=rtcp:4005 IN IP4 198.51.100.8\r\na=recvonly\r\n"
			  "m=video 5000 RTP/AVP 96\r\na=rtcp-mux\r\n"
			  "m=image 6000 udptl t38\r\n") == SDP_OK, "three streams parse");
	ok(s.stream_count == 3, "three streams kept");
	ok(addr_is(&s.streams[0].addr, "198.51.100.7"), "media-level c= overrides the session's");
	ok(s.streams[0].rtcp_port == 4005 && addr_is(&s.streams[0].rtcp_addr, "198.51.100.8"),
	   "a=rtcp: port and address");
	ok(s.streams[0].direction == SDP_RECVONLY, "media-level direction overrides");
	ok(s.streams[1].direction == SDP_SENDONLY, "session-level direction inherited");
	ok(s.streams[1].kind == SDP_KIND_VIDEO && s.streams[1].rtcp_mux &&
	   s.streams[1].rtcp_port == 5000, "rtcp-mux: RTCP on the RTP port");
	ok(s.streams[2].kind == SDP_KIND_IMAGE && s.streams[2].payload_count == 0,
	   "T.38 image stream, no numeric payloads");
	ok(!sdp_session_is_hold(&s), "recvonly audio is not hold");

	ok(parse(&s, HEAD "c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtcp:4009\r\n") == SDP_OK &&
	   s.streams[0].rtcp_port == 4009 && addr_is(&s.streams[0].rtcp_addr, "192.0.2.1"),
	   "a=rtcp: port only");
}

static void test_ipv6(void)
{
	struct sdp_session s;

	ok(parse(&s, "v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\nt=0 0\r\n"
		     "m=audio 30000 RTP/AVP 9\r\nc=IN IP6 2001:db8::20\r\na=rtcp-mux\r\n") == SDP_OK,
	   "IPv6 SDP parses");
	ok(s.streams[0].addr.family == AF_INET6 && addr_is(&s.streams[0].addr, "2001:db8::20"),
	   "IPv6 media address");
	ok(parse(&s, "v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP6 ::\r\nt=0 0\r\nm=audio 30000 RTP/AVP 9\r\n") ==
	   SDP_OK && sdp_session_is_hold(&s), "IPv6 null address :: is hold");
}

static void test_hold(void)
{
	struct sdp_session s;

	parse(&s, HEAD "c=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n");
	ok(sdp_session_is_hold(&s) && sdp_addr_is_null(&s.streams[0].addr), "c=0.0.0.0 is hold");
	parse(&s, HEAD "c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n");
	ok(sdp_session_is_hold(&s), "sendonly is hold");
	parse(&s, HEAD "c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=inactive\r\n");
	ok(sdp_session_is_hold(&s), "inactive is hold");
	parse(&s, HEAD "c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n");
	ok(sdp_session_is_hold(&s) && s.streams[0].rtcp_port == 0, "port 0 is hold, no RTCP");
	parse(&s, HEAD "c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n"
		       "m=video 5000 RTP/AVP 96\r\n");
	ok(sdp_session_is_hold(&s), "held audio with live video is hold");
	parse(&s, HEAD "c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n"
		       "m=audio 4002 RTP/AVP 0\r\n");
	ok(!sdp_session_is_hold(&s), "one live audio stream out of two is not hold");
	parse(&s, HEAD "c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=video 5000 RTP/AVP 96\r\na=inactive\r\n");
	ok(sdp_session_is_hold(&s), "video-only session judged on its video");
}

static void test_limits(void)
{
	struct sdp_session s;
	char text[2048];
	int n = snprintf(text, sizeof(text), HEAD "c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP");

	for (int pt = 0; pt < 20; pt++)
		n += snprintf(text + n, sizeof(text) - n, " %d", pt);
	n += snprintf(text + n, sizeof(text) - n, "\r\n");
	for (int i = 0; i < 6; i++)
		n += snprintf(text + n, sizeof(text) - n, "m=audio %d RTP/AVP 0\r\n", 5000 + 2 * i);
	ok(parse(&s, text) == SDP_OK, "20 payloads and 7 streams parse");
	ok(s.streams[0].payload_count == SDP_MAX_PAYLOADS, "payloads capped at %d",
	   SDP_MAX_PAYLOADS);
	ok(s.stream_count == SDP_MAX_STREAMS, "streams capped at %d", SDP_MAX_STREAMS);

	ok(parse(&s, HEAD "c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 300 abc 96\r\n") == SDP_OK &&
	   s.streams[0].payload_count == 2 && s.streams[0].payloads[1] == 96,
	   "payload types over 127 or not numbers skipped");
	ok(parse(&s, HEAD "c=IN IP4 media.example.com\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n") == SDP_OK &&
	   s.streams[0].addr.family == 0 && !sdp_addr_is_null(&s.streams[0].addr),
	   "host name address: valid, nothing to tap");
}

static void expect(const char *text, enum sdp_error want, const char *name)
{
	struct sdp_session s;
	enum sdp_error got = parse(&s, text);

	ok(got == want, "%s rejected: %s (got %s)", name, sdp_error_name(want), sdp_error_name(got));
}

static void test_rejections(void)
{
	static char big[SDP_MAX_LENGTH + 10];
	struct sdp_session s;

	expect("garbage", SDP_ERR_UNPARSEABLE, "garbage");
	expect("", SDP_ERR_UNPARSEABLE, "empty body");
	expect(HEAD "c=IN IP4 192.0.2.1\r\nt=0 0\r\n", SDP_ERR_NO_MEDIA, "SDP without m=");
	expect(HEAD "c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\n", SDP_ERR_BAD_PORT,
	       "port 70000");
	expect(HEAD "c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio x1 RTP/AVP 0\r\n", SDP_ERR_BAD_PORT,
	       "port not a number");
	expect(HEAD "c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtcp:99999\r\n",
	       SDP_ERR_BAD_PORT, "a=rtcp: port 99999");
	expect(HEAD "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n", SDP_ERR_NO_ADDRESS, "stream without c=");
	expect(HEAD "c=IN IPX 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n", SDP_ERR_BAD_ADDRESS,
	       "unknown address type");
	memset(big, 'a', sizeof(big));
	ok(sdp_parse(&s, big, sizeof(big)) == SDP_ERR_TOO_LARGE, "SDP over %d bytes rejected",
	   SDP_MAX_LENGTH);
	ok(sdp_parse(&s, HEAD "\0c=IN IP4 1.2.3.4\r\n", sizeof(HEAD) + 20) == SDP_ERR_UNPARSEABLE,
	   "NUL inside SDP rejected");
	ok(parse(&s, HEAD "t=0 0\r\nm=audio 0 RTP/AVP 0\r\n") == SDP_OK,
	   "a disabled stream needs no address");
}

static void test_fixture_bodies(void)
{
	static const char *const files[] = { "basic_call.sip", "hold_resume.sip", "ipv6.sip",
					     "multipart.sip", "forked_early.sip", "reinvite_media.sip" };
	unsigned int bodies = 0, parsed = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct fixture f;

		fixture_load(&f, files[i]);
		for (unsigned int j = 0; j < f.count; j++) {
			struct sip_msg m;
			struct sdp_session s;

			if (sip_parse(&m, f.msgs[j].text, f.msgs[j].len, NULL, 0) != SIP_PARSED)
				continue;
			if (m.sdp) {
				bodies++;
				parsed += sdp_parse(&s, m.sdp, m.sdp_len) == SDP_OK;
			}
			sip_msg_release(&m);
		}
		fixture_free(&f);
	}
	ok(bodies >= 15 && parsed == bodies, "every SDP of the fixtures parses (%u of %u)", parsed,
	   bodies);
}

int main(void)
{
	sip_init();
	test_basic();
	test_media_level();
	test_ipv6();
	test_hold();
	test_limits();
	test_rejections();
	test_fixture_bodies();
	return tap_done();
}
