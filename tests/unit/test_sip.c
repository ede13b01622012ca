// SPDX-License-Identifier: GPL-2.0
/* SIP message reduction: every field call tracking reads, every rejection. */
#include <stdio.h>
#include <string.h>

#include "listenind/sip.h"
#include "sip_fixture.h"

static const char *const meta_names[] = { "X-Agent", "x-queue", "X-TEAM", "X-Department",
					  "X-Site", "X-Campaign" };
#define META_COUNT (sizeof(meta_names) / sizeof(meta_names[0]))

static int streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static enum sip_error parse_msg(struct sip_msg *msg, const struct fixture_msg *fm)
{
	return sip_parse(msg, fm->text, fm->len, meta_names, META_COUNT);
}

static enum sip_error parse_text(struct sip_msg *msg, const char *text)
{
	return sip_parse(msg, text, strlen(text), meta_names, META_COUNT);
}

static void test_invite(void)
{
	struct fixture f;
	struct sip_msg m;

	fixture_load(&f, "basic_call.sip");
	ok(parse_msg(&m, fixture_find(&f, "INVITE")) == SIP_PARSED, "basic INVITE parses");
	ok(m.request && m.method == SIP_INVITE && m.status == 0, "INVITE is a request");
	ok(streq(m.call_id, "basic-call-1@10.1.0.5"), "Call-ID with host part");
	ok(m.cseq == 101, "CSeq number");
	ok(streq(m.from.user, "+14155550100") && streq(m.from.host, "pbx.example.com") &&
	   streq(m.from.display, "\"Customer\"") && streq(m.from.tag, "pbx-basic-1"),
	   "From user, host, display name, tag");
	ok(streq(m.to.user, "1001") && !m.to.tag, "To user, no To tag yet");
	ok(streq(m.contact.user, "pbx") && streq(m.contact.host, "10.1.0.5") &&
	   !m.contact_isfocus, "Contact, not a focus");
	ok(streq(m.asserted.user, "+14155550100"), "P-Asserted-Identity user");
	ok(streq(m.via_host, "10.1.0.5") && streq(m.via_branch, "z9hG4bK-basic-1"),
	   "top Via host and branch");
	ok(!m.meta[0] && streq(m.meta[1], "sales-eu") && streq(m.meta[2], "team-blue") &&
	   streq(m.meta[3], "sales") && streq(m.meta[4], "lisbon") &&
	   streq(m.meta[5], "spring-2026"), "metadata headers, names matched without case");
	ok(m.sdp && m.sdp_len > 100 && !strncmp(m.sdp, "v=0\r\n", 5), "SDP body found");
	ok(!m.has_refer_to && !m.has_replaces, "no transfer headers");
	sip_msg_release(&m);

	ok(parse_msg(&m, fixture_find(&f, "200 OK to BYE")) == SIP_PARSED, "response parses");
	ok(!m.request && m.status == 200 && m.method == SIP_BYE && m.cseq == 102,
	   "response status and CSeq method");
	ok(!m.sdp, "no body, no SDP");
	sip_msg_release(&m);
	fixture_free(&f);
}

static void test_compact(void)
{
	struct fixture f;
	struct sip_msg m;

	fixture_load(&f, "compact.sip");
	ok(parse_msg(&m, fixture_find(&f, "INVITE")) == SIP_PARSED, "compact INVITE parses");
	ok(streq(m.call_id, "compact-call-1@10.1.0.5"), "i: is Call-ID");
	ok(streq(m.from.tag, "pbx-compact-1") && streq(m.from.user, "+14155550109"), "f: is From");
	ok(streq(m.to.user, "1011"), "t: is To");
	ok(streq(m.contact.user, "pbx"), "m: is Contact");
	ok(streq(m.via_branch, "z9hG4bK-compact-1"), "v: is Via");
	ok(m.sdp && m.sdp_len > 50, "c: application/sdp and l: give the SDP");
	ok(streq(m.meta[1], "sales-us"), "metadata in a compact message");
	sip_msg_release(&m);

	ok(parse_msg(&m, fixture_find(&f, "REFER")) == SIP_PARSED, "compact REFER parses");
	ok(m.method == SIP_REFER && m.has_refer_to && streq(m.refer_to.user, "2100"),
	   "r: is Refer-To");
	ok(streq(m.referred_by.user, "1011"), "b: is Referred-By");
	ok(!m.has_replaces, "blind: no Replaces");
	sip_msg_release(&m);
	fixture_free(&f);
}

static void test_multipart(void)
{
	struct fixture f;
	struct sip_msg m;

	fixture_load(&f, "multipart.sip");
	ok(parse_msg(&m, fixture_find(&f, "INVITE")) == SIP_PARSED, "multipart INVITE parses");
	ok(m.sdp && !strncmp(m.sdp, "v=0", 3) && strstr(m.sdp, "m=audio 50000") &&
	   m.sdp_len < 200, "the application/sdp part is found after the ISUP part");
	sip_msg_release(&m);
	fixture_free(&f);
}

static void test_multipart_refused(void)
{
	static const char two_types[] =
		"INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bKx\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n"
		"Content-Type: multipart/mixed;boundary=b1\r\n\r\n"
		"--b1\r\nContent-Type: application/sdp\r\ncontent-type : text/plain\r\n\r\nv=0\r\n--b1--\r\n";
	static const char prefixed[] =
		"INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bKx\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n"
		"Content-Type: multipart/mixed;boundary=b1\r\n\r\n"
		"--b1\r\nContent-Type: application/sdp\r\nContent-Typeo: text/plain\r\n\r\nv=0\r\n--b1--\r\n";
	struct sip_msg m;

	ok(parse_text(&m, two_types) == SIP_ERR_BAD_MULTIPART,
	   "MIME part with two Content-Types refused (libosip2 would leak it)");
	ok(parse_text(&m, prefixed) == SIP_ERR_BAD_MULTIPART,
	   "a second header merely starting with Content-Type counts too (libosip2 takes it for one)");
}

static void test_transfer_headers(void)
{
	struct fixture f;
	struct sip_msg m;

	fixture_load(&f, "attended_transfer.sip");
	ok(parse_msg(&m, fixture_find(&f, "A REFER")) == SIP_PARSED, "attended REFER parses");
	ok(m.has_refer_to && streq(m.refer_to.user, "1008"), "Refer-To target");
	ok(m.has_replaces && streq(m.replaces.call_id, "consult-b@10.2.0.27") &&
	   streq(m.replaces.to_tag, "agent-1008-c") && streq(m.replaces.from_tag, "agent-1007-c"),
	   "Replaces inside Refer-To is unescaped and split");
	ok(streq(m.referred_by.user, "1007"), "Referred-By");
	sip_msg_release(&m);

	ok(parse_msg(&m, fixture_find(&f, "C INVITE")) == SIP_PARSED, "INVITE with Replaces parses");
	ok(m.has_replaces && streq(m.replaces.call_id, "consult-b@10.2.0.27") &&
	   streq(m.replaces.to_tag, "agent-1008-c") && streq(m.replaces.from_tag, "agent-1007-c"),
	   "Replaces header split");
	ok(!m.has_refer_to, "no Refer-To outside REFER");
	sip_msg_release(&m);
	fixture_free(&f);

	fixture_load(&f, "conference.sip");
	ok(parse_msg(&m, fixture_find(&f, "re-INVITE")) == SIP_PARSED, "focus re-INVITE parses");
	ok(m.contact_isfocus && streq(m.to.tag, "agent-1014-c"), "Contact ;isfocus seen");
	sip_msg_release(&m);
	fixture_free(&f);
}

static void test_replaces_escaping(void)
{
	static const char invite[] =
		"INVITE sip:1@h SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-r\r\n"
		"From: <sip:a@h>;tag=f\r\nTo: <sip:1@h>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n"
		"Replaces: ab%41cd@host;from-tag=7;to-tag=9;early-only\r\n\r\n";
	struct sip_msg m;

	ok(parse_text(&m, invite) == SIP_PARSED && m.has_replaces &&
	   streq(m.replaces.call_id, "ab%41cd@host") && streq(m.replaces.from_tag, "7") &&
	   streq(m.replaces.to_tag, "9"), "Replaces header kept verbatim, parameters in any order");
	sip_msg_release(&m);
}

static void test_ipv6(void)
{
	struct fixture f;
	struct sip_msg m;

	fixture_load(&f, "ipv6.sip");
	ok(parse_msg(&m, fixture_find(&f, "INVITE")) == SIP_PARSED, "IPv6 INVITE parses");
	ok(streq(m.call_id, "v6-call-1@2001:db8:10::5"), "Call-ID with an IPv6 host");
	ok(m.via_host && strstr(m.via_host, "2001:db8:10::5"), "IPv6 Via host");
	sip_msg_release(&m);
	fixture_free(&f);
}

static const char good_head[] =
	"BYE sip:a@b SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-x\r\n";

static void expect(const char *text, enum sip_error want, const char *name)
{
	struct sip_msg m;
	enum sip_error got = parse_text(&m, text);

	ok(got == want, "%s: %s (got %s)", name, sip_error_name(want), sip_error_name(got));
	if (got == SIP_PARSED)
		sip_msg_release(&m);
}

static void test_rejections(void)
{
	char buf[1024];
	struct sip_msg m;
	static char big[SIP_MAX_MESSAGE + 2];

	ok(sip_parse(&m, "", 0, NULL, 0) == SIP_ERR_EMPTY, "empty message rejected");
	memset(big, 'a', sizeof(big) - 1);
	ok(sip_parse(&m, big, sizeof(big) - 1, NULL, 0) == SIP_ERR_TOO_LARGE,
	   "message over 65535 bytes rejected");
	expect("hello world\r\n\r\n", SIP_ERR_UNPARSEABLE, "garbage");
	expect("SIP/2.0 999 Odd\r\nCall-ID: a\r\nCSeq: 1 INVITE\r\n\r\n", SIP_ERR_UNPARSEABLE,
	       "status outside 100..699");

	snprintf(buf, sizeof(buf), "%sFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCSeq: 1 BYE\r\n\r\n",
		 good_head);
	expect(buf, SIP_ERR_NO_CALL_ID, "missing Call-ID");
	snprintf(buf, sizeof(buf), "%sFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\n\r\n",
		 good_head);
	expect(buf, SIP_ERR_NO_CSEQ, "missing CSeq");
	snprintf(buf, sizeof(buf),
		 "%sFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n",
		 good_head);
	expect(buf, SIP_ERR_BAD_CSEQ, "CSeq method differing from the request's");
	snprintf(buf, sizeof(buf),
		 "%sFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 99999999999 BYE\r\n\r\n",
		 good_head);
	expect(buf, SIP_ERR_BAD_CSEQ, "CSeq number over 2^31");
	snprintf(buf, sizeof(buf), "%sTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 BYE\r\n\r\n",
		 good_head);
	expect(buf, SIP_ERR_NO_FROM, "missing From");
	snprintf(buf, sizeof(buf),
		 "%sFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 BYE\r\n\r\n", good_head);
	expect(buf, SIP_ERR_NO_FROM_TAG, "From without tag");
	snprintf(buf, sizeof(buf), "%sFrom: <sip:a@b>;tag=1\r\nCall-ID: x\r\nCSeq: 1 BYE\r\n\r\n",
		 good_head);
	expect(buf, SIP_ERR_NO_TO, "missing To");
	snprintf(buf, sizeof(buf),
		 "%sFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 BYE\r\n\r\n",
		 good_head);
	expect(buf, SIP_PARSED, "the same message with every header is accepted");

	memcpy(buf, "BYE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1\0\r\n\r\n", 51);
	ok(sip_parse(&m, buf, 51, NULL, 0) == SIP_ERR_UNPARSEABLE, "NUL inside the headers");

	{
		char longid[301];

		memset(longid, 'x', 300);
		longid[300] = '\0';
		snprintf(buf, sizeof(buf),
			 "%sFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: %s\r\nCSeq: 1 BYE\r\n\r\n",
			 good_head, longid);
		expect(buf, SIP_ERR_CALL_ID_TOO_LONG, "Call-ID of 300 characters");
	}
}

static void test_names(void)
{
	ok(!strcmp(sip_method_name(SIP_UPDATE), "UPDATE"), "method names");
	ok(!strcmp(sip_error_name(SIP_ERR_NO_CALL_ID), "no Call-ID"), "error names");
	ok(!strcmp(sip_error_name((enum sip_error)1000), "unknown error"), "unknown error name");
}

int main(void)
{
	sip_init();
	test_invite();
	test_compact();
	test_multipart();
	test_multipart_refused();
	test_transfer_headers();
	test_replaces_escaping();
	test_ipv6();
	test_rejections();
	test_names();
	return tap_done();
}
