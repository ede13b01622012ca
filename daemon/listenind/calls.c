// SPDX-License-Identifier: GPL-2.0
#include "listenind/calls.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "common/log.h"
#include "listenind/sdp.h"
#include "listenind/sip.h"

enum {
	LIST_UNANSWERED,		/* by creation */
	LIST_ESTABLISHED,		/* by last SIP message */
	LIST_ENDED,			/* by end */
	LIST_COUNT,
};

struct call_list {
	struct call *head, *tail;
};

struct subscriber {
	calls_notify_fn fn;
	void *ctx;
};

struct calls {
	struct calls_config cfg;
	char meta_header[CALLS_META_COUNT][CALLS_NAME_MAX];
	const char *meta_lookup[CALLS_META_COUNT];
	struct call **by_call_id;
	struct call **by_id;
	size_t mask;
	uint8_t hash_key[16];
	struct call_list lists[LIST_COUNT];
	unsigned int count;
	uint64_t last_id;
	unsigned int subscriber_count;
	struct subscriber subscribers[CALLS_MAX_SUBSCRIBERS];
	struct calls_stats stats;
};

static const char *const reason_names[] = {
	[CALLS_REASON_EMPTY] = "empty message",
	[CALLS_REASON_TOO_LARGE] = "message too large",
	[CALLS_REASON_UNPARSEABLE] = "unparseable",
	[CALLS_REASON_NO_CALL_ID] = "no Call-ID",
	[CALLS_REASON_CALL_ID_TOO_LONG] = "Call-ID too long",
	[CALLS_REASON_NO_CSEQ] = "no CSeq",
	[CALLS_REASON_BAD_CSEQ] = "bad CSeq",
	[CALLS_REASON_NO_FROM] = "no From",
	[CALLS_REASON_NO_FROM_TAG] = "no From tag",
	[CALLS_REASON_NO_TO] = "no To",
	[CALLS_REASON_TAG_TOO_LONG] = "tag too long",
	[CALLS_REASON_BAD_SDP] = "bad SDP",
	[CALLS_REASON_UNKNOWN_CALL] = "unknown call",
	[CALLS_REASON_TAG_MISMATCH] = "tag mismatch",
	[CALLS_REASON_TOO_MANY_CALLS] = "too many calls",
	[CALLS_REASON_NOT_A_CALL] = "not a call",
	[CALLS_REASON_BAD_MULTIPART] = "bad multipart body",
	[CALLS_REASON_NO_MEMORY] = "out of memory",
};

static const char *const meta_names[] = {
	[CALLS_META_AGENT] = "agent",
	[CALLS_META_QUEUE] = "queue",
	[CALLS_META_TEAM] = "team",
	[CALLS_META_DEPARTMENT] = "department",
	[CALLS_META_SITE] = "site",
	[CALLS_META_CAMPAIGN] = "campaign",
};

static const char *const default_headers[] = {
	[CALLS_META_AGENT] = "X-Agent",
	[CALLS_META_QUEUE] = "X-Queue",
	[CALLS_META_TEAM] = "X-Team",
	[CALLS_META_DEPARTMENT] = "X-Department",
	[CALLS_META_SITE] = "X-Site",
	[CALLS_META_CAMPAIGN] = "X-Campaign",
};

#define NAME(table, i) ((size_t)(i) < sizeof(table) / sizeof(table[0]) ? table[i] : "?")

const char *calls_reason_name(enum calls_reason reason)
{
	return NAME(reason_names, reason);
}

const char *calls_meta_name(enum calls_meta meta)
{
	return NAME(meta_names, meta);
}

void calls_config_defaults(struct calls_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (int i = 0; i < CALLS_META_COUNT; i++)
		cfg->meta_header[i] = default_headers[i];
	cfg->agent_source = CALLS_AGENT_FROM_TO;
	cfg->max_calls = 100000;
	cfg->setup_timeout = 300;
	cfg->idle_timeout = 4 * 3600;
	cfg->ended_linger = 60;
}

static bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-.!%*_+`'~", *s))
			return false;
	return true;
}

const char *calls_config_check(const struct calls_config *cfg)
{
	if (cfg->max_calls < 1 || cfg->max_calls > CALLS_MAX_CALLS)
		return "max_calls must be 1..10000000";
	if (!cfg->setup_timeout)
		return "setup_timeout must be at least 1 second";
	if (!cfg->idle_timeout)
		return "idle_timeout must be at least 1 second";
	if (cfg->agent_source > CALLS_AGENT_FROM_FROM)
		return "agent source must be To, P-Asserted-Identity or From";
	for (int i = 0; i < CALLS_META_COUNT; i++) {
		const char *name = cfg->meta_header[i];

		if (!name || !*name)
			continue;
		if (strlen(name) >= CALLS_NAME_MAX)
			return "a metadata header name is longer than 63 characters";
		if (!is_token(name))
			return "a metadata header name has characters a SIP header name cannot have";
		for (int j = 0; j < i; j++)
			if (cfg->meta_header[j] && !strcasecmp(cfg->meta_header[j], name))
				return "two metadata fields name the same header";
	}
	return NULL;
}

/* SipHash-2-4: Call-IDs come from the network, so the bucket must not be guessable. */
#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND						\
	do {							\
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0;		\
		v0 = ROTL(v0, 32);				\
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;		\
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;		\
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2;		\
		v2 = ROTL(v2, 32);				\
	} while (0)

static uint64_t load64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t siphash(const uint8_t key[16], const void *data, size_t len)
{
	const uint8_t *in = data;
	uint64_t k0 = load64(key), k1 = load64(key + 8);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t v3 = 0x7465646279746573ULL ^ k1;
	uint64_t last = (uint64_t)len << 56;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t m = load64(in + i);

		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t j = 0; i + j < len; j++)
		last |= (uint64_t)in[i + j] << (8 * j);
	v3 ^= last;
	SIPROUND;
	SIPROUND;
	v0 ^= last;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static struct call **call_id_bucket(const struct calls *calls, const char *call_id)
{
	return &calls->by_call_id[siphash(calls->hash_key, call_id, strlen(call_id)) &
				  calls->mask];
}

static struct call **id_bucket(const struct calls *calls, uint64_t id)
{
	return &calls->by_id[id & calls->mask];
}

struct calls *calls_new(const struct calls_config *cfg)
{
	struct calls *calls;
	size_t buckets = 1024;

	if (calls_config_check(cfg)) {
		errno = EINVAL;
		return NULL;
	}
	calls = calloc(1, sizeof(*calls));
	if (!calls)
		return NULL;
	calls->cfg = *cfg;
	for (int i = 0; i < CALLS_META_COUNT; i++) {
		if (cfg->meta_header[i] && *cfg->meta_header[i]) {
			strcpy(calls->meta_header[i], cfg->meta_header[i]);
			calls->meta_lookup[i] = calls->meta_header[i];
		}
		calls->cfg.meta_header[i] = calls->meta_lookup[i];
	}
	while (buckets < cfg->max_calls)
		buckets <<= 1;
	calls->mask = buckets - 1;
	calls->by_call_id = calloc(buckets, sizeof(*calls->by_call_id));
	calls->by_id = calloc(buckets, sizeof(*calls->by_id));
	if (!calls->by_call_id || !calls->by_id ||
	    getrandom(calls->hash_key, sizeof(calls->hash_key), 0) != sizeof(calls->hash_key)) {
		calls_free(calls);
		errno = ENOMEM;
		return NULL;
	}
	calls->stats.max_calls = cfg->max_calls;
	sip_init();
	return calls;
}

void calls_free(struct calls *calls)
{
	if (!calls)
		return;
	for (int l = 0; l < LIST_COUNT; l++) {
		struct call *call = calls->lists[l].head;

		while (call) {
			struct call *next = call->next;

			free(call);
			call = next;
		}
	}
	free(calls->by_call_id);
	free(calls->by_id);
	free(calls);
}

int calls_subscribe(struct calls *calls, calls_notify_fn fn, void *ctx)
{
	if (!fn)
		return -EINVAL;
	if (calls->subscriber_count >= CALLS_MAX_SUBSCRIBERS)
		return -ENOSPC;
	calls->subscribers[calls->subscriber_count++] = (struct subscriber){ fn, ctx };
	return 0;
}

void calls_unsubscribe(struct calls *calls, calls_notify_fn fn, const void *ctx)
{
	for (unsigned int i = 0; i < calls->subscriber_count; i++) {
		if (calls->subscribers[i].fn == fn && calls->subscribers[i].ctx == ctx) {
			memmove(&calls->subscribers[i], &calls->subscribers[i + 1],
				(calls->subscriber_count - i - 1) * sizeof(calls->subscribers[0]));
			calls->subscriber_count--;
			return;
		}
	}
}

static void notify(struct calls *calls, const struct call *call, enum dialog_state old_state,
		   unsigned int changes)
{
	for (unsigned int i = 0; i < calls->subscriber_count; i++)
		calls->subscribers[i].fn(call, old_state, call->dialog.state, changes,
					 calls->subscribers[i].ctx);
}

const struct call *calls_find(const struct calls *calls, const char *call_id)
{
	struct call *call = *call_id_bucket(calls, call_id);

	while (call && strcmp(call->dialog.call_id, call_id))
		call = call->by_call_id;
	return call;
}

const struct call *calls_find_id(const struct calls *calls, uint64_t id)
{
	struct call *call = *id_bucket(calls, id);

	while (call && call->id != id)
		call = call->by_id;
	return call;
}

const struct call *calls_lookup(const struct calls *calls, const char *s)
{
	const struct call *c = NULL;
	unsigned long long id;
	char *end;

	if (*s >= '1' && *s <= '9') {
		errno = 0;
		id = strtoull(s, &end, 10);
		if (!errno && !*end)
			c = calls_find_id(calls, id);
	}
	return c ? c : calls_find(calls, s);
}

void calls_foreach(const struct calls *calls,
		   void (*fn)(const struct call *call, void *ctx), void *ctx)
{
	for (int l = 0; l < LIST_COUNT; l++)
		for (const struct call *call = calls->lists[l].head; call; call = call->next)
			fn(call, ctx);
}

unsigned int calls_count(const struct calls *calls)
{
	return calls->count;
}

void calls_get_stats(const struct calls *calls, struct calls_stats *stats)
{
	*stats = calls->stats;
	stats->active = calls->count;
}

static void list_remove(struct calls *calls, struct call *call)
{
	struct call_list *list = &calls->lists[call->list];

	if (call->prev)
		call->prev->next = call->next;
	else
		list->head = call->next;
	if (call->next)
		call->next->prev = call->prev;
	else
		list->tail = call->prev;
	call->prev = call->next = NULL;
}

static void list_append(struct calls *calls, struct call *call, uint8_t which)
{
	struct call_list *list = &calls->lists[which];

	call->list = which;
	call->next = NULL;
	call->prev = list->tail;
	if (list->tail)
		list->tail->next = call;
	else
		list->head = call;
	list->tail = call;
}

static void list_move(struct calls *calls, struct call *call, uint8_t which)
{
	list_remove(calls, call);
	list_append(calls, call, which);
}

static void unlink_hash(struct call **bucket, struct call *call, size_t link_offset)
{
	while (*bucket) {
		if (*bucket == call) {
			*bucket = *(struct call **)((char *)call + link_offset);
			return;
		}
		bucket = (struct call **)((char *)*bucket + link_offset);
	}
}

static void remove_call(struct calls *calls, struct call *call)
{
	unlink_hash(call_id_bucket(calls, call->dialog.call_id), call,
		    offsetof(struct call, by_call_id));
	unlink_hash(id_bucket(calls, call->id), call, offsetof(struct call, by_id));
	list_remove(calls, call);
	calls->count--;
	calls->stats.removed++;
	free(call);
}

static void add_history(struct call *call, enum dialog_state state, enum dialog_event event,
			int64_t now_ms)
{
	struct call_history *entry;

	if (call->history_count == CALLS_MAX_HISTORY) {
		/* keep how the call began; forget the oldest change after it */
		memmove(&call->history[1], &call->history[2],
			(CALLS_MAX_HISTORY - 2) * sizeof(call->history[0]));
		call->history_count--;
		call->history_dropped++;
	}
	entry = &call->history[call->history_count++];
	entry->at_ms = now_ms;
	entry->state = (uint8_t)state;
	entry->event = (uint8_t)event;
}

/* Feeds one event to the state machine; announces a transition. Returns true if it moved. */
static bool apply_event(struct calls *calls, struct call *call, enum dialog_event event,
			int64_t now_ms, unsigned int changes)
{
	enum dialog_state old_state = call->dialog.state;
	enum dialog_state new_state = dialog_next(old_state, event);

	if (event == DIALOG_EV_CONFERENCE && dialog_is_established(old_state))
		call->conference = true;
	if (new_state == old_state)
		return false;
	call->dialog.state = new_state;
	add_history(call, new_state, event, now_ms);
	if (new_state == DIALOG_ENDED) {
		call->ended_ms = now_ms;
		call->end_event = (uint8_t)event;
		calls->stats.ended++;
		if (event == DIALOG_EV_TIMEOUT)
			calls->stats.expired++;
		list_move(calls, call, LIST_ENDED);
	} else if (dialog_is_established(new_state) && !dialog_is_established(old_state)) {
		call->answered_ms = now_ms;
		list_move(calls, call, LIST_ESTABLISHED);
	}
	notify(calls, call, old_state, changes | CALLS_CHANGED_STATE);
	return true;
}

static bool make_room(struct calls *calls, int64_t now_ms)
{
	struct call *victim = calls->lists[LIST_ENDED].head;

	if (victim) {
		remove_call(calls, victim);
		return true;
	}
	victim = calls->lists[LIST_UNANSWERED].head;
	if (!victim)
		return false;
	apply_event(calls, victim, DIALOG_EV_EVICTED, now_ms, 0);
	calls->stats.evicted++;
	remove_call(calls, victim);
	return true;
}

static void copy_text(char *dst, const char *src)
{
	snprintf(dst, CALLS_NAME_MAX, "%s", src ? src : "");
}

static void copy_party(struct call_party *dst, const struct sip_party *src)
{
	copy_text(dst->user, src->user);
	copy_text(dst->host, src->host);
	copy_text(dst->display, src->display);
}

/* Metadata decides who may listen: a cut value could match another scope, so drop it. */
static bool set_meta(struct call *call, int meta, const char *value)
{
	size_t len;

	if (!value || !*value)
		return false;
	len = strlen(value);
	if (len >= CALLS_NAME_MAX) {
		log_debug("call %llu: %s value longer than %d characters ignored",
			  (unsigned long long)call->id, meta_names[meta], CALLS_NAME_MAX - 1);
		return false;
	}
	if (!strcmp(call->meta[meta], value))
		return false;
	memcpy(call->meta[meta], value, len + 1);
	return true;
}

static bool update_meta(struct call *call, const struct sip_msg *msg)
{
	bool changed = false;

	for (int i = 0; i < CALLS_META_COUNT; i++)
		changed |= set_meta(call, i, msg->meta[i]);
	if (msg->method == SIP_REFER && msg->request && msg->has_refer_to) {
		const char *target = msg->refer_to.user ? msg->refer_to.user : msg->refer_to.host;

		if (target && strcmp(call->transfer_target, target)) {
			copy_text(call->transfer_target, target);
			changed = true;
		}
		if (msg->referred_by.user && strcmp(call->transferred_by, msg->referred_by.user)) {
			copy_text(call->transferred_by, msg->referred_by.user);
			changed = true;
		}
	}
	return changed;
}

static const char *default_agent(const struct calls *calls, const struct sip_msg *invite)
{
	switch (calls->cfg.agent_source) {
	case CALLS_AGENT_FROM_ASSERTED:
		return invite->asserted.user ? invite->asserted.user : invite->from.user;
	case CALLS_AGENT_FROM_FROM:
		return invite->from.user;
	case CALLS_AGENT_FROM_TO:
	default:
		return invite->to.user;
	}
}

static int reject(struct calls *calls, const struct sip_origin *origin,
		  enum calls_reason reason, const char *call_id, int err)
{
	calls->stats.rejected[reason]++;
	if (log_get_level() >= LOG_DEBUG) {
		char addr[INET6_ADDRSTRLEN] = "?";

		if (origin && (origin->family == AF_INET || origin->family == AF_INET6))
			inet_ntop(origin->family, origin->src_addr, addr, sizeof(addr));
		log_debug("SIP from %s port %u: %s%s%.80s", addr,
			  origin ? origin->src_port : 0, reason_names[reason],
			  call_id ? ", Call-ID " : "", call_id ? call_id : "");
	}
	return err;
}

static int create_call(struct calls *calls, const struct sip_origin *origin,
		       const struct sip_msg *msg, const struct sdp_session *sdp, int64_t now_ms)
{
	struct call *call, *replaced = NULL;
	unsigned int changes = CALLS_CHANGED_NEW | CALLS_CHANGED_STATE;

	if (msg->from.tag && strlen(msg->from.tag) >= DIALOG_TAG_MAX)
		return reject(calls, origin, CALLS_REASON_TAG_TOO_LONG, msg->call_id, -EINVAL);
	if (calls->count >= calls->cfg.max_calls && !make_room(calls, now_ms))
		return reject(calls, origin, CALLS_REASON_TOO_MANY_CALLS, msg->call_id, -ENOSPC);
	call = calloc(1, sizeof(*call));
	if (!call)
		return reject(calls, origin, CALLS_REASON_NO_MEMORY, msg->call_id, -ENOMEM);
	dialog_init(&call->dialog, msg, sdp);
	call->id = ++calls->last_id;
	copy_party(&call->caller, &msg->from);
	copy_party(&call->callee, &msg->to);
	copy_text(call->asserted, msg->asserted.user);
	set_meta(call, CALLS_META_AGENT, default_agent(calls, msg));
	update_meta(call, msg);
	if (sdp)
		changes |= CALLS_CHANGED_MEDIA;
	call->created_ms = call->last_sip_ms = now_ms;
	add_history(call, DIALOG_TRYING, DIALOG_EV_INVITE, now_ms);

	if (msg->has_replaces) {
		replaced = (struct call *)calls_find(calls, msg->replaces.call_id);
		if (replaced) {
			const struct call *origin_call = calls_find_id(calls, replaced->transfer_of);

			call->replaces = replaced->id;
			replaced->replaced_by = call->id;
			/* the transferred customer call keeps its queue, team... */
			if (!origin_call)
				origin_call = replaced;
			for (int i = CALLS_META_AGENT + 1; i < CALLS_META_COUNT; i++)
				if (!call->meta[i][0])
					memcpy(call->meta[i], origin_call->meta[i], CALLS_NAME_MAX);
		}
	}

	call->by_call_id = *call_id_bucket(calls, msg->call_id);
	*call_id_bucket(calls, msg->call_id) = call;
	call->by_id = *id_bucket(calls, call->id);
	*id_bucket(calls, call->id) = call;
	list_append(calls, call, LIST_UNANSWERED);
	calls->count++;
	calls->stats.created++;
	notify(calls, call, DIALOG_TRYING, changes);

	if (replaced && !apply_event(calls, replaced, DIALOG_EV_REPLACED, now_ms,
				     CALLS_CHANGED_META))
		notify(calls, replaced, replaced->dialog.state, CALLS_CHANGED_META);
	return 0;
}

static int update_call(struct calls *calls, const struct sip_origin *origin, struct call *call,
		       const struct sip_msg *msg, const struct sdp_session *sdp, int64_t now_ms)
{
	struct dialog_result result;
	enum dialog_error err;
	unsigned int changes = 0;

	err = dialog_apply(&call->dialog, msg, sdp, &result);
	if (err == DIALOG_ERR_TAG_TOO_LONG)
		return reject(calls, origin, CALLS_REASON_TAG_TOO_LONG, msg->call_id, -EINVAL);
	if (err)
		return reject(calls, origin, CALLS_REASON_TAG_MISMATCH, msg->call_id, -EINVAL);
	if (result.early_overflow)
		calls->stats.forks_ignored++;
	if (now_ms > call->last_sip_ms)
		call->last_sip_ms = now_ms;
	if (result.final_status)
		call->final_status = result.final_status;
	if (result.media_changed)
		changes |= CALLS_CHANGED_MEDIA;
	if (update_meta(call, msg))
		changes |= CALLS_CHANGED_META;
	if (msg->request && msg->method == SIP_REFER && msg->has_replaces) {
		struct call *consulted = (struct call *)calls_find(calls, msg->replaces.call_id);

		if (consulted && consulted != call)
			consulted->transfer_of = call->id;
	}

	for (unsigned int i = 0; i < result.event_count; i++) {
		if (apply_event(calls, call, result.events[i], now_ms, changes))
			changes = 0;
	}
	if (changes)
		notify(calls, call, call->dialog.state, changes);
	if (call->list == LIST_ESTABLISHED)
		list_move(calls, call, LIST_ESTABLISHED);
	return 0;
}

static bool is_call_method(enum sip_method method)
{
	switch (method) {
	case SIP_INVITE:
	case SIP_ACK:
	case SIP_BYE:
	case SIP_CANCEL:
	case SIP_UPDATE:
	case SIP_PRACK:
		return true;
	default:
		return false;
	}
}

static const enum calls_reason sip_reasons[] = {
	[SIP_ERR_EMPTY] = CALLS_REASON_EMPTY,
	[SIP_ERR_TOO_LARGE] = CALLS_REASON_TOO_LARGE,
	[SIP_ERR_UNPARSEABLE] = CALLS_REASON_UNPARSEABLE,
	[SIP_ERR_NO_CALL_ID] = CALLS_REASON_NO_CALL_ID,
	[SIP_ERR_CALL_ID_TOO_LONG] = CALLS_REASON_CALL_ID_TOO_LONG,
	[SIP_ERR_NO_CSEQ] = CALLS_REASON_NO_CSEQ,
	[SIP_ERR_BAD_CSEQ] = CALLS_REASON_BAD_CSEQ,
	[SIP_ERR_NO_FROM] = CALLS_REASON_NO_FROM,
	[SIP_ERR_NO_FROM_TAG] = CALLS_REASON_NO_FROM_TAG,
	[SIP_ERR_NO_TO] = CALLS_REASON_NO_TO,
	[SIP_ERR_NO_MEMORY] = CALLS_REASON_NO_MEMORY,
	[SIP_ERR_BAD_MULTIPART] = CALLS_REASON_BAD_MULTIPART,
};

static int64_t message_time_ms(const struct sip_origin *origin)
{
	struct timespec ts = { 0 };

	if (origin && (origin->seen.tv_sec || origin->seen.tv_nsec))
		ts = origin->seen;
	else
		clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int calls_ingest_sip(struct calls *calls, const struct sip_origin *origin,
		     const char *buf, size_t len)
{
	struct sdp_session sdp;
	const struct sdp_session *offer = NULL;
	struct sip_msg msg;
	enum sip_error err;
	struct call *call;
	bool bad_sdp = false, applied = true;
	int64_t now_ms;
	int ret;

	calls->stats.messages++;
	err = sip_parse(&msg, buf, len, calls->meta_lookup, CALLS_META_COUNT);
	if (err)
		return reject(calls, origin, sip_reasons[err],
			      NULL, err == SIP_ERR_NO_MEMORY ? -ENOMEM : -EINVAL);
	now_ms = message_time_ms(origin);

	if (msg.sdp) {
		enum sdp_error sdp_err = sdp_parse(&sdp, msg.sdp, msg.sdp_len);

		if (sdp_err) {
			bad_sdp = true;
			reject(calls, origin, CALLS_REASON_BAD_SDP, msg.call_id, 0);
			log_debug("Call-ID %.80s: %s", msg.call_id, sdp_error_name(sdp_err));
		} else {
			offer = &sdp;
		}
	}

	call = (struct call *)calls_find(calls, msg.call_id);
	if (call) {
		ret = update_call(calls, origin, call, &msg, offer, now_ms);
	} else if (msg.request && msg.method == SIP_INVITE && !msg.to.tag) {
		ret = create_call(calls, origin, &msg, offer, now_ms);
	} else if (!is_call_method(msg.method)) {
		ret = reject(calls, origin, CALLS_REASON_NOT_A_CALL, NULL, 0);
		applied = false;
	} else {
		ret = reject(calls, origin, CALLS_REASON_UNKNOWN_CALL, msg.call_id, -ENOENT);
	}
	sip_msg_release(&msg);
	if (!ret && applied) {
		calls->stats.applied++;
		if (bad_sdp)
			ret = -EBADMSG;
	}
	return ret;
}

void calls_expire(struct calls *calls, struct timespec now)
{
	int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	int64_t setup_ms = (int64_t)calls->cfg.setup_timeout * 1000;
	int64_t idle_ms = (int64_t)calls->cfg.idle_timeout * 1000;
	int64_t linger_ms = (int64_t)calls->cfg.ended_linger * 1000;
	struct call *call;

	while ((call = calls->lists[LIST_UNANSWERED].head) &&
	       call->created_ms + setup_ms <= now_ms)
		apply_event(calls, call, DIALOG_EV_TIMEOUT, now_ms, 0);
	while ((call = calls->lists[LIST_ESTABLISHED].head) &&
	       call->last_sip_ms + idle_ms <= now_ms)
		apply_event(calls, call, DIALOG_EV_TIMEOUT, now_ms, 0);
	while ((call = calls->lists[LIST_ENDED].head) && call->ended_ms + linger_ms <= now_ms)
		remove_call(calls, call);
}
