/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The media streams one SDP describes: where its author RECEIVES each stream
 * (address, RTP port, RTCP port or rtcp-mux), the payload types it accepts
 * and the direction it asks for. Parsed by libosip2.
 */
#ifndef LISTENIND_SDP_H
#define LISTENIND_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDP_MAX_LENGTH		8192	/* bytes of SDP accepted */
#define SDP_MAX_STREAMS		4	/* m= lines kept; later ones are ignored */
#define SDP_MAX_PAYLOADS	16	/* payload types kept per stream */

enum sdp_kind {
	SDP_KIND_OTHER,
	SDP_KIND_AUDIO,
	SDP_KIND_VIDEO,
	SDP_KIND_IMAGE,		/* T.38 fax */
};

enum sdp_direction {
	SDP_SENDRECV,
	SDP_SENDONLY,
	SDP_RECVONLY,
	SDP_INACTIVE,
};

enum sdp_error {
	SDP_OK,
	SDP_ERR_TOO_LARGE,
	SDP_ERR_UNPARSEABLE,
	SDP_ERR_NO_MEDIA,
	SDP_ERR_BAD_PORT,
	SDP_ERR_BAD_ADDRESS,
	SDP_ERR_NO_ADDRESS,
	SDP_ERR_NO_MEMORY,
};

struct sdp_addr {
	uint8_t family;			/* AF_INET, AF_INET6; 0 = not an IP address */
	uint8_t bytes[16];		/* network order; IPv4 in the first 4 */
};

struct sdp_stream {
	uint8_t kind;			/* enum sdp_kind */
	uint8_t direction;		/* enum sdp_direction */
	bool rtcp_mux;
	uint8_t payload_count;
	uint16_t rtp_port;		/* 0: stream disabled */
	uint16_t rtcp_port;		/* a=rtcp: or RTP port + 1; equals rtp_port if muxed */
	struct sdp_addr addr;		/* c= of the media, else of the session */
	struct sdp_addr rtcp_addr;	/* a=rtcp: address, else addr */
	uint8_t payloads[SDP_MAX_PAYLOADS];
};

struct sdp_session {
	uint8_t stream_count;
	struct sdp_stream streams[SDP_MAX_STREAMS];
};

enum sdp_error sdp_parse(struct sdp_session *session, const char *buf, size_t len);

/* Null address (0.0.0.0, ::), port 0, sendonly or inactive: RFC 3264 hold. */
bool sdp_stream_is_hold(const struct sdp_stream *stream);
/* Every audio stream (every stream if none is audio) is on hold. */
bool sdp_session_is_hold(const struct sdp_session *session);
bool sdp_addr_is_null(const struct sdp_addr *addr);
bool sdp_direction_sends(enum sdp_direction direction);
bool sdp_direction_receives(enum sdp_direction direction);

const char *sdp_error_name(enum sdp_error err);
const char *sdp_kind_name(enum sdp_kind kind);
const char *sdp_direction_name(enum sdp_direction direction);

#endif
