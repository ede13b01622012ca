/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lictl's side of listenind's control socket: connect, send one JSON request
 * line, read one JSON reply line. The socket is $LISTENIND_SOCKET, else
 * /run/listenind/control.sock.
 */
#ifndef LICTL_CTL_CLIENT_H
#define LICTL_CTL_CLIENT_H

#include <json-c/json.h>
#include <stddef.h>

#define CTL_DEFAULT_SOCKET	"/run/listenind/control.sock"
#define CTL_MAX_REPLY		(256u << 20)

const char *ctl_socket_path(void);

/*
 * Sends req (not consumed) and returns the reply object, or NULL with a
 * sentence in err: the daemon's own {"error": ...} message, or why the
 * daemon could not be reached.
 */
struct json_object *ctl_call(const struct json_object *req, char *err, size_t errlen);

/*
 * Sends req and hands every reply line to cb (obj is released after cb)
 * until cb returns non-zero (then 0) or the connection ends or a line is an
 * error (then -1 with a sentence in err).
 */
typedef int (*ctl_object_fn)(struct json_object *obj, void *arg);
int ctl_stream(const struct json_object *req, ctl_object_fn cb, void *arg, char *err,
	       size_t errlen);

#endif
