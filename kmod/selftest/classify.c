// SPDX-License-Identifier: GPL-2.0
/* Included by hook.c in DEBUG builds: RTP/RTCP classification. */

struct classify_case {
	u8 bytes[RTP_HDR_LEN];
	u8 len;
	bool rtcp_flag;
	bool rtcp_port;
	enum pkt_class want;
	u32 ssrc;
};

bool __init listenin_hook_selftest(void)
{
	static const struct classify_case cases[] __initconst = {
		/* RTP v2, PT 0, SSRC at 8..11 */
		{ { 0x80, 0x00, 0, 1, 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44 },
		  12, false, false, CLASS_RTP, 0x11223344 },
		/* RTP with marker and PT 96 */
		{ { 0x80, 0xe0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7 },
		  12, true, false, CLASS_RTP, 7 },
		/* version 1 */
		{ { 0x40, 0x00 }, 12, false, false, CLASS_NONE, 0 },
		/* too short for RTP */
		{ { 0x80, 0x00 }, 11, false, false, CLASS_NONE, 0 },
		/* muxed RTCP SR: sender SSRC at 4..7, needs the flag */
		{ { 0x80, 200, 0, 6, 0xaa, 0xbb, 0xcc, 0xdd },
		  8, true, false, CLASS_RTCP, 0xaabbccdd },
		{ { 0x80, 200, 0, 6, 0xaa, 0xbb, 0xcc, 0xdd },
		  8, false, false, CLASS_NONE, 0 },
		/* RTCP port: RR accepted, RTP-looking payload is not RTCP */
		{ { 0x81, 201, 0, 7, 0, 0, 0, 9 }, 8, true, true, CLASS_RTCP, 9 },
		{ { 0x80, 96, 0, 1, 0, 0, 0, 9, 0, 0, 0, 1 },
		  12, true, true, CLASS_NONE, 0 },
		/* edges of the RTCP range */
		{ { 0x80, 192, 0, 1, 0, 0, 0, 1 }, 8, true, false, CLASS_RTCP, 1 },
		{ { 0x80, 223, 0, 1, 0, 0, 0, 2 }, 8, true, false, CLASS_RTCP, 2 },
		{ { 0x80, 224, 0, 1, 0, 0, 0, 3, 0, 0, 0, 4 },
		  12, true, false, CLASS_RTP, 4 },
		/* too short for RTCP */
		{ { 0x80, 200, 0, 1, 0, 0, 0 }, 7, true, true, CLASS_NONE, 0 },
	};
	struct listenin_stream s = {};
	bool ok = true;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		enum pkt_class got;
		__be32 ssrc = 0;

		s.flags = 0;
		if (cases[i].rtcp_flag)
			s.flags = LISTENIN_STREAM_F_RTCP;
		got = classify(&s, cases[i].bytes, cases[i].len,
			       cases[i].rtcp_port, &ssrc);
		if (got != cases[i].want ||
		    (got != CLASS_NONE && ntohl(ssrc) != cases[i].ssrc)) {
			pr_err("classify self-test %u: got %d ssrc %#x\n", i + 1,
			       got, ntohl(ssrc));
			ok = false;
		}
	}
	if (ok)
		pr_info("classify self-tests: pass\n");
	else
		pr_err("classify self-tests: FAIL\n");
	return ok;
}
