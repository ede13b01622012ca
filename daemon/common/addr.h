/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IPv4/IPv6 addresses with an optional UDP port, as users write them:
 *   192.0.2.1        192.0.2.1:5004
 *   2001:db8::1      [2001:db8::1]:5004     [2001:db8::1]
 * An IPv6 address followed by a port must be bracketed.
 */
#ifndef COMMON_ADDR_H
#define COMMON_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* family AF_UNSPEC means "no address" (any). */
struct addr {
	sa_family_t family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	};
};

/* Longest output of addr_format(): "[" INET6 "]:65535" and the NUL. */
#define ADDR_STRLEN (INET6_ADDRSTRLEN + 8)

enum addr_port {
	ADDR_PORT_REQUIRED,	/* ADDR:PORT, [V6]:PORT */
	ADDR_PORT_OPTIONAL,	/* also ADDR, V6, [V6] (port 0) */
	ADDR_PORT_NONE,		/* ADDR, V6, [V6] only */
};

/*
 * Parses s into *a and *port (port may be NULL with ADDR_PORT_NONE).
 * Returns NULL on success, else a constant sentence saying what is wrong
 * ("port must be 1..65535"), meant to follow the quoted argument.
 */
const char *addr_parse(const char *s, enum addr_port mode, struct addr *a,
		       uint16_t *port);

/* Parses a decimal port 1..65535; NULL or a sentence like addr_parse(). */
const char *addr_parse_port(const char *s, uint16_t *port);

/* Formats a (and port unless 0); "*" for AF_UNSPEC. Returns buf. */
char *addr_format(const struct addr *a, uint16_t port, char *buf, size_t len);

/* 4, 16, or 0 for other families. */
size_t addr_len(const struct addr *a);
size_t addr_family_len(int family);

/* Fills a from len bytes in network order; false unless len fits family. */
bool addr_set(struct addr *a, int family, const void *bytes, size_t len);

bool addr_equal(const struct addr *a, const struct addr *b);

/* "inet", "inet6" or "unspec". */
const char *addr_family_name(int family);

#endif
