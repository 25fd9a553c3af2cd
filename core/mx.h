/*
 * mx - where a domain's mail goes: its MX hosts in preference order, each
 * with its IPv4 and IPv6 addresses, or the domain's own addresses when it
 * has no MX (RFC 5321 5.1), through the system's resolver or a chosen DNS
 * server.  Owns the list it returns.  Never prints.
 */
#ifndef RELAY_MX_H
#define RELAY_MX_H

#include <stddef.h>

#include "relay_err.h"

struct mx_addr {
	char host[256];		/* the MX host (or the domain itself) */
	char addr[64];		/* one of its addresses, as text, or "" */
	char fail[256];		/* "": ADDR is to be audited; else why HOST
				 * has no address to audit (its lookup failed,
				 * or it has none) */
	unsigned pref;		/* its MX preference; 0 for an implicit MX */
};

/*
 * mx_resolve - the addresses to audit for DOMAIN, through RESOLVER
 * ("ADDR" or "ADDR:PORT", IPv4; NULL: the system's), in MX preference
 * order (then host name), each host's IPv4 addresses before its IPv6
 * ones; an MX host whose addresses cannot be had is one entry with FAIL
 * set, and the others are still audited.  On success *OUT (malloc'd) holds
 * *N >= 1 entries, at least one with an address.  A domain that does not
 * exist, accepts no mail (null MX) or has no address is RELAY_EINVAL; a
 * resolver that does not answer is RELAY_ETIMEOUT; DIAG says which.
 */
enum relay_err mx_resolve(const char *domain, const char *resolver,
    struct mx_addr **out, size_t *n, struct relay_diag *diag);

#endif
