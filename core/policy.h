/*
 * policy - the backend-neutral relay policy (DESIGN.md, PHASES.md §2): who
 * relays and how, the phases 0, I, II, III and III-TLS, and the invariants
 * relayctl refuses to break.  Owns the allow list of a struct policy.
 * Never prints.
 */
#ifndef RELAY_POLICY_H
#define RELAY_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "cidr.h"
#include "relay_err.h"

/* SASL mechanisms, as bits. */
enum {
	MECH_CRAM_MD5 = 1,
	MECH_PLAIN = 2,
	MECH_LOGIN = 4,
	MECH_ANONYMOUS = 8,	/* never allowed (rule I3) */
	MECH_OTHER = 16		/* anything else the server offers */
};
#define MECH_CLEARTEXT (MECH_PLAIN | MECH_LOGIN)

enum phase {
	PHASE_0,	/* baseline: nothing leaves, nobody relays */
	PHASE_1,	/* outbound; self and CRAM-MD5 users relay */
	PHASE_2,	/* + the allow list relays without AUTH */
	PHASE_3,	/* + PLAIN and LOGIN users (clear text) */
	PHASE_3_TLS,	/* as 3, PLAIN and LOGIN only after STARTTLS */
	PHASE_CUSTOM	/* none of the above */
};

struct policy {
	bool outbound;		/* the server delivers to other domains */
	struct cidr *allow;	/* relay without AUTH, beyond the server itself */
	size_t nallow;
	unsigned auth_mechs;	/* mechanisms offered that allow relay */
	unsigned tls_only_mechs; /* of those, the ones offered only after TLS */
};

/* Who a client is to a policy: relay without AUTH depends on it. */
enum client_class {
	CLIENT_OUTSIDER,	/* anybody: relays only after AUTH */
	CLIENT_ALLOWED,		/* on the allow list */
	CLIENT_SELF		/* the server itself (loopback, own addresses) */
};

/*
 * policy_shape - the policy of PHASE with no allow list, for predictions
 * when the list is not known (phase 2 and 3 need one to be configured).
 * RELAY_EINVAL for PHASE_CUSTOM.
 */
enum relay_err policy_shape(enum phase phase, struct policy *out);

/*
 * policy_relays - whether P lets a client of class C relay after AUTH with
 * MECH (one MECH_ bit, 0 for none) on a session inside TLS or not: the
 * expectation every audit cell is judged by.  Nobody relays without
 * outbound delivery; the server itself and the allow list (when P has
 * one) need no AUTH;
 * anybody else needs a mechanism of P, offered in that session.
 */
bool policy_relays(const struct policy *p, enum client_class c,
    unsigned mech, bool tls);

/* policy_offered - the mechanisms P advertises before TLS or inside it */
unsigned policy_offered(const struct policy *p, bool tls);

/* client_class_name - "outsider", "allowed" or "self" */
const char *client_class_name(enum client_class c);

/*
 * policy_for_phase - the policy of PHASE with the allow list ALLOW (N
 * entries, copied).  Refused with RELAY_EINVAL and a message in ERR naming
 * the rule: an allow list with phase 0 or 1, none with phase 2, phase
 * PHASE_CUSTOM.  *OUT is initialised either way; release it with
 * policy_release().
 */
enum relay_err policy_for_phase(enum phase phase, const struct cidr *allow,
    size_t n, struct policy *out, char *err, size_t errlen);

/*
 * policy_check - the invariants of DESIGN.md, first broken one reported in
 * ERR with its rule: I1 no allow entry covering everything; I2 PLAIN or
 * LOGIN only together with CRAM-MD5; I3 never ANONYMOUS; I4 AUTH only when
 * the server delivers outbound.  RELAY_OK or RELAY_EINVAL.
 */
enum relay_err policy_check(const struct policy *p, char *err, size_t errlen);

/* policy_phase - which phase P is, or PHASE_CUSTOM. */
enum phase policy_phase(const struct policy *p);

/* policy_release - free P's allow list and reset P; NULL is safe. */
void policy_release(struct policy *p);

/* phase_name - "0", "1", "2", "3", "3-tls" or "custom". */
const char *phase_name(enum phase phase);

/*
 * phase_parse - "0".."3" (or "I", "II", "III"); with TLS_ONLY, phase 3
 * becomes PHASE_3_TLS.  RELAY_EINVAL for anything else, and for TLS_ONLY
 * with phases 0..2 (message in ERR).
 */
enum relay_err phase_parse(const char *text, bool tls_only, enum phase *out,
    char *err, size_t errlen);

/* mech_name - the name of one MECH_ bit ("CRAM-MD5"), NULL for none;
 * the bits run from MECH_CRAM_MD5 to MECH_OTHER */
const char *mech_name(unsigned bit);

/* mech_names - MECHS as "CRAM-MD5 PLAIN LOGIN" (in that order) in BUF. */
char *mech_names(unsigned mechs, char *buf, size_t len);

/* mech_bit - the bit of mechanism NAME (case-insensitive), MECH_OTHER for
 * an unknown one. */
unsigned mech_bit(const char *name);

#endif
