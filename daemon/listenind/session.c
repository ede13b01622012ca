// SPDX-License-Identifier: GPL-2.0
/*
 * Monitoring sessions: decide, audit, program the kernel, follow the call.
 * The audit record always comes first: a session_start is durable before
 * the tap exists, and a session_stop is written once the tap is gone.
 */
#include "listenind/session.h"

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/jout.h"
#include "common/log.h"

struct session {
	uint64_t id;
	uint64_t call;
	char call_id[SIP_CALL_ID_MAX];
	char extension[CALLS_NAME_MAX];
	char meta[CALLS_META_COUNT][CALLS_NAME_MAX];
	uid_t uid;
	char user[POLICY_NAME_MAX];
	enum policy_mode mode;
	char reason[POLICY_NAME_MAX];
	char note[SESSION_NOTE_MAX];
	struct addr to;
	uint16_t to_port;
	uint16_t first_port;
	uint32_t tap;
	int64_t start_ms, deadline_ms;	/* deadline 0: none */
	struct lnl_counters before;	/* counters of the taps it replaced */
	bool notice;			/* the agent side was told (site notice = event) */
	bool flushed;			/* its tap went in a kernel flush, event awaited */
	struct lnl_stream match[2];	/* what the tap matches, outputs not kept */
	uint16_t match_src_port[2];
	size_t n_match;
	struct session *next;
};

struct sessions {
	struct session_config cfg;
	struct calls *calls;
	struct audit *audit;
	char audit_why[256];
	const struct policy *policy;
	const struct session_kernel *kernel;
	struct session_ports ports;
	const struct session_notifier *notifier;
	struct session *list;
	unsigned int count;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *opt(const char *s)
{
	return s && *s ? s : NULL;
}

/* ---- the kernel through lnl ---- */

static int lnl_fail(struct lnl *nl, int ret, char *err, size_t errlen)
{
	const char *m = lnl_error(nl);

	snprintf(err, errlen, "%s%s%s", strerror(-ret), m && *m ? ": " : "", m ? m : "");
	return ret;
}

static int k_tap_new(void *ctx, const struct lnl_tap *tap, uint32_t *id, char *err,
		     size_t errlen)
{
	int ret = lnl_tap_new(ctx, tap, id, NULL);

	return ret ? lnl_fail(ctx, ret, err, errlen) : 0;
}

static int k_tap_del(void *ctx, uint32_t id, struct lnl_counters *last, char *err,
		     size_t errlen)
{
	struct lnl_tap tap;
	int ret;

	memset(last, 0, sizeof(*last));
	if (lnl_tap_get(ctx, id, &tap) == 0) {
		*last = tap.counters;
		lnl_tap_free(&tap);
	}
	ret = lnl_tap_del(ctx, id);
	return ret ? lnl_fail(ctx, ret, err, errlen) : 0;
}

static int k_tap_dump(void *ctx, lnl_tap_cb cb, void *arg, char *err, size_t errlen)
{
	int ret = lnl_tap_dump(ctx, cb, arg);

	return ret < 0 ? lnl_fail(ctx, ret, err, errlen) : ret;
}

const struct session_kernel session_lnl_kernel = {
	.tap_new = k_tap_new,
	.tap_del = k_tap_del,
	.tap_dump = k_tap_dump,
};

/* ---- requests ---- */

static int get_string(struct json_object *req, const char *key, bool required,
		      char *out, size_t len, char *err, size_t errlen)
{
	struct json_object *v;
	const char *s;

	out[0] = '\0';
	if (!json_object_object_get_ex(req, key, &v) || json_object_is_type(v, json_type_null)) {
		if (required)
			snprintf(err, errlen, "\"listen\" needs \"%s\"", key);
		return required ? -1 : 0;
	}
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "\"%s\" must be a string", key);
		return -1;
	}
	s = json_object_get_string(v);
	if (strlen(s) >= len) {
		snprintf(err, errlen, "\"%s\" is longer than %zu bytes", key, len - 1);
		return -1;
	}
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen, "\"%s\" contains a control character", key);
			return -1;
		}
	}
	if (required && !*s) {
		snprintf(err, errlen, "\"%s\" is empty", key);
		return -1;
	}
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

int session_request_parse(struct json_object *req, struct session_request *out,
			  char *err, size_t errlen)
{
	static const char *const known[] = { "cmd", "call", "to", "reason", "note", "mode" };
	char to[ADDR_STRLEN + 8], mode[16];
	const char *why;
	int m;

	memset(out, 0, sizeof(*out));
	json_object_object_foreach(req, key, val) {
		bool found = false;

		(void)val;
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			found |= !strcmp(key, known[i]);
		if (!found) {
			snprintf(err, errlen,
				 "unknown key \"%.64s\" in a listen request (known: call, to, reason, note, mode)",
				 key);
			return -1;
		}
	}
	if (get_string(req, "call", true, out->call, sizeof(out->call), err, errlen)) {
		if (!strncmp(err, "\"listen\" needs", 14))
			snprintf(err, errlen,
				 "\"listen\" needs \"call\": a call's id from \"lictl calls\" or its Call-ID");
		return -1;
	}
	if (get_string(req, "to", true, to, sizeof(to), err, errlen)) {
		if (!strncmp(err, "\"listen\" needs", 14))
			snprintf(err, errlen,
				 "\"listen\" needs \"to\": the supervisor's ADDR:PORT that receives the copies");
		return -1;
	}
	why = addr_parse(to, ADDR_PORT_REQUIRED, &out->to, &out->to_port);
	if (why) {
		snprintf(err, errlen, "bad \"to\" \"%s\": %s", to, why);
		return -1;
	}
	if ((out->to.family == AF_INET && (!out->to.v4.s_addr ||
					   (ntohl(out->to.v4.s_addr) >> 28) == 14)) ||
	    (out->to.family == AF_INET6 && (IN6_IS_ADDR_UNSPECIFIED(&out->to.v6) ||
					    IN6_IS_ADDR_MULTICAST(&out->to.v6)))) {
		snprintf(err, errlen,
			 "bad \"to\" \"%s\": the copies need the supervisor's unicast address", to);
		return -1;
	}
	if (get_string(req, "reason", true, out->reason, sizeof(out->reason), err, errlen)) {
		if (!strncmp(err, "\"listen\" needs", 14))
			snprintf(err, errlen,
				 "a reason code is required (\"reason\"): the business purpose, one of the policy's reasons");
		return -1;
	}
	if (get_string(req, "note", false, out->note, sizeof(out->note), err, errlen) ||
	    get_string(req, "mode", false, mode, sizeof(mode), err, errlen))
		return -1;
	if (!mode[0]) {
		out->mode = POLICY_MODE_LISTEN;
	} else {
		m = policy_mode_parse(mode);
		if (m < 0) {
			snprintf(err, errlen, "unknown mode \"%s\": use listen, whisper or barge", mode);
			return -1;
		}
		out->mode = (enum policy_mode)m;
	}
	return 0;
}

bool session_is_admin(uid_t uid, gid_t gid, const char *admin_group)
{
	struct group *g;
	struct passwd *pw;
	gid_t admin;

	if (uid == 0)
		return true;
	if (!admin_group || !*admin_group)
		return false;
	g = getgrnam(admin_group);
	if (!g)
		return false;
	admin = g->gr_gid;
	if (gid == admin)
		return true;
	for (char **m = g->gr_mem; m && *m; m++) {
		pw = getpwnam(*m);
		if (pw && pw->pw_uid == uid)
			return true;
		g = getgrgid(admin);	/* getpwnam may have reused the buffers */
		if (!g)
			return false;
	}
	pw = getpwuid(uid);
	return pw && pw->pw_gid == admin;
}

/* ---- port pool ---- */

int session_ports_init(struct session_ports *p, uint16_t base, unsigned int count)
{
	memset(p, 0, sizeof(*p));
	if (!base || count < SESSION_PORTS || count % SESSION_PORTS ||
	    (unsigned int)base + count - 1 > 65535)
		return -1;
	p->base = base;
	p->blocks = count / SESSION_PORTS;
	p->taken = calloc(p->blocks, 1);
	return p->taken ? 0 : -1;
}

void session_ports_fini(struct session_ports *p)
{
	free(p->taken);
	memset(p, 0, sizeof(*p));
}

uint16_t session_ports_alloc(struct session_ports *p)
{
	for (unsigned int i = 0; i < p->blocks; i++) {
		if (!p->taken[i]) {
			p->taken[i] = 1;
			p->used++;
			return (uint16_t)(p->base + i * SESSION_PORTS);
		}
	}
	return 0;
}

void session_ports_release(struct session_ports *p, uint16_t first)
{
	unsigned int i;

	if (first < p->base || (first - p->base) % SESSION_PORTS)
		return;
	i = (unsigned int)(first - p->base) / SESSION_PORTS;
	if (i < p->blocks && p->taken[i]) {
		p->taken[i] = 0;
		p->used--;
	}
}

/* ---- the tap ---- */

static int pick_stream(const struct dialog_stream *list, unsigned int n)
{
	int any = -1;

	for (unsigned int i = 0; i < n && i < SDP_MAX_STREAMS; i++) {
		const struct dialog_stream *st = &list[i];

		if (!st->active || !st->rtp_port || !st->dst.family || sdp_addr_is_null(&st->dst))
			continue;
		if (st->kind == SDP_KIND_AUDIO)
			return (int)i;
		if (any < 0)
			any = (int)i;
	}
	return any;
}

int session_build_tap(const struct call *call, const struct addr *to, uint16_t to_port,
		      const struct addr *src, uint16_t first_port, uint32_t idle_timeout,
		      uint64_t cookie, struct lnl_tap *tap, struct lnl_stream streams[2],
		      struct lnl_output outputs[2], char *err, size_t errlen)
{
	struct dialog_stream list[SDP_MAX_STREAMS];
	int other_family = 0;
	size_t k = 0;

	memset(tap, 0, sizeof(*tap));
	if (src->family != to->family) {
		snprintf(err, errlen, "the copy source and the supervisor's address are of different families");
		return -1;
	}
	for (int dir = 0; dir < 2; dir++) {
		unsigned int n = dialog_streams(&call->dialog, (enum dialog_direction)dir, list);
		int i = pick_stream(list, n);
		struct lnl_stream *st = &streams[k];
		struct lnl_output *out = &outputs[k];

		if (i < 0)
			continue;
		if (list[i].dst.family != to->family) {
			other_family = list[i].dst.family;
			continue;
		}
		memset(st, 0, sizeof(*st));
		memset(out, 0, sizeof(*out));
		addr_set(&st->dst, list[i].dst.family, list[i].dst.bytes,
			 addr_family_len(list[i].dst.family));
		st->dst_port = list[i].rtp_port;
		if (list[i].rtcp_mux || list[i].rtcp_port == list[i].rtp_port + 1)
			st->flags = LISTENIN_STREAM_F_RTCP;
		st->outputs = out;
		st->n_outputs = 1;
		out->dst = *to;
		out->dst_port = to_port;
		out->src = *src;
		out->src_port = (uint16_t)(first_port + 2 * dir);
		out->flags = LISTENIN_OUTPUT_F_LISTEN_ONLY;
		k++;
	}
	if (!k) {
		if (other_family)
			snprintf(err, errlen,
				 "call %" PRIu64 " has %s media and the supervisor's address is %s: use an address of the media's family",
				 call->id, other_family == AF_INET6 ? "IPv6" : "IPv4",
				 to->family == AF_INET6 ? "IPv6" : "IPv4");
		else
			snprintf(err, errlen,
				 "call %" PRIu64 " has no media to copy yet (no SDP with an active stream)",
				 call->id);
		return -1;
	}
	tap->cookie = cookie;
	tap->idle_timeout = idle_timeout;
	tap->streams = streams;
	tap->n_streams = k;
	return 0;
}

static bool same_match(const struct session *se, const struct lnl_tap *tap)
{
	if (se->n_match != tap->n_streams)
		return false;
	for (size_t i = 0; i < tap->n_streams; i++) {
		const struct lnl_stream *a = &se->match[i], *b = &tap->streams[i];

		if (!addr_equal(&a->dst, &b->dst) || a->dst_port != b->dst_port ||
		    a->flags != b->flags || se->match_src_port[i] != b->outputs[0].src_port)
			return false;
	}
	return true;
}

static void remember_match(struct session *se, const struct lnl_tap *tap)
{
	se->n_match = tap->n_streams;
	for (size_t i = 0; i < tap->n_streams; i++) {
		se->match[i] = tap->streams[i];
		se->match[i].outputs = NULL;
		se->match_src_port[i] = tap->streams[i].outputs[0].src_port;
	}
}

/* ---- the kernel's taps ---- */

static void add_counters(struct lnl_counters *sum, const struct lnl_counters *c)
{
	sum->present |= c->present;
	for (int i = 0; i <= LISTENIN_A_COUNTER_MAX; i++)
		sum->val[i] += c->val[i];
}

struct kernel_tap {
	uint32_t id;
	uint64_t cookie;
	struct lnl_counters counters;
};

struct tap_list {
	struct kernel_tap *taps;
	size_t n, cap;
	bool failed;
};

static int collect(const struct lnl_tap *tap, void *arg)
{
	struct tap_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct kernel_tap *t = realloc(l->taps, cap * sizeof(*t));

		if (!t) {
			l->failed = true;
			return -ENOMEM;
		}
		l->taps = t;
		l->cap = cap;
	}
	l->taps[l->n++] = (struct kernel_tap){ tap->id, tap->cookie, tap->counters };
	return 0;
}

static int dump_taps(struct sessions *s, struct tap_list *l, char *err, size_t errlen)
{
	int ret;

	for (int tries = 0; tries < 3; tries++) {
		l->n = 0;
		ret = s->kernel->tap_dump(s->kernel->ctx, collect, l, err, errlen);
		if (ret != LNL_DUMP_INTR)
			break;
	}
	if (l->failed)
		snprintf(err, errlen, "out of memory listing the kernel's taps");
	return ret < 0 || l->failed ? -1 : 0;
}

/* ---- audit and policy ---- */

static const char *user_name(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "uid %u", (unsigned int)uid);
	return buf;
}

static const char *extension_of(const struct call *call)
{
	return call->meta[CALLS_META_AGENT][0] ? call->meta[CALLS_META_AGENT] :
						 call->callee.user;
}

static void record_meta(struct audit_record *r, char meta[][CALLS_NAME_MAX])
{
	r->agent = opt(meta[CALLS_META_AGENT]);
	r->queue = opt(meta[CALLS_META_QUEUE]);
	r->team = opt(meta[CALLS_META_TEAM]);
	r->department = opt(meta[CALLS_META_DEPARTMENT]);
	r->site = opt(meta[CALLS_META_SITE]);
	r->campaign = opt(meta[CALLS_META_CAMPAIGN]);
}

static void session_record(struct audit_record *r, enum audit_event ev,
			   struct session *se)
{
	memset(r, 0, sizeof(*r));
	r->event = ev;
	r->session = se->id;
	r->uid = se->uid;
	r->user = se->user;
	r->extension = opt(se->extension);
	r->call_id = se->call_id;
	r->call = se->call;
	record_meta(r, se->meta);
	r->mode = policy_mode_name(se->mode);
	r->reason = se->reason;
	r->reason_text = opt(se->note);
	r->start_ms = se->start_ms;
}

static bool decide(const struct sessions *s, uid_t uid, enum policy_mode mode,
		   const char *reason, const char *note, const struct call *call,
		   struct policy_decision *d)
{
	struct policy_request pr = {
		.uid = uid,
		.mode = mode,
		.reason = reason,
		.reason_text = opt(note),
		.now = time(NULL),
	};

	for (int i = 0; i < POLICY_SCOPE_COUNT; i++)
		pr.meta[i] = opt(call->meta[i]);
	if (!s->policy) {
		memset(d, 0, sizeof(*d));
		snprintf(d->rule, sizeof(d->rule),
			 "no policy is loaded (set [policy] file in listenind.conf): every request is denied");
		return false;
	}
	return policy_decide(s->policy, &pr, d);
}

static struct session *find_session(const struct sessions *s, uint64_t id)
{
	for (struct session *se = s->list; se; se = se->next)
		if (se->id == id)
			return se;
	return NULL;
}

static void unlink_session(struct sessions *s, struct session *se)
{
	for (struct session **pp = &s->list; *pp; pp = &(*pp)->next) {
		if (*pp == se) {
			*pp = se->next;
			s->count--;
			return;
		}
	}
}

static struct json_object *notice_json(const struct session *se, const char *state,
				       const char *cause)
{
	struct json_object *ev = json_object_new_object();

	jout_add_str(ev, "event", "agent_notice");
	jout_add_str(ev, "state", state);
	jout_add_u64(ev, "session", se->id);
	jout_add_u64(ev, "call", se->call);
	jout_add_str(ev, "call_id", se->call_id);
	jout_add_str(ev, "extension", se->extension);
	if (se->meta[CALLS_META_AGENT][0])
		jout_add_str(ev, "agent", se->meta[CALLS_META_AGENT]);
	if (se->meta[CALLS_META_SITE][0])
		jout_add_str(ev, "site", se->meta[CALLS_META_SITE]);
	jout_add_str(ev, "mode", policy_mode_name(se->mode));
	if (cause)
		jout_add_str(ev, "end_cause", cause);
	return ev;
}

/*
 * Tells the agent side (a site with notice = event) that session se is
 * monitoring (started, repointed) or no longer (stopped) its call. The
 * supervisor is not named: the agent learns that a call is monitored, not
 * by whom. Returns a phrase for the session's audit record.
 */
static const char *notify(struct sessions *s, const struct session *se, const char *state,
			  const char *cause)
{
	static char said[96];
	struct json_object *ev = notice_json(se, state, cause);
	unsigned int n = 0;

	jout_add_int(ev, "time_ms", now_ms());
	if (s->notifier)
		n = s->notifier->publish(s->notifier->ctx, ev);
	json_object_put(ev);
	log_notice("agent notice: session %" PRIu64 " %s on call %" PRIu64
		   " (extension %s, site %s), sent to %u subscriber%s", se->id, state, se->call,
		   se->extension[0] ? se->extension : "?",
		   se->meta[CALLS_META_SITE][0] ? se->meta[CALLS_META_SITE] : "?", n,
		   n == 1 ? "" : "s");
	snprintf(said, sizeof(said), "agent notice \"%s\" sent to %u subscriber%s", state, n,
		 n == 1 ? "" : "s");
	return said;
}

static unsigned int subscribers(const struct sessions *s)
{
	return s->notifier ? s->notifier->subscribers(s->notifier->ctx) : 0;
}

/*
 * Removes the tap (unless the kernel already did: final holds its last
 * counters), audits the stop and frees the session. Returns the copies.
 */
static uint64_t end_session(struct sessions *s, struct session *se, const char *cause,
			    const char *detail, const struct lnl_counters *final)
{
	struct lnl_counters last = { 0 };
	struct audit_record r;
	char err[SESSION_ERR_LEN], line[2 * SESSION_ERR_LEN], full[SESSION_ERR_LEN + 128];
	uint64_t copies = se->before.val[LISTENIN_A_COUNTER_COPIES];

	if (final) {
		last = *final;
	} else if (se->tap && !s->kernel) {
		log_err("session %" PRIu64 ": cannot delete tap %u: the listenin module is gone",
			se->id, se->tap);
	} else if (se->tap && s->kernel->tap_del(s->kernel->ctx, se->tap, &last, err,
						 sizeof(err))) {
		log_err("session %" PRIu64 ": deleting tap %u: %s", se->id, se->tap, err);
	}
	copies += last.val[LISTENIN_A_COUNTER_COPIES];
	if (se->tap && !final && s->kernel && !last.present)
		log_warn("session %" PRIu64 ": the kernel did not report tap %u's last counters",
			 se->id, se->tap);
	unlink_session(s, se);
	session_ports_release(&s->ports, se->first_port);

	if (se->notice) {
		snprintf(full, sizeof(full), "%s%s%s", detail ? detail : "", detail ? "; " : "",
			 notify(s, se, "stopped", cause));
		detail = full;
	}
	session_record(&r, AUDIT_SESSION_STOP, se);
	r.end_ms = now_ms();
	r.end_cause = cause;
	r.packets = copies;
	r.detail = opt(detail);
	if (audit_append(s->audit, &r, err, sizeof(err)))
		log_err("audit: the stop of session %" PRIu64 " (%s) was not recorded: %s",
			se->id, cause, err);
	snprintf(line, sizeof(line), "%s%s%s", cause, detail ? ": " : "", detail ? detail : "");
	log_notice("session %" PRIu64 " of %s on call %" PRIu64 " ended (%s), %" PRIu64
		   " packets copied", se->id, se->user, se->call, line, copies);
	free(se);
	return copies;
}

/* ---- requests ---- */

static void audit_denial(struct sessions *s, uid_t uid, const char *user,
			 const struct session_request *req, const struct call *call,
			 const char *rule)
{
	struct audit_record r = {
		.event = AUDIT_DENIAL,
		.uid = uid,
		.user = user,
		.mode = policy_mode_name(req->mode),
		.reason = opt(req->reason),
		.reason_text = opt(req->note),
		.decision = "deny",
		.rule = rule,
	};
	char meta[CALLS_META_COUNT][CALLS_NAME_MAX];
	char err[SESSION_ERR_LEN];

	if (call) {
		memcpy(meta, call->meta, sizeof(meta));
		record_meta(&r, meta);
		r.extension = opt(extension_of(call));
		r.call_id = call->dialog.call_id;
		r.call = call->id;
	} else {
		r.detail = req->call;
	}
	if (audit_append(s->audit, &r, err, sizeof(err)))
		log_err("audit: a denial for %s was not recorded: %s", user, err);
}

/* The admin_flush record; its seq, or 0 with err. */
static uint64_t audit_flush(struct sessions *s, int64_t uid, const char *user, const char *note,
			    const char *detail, char *err, size_t errlen)
{
	struct audit_record r = {
		.event = AUDIT_ADMIN_FLUSH,
		.uid = uid,
		.user = user,
		.reason_text = opt(note),
		.decision = "allow",
		.detail = detail,
	};

	if (audit_append(s->audit, &r, err, errlen)) {
		log_err("audit: the admin flush (%s) was not recorded: %s", detail, err);
		return 0;
	}
	return r.seq;
}

static struct json_object *session_json(const struct session *se)
{
	struct json_object *o = json_object_new_object();
	char buf[ADDR_STRLEN];

	jout_add_u64(o, "session", se->id);
	jout_add_u64(o, "tap", se->tap);
	jout_add_u64(o, "call", se->call);
	jout_add_str(o, "call_id", se->call_id);
	jout_add_u64(o, "uid", se->uid);
	jout_add_str(o, "user", se->user);
	jout_add_str(o, "extension", se->extension);
	jout_add_str(o, "queue", se->meta[CALLS_META_QUEUE]);
	jout_add_str(o, "mode", policy_mode_name(se->mode));
	jout_add_str(o, "reason", se->reason);
	if (se->note[0])
		jout_add_str(o, "note", se->note);
	jout_add_str(o, "to", addr_format(&se->to, se->to_port, buf, sizeof(buf)));
	jout_add_u64(o, "port_caller_to_callee", se->first_port);
	jout_add_u64(o, "port_callee_to_caller", (uint64_t)se->first_port + 2);
	jout_add_int(o, "start_ms", se->start_ms);
	if (se->deadline_ms)
		jout_add_int(o, "end_by_ms", se->deadline_ms);
	return o;
}

/* Fails closed: a site whose agents must be told gets no unannounced session. Sets d->rule. */
static bool no_notice(const struct call *call, struct policy_decision *d)
{
	if (call->meta[CALLS_META_SITE][0])
		snprintf(d->rule, sizeof(d->rule),
			 "site \"%.64s\" requires an agent notice (notice = event) and no notice subscriber is connected to listenind (lictl watch)",
			 call->meta[CALLS_META_SITE]);
	else
		snprintf(d->rule, sizeof(d->rule),
			 "a call without a site requires an agent notice ([policy] notice = event) and no notice subscriber is connected to listenind (lictl watch)");
	return true;
}

struct json_object *sessions_listen(struct sessions *s, const struct session_caller *who,
				    const struct session_request *req, char *err, size_t errlen)
{
	struct lnl_stream streams[2];
	struct lnl_output outputs[2];
	struct policy_decision d;
	struct audit_record r;
	struct lnl_tap tap;
	struct session *se;
	const struct call *call;
	const struct addr *src;
	char user[POLICY_NAME_MAX], aerr[SESSION_ERR_LEN];
	uint16_t first;
	uint64_t id;
	uint32_t tap_id;
	struct json_object *reply;

	if (!s->audit) {
		snprintf(err, errlen, "monitoring is refused: the audit trail is not available (%s)",
			 s->audit_why);
		return NULL;
	}
	user_name(who->uid, user, sizeof(user));
	call = calls_lookup(s->calls, req->call);
	if (!call) {
		snprintf(err, errlen, "no call with id \"%.128s\" (see lictl calls)", req->call);
		return NULL;
	}
	if (call->dialog.state == DIALOG_ENDED) {
		snprintf(err, errlen, "call %" PRIu64 " has ended", call->id);
		return NULL;
	}
	if (!decide(s, who->uid, req->mode, req->reason, req->note, call, &d) ||
	    (d.notice == POLICY_NOTICE_EVENT && !subscribers(s) && no_notice(call, &d))) {
		audit_denial(s, who->uid, user, req, call, d.rule);
		log_notice("denied %s (uid %u) on call %" PRIu64 ": %s", user,
			   (unsigned int)who->uid, call->id, d.rule);
		snprintf(err, errlen, "denied: %s", d.rule);
		return NULL;
	}
	src = &s->cfg.source[req->to.family == AF_INET6];
	if (src->family != req->to.family) {
		snprintf(err, errlen,
			 "no copy source for %s supervisors: set copy_source_%s in [sessions] of listenind.conf",
			 req->to.family == AF_INET6 ? "IPv6" : "IPv4",
			 req->to.family == AF_INET6 ? "ipv6" : "ipv4");
		return NULL;
	}
	if (!s->kernel) {
		snprintf(err, errlen,
			 "the listenin kernel module is not loaded: load it (modprobe listenin) and retry");
		return NULL;
	}
	first = session_ports_alloc(&s->ports);
	if (!first) {
		snprintf(err, errlen,
			 "every copy source port is in use (%u sessions): raise copy_port_count in [sessions]",
			 s->ports.blocks);
		return NULL;
	}
	id = audit_last_seq(s->audit) + 1;
	if (session_build_tap(call, &req->to, req->to_port, src, first, s->cfg.idle_timeout,
			      id, &tap, streams, outputs, err, errlen)) {
		session_ports_release(&s->ports, first);
		return NULL;
	}
	se = calloc(1, sizeof(*se));
	if (!se) {
		session_ports_release(&s->ports, first);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	se->id = id;
	se->call = call->id;
	snprintf(se->call_id, sizeof(se->call_id), "%s", call->dialog.call_id);
	snprintf(se->extension, sizeof(se->extension), "%s", extension_of(call));
	memcpy(se->meta, call->meta, sizeof(se->meta));
	se->uid = who->uid;
	snprintf(se->user, sizeof(se->user), "%s", user);
	se->mode = req->mode;
	snprintf(se->reason, sizeof(se->reason), "%s", req->reason);
	snprintf(se->note, sizeof(se->note), "%s", req->note);
	se->to = req->to;
	se->to_port = req->to_port;
	se->first_port = first;
	se->start_ms = now_ms();
	if (d.max_duration)
		se->deadline_ms = se->start_ms + (int64_t)d.max_duration * 1000;

	/* the agent side hears of the session before any media is copied */
	se->notice = d.notice == POLICY_NOTICE_EVENT;
	session_record(&r, AUDIT_SESSION_START, se);
	r.decision = "allow";
	r.rule = d.rule;
	r.detail = se->notice ? notify(s, se, "started", NULL) : NULL;
	if (audit_append(s->audit, &r, aerr, sizeof(aerr))) {
		if (se->notice)
			notify(s, se, "stopped", "audit_failed");
		session_ports_release(&s->ports, first);
		free(se);
		snprintf(err, errlen, "monitoring is refused: the session could not be audited: %s",
			 aerr);
		return NULL;
	}
	if (r.seq != id)
		log_warn("audit: session %" PRIu64 " was recorded as seq %" PRIu64
			 ": another writer uses the audit database", id, r.seq);
	se->next = s->list;
	s->list = se;
	s->count++;

	if (s->kernel->tap_new(s->kernel->ctx, &tap, &tap_id, aerr, sizeof(aerr))) {
		char detail[SESSION_ERR_LEN + 32];

		snprintf(detail, sizeof(detail), "tap creation failed: %s", aerr);
		end_session(s, se, "tap_failed", detail, &(struct lnl_counters){ 0 });
		snprintf(err, errlen, "the kernel refused the tap: %s (session %" PRIu64
			 " ended and audited)", aerr, id);
		return NULL;
	}
	se->tap = tap_id;
	remember_match(se, &tap);
	log_notice("session %" PRIu64 ": %s (uid %u) listens to call %" PRIu64
		   " (tap %u, reason %s): %s", id, user, (unsigned int)who->uid, call->id,
		   tap_id, se->reason, d.rule);
	reply = session_json(se);
	jout_add_str(reply, "rule", d.rule);
	jout_add_u64(reply, "max_duration", d.max_duration);
	jout_add_str(reply, "notice", policy_notice_name(d.notice));
	if (se->notice)
		jout_add_str(reply, "notice_sent", r.detail);
	return reply;
}

/*
 * The live counters of se's tap as the kernel has them now, plus those of
 * the taps it replaced; or why they cannot be read.
 */
static void add_live_counters(struct json_object *o, const struct session *se,
			      const struct tap_list *l, const char *why)
{
	struct lnl_counters sum = se->before;
	struct json_object *c;
	char buf[128];
	size_t i;

	for (i = 0; !why && i < l->n; i++)
		if (l->taps[i].id == se->tap && l->taps[i].cookie == se->id)
			break;
	if (!why && i == l->n) {
		snprintf(buf, sizeof(buf), "tap %u is not in the kernel", se->tap);
		why = buf;
	}
	if (why) {
		jout_add_str(o, "counters_error", why);
		return;
	}
	add_counters(&sum, &l->taps[i].counters);
	c = json_object_new_object();
	jout_add_u64(c, "packets", sum.val[LISTENIN_A_COUNTER_PACKETS]);
	jout_add_u64(c, "bytes", sum.val[LISTENIN_A_COUNTER_BYTES]);
	jout_add_u64(c, "copies", sum.val[LISTENIN_A_COUNTER_COPIES]);
	jout_add_u64(c, "copy_bytes", sum.val[LISTENIN_A_COUNTER_COPY_BYTES]);
	jout_add_u64(c, "copy_failures", sum.val[LISTENIN_A_COUNTER_COPY_FAILURES]);
	jout_add_u64(c, "talkback_dropped", sum.val[LISTENIN_A_COUNTER_TALKBACK_DROPPED]);
	json_object_object_add(o, "counters", c);
}

struct json_object *sessions_list(struct sessions *s, const struct session_caller *who)
{
	struct json_object *list = json_object_new_array(), *reply;
	struct tap_list l = { 0 };
	char err[SESSION_ERR_LEN], why[SESSION_ERR_LEN + 64];
	const char *failed = NULL;

	if (!s->kernel && s->list) {
		failed = "the listenin kernel module is not loaded";
	} else if (s->list && dump_taps(s, &l, err, sizeof(err))) {
		snprintf(why, sizeof(why), "the kernel's counters could not be read: %s", err);
		failed = why;
		log_warn("sessions: %s", why);
	}
	for (const struct session *se = s->list; se; se = se->next) {
		struct json_object *o;

		if (!who->admin && se->uid != who->uid)
			continue;
		o = session_json(se);
		add_live_counters(o, se, &l, failed);
		json_object_array_add(list, o);
	}
	free(l.taps);
	reply = json_object_new_object();
	json_object_object_add(reply, "sessions", list);
	if (failed)
		jout_add_str(reply, "counters_error", failed);
	return reply;
}

struct json_object *sessions_stop_all(struct sessions *s, const struct session_caller *who,
				      const char *note, char *err, size_t errlen)
{
	struct json_object *reply, *ended;
	char user[POLICY_NAME_MAX], detail[SESSION_ERR_LEN], aerr[SESSION_ERR_LEN];
	char stop_detail[2 * SESSION_ERR_LEN];
	unsigned int n = s->count;
	uint64_t seq;

	user_name(who->uid, user, sizeof(user));
	if (!who->admin) {
		struct audit_record r = {
			.event = AUDIT_DENIAL,
			.uid = who->uid,
			.user = user,
			.reason_text = opt(note),
			.decision = "deny",
			.rule = "stopping every session (admin flush) is for administrators: root or admin_group in [sessions]",
			.detail = "stop --all",
		};

		if (s->audit && audit_append(s->audit, &r, aerr, sizeof(aerr)))
			log_err("audit: a denial for %s was not recorded: %s", user, aerr);
		log_notice("denied %s (uid %u): %s", user, (unsigned int)who->uid, r.rule);
		snprintf(err, errlen, "denied: %s", r.rule);
		return NULL;
	}
	if (!s->audit) {
		snprintf(err, errlen, "the audit trail is not available (%s): there are no sessions to stop",
			 s->audit_why);
		return NULL;
	}
	snprintf(detail, sizeof(detail), "stop --all by %s (uid %u): %u session%s ended", user,
		 (unsigned int)who->uid, n, n == 1 ? "" : "s");
	seq = audit_flush(s, who->uid, user, note, detail, aerr, sizeof(aerr));
	log_notice("sessions: %s%s%s", detail, note && *note ? ", note: " : "",
		   note && *note ? note : "");
	snprintf(stop_detail, sizeof(stop_detail), "every session stopped by %s (uid %u), admin_flush record %" PRIu64 "%s",
		 user, (unsigned int)who->uid, seq, seq ? "" : " (not written)");
	reply = json_object_new_object();
	ended = json_object_new_array();
	while (s->list) {
		struct json_object *o = json_object_new_object();
		uint64_t id = s->list->id;

		jout_add_u64(o, "session", id);
		jout_add_u64(o, "packets", end_session(s, s->list, "admin_flush", stop_detail, NULL));
		json_object_array_add(ended, o);
	}
	jout_add_u64(reply, "stopped", n);
	jout_add_str(reply, "end_cause", "admin_flush");
	if (seq)
		jout_add_u64(reply, "audit_seq", seq);
	else
		jout_add_str(reply, "audit_error", aerr);
	json_object_object_add(reply, "sessions", ended);
	return reply;
}

struct json_object *sessions_stop(struct sessions *s, const struct session_caller *who,
				  uint64_t id, char *err, size_t errlen)
{
	struct session *se = find_session(s, id);
	struct json_object *reply;
	char detail[96];
	uint64_t copies;

	if (!se || (!who->admin && se->uid != who->uid)) {
		snprintf(err, errlen, se ?
			 "session %" PRIu64 " is not yours: only its supervisor or an administrator (admin_group) may stop it" :
			 "no session %" PRIu64 " (see lictl sessions)", id);
		return NULL;
	}
	snprintf(detail, sizeof(detail), "stopped by uid %u%s", (unsigned int)who->uid,
		 se->uid != who->uid ? " (administrator)" : "");
	copies = end_session(s, se, "stopped", detail, NULL);
	reply = json_object_new_object();
	jout_add_u64(reply, "session", id);
	jout_add_str(reply, "end_cause", "stopped");
	jout_add_u64(reply, "packets", copies);
	return reply;
}

/* ---- following the call ---- */

static void replace_tap(struct sessions *s, struct session *se, const struct call *call)
{
	struct lnl_stream streams[2];
	struct lnl_output outputs[2];
	struct lnl_counters last;
	struct lnl_tap tap;
	struct audit_record r;
	char err[SESSION_ERR_LEN], detail[SESSION_ERR_LEN + 192];
	uint32_t id, old = se->tap;
	int ret;

	if (!s->kernel)
		return;
	if (session_build_tap(call, &se->to, se->to_port, &s->cfg.source[se->to.family == AF_INET6],
			      se->first_port, s->cfg.idle_timeout, se->id, &tap, streams,
			      outputs, err, sizeof(err))) {
		log_info("session %" PRIu64 ": media changed, keeping tap %u: %s", se->id, old, err);
		return;
	}
	if (same_match(se, &tap))
		return;
	/* the new tap first, so no packet goes uncopied; the old one after */
	ret = s->kernel->tap_new(s->kernel->ctx, &tap, &id, err, sizeof(err));
	if (ret == -EEXIST || ret == -EBUSY) {
		if (s->kernel->tap_del(s->kernel->ctx, old, &last, err, sizeof(err)) == 0) {
			add_counters(&se->before, &last);
			se->tap = old = 0;
		}
		ret = s->kernel->tap_new(s->kernel->ctx, &tap, &id, err, sizeof(err));
	}
	if (ret) {
		snprintf(detail, sizeof(detail), "media changed; the new tap was refused: %s", err);
		if (!se->tap) {
			end_session(s, se, "tap_failed", detail, &(struct lnl_counters){ 0 });
			return;
		}
		log_err("session %" PRIu64 ": %s; tap %u stays", se->id, detail, old);
		return;
	}
	if (old && s->kernel->tap_del(s->kernel->ctx, old, &last, err, sizeof(err)) == 0)
		add_counters(&se->before, &last);
	else if (old)
		log_err("session %" PRIu64 ": deleting replaced tap %u: %s", se->id, old, err);
	se->tap = id;
	remember_match(se, &tap);
	snprintf(detail, sizeof(detail), "media changed: tap %u replaced by tap %u%s%s", old, id,
		 se->notice ? "; " : "", se->notice ? notify(s, se, "repointed", NULL) : "");
	session_record(&r, AUDIT_MODE_CHANGE, se);
	r.detail = detail;
	if (audit_append(s->audit, &r, err, sizeof(err)))
		log_err("audit: the media change of session %" PRIu64 " was not recorded: %s",
			se->id, err);
	log_info("session %" PRIu64 ": %s", se->id, detail);
}

/* Re-decides one session; ends it with cause when the policy now refuses. */
static void recheck(struct sessions *s, struct session *se, const struct call *call,
		    const char *cause)
{
	struct policy_decision d;
	const char *said_stop = NULL, *said_start = NULL;
	char stop_phrase[96], ext[CALLS_NAME_MAX];
	bool want, moved;
	int64_t end;

	if (!decide(s, se->uid, se->mode, se->reason, se->note, call, &d)) {
		end_session(s, se, cause, d.rule, NULL);
		return;
	}
	want = d.notice == POLICY_NOTICE_EVENT;
	if (want && !se->notice && !subscribers(s)) {
		no_notice(call, &d);
		end_session(s, se, "no_notice", d.rule, NULL);
		return;
	}
	moved = strcmp(se->extension, extension_of(call)) != 0;
	if (se->notice && (!want || moved))
		said_stop = notify(s, se, "stopped", want ? "moved" : "no_notice_required");
	snprintf(stop_phrase, sizeof(stop_phrase), "%s", said_stop ? said_stop : "");
	memcpy(se->meta, call->meta, sizeof(se->meta));
	snprintf(ext, sizeof(ext), "%s", se->extension);
	snprintf(se->extension, sizeof(se->extension), "%s", extension_of(call));
	if (want && (!se->notice || moved))
		said_start = notify(s, se, "started", NULL);
	se->notice = want;
	if (said_stop || said_start) {
		char detail[SESSION_ERR_LEN];
		struct audit_record r;
		char aerr[SESSION_ERR_LEN];

		snprintf(detail, sizeof(detail), "the call moved (extension %s -> %s): %s%s%s",
			 ext[0] ? ext : "-", se->extension[0] ? se->extension : "-", stop_phrase,
			 said_stop && said_start ? ", then " : "", said_start ? said_start : "");
		session_record(&r, AUDIT_MODE_CHANGE, se);
		r.detail = detail;
		if (audit_append(s->audit, &r, aerr, sizeof(aerr)))
			log_err("audit: the notice change of session %" PRIu64 " was not recorded: %s",
				se->id, aerr);
	}
	if (d.max_duration) {
		end = now_ms() + (int64_t)d.max_duration * 1000;
		if (!se->deadline_ms || end < se->deadline_ms)
			se->deadline_ms = end;
	}
}

static void on_call(const struct call *call, enum dialog_state old_state,
		    enum dialog_state new_state, unsigned int changes, void *ctx)
{
	struct sessions *s = ctx;
	struct session *se, *next;
	char detail[96];

	for (se = s->list; se; se = next) {
		next = se->next;
		if (se->call != call->id)
			continue;
		if (new_state == DIALOG_ENDED) {
			snprintf(detail, sizeof(detail), "the call ended (%s)",
				 dialog_event_name((enum dialog_event)call->end_event));
			end_session(s, se, "call_ended", detail, NULL);
			continue;
		}
		if (changes & CALLS_CHANGED_MEDIA)
			replace_tap(s, se, call);
		if (!find_session(s, se->id))
			continue;
		if (old_state != new_state || (changes & CALLS_CHANGED_META))
			recheck(s, se, call, "out_of_scope");
	}
}

void sessions_on_tick(struct sessions *s, int64_t now)
{
	struct session *se, *next;

	for (se = s->list; se; se = next) {
		next = se->next;
		if (se->deadline_ms && now >= se->deadline_ms)
			end_session(s, se, "max_duration", "the role's maximum duration was reached", NULL);
	}
}

/*
 * The first TAP_DELETED of a kernel flush (LISTENIN_CMD_TAP_FLUSH, which
 * needs CAP_NET_ADMIN: "lictl tap flush"). The flush took every tap of the
 * namespace at once but announces them one by one: the sessions whose taps
 * a dump no longer shows went with it. One admin_flush record names them
 * all; each session then ends as its own event arrives, with its counters.
 */
static void kernel_flush(struct sessions *s, struct session *first)
{
	struct tap_list l = { 0 };
	char err[SESSION_ERR_LEN] = "the listenin module is gone", detail[SESSION_ERR_LEN + 256];
	char ids[192] = "";
	unsigned int n = 1;
	size_t off = 0;
	bool listed = s->kernel && !dump_taps(s, &l, err, sizeof(err));

	first->flushed = true;
	off += (size_t)snprintf(ids, sizeof(ids), "%" PRIu64, first->id);
	for (struct session *se = s->list; se && listed; se = se->next) {
		bool found = false;

		if (se == first || se->flushed || !se->tap)
			continue;
		for (size_t i = 0; i < l.n && !found; i++)
			found = l.taps[i].id == se->tap && l.taps[i].cookie == se->id;
		if (found)
			continue;
		se->flushed = true;
		n++;
		if (off < sizeof(ids))
			off += (size_t)snprintf(ids + off, sizeof(ids) - off, ", %" PRIu64, se->id);
	}
	free(l.taps);
	if (listed)
		snprintf(detail, sizeof(detail),
			 "kernel flush (LISTENIN_CMD_TAP_FLUSH by a CAP_NET_ADMIN process, e.g. lictl tap flush): %u session%s ended (%s)",
			 n, n == 1 ? "" : "s", ids);
	else
		snprintf(detail, sizeof(detail),
			 "kernel flush (LISTENIN_CMD_TAP_FLUSH by a CAP_NET_ADMIN process, e.g. lictl tap flush): session %s ended; the others it ended could not be listed (%s)",
			 ids, err);
	audit_flush(s, -1, NULL, NULL, detail, err, sizeof(err));
	log_notice("sessions: %s", detail);
}

void sessions_on_tap_event(struct sessions *s, const struct lnl_event *ev)
{
	struct session *se;
	char detail[96];

	for (se = s->list; se; se = se->next)
		if (se->tap == ev->id && se->id == ev->cookie)
			break;
	if (!se)
		return;
	if (ev->cmd == LISTENIN_CMD_TAP_EXPIRED) {
		se->tap = 0;
		snprintf(detail, sizeof(detail), "no media for %u s", s->cfg.idle_timeout);
		end_session(s, se, "media_idle", detail, &ev->counters);
		return;
	}
	if (ev->end_cause == LISTENIN_END_CAUSE_FLUSHED) {
		if (!se->flushed)
			kernel_flush(s, se);
		se->tap = 0;
		snprintf(detail, sizeof(detail), "tap %u flushed in the kernel (LISTENIN_CMD_TAP_FLUSH)",
			 ev->id);
		end_session(s, se, "admin_flush", detail, &ev->counters);
		return;
	}
	se->tap = 0;
	snprintf(detail, sizeof(detail), "tap %u removed outside listenind (%s)", ev->id,
		 lnl_end_cause_name(ev->end_cause) ? lnl_end_cause_name(ev->end_cause) : "?");
	end_session(s, se, "tap_removed", detail, &ev->counters);
}

/* ---- resynchronisation and reconciliation ---- */

void sessions_resync(struct sessions *s)
{
	struct tap_list l = { 0 };
	struct session *se, *next;
	char err[SESSION_ERR_LEN];

	if (!s->kernel)
		return;
	if (dump_taps(s, &l, err, sizeof(err))) {
		log_err("sessions: cannot list the kernel's taps: %s", err);
		free(l.taps);
		return;
	}
	for (se = s->list; se; se = next) {
		bool found = false;

		next = se->next;
		for (size_t i = 0; i < l.n && !found; i++)
			found = l.taps[i].id == se->tap && l.taps[i].cookie == se->id;
		if (!found && se->tap) {
			se->tap = 0;
			end_session(s, se, se->flushed ? "admin_flush" : "tap_lost",
				    "the tap disappeared while events were lost; counters unknown",
				    &(struct lnl_counters){ 0 });
		}
	}
	free(l.taps);
}

void sessions_kernel_gone(struct sessions *s)
{
	s->kernel = NULL;
	while (s->list) {
		s->list->tap = 0;
		end_session(s, s->list, "tap_lost",
			    "the listenin module was unloaded; counters unknown",
			    &(struct lnl_counters){ 0 });
	}
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return json_object_get_string(v);
}

static int64_t jint(struct json_object *o, const char *key, int64_t dflt)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return dflt;
	return json_object_get_int64(v);
}

/* The session_start record of session id, or NULL. */
static struct json_object *start_record(struct audit *a, uint64_t id)
{
	struct audit_filter f = AUDIT_FILTER_ALL;
	struct json_object *list, *rec = NULL;
	char err[SESSION_ERR_LEN];

	f.from_seq = id;
	f.limit = 1;
	list = session_audit_records(a, &f, err, sizeof(err));
	if (!list)
		return NULL;
	if (json_object_array_length(list) == 1) {
		struct json_object *r = json_object_array_get_idx(list, 0);
		const char *ev = jstr(r, "event");

		if ((uint64_t)jint(r, "seq", 0) == id && ev && !strcmp(ev, "session_start"))
			rec = json_object_get(r);
	}
	json_object_put(list);
	return rec;
}

static int stop_leftover(struct sessions *s, const struct kernel_tap *t,
			 struct json_object *start, char *err, size_t errlen)
{
	struct lnl_counters last = { 0 };
	struct audit_record r = { 0 };
	char detail[128];
	int ret = s->kernel->tap_del(s->kernel->ctx, t->id, &last, err, errlen);

	if (ret && ret != -ENOENT)
		return -1;
	if (!last.present)
		last = t->counters;
	snprintf(detail, sizeof(detail),
		 "tap %u left by a previous run of listenind was deleted at start", t->id);
	r.event = AUDIT_SESSION_STOP;
	r.session = t->cookie;
	r.uid = jint(start, "uid", -1);
	r.user = jstr(start, "user");
	r.extension = jstr(start, "extension");
	r.call_id = jstr(start, "call_id");
	r.call = (uint64_t)jint(start, "call", 0);
	r.agent = jstr(start, "agent");
	r.queue = jstr(start, "queue");
	r.team = jstr(start, "team");
	r.department = jstr(start, "department");
	r.site = jstr(start, "site");
	r.campaign = jstr(start, "campaign");
	r.mode = jstr(start, "mode");
	r.reason = jstr(start, "reason");
	r.reason_text = jstr(start, "reason_text");
	r.start_ms = jint(start, "start_ms", 0);
	r.end_ms = now_ms();
	r.end_cause = "daemon_restart";
	r.packets = last.val[LISTENIN_A_COUNTER_COPIES];
	r.detail = detail;
	return audit_append(s->audit, &r, err, errlen);
}

int sessions_reconcile(struct sessions *s, char *err, size_t errlen)
{
	struct tap_list l = { 0 };
	int deleted = 0;

	if (!s->kernel)
		return 0;
	if (dump_taps(s, &l, err, errlen)) {
		free(l.taps);
		return -1;
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct kernel_tap *t = &l.taps[i];
		struct json_object *start;
		char why[SESSION_ERR_LEN];

		if (!t->cookie) {
			log_info("tap %u (cookie 0) was not created by listenind: left alone", t->id);
			continue;
		}
		if (find_session(s, t->cookie))
			continue;
		start = s->audit ? start_record(s->audit, t->cookie) : NULL;
		if (!start) {
			log_warn("tap %u has cookie %" PRIu64
				 ", which is no session_start of this audit trail: left alone",
				 t->id, t->cookie);
			continue;
		}
		if (stop_leftover(s, t, start, why, sizeof(why))) {
			log_err("tap %u of session %" PRIu64 " left by a previous run: %s",
				t->id, t->cookie, why);
		} else {
			deleted++;
			log_notice("session %" PRIu64 " of %s ended (daemon_restart): tap %u deleted",
				   t->cookie, jstr(start, "user") ? jstr(start, "user") : "?", t->id);
		}
		json_object_put(start);
	}
	free(l.taps);
	return deleted;
}

struct json_object *session_audit_records(struct audit *a, const struct audit_filter *f,
					  char *err, size_t errlen)
{
	struct json_object *list;
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *out;
	long n;

	out = open_memstream(&buf, &len);
	if (!out) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n = audit_export_json(a, out, f, err, errlen);
	fclose(out);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	list = json_object_new_array();
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct json_object *rec = json_tokener_parse(line);

		if (rec)
			json_object_array_add(list, rec);
	}
	free(buf);
	return list;
}

/* ---- life ---- */

struct sessions *sessions_new(const struct session_config *cfg, struct calls *calls,
			      struct audit *audit, const char *audit_why,
			      char *err, size_t errlen)
{
	struct sessions *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	s->calls = calls;
	s->audit = audit;
	snprintf(s->audit_why, sizeof(s->audit_why), "%s", audit_why ? audit_why : "not opened");
	if (session_ports_init(&s->ports, cfg->port_base, cfg->port_count)) {
		snprintf(err, errlen,
			 "copy_port_base %u and copy_port_count %u: the pool must be a multiple of %d ports within 1..65535",
			 cfg->port_base, cfg->port_count, SESSION_PORTS);
		free(s);
		return NULL;
	}
	if (calls_subscribe(calls, on_call, s)) {
		snprintf(err, errlen, "cannot follow the call table (too many subscribers)");
		session_ports_fini(&s->ports);
		free(s);
		return NULL;
	}
	return s;
}

void sessions_free(struct sessions *s, const char *cause)
{
	if (!s)
		return;
	while (s->list)
		end_session(s, s->list, cause, NULL, NULL);
	calls_unsubscribe(s->calls, on_call, s);
	session_ports_fini(&s->ports);
	free(s);
}

void sessions_set_policy(struct sessions *s, const struct policy *policy, const char *cause)
{
	struct session *se, *next;

	s->policy = policy;
	for (se = s->list; se; se = next) {
		const struct call *call = calls_find_id(s->calls, se->call);

		next = se->next;
		if (!call || call->dialog.state == DIALOG_ENDED)
			end_session(s, se, "call_ended", "the call is no longer tracked", NULL);
		else
			recheck(s, se, call, cause);
	}
}

void sessions_set_notifier(struct sessions *s, const struct session_notifier *notifier)
{
	s->notifier = notifier;
}

struct json_object *sessions_notices(const struct sessions *s)
{
	struct json_object *list = json_object_new_array();

	for (const struct session *se = s->list; se; se = se->next) {
		struct json_object *ev;

		if (!se->notice)
			continue;
		ev = notice_json(se, "active", NULL);
		jout_add_int(ev, "time_ms", se->start_ms);
		json_object_array_add(list, ev);
	}
	return list;
}

void sessions_set_kernel(struct sessions *s, const struct session_kernel *kernel)
{
	s->kernel = kernel;
}

void sessions_set_admin_group(struct sessions *s, const char *group)
{
	snprintf(s->cfg.admin_group, sizeof(s->cfg.admin_group), "%s", group ? group : "");
}

const char *sessions_admin_group(const struct sessions *s)
{
	return s->cfg.admin_group;
}

unsigned int sessions_count(const struct sessions *s)
{
	return s->count;
}
