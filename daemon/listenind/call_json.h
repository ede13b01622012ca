/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calls as json-c objects for the control socket (`lictl calls`). Times are
 * UTC ISO 8601 strings with milliseconds, null when not reached; media are
 * listed per direction, named by who sends, with the destination a tap
 * matches on. Every function returns a new reference, or NULL if out of memory.
 */
#ifndef LISTENIND_CALL_JSON_H
#define LISTENIND_CALL_JSON_H

#include <json-c/json.h>

#include "listenind/calls.h"

struct json_object *call_json(const struct call *call);
/* An array of every call, in calls_foreach() order. */
struct json_object *call_json_list(const struct calls *calls);
/* Counters, and the rejections by reason name. */
struct json_object *call_json_stats(const struct calls *calls);

#endif
