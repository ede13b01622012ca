/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The people side of the access review: every user the policy lets monitor
 * (directly or through a group), when the audit trail last saw them act,
 * and who has not acted for inactive_days (or never). "Seen" is derived
 * from the audit trail only, so a purge makes older activity unseen.
 */
#ifndef LISTENIND_REVIEW_H
#define LISTENIND_REVIEW_H

#include <json-c/json.h>
#include <stddef.h>
#include <time.h>

#include "listenind/audit.h"
#include "listenind/policy.h"

/*
 * {"inactive_days": N, "users": [...], "inactive": [...]}: inactive_days 0
 * flags nobody. NULL with a sentence in err when the trail cannot be read.
 */
struct json_object *review_users(const struct policy *p, struct audit *a, time_t now,
				 unsigned int inactive_days, char *err, size_t errlen);

#endif
