// SPDX-License-Identifier: GPL-2.0
/* Address, port and number parsing used by lictl's arguments. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/addr.h"
#include "common/num.h"
#include "tap.h"

/* Parses s and checks that it formats back to want (NULL: must fail). */
static void good(const char *s, enum addr_port mode, int family,
		 uint16_t want_port, const char *want)
{
	struct addr a;
	uint16_t port = 1234;
	char buf[ADDR_STRLEN];
	const char *err = addr_parse(s, mode, &a, &port);

	ok(!err && a.family == family && port == want_port &&
	   !strcmp(addr_format(&a, port, buf, sizeof(buf)), want),
	   "\"%s\" parses to %s (got %s, %s)", s, want, err ? "error" : buf,
	   err ? err : "ok");
}

static void bad(const char *s, enum addr_port mode, const char *want_err)
{
	struct addr a;
	uint16_t port;
	const char *err = addr_parse(s, mode, &a, &port);

	ok(err && strstr(err, want_err), "\"%s\" is rejected with \"%s\" (got \"%s\")",
	   s, want_err, err ? err : "(accepted)");
}

static void test_addr(void)
{
	struct addr a, b;
	char buf[ADDR_STRLEN];
	const uint8_t v4[4] = { 192, 0, 2, 1 };

	good("192.0.2.1:5004", ADDR_PORT_REQUIRED, AF_INET, 5004, "192.0.2.1:5004");
	good("0.0.0.0:1", ADDR_PORT_REQUIRED, AF_INET, 1, "0.0.0.0:1");
	good("255.255.255.255:65535", ADDR_PORT_REQUIRED, AF_INET, 65535,
	     "255.255.255.255:65535");
	good("[2001:db8::1]:5004", ADDR_PORT_REQUIRED, AF_INET6, 5004,
	     "[2001:db8::1]:5004");
	good("[::ffff:192.0.2.1]:9", ADDR_PORT_REQUIRED, AF_INET6, 9,
	     "[::ffff:192.0.2.1]:9");
	good("192.0.2.1", ADDR_PORT_OPTIONAL, AF_INET, 0, "192.0.2.1");
	good("2001:db8::1", ADDR_PORT_OPTIONAL, AF_INET6, 0, "2001:db8::1");
	good("[2001:db8::1]", ADDR_PORT_OPTIONAL, AF_INET6, 0, "2001:db8::1");
	good("2001:db8::1:5000", ADDR_PORT_OPTIONAL, AF_INET6, 0, "2001:db8::1:5000");
	good("10.1.2.3", ADDR_PORT_NONE, AF_INET, 0, "10.1.2.3");

	bad("192.0.2.1:99999", ADDR_PORT_REQUIRED, "port must be 1..65535");
	bad("192.0.2.1:0", ADDR_PORT_REQUIRED, "port must be 1..65535");
	bad("192.0.2.1:65536", ADDR_PORT_REQUIRED, "port must be 1..65535");
	bad("192.0.2.1:123456789012345678901", ADDR_PORT_REQUIRED, "port must be 1..65535");
	bad("192.0.2.1:", ADDR_PORT_REQUIRED, "missing port");
	bad("192.0.2.1:-5", ADDR_PORT_REQUIRED, "port must be a number");
	bad("192.0.2.1:5x", ADDR_PORT_REQUIRED, "port must be a number");
	bad("192.0.2.1", ADDR_PORT_REQUIRED, "missing port");
	bad("2001:db8::1", ADDR_PORT_REQUIRED, "[V6ADDR]:PORT");
	bad("::1:5000", ADDR_PORT_REQUIRED, "[V6ADDR]:PORT");
	bad("[2001:db8::1]", ADDR_PORT_REQUIRED, "missing port");
	bad("[2001:db8::1", ADDR_PORT_REQUIRED, "missing ']'");
	bad("[192.0.2.1]:5", ADDR_PORT_REQUIRED, "not a valid IPv6 address");
	bad("[2001:db8::1]5", ADDR_PORT_REQUIRED, "unexpected text after ']'");
	bad("[fe80::1%eth0]:5", ADDR_PORT_REQUIRED, "not a valid IPv6 address");
	bad("192.0.2:5", ADDR_PORT_REQUIRED, "not a valid IPv4 address");
	bad("192.0.2.256:5", ADDR_PORT_REQUIRED, "not a valid IPv4 address");
	bad("host.example:5", ADDR_PORT_REQUIRED, "not a valid IPv4 address");
	bad(" 192.0.2.1:5", ADDR_PORT_REQUIRED, "not a valid IPv4 address");
	bad("2001:db8::g", ADDR_PORT_OPTIONAL, "not a valid IPv6 address");
	bad("", ADDR_PORT_OPTIONAL, "empty address");
	bad("192.0.2.1:5", ADDR_PORT_NONE, "a port is not allowed here");

	ok(addr_set(&a, AF_INET, v4, 4) && a.family == AF_INET &&
	   !strcmp(addr_format(&a, 0, buf, sizeof(buf)), "192.0.2.1"),
	   "addr_set fills an IPv4 address");
	ok(!addr_set(&b, AF_INET6, v4, 4), "addr_set rejects 4 bytes for AF_INET6");
	ok(!addr_set(&b, AF_INET, v4, 3), "addr_set rejects 3 bytes for AF_INET");
	ok(!addr_set(&b, AF_UNIX, v4, 4), "addr_set rejects other families");
	addr_parse("192.0.2.1", ADDR_PORT_NONE, &b, NULL);
	ok(addr_equal(&a, &b), "addr_equal of the same address");
	addr_parse("192.0.2.2", ADDR_PORT_NONE, &b, NULL);
	ok(!addr_equal(&a, &b), "addr_equal tells addresses apart");
	memset(&a, 0, sizeof(a));
	ok(!strcmp(addr_format(&a, 7, buf, sizeof(buf)), "*:7"),
	   "AF_UNSPEC with a port formats as *:PORT");
	ok(addr_len(&a) == 0, "AF_UNSPEC has no length");
	addr_parse("[2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:65535",
		   ADDR_PORT_REQUIRED, &a, NULL);
	ok(strlen(addr_format(&a, 65535, buf, sizeof(buf))) < ADDR_STRLEN,
	   "the longest address with a port fits ADDR_STRLEN");
}

static void test_num(void)
{
	uint64_t v;
	uint32_t w;

	ok(num_parse_u64("0", 0, 10, &v) == 0 && v == 0, "0 parses");
	ok(num_parse_u64("18446744073709551615", 0, UINT64_MAX, &v) == 0 &&
	   v == UINT64_MAX, "UINT64_MAX parses");
	ok(num_parse_u64("18446744073709551616", 0, UINT64_MAX, &v) == -ERANGE,
	   "UINT64_MAX + 1 is out of range");
	ok(num_parse_u64("0x4d2", 0, UINT64_MAX, &v) == 0 && v == 1234,
	   "hex 0x4d2 parses to 1234");
	ok(num_parse_u64("0XFF", 0, UINT64_MAX, &v) == 0 && v == 255, "hex 0XFF parses");
	ok(num_parse_u64("", 0, 10, &v) == -EINVAL, "empty string is not a number");
	ok(num_parse_u64("0x", 0, 10, &v) == -EINVAL, "bare 0x is not a number");
	ok(num_parse_u64("-1", 0, 10, &v) == -EINVAL, "negative numbers are rejected");
	ok(num_parse_u64("+1", 0, 10, &v) == -EINVAL, "a leading + is rejected");
	ok(num_parse_u64(" 1", 0, 10, &v) == -EINVAL, "leading space is rejected");
	ok(num_parse_u64("1 ", 0, 10, &v) == -EINVAL, "trailing space is rejected");
	ok(num_parse_u64("12abc", 0, 100, &v) == -EINVAL, "trailing junk is rejected");
	ok(num_parse_u64("0", 1, 10, &v) == -ERANGE, "below min is out of range");
	ok(num_parse_u64("11", 1, 10, &v) == -ERANGE, "above max is out of range");
	ok(num_parse_u32("86400", 1, 86400, &w) == 0 && w == 86400, "u32 at max parses");
	ok(num_parse_u32("4294967296", 0, UINT32_MAX, &w) == -ERANGE,
	   "u32 overflow is out of range");
}

int main(void)
{
	printf("TAP version 13\n");
	test_addr();
	test_num();
	return tap_done();
}
