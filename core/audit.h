/*
 * audit - run the relay battery against one target over the transport and
 * judge it: every RCPT reply classified, findings with stable IDs and
 * evidence, a verdict (open, closed, unknown; never closed for a test that
 * did not run), all as one JSON object of the documented schema
 * ("relayctl.audit/1", man relayctl(8)).  Owns the document it returns.
 * Never prints.
 */
#ifndef RELAY_AUDIT_H
#define RELAY_AUDIT_H

#include <stdbool.h>

#include <jansson.h>

#include "backend.h"
#include "transport.h"

#define AUDIT_SCHEMA "relayctl.audit/1"

/* At most this many connections to one target at once. */
#define AUDIT_MAX_CONNECTIONS 16

struct audit_opts {
	const struct transport_ops *ops;	/* &transport_curl */
	struct transport_opts conn;		/* host, port, TLS, source, EHLO */
	const char *target;			/* as the user wrote it */
	const char *external;			/* D, default "example.net" */
	const char *local;			/* T, or NULL: from the banner */
	const char *user;			/* U, default "relaytest" */
	const char *sender;			/* F, default "relayctl" */
	const char *tests;			/* fnmatch pattern of IDs, or NULL */
	unsigned per_connection;		/* refusals a connection may
						 * meet (8): under Postfix's
						 * smtpd_soft_error_limit (10) */
	unsigned connections;			/* connections at once, 1 to
						 * AUDIT_MAX_CONNECTIONS
						 * (0: 1) */
	const char *auth_user;			/* real credentials, or NULL */
	const char *auth_pass;			/* never printed or stored */
	bool allow_cleartext_auth;		/* send them without TLS too */
	bool no_auth;				/* the battery only: no AUTH */
	const struct backend_report *config;	/* the server's configuration,
						 * or NULL: tells whether the
						 * source is trusted */
	bool assume_outsider;			/* the user says: not trusted */
};

/*
 * audit_run - audit O's target.  Returns the target's JSON object (owned
 * by the caller), or NULL when out of memory.  Connection failures are not
 * errors here: they give the verdict "unknown" with the reason.
 */
json_t *audit_run(const struct audit_opts *o);

/* audit_unknown - the object of a target that could not be audited at
 * all (its name did not resolve, the deadline passed): verdict "unknown"
 * with REASON; NULL when out of memory */
json_t *audit_unknown(const char *target, const char *host, unsigned port,
    const char *reason);

/* audit_verdict - "open", "closed" or "unknown" of a target object */
const char *audit_verdict(const json_t *target);

#endif
