/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The call table: every call learned from SIP copies, found by Call-ID or by
 * its numeric id, with its parties, metadata (agent, queue, ...), state
 * history and media. Fed by calls_ingest_sip() (ingest.h), aged by
 * calls_expire(), watched by subscribers. Single-threaded: the daemon's
 * event loop owns it. docs/call-tracking.md describes states and limits.
 */
#ifndef LISTENIND_CALLS_H
#define LISTENIND_CALLS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "listenind/dialog.h"
#include "listenind/ingest.h"

#define CALLS_NAME_MAX		64	/* bytes of a user, host or metadata value, with NUL */
#define CALLS_MAX_HISTORY	16	/* state changes kept per call (first one always) */
#define CALLS_MAX_SUBSCRIBERS	8
#define CALLS_MAX_CALLS		10000000

enum calls_meta {
	CALLS_META_AGENT,
	CALLS_META_QUEUE,
	CALLS_META_TEAM,
	CALLS_META_DEPARTMENT,
	CALLS_META_SITE,
	CALLS_META_CAMPAIGN,
	CALLS_META_COUNT,
};

/* Where the agent comes from when the agent header is absent. */
enum calls_agent_source {
	CALLS_AGENT_FROM_TO,		/* user part of the INVITE's To (default) */
	CALLS_AGENT_FROM_ASSERTED,	/* P-Asserted-Identity, else From */
	CALLS_AGENT_FROM_FROM,
};

struct calls_config {
	/* header names ("X-Queue"); NULL or "" = not looked for */
	const char *meta_header[CALLS_META_COUNT];
	enum calls_agent_source agent_source;
	unsigned int max_calls;		/* calls tracked at once, ended ones included */
	unsigned int setup_timeout;	/* s: INVITE without answer before it is dropped */
	unsigned int idle_timeout;	/* s: established call without any SIP */
	unsigned int ended_linger;	/* s: ended call kept for lookups */
};

/* Why a message was not applied; counted per reason. */
enum calls_reason {
	CALLS_REASON_EMPTY,
	CALLS_REASON_TOO_LARGE,
	CALLS_REASON_UNPARSEABLE,
	CALLS_REASON_NO_CALL_ID,
	CALLS_REASON_CALL_ID_TOO_LONG,
	CALLS_REASON_NO_CSEQ,
	CALLS_REASON_BAD_CSEQ,
	CALLS_REASON_NO_FROM,
	CALLS_REASON_NO_FROM_TAG,
	CALLS_REASON_NO_TO,
	CALLS_REASON_TAG_TOO_LONG,
	CALLS_REASON_BAD_SDP,		/* SDP dropped, the SIP part still applied */
	CALLS_REASON_UNKNOWN_CALL,	/* in-dialog message for a call never seen */
	CALLS_REASON_TAG_MISMATCH,
	CALLS_REASON_TOO_MANY_CALLS,
	CALLS_REASON_NOT_A_CALL,	/* REGISTER, OPTIONS...: ignored, not an error */
	CALLS_REASON_BAD_MULTIPART,	/* a MIME part libosip2 would mishandle */
	CALLS_REASON_NO_MEMORY,
	CALLS_REASON_COUNT,
};

struct calls_stats {
	uint64_t messages;		/* handed to calls_ingest_sip() */
	uint64_t applied;
	uint64_t created;
	uint64_t ended;
	uint64_t expired;		/* ended by setup_timeout or idle_timeout */
	uint64_t evicted;		/* unanswered calls dropped to make room */
	uint64_t removed;
	uint64_t forks_ignored;		/* early dialogs beyond DIALOG_MAX_EARLY */
	uint64_t rejected[CALLS_REASON_COUNT];
	unsigned int active;		/* calls in the table now */
	unsigned int max_calls;
};

struct call_party {
	char user[CALLS_NAME_MAX];
	char host[CALLS_NAME_MAX];
	char display[CALLS_NAME_MAX];
};

struct call_history {
	int64_t at_ms;			/* CLOCK_REALTIME milliseconds */
	uint8_t state;			/* enum dialog_state entered */
	uint8_t event;			/* enum dialog_event that caused it */
};

struct call {
	uint64_t id;			/* unique in this daemon's life, never 0 */
	struct dialog dialog;		/* Call-ID, tags, state, SDP of both sides */
	struct call_party caller;	/* From of the INVITE */
	struct call_party callee;	/* To of the INVITE */
	char asserted[CALLS_NAME_MAX];	/* P-Asserted-Identity user of the INVITE */
	char meta[CALLS_META_COUNT][CALLS_NAME_MAX];
	char transfer_target[CALLS_NAME_MAX];	/* Refer-To user (or user@host) */
	char transferred_by[CALLS_NAME_MAX];	/* Referred-By user */
	uint64_t replaces;		/* id of the call this one replaced */
	uint64_t replaced_by;		/* id of the call that replaced this one */
	uint64_t transfer_of;		/* id of the call an attended REFER hands over to this one */
	int final_status;		/* 3xx-6xx that ended it unanswered, else 0 */
	uint8_t end_event;		/* enum dialog_event that ended it */
	bool conference;		/* a conference focus took part */
	uint8_t history_count;
	uint16_t history_dropped;
	int64_t created_ms, answered_ms, ended_ms, last_sip_ms;
	struct call_history history[CALLS_MAX_HISTORY];

	/* private to calls.c */
	struct call *by_call_id, *by_id, *prev, *next;
	uint8_t list;
};

/* What changed, for subscribers. */
enum {
	CALLS_CHANGED_STATE = 1 << 0,
	CALLS_CHANGED_MEDIA = 1 << 1,	/* dialog_streams() now differ */
	CALLS_CHANGED_META = 1 << 2,	/* metadata or transfer target */
	CALLS_CHANGED_NEW = 1 << 3,	/* first notification of this call */
};

/*
 * Called for each change of a call, once per state transition (old_state !=
 * new_state) and once per message that changed media or metadata only
 * (old_state == new_state). The call is valid only during the callback;
 * keep call->id to find it later. The callback must not modify the table.
 */
typedef void (*calls_notify_fn)(const struct call *call, enum dialog_state old_state,
				enum dialog_state new_state, unsigned int changes, void *ctx);

/* Defaults: X-Agent, X-Queue, X-Team, X-Department, X-Site, X-Campaign,
 * agent from To, 100000 calls, 300 s setup, 4 h idle, 60 s linger. */
void calls_config_defaults(struct calls_config *cfg);

/* Returns NULL if the configuration is valid, else a sentence saying what is wrong. */
const char *calls_config_check(const struct calls_config *cfg);

/* NULL with errno EINVAL (calls_config_check() says why) or ENOMEM. */
struct calls *calls_new(const struct calls_config *cfg);
void calls_free(struct calls *calls);

int calls_subscribe(struct calls *calls, calls_notify_fn fn, void *ctx);
void calls_unsubscribe(struct calls *calls, calls_notify_fn fn, const void *ctx);

const struct call *calls_find(const struct calls *calls, const char *call_id);
const struct call *calls_find_id(const struct calls *calls, uint64_t id);
/* By the numeric id "lictl calls" shows, or else by SIP Call-ID. */
const struct call *calls_lookup(const struct calls *calls, const char *s);

/* Visits every call: unanswered by age, then established by last SIP, then ended. */
void calls_foreach(const struct calls *calls,
		   void (*fn)(const struct call *call, void *ctx), void *ctx);
unsigned int calls_count(const struct calls *calls);

/*
 * Ends calls unanswered for setup_timeout or silent for idle_timeout
 * (event "timeout"), and removes calls ended more than ended_linger ago.
 * now is CLOCK_REALTIME, like the times SIP inputs give.
 */
void calls_expire(struct calls *calls, struct timespec now);

void calls_get_stats(const struct calls *calls, struct calls_stats *stats);
const char *calls_reason_name(enum calls_reason reason);
const char *calls_meta_name(enum calls_meta meta);

#endif
