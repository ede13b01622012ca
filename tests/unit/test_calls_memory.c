// SPDX-License-Identifier: GPL-2.0
/*
 * Memory per tracked call: fills a table with answered calls that both sent
 * SDP (the common case) and measures the heap they hold, hash buckets
 * included. The bound documented in docs/call-tracking.md is 8 KiB.
 */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "listenind/calls.h"
#include "listenind/sip.h"
#include "sip_fixture.h"

#if defined(__SANITIZE_ADDRESS__)
/* from <sanitizer/allocator_interface.h>, which Debian's gcc does not ship */
size_t __sanitizer_get_current_allocated_bytes(void);
#define HEAP_COUNTER "ASan live allocations"
static size_t heap_in_use(void)
{
	return __sanitizer_get_current_allocated_bytes();
}
#else
#define HEAP_COUNTER "glibc mallinfo2"
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}
#endif

#define CALLS 5000

static const char invite[] =
	"INVITE sip:%u@10.2.0.21:5060 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 10.1.0.5:5060;branch=z9hG4bK-m%u\r\n"
	"From: \"Customer %u\" <sip:+1415555%04u@pbx.example.com>;tag=pbx-m%u\r\n"
	"To: <sip:%u@pbx.example.com>\r\n"
	"Call-ID: mem-%u-0f3a9c2e8d@10.1.0.5\r\n"
	"CSeq: 1 INVITE\r\n"
	"Contact: <sip:pbx@10.1.0.5:5060>\r\n"
	"X-Queue: sales-eu\r\nX-Team: team-blue\r\nX-Department: sales\r\n"
	"X-Site: lisbon\r\nX-Campaign: spring-2026\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: %zu\r\n\r\n%s";

static const char answer[] =
	"SIP/2.0 200 OK\r\n"
	"Via: SIP/2.0/UDP 10.1.0.5:5060;branch=z9hG4bK-m%u\r\n"
	"From: \"Customer %u\" <sip:+1415555%04u@pbx.example.com>;tag=pbx-m%u\r\n"
	"To: <sip:%u@pbx.example.com>;tag=agent-m%u\r\n"
	"Call-ID: mem-%u-0f3a9c2e8d@10.1.0.5\r\n"
	"CSeq: 1 INVITE\r\n"
	"Contact: <sip:%u@10.2.0.21:5060>\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: %zu\r\n\r\n%s";

static const char offer_sdp[] =
	"v=0\r\no=pbx 1 1 IN IP4 10.1.0.5\r\ns=-\r\nc=IN IP4 10.1.0.5\r\nt=0 0\r\n"
	"m=audio 20000 RTP/AVP 8 0 101\r\na=sendrecv\r\n";
static const char answer_sdp[] =
	"v=0\r\no=agent 1 1 IN IP4 10.2.0.21\r\ns=-\r\nc=IN IP4 10.2.0.21\r\nt=0 0\r\n"
	"m=audio 30000 RTP/AVP 8 101\r\na=sendrecv\r\n";

int main(void)
{
	struct calls_config cfg;
	struct calls *calls;
	size_t before, after, per_call;
	unsigned int applied = 0;
	char buf[2048];

	calls_config_defaults(&cfg);
	cfg.max_calls = CALLS;
	sip_init();	/* libosip2's parser tables live as long as the process */
	before = heap_in_use();
	calls = calls_new(&cfg);
	for (unsigned int n = 0; n < CALLS; n++) {
		int len = snprintf(buf, sizeof(buf), invite, n, n, n, n, n, n, n,
				   strlen(offer_sdp), offer_sdp);

		applied += calls_ingest_sip(calls, NULL, buf, (size_t)len) == 0;
		len = snprintf(buf, sizeof(buf), answer, n, n, n, n, n, n, n, n,
			       strlen(answer_sdp), answer_sdp);
		applied += calls_ingest_sip(calls, NULL, buf, (size_t)len) == 0;
	}
	after = heap_in_use();
	per_call = (after - before) / CALLS;

	ok(applied == 2 * CALLS && calls_count(calls) == CALLS, "%d answered calls tracked", CALLS);
	printf("# struct call: %zu bytes; heap per call (%s, buckets included): %zu bytes\n",
	       sizeof(struct call), HEAP_COUNTER, per_call);
	ok(sizeof(struct call) < 8192, "struct call is %zu bytes", sizeof(struct call));
	ok(per_call < 8192, "heap held per call is %zu bytes, under 8 KiB", per_call);
	ok(per_call >= sizeof(struct call), "the measurement sees the calls (%zu >= %zu)", per_call,
	   sizeof(struct call));

	calls_free(calls);
	after = heap_in_use();
	ok(after <= before + 65536, "calls_free returns the memory (%zd bytes left)",
	   (ssize_t)(after - before));
	return tap_done();
}
