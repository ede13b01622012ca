// SPDX-License-Identifier: GPL-2.0
/*
 * Control socket server. Clients are non-blocking; a client with replies
 * still queued is not read from, so one slow reader costs its own memory
 * only and cannot make the daemon block. A subscriber that lets more than
 * CONTROL_MAX_BACKLOG bytes of events pile up is disconnected.
 */
#include "listenind/control.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "listenind/loop.h"

struct client {
	struct control *ctl;
	int fd;
	struct loop_watch *watch;
	struct control_peer peer;
	char in[CONTROL_MAX_REQUEST + 1];
	size_t in_len;
	char *out;
	size_t out_len, out_off, out_cap;
	bool closing;		/* close once out is flushed */
	bool eof;		/* the peer sends no more */
	bool watching;		/* subscribed to events (control_publish) */
	uint64_t active_ms;	/* last request or reply progress, monotonic */
	struct client *next;
};

struct control {
	struct loop *loop;
	int fd;
	struct loop_watch *watch;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const struct control_command *cmds;
	size_t n_cmds;
	void *ctx;
	unsigned int max_clients;
	unsigned int idle_timeout;
	struct client *clients;
	struct control_stats stats;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void client_free(struct client *c)
{
	struct control *ctl = c->ctl;
	struct client **pp;

	for (pp = &ctl->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	ctl->stats.clients--;
	if (c->watching)
		ctl->stats.watchers--;
	loop_unwatch(ctl->loop, c->watch);
	close(c->fd);
	free(c->out);
	log_debug("control: pid %d uid %u disconnected", (int)c->peer.pid,
		  (unsigned int)c->peer.uid);
	free(c);
}

static int append(struct client *c, const char *s, size_t len)
{
	if (c->out_off && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *out;

		while (cap < c->out_len + len)
			cap *= 2;
		out = realloc(c->out, cap);
		if (!out)
			return -1;
		c->out = out;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, s, len);
	c->out_len += len;
	return 0;
}

static int queue(struct client *c, const char *s, size_t len)
{
	return append(c, s, len) || append(c, "\n", 1) ? -1 : 0;
}

int control_reply_append(struct control_reply *reply, const char *s, size_t len)
{
	return append((struct client *)reply, s, len);
}

int control_reply_json(struct control_reply *reply, struct json_object *obj)
{
	size_t len;
	const char *s = obj ? json_object_to_json_string_length(obj,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len) : NULL;
	int ret = s ? append((struct client *)reply, s, len) : -1;

	json_object_put(obj);
	return ret;
}

int control_reply_subscribe(struct control_reply *reply)
{
	struct client *c = (struct client *)reply;

	if (!c->watching) {
		c->watching = true;
		c->ctl->stats.watchers++;
	}
	return 0;
}

static void update_events(struct client *c);

unsigned int control_publish(struct control *ctl, struct json_object *ev)
{
	unsigned int n = 0;
	size_t len;
	const char *s = ctl ? json_object_to_json_string_length(ev,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len) : NULL;

	for (struct client *c = ctl && s ? ctl->clients : NULL; c; c = c->next) {
		if (!c->watching || c->closing)
			continue;
		if (c->out_len - c->out_off + len > CONTROL_MAX_BACKLOG || queue(c, s, len)) {
			log_warn("control: pid %d uid %u does not read its events: disconnecting it",
				 (int)c->peer.pid, (unsigned int)c->peer.uid);
			/* freed by its own handler, which may be running now */
			c->closing = true;
			c->out_off = c->out_len = 0;
			shutdown(c->fd, SHUT_RDWR);
			continue;
		}
		update_events(c);
		n++;
	}
	return n;
}

unsigned int control_watchers(const struct control *ctl)
{
	unsigned int n = 0;

	for (const struct client *c = ctl ? ctl->clients : NULL; c; c = c->next)
		n += c->watching && !c->closing;
	return n;
}

static int queue_json(struct client *c, struct json_object *obj)
{
	size_t len;
	const char *s = json_object_to_json_string_length(obj,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	int ret = s ? queue(c, s, len) : -1;

	json_object_put(obj);
	return ret;
}

static int queue_error(struct client *c, const char *sentence)
{
	struct json_object *obj = json_object_new_object();

	c->ctl->stats.errors++;
	if (!obj)
		return -1;
	json_object_object_add(obj, "error", json_object_new_string(sentence));
	return queue_json(c, obj);
}

/* A client's string made safe for one log line: at most 64 bytes, no controls. */
static const char *printable(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < 64 && i + 1 < len && s[i]; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static void answer(struct client *c, const char *line, size_t len)
{
	struct control *ctl = c->ctl;
	struct json_tokener *tok;
	struct json_object *req, *cmd, *reply;
	const char *name;
	char err[256];

	ctl->stats.requests++;
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	tok = json_tokener_new_ex(16);
	if (!tok) {
		queue_error(c, "out of memory");
		return;
	}
	req = json_tokener_parse_ex(tok, line, (int)len);
	if (!req || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		snprintf(err, sizeof(err), "request is not valid JSON: %s",
			 req ? "text after the object" :
			 json_tokener_error_desc(json_tokener_get_error(tok)));
		json_object_put(req);
		json_tokener_free(tok);
		log_info("control: pid %d uid %u: %s", (int)c->peer.pid,
			 (unsigned int)c->peer.uid, err);
		queue_error(c, err);
		return;
	}
	json_tokener_free(tok);

	if (!json_object_is_type(req, json_type_object)) {
		queue_error(c, "request must be a JSON object such as {\"cmd\":\"stats\"}");
		goto out;
	}
	if (!json_object_object_get_ex(req, "cmd", &cmd) ||
	    !json_object_is_type(cmd, json_type_string)) {
		queue_error(c, "request has no \"cmd\" string; try {\"cmd\":\"stats\"}");
		goto out;
	}
	name = json_object_get_string(cmd);
	log_info("control: pid %d uid %u gid %u: %s", (int)c->peer.pid,
		 (unsigned int)c->peer.uid, (unsigned int)c->peer.gid,
		 printable(name, err, sizeof(err)));
	for (size_t i = 0; i < ctl->n_cmds; i++) {
		if (strcmp(ctl->cmds[i].name, name))
			continue;
		err[0] = '\0';
		if (ctl->cmds[i].write) {
			size_t start;

			if (c->out_off == c->out_len)
				c->out_off = c->out_len = 0;
			start = c->out_len;

			if (ctl->cmds[i].write(ctl->ctx, &c->peer, req,
					       (struct control_reply *)c, err, sizeof(err)) ||
			    append(c, "\n", 1)) {
				/* drop the partial reply, keep what was queued before it */
				c->out_len = start;
				if (queue_error(c, err[0] ? err : "out of memory"))
					c->closing = true;
			}
			goto out;
		}
		reply = ctl->cmds[i].fn(ctl->ctx, &c->peer, req, err, sizeof(err));
		if (reply) {
			if (queue_json(c, reply))
				c->closing = true;
		} else {
			queue_error(c, err[0] ? err : "request failed");
		}
		goto out;
	}
	{
		char list[160] = "";
		size_t off = 0;

		for (size_t i = 0; i < ctl->n_cmds && off < sizeof(list); i++)
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
						i ? ", " : "", ctl->cmds[i].name);
		char shown[80];

		snprintf(err, sizeof(err), "unknown command \"%s\"; known: %s",
			 printable(name, shown, sizeof(shown)), list);
		queue_error(c, err);
	}
out:
	json_object_put(req);
}

static void update_events(struct client *c)
{
	uint32_t ev = c->out_off < c->out_len ? EPOLLOUT : EPOLLIN;

	loop_watch_set_events(c->ctl->loop, c->watch, ev);
}

static int flush(struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		c->out_off += (size_t)n;
	}
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = c->out_cap = 0;
	return 0;
}

/* Answers every complete line in the input buffer, in order. */
static void process_lines(struct client *c)
{
	size_t start = 0;

	while (!c->closing && c->out_off == c->out_len) {
		char *nl = memchr(c->in + start, '\n', c->in_len - start);
		size_t len;

		if (!nl)
			break;
		len = (size_t)(nl - (c->in + start));
		if (len && c->in[start + len - 1] == '\r')
			len--;
		if (len)
			answer(c, c->in + start, len);
		start = (size_t)(nl - c->in) + 1;
	}
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
}

static void on_client(void *ctx, int fd, uint32_t events)
{
	struct client *c = ctx;

	c->active_ms = now_ms();
	if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) && !c->eof &&
	    c->out_off == c->out_len) {
		ssize_t n = recv(fd, c->in + c->in_len,
				 CONTROL_MAX_REQUEST + 1 - c->in_len, MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			n = -2;
		if (n == 0 || n == -1)
			c->eof = true;
		else if (n > 0)
			c->in_len += (size_t)n;
		/* a last request without its newline is still answered */
		if (c->eof && c->in_len && c->in_len <= CONTROL_MAX_REQUEST &&
		    c->in[c->in_len - 1] != '\n')
			c->in[c->in_len++] = '\n';
	}
	for (;;) {
		process_lines(c);
		if (!c->closing && c->in_len > CONTROL_MAX_REQUEST &&
		    !memchr(c->in, '\n', c->in_len)) {
			char msg[96];

			c->ctl->stats.oversized++;
			snprintf(msg, sizeof(msg),
				 "request longer than %d bytes; closing the connection",
				 CONTROL_MAX_REQUEST);
			log_warn("control: pid %d uid %u: %s", (int)c->peer.pid,
				 (unsigned int)c->peer.uid, msg);
			queue_error(c, msg);
			c->closing = true;
		}
		if (flush(c)) {
			client_free(c);
			return;
		}
		if (c->out_off < c->out_len)
			break;
		if (c->closing || (c->eof && !memchr(c->in, '\n', c->in_len))) {
			client_free(c);
			return;
		}
		if (!memchr(c->in, '\n', c->in_len))
			break;
	}
	update_events(c);
}

static void refuse(struct control *ctl, int fd)
{
	char msg[128];
	int len;

	ctl->stats.refused++;
	len = snprintf(msg, sizeof(msg),
		       "{\"error\":\"too many control clients (%u); try again later\"}\n",
		       ctl->max_clients);
	if (send(fd, msg, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_debug("control: refusing a client: %s", strerror(errno));
	close(fd);
}

static void on_accept(void *ctx, int lfd, uint32_t events)
{
	struct control *ctl = ctx;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct client *c;
	int fd;

	(void)events;
	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn("control: accept: %s", strerror(errno));
			return;
		}
		ctl->stats.connections++;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
			log_warn("control: cannot read peer credentials: %s; closing",
				 strerror(errno));
			close(fd);
			continue;
		}
		if (ctl->stats.clients >= ctl->max_clients) {
			log_warn("control: pid %d uid %u refused: %u clients connected already",
				 (int)cred.pid, (unsigned int)cred.uid, ctl->stats.clients);
			refuse(ctl, fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->ctl = ctl;
		c->fd = fd;
		c->peer.pid = cred.pid;
		c->peer.uid = cred.uid;
		c->peer.gid = cred.gid;
		c->active_ms = now_ms();
		c->watch = loop_watch_fd(ctl->loop, fd, EPOLLIN, on_client, c);
		if (!c->watch) {
			log_warn("control: cannot watch a client: %s", strerror(errno));
			close(fd);
			free(c);
			continue;
		}
		c->next = ctl->clients;
		ctl->clients = c;
		ctl->stats.clients++;
		log_debug("control: pid %d uid %u gid %u connected", (int)cred.pid,
			  (unsigned int)cred.uid, (unsigned int)cred.gid);
	}
}

/* A socket file nobody accepts on is left over from a crash: remove it. */
static int clear_stale(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret;

	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot stat %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket; remove it or set control_socket",
			 path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	ret = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (ret == 0) {
		snprintf(err, errlen, "%s is in use: is another listenind running?", path);
		return -1;
	}
	if (unlink(path) && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove stale %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int make_parent(const char *path, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create directory %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	return 0;
}

struct control *control_open(struct loop *loop, const struct control_config *cfg,
			     const struct control_command *cmds, size_t n_cmds,
			     void *ctx, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct control *ctl;
	mode_t old_umask;
	int ret;

	if (!cfg->path[0] || strlen(cfg->path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket path must be 1 to %zu bytes",
			 sizeof(sun.sun_path) - 1);
		return NULL;
	}
	if (make_parent(cfg->path, err, errlen) || clear_stale(cfg->path, err, errlen))
		return NULL;
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ctl->loop = loop;
	ctl->cmds = cmds;
	ctl->n_cmds = n_cmds;
	ctl->ctx = ctx;
	ctl->max_clients = cfg->max_clients ? cfg->max_clients : 1;
	ctl->idle_timeout = cfg->idle_timeout;
	snprintf(ctl->path, sizeof(ctl->path), "%s", cfg->path);
	memcpy(sun.sun_path, cfg->path, strlen(cfg->path) + 1);

	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		free(ctl);
		return NULL;
	}
	/* the socket is born with its final permissions: no window of 0777 */
	old_umask = umask(~cfg->mode & 0777);
	ret = bind(ctl->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old_umask);
	if (ret) {
		snprintf(err, errlen, "cannot bind %s: %s", cfg->path, strerror(errno));
		goto fail_close;
	}
	if (chmod(cfg->path, cfg->mode) ||
	    (cfg->gid != (gid_t)-1 && chown(cfg->path, (uid_t)-1, cfg->gid))) {
		snprintf(err, errlen, "cannot set owner or mode of %s: %s", cfg->path,
			 strerror(errno));
		goto fail_unlink;
	}
	if (listen(ctl->fd, 64)) {
		snprintf(err, errlen, "listen on %s: %s", cfg->path, strerror(errno));
		goto fail_unlink;
	}
	ctl->watch = loop_watch_fd(loop, ctl->fd, EPOLLIN, on_accept, ctl);
	if (!ctl->watch) {
		snprintf(err, errlen, "cannot watch %s: %s", cfg->path, strerror(errno));
		goto fail_unlink;
	}
	return ctl;

fail_unlink:
	unlink(cfg->path);
fail_close:
	close(ctl->fd);
	free(ctl);
	return NULL;
}

void control_close(struct control *ctl)
{
	if (!ctl)
		return;
	while (ctl->clients)
		client_free(ctl->clients);
	loop_unwatch(ctl->loop, ctl->watch);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl);
}

const char *control_path(const struct control *ctl)
{
	return ctl->path;
}

void control_get_stats(const struct control *ctl, struct control_stats *st)
{
	*st = ctl->stats;
}

void control_set_limits(struct control *ctl, unsigned int max_clients,
			unsigned int idle_timeout)
{
	ctl->max_clients = max_clients ? max_clients : 1;
	ctl->idle_timeout = idle_timeout;
}

void control_on_tick(struct control *ctl, uint64_t now)
{
	struct client *c, *next;

	if (!ctl || !ctl->idle_timeout)
		return;
	for (c = ctl->clients; c; c = next) {
		next = c->next;
		if (c->watching || now - c->active_ms < (uint64_t)ctl->idle_timeout * 1000)
			continue;
		ctl->stats.idle_closed++;
		log_info("control: pid %d uid %u: closing after %u s without a request",
			 (int)c->peer.pid, (unsigned int)c->peer.uid, ctl->idle_timeout);
		client_free(c);
	}
}
