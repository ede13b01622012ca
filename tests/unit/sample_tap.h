/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tap test_netlink_build checks TAP_NEW requests against, value by
 * value, and fuzz_netlink_reply points extended ACK offsets into: stream 0
 * IPv4 with a source, an SSRC, RTCP and two outputs (the first listen-only),
 * stream 1 IPv6 with one output.
 */
#ifndef TESTS_SAMPLE_TAP_H
#define TESTS_SAMPLE_TAP_H

#include <stdbool.h>
#include <stdlib.h>

#include "netlink/lnl.h"

static inline void sample_addr(struct addr *a, const char *s)
{
	if (addr_parse(s, ADDR_PORT_NONE, a, NULL))
		abort();
}

static inline void sample_tap(struct lnl_tap *tap, struct lnl_stream streams[2],
			      struct lnl_output outs[3])
{
	sample_addr(&streams[0].dst, "10.0.0.5");
	streams[0].dst_port = 40000;
	sample_addr(&streams[0].src, "198.51.100.7");
	streams[0].src_port = 7078;
	streams[0].has_ssrc = true;
	streams[0].ssrc = 0xdeadbeef;
	streams[0].flags = LISTENIN_STREAM_F_RTCP;
	sample_addr(&outs[0].dst, "10.9.0.2");
	outs[0].dst_port = 5004;
	sample_addr(&outs[0].src, "10.0.0.1");
	outs[0].src_port = 30000;
	outs[0].flags = LISTENIN_OUTPUT_F_LISTEN_ONLY;
	sample_addr(&outs[1].dst, "10.9.0.3");
	outs[1].dst_port = 5006;
	sample_addr(&outs[1].src, "10.0.0.1");
	outs[1].src_port = 30002;
	streams[0].outputs = &outs[0];
	streams[0].n_outputs = 2;

	sample_addr(&streams[1].dst, "2001:db8::5");
	streams[1].dst_port = 40002;
	sample_addr(&outs[2].dst, "2001:db8::9");
	outs[2].dst_port = 6000;
	sample_addr(&outs[2].src, "2001:db8::1");
	outs[2].src_port = 6002;
	streams[1].outputs = &outs[2];
	streams[1].n_outputs = 1;

	tap->cookie = 0x0123456789abcdefULL;
	tap->idle_timeout = 45;
	tap->streams = streams;
	tap->n_streams = 2;
}

#endif
