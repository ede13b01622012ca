/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One SIP message reduced to what call tracking needs, parsed by libosip2.
 * Every string points into the parsed message and lives until
 * sip_msg_release(); absent fields are NULL (tags, users) or 0 (numbers).
 */
#ifndef LISTENIND_SIP_H
#define LISTENIND_SIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIP_MAX_MESSAGE		65535	/* larger than any UDP datagram */
#define SIP_MAX_META		8	/* configurable metadata headers */
#define SIP_CALL_ID_MAX		256	/* bytes including the NUL */

enum sip_method {
	SIP_METHOD_OTHER,
	SIP_INVITE,
	SIP_ACK,
	SIP_BYE,
	SIP_CANCEL,
	SIP_UPDATE,
	SIP_PRACK,
	SIP_REFER,
	SIP_NOTIFY,
	SIP_INFO,
	SIP_OPTIONS,
	SIP_REGISTER,
	SIP_SUBSCRIBE,
	SIP_MESSAGE,
	SIP_PUBLISH,
};

enum sip_error {
	SIP_PARSED,
	SIP_ERR_EMPTY,
	SIP_ERR_TOO_LARGE,
	SIP_ERR_UNPARSEABLE,
	SIP_ERR_NO_CALL_ID,
	SIP_ERR_CALL_ID_TOO_LONG,
	SIP_ERR_NO_CSEQ,
	SIP_ERR_BAD_CSEQ,
	SIP_ERR_NO_FROM,
	SIP_ERR_NO_FROM_TAG,
	SIP_ERR_NO_TO,
	SIP_ERR_NO_MEMORY,
	SIP_ERR_BAD_MULTIPART,
};

/* A name-addr header (From, To, Contact, P-Asserted-Identity, Refer-To...). */
struct sip_party {
	const char *display;
	const char *user;
	const char *host;
	const char *tag;
};

/* The dialog named by a Replaces header or a Refer-To's ?Replaces= part. */
struct sip_replaces {
	const char *call_id;
	const char *to_tag;
	const char *from_tag;
};

struct sip_msg {
	bool request;
	enum sip_method method;		/* of the request, or CSeq's for a response */
	const char *method_name;
	int status;			/* responses only */
	const char *call_id;
	uint32_t cseq;
	struct sip_party from;
	struct sip_party to;
	struct sip_party contact;	/* first Contact */
	bool contact_isfocus;		/* RFC 4579 conference focus */
	struct sip_party asserted;	/* P-Asserted-Identity */
	struct sip_party refer_to;	/* Refer-To (REFER only) */
	struct sip_party referred_by;	/* Referred-By */
	bool has_refer_to;
	bool has_replaces;
	struct sip_replaces replaces;
	const char *via_host;		/* top Via */
	const char *via_branch;
	const char *meta[SIP_MAX_META];	/* values of the headers asked for */
	const char *sdp;		/* application/sdp body, possibly inside multipart */
	size_t sdp_len;

	/* private: what the strings above point into */
	void *osip;
	void *pai_hdr, *refer_to_hdr, *referred_by_hdr;
	char call_id_buf[SIP_CALL_ID_MAX];
	char replaces_buf[SIP_CALL_ID_MAX + 160];
};

/* Must run once before the first sip_parse(); further calls do nothing. */
void sip_init(void);

/*
 * Parses buf (not NUL-terminated) into msg and fills the values of the
 * headers named in meta_names (case-insensitive; at most SIP_MAX_META).
 * On error nothing needs releasing; on success call sip_msg_release().
 */
enum sip_error sip_parse(struct sip_msg *msg, const char *buf, size_t len,
			 const char *const *meta_names, size_t meta_count);
void sip_msg_release(struct sip_msg *msg);

const char *sip_error_name(enum sip_error err);
const char *sip_method_name(enum sip_method method);

#endif
