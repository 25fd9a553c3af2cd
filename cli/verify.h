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
};

/* verify_probe - whether the listener answers now (before a change): a
 * server that was down before is not broken by it */
bool verify_probe(struct cli *cli, const struct verify_ctx *v);

/* verify_phase - a verify_fn over a struct verify_ctx */
int verify_phase(struct cli *cli, void *ctx, bool wait, json_t **doc);

#endif
