// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the policy file parser on arbitrary text, then every accepted
 * policy through policy_decide() and the review helpers. Users resolve
 * without the system's password database: names starting with 'u' exist.
 */
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listenind/policy.h"

static int resolve(const char *name, uid_t *uid, void *ctx)
{
	(void)ctx;
	if (name[0] != 'u')
		return -1;
	*uid = (uid_t)(1000 + strlen(name));
	return 0;
}

static void visit(const struct policy_access *a, void *ctx)
{
	(void)ctx;
	if (!a->user || !a->grant || !a->grant->role)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const values[] = { NULL, "", "sales", "paris", "2001", "x" };
	char err[POLICY_ERR_LEN], buf[2048];
	struct policy *p;

	p = policy_parse("fuzz", (const char *)data, size, resolve, NULL, err, sizeof(err));
	if (!p) {
		if (strncmp(err, "fuzz:", 5) != 0)
			__builtin_trap();
		return 0;
	}
	for (unsigned int i = 0; i < p->n_grants; i++) {
		const struct policy_grant *g = &p->grants[i];

		if (!g->role || (g->to_group && !g->group))
			__builtin_trap();
		policy_scope_format(g, buf, sizeof(buf));
		policy_hours_format(g->role, buf, sizeof(buf));
	}
	for (uid_t uid = 1000; uid < 1012; uid++) {
		for (int m = 0; m < POLICY_MODE_COUNT; m++) {
			struct policy_request req = {
				.uid = uid, .mode = (enum policy_mode)m,
				.reason = p->n_reasons ? p->reasons[uid % p->n_reasons].code : "qa",
				.reason_text = uid & 1 ? "why" : NULL,
				.now = (time_t)1795000000 + (time_t)uid * 7919,
			};
			struct policy_decision d;

			for (unsigned int k = 0; k < POLICY_SCOPE_COUNT; k++)
				req.meta[k] = values[(uid + k) % 6];
			if (policy_decide(p, &req, &d) != d.allow || !d.rule[0])
				__builtin_trap();
			if (d.allow && (!d.grant || m != POLICY_MODE_LISTEN ||
					d.max_duration > d.grant->role->max_duration))
				__builtin_trap();
		}
	}
	{
		/* the dump is the file format and a fixed point */
		char *a = NULL, *b = NULL;
		size_t alen = 0, blen = 0;
		FILE *f = open_memstream(&a, &alen);
		struct policy *q = NULL;

		if (f) {
			policy_dump(p, f);
			fclose(f);
			q = policy_parse("dump", a, alen, resolve, NULL, err, sizeof(err));
			if (!q)
				__builtin_trap();
			f = open_memstream(&b, &blen);
			if (f) {
				policy_dump(q, f);
				fclose(f);
				if (alen != blen || memcmp(a, b, alen))
					__builtin_trap();
			}
		}
		policy_free(q);
		free(a);
		free(b);
	}
	policy_foreach_access(p, 1795000000, 30, visit, NULL);
	json_object_put(policy_review_json(p, 1795000000, 30));
	policy_free(p);
	return 0;
}
