/*
 * expect - phase compliance: audit a server from every vantage point given
 * (an outsider, an address on the allow list, a user with credentials;
 * before and inside STARTTLS) and judge every cell (who x AUTH x
 * recipient, and the mechanisms advertised) against what the policy model
 * (policy_relays, policy_offered) predicts for the phase.  A cell differs
 * "too open" or "too closed"; a cell no vantage point could see is
 * "untested", never passed.  Owns the document it returns.  Never prints.
 */
#ifndef RELAY_EXPECT_H
#define RELAY_EXPECT_H

#include <jansson.h>

#include "audit.h"
#include "policy.h"

struct expect_opts {
	struct audit_opts audit;	/* the outsider's audit: target,
					 * connection, credentials, config */
	enum phase phase;		/* the phase the server must be in */
	const char *allowed_source;	/* an address on the allow list, or
					 * NULL */
};

/*
 * expect_run - audit and judge.  Returns the outsider's audit document
 * (audit.h) with an "expect" member (the phase, the views, every cell,
 * counts) and the EXP-TOO-OPEN, EXP-TOO-CLOSED and EXP-UNTESTED findings
 * added; NULL when out of memory.
 */
json_t *expect_run(const struct expect_opts *o);

/* expect_settled - DOC (of expect_run) has no cell too open or too closed */
bool expect_settled(const json_t *doc);

#endif
