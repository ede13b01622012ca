/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seam between SIP inputs (HEPv3, passive capture) and the call table.
 * An input hands over one complete SIP message with where it was seen.
 */
#ifndef LISTENIND_INGEST_H
#define LISTENIND_INGEST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct calls;

enum sip_input {
	SIP_INPUT_HEP,
	SIP_INPUT_CAPTURE,
};

struct sip_origin {
	enum sip_input input;
	int family;			/* AF_INET or AF_INET6 */
	int transport;			/* IPPROTO_UDP or IPPROTO_TCP */
	uint8_t src_addr[16];		/* network order; IPv4 in the first 4 bytes */
	uint8_t dst_addr[16];
	uint16_t src_port;		/* host order */
	uint16_t dst_port;
	struct timespec seen;		/* HEP timestamp or capture time */
};

/*
 * Parses one SIP message and applies it to the call table (calls.h). Returns
 * 0 when applied, and also for traffic that is not a call (REGISTER,
 * OPTIONS...: ignored). Otherwise a negative errno: -EINVAL malformed,
 * -ENOENT in-dialog message of an unknown call, -ENOSPC call table full,
 * -ENOMEM, or -EBADMSG when the SDP was bad and dropped but the SIP part was
 * applied. The reason is counted and logged (debug) by the call table;
 * docs/call-tracking.md lists them. origin may be NULL; origin->seen of zero
 * means "now".
 */
int calls_ingest_sip(struct calls *calls, const struct sip_origin *origin,
		     const char *msg, size_t len);

#endif
