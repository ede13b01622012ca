/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The loader of tests/sip/ fixtures shared by the SIP, SDP, dialog and call
 * table tests.
 *
 * A fixture is a sequence of SIP messages, each opened by a line
 * "=== label". Lines before the first one starting with '#' are comments.
 * Lines are written with LF and sent with CRLF; "Content-Length: *" (or
 * "l: *") is replaced by the length of the body.
 */
#ifndef TESTS_SIP_FIXTURE_H
#define TESTS_SIP_FIXTURE_H

#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "tap.h"

#define FIXTURE_MAX_MSGS 64

struct fixture_msg {
	char label[128];
	char *text;
	size_t len;
};

struct fixture {
	unsigned int count;
	struct fixture_msg msgs[FIXTURE_MAX_MSGS];
};

static inline const char *fixture_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("LISTENIN_SIP_FIXTURES");
	static const char *const relative[] = { "tests/sip", "../tests/sip", "../../tests/sip" };
	char exe[PATH_MAX];
	ssize_t n;

	if (env)
		return env;
	/* the binary lives in daemon/build-asan/tests: the repository is three levels up */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		snprintf(dir, sizeof(dir), "%s/../../../tests/sip", dirname(exe));
		if (!access(dir, R_OK))
			return dir;
	}
	for (size_t i = 0; i < sizeof(relative) / sizeof(relative[0]); i++)
		if (!access(relative[i], R_OK))
			return relative[i];
	return "tests/sip";
}

static inline void fixture_add(struct fixture *f, const char *label, const char *lines, size_t len)
{
	struct fixture_msg *m = &f->msgs[f->count++];
	const char *body = NULL, *p = lines, *end = lines + len;
	size_t body_len = 0, cap = len * 2 + 64, out = 0;
	char *text = malloc(cap);
	char length[32];

	snprintf(m->label, sizeof(m->label), "%s", label);
	/* find the body: after the first empty line; trailing empty lines dropped */
	while (end > lines && end[-1] == '\n')
		end--;
	for (const char *q = lines; q < end; q = strchr(q, '\n') + 1) {
		if (*q == '\n') {
			body = q + 1;
			break;
		}
		if (!strchr(q, '\n'))
			break;
	}
	if (body && body < end) {
		for (const char *q = body; q < end; q++)
			body_len += *q == '\n' ? 2 : 1;
		body_len += 2;
	} else {
		body = NULL;
	}
	snprintf(length, sizeof(length), "%zu", body_len);

	while (p < end && (!body || p < body - 1)) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);

		if ((n == 17 && !strncasecmp(p, "Content-Length: *", 17)) ||
		    (n == 4 && !strncmp(p, "l: *", 4))) {
			size_t name = n == 4 ? 3 : 16;

			memcpy(text + out, p, name);
			out += name;
			out += (size_t)sprintf(text + out, "%s", length);
		} else {
			memcpy(text + out, p, n);
			out += n;
		}
		text[out++] = '\r';
		text[out++] = '\n';
		p += n + 1;
	}
	text[out++] = '\r';
	text[out++] = '\n';
	if (body) {
		for (const char *q = body; q < end; q++) {
			if (*q == '\n')
				text[out++] = '\r';
			text[out++] = *q;
		}
		text[out++] = '\r';
		text[out++] = '\n';
	}
	text[out] = '\0';
	m->text = text;
	m->len = out;
}

/* Loads tests/sip/name; exits the test if it cannot, since every check would fail. */
static inline void fixture_load(struct fixture *f, const char *name)
{
	char path[PATH_MAX + 256], label[128] = "";
	FILE *file;
	char *data, *p, *start = NULL;
	long size;

	memset(f, 0, sizeof(*f));
	snprintf(path, sizeof(path), "%s/%s", fixture_dir(), name);
	file = fopen(path, "rb");
	if (!file || fseek(file, 0, SEEK_END) || (size = ftell(file)) < 0 ||
	    fseek(file, 0, SEEK_SET)) {
		printf("Bail out! cannot read fixture %s\n", path);
		exit(1);
	}
	data = malloc((size_t)size + 2);
	if (fread(data, 1, (size_t)size, file) != (size_t)size) {
		printf("Bail out! cannot read fixture %s\n", path);
		exit(1);
	}
	fclose(file);
	data[size] = '\n';
	data[size + 1] = '\0';

	for (p = data; *p; p = strchr(p, '\n') + 1) {
		if (!strncmp(p, "=== ", 4)) {
			char *eol = strchr(p, '\n');

			if (start && f->count < FIXTURE_MAX_MSGS)
				fixture_add(f, label, start, (size_t)(p - start));
			snprintf(label, sizeof(label), "%.*s", (int)(eol - p - 4), p + 4);
			start = eol + 1;
		}
	}
	if (start && f->count < FIXTURE_MAX_MSGS)
		fixture_add(f, label, start, strlen(start));
	free(data);
}

static inline void fixture_free(struct fixture *f)
{
	for (unsigned int i = 0; i < f->count; i++)
		free(f->msgs[i].text);
	f->count = 0;
}

/* The first message whose label starts with prefix, or NULL. */
static inline const struct fixture_msg *fixture_find(const struct fixture *f, const char *prefix)
{
	for (unsigned int i = 0; i < f->count; i++)
		if (!strncmp(f->msgs[i].label, prefix, strlen(prefix)))
			return &f->msgs[i];
	return NULL;
}

#endif
