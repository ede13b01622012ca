// SPDX-License-Identifier: GPL-2.0
/* SDP media extraction: any bytes as an SDP body. */
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "listenind/sdp.h"
#include "listenind/sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdp_session session;

	sip_init();
	if (sdp_parse(&session, (const char *)data, size) != SDP_OK)
		return 0;
	if (!session.stream_count || session.stream_count > SDP_MAX_STREAMS)
		__builtin_trap();
	for (unsigned int i = 0; i < session.stream_count; i++) {
		const struct sdp_stream *s = &session.streams[i];

		if (s->payload_count > SDP_MAX_PAYLOADS || s->direction > SDP_INACTIVE ||
		    (s->addr.family && s->addr.family != AF_INET && s->addr.family != AF_INET6) ||
		    (s->rtcp_mux && s->rtcp_port != s->rtp_port))
			__builtin_trap();
		(void)sdp_stream_is_hold(s);
	}
	(void)sdp_session_is_hold(&session);
	return 0;
}
