/*
 * verify - enable-phase --verify: after a change, audit the local
 * listener from an outsider's address and an allowed one until the server
 * answers with the new policy, then judge every cell against the phase
 * (core/expect).  config_apply() undoes the change on a critical result.
 */
#ifndef CLI_VERIFY_H
#define CLI_VERIFY_H

#include "configure.h"
#include "policy.h"

struct verify_ctx {
	enum phase phase;
	const struct policy *target;
	const char *source;	/* --verify-source, or NULL: picked */
	const char *allowed;	/* --verify-allowed-source, or NULL: picked */
	double wait_s;		/* how long the server may take to reload */
	bool answered;		/* the listener answered before the change */
	bool on;		/* --verify given */
	bool wait_set;		/* --verify-wait given */
};

/* VERIFY_CTX_INIT - no --verify yet, the defaults of its options */
#define VERIFY_CTX_INIT { PHASE_CUSTOM, NULL, NULL, NULL, 10, false, false, \
	false }

/*
 * verify_opt - take one VERIFY_OPTS key C (argument ARG) into V: 1 if it
 * was one, 0 if not, -1 after an error naming WHO (a bad --verify-wait)
 */
int verify_opt(struct verify_ctx *v, int c, const char *arg, const char *who);

/* verify_opts_check - the options need --verify: EXIT_OK, or EXIT_USAGE
 * after an error naming WHO */
int verify_opts_check(const struct verify_ctx *v, const char *who);

/* verify_probe - whether the listener answers now (before a change): a
 * server that was down before is not broken by it */
bool verify_probe(struct cli *cli, const struct verify_ctx *v);

/* verify_phase - a verify_fn over a struct verify_ctx */
int verify_phase(struct cli *cli, void *ctx, bool wait, json_t **doc);

#endif
