/*
 * explain - why a server accepts or refuses one RCPT: the relay decision
 * of the configuration (a backend report's effective settings, each with
 * the line it comes from) walked as the server walks it for one client,
 * AUTH state and recipient, naming the restriction and the setting that
 * decided and the fix.  Owns nothing.  Never prints.
 */
#ifndef RELAY_EXPLAIN_H
#define RELAY_EXPLAIN_H

#include <stdbool.h>

#include <jansson.h>

#include "backend.h"

struct explain_query {
	const char *client;	/* the client's address */
	const char *mech;	/* the AUTH mechanism that succeeded, or NULL */
	bool tls;		/* the session was inside TLS */
	const char *rcpt;	/* the recipient, e.g. "relaytest@example.net" */
};

enum explain_decision { EXPLAIN_ACCEPT, EXPLAIN_REFUSE, EXPLAIN_UNKNOWN };

struct explain_result {
	enum explain_decision decision;
	char because[1200];	/* the restriction, the setting, its line */
	char fix[300];		/* what to change, or "" */
};

/*
 * explain_rcpt - the decision of R for Q.  RELAY_EINVAL when Q's client is
 * not an address (the message in OUT->because).
 */
enum relay_err explain_rcpt(const struct backend_report *r,
    const struct explain_query *q, struct explain_result *out);

/*
 * explain_target - the explanations of an audited TARGET (audit.h's
 * document): of each cell too open or too closed with --expect-phase,
 * else of each test that relayed; cells with the same explanation are
 * grouped.  A JSON array of {decision, because, fix, cells}, or NULL when
 * out of memory.
 */
json_t *explain_target(const struct backend_report *r, const json_t *target);

/* explain_decision_name - "accept", "refuse" or "unknown" */
const char *explain_decision_name(enum explain_decision d);

#endif
