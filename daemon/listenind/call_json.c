// SPDX-License-Identifier: GPL-2.0
#include "listenind/call_json.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>

#include "common/jout.h"

static void add_time(struct json_object *obj, const char *key, int64_t ms)
{
	struct tm tm;
	time_t secs = (time_t)(ms / 1000);
	char buf[64];
	size_t len;

	if (ms <= 0 || !gmtime_r(&secs, &tm) ||
	    !(len = strftime(buf, sizeof(buf) - 6, "%Y-%m-%dT%H:%M:%S", &tm))) {
		jout_add_null(obj, key);
		return;
	}
	snprintf(buf + len, sizeof(buf) - len, ".%03dZ", (int)(ms % 1000));
	jout_add_str(obj, key, buf);
}

static void add_text(struct json_object *obj, const char *key, const char *text)
{
	if (text[0])
		jout_add_str(obj, key, text);
	else
		jout_add_null(obj, key);
}

static void add_sdp_addr(struct json_object *obj, const char *key, const struct sdp_addr *addr)
{
	if (addr->family == AF_INET || addr->family == AF_INET6) {
		char buf[INET6_ADDRSTRLEN];

		inet_ntop(addr->family, addr->bytes, buf, sizeof(buf));
		jout_add_str(obj, key, buf);
	} else {
		jout_add_null(obj, key);
	}
}

static struct json_object *party_json(const struct call_party *party)
{
	struct json_object *obj = json_object_new_object();

	if (!obj)
		return NULL;
	add_text(obj, "user", party->user);
	add_text(obj, "host", party->host);
	add_text(obj, "display", party->display);
	return obj;
}

static struct json_object *stream_json(const struct dialog_stream *stream)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *payloads = json_object_new_array();

	if (!obj || !payloads) {
		json_object_put(obj);
		json_object_put(payloads);
		return NULL;
	}
	jout_add_str(obj, "media", sdp_kind_name(stream->kind));
	jout_add_bool(obj, "active", stream->active);
	add_sdp_addr(obj, "dst", &stream->dst);
	jout_add_int(obj, "rtp_port", stream->rtp_port);
	jout_add_bool(obj, "rtcp_mux", stream->rtcp_mux);
	add_sdp_addr(obj, "rtcp_dst", &stream->rtcp_dst);
	jout_add_int(obj, "rtcp_port", stream->rtcp_port);
	for (unsigned int i = 0; i < stream->payload_count; i++)
		json_object_array_add(payloads, json_object_new_int(stream->payloads[i]));
	json_object_object_add(obj, "payloads", payloads);
	return obj;
}

static struct json_object *media_json(const struct call *call)
{
	static const enum dialog_direction directions[] = {
		DIALOG_CALLER_TO_CALLEE, DIALOG_CALLEE_TO_CALLER,
	};
	struct json_object *obj = json_object_new_object();

	if (!obj)
		return NULL;
	for (size_t d = 0; d < sizeof(directions) / sizeof(directions[0]); d++) {
		struct dialog_stream streams[SDP_MAX_STREAMS];
		unsigned int count = dialog_streams(&call->dialog, directions[d], streams);
		struct json_object *list = json_object_new_array();

		for (unsigned int i = 0; list && i < count; i++)
			json_object_array_add(list, stream_json(&streams[i]));
		json_object_object_add(obj, dialog_direction_name(directions[d]), list);
	}
	return obj;
}

static struct json_object *history_json(const struct call *call)
{
	struct json_object *list = json_object_new_array();

	for (unsigned int i = 0; list && i < call->history_count; i++) {
		struct json_object *entry = json_object_new_object();

		if (!entry)
			break;
		jout_add_str(entry, "state", dialog_state_name(call->history[i].state));
		jout_add_str(entry, "event", dialog_event_name(call->history[i].event));
		add_time(entry, "at", call->history[i].at_ms);
		json_object_array_add(list, entry);
	}
	return list;
}

struct json_object *call_json(const struct call *call)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *transfer;

	if (!obj)
		return NULL;
	jout_add_u64(obj, "id", call->id);
	jout_add_str(obj, "call_id", call->dialog.call_id);
	jout_add_str(obj, "state", dialog_state_name(call->dialog.state));
	json_object_object_add(obj, "caller", party_json(&call->caller));
	json_object_object_add(obj, "callee", party_json(&call->callee));
	add_text(obj, "asserted", call->asserted);
	for (int i = 0; i < CALLS_META_COUNT; i++)
		add_text(obj, calls_meta_name(i), call->meta[i]);
	jout_add_bool(obj, "conference", call->conference);

	transfer = json_object_new_object();
	if (transfer) {
		add_text(transfer, "target", call->transfer_target);
		add_text(transfer, "by", call->transferred_by);
		if (call->replaces)
			jout_add_u64(transfer, "replaces", call->replaces);
		else
			jout_add_null(transfer, "replaces");
		if (call->replaced_by)
			jout_add_u64(transfer, "replaced_by", call->replaced_by);
		else
			jout_add_null(transfer, "replaced_by");
	}
	json_object_object_add(obj, "transfer", transfer);

	add_time(obj, "created", call->created_ms);
	add_time(obj, "answered", call->answered_ms);
	add_time(obj, "ended", call->ended_ms);
	add_time(obj, "last_sip", call->last_sip_ms);
	if (call->dialog.state == DIALOG_ENDED)
		jout_add_str(obj, "end_reason", dialog_event_name(call->end_event));
	else
		jout_add_null(obj, "end_reason");
	if (call->final_status)
		jout_add_int(obj, "final_status", call->final_status);
	else
		jout_add_null(obj, "final_status");
	json_object_object_add(obj, "media", media_json(call));
	json_object_object_add(obj, "history", history_json(call));
	jout_add_int(obj, "history_dropped", call->history_dropped);
	return obj;
}

static void add_call(const struct call *call, void *ctx)
{
	struct json_object *obj = call_json(call);

	if (obj)
		json_object_array_add(ctx, obj);
}

struct json_object *call_json_list(const struct calls *calls)
{
	struct json_object *list = json_object_new_array();

	if (list)
		calls_foreach(calls, add_call, list);
	return list;
}

struct json_object *call_json_stats(const struct calls *calls)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *rejected = json_object_new_object();
	struct calls_stats stats;

	if (!obj || !rejected) {
		json_object_put(obj);
		json_object_put(rejected);
		return NULL;
	}
	calls_get_stats(calls, &stats);
	jout_add_u64(obj, "active", stats.active);
	jout_add_u64(obj, "max_calls", stats.max_calls);
	jout_add_u64(obj, "messages", stats.messages);
	jout_add_u64(obj, "applied", stats.applied);
	jout_add_u64(obj, "created", stats.created);
	jout_add_u64(obj, "ended", stats.ended);
	jout_add_u64(obj, "expired", stats.expired);
	jout_add_u64(obj, "evicted", stats.evicted);
	jout_add_u64(obj, "removed", stats.removed);
	jout_add_u64(obj, "forks_ignored", stats.forks_ignored);
	for (int i = 0; i < CALLS_REASON_COUNT; i++)
		jout_add_u64(rejected, calls_reason_name(i), stats.rejected[i]);
	json_object_object_add(obj, "rejected", rejected);
	return obj;
}
