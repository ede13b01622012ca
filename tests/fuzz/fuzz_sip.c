// SPDX-License-Identifier: GPL-2.0
/*
 * The whole SIP handling path: parse, SDP, dialog state machine, call table,
 * JSON. One input is a sequence of SIP messages separated by a line "%%",
 * applied to a fresh small table so the state machine sees orderings a
 * single message cannot reach; limits and expiry are exercised too.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "listenind/call_json.h"
#include "listenind/calls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct call *call, void *ctx)
{
	struct dialog_stream streams[SDP_MAX_STREAMS];

	(void)ctx;
	if (call->dialog.state >= DIALOG_STATE_COUNT || call->history_count > CALLS_MAX_HISTORY ||
	    dialog_streams(&call->dialog, DIALOG_CALLER_TO_CALLEE, streams) > SDP_MAX_STREAMS ||
	    dialog_streams(&call->dialog, DIALOG_CALLEE_TO_CALLER, streams) > SDP_MAX_STREAMS)
		__builtin_trap();
}

static void notified(const struct call *call, enum dialog_state old_state,
		     enum dialog_state new_state, unsigned int changes, void *ctx)
{
	(void)changes, (void)ctx;
	if (call->dialog.state != new_state || old_state >= DIALOG_STATE_COUNT)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char separator[] = "\r\n%%\r\n";
	const char *text = (const char *)data, *end = text + size;
	struct calls_config cfg;
	struct calls *calls;
	struct json_object *json;
	struct sip_origin origin = { .input = SIP_INPUT_CAPTURE, .family = 2 };
	unsigned int n = 0;

	calls_config_defaults(&cfg);
	cfg.max_calls = 4;
	cfg.setup_timeout = 5;
	cfg.idle_timeout = 10;
	cfg.ended_linger = 3;
	calls = calls_new(&cfg);
	if (!calls)
		return 0;
	calls_subscribe(calls, notified, NULL);

	while (text < end && n < 32) {
		const char *next = memmem(text, (size_t)(end - text), separator, sizeof(separator) - 1);
		size_t len = next ? (size_t)(next - text) : (size_t)(end - text);

		origin.seen.tv_sec = 1800000000 + n * 2;
		calls_ingest_sip(calls, &origin, text, len);
		if (n % 4 == 3)
			calls_expire(calls, origin.seen);
		text = next ? next + sizeof(separator) - 1 : end;
		n++;
	}
	calls_foreach(calls, check, NULL);
	json = call_json_list(calls);
	if (json)
		json_object_to_json_string(json);
	json_object_put(json);
	json = call_json_stats(calls);
	json_object_put(json);
	/* the first pass ends every call, the second removes them after their linger */
	calls_expire(calls, (struct timespec){ 1900000000, 0 });
	calls_expire(calls, (struct timespec){ 1900000000 + 3, 0 });
	if (calls_count(calls))
		__builtin_trap();
	calls_free(calls);
	return 0;
}
