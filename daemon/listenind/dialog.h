/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One call seen from the side: the INVITE dialog's identity (Call-ID, tags,
 * forked early dialogs), its state, and the SDP each side last sent, from
 * which the media of each direction follows. dialog_apply() turns a SIP
 * message into events; dialog_next() is the state machine.
 *
 *   trying --1xx with To-tag--> ringing --2xx--> answered <--> held --> resumed
 *      |                          |                 |
 *      +-- CANCEL, 3xx-6xx, BYE --+--> ended <------+-- BYE, timeout
 *   answered, held, resumed --REFER / Replaces--> transferred
 *   answered, held, resumed --Contact;isfocus--> conference
 */
#ifndef LISTENIND_DIALOG_H
#define LISTENIND_DIALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "listenind/sdp.h"
#include "listenind/sip.h"

#define DIALOG_TAG_MAX		64	/* bytes including the NUL */
#define DIALOG_MAX_EARLY	4	/* forked early dialogs tracked per call */

enum dialog_state {
	DIALOG_TRYING,			/* INVITE seen, no early dialog yet */
	DIALOG_RINGING,			/* one or more early dialogs (1xx with To-tag) */
	DIALOG_ANSWERED,
	DIALOG_HELD,
	DIALOG_RESUMED,
	DIALOG_TRANSFERRED,
	DIALOG_CONFERENCE,
	DIALOG_ENDED,
	DIALOG_STATE_COUNT,
};

enum dialog_event {
	DIALOG_EV_INVITE,
	DIALOG_EV_PROVISIONAL,
	DIALOG_EV_ANSWER,
	DIALOG_EV_FAILURE,		/* 3xx-6xx final response to the initial INVITE */
	DIALOG_EV_CANCEL,
	DIALOG_EV_BYE,
	DIALOG_EV_HOLD,
	DIALOG_EV_RESUME,
	DIALOG_EV_BLIND_TRANSFER,	/* REFER without Replaces */
	DIALOG_EV_ATTENDED_TRANSFER,	/* REFER whose Refer-To carries Replaces */
	DIALOG_EV_REPLACED,		/* another call's INVITE replaces this one */
	DIALOG_EV_CONFERENCE,
	DIALOG_EV_TIMEOUT,
	DIALOG_EV_EVICTED,
	DIALOG_EVENT_COUNT,
};

enum dialog_side {
	DIALOG_CALLER,
	DIALOG_CALLEE,
};

/* Media direction, named by who sends; the destination is the receiver's SDP. */
enum dialog_direction {
	DIALOG_CALLER_TO_CALLEE,
	DIALOG_CALLEE_TO_CALLER,
};

struct dialog_early {
	char tag[DIALOG_TAG_MAX];
	bool has_sdp;
	struct sdp_session sdp;
};

struct dialog {
	enum dialog_state state;
	uint32_t invite_cseq;		/* CSeq of the initial INVITE (raised by auth retries) */
	uint32_t cseq[2];		/* highest request CSeq seen from each side */
	uint8_t early_count;
	int8_t held_by;			/* side whose offer put the call on hold, or -1 */
	bool has_sdp[2];		/* indexed by enum dialog_side */
	char call_id[SIP_CALL_ID_MAX];
	char caller_tag[DIALOG_TAG_MAX];
	char callee_tag[DIALOG_TAG_MAX];	/* of the answered dialog */
	struct sdp_session sdp[2];	/* where each side receives */
	struct dialog_early early[DIALOG_MAX_EARLY];
};

/* What one message did to a dialog. */
struct dialog_result {
	enum dialog_side sender;
	uint8_t event_count;
	bool media_changed;
	bool early_overflow;		/* a fork beyond DIALOG_MAX_EARLY was ignored */
	int final_status;		/* failure status ending the call, else 0 */
	enum dialog_event events[3];
};

enum dialog_error {
	DIALOG_OK,
	DIALOG_ERR_NOT_INITIAL_INVITE,
	DIALOG_ERR_TAG_TOO_LONG,
	DIALOG_ERR_CALL_ID_MISMATCH,
	DIALOG_ERR_TAG_MISMATCH,	/* From/To tags match neither side */
};

/* A stream as a tap needs it: where one side's packets go. */
struct dialog_stream {
	uint8_t kind;			/* enum sdp_kind */
	bool active;			/* the sender may send and the receiver accepts */
	bool rtcp_mux;
	uint8_t payload_count;
	uint16_t rtp_port;
	uint16_t rtcp_port;
	struct sdp_addr dst;
	struct sdp_addr rtcp_dst;
	uint8_t payloads[SDP_MAX_PAYLOADS];
};

/* Starts a dialog from an initial INVITE (no To-tag). */
enum dialog_error dialog_init(struct dialog *dialog, const struct sip_msg *invite,
			      const struct sdp_session *sdp);

/*
 * Applies a message of this Call-ID: finds which side sent it, stores its
 * SDP (sdp may be NULL), and lists the events it causes. dialog->state is
 * not changed: the caller feeds each event to dialog_next() so it can record
 * and announce every transition.
 */
enum dialog_error dialog_apply(struct dialog *dialog, const struct sip_msg *msg,
			       const struct sdp_session *sdp, struct dialog_result *result);

/* The state after event; the same state when the event does not apply. */
enum dialog_state dialog_next(enum dialog_state state, enum dialog_event event);

bool dialog_is_established(enum dialog_state state);

/* Fills out[] (SDP_MAX_STREAMS entries) and returns how many streams flow in direction. */
unsigned int dialog_streams(const struct dialog *dialog, enum dialog_direction direction,
			    struct dialog_stream *out);

const char *dialog_state_name(enum dialog_state state);
const char *dialog_event_name(enum dialog_event event);
const char *dialog_error_name(enum dialog_error err);
const char *dialog_direction_name(enum dialog_direction direction);

#endif
