// SPDX-License-Identifier: GPL-2.0
/*
 * listenind's event loop (timers, fd watches, signals) and control socket
 * (JSON Lines framing, peer credentials, errors, limits), in one process:
 * the test is the client, and runs the loop for a few milliseconds at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "listenind/control.h"
#include "listenind/loop.h"

static int n_tests, n_failed;

static void ok(int cond, const char *name)
{
	n_tests++;
	if (!cond)
		n_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", n_tests, name);
}

static void stop_cb(void *ctx)
{
	loop_stop(ctx);
}

/* Runs the loop for about ms milliseconds. */
static void spin(struct loop *loop, unsigned int ms)
{
	struct loop_watch *t = loop_timer_add(loop, ms, stop_cb, loop);

	loop_run(loop);
	loop_timer_del(loop, t);
}

/* ---- loop ---- */

static int ticks;
static struct loop_watch *self_removing;

static void tick_cb(void *ctx)
{
	struct loop *loop = ctx;

	if (++ticks == 3) {
		loop_timer_del(loop, self_removing);
		self_removing = NULL;
	}
}

static int readable_calls;
static char readable_buf[16];

static void readable_cb(void *ctx, int fd, uint32_t events)
{
	ssize_t n;

	(void)ctx;
	if (!(events & EPOLLIN))
		return;
	n = read(fd, readable_buf, sizeof(readable_buf) - 1);
	if (n > 0)
		readable_buf[n] = '\0';
	readable_calls++;
}

static int got_signal;

static void signal_cb(void *ctx, int signo)
{
	got_signal = signo;
	loop_stop(ctx);
}

static void test_loop(void)
{
	static const int sigs[] = { SIGHUP, SIGUSR1 };
	struct loop *loop = loop_new();
	struct loop_watch *w;
	int p[2];

	ok(loop != NULL, "loop_new");
	self_removing = loop_timer_add(loop, 5, tick_cb, loop);
	spin(loop, 300);
	ok(ticks == 3, "a timer fires periodically and can delete itself from its callback");

	ok(pipe(p) == 0, "pipe");
	w = loop_watch_fd(loop, p[0], EPOLLIN, readable_cb, NULL);
	ok(write(p[1], "hello", 5) == 5, "write");
	spin(loop, 100);
	ok(readable_calls == 1 && !strcmp(readable_buf, "hello"),
	   "a watched fd's callback runs once per readiness with its events");
	loop_unwatch(loop, w);
	ok(write(p[1], "again", 5) == 5, "write");
	spin(loop, 100);
	ok(readable_calls == 1, "an unwatched fd is no longer reported");
	close(p[0]);
	close(p[1]);

	ok(loop_timer_add(loop, 0, stop_cb, loop) == NULL && errno == EINVAL,
	   "a zero-interval timer is refused with EINVAL");

	ok(loop_signals(loop, sigs, 2, signal_cb, loop) == 0, "loop_signals");
	raise(SIGUSR1);
	spin(loop, 1000);
	ok(got_signal == SIGUSR1, "a blocked signal is delivered through the loop");
	loop_free(loop);
}

/* ---- control socket ---- */

static struct json_object *echo(void *ctx, const struct control_peer *peer,
				struct json_object *req, char *err, size_t errlen)
{
	struct json_object *reply = json_object_new_object(), *v;

	(void)ctx;
	(void)err;
	(void)errlen;
	json_object_object_add(reply, "pid", json_object_new_int(peer->pid));
	json_object_object_add(reply, "uid", json_object_new_int((int)peer->uid));
	if (json_object_object_get_ex(req, "n", &v))
		json_object_object_add(reply, "n", json_object_get(v));
	return reply;
}

static struct json_object *fail(void *ctx, const struct control_peer *peer,
				struct json_object *req, char *err, size_t errlen)
{
	(void)ctx;
	(void)peer;
	(void)req;
	snprintf(err, errlen, "this request always fails");
	return NULL;
}

/* {"list":[0,1,...,999],"n":1000} piece by piece; with "fail", fails half way. */
static int list(void *ctx, const struct control_peer *peer, struct json_object *req,
		struct control_reply *reply, char *err, size_t errlen)
{
	char num[16];

	(void)ctx;
	(void)peer;
	control_reply_append(reply, "{\"list\":[", 9);
	for (int i = 0; i < 1000; i++) {
		int n = snprintf(num, sizeof(num), "%s%d", i ? "," : "", i);

		if (i == 500 && json_object_object_get_ex(req, "fail", NULL)) {
			snprintf(err, errlen, "failed half way");
			return -1;
		}
		control_reply_append(reply, num, (size_t)n);
	}
	return control_reply_append(reply, "],\"n\":", 6) ||
	       control_reply_json(reply, json_object_new_int(1000)) ||
	       control_reply_append(reply, "}", 1) ? -1 : 0;
}

static int sub(void *ctx, const struct control_peer *peer, struct json_object *req,
	       struct control_reply *reply, char *err, size_t errlen)
{
	(void)ctx;
	(void)peer;
	(void)req;
	(void)err;
	(void)errlen;
	control_reply_subscribe(reply);
	return control_reply_append(reply, "{\"watching\":true}", 17);
}

static const struct control_command cmds[] = {
	{ "echo", echo, NULL },
	{ "fail", fail, NULL },
	{ "list", NULL, list },
	{ "sub", NULL, sub },
};

static int client(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Everything the daemon has sent so far (non-blocking); "" if nothing. */
static char *drain(int fd, int *closed)
{
	static char buf[65536];
	size_t len = 0;

	*closed = 0;
	for (;;) {
		ssize_t n = recv(fd, buf + len, sizeof(buf) - 1 - len, MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
			*closed = 1;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

static void send_str(int fd, const char *s)
{
	if (send(fd, s, strlen(s), MSG_NOSIGNAL) != (ssize_t)strlen(s))
		perror("send");
}

static void test_control(void)
{
	char dir[] = "/tmp/test_control.XXXXXX", path[96], want[256], err[256];
	struct control_config cfg = {
		.mode = 0640, .gid = (gid_t)-1, .max_clients = 2, .idle_timeout = 0,
	};
	struct control_stats st;
	struct control *ctl, *other;
	struct loop *loop = loop_new();
	struct stat sb;
	char *got, big[6000];
	int a, b, c, closed, fd;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/sub/control.sock", dir);
	cfg.path = path;

	/* a stale socket file (nobody listening) is replaced */
	snprintf(want, sizeof(want), "%s/sub", dir);
	mkdir(want, 0755);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	{
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
		bind(fd, (struct sockaddr *)&sun, sizeof(sun));
		close(fd);
	}
	ctl = control_open(loop, &cfg, cmds, 4, NULL, err, sizeof(err));
	ok(ctl != NULL, "control_open replaces a stale socket file");
	ok(stat(path, &sb) == 0 && S_ISSOCK(sb.st_mode) && (sb.st_mode & 0777) == 0640,
	   "the socket has the configured mode");

	other = control_open(loop, &cfg, cmds, 4, NULL, err, sizeof(err));
	snprintf(want, sizeof(want), "%s is in use: is another listenind running?", path);
	ok(!other && !strcmp(err, want), "a live socket is not taken over");

	a = client(path);
	send_str(a, "{\"cmd\":\"echo\",\"n\":1}\n{\"cmd\":\"echo\",\"n\":2}\r\n");
	spin(loop, 100);
	got = drain(a, &closed);
	snprintf(want, sizeof(want),
		 "{\"pid\":%d,\"uid\":%d,\"n\":1}\n{\"pid\":%d,\"uid\":%d,\"n\":2}\n",
		 (int)getpid(), (int)getuid(), (int)getpid(), (int)getuid());
	ok(!strcmp(got, want), "two requests in one write: two replies, in order, with the peer's credentials");
	if (strcmp(got, want))
		printf("#   got %s", got);

	send_str(a, "{\"cmd\":\"ec");
	spin(loop, 100);
	ok(!strcmp(drain(a, &closed), ""), "half a request waits for its newline");
	send_str(a, "ho\",\"n\":3}\n");
	spin(loop, 100);
	got = drain(a, &closed);
	ok(strstr(got, "\"n\":3}") != NULL, "the rest completes it");

	send_str(a, "nonsense\n[1,2]\n{\"n\":1}\n{\"cmd\":\"nope\"}\n{\"cmd\":\"fail\"}\n{\"cmd\":\"echo\"} x\n");
	spin(loop, 100);
	got = drain(a, &closed);
	ok(!strcmp(got,
		   "{\"error\":\"request is not valid JSON: null expected\"}\n"
		   "{\"error\":\"request must be a JSON object such as {\\\"cmd\\\":\\\"stats\\\"}\"}\n"
		   "{\"error\":\"request has no \\\"cmd\\\" string; try {\\\"cmd\\\":\\\"stats\\\"}\"}\n"
		   "{\"error\":\"unknown command \\\"nope\\\"; known: echo, fail, list, sub\"}\n"
		   "{\"error\":\"this request always fails\"}\n"
		   "{\"error\":\"request is not valid JSON: text after the object\"}\n"),
	   "bad requests get one error sentence each, and the connection stays");
	if (n_failed)
		printf("#   got %s", got);

	send_str(a, "{\"cmd\":\"list\",\"fail\":1}\n{\"cmd\":\"list\"}\n");
	spin(loop, 100);
	got = drain(a, &closed);
	ok(!strncmp(got, "{\"error\":\"failed half way\"}\n{\"list\":[0,1,2,", 40) &&
	   strstr(got, ",998,999],\"n\":1000}\n") && !closed,
	   "a reply written in pieces: a failure drops its part and says why; the next is whole");
	if (!strstr(got, ",999"))
		printf("#   got %.200s\n", got);

	b = client(path);
	c = client(path);
	spin(loop, 100);
	got = drain(c, &closed);
	ok(!strcmp(got, "{\"error\":\"too many control clients (2); try again later\"}\n") && closed,
	   "a client over max_clients is told why and disconnected");

	send_str(b, "{\"cmd\":\"echo\",\"n\":9}");
	shutdown(b, SHUT_WR);
	spin(loop, 100);
	got = drain(b, &closed);
	ok(strstr(got, "\"n\":9}\n") && closed,
	   "a last request without newline is answered before closing");

	memset(big, 'x', sizeof(big) - 2);
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = '\0';
	send_str(a, big);
	spin(loop, 100);
	got = drain(a, &closed);
	ok(!strcmp(got, "{\"error\":\"request longer than 4096 bytes; closing the connection\"}\n") && closed,
	   "an oversized request is refused and the connection closed");
	if (!closed || !strstr(got, "longer"))
		printf("#   closed %d got %s", closed, got);

	control_get_stats(ctl, &st);
	ok(st.connections == 4 && st.refused == 1 && st.oversized == 1 &&
	   st.requests == 12 && st.errors == 8 && st.clients == 0,
	   "connections, refusals, requests and errors are counted");
	if (!(st.requests == 12 && st.errors == 8))
		printf("#   connections %llu refused %llu requests %llu errors %llu clients %u\n",
		       (unsigned long long)st.connections, (unsigned long long)st.refused,
		       (unsigned long long)st.requests, (unsigned long long)st.errors, st.clients);

	/* a client that stays silent past idle_timeout is closed on a tick */
	{
		struct timespec ts;
		uint64_t now;
		int idle = client(path);

		control_set_limits(ctl, 2, 1);
		spin(loop, 100);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
		control_on_tick(ctl, now);
		control_get_stats(ctl, &st);
		ok(st.clients == 1 && st.idle_closed == 0, "a client within idle_timeout stays");
		control_on_tick(ctl, now + 1500);
		control_get_stats(ctl, &st);
		drain(idle, &closed);
		ok(st.clients == 0 && st.idle_closed == 1 && closed,
		   "a client silent for idle_timeout is closed and counted");
		close(idle);
	}

	/* subscribers: events after the reply, never idle, dropped when they do not read */
	{
		struct json_object *ev = json_object_new_object();
		struct timespec ts;
		unsigned int n, sent = 0;
		int w = client(path), slow = client(path);
		char pad[1024];

		send_str(w, "{\"cmd\":\"sub\"}\n");
		send_str(slow, "{\"cmd\":\"sub\"}\n");
		spin(loop, 100);
		got = drain(w, &closed);
		drain(slow, &closed);
		ok(!strcmp(got, "{\"watching\":true}\n") && control_watchers(ctl) == 2,
		   "a subscription is acknowledged and counted");
		json_object_object_add(ev, "event", json_object_new_string("agent_notice"));
		n = control_publish(ctl, ev);
		spin(loop, 100);
		got = drain(w, &closed);
		ok(n == 2 && !strcmp(got, "{\"event\":\"agent_notice\"}\n") && !closed,
		   "a published event reaches every subscriber as one line");
		clock_gettime(CLOCK_MONOTONIC, &ts);
		control_on_tick(ctl, (uint64_t)ts.tv_sec * 1000 + 60000);
		control_get_stats(ctl, &st);
		ok(st.clients == 2 && st.watchers == 2, "subscribers are not closed for being idle");
		memset(pad, 'x', sizeof(pad) - 1);
		pad[sizeof(pad) - 1] = '\0';
		json_object_object_add(ev, "pad", json_object_new_string(pad));
		for (int i = 0; i < 4000; i++) {
			sent += control_publish(ctl, ev) == 2;
			if (i % 16 == 0) {
				spin(loop, 1);
				drain(w, &closed);
			}
		}
		spin(loop, 100);
		drain(slow, &closed);
		spin(loop, 100);
		control_get_stats(ctl, &st);
		ok(sent < 4000 && st.watchers == 1 && control_watchers(ctl) == 1,
		   "a subscriber that does not read is dropped past CONTROL_MAX_BACKLOG; the reader stays");
		close(slow);
		close(w);
		spin(loop, 100);
		control_get_stats(ctl, &st);
		ok(st.clients == 0 && st.watchers == 0 && control_publish(ctl, ev) == 0,
		   "a subscriber that hangs up is gone");
		json_object_put(ev);
	}

	control_close(ctl);
	ok(access(path, F_OK) == -1 && errno == ENOENT, "control_close removes the socket");

	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	ctl = control_open(loop, &cfg, cmds, 4, NULL, err, sizeof(err));
	snprintf(want, sizeof(want),
		 "%s exists and is not a socket; remove it or set control_socket", path);
	ok(!ctl && !strcmp(err, want), "a regular file in the way is not removed");

	close(a);
	close(b);
	close(c);
	unlink(path);
	snprintf(want, sizeof(want), "%s/sub", dir);
	rmdir(want);
	rmdir(dir);
	loop_free(loop);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_loop();
	test_control();
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
