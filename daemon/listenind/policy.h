/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Monitoring authorization, deny by default. A policy is read from a file
 * (policy_file.c, format in docs/listenin-policy.5) into one immutable value:
 * groups of Unix users, roles (modes, longest session, allowed hours),
 * grants (user or group -> role within a scope, optionally expiring), reason
 * codes and the agent notice per site. policy_decide() answers one request
 * and names the rule that decided it. A reload builds a new policy and swaps
 * the pointer only when the whole file is valid.
 */
#ifndef LISTENIND_POLICY_H
#define LISTENIND_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "listenind/calls.h"

#define POLICY_NAME_MAX		64	/* bytes of any name, with NUL */
#define POLICY_ERR_LEN		512
#define POLICY_RULE_LEN		256
#define POLICY_MAX_ITEMS	256	/* names in one list */
#define POLICY_MAX_WINDOWS	8	/* hour windows of one role */
#define POLICY_MAX_OBJECTS	4096	/* sections of each kind */

enum policy_mode {
	POLICY_MODE_LISTEN,
	POLICY_MODE_WHISPER,
	POLICY_MODE_BARGE,
	POLICY_MODE_COUNT,
};

enum policy_notice {
	POLICY_NOTICE_NONE,		/* the agent is not told */
	POLICY_NOTICE_EVENT,		/* an event announces the session to the agent side */
};

/* The scope dimensions follow the call table's metadata (enum calls_meta). */
#define POLICY_SCOPE_COUNT	CALLS_META_COUNT

struct policy_list {
	char (*names)[POLICY_NAME_MAX];
	unsigned int count;
	bool any;			/* "*": every value, known or not */
};

struct policy_user {
	char name[POLICY_NAME_MAX];
	uid_t uid;
};

struct policy_group {
	char name[POLICY_NAME_MAX];
	struct policy_user *members;
	unsigned int n_members;
	unsigned int line;
};

/* Minutes from midnight; end <= start spans midnight; days: bit 0 = Sunday. */
struct policy_window {
	uint16_t start, end;
	uint8_t days;
};

struct policy_role {
	char name[POLICY_NAME_MAX];
	unsigned int modes;		/* 1 << enum policy_mode */
	unsigned int max_duration;	/* s */
	struct policy_window windows[POLICY_MAX_WINDOWS];
	unsigned int n_windows;		/* 0: any time */
	struct policy_list reasons;	/* empty: every configured reason */
	unsigned int line;
};

struct policy_grant {
	char name[POLICY_NAME_MAX];
	bool to_group;
	struct policy_user user;	/* !to_group */
	const struct policy_group *group;	/* to_group */
	const struct policy_role *role;
	struct policy_list scope[POLICY_SCOPE_COUNT];
	time_t expires;			/* first second no longer valid; 0: never */
	char expires_text[16];		/* YYYY-MM-DD as written */
	unsigned int line;
};

struct policy_reason {
	char code[POLICY_NAME_MAX];
	char description[128];
	bool text_required;
	unsigned int line;
};

struct policy_site {
	char name[POLICY_NAME_MAX];
	enum policy_notice notice;
	unsigned int line;
};

struct policy {
	char source[256];		/* file name given to the parser */
	struct policy_group *groups;
	unsigned int n_groups;
	struct policy_role *roles;
	unsigned int n_roles;
	struct policy_grant *grants;
	unsigned int n_grants;
	struct policy_reason *reasons;
	unsigned int n_reasons;
	struct policy_site *sites;
	unsigned int n_sites;
	enum policy_notice default_notice;
	/* Modes the media path can carry; others are refused after evaluation. */
	unsigned int available_modes;
};

struct policy_request {
	uid_t uid;
	enum policy_mode mode;
	const char *reason;		/* code; NULL or "" = missing */
	const char *reason_text;	/* free text; NULL = none */
	const char *meta[POLICY_SCOPE_COUNT];	/* call metadata; NULL = unknown */
	time_t now;
};

struct policy_decision {
	bool allow;
	char rule[POLICY_RULE_LEN];	/* a sentence naming what decided */
	const struct policy_grant *grant;	/* that allowed, else NULL */
	unsigned int max_duration;	/* s; already shortened to the hour window and expiry */
	enum policy_notice notice;
};

/* Looks a Unix user name up; 0 and *uid set if found. Default: getpwnam(3). */
typedef int (*policy_resolve_fn)(const char *name, uid_t *uid, void *ctx);

/*
 * Parses a policy file's text. Returns a complete policy, or NULL with err
 * holding "NAME:LINE: problem" (or "NAME: problem" for whole-file problems).
 * resolve NULL uses getpwnam(3).
 */
struct policy *policy_parse(const char *name, const char *text, size_t len,
			    policy_resolve_fn resolve, void *ctx,
			    char *err, size_t errlen);
/* Reads and parses path (at most 1 MiB). */
struct policy *policy_load(const char *path, char *err, size_t errlen);
void policy_free(struct policy *policy);

/* Returns true when allowed; *d is filled either way. */
bool policy_decide(const struct policy *policy, const struct policy_request *req,
		   struct policy_decision *d);

const char *policy_mode_name(enum policy_mode mode);
/* -1 if unknown. */
int policy_mode_parse(const char *name);
const char *policy_notice_name(enum policy_notice notice);
const char *policy_scope_name(unsigned int dim);
enum policy_notice policy_site_notice(const struct policy *policy, const char *site);
const struct policy_reason *policy_find_reason(const struct policy *policy,
					       const char *code);

/* One user's access through one grant, for access reviews. */
struct policy_access {
	const struct policy_user *user;
	const struct policy_grant *grant;
	const struct policy_group *via;	/* group that carried the grant, or NULL */
	bool expired;			/* at the review's now */
	bool expiring;			/* within the review's window */
};

/*
 * Visits every (user, grant) pair, users in grant order then member order.
 * now and days set expired and expiring (days 0: expiring is never set).
 */
void policy_foreach_access(const struct policy *policy, time_t now,
			   unsigned int days,
			   void (*fn)(const struct policy_access *a, void *ctx),
			   void *ctx);

/*
 * The access review as JSON: {"grants": [...], "expiring": [...]} where each
 * grant lists its users, role, modes, scope and expiry, and "expiring" the
 * grants that end within days. Caller owns the object.
 */
struct json_object *policy_review_json(const struct policy *policy, time_t now,
				       unsigned int days);

/*
 * Writes the policy in the file format, normalized (--check-policy -v):
 * parsing the output gives the same policy.
 */
void policy_dump(const struct policy *policy, FILE *out);

/* "queue sales, support; site paris" into buf. */
void policy_scope_format(const struct policy_grant *g, char *buf, size_t len);
/* "08:00-18:00 mon-fri, 09:00-12:00 sat" or "any time". */
void policy_hours_format(const struct policy_role *r, char *buf, size_t len);

#endif
