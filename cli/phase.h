/*
 * phase - one change of phase and allow list, carried out the way
 * `enable-phase` does it: read the configuration under the lock, work out
 * the target policy, plan, check, write, reload, verify.  enable-phase and
 * the shell's `apply` and `diff` both go through phase_change_apply(), so
 * a change staged in the shell writes exactly the bytes of the equivalent
 * command line.
 */
#ifndef CLI_PHASE_H
#define CLI_PHASE_H

#include <stdbool.h>
#include <stddef.h>

#include "cidr.h"
#include "configure.h"
#include "policy.h"
#include "verify.h"

/* One edit of the allow list: add NET, or delete it. */
struct allow_op {
	bool del;
	struct cidr net;
};

struct phase_change {
	bool set_phase;		/* else the configuration's phase stays */
	enum phase phase;
	bool replace;		/* start from an empty allow list, not the
				 * configuration's (enable-phase --allow) */
	const struct allow_op *ops;	/* then these edits, in order */
	size_t nops;
	const char *hint;	/* how to give an allowed network, for the
				 * error of phase 2 without one */
	const char *who;	/* the command, for messages */
};

/* allow_edit - LIST (room for N + CH's ops) after CH's edits, in order;
 * with WARN, warns of a deletion that finds nothing; the new length */
size_t allow_edit(struct cidr *list, size_t n, const struct phase_change *ch,
    bool warn);

/*
 * phase_change_apply - carry out CH with the write options W; with VC
 * (not NULL) verify the server after the reload, as --verify does.
 * Prints what it does; returns the exit code.
 */
int phase_change_apply(struct cli *cli, const struct phase_change *ch,
    struct write_opts *w, struct verify_ctx *vc);

#endif
