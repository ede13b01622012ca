/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Monitoring sessions: one supervisor listening to one call through one
 * kernel tap. A request is decided by the policy against the call's current
 * metadata; every decision is audited (a denial with its rule, a start
 * before the tap exists, a stop with its cause and the tap's copy counter).
 * Sessions follow their call: a media change replaces the tap, every state
 * change re-decides, the call's end ends them. The kernel is reached through
 * struct session_kernel so everything but the tap itself runs without the
 * module. Session ids are the seq of their session_start audit record, so
 * they stay unique across restarts and a tap's cookie names its record.
 * docs/listenind.md ("Monitoring sessions") describes the behaviour.
 */
#ifndef LISTENIND_SESSION_H
#define LISTENIND_SESSION_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/addr.h"
#include "listenind/audit.h"
#include "listenind/calls.h"
#include "listenind/policy.h"
#include "netlink/lnl.h"

#define SESSION_PORTS		4	/* P, P+1 (RTCP), P+2, P+3 (RTCP) */
#define SESSION_NOTE_MAX	256
#define SESSION_ERR_LEN		512

struct session_config {
	struct addr source[2];		/* [0] IPv4, [1] IPv6; AF_UNSPEC: not set */
	uint16_t port_base;		/* first copy source port */
	unsigned int port_count;	/* ports in the pool, a multiple of SESSION_PORTS */
	unsigned int idle_timeout;	/* s without media before the kernel drops a tap */
	char admin_group[64];		/* "" : only root is an administrator */
};

/*
 * The kernel, as sessions use it. Each returns 0 or -errno with a sentence
 * in err. tap_del reports the tap's counters just before it went (may be
 * all zero if the kernel could not say).
 */
struct session_kernel {
	int (*tap_new)(void *ctx, const struct lnl_tap *tap, uint32_t *id,
		       char *err, size_t errlen);
	int (*tap_del)(void *ctx, uint32_t id, struct lnl_counters *last,
		       char *err, size_t errlen);
	int (*tap_dump)(void *ctx, lnl_tap_cb cb, void *arg, char *err, size_t errlen);
	void *ctx;
};

/*
 * Where agent notices go (sites with notice = event): the control socket's
 * "watch" subscribers. publish sends ev (not consumed) to each and returns
 * how many got it. docs/policy.md ("Agent notice") describes the events.
 */
struct session_notifier {
	unsigned int (*subscribers)(void *ctx);
	unsigned int (*publish)(void *ctx, struct json_object *ev);
	void *ctx;
};

/* The kernel through an lnl handle (ctx = struct lnl *). */
extern const struct session_kernel session_lnl_kernel;

/* A "listen" request from the control socket. */
struct session_request {
	char call[SIP_CALL_ID_MAX];	/* call table id or Call-ID */
	struct addr to;
	uint16_t to_port;
	enum policy_mode mode;
	char reason[POLICY_NAME_MAX];
	char note[SESSION_NOTE_MAX];	/* "" : none */
};

/* Who asks: from the control socket's peer credentials. */
struct session_caller {
	uid_t uid;
	gid_t gid;
	bool admin;			/* root or member of admin_group */
};

struct sessions;

/* Parses {"cmd":"listen",...}; 0, or -1 with a sentence in err. */
int session_request_parse(struct json_object *req, struct session_request *out,
			  char *err, size_t errlen);

/* Root, the admin group's gid, or the user a member of it. */
bool session_is_admin(uid_t uid, gid_t gid, const char *admin_group);

/* Port pool: blocks of SESSION_PORTS source ports, one per session. */
struct session_ports {
	uint16_t base;
	unsigned int blocks;
	unsigned int used;
	uint8_t *taken;
};
int session_ports_init(struct session_ports *p, uint16_t base, unsigned int count);
void session_ports_fini(struct session_ports *p);
/* The first port of a free block, or 0 when every block is taken. */
uint16_t session_ports_alloc(struct session_ports *p);
void session_ports_release(struct session_ports *p, uint16_t first);

/*
 * The tap of one session: for each direction of the call with media, its
 * first audio stream (the first stream if none is audio) matched on its
 * destination, with one listen-only output to to:to_port from src:P
 * (caller to callee) or src:P+2 (callee to caller), RTCP included when the
 * stream has it. streams[] and outputs[] hold 2 entries each and back *tap.
 * Returns 0, or -1 with a sentence in err (no media yet, family mismatch).
 */
int session_build_tap(const struct call *call, const struct addr *to, uint16_t to_port,
		      const struct addr *src, uint16_t first_port, uint32_t idle_timeout,
		      uint64_t cookie, struct lnl_tap *tap, struct lnl_stream streams[2],
		      struct lnl_output outputs[2], char *err, size_t errlen);

/*
 * audit may be NULL (then every request is refused, saying why: audit_why);
 * kernel may be NULL (the module is not loaded). Subscribes to calls.
 */
struct sessions *sessions_new(const struct session_config *cfg, struct calls *calls,
			      struct audit *audit, const char *audit_why,
			      char *err, size_t errlen);
/* Ends every session with cause (e.g. "daemon_stop") and frees. */
void sessions_free(struct sessions *s, const char *cause);

/* NULL: no policy, every request is denied. Not owned. Re-decides every session. */
void sessions_set_policy(struct sessions *s, const struct policy *policy,
			 const char *cause);
/* NULL: the module is not loaded. Not owned. */
void sessions_set_kernel(struct sessions *s, const struct session_kernel *kernel);
void sessions_set_admin_group(struct sessions *s, const char *group);
/* NULL: nobody hears notices, so sessions on notice = event sites are refused. Not owned. */
void sessions_set_notifier(struct sessions *s, const struct session_notifier *notifier);
/* An "active" agent_notice event per live session that gave notice, for a new subscriber. */
struct json_object *sessions_notices(const struct sessions *s);
const char *sessions_admin_group(const struct sessions *s);

/* Replies for the control socket; NULL with a sentence in err. */
struct json_object *sessions_listen(struct sessions *s, const struct session_caller *who,
				    const struct session_request *req, char *err, size_t errlen);
/* Each session with its tap's live counters ("counters"), or "counters_error". */
struct json_object *sessions_list(struct sessions *s, const struct session_caller *who);
struct json_object *sessions_stop(struct sessions *s, const struct session_caller *who,
				  uint64_t id, char *err, size_t errlen);
/*
 * The daemon's admin flush (lictl stop --all): for administrators only (a
 * refusal is audited as a denial); one admin_flush record naming the admin
 * and note, then every session ends as "admin_flush" and its tap goes.
 */
struct json_object *sessions_stop_all(struct sessions *s, const struct session_caller *who,
				      const char *note, char *err, size_t errlen);

/* Ends sessions past their maximum duration; now_ms is CLOCK_REALTIME. */
void sessions_on_tick(struct sessions *s, int64_t now_ms);
/* A TAP_EXPIRED or TAP_DELETED notification. */
void sessions_on_tap_event(struct sessions *s, const struct lnl_event *ev);
/* After lost events: ends sessions whose tap the kernel no longer has. */
void sessions_resync(struct sessions *s);
/* The module went away with every tap: ends every session ("tap_lost"), forgets the kernel. */
void sessions_kernel_gone(struct sessions *s);

/*
 * At start, with the kernel set: deletes the taps left by a previous run
 * (cookie = a session_start of this audit trail with no live session),
 * auditing each as stopped by "daemon_restart"; leaves other taps alone.
 * Returns the number of taps deleted, or -1 with err.
 */
int sessions_reconcile(struct sessions *s, char *err, size_t errlen);

unsigned int sessions_count(const struct sessions *s);

/*
 * Audit records selected by f as a JSON array (one object per record, as
 * audit_export_json writes them); NULL with err.
 */
struct json_object *session_audit_records(struct audit *a, const struct audit_filter *f,
					  char *err, size_t errlen);

#endif
