// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ini.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static char *skip_blanks(char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

static void trim_end(char *s)
{
	for (char *e = s + strlen(s); e > s && is_blank(e[-1]);)
		*--e = '\0';
}

void ini_init(struct ini *r, const char *text, size_t len, size_t max_line)
{
	memset(r, 0, offsetof(struct ini, buf));
	r->text = text;
	r->len = len;
	r->max_line = max_line < INI_LINE_MAX ? max_line : INI_LINE_MAX;
}

static enum ini_item bad(struct ini *r, enum ini_error error)
{
	r->error = error;
	return INI_BAD;
}

/* Copies the next line into buf: 1, 0 at the end of the text, -1 if bad. */
static int read_line(struct ini *r)
{
	const char *s = r->text + r->pos, *nl;
	size_t n;

	if (r->pos >= r->len)
		return 0;
	nl = memchr(s, '\n', r->len - r->pos);
	n = nl ? (size_t)(nl - s) : r->len - r->pos;
	r->line++;
	r->pos += nl ? n + 1 : n;
	if (n && s[n - 1] == '\r')
		n--;
	if (n > r->max_line) {
		r->error = INI_ERR_TOO_LONG;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			r->byte = c;
			r->column = i + 1;
			r->nul = memchr(s, '\0', n) != NULL;
			r->error = INI_ERR_CONTROL;
			return -1;
		}
	}
	memcpy(r->buf, s, n);
	r->buf[n] = '\0';
	return 1;
}

enum ini_item ini_next(struct ini *r)
{
	char *s, *close, *eq;
	int got;

	r->section = r->rest = r->key = r->value = NULL;
	r->error = INI_ERR_NONE;
	do {
		got = read_line(r);
		if (got <= 0)
			return got ? INI_BAD : INI_END;
		s = skip_blanks(r->buf);
		trim_end(s);
	} while (!*s || *s == '#' || *s == ';');

	if (*s == '[') {
		close = strchr(s, ']');
		if (!close)
			return bad(r, INI_ERR_BRACKET);
		*close = '\0';
		r->section = s + 1;
		r->rest = skip_blanks(close + 1);
		return INI_SECTION;
	}
	eq = strchr(s, '=');
	if (!eq)
		return bad(r, INI_ERR_EQUALS);
	*eq = '\0';
	trim_end(s);
	r->key = s;
	r->value = eq + 1;
	return INI_KEY;
}

enum ini_error ini_value(char *raw, char **out)
{
	char *s = skip_blanks(raw), *w;

	if (*s == '"') {
		w = ++s;
		*out = w;
		for (; *s != '"'; s++) {
			if (!*s)
				return INI_ERR_QUOTE;
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			*w++ = *s;
		}
		*w = '\0';
		s = skip_blanks(s + 1);
		if (*s && *s != '#')
			return INI_ERR_AFTER_QUOTE;
		return INI_ERR_NONE;
	}
	*out = s;
	for (w = s; *w; w++) {
		if (*w == '#' && (w == s || is_blank(w[-1]))) {
			*w = '\0';
			break;
		}
	}
	trim_end(s);
	return INI_ERR_NONE;
}

int ini_seconds(const char *v, unsigned long *out)
{
	unsigned long n, mult = 1;
	char *end;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno)
		return -1;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		mult = 60, end++;
	else if (*end == 'h')
		mult = 3600, end++;
	else if (*end == 'd')
		mult = 86400, end++;
	if (*end || n > ULONG_MAX / mult)
		return -1;
	*out = n * mult;
	return 0;
}

int ini_vfail(char *err, size_t errlen, const char *name, unsigned int line,
	      const char *fmt, va_list ap)
{
	int n;

	if (!errlen)
		return -1;
	if (line)
		n = snprintf(err, errlen, "%s:%u: ", name, line);
	else
		n = snprintf(err, errlen, "%s: ", name);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	return -1;
}

int ini_fail(char *err, size_t errlen, const char *name, unsigned int line,
	     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ini_vfail(err, errlen, name, line, fmt, ap);
	va_end(ap);
	return -1;
}
