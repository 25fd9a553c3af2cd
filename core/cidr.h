/*
 * cidr - IPv4 and IPv6 prefixes as Postfix lists them in mynetworks:
 * parse, normalise, format, compare.  Owns nothing (struct cidr is a
 * value).  Never prints: errors come back as text in a caller's buffer.
 */
#ifndef RELAY_CIDR_H
#define RELAY_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relay_err.h"

struct cidr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network order; IPv4 in the first 4 bytes */
	unsigned prefix;	/* 0..32 or 0..128 */
};

/* The longest text cidr_format() writes, with its NUL. */
#define CIDR_STRLEN 52

/* Flags for cidr_parse(). */
#define CIDR_HOSTBITS_OK 1	/* clear host bits silently (else: an error) */

/*
 * cidr_parse - parse TEXT into *OUT.  Accepted: "192.0.2.0/24",
 * "192.0.2.7" (a host: /32), "2001:db8::/48", "[2001:db8::]/48" and
 * "[2001:db8::1]" (Postfix's bracketed form), "2001:db8::1" (/128).
 * Refused, with RELAY_EINVAL and a message in ERR (ERRLEN bytes) that
 * quotes TEXT: empty text, a bad address, a missing, non-decimal, signed,
 * leading-zero or too large prefix ("/33" for IPv4, "/129" for IPv6),
 * IPv4 octets with leading zeros (ambiguous: octal to some parsers),
 * unbalanced brackets, an IPv4 address in brackets, trailing text, zone
 * ids ("%eth0"), and host bits set below the prefix ("192.0.2.1/24")
 * unless FLAGS has CIDR_HOSTBITS_OK, in which case they are cleared and
 * *NORMALISED (if not NULL) is set to true.  *OUT is untouched on error.
 */
enum relay_err cidr_parse(const char *text, int flags, struct cidr *out,
    bool *normalised, char *err, size_t errlen);

/*
 * cidr_format - write C as Postfix writes it in mynetworks: "192.0.2.0/24",
 * "[2001:db8::]/48", IPv6 in RFC 5952 form.  Always with the prefix, also
 * /32 and /128.  BUF must hold CIDR_STRLEN bytes; returns BUF.
 */
char *cidr_format(const struct cidr *c, char *buf);

/* cidr_contains - every address of INNER is in OUTER (same family). */
bool cidr_contains(const struct cidr *outer, const struct cidr *inner);

/* cidr_overlaps - A and B share at least one address. */
bool cidr_overlaps(const struct cidr *a, const struct cidr *b);

/* cidr_equal - same family, network and prefix. */
bool cidr_equal(const struct cidr *a, const struct cidr *b);

/* cidr_is_everything - 0.0.0.0/0 or ::/0. */
bool cidr_is_everything(const struct cidr *c);

/* cidr_is_loopback - inside 127.0.0.0/8 or equal to ::1/128. */
bool cidr_is_loopback(const struct cidr *c);

/*
 * cidr_is_wide - wider than a typical site allow list: IPv4 shorter than
 * /8, IPv6 shorter than /32.  Used for warnings, not refusals.
 */
bool cidr_is_wide(const struct cidr *c);

/* cidr_is_own_address - C is a host (/32, /128) and one address of this
 * machine's network interfaces. */
bool cidr_is_own_address(const struct cidr *c);

/* cidr_addr_size - 4 for IPv4, 16 for IPv6. */
size_t cidr_addr_size(const struct cidr *c);

#endif
