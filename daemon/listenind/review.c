// SPDX-License-Identifier: GPL-2.0
/* The access review's users: granted users and their last audited action. */
#include "listenind/review.h"

#include <string.h>

#include "common/jout.h"

static struct json_object *find_user(struct json_object *users, uid_t uid)
{
	for (size_t i = 0; i < json_object_array_length(users); i++) {
		struct json_object *u = json_object_array_get_idx(users, i), *v;

		if (json_object_object_get_ex(u, "uid", &v) &&
		    (uid_t)json_object_get_int64(v) == uid)
			return u;
	}
	return NULL;
}

static void add_grant(struct json_object *users, const struct policy_user *pu,
		      const char *grant)
{
	struct json_object *u = find_user(users, pu->uid), *grants;

	if (!u) {
		u = json_object_new_object();
		jout_add_str(u, "user", pu->name);
		jout_add_u64(u, "uid", pu->uid);
		json_object_object_add(u, "grants", json_object_new_array());
		json_object_array_add(users, u);
	}
	json_object_object_get_ex(u, "grants", &grants);
	json_object_array_add(grants, json_object_new_string(grant));
}

/* Marks u from the trail; returns 1 when it is inactive, 0 if not, -1 with err. */
static int mark_seen(struct json_object *u, struct audit *a, time_t now, unsigned int days,
		     char *err, size_t errlen)
{
	struct json_object *v;
	struct audit_seen seen;
	int64_t idle_ms;
	int ret;

	json_object_object_get_ex(u, "uid", &v);
	ret = audit_last_seen(a, json_object_get_int64(v), &seen, err, errlen);
	if (ret < 0)
		return -1;
	if (!ret) {
		jout_add_null(u, "last_seen_ms");
		jout_add_bool(u, "never_seen", true);
		jout_add_bool(u, "inactive", days > 0);
		return days > 0;
	}
	idle_ms = (int64_t)now * 1000 - seen.time_ms;
	jout_add_int(u, "last_seen_ms", seen.time_ms);
	jout_add_u64(u, "last_seen_seq", seen.seq);
	jout_add_str(u, "last_event", seen.event);
	jout_add_u64(u, "days_unseen", idle_ms > 0 ? (uint64_t)(idle_ms / 86400000) : 0);
	jout_add_bool(u, "never_seen", false);
	jout_add_bool(u, "inactive", days && idle_ms >= (int64_t)days * 86400000);
	return days && idle_ms >= (int64_t)days * 86400000;
}

struct json_object *review_users(const struct policy *p, struct audit *a, time_t now,
				 unsigned int inactive_days, char *err, size_t errlen)
{
	struct json_object *o, *users = json_object_new_array(), *inactive;

	for (unsigned int i = 0; i < p->n_grants; i++) {
		const struct policy_grant *g = &p->grants[i];

		for (unsigned int j = 0; j < (g->to_group ? g->group->n_members : 1); j++)
			add_grant(users, g->to_group ? &g->group->members[j] : &g->user, g->name);
	}
	inactive = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(users); i++) {
		struct json_object *u = json_object_array_get_idx(users, i), *name;
		int ret = mark_seen(u, a, now, inactive_days, err, errlen);

		if (ret < 0) {
			json_object_put(users);
			json_object_put(inactive);
			return NULL;
		}
		json_object_object_get_ex(u, "user", &name);
		if (ret)
			json_object_array_add(inactive, json_object_get(name));
	}
	o = json_object_new_object();
	jout_add_u64(o, "inactive_days", inactive_days);
	json_object_object_add(o, "users", users);
	json_object_object_add(o, "inactive", inactive);
	return o;
}
