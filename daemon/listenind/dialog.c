// SPDX-License-Identifier: GPL-2.0
#include "listenind/dialog.h"

#include <string.h>

static const char *const state_names[] = {
	[DIALOG_TRYING] = "trying",
	[DIALOG_RINGING] = "ringing",
	[DIALOG_ANSWERED] = "answered",
	[DIALOG_HELD] = "held",
	[DIALOG_RESUMED] = "resumed",
	[DIALOG_TRANSFERRED] = "transferred",
	[DIALOG_CONFERENCE] = "conference",
	[DIALOG_ENDED] = "ended",
};

static const char *const event_names[] = {
	[DIALOG_EV_INVITE] = "invite",
	[DIALOG_EV_PROVISIONAL] = "provisional",
	[DIALOG_EV_ANSWER] = "answer",
	[DIALOG_EV_FAILURE] = "failure",
	[DIALOG_EV_CANCEL] = "cancel",
	[DIALOG_EV_BYE] = "bye",
	[DIALOG_EV_HOLD] = "hold",
	[DIALOG_EV_RESUME] = "resume",
	[DIALOG_EV_BLIND_TRANSFER] = "blind-transfer",
	[DIALOG_EV_ATTENDED_TRANSFER] = "attended-transfer",
	[DIALOG_EV_REPLACED] = "replaced",
	[DIALOG_EV_CONFERENCE] = "conference",
	[DIALOG_EV_TIMEOUT] = "timeout",
	[DIALOG_EV_EVICTED] = "evicted",
};

static const char *const error_names[] = {
	[DIALOG_OK] = "ok",
	[DIALOG_ERR_NOT_INITIAL_INVITE] = "not an initial INVITE",
	[DIALOG_ERR_TAG_TOO_LONG] = "tag too long",
	[DIALOG_ERR_CALL_ID_MISMATCH] = "Call-ID mismatch",
	[DIALOG_ERR_TAG_MISMATCH] = "tags match no dialog of the call",
};

#define NAME(table, i) ((size_t)(i) < sizeof(table) / sizeof(table[0]) ? table[i] : "?")

const char *dialog_state_name(enum dialog_state state)
{
	return NAME(state_names, state);
}

const char *dialog_event_name(enum dialog_event event)
{
	return NAME(event_names, event);
}

const char *dialog_error_name(enum dialog_error err)
{
	return NAME(error_names, err);
}

const char *dialog_direction_name(enum dialog_direction direction)
{
	return direction == DIALOG_CALLER_TO_CALLEE ? "caller_to_callee" : "callee_to_caller";
}

bool dialog_is_established(enum dialog_state state)
{
	return state >= DIALOG_ANSWERED && state < DIALOG_ENDED;
}

enum dialog_state dialog_next(enum dialog_state state, enum dialog_event event)
{
	bool established = dialog_is_established(state);

	if (state == DIALOG_ENDED)
		return state;
	switch (event) {
	case DIALOG_EV_PROVISIONAL:
		return state == DIALOG_TRYING ? DIALOG_RINGING : state;
	case DIALOG_EV_ANSWER:
		return established ? state : DIALOG_ANSWERED;
	case DIALOG_EV_FAILURE:
	case DIALOG_EV_CANCEL:
		return established ? state : DIALOG_ENDED;
	case DIALOG_EV_BYE:
	case DIALOG_EV_TIMEOUT:
	case DIALOG_EV_EVICTED:
		return DIALOG_ENDED;
	case DIALOG_EV_HOLD:
		return established ? DIALOG_HELD : state;
	case DIALOG_EV_RESUME:
		return state == DIALOG_HELD ? DIALOG_RESUMED : state;
	case DIALOG_EV_BLIND_TRANSFER:
	case DIALOG_EV_ATTENDED_TRANSFER:
	case DIALOG_EV_REPLACED:
		return established ? DIALOG_TRANSFERRED : state;
	case DIALOG_EV_CONFERENCE:
		return established ? DIALOG_CONFERENCE : state;
	case DIALOG_EV_INVITE:
	case DIALOG_EVENT_COUNT:
		break;
	}
	return state;
}

static bool copy_tag(char *dst, const char *tag)
{
	size_t len = tag ? strlen(tag) : 0;

	if (len >= DIALOG_TAG_MAX)
		return false;
	memcpy(dst, tag ? tag : "", len + 1);
	return true;
}

static bool tag_is(const char *stored, const char *tag)
{
	return tag && *stored && !strcmp(stored, tag);
}

static struct dialog_early *find_early(struct dialog *dialog, const char *tag)
{
	for (unsigned int i = 0; i < dialog->early_count; i++)
		if (tag_is(dialog->early[i].tag, tag))
			return &dialog->early[i];
	return NULL;
}

static bool is_callee_tag(struct dialog *dialog, const char *tag)
{
	return tag_is(dialog->callee_tag, tag) || find_early(dialog, tag);
}

enum dialog_error dialog_init(struct dialog *dialog, const struct sip_msg *invite,
			      const struct sdp_session *sdp)
{
	memset(dialog, 0, sizeof(*dialog));
	if (!invite->request || invite->method != SIP_INVITE || invite->to.tag)
		return DIALOG_ERR_NOT_INITIAL_INVITE;
	if (!copy_tag(dialog->caller_tag, invite->from.tag))
		return DIALOG_ERR_TAG_TOO_LONG;
	strcpy(dialog->call_id, invite->call_id);
	dialog->state = DIALOG_TRYING;
	dialog->held_by = -1;
	dialog->invite_cseq = invite->cseq;
	dialog->cseq[DIALOG_CALLER] = invite->cseq;
	if (sdp) {
		dialog->sdp[DIALOG_CALLER] = *sdp;
		dialog->has_sdp[DIALOG_CALLER] = true;
	}
	return DIALOG_OK;
}

static void add_event(struct dialog_result *result, enum dialog_event event)
{
	if (result->event_count < sizeof(result->events) / sizeof(result->events[0]))
		result->events[result->event_count++] = event;
}

static void set_sdp(struct dialog *dialog, enum dialog_side side, const struct sdp_session *sdp,
		    struct dialog_result *result)
{
	if (!sdp)
		return;
	if (dialog->has_sdp[side] && !memcmp(&dialog->sdp[side], sdp, sizeof(*sdp)))
		return;
	dialog->sdp[side] = *sdp;
	dialog->has_sdp[side] = true;
	result->media_changed = true;
}

static enum dialog_error find_sender(struct dialog *dialog, const struct sip_msg *msg,
				     enum dialog_side *sender)
{
	/* a request's From is its sender; a response's From is whom it answers */
	if (tag_is(dialog->caller_tag, msg->from.tag)) {
		*sender = msg->request ? DIALOG_CALLER : DIALOG_CALLEE;
		/* once answered, the caller's in-dialog requests go to the answering fork */
		if (msg->request && msg->to.tag && dialog->callee_tag[0] &&
		    strcmp(msg->to.tag, dialog->callee_tag))
			return DIALOG_ERR_TAG_MISMATCH;
		return DIALOG_OK;
	}
	if (is_callee_tag(dialog, msg->from.tag)) {
		*sender = msg->request ? DIALOG_CALLEE : DIALOG_CALLER;
		return DIALOG_OK;
	}
	return DIALOG_ERR_TAG_MISMATCH;
}

static void offer_in_dialog(struct dialog *dialog, const struct sip_msg *msg,
			    const struct sdp_session *sdp, struct dialog_result *result)
{
	set_sdp(dialog, result->sender, sdp, result);
	/* only the side that held can resume: the other's refresh offers say nothing */
	if (sdp && dialog_is_established(dialog->state)) {
		if (sdp_session_is_hold(sdp)) {
			dialog->held_by = (int8_t)result->sender;
			add_event(result, DIALOG_EV_HOLD);
		} else if (dialog->held_by == (int8_t)result->sender) {
			dialog->held_by = -1;
			add_event(result, DIALOG_EV_RESUME);
		}
	}
	if (msg->contact_isfocus)
		add_event(result, DIALOG_EV_CONFERENCE);
}

static void apply_request(struct dialog *dialog, const struct sip_msg *msg,
			  const struct sdp_session *sdp, struct dialog_result *result)
{
	enum dialog_side sender = result->sender;

	if (msg->cseq > dialog->cseq[sender])
		dialog->cseq[sender] = msg->cseq;

	switch (msg->method) {
	case SIP_INVITE:
		if (!msg->to.tag) {
			/* retransmission, or the retry after a 401/407 challenge */
			if (sender == DIALOG_CALLER && msg->cseq > dialog->invite_cseq &&
			    !dialog_is_established(dialog->state))
				dialog->invite_cseq = msg->cseq;
			set_sdp(dialog, sender, sdp, result);
			break;
		}
		offer_in_dialog(dialog, msg, sdp, result);
		break;
	case SIP_UPDATE:
		if (dialog_is_established(dialog->state))
			offer_in_dialog(dialog, msg, sdp, result);
		else
			set_sdp(dialog, sender, sdp, result);
		break;
	case SIP_ACK:
	case SIP_PRACK:
		set_sdp(dialog, sender, sdp, result);
		break;
	case SIP_BYE:
		add_event(result, DIALOG_EV_BYE);
		break;
	case SIP_CANCEL:
		if (sender == DIALOG_CALLER)
			add_event(result, DIALOG_EV_CANCEL);
		break;
	case SIP_REFER:
		if (msg->has_refer_to)
			add_event(result, msg->has_replaces ? DIALOG_EV_ATTENDED_TRANSFER :
							      DIALOG_EV_BLIND_TRANSFER);
		break;
	default:
		break;
	}
}

static enum dialog_error apply_initial_response(struct dialog *dialog, const struct sip_msg *msg,
						const struct sdp_session *sdp,
						struct dialog_result *result)
{
	struct dialog_early *early;
	int status = msg->status;

	if (status < 200) {
		/* once answered, another fork's late 1xx must not move the media */
		if (status == 100 || dialog->callee_tag[0])
			return DIALOG_OK;
		if (msg->to.tag) {
			early = find_early(dialog, msg->to.tag);
			if (!early && dialog->early_count < DIALOG_MAX_EARLY) {
				early = &dialog->early[dialog->early_count];
				if (!copy_tag(early->tag, msg->to.tag))
					return DIALOG_ERR_TAG_TOO_LONG;
				dialog->early_count++;
			}
			if (!early)
				result->early_overflow = true;
			if (early && sdp) {
				early->sdp = *sdp;
				early->has_sdp = true;
			}
		}
		set_sdp(dialog, DIALOG_CALLEE, sdp, result);
		add_event(result, DIALOG_EV_PROVISIONAL);
		return DIALOG_OK;
	}

	if (status < 300) {
		if (dialog->callee_tag[0]) {
			/* a second fork answering too: its dialog is not this call's */
			if (msg->to.tag && strcmp(msg->to.tag, dialog->callee_tag))
				return DIALOG_OK;
		} else if (!copy_tag(dialog->callee_tag, msg->to.tag)) {
			return DIALOG_ERR_TAG_TOO_LONG;
		}
		early = find_early(dialog, msg->to.tag);
		if (sdp)
			set_sdp(dialog, DIALOG_CALLEE, sdp, result);
		else if (early && early->has_sdp)
			set_sdp(dialog, DIALOG_CALLEE, &early->sdp, result);
		add_event(result, DIALOG_EV_ANSWER);
		if (msg->contact_isfocus)
			add_event(result, DIALOG_EV_CONFERENCE);
		return DIALOG_OK;
	}

	/* an authentication challenge is answered by a new INVITE, not the end */
	if (status == 401 || status == 407)
		return DIALOG_OK;
	if (!dialog_is_established(dialog->state) && dialog->state != DIALOG_ENDED) {
		result->final_status = status;
		add_event(result, DIALOG_EV_FAILURE);
	}
	return DIALOG_OK;
}

static enum dialog_error apply_response(struct dialog *dialog, const struct sip_msg *msg,
					const struct sdp_session *sdp,
					struct dialog_result *result)
{
	bool success = msg->status >= 200 && msg->status < 300;

	switch (msg->method) {
	case SIP_INVITE:
		if (result->sender == DIALOG_CALLEE && msg->cseq == dialog->invite_cseq)
			return apply_initial_response(dialog, msg, sdp, result);
		if (success) {
			set_sdp(dialog, result->sender, sdp, result);
			if (msg->contact_isfocus)
				add_event(result, DIALOG_EV_CONFERENCE);
		}
		break;
	case SIP_UPDATE:
	case SIP_PRACK:
		if (success)
			set_sdp(dialog, result->sender, sdp, result);
		break;
	default:
		break;
	}
	return DIALOG_OK;
}

enum dialog_error dialog_apply(struct dialog *dialog, const struct sip_msg *msg,
			       const struct sdp_session *sdp, struct dialog_result *result)
{
	enum dialog_error err;

	memset(result, 0, sizeof(*result));
	if (strcmp(dialog->call_id, msg->call_id))
		return DIALOG_ERR_CALL_ID_MISMATCH;
	err = find_sender(dialog, msg, &result->sender);
	if (err)
		return err;
	if (msg->request) {
		apply_request(dialog, msg, sdp, result);
		return DIALOG_OK;
	}
	return apply_response(dialog, msg, sdp, result);
}

static bool stream_receives(const struct sdp_stream *stream)
{
	return sdp_direction_receives(stream->direction) && stream->rtp_port &&
	       stream->addr.family && !sdp_addr_is_null(&stream->addr);
}

unsigned int dialog_streams(const struct dialog *dialog, enum dialog_direction direction,
			    struct dialog_stream *out)
{
	enum dialog_side receiver = direction == DIALOG_CALLER_TO_CALLEE ? DIALOG_CALLEE :
									   DIALOG_CALLER;
	enum dialog_side sender = receiver == DIALOG_CALLER ? DIALOG_CALLEE : DIALOG_CALLER;
	const struct sdp_session *rx = &dialog->sdp[receiver];
	const struct sdp_session *tx = &dialog->sdp[sender];

	if (!dialog->has_sdp[receiver])
		return 0;
	for (unsigned int i = 0; i < rx->stream_count; i++) {
		const struct sdp_stream *in = &rx->streams[i];
		struct dialog_stream *stream = &out[i];
		bool sends = true;

		if (dialog->has_sdp[sender])
			sends = i < tx->stream_count &&
				sdp_direction_sends(tx->streams[i].direction) &&
				tx->streams[i].rtp_port;
		memset(stream, 0, sizeof(*stream));
		stream->kind = in->kind;
		stream->active = sends && stream_receives(in);
		stream->rtcp_mux = in->rtcp_mux;
		stream->rtp_port = in->rtp_port;
		stream->rtcp_port = in->rtcp_port;
		stream->dst = in->addr;
		stream->rtcp_dst = in->rtcp_addr;
		stream->payload_count = in->payload_count;
		memcpy(stream->payloads, in->payloads, sizeof(stream->payloads));
	}
	return rx->stream_count;
}
