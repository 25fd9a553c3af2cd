/*
 * battery - the relay tricks of shared/RELAY-TESTS.md as data: each test a
 * stable ID, a sender and a recipient pattern, and whether the server must
 * refuse it (a relay attempt) or accept it (a positive path).  Expands the
 * patterns for one target.  Owns the expanded strings.  Never prints.
 */
#ifndef RELAY_BATTERY_H
#define RELAY_BATTERY_H

#include <stdbool.h>
#include <stddef.h>

#include "relay_err.h"

enum test_kind {
	TEST_RELAY,	/* an external recipient: must not be accepted */
	TEST_LOCAL,	/* a local recipient: must be accepted */
	TEST_PROBE	/* a local user that cannot exist: tells a sink */
};

/* What the patterns are filled with. */
struct battery_vars {
	const char *user;	/* U: the test recipient's local part */
	const char *sender;	/* F: the test sender's local part */
	const char *external;	/* D: the external domain (RFC 2606) */
	const char *server;	/* S: the server's name (banner/EHLO) */
	const char *ip;		/* the server's address, "192.0.2.1" or "2001:db8::1" */
	const char *local;	/* T: a local domain of the target */
};

struct battery_test {
	char id[32];		/* stable: "RLY-PCT-IP" */
	const char *desc;
	enum test_kind kind;
	char from[320];		/* MAIL FROM argument, brackets included */
	char rcpt[320];		/* RCPT TO argument */
};

/*
 * battery_build - every test for VARS whose ID matches the fnmatch(3)
 * PATTERN (NULL: all), in a malloc'd array (*OUT, *N).  RELAY_EINVAL when
 * the pattern matches nothing (ERR says so).
 */
enum relay_err battery_build(const struct battery_vars *vars,
    const char *pattern, struct battery_test **out, size_t *n,
    char *err, size_t errlen);

#endif
