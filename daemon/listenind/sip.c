// SPDX-License-Identifier: GPL-2.0
#include "listenind/sip.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

static const char *const method_names[] = {
	[SIP_METHOD_OTHER] = "OTHER",
	[SIP_INVITE] = "INVITE",
	[SIP_ACK] = "ACK",
	[SIP_BYE] = "BYE",
	[SIP_CANCEL] = "CANCEL",
	[SIP_UPDATE] = "UPDATE",
	[SIP_PRACK] = "PRACK",
	[SIP_REFER] = "REFER",
	[SIP_NOTIFY] = "NOTIFY",
	[SIP_INFO] = "INFO",
	[SIP_OPTIONS] = "OPTIONS",
	[SIP_REGISTER] = "REGISTER",
	[SIP_SUBSCRIBE] = "SUBSCRIBE",
	[SIP_MESSAGE] = "MESSAGE",
	[SIP_PUBLISH] = "PUBLISH",
};

static const char *const error_names[] = {
	[SIP_PARSED] = "ok",
	[SIP_ERR_EMPTY] = "empty message",
	[SIP_ERR_TOO_LARGE] = "message too large",
	[SIP_ERR_UNPARSEABLE] = "unparseable",
	[SIP_ERR_NO_CALL_ID] = "no Call-ID",
	[SIP_ERR_CALL_ID_TOO_LONG] = "Call-ID too long",
	[SIP_ERR_NO_CSEQ] = "no CSeq",
	[SIP_ERR_BAD_CSEQ] = "bad CSeq",
	[SIP_ERR_NO_FROM] = "no From",
	[SIP_ERR_NO_FROM_TAG] = "no From tag",
	[SIP_ERR_NO_TO] = "no To",
	[SIP_ERR_NO_MEMORY] = "out of memory",
	[SIP_ERR_BAD_MULTIPART] = "MIME part with two Content-Types",
};

const char *sip_method_name(enum sip_method method)
{
	if ((size_t)method >= sizeof(method_names) / sizeof(method_names[0]))
		return "OTHER";
	return method_names[method];
}

const char *sip_error_name(enum sip_error err)
{
	if ((size_t)err >= sizeof(error_names) / sizeof(error_names[0]))
		return "unknown error";
	return error_names[err];
}

static void quiet(const char *file, int line, osip_trace_level_t level, const char *fmt,
		  va_list ap)
{
	(void)file, (void)line, (void)level, (void)fmt, (void)ap;
}

void sip_init(void)
{
	static bool done;

	if (!done) {
		parser_init();
		/* a malformed message is ours to count; libosip2 would print it to stdout */
		osip_trace_initialize_func(TRACE_LEVEL0, quiet);
		for (int level = TRACE_LEVEL0; level < END_TRACE_LEVEL; level++)
			osip_trace_disable_level(level);
		done = true;
	}
}

static enum sip_method method_from_name(const char *name)
{
	for (size_t i = 1; i < sizeof(method_names) / sizeof(method_names[0]); i++)
		if (!strcmp(name, method_names[i]))
			return i;
	return SIP_METHOD_OTHER;
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static const char *param_value(osip_list_t *params, const char *name, bool *present)
{
	osip_generic_param_t *param;
	int pos = 0;

	while ((param = osip_list_get(params, pos++))) {
		if (param->gname && !strcasecmp(param->gname, name)) {
			if (present)
				*present = true;
			return nonempty(param->gvalue);
		}
	}
	return NULL;
}

static void fill_party(struct sip_party *party, osip_from_t *hdr)
{
	memset(party, 0, sizeof(*party));
	if (!hdr)
		return;
	party->display = nonempty(hdr->displayname);
	if (hdr->url) {
		party->user = nonempty(hdr->url->username);
		party->host = nonempty(hdr->url->host);
		/* tel: and other non-SIP URIs keep their text unsplit */
		if (!party->user && !party->host)
			party->user = nonempty(hdr->url->string);
	}
	party->tag = param_value(&hdr->gen_params, "tag", NULL);
}

static osip_header_t *find_header(osip_message_t *m, const char *name, const char *compact)
{
	osip_header_t *hdr = NULL;

	if (osip_message_header_get_byname(m, name, 0, &hdr) >= 0 && hdr && nonempty(hdr->hvalue))
		return hdr;
	hdr = NULL;
	if (compact && osip_message_header_get_byname(m, compact, 0, &hdr) >= 0 && hdr &&
	    nonempty(hdr->hvalue))
		return hdr;
	return NULL;
}

static osip_from_t *parse_name_addr(osip_message_t *m, const char *name, const char *compact)
{
	osip_header_t *hdr = find_header(m, name, compact);
	osip_from_t *parsed;

	if (!hdr || osip_from_init(&parsed))
		return NULL;
	if (osip_from_parse(parsed, hdr->hvalue)) {
		osip_from_free(parsed);
		return NULL;
	}
	return parsed;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

/* "call-id;to-tag=a;from-tag=b" (RFC 3891), split in place in replaces_buf */
static bool split_replaces(struct sip_msg *msg)
{
	char *save = NULL;
	char *part = strtok_r(msg->replaces_buf, ";", &save);

	if (!part || !*(part = trim(part)))
		return false;
	msg->replaces.call_id = part;
	while ((part = strtok_r(NULL, ";", &save))) {
		char *value = strchr(part, '=');

		if (!value)
			continue;
		*value++ = '\0';
		part = trim(part);
		value = trim(value);
		if (!strcasecmp(part, "to-tag"))
			msg->replaces.to_tag = nonempty(value);
		else if (!strcasecmp(part, "from-tag"))
			msg->replaces.from_tag = nonempty(value);
	}
	return true;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool copy_unescaped(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	while (*src) {
		char c = *src++;

		if (c == '%' && hex_digit(src[0]) >= 0 && hex_digit(src[1]) >= 0) {
			c = (char)(hex_digit(src[0]) << 4 | hex_digit(src[1]));
			src += 2;
		}
		if (c == '\0' || n + 1 >= size)
			return false;
		dst[n++] = c;
	}
	dst[n] = '\0';
	return true;
}

static void find_replaces(struct sip_msg *msg, osip_message_t *m, osip_from_t *refer_to)
{
	osip_header_t *hdr = find_header(m, "replaces", NULL);
	bool ok = false;

	if (hdr) {
		/* a header value is not escaped: a Call-ID may hold a literal '%' */
		ok = strlen(hdr->hvalue) < sizeof(msg->replaces_buf);
		if (ok)
			strcpy(msg->replaces_buf, hdr->hvalue);
	} else if (refer_to && refer_to->url) {
		osip_uri_header_t *uh;
		int pos = 0;

		while ((uh = osip_list_get(&refer_to->url->url_headers, pos++)))
			if (uh->gname && uh->gvalue && !strcasecmp(uh->gname, "replaces")) {
				ok = copy_unescaped(msg->replaces_buf, sizeof(msg->replaces_buf),
						    uh->gvalue);
				break;
			}
	}
	msg->has_replaces = ok && split_replaces(msg);
}

static bool is_type(const osip_content_type_t *ct, const char *type, const char *subtype)
{
	return ct && ct->type && !strcasecmp(ct->type, type) &&
	       (!subtype || (ct->subtype && !strcasecmp(ct->subtype, subtype)));
}

static void find_sdp(struct sip_msg *msg, osip_message_t *m)
{
	osip_body_t *body;
	int pos = 0;

	if (is_type(m->content_type, "application", "sdp")) {
		body = osip_list_get(&m->bodies, 0);
	} else if (is_type(m->content_type, "multipart", NULL)) {
		while ((body = osip_list_get(&m->bodies, pos++)))
			if (is_type(body->content_type, "application", "sdp"))
				break;
	} else {
		return;
	}
	if (body && body->body && body->length) {
		msg->sdp = body->body;
		msg->sdp_len = body->length;
	}
}

static bool parse_cseq(const char *text, uint32_t *out)
{
	char *end;
	unsigned long n;

	if (!text || !isdigit((unsigned char)*text))
		return false;
	errno = 0;
	n = strtoul(text, &end, 10);
	if (errno || *end || n > 0x7fffffffUL)
		return false;
	*out = (uint32_t)n;
	return true;
}

static enum sip_error fill(struct sip_msg *msg, osip_message_t *m,
			   const char *const *meta_names, size_t meta_count)
{
	osip_contact_t *contact;
	osip_via_t *via;
	int n;

	if (m->status_code) {
		if (m->status_code < 100 || m->status_code > 699)
			return SIP_ERR_UNPARSEABLE;
		msg->status = m->status_code;
	} else {
		if (!nonempty(m->sip_method))
			return SIP_ERR_UNPARSEABLE;
		msg->request = true;
	}

	if (!m->call_id || !nonempty(m->call_id->number))
		return SIP_ERR_NO_CALL_ID;
	if (m->call_id->host)
		n = snprintf(msg->call_id_buf, sizeof(msg->call_id_buf), "%s@%s",
			     m->call_id->number, m->call_id->host);
	else
		n = snprintf(msg->call_id_buf, sizeof(msg->call_id_buf), "%s",
			     m->call_id->number);
	if (n < 0 || (size_t)n >= sizeof(msg->call_id_buf))
		return SIP_ERR_CALL_ID_TOO_LONG;
	msg->call_id = msg->call_id_buf;

	if (!m->cseq || !nonempty(m->cseq->method) || !nonempty(m->cseq->number))
		return SIP_ERR_NO_CSEQ;
	if (!parse_cseq(m->cseq->number, &msg->cseq))
		return SIP_ERR_BAD_CSEQ;
	if (msg->request) {
		if (strcmp(m->sip_method, m->cseq->method))
			return SIP_ERR_BAD_CSEQ;
		msg->method_name = m->sip_method;
	} else {
		msg->method_name = m->cseq->method;
	}
	msg->method = method_from_name(msg->method_name);

	if (!m->from || !m->from->url)
		return SIP_ERR_NO_FROM;
	fill_party(&msg->from, m->from);
	if (!msg->from.tag)
		return SIP_ERR_NO_FROM_TAG;
	if (!m->to || !m->to->url)
		return SIP_ERR_NO_TO;
	fill_party(&msg->to, m->to);

	contact = osip_list_get(&m->contacts, 0);
	if (contact) {
		bool isfocus = false;

		fill_party(&msg->contact, contact);
		param_value(&contact->gen_params, "isfocus", &isfocus);
		msg->contact_isfocus = isfocus;
	}

	via = osip_list_get(&m->vias, 0);
	if (via) {
		msg->via_host = nonempty(via->host);
		msg->via_branch = param_value(&via->via_params, "branch", NULL);
	}

	msg->pai_hdr = parse_name_addr(m, "p-asserted-identity", NULL);
	fill_party(&msg->asserted, msg->pai_hdr);
	msg->referred_by_hdr = parse_name_addr(m, "referred-by", "b");
	fill_party(&msg->referred_by, msg->referred_by_hdr);
	if (msg->method == SIP_REFER) {
		msg->refer_to_hdr = parse_name_addr(m, "refer-to", "r");
		fill_party(&msg->refer_to, msg->refer_to_hdr);
		msg->has_refer_to = msg->refer_to_hdr != NULL;
	}
	find_replaces(msg, m, msg->refer_to_hdr);

	for (size_t i = 0; i < meta_count && i < SIP_MAX_META; i++) {
		osip_header_t *hdr;

		if (!meta_names[i] || !*meta_names[i])
			continue;
		hdr = find_header(m, meta_names[i], NULL);
		if (hdr)
			msg->meta[i] = trim(hdr->hvalue);
	}

	find_sdp(msg, m);
	return SIP_PARSED;
}

/* libosip2 reads headers with string functions: a NUL there would cut them short */
static size_t header_length(const char *buf, size_t len)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4);

	if (!end)
		end = memmem(buf, len, "\n\n", 2);
	return end ? (size_t)(end - buf) : len;
}

/*
 * libosip2 takes any MIME part header whose name merely starts with
 * "content-type" ("Content-Typeo:") for a Content-Type, so this does too.
 */
static bool is_content_type(const char *line, size_t n)
{
	size_t name;

	if (n > 12 && !strncasecmp(line, "content-type", 12))
		return memchr(line + 12, ':', n - 12) != NULL;
	if (n > 1 && (line[0] == 'c' || line[0] == 'C'))
		name = 1;
	else
		return false;
	while (name < n && (line[name] == ' ' || line[name] == '\t'))
		name++;
	return name < n && line[name] == ':';
}

/*
 * libosip2 5.3 leaks the first Content-Type of a MIME part that has two, so
 * such a body never reaches it. Any line starting with "--" is taken for a
 * boundary: at worst an odd body is refused, never one that would leak.
 */
static bool part_repeats_content_type(const char *body, size_t len)
{
	const char *p = body, *end = body + len;
	bool in_headers = false;
	unsigned int types = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((eol ? eol : end) - p);

		if (n && p[n - 1] == '\r')
			n--;
		if (n >= 2 && p[0] == '-' && p[1] == '-') {
			in_headers = true;
			types = 0;
		} else if (in_headers) {
			if (!n)
				in_headers = false;
			else if (is_content_type(p, n) && ++types > 1)
				return true;
		}
		p = eol ? eol + 1 : end;
	}
	return false;
}

enum sip_error sip_parse(struct sip_msg *msg, const char *buf, size_t len,
			 const char *const *meta_names, size_t meta_count)
{
	osip_message_t *m;
	enum sip_error err;
	size_t head;

	memset(msg, 0, sizeof(*msg));
	if (!len)
		return SIP_ERR_EMPTY;
	if (len > SIP_MAX_MESSAGE)
		return SIP_ERR_TOO_LARGE;
	head = header_length(buf, len);
	if (memchr(buf, '\0', head))
		return SIP_ERR_UNPARSEABLE;
	if (part_repeats_content_type(buf + head, len - head))
		return SIP_ERR_BAD_MULTIPART;
	if (osip_message_init(&m))
		return SIP_ERR_NO_MEMORY;
	msg->osip = m;
	if (osip_message_parse(m, buf, len)) {
		sip_msg_release(msg);
		return SIP_ERR_UNPARSEABLE;
	}
	err = fill(msg, m, meta_names, meta_count);
	if (err != SIP_PARSED)
		sip_msg_release(msg);
	return err;
}

void sip_msg_release(struct sip_msg *msg)
{
	if (msg->pai_hdr)
		osip_from_free(msg->pai_hdr);
	if (msg->refer_to_hdr)
		osip_from_free(msg->refer_to_hdr);
	if (msg->referred_by_hdr)
		osip_from_free(msg->referred_by_hdr);
	if (msg->osip)
		osip_message_free(msg->osip);
	msg->osip = msg->pai_hdr = msg->refer_to_hdr = msg->referred_by_hdr = NULL;
}
