/*
 * configure - what the configuration commands share: open the backend
 * under the lock, turn core errors into messages and exit codes, apply a
 * plan (diff, confirm, backup, atomic write, reload, restore on a failed
 * reload) and report it in text or JSON.
 */
#ifndef CLI_CONFIGURE_H
#define CLI_CONFIGURE_H

#include <stdbool.h>

#include <jansson.h>

#include "backend.h"
#include "commands.h"
#include "safefile.h"

/*
 * A check of the server after a change (enable-phase --verify): WAIT says
 * whether to wait for the server to answer with the new policy (after a
 * write) or to look at it as it is (a dry run, an unchanged file).  Sets
 * *DOC (a JSON report, or NULL) and returns EXIT_OK, EXIT_WARNING,
 * EXIT_CRITICAL (the change is undone) or EXIT_UNKNOWN.
 */
typedef int (*verify_fn)(struct cli *cli, void *ctx, bool wait, json_t **doc);

/* The options of the commands that write (WRITE_OPTS). */
struct write_opts {
	bool dry_run, no_reload, yes;
	const char *reload_cmd;
	verify_fn verify;		/* or NULL */
	void *verify_ctx;
};

/* write_opt - take one WRITE_OPTS key C into W; 1 if it was one */
int write_opt(struct write_opts *w, int c, const char *arg);

/* A configuration opened for reading, or for changing under its lock. */
struct config {
	struct backend *be;
	struct safefile_lock *lock;	/* NULL when opened read-only */
	char *main_path;
	char *backup_dir;
};

/*
 * config_open - open the configuration of CLI->config_dir; with LOCKED,
 * take the lock first (waiting up to 30 s) so that the file read is the
 * file written.  On failure the error is printed and the exit code
 * returned; EXIT_OK on success.
 */
int config_open(struct cli *cli, bool locked, struct config *cfg);

/* config_close - release the lock and the backend. */
void config_close(struct config *cfg);

/*
 * config_apply - carry out PLAN: print the diff, stop for a dry run, ask
 * on a terminal unless --yes, back up and replace the file, reload, and
 * restore the old file if the reload fails.  WHAT names the change for
 * the report ("phase 2"); EXTRA (stolen, may be NULL) is merged into the
 * JSON report.  Returns the exit code.
 */
int config_apply(struct cli *cli, struct config *cfg,
    const struct backend_plan *plan, const struct write_opts *w,
    const char *what, json_t *extra);

/*
 * parse_cidrs - parse N texts into a malloc'd array (*OUT); host bits are
 * cleared with a warning, very wide prefixes warned about.  Prints the
 * error and returns EXIT_USAGE on a bad one, EXIT_OK otherwise.
 */
int parse_cidrs(char **texts, int n, struct cidr **out);

#endif
