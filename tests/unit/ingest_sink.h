/* SPDX-License-Identifier: GPL-2.0 */
/*
 * calls_ingest_sip() for the tests of a SIP source (capture, HEP server):
 * counts every message delivered in n_got and keeps the first 16 in got[]
 * (cut to 8192 bytes), checks that each came with the call table
 * want_calls, and returns ingest_ret.
 */
#ifndef TESTS_INGEST_SINK_H
#define TESTS_INGEST_SINK_H

#include <string.h>

#include "listenind/ingest.h"

static struct {
	struct sip_origin origin;
	char msg[8192];
	size_t len;
} got[16];
static unsigned int n_got;
static struct calls *want_calls;
static int calls_ok = 1;
static int ingest_ret;

int calls_ingest_sip(struct calls *calls, const struct sip_origin *origin,
		     const char *msg, size_t len)
{
	if (calls != want_calls)
		calls_ok = 0;
	if (n_got < sizeof(got) / sizeof(got[0])) {
		got[n_got].origin = *origin;
		got[n_got].len = len < sizeof(got[0].msg) ? len : sizeof(got[0].msg);
		memcpy(got[n_got].msg, msg, got[n_got].len);
	}
	n_got++;
	return ingest_ret;
}

#endif
