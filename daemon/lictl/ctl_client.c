// SPDX-License-Identifier: GPL-2.0
#include "lictl/ctl_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

const char *ctl_socket_path(void)
{
	const char *env = getenv("LISTENIND_SOCKET");

	return env && *env ? env : CTL_DEFAULT_SOCKET;
}

static int connect_daemon(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket path %s is too long", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		int e = errno;

		close(fd);
		if (e == ENOENT || e == ECONNREFUSED)
			snprintf(err, errlen,
				 "cannot reach listenind at %s: %s (is it running? set LISTENIND_SOCKET for another path)",
				 path, strerror(e));
		else if (e == EACCES)
			snprintf(err, errlen,
				 "cannot reach listenind at %s: permission denied (run as root or a member of the socket's group)",
				 path);
		else
			snprintf(err, errlen, "cannot reach listenind at %s: %s", path,
				 strerror(e));
		return -1;
	}
	return fd;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads up to the first newline; returns a malloc'd NUL-terminated line. */
static char *read_line(int fd, char *err, size_t errlen)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);

	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (;;) {
		ssize_t n;
		char *nl;

		if (len + 1 >= cap) {
			char *bigger;

			if (cap >= CTL_MAX_REPLY) {
				snprintf(err, errlen, "reply from listenind larger than %u bytes",
					 CTL_MAX_REPLY);
				free(buf);
				return NULL;
			}
			bigger = realloc(buf, cap * 2);
			if (!bigger) {
				snprintf(err, errlen, "out of memory");
				free(buf);
				return NULL;
			}
			buf = bigger;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "listenind closed the connection without a reply%s%s",
				 n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
			free(buf);
			return NULL;
		}
		nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
		if (nl) {
			*nl = '\0';
			return buf;
		}
	}
}

/* Connects and sends req; the socket, or -1 with err. */
static int request(const struct json_object *req, char *err, size_t errlen)
{
	const char *s;
	int fd;

	fd = connect_daemon(ctl_socket_path(), err, errlen);
	if (fd < 0)
		return -1;
	s = json_object_to_json_string_ext((struct json_object *)req,
					   JSON_C_TO_STRING_PLAIN);
	if (send_all(fd, s, strlen(s)) || send_all(fd, "\n", 1)) {
		snprintf(err, errlen, "cannot send to listenind: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* One reply line as an object; NULL with err, the daemon's own error included. */
static struct json_object *parse_reply(const char *line, char *err, size_t errlen)
{
	struct json_object *reply = json_tokener_parse(line), *e;

	if (!reply || !json_object_is_type(reply, json_type_object)) {
		snprintf(err, errlen, "listenind sent a reply that is not a JSON object");
		json_object_put(reply);
		return NULL;
	}
	if (json_object_object_get_ex(reply, "error", &e)) {
		snprintf(err, errlen, "%s", json_object_get_string(e));
		json_object_put(reply);
		return NULL;
	}
	return reply;
}

struct json_object *ctl_call(const struct json_object *req, char *err, size_t errlen)
{
	struct json_object *reply;
	char *line;
	int fd = request(req, err, errlen);

	if (fd < 0)
		return NULL;
	line = read_line(fd, err, errlen);
	close(fd);
	if (!line)
		return NULL;
	reply = parse_reply(line, err, errlen);
	free(line);
	return reply;
}

int ctl_stream(const struct json_object *req, ctl_object_fn cb, void *arg, char *err,
	       size_t errlen)
{
	static char buf[1 << 16];
	size_t len = 0;
	int fd = request(req, err, errlen), ret = -1;

	if (fd < 0)
		return -1;
	for (;;) {
		char *nl, *start = buf;
		ssize_t n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "listenind closed the connection%s%s",
				 n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
			break;
		}
		len += (size_t)n;
		while ((nl = memchr(start, '\n', len - (size_t)(start - buf)))) {
			struct json_object *obj;

			*nl = '\0';
			obj = parse_reply(start, err, errlen);
			start = nl + 1;
			if (!obj || cb(obj, arg)) {
				json_object_put(obj);
				ret = obj ? 0 : -1;
				goto out;
			}
			json_object_put(obj);
		}
		len -= (size_t)(start - buf);
		memmove(buf, start, len);
		if (len == sizeof(buf) - 1) {
			snprintf(err, errlen, "a line from listenind is longer than %zu bytes",
				 sizeof(buf) - 1);
			break;
		}
	}
out:
	close(fd);
	return ret;
}
