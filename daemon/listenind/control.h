/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket: a Unix stream socket speaking JSON Lines. Each request
 * is one object {"cmd": NAME, ...} on one line; each reply is one object on
 * one line, {"error": SENTENCE} when the request failed. The caller is known
 * by its peer credentials, which handlers receive and which are logged.
 */
#ifndef LISTENIND_CONTROL_H
#define LISTENIND_CONTROL_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CONTROL_MAX_REQUEST	4096	/* bytes in one request line */
#define CONTROL_MAX_BACKLOG	(1u << 20)	/* bytes of events a subscriber may leave unread */

struct loop;
struct control;

struct control_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

/*
 * Answers one request. Returns the reply object (ownership passes to the
 * caller), or NULL with a sentence in err for {"error": ...}.
 */
typedef struct json_object *(*control_fn)(void *ctx,
					  const struct control_peer *peer,
					  struct json_object *request,
					  char *err, size_t errlen);

/*
 * A reply written piece by piece straight into the client's output, for
 * replies too large to build as one object tree (every call). Appends one
 * JSON object's text without the newline; returns 0, or -1 with a sentence
 * in err, in which case whatever it appended is dropped.
 */
struct control_reply;
typedef int (*control_write_fn)(void *ctx, const struct control_peer *peer,
				struct json_object *request,
				struct control_reply *reply, char *err, size_t errlen);

int control_reply_append(struct control_reply *reply, const char *s, size_t len);
/*
 * Makes the requesting client a subscriber: after its reply it receives
 * every control_publish()ed event, one JSON object per line, until it
 * disconnects. Subscribers are never closed for being idle.
 */
int control_reply_subscribe(struct control_reply *reply);
/* Appends obj's text and releases obj; -1 if out of memory. */
int control_reply_json(struct control_reply *reply, struct json_object *obj);

/* One of fn and write per command. */
struct control_command {
	const char *name;
	control_fn fn;
	control_write_fn write;
};

struct control_config {
	const char *path;
	mode_t mode;
	gid_t gid;			/* (gid_t)-1 keeps the daemon's group */
	unsigned int max_clients;
	unsigned int idle_timeout;	/* s a client may stay silent; 0 = forever */
};

struct control_stats {
	uint64_t connections;
	uint64_t refused;		/* over max_clients */
	uint64_t requests;
	uint64_t errors;		/* requests answered with an error */
	uint64_t oversized;		/* requests over CONTROL_MAX_REQUEST */
	uint64_t idle_closed;		/* silent for idle_timeout */
	unsigned int clients;		/* connected now */
	unsigned int watchers;		/* of which subscribers */
};

/*
 * Creates the socket (and its directory), replacing a stale socket file but
 * never a live one. Returns NULL with a sentence in err on failure.
 */
struct control *control_open(struct loop *loop, const struct control_config *cfg,
			     const struct control_command *cmds, size_t n_cmds,
			     void *ctx, char *err, size_t errlen);
/* Disconnects every client, closes and removes the socket. */
void control_close(struct control *ctl);
const char *control_path(const struct control *ctl);
void control_get_stats(const struct control *ctl, struct control_stats *st);
/*
 * Queues ev (not consumed) as one line to every subscriber; returns how many
 * got it. A subscriber with CONTROL_MAX_BACKLOG bytes unread is dropped.
 */
unsigned int control_publish(struct control *ctl, struct json_object *ev);
/* Subscribers connected now (ctl may be NULL: 0). */
unsigned int control_watchers(const struct control *ctl);
/* Applies new client limits (reload); existing clients stay. */
void control_set_limits(struct control *ctl, unsigned int max_clients,
			unsigned int idle_timeout);
/*
 * Closes clients that sent nothing and had nothing to read for idle_timeout;
 * now_ms is CLOCK_MONOTONIC. Call about once a second.
 */
void control_on_tick(struct control *ctl, uint64_t now_ms);

#endif
