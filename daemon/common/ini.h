/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The line syntax shared by listenind.conf and the policy file:
 *
 *	# comment            (also "; comment"; blank lines are skipped)
 *	[section text]
 *	key = value          (the value is taken apart by ini_value())
 *
 * Lines end in LF or CRLF. The reader only splits and checks lines; what a
 * section or key means, and how each error is worded, is the caller's.
 */
#ifndef COMMON_INI_H
#define COMMON_INI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define INI_LINE_MAX	4096

enum ini_item {
	INI_END,
	INI_SECTION,
	INI_KEY,
	INI_BAD,
};

enum ini_error {
	INI_ERR_NONE,
	INI_ERR_TOO_LONG,	/* longer than max_line */
	INI_ERR_CONTROL,	/* control character: byte, column, nul */
	INI_ERR_BRACKET,	/* '[' without ']' */
	INI_ERR_EQUALS,		/* neither a section nor "key = value" */
	INI_ERR_QUOTE,		/* ini_value(): no closing quote */
	INI_ERR_AFTER_QUOTE,	/* ini_value(): text after the closing quote */
};

struct ini {
	const char *text;
	size_t len, pos;
	size_t max_line;
	unsigned int line;	/* of the item ini_next() returned last */

	char *section;		/* INI_SECTION: between '[' and the first ']' */
	char *rest;		/* INI_SECTION: after ']', without blanks around */
	char *key;		/* INI_KEY: before '=', trimmed; may be empty */
	char *value;		/* INI_KEY: after '=', raw: give it to ini_value() */
	enum ini_error error;	/* INI_BAD */
	unsigned char byte;	/* INI_ERR_CONTROL: the first one... */
	size_t column;		/* ...its column from 1... */
	bool nul;		/* ...and whether the line holds a NUL byte */

	char buf[INI_LINE_MAX + 1];
};

/* Lines longer than max_line bytes (CRLF's CR not counted) are errors. */
void ini_init(struct ini *r, const char *text, size_t len, size_t max_line);

/* Reads up to the next section or key line; INI_BAD sets r->error. */
enum ini_item ini_next(struct ini *r);

/*
 * Takes a raw value apart in place: a double-quoted string with \" and \\
 * escapes, or the text up to an unquoted comment (a '#' first or after a
 * blank) without blanks around. Returns INI_ERR_NONE and sets *out, or
 * INI_ERR_QUOTE or INI_ERR_AFTER_QUOTE.
 */
enum ini_error ini_value(char *raw, char **out);

/*
 * A duration as both files write it: whole seconds with an optional suffix
 * s, m, h or d ("90", "5m"). Returns 0, or -1 if v is anything else or
 * does not fit.
 */
int ini_seconds(const char *v, unsigned long *out);

/*
 * Writes "NAME:LINE: message" to err, or "NAME: message" for line 0, as
 * both files report errors. Returns -1.
 */
int ini_fail(char *err, size_t errlen, const char *name, unsigned int line,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int ini_vfail(char *err, size_t errlen, const char *name, unsigned int line,
	      const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

#endif
