// SPDX-License-Identifier: GPL-2.0
/* The INI line reader shared by listenind.conf and the policy file. */
#include <stdlib.h>
#include <string.h>

#include "common/ini.h"
#include "tap.h"

static struct ini r;

static void start(const char *text, size_t max_line)
{
	ini_init(&r, text, strlen(text), max_line);
}

static void test_items(void)
{
	start("# comment\n  ; another\n\n\t\n[ sec name ]  # c\nkey\t=  value # c  \n"
	      "x=\n=v\n", INI_LINE_MAX);
	ok(ini_next(&r) == INI_SECTION && r.line == 5 &&
	   !strcmp(r.section, " sec name ") && !strcmp(r.rest, "# c"),
	   "comments and blank lines are skipped; section text kept as written");
	ok(ini_next(&r) == INI_KEY && r.line == 6 && !strcmp(r.key, "key") &&
	   !strcmp(r.value, "  value # c"), "key trimmed, raw value for ini_value()");
	ok(ini_next(&r) == INI_KEY && !strcmp(r.key, "x") && !strcmp(r.value, ""),
	   "empty value");
	ok(ini_next(&r) == INI_KEY && !strcmp(r.key, "") && !strcmp(r.value, "v"),
	   "empty key is the caller's to refuse");
	ok(ini_next(&r) == INI_END && ini_next(&r) == INI_END, "end, and stays at the end");
}

static void test_line_errors(void)
{
	char *text = malloc(5000);

	start("[a]\r\nk = v\r\n", 16);
	ok(ini_next(&r) == INI_SECTION && !strcmp(r.section, "a") && !*r.rest,
	   "CRLF: section");
	ok(ini_next(&r) == INI_KEY && !strcmp(r.value, " v"), "CRLF: the CR is not in the value");

	start("k = v\n\n[a\n", 16);
	ini_next(&r);
	ok(ini_next(&r) == INI_BAD && r.error == INI_ERR_BRACKET && r.line == 3,
	   "'[' without ']' on line 3");
	start("just words\n", 16);
	ok(ini_next(&r) == INI_BAD && r.error == INI_ERR_EQUALS, "no '=' and no '['");

	start("k = a\x01" "b\n", 16);
	ok(ini_next(&r) == INI_BAD && r.error == INI_ERR_CONTROL && r.byte == 1 &&
	   r.column == 6 && !r.nul, "control character: byte and column");
	ini_init(&r, "k = \x02\0\n", 7, 16);
	ok(ini_next(&r) == INI_BAD && r.error == INI_ERR_CONTROL && r.byte == 2 && r.nul,
	   "a NUL anywhere in the line is noted");
	start("k = a\rb\n", 16);
	ok(ini_next(&r) == INI_BAD && r.error == INI_ERR_CONTROL && r.byte == '\r',
	   "a CR inside the line is a control character");

	memset(text, 'x', 4097);
	ini_init(&r, text, 4097, 100000);
	ok(ini_next(&r) == INI_BAD && r.error == INI_ERR_TOO_LONG,
	   "a limit above INI_LINE_MAX is capped");
	strcpy(text + 4096, "\r\n");
	ini_init(&r, text, 4098, 4096);
	ok(ini_next(&r) == INI_BAD && r.error == INI_ERR_EQUALS,
	   "4096 bytes and CRLF fit a limit of 4096");
	ini_init(&r, text, 4096, 4095);
	ok(ini_next(&r) == INI_BAD && r.error == INI_ERR_TOO_LONG && r.line == 1,
	   "4096 bytes are over a limit of 4095");
	free(text);
}

static void test_value(void)
{
	char v1[] = "  \"a \\\"b\\\" # \\\\c\"  # comment", v2[] = " plain # cut",
	     v3[] = "a#b c #d", v4[] = "\"open", v5[] = "\"q\" x", v6[] = "#", v7[] = "\"x\\";
	char *out;

	ok(ini_value(v1, &out) == INI_ERR_NONE && !strcmp(out, "a \"b\" # \\c"),
	   "quoted: escapes, '#' kept, comment after the quote");
	ok(ini_value(v2, &out) == INI_ERR_NONE && !strcmp(out, "plain"),
	   "unquoted: comment after a blank cut, blanks trimmed");
	ok(ini_value(v3, &out) == INI_ERR_NONE && !strcmp(out, "a#b c"),
	   "'#' inside a word is kept");
	ok(ini_value(v6, &out) == INI_ERR_NONE && !strcmp(out, ""), "only a comment: empty");
	ok(ini_value(v4, &out) == INI_ERR_QUOTE, "no closing quote");
	ok(ini_value(v7, &out) == INI_ERR_QUOTE, "a backslash does not escape the end");
	ok(ini_value(v5, &out) == INI_ERR_AFTER_QUOTE, "text after the closing quote");
}

static void test_seconds(void)
{
	static const char *const bad[] = {
		"", "s", "-1", " 5", "+5", "5x", "5 s", "5ms", "1.5h",
		"99999999999999999999", "999999999999999999d",
	};
	unsigned long n = 0;
	bool all = true;

	ok(!ini_seconds("90", &n) && n == 90, "bare seconds");
	ok(!ini_seconds("45s", &n) && n == 45, "s");
	ok(!ini_seconds("5m", &n) && n == 300, "m");
	ok(!ini_seconds("4h", &n) && n == 4 * 3600, "h");
	ok(!ini_seconds("7d", &n) && n == 7 * 86400, "d");
	ok(!ini_seconds("0", &n) && n == 0, "zero is the caller's to refuse");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!ini_seconds(bad[i], &n)) {
			printf("# \"%s\" accepted as %lu\n", bad[i], n);
			all = false;
		}
	}
	ok(all, "no sign, blank, other suffix, fraction or overflow");
}

static void test_fail(void)
{
	char err[32];

	ok(ini_fail(err, sizeof(err), "f.conf", 7, "bad %s", "thing") == -1 &&
	   !strcmp(err, "f.conf:7: bad thing"), "NAME:LINE: message");
	ini_fail(err, sizeof(err), "f.conf", 0, "gone");
	ok(!strcmp(err, "f.conf: gone"), "line 0: NAME: message");
	ini_fail(err, 12, "f.conf", 7, "a long message");
	ok(!strcmp(err, "f.conf:7: a"), "truncated to the buffer");
	ok(ini_fail(NULL, 0, "f", 1, "x") == -1, "no buffer: nothing written");
}

int main(void)
{
	test_items();
	test_line_errors();
	test_value();
	test_seconds();
	test_fail();
	return tap_done();
}
