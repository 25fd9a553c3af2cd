/*
 * fleet - audit many targets at once: a pool of worker threads (each with
 * its own libcurl handles) taking targets in input order, an overall
 * deadline, results kept in input order and handed to a callback as they
 * finish.  One slow or dead target holds up nothing but its own worker.
 * Owns the results it returns.  Never prints.
 */
#ifndef RELAY_FLEET_H
#define RELAY_FLEET_H

#include <stddef.h>

#include <jansson.h>

#include "expect.h"

struct fleet_opts {
	unsigned jobs;			/* targets in flight, at least 1 */
	long long deadline_ms;		/* the end of the whole run, on
					 * transport_now_ms()'s clock; 0: none */
	/* done - called as each target finishes, one call at a time, in
	 * the order they finish; DOC is borrowed (the callee may add to it) */
	void (*done)(void *ctx, size_t index, json_t *doc);
	void *ctx;
};

/*
 * fleet_run - audit the N targets T (an expect_opts each: with phase
 * PHASE_CUSTOM a plain audit, else a phase check).  Call
 * transport_global_init() first.  *OUT is an array of the N documents in
 * input order; a target the deadline left unstarted is "unknown" with the
 * reason, and every wait of those started ends by the deadline.
 * RELAY_ENOMEM; when no thread can start, the work is done in the caller's.
 */
enum relay_err fleet_run(const struct expect_opts *t, size_t n,
    const struct fleet_opts *o, json_t **out);

#endif
