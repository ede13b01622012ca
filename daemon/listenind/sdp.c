// SPDX-License-Identifier: GPL-2.0
#include "listenind/sdp.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <osipparser2/osip_port.h>
#include <osipparser2/sdp_message.h>

static const char *const error_names[] = {
	[SDP_OK] = "ok",
	[SDP_ERR_TOO_LARGE] = "SDP too large",
	[SDP_ERR_UNPARSEABLE] = "unparseable SDP",
	[SDP_ERR_NO_MEDIA] = "SDP without m= line",
	[SDP_ERR_BAD_PORT] = "bad port in SDP",
	[SDP_ERR_BAD_ADDRESS] = "bad address type in SDP",
	[SDP_ERR_NO_ADDRESS] = "SDP stream without c= line",
	[SDP_ERR_NO_MEMORY] = "out of memory",
};

static const char *const kind_names[] = {
	[SDP_KIND_OTHER] = "other",
	[SDP_KIND_AUDIO] = "audio",
	[SDP_KIND_VIDEO] = "video",
	[SDP_KIND_IMAGE] = "image",
};

static const char *const direction_names[] = {
	[SDP_SENDRECV] = "sendrecv",
	[SDP_SENDONLY] = "sendonly",
	[SDP_RECVONLY] = "recvonly",
	[SDP_INACTIVE] = "inactive",
};

#define NAME(table, i) ((size_t)(i) < sizeof(table) / sizeof(table[0]) ? table[i] : "?")

const char *sdp_error_name(enum sdp_error err)
{
	return NAME(error_names, err);
}

const char *sdp_kind_name(enum sdp_kind kind)
{
	return NAME(kind_names, kind);
}

const char *sdp_direction_name(enum sdp_direction direction)
{
	return NAME(direction_names, direction);
}

bool sdp_direction_sends(enum sdp_direction direction)
{
	return direction == SDP_SENDRECV || direction == SDP_SENDONLY;
}

bool sdp_direction_receives(enum sdp_direction direction)
{
	return direction == SDP_SENDRECV || direction == SDP_RECVONLY;
}

bool sdp_addr_is_null(const struct sdp_addr *addr)
{
	static const uint8_t zero[16];

	if (addr->family == AF_INET)
		return !memcmp(addr->bytes, zero, 4);
	if (addr->family == AF_INET6)
		return !memcmp(addr->bytes, zero, 16);
	return false;
}

bool sdp_stream_is_hold(const struct sdp_stream *stream)
{
	return stream->direction == SDP_SENDONLY || stream->direction == SDP_INACTIVE ||
	       stream->rtp_port == 0 || sdp_addr_is_null(&stream->addr);
}

bool sdp_session_is_hold(const struct sdp_session *session)
{
	bool has_audio = false;
	unsigned int considered = 0;

	for (unsigned int i = 0; i < session->stream_count; i++)
		has_audio |= session->streams[i].kind == SDP_KIND_AUDIO;
	for (unsigned int i = 0; i < session->stream_count; i++) {
		const struct sdp_stream *stream = &session->streams[i];

		if (has_audio && stream->kind != SDP_KIND_AUDIO)
			continue;
		if (!sdp_stream_is_hold(stream))
			return false;
		considered++;
	}
	return considered > 0;
}

static bool parse_port(const char *text, uint16_t *port)
{
	char *end;
	unsigned long n;

	if (!text || !isdigit((unsigned char)*text))
		return false;
	n = strtoul(text, &end, 10);
	if (*end || n > 65535)
		return false;
	*port = (uint16_t)n;
	return true;
}

static enum sdp_error parse_addr(struct sdp_addr *addr, const char *addrtype, const char *text)
{
	memset(addr, 0, sizeof(*addr));
	if (!addrtype || !text)
		return SDP_ERR_NO_ADDRESS;
	if (!strcasecmp(addrtype, "IP4")) {
		if (inet_pton(AF_INET, text, addr->bytes) == 1)
			addr->family = AF_INET;
	} else if (!strcasecmp(addrtype, "IP6")) {
		if (inet_pton(AF_INET6, text, addr->bytes) == 1)
			addr->family = AF_INET6;
	} else {
		return SDP_ERR_BAD_ADDRESS;
	}
	/* anything else is a host name: valid SDP, but no address to tap */
	return SDP_OK;
}

static enum sdp_kind kind_from_name(const char *name)
{
	if (!name)
		return SDP_KIND_OTHER;
	if (!strcasecmp(name, "audio"))
		return SDP_KIND_AUDIO;
	if (!strcasecmp(name, "video"))
		return SDP_KIND_VIDEO;
	if (!strcasecmp(name, "image"))
		return SDP_KIND_IMAGE;
	return SDP_KIND_OTHER;
}

static bool direction_from_attribute(const char *field, enum sdp_direction *direction)
{
	for (size_t i = 0; i < sizeof(direction_names) / sizeof(direction_names[0]); i++)
		if (!strcasecmp(field, direction_names[i])) {
			*direction = i;
			return true;
		}
	return false;
}

/* a=rtcp:<port> [IN IP4|IP6 <address>] (RFC 3605) */
static enum sdp_error parse_rtcp(struct sdp_stream *stream, const char *value)
{
	char copy[128], *save = NULL, *port, *nettype, *addrtype, *addr;

	if (!value || strlen(value) >= sizeof(copy))
		return SDP_ERR_BAD_PORT;
	strcpy(copy, value);
	port = strtok_r(copy, " \t", &save);
	if (!parse_port(port, &stream->rtcp_port))
		return SDP_ERR_BAD_PORT;
	nettype = strtok_r(NULL, " \t", &save);
	addrtype = strtok_r(NULL, " \t", &save);
	addr = strtok_r(NULL, " \t", &save);
	if (nettype && addrtype && addr)
		return parse_addr(&stream->rtcp_addr, addrtype, addr);
	return SDP_OK;
}

static enum sdp_error fill_stream(struct sdp_stream *stream, sdp_media_t *media,
				  const sdp_connection_t *session_conn,
				  enum sdp_direction session_direction)
{
	const sdp_connection_t *conn = osip_list_get(&media->c_connections, 0);
	sdp_attribute_t *attr;
	const char *payload;
	bool has_rtcp = false;
	enum sdp_error err;
	int pos;

	memset(stream, 0, sizeof(*stream));
	stream->kind = kind_from_name(media->m_media);
	stream->direction = session_direction;
	if (!parse_port(media->m_port, &stream->rtp_port))
		return SDP_ERR_BAD_PORT;

	if (!conn)
		conn = session_conn;
	if (conn) {
		err = parse_addr(&stream->addr, conn->c_addrtype, conn->c_addr);
		if (err)
			return err;
	} else if (stream->rtp_port) {
		return SDP_ERR_NO_ADDRESS;
	}

	pos = 0;
	while ((payload = osip_list_get(&media->m_payloads, pos++))) {
		char *end;
		unsigned long pt = strtoul(payload, &end, 10);

		if (isdigit((unsigned char)*payload) && !*end && pt <= 127 &&
		    stream->payload_count < SDP_MAX_PAYLOADS)
			stream->payloads[stream->payload_count++] = (uint8_t)pt;
	}

	pos = 0;
	while ((attr = osip_list_get(&media->a_attributes, pos++))) {
		enum sdp_direction direction;

		if (!attr->a_att_field)
			continue;
		if (direction_from_attribute(attr->a_att_field, &direction)) {
			stream->direction = direction;
		} else if (!strcasecmp(attr->a_att_field, "rtcp-mux")) {
			stream->rtcp_mux = true;
		} else if (!strcasecmp(attr->a_att_field, "rtcp")) {
			err = parse_rtcp(stream, attr->a_att_value);
			if (err)
				return err;
			has_rtcp = true;
		}
	}

	if (stream->rtcp_mux)
		stream->rtcp_port = stream->rtp_port;
	else if (!has_rtcp)
		stream->rtcp_port = stream->rtp_port && stream->rtp_port < 65535 ?
				    stream->rtp_port + 1 : 0;
	if (!stream->rtcp_addr.family)
		stream->rtcp_addr = stream->addr;
	return SDP_OK;
}

static enum sdp_error fill(struct sdp_session *session, sdp_message_t *sdp)
{
	enum sdp_direction session_direction = SDP_SENDRECV;
	sdp_attribute_t *attr;
	sdp_media_t *media;
	int pos = 0;

	while ((attr = osip_list_get(&sdp->a_attributes, pos++))) {
		if (attr->a_att_field)
			direction_from_attribute(attr->a_att_field, &session_direction);
	}

	pos = 0;
	while ((media = osip_list_get(&sdp->m_medias, pos++)) &&
	       session->stream_count < SDP_MAX_STREAMS) {
		enum sdp_error err = fill_stream(&session->streams[session->stream_count], media,
						 sdp->c_connection, session_direction);

		if (err)
			return err;
		session->stream_count++;
	}
	return session->stream_count ? SDP_OK : SDP_ERR_NO_MEDIA;
}

enum sdp_error sdp_parse(struct sdp_session *session, const char *buf, size_t len)
{
	char text[SDP_MAX_LENGTH + 3];
	sdp_message_t *sdp;
	enum sdp_error err;

	memset(session, 0, sizeof(*session));
	if (len > SDP_MAX_LENGTH)
		return SDP_ERR_TOO_LARGE;
	if (!len || memchr(buf, '\0', len))
		return SDP_ERR_UNPARSEABLE;
	memcpy(text, buf, len);
	/* a multipart part ends without its last CRLF, which libosip2 requires */
	if (text[len - 1] != '\n') {
		text[len++] = '\r';
		text[len++] = '\n';
	}
	text[len] = '\0';

	if (sdp_message_init(&sdp))
		return SDP_ERR_NO_MEMORY;
	if (sdp_message_parse(sdp, text))
		err = SDP_ERR_UNPARSEABLE;
	else
		err = fill(session, sdp);
	sdp_message_free(sdp);
	if (err)
		memset(session, 0, sizeof(*session));
	return err;
}
