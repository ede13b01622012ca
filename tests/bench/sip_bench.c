// SPDX-License-Identifier: GPL-2.0
/*
 * SIP processing benchmark: HEPv3 decode + calls_ingest_sip() in-process, on
 * one core, over a realistic message mix. Each call is
 *
 *   INVITE (SDP) -> 100 -> 180 -> 200 (SDP) -> ACK
 *   re-INVITE (hold, SDP) -> 200 (SDP) -> ACK -> BYE -> 200
 *
 * Calls run in interleaved groups (--window calls at a time), so the table
 * holds that many live calls while messages are applied. A second phase
 * establishes --calls calls without ending them and reports the heap growth
 * per tracked call. Built and run by scripts/bench-sip.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "listenind/call_json.h"
#include "listenind/calls.h"
#include "listenind/hep.h"
#include "listenind/ingest.h"

#define MSGS_PER_CALL	10

struct msg {
	uint8_t *buf;
	size_t len;
};

static const char caller_ip[] = "10.1.0.10", callee_ip[] = "10.2.0.20";

static size_t put_chunk(uint8_t *p, uint16_t type, const void *val, uint16_t len)
{
	uint16_t v = 0, t = htons(type), l = htons((uint16_t)(len + 6));

	memcpy(p, &v, 2);
	memcpy(p + 2, &t, 2);
	memcpy(p + 4, &l, 2);
	memcpy(p + 6, val, len);
	return (size_t)len + 6;
}

/* One HEPv3 datagram around a SIP message, as Kamailio's siptrace sends it. */
static struct msg hep_wrap(const char *sip, int from_caller, uint32_t seq)
{
	size_t sip_len = strlen(sip);
	uint8_t *b = malloc(sip_len + 256), *p;
	struct in_addr src, dst;
	uint8_t family = 2, proto = 17, ptype = 1;
	uint16_t sport = htons(5060), dport = htons(5060), total;
	uint32_t sec = htonl(1700000000 + seq / 1000), usec = htonl(seq % 1000 * 1000);
	uint32_t capid = htonl(2001);
	struct msg m;

	if (!b) {
		perror("malloc");
		exit(1);
	}
	p = b + 6;
	inet_pton(AF_INET, from_caller ? caller_ip : callee_ip, &src);
	inet_pton(AF_INET, from_caller ? callee_ip : caller_ip, &dst);
	memcpy(b, "HEP3", 4);
	p += put_chunk(p, HEP_CHUNK_IP_FAMILY, &family, 1);
	p += put_chunk(p, HEP_CHUNK_IP_PROTO, &proto, 1);
	p += put_chunk(p, HEP_CHUNK_IPV4_SRC, &src, 4);
	p += put_chunk(p, HEP_CHUNK_IPV4_DST, &dst, 4);
	p += put_chunk(p, HEP_CHUNK_SRC_PORT, &sport, 2);
	p += put_chunk(p, HEP_CHUNK_DST_PORT, &dport, 2);
	p += put_chunk(p, HEP_CHUNK_TS_SEC, &sec, 4);
	p += put_chunk(p, HEP_CHUNK_TS_USEC, &usec, 4);
	p += put_chunk(p, HEP_CHUNK_PROTO_TYPE, &ptype, 1);
	p += put_chunk(p, HEP_CHUNK_CAPTURE_ID, &capid, 4);
	p += put_chunk(p, HEP_CHUNK_PAYLOAD, sip, (uint16_t)sip_len);
	total = htons((uint16_t)(p - b));
	memcpy(b + 4, &total, 2);
	m.buf = b;
	m.len = (size_t)(p - b);
	return m;
}

static char *sdp(char *buf, size_t len, const char *ip, int port, int version,
		 const char *dir)
{
	snprintf(buf, len,
		 "v=0\r\no=- 4711 %d IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
		 "m=audio %d RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\n"
		 "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
		 "a=fmtp:101 0-16\r\na=ptime:20\r\na=%s\r\n",
		 version, ip, ip, port, dir);
	return buf;
}

/* The ten messages of call n (round r keeps Call-IDs unique across rounds). */
static void make_call(struct msg *out, unsigned int n, unsigned int r)
{
	char cid[96], ftag[32], ttag[32], body[512], sip[4096];
	char *s_off, *s_ans, *s_hold, *s_held;
	const char *hdr =
		"Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK%u%s%u\r\n"
		"Max-Forwards: 70\r\n"
		"From: \"Agent %u\" <sip:%u@%s>;tag=%s\r\n"
		"To: <sip:+1555%07u@%s>%s%s\r\n"
		"Call-ID: %s\r\n"
		"CSeq: %u %s\r\n"
		"Contact: <sip:%u@%s:5060>\r\n"
		"User-Agent: bench\r\n"
		"X-Queue: sales-%u\r\nX-Agent: %u\r\n";
	unsigned int seq = n * MSGS_PER_CALL;
	struct {
		int request, from_caller;
		const char *first;		/* request method or status line */
		unsigned int cseq;
		const char *cseq_method;
		int with_totag;
		char **body;
	} plan[MSGS_PER_CALL] = {
		{ 1, 1, "INVITE", 1, "INVITE", 0, &s_off },
		{ 0, 0, "100 Trying", 1, "INVITE", 0, NULL },
		{ 0, 0, "180 Ringing", 1, "INVITE", 1, NULL },
		{ 0, 0, "200 OK", 1, "INVITE", 1, &s_ans },
		{ 1, 1, "ACK", 1, "ACK", 1, NULL },
		{ 1, 1, "INVITE", 2, "INVITE", 1, &s_hold },
		{ 0, 0, "200 OK", 2, "INVITE", 1, &s_held },
		{ 1, 1, "ACK", 2, "ACK", 1, NULL },
		{ 1, 1, "BYE", 3, "BYE", 1, NULL },
		{ 0, 0, "200 OK", 3, "BYE", 1, NULL },
	};
	char b_off[512], b_ans[512], b_hold[512], b_held[512];

	s_off = sdp(b_off, sizeof(b_off), caller_ip, 20000 + (int)(n % 20000) * 2, 1, "sendrecv");
	s_ans = sdp(b_ans, sizeof(b_ans), callee_ip, 30000 + (int)(n % 15000) * 2, 1, "sendrecv");
	s_hold = sdp(b_hold, sizeof(b_hold), caller_ip, 20000 + (int)(n % 20000) * 2, 2, "sendonly");
	s_held = sdp(b_held, sizeof(b_held), callee_ip, 30000 + (int)(n % 15000) * 2, 2, "recvonly");
	snprintf(cid, sizeof(cid), "%08x-%u-%u@bench.example.com", n * 2654435761u, n, r);
	snprintf(ftag, sizeof(ftag), "f%u.%u", n, r);
	snprintf(ttag, sizeof(ttag), "t%u.%u", n, r);
	(void)body;

	for (int i = 0; i < MSGS_PER_CALL; i++) {
		char start[160], headers[1024];
		const char *b = plan[i].body ? *plan[i].body : "";
		int len;

		if (plan[i].request)
			snprintf(start, sizeof(start), "%s sip:+1555%07u@%s:5060 SIP/2.0",
				 plan[i].first, n, callee_ip);
		else
			snprintf(start, sizeof(start), "SIP/2.0 %s", plan[i].first);
		snprintf(headers, sizeof(headers), hdr, caller_ip, n, plan[i].cseq_method,
			 plan[i].cseq, n % 500, 1000 + n % 500, caller_ip, ftag, n, callee_ip,
			 plan[i].with_totag ? ";tag=" : "", plan[i].with_totag ? ttag : "",
			 cid, plan[i].cseq, plan[i].cseq_method,
			 plan[i].from_caller ? 1000 + n % 500 : n,
			 plan[i].from_caller ? caller_ip : callee_ip, n % 16, 1000 + n % 500);
		len = snprintf(sip, sizeof(sip), "%s\r\n%s%sContent-Length: %zu\r\n\r\n%s",
			       start, headers, *b ? "Content-Type: application/sdp\r\n" : "",
			       strlen(b), b);
		if (len <= 0 || (size_t)len >= sizeof(sip)) {
			fprintf(stderr, "sip_bench: message too long\n");
			exit(1);
		}
		out[i] = hep_wrap(sip, plan[i].from_caller, seq + (unsigned int)i);
	}
}

static int ingest(struct calls *calls, const struct msg *m)
{
	struct hep_packet pkt;
	struct sip_origin o = { .input = SIP_INPUT_HEP };
	enum hep_error e = hep_decode(m->buf, m->len, &pkt);

	if (e != HEP_OK)
		return -EINVAL;
	o.family = pkt.family;
	o.transport = pkt.ip_proto;
	memcpy(o.src_addr, pkt.src_addr, 16);
	memcpy(o.dst_addr, pkt.dst_addr, 16);
	o.src_port = pkt.src_port;
	o.dst_port = pkt.dst_port;
	o.seen.tv_sec = pkt.ts_sec;
	o.seen.tv_nsec = (long)pkt.ts_usec * 1000;
	return calls_ingest_sip(calls, &o, (const char *)pkt.payload, pkt.payload_len);
}

static void one_call(const struct call *call, void *ctx)
{
	struct json_object *obj = call_json(call);
	size_t len = 0;

	json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN, &len);
	*(size_t *)ctx += len;
	json_object_put(obj);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void __attribute__((noreturn)) usage(void);

/*
 * End-to-end mode: the same mix as HEP datagrams over UDP to a running
 * listenind; the caller reads the daemon's counters and CPU time.
 */
static int send_mode(const char *target, double seconds, unsigned int window,
		     unsigned int pace)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	char host[64];
	const char *colon = strrchr(target, ':');
	unsigned int rounds = 0;
	uint64_t sent = 0;
	struct msg *set;
	double t0;
	int fd;

	if (!colon || (size_t)(colon - target) >= sizeof(host))
		usage();
	memcpy(host, target, (size_t)(colon - target));
	host[colon - target] = '\0';
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		usage();
	sin.sin_port = htons((uint16_t)atoi(colon + 1));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	set = calloc((size_t)window * MSGS_PER_CALL, sizeof(*set));
	if (fd < 0 || !set) {
		perror("sip_bench");
		return 1;
	}
	t0 = now_s();
	while (now_s() - t0 < seconds) {
		for (unsigned int c = 0; c < window; c++) {
			for (int i = 0; i < MSGS_PER_CALL; i++)
				free(set[c * MSGS_PER_CALL + i].buf);
			make_call(&set[c * MSGS_PER_CALL], c, rounds + 1000);
		}
		for (int i = 0; i < MSGS_PER_CALL; i++) {
			for (unsigned int c = 0; c < window; c++) {
				const struct msg *m = &set[c * MSGS_PER_CALL + i];

				if (sendto(fd, m->buf, m->len, 0, (struct sockaddr *)&sin,
					   sizeof(sin)) > 0)
					sent++;
				if (pace && sent % pace == 0) {
					struct timespec ms = { .tv_nsec = 1000000 };

					nanosleep(&ms, NULL);
				}
			}
		}
		rounds++;
	}
	printf("sent %llu\n", (unsigned long long)sent);
	for (unsigned int i = 0; i < window * MSGS_PER_CALL; i++)
		free(set[i].buf);
	free(set);
	return 0;
}

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"Usage: sip_bench [--seconds S] [--window N] [--calls N]\n"
		"       sip_bench --send ADDR:PORT [--seconds S] [--window N] [--pace N]\n"
		"  --seconds S  length of the throughput phase (default 5)\n"
		"  --window N   calls in flight at once (default 1000)\n"
		"  --calls N    established calls for the memory phase (default 20000)\n"
		"  --send       send the mix as HEPv3 over UDP instead (end to end)\n"
		"  --pace N     sleep 1 ms after every N datagrams sent (default 50)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int window = 1000, mem_calls = 20000, rounds = 0, pace = 50;
	const char *target = NULL;
	double seconds = 5, t0, c0, elapsed, cpu;
	uint64_t msgs = 0, failed = 0;
	struct calls_config cfg;
	struct calls_stats st;
	struct calls *calls;
	struct msg *set;
	struct timespec far = { .tv_sec = 1900000000 };
	struct mallinfo2 before, after;

	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--seconds"))
			seconds = atof(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "--window"))
			window = (unsigned int)atoi(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "--calls"))
			mem_calls = (unsigned int)atoi(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "--send"))
			target = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--pace"))
			pace = (unsigned int)atoi(argv[++i]);
		else
			usage();
	}
	if (!window || !mem_calls || seconds <= 0)
		usage();
	if (target)
		return send_mode(target, seconds, window, pace);

	calls_config_defaults(&cfg);
	cfg.ended_linger = 0;
	cfg.max_calls = window + mem_calls + 16;
	calls = calls_new(&cfg);
	if (!calls) {
		fprintf(stderr, "sip_bench: calls_new: %s\n", strerror(errno));
		return 1;
	}

	/* throughput: the same window of calls replayed with fresh Call-IDs per round */
	set = calloc((size_t)window * MSGS_PER_CALL, sizeof(*set));
	if (!set) {
		perror("calloc");
		return 1;
	}
	elapsed = cpu = 0;
	while (elapsed < seconds) {
		for (unsigned int c = 0; c < window; c++) {
			for (int i = 0; i < MSGS_PER_CALL; i++)
				free(set[c * MSGS_PER_CALL + i].buf);
			make_call(&set[c * MSGS_PER_CALL], c, rounds);
		}
		/* only decoding and applying is timed, not building the messages */
		t0 = now_s();
		c0 = cpu_s();
		for (int i = 0; i < MSGS_PER_CALL; i++)
			for (unsigned int c = 0; c < window; c++, msgs++)
				if (ingest(calls, &set[c * MSGS_PER_CALL + i]))
					failed++;
		calls_expire(calls, far);
		elapsed += now_s() - t0;
		cpu += cpu_s() - c0;
		rounds++;
	}
	calls_get_stats(calls, &st);
	printf("messages            %llu in %.2f s (%u rounds of %u calls)\n",
	       (unsigned long long)msgs, elapsed, rounds, window);
	printf("rejected            %llu\n", (unsigned long long)failed);
	printf("calls created/ended %llu/%llu\n", (unsigned long long)st.created,
	       (unsigned long long)st.ended);
	printf("msgs/s (wall)       %.0f\n", (double)msgs / elapsed);
	printf("msgs/s (cpu)        %.0f\n", (double)msgs / cpu);
	printf("ns/msg              %.0f\n", cpu * 1e9 / (double)msgs);

	/* memory: established calls left in the table */
	before = mallinfo2();
	for (unsigned int c = 0; c < mem_calls; c++) {
		struct msg m[MSGS_PER_CALL];

		make_call(m, window + c, rounds + 1);
		for (int i = 0; i < 5; i++)
			ingest(calls, &m[i]);
		for (int i = 0; i < MSGS_PER_CALL; i++)
			free(m[i].buf);
	}
	after = mallinfo2();
	calls_get_stats(calls, &st);
	printf("tracked calls       %u (state answered)\n", st.active);
	printf("sizeof(struct call) %zu\n", sizeof(struct call));
	printf("bytes/call (heap)   %.0f\n",
	       ((double)after.uordblks - (double)before.uordblks) / mem_calls);

	/*
	 * What one {"cmd":"calls"} costs the event loop with this many calls,
	 * built as the daemon builds it: one call's JSON at a time.
	 */
	{
		size_t json_len = 0;
		double j0 = now_s();

		calls_foreach(calls, one_call, &json_len);
		printf("calls reply         %.0f ms, %zu bytes for %u calls\n",
		       (now_s() - j0) * 1e3, json_len, st.active);
	}

	for (unsigned int i = 0; i < window * MSGS_PER_CALL; i++)
		free(set[i].buf);
	free(set);
	calls_free(calls);
	return failed ? 1 : 0;
}
