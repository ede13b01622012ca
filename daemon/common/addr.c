// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/addr.h"

const char *addr_parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (!*s)
		return "missing port (expected 1..65535)";
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return "port must be a number 1..65535";
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 65535)
			return "port must be 1..65535";
	}
	if (v == 0)
		return "port must be 1..65535";
	*port = (uint16_t)v;
	return NULL;
}

static bool parse_ip(const char *s, size_t n, int family, struct addr *a)
{
	char tmp[INET6_ADDRSTRLEN];

	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	memset(a, 0, sizeof(*a));
	if (inet_pton(family, tmp, a->bytes) != 1)
		return false;
	a->family = (sa_family_t)family;
	return true;
}

const char *addr_parse(const char *s, enum addr_port mode, struct addr *a,
		       uint16_t *port)
{
	const char *colon, *end, *port_str = NULL;
	uint16_t p = 0;
	const char *err;

	if (!*s)
		return "empty address (expected ADDR:PORT or [V6ADDR]:PORT)";
	if (*s == '[') {
		end = strchr(s, ']');
		if (!end)
			return "missing ']' after IPv6 address";
		if (!parse_ip(s + 1, (size_t)(end - s - 1), AF_INET6, a))
			return "not a valid IPv6 address inside [ ]";
		if (end[1] == ':')
			port_str = end + 2;
		else if (end[1])
			return "unexpected text after ']' (expected :PORT)";
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':')) {
			if (!parse_ip(s, strlen(s), AF_INET6, a))
				return "not a valid IPv6 address (write [V6ADDR]:PORT to give a port)";
			if (mode == ADDR_PORT_REQUIRED)
				return "missing port (write IPv6 with a port as [V6ADDR]:PORT)";
		} else {
			size_t n = colon ? (size_t)(colon - s) : strlen(s);

			if (!parse_ip(s, n, AF_INET, a))
				return "not a valid IPv4 address (expected a.b.c.d, or [V6ADDR] for IPv6)";
			if (colon)
				port_str = colon + 1;
		}
	}
	if (port_str) {
		if (mode == ADDR_PORT_NONE)
			return "a port is not allowed here (expected an address only)";
		err = addr_parse_port(port_str, &p);
		if (err)
			return err;
	} else if (mode == ADDR_PORT_REQUIRED) {
		return "missing port (expected ADDR:PORT or [V6ADDR]:PORT)";
	}
	if (port)
		*port = p;
	return NULL;
}

char *addr_format(const struct addr *a, uint16_t port, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (a->family != AF_INET && a->family != AF_INET6) {
		if (port)
			snprintf(buf, len, "*:%u", port);
		else
			snprintf(buf, len, "*");
		return buf;
	}
	if (!inet_ntop(a->family, a->bytes, ip, sizeof(ip)))
		snprintf(ip, sizeof(ip), "?");
	if (!port)
		snprintf(buf, len, "%s", ip);
	else if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", ip, port);
	else
		snprintf(buf, len, "%s:%u", ip, port);
	return buf;
}

size_t addr_family_len(int family)
{
	if (family == AF_INET)
		return 4;
	if (family == AF_INET6)
		return 16;
	return 0;
}

size_t addr_len(const struct addr *a)
{
	return addr_family_len(a->family);
}

bool addr_set(struct addr *a, int family, const void *bytes, size_t len)
{
	size_t want = addr_family_len(family);

	if (!want || len != want)
		return false;
	memset(a, 0, sizeof(*a));
	a->family = (sa_family_t)family;
	memcpy(a->bytes, bytes, len);
	return true;
}

bool addr_equal(const struct addr *a, const struct addr *b)
{
	return a->family == b->family &&
	       !memcmp(a->bytes, b->bytes, addr_len(a));
}

const char *addr_family_name(int family)
{
	if (family == AF_INET)
		return "inet";
	if (family == AF_INET6)
		return "inet6";
	return "unspec";
}
