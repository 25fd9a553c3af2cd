/*
 * configure - open, lock, plan reporting and the safe apply of the
 * configuration commands.  Owns nothing beyond a struct config's members.
 * Prints diffs, results and errors for its callers.
 */
/* asprintf(3) */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cidr.h"
#include "configure.h"
#include "diff.h"
#include "output.h"

#define LOCK_WAIT_MS 30000
#define BACKUPS_KEPT 10

int write_opt(struct write_opts *w, int c, const char *arg)
{
	switch (c) {
	case 'n':
		w->dry_run = true;
		return 1;
	case OPT_LONG_ONLY + 10:
		w->no_reload = true;
		return 1;
	case OPT_LONG_ONLY + 11:
		w->reload_cmd = arg;
		return 1;
	case 'y':
		w->yes = true;
		return 1;
	}
	return 0;
}

/* open_status - the exit code for a failed open of the configuration */
static int open_status(enum relay_err err)
{
	switch (err) {
	case RELAY_EINVAL:
		return EXIT_DATAERR;
	case RELAY_ENOMEM:
		return EXIT_SOFTWARE;
	case RELAY_ETIMEOUT:
		return EXIT_TEMPFAIL;
	default:
		return EXIT_NOINPUT;
	}
}

int config_open(struct cli *cli, bool locked, struct config *cfg)
{
	struct backend_opts bo = { cli->config_dir, cli->pf_version };
	struct relay_diag diag = { "" };
	struct safefile_diag sd;
	enum relay_err err;

	memset(cfg, 0, sizeof(*cfg));
	if (asprintf(&cfg->main_path, "%s/main.cf", cli->config_dir) < 0 ||
	    asprintf(&cfg->backup_dir, "%s/relayctl-backups",
	    cli->config_dir) < 0) {
		out_error("out of memory");
		return EXIT_SOFTWARE;
	}
	if (locked) {
		if (access(cfg->main_path, F_OK) != 0) {
			out_error("cannot read '%s': %s", cfg->main_path,
			    strerror(errno));
			return EXIT_NOINPUT;
		}
		err = safefile_lock(cfg->main_path, LOCK_WAIT_MS, &cfg->lock, &sd);
		if (err != RELAY_OK) {
			out_error("%s%s", sd.msg, err == RELAY_ETIMEOUT ?
			    "; another relayctl is changing it, try again" : "");
			return err == RELAY_ETIMEOUT ? EXIT_TEMPFAIL :
			    EXIT_CANTCREAT;
		}
	}
	if ((err = postfix_backend.open(&bo, &cfg->be, &diag)) != RELAY_OK) {
		out_error("%s", diag.msg[0] ? diag.msg : relay_strerror(err));
		return open_status(err);
	}
	return EXIT_OK;
}

void config_close(struct config *cfg)
{
	if (cfg->be != NULL)
		postfix_backend.close(cfg->be);
	safefile_unlock(cfg->lock);
	free(cfg->main_path);
	free(cfg->backup_dir);
	memset(cfg, 0, sizeof(*cfg));
}

/* confirm - ask on a terminal; true when the answer is yes */
static bool confirm(const char *what)
{
	char line[16];

	fprintf(stderr, "relayctl: apply %s to this configuration? [y/N] ",
	    what);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}

/* report - the JSON document or the last text line of an apply */
static int report(struct cli *cli, const char *result, const char *what,
    const struct backend_plan *plan, const char *diff, const char *backup,
    bool reloaded, json_t *extra)
{
	json_t *doc, *notes;
	size_t i;

	if (!cli->json) {
		json_decref(extra);
		if (strcmp(result, "unchanged") == 0)
			printf("%s: %s is already in place in %s\n",
			    out_paint("unchanged"), what,
			    cli->config_dir);
		else if (strcmp(result, "rollback-failed") == 0)
			printf("%s: %s failed its verification and "
			    "the previous file could not be put back; the backup "
			    "is %s\n", out_paint("rollback failed"), what, backup != NULL ? backup : "missing");
		else if (strcmp(result, "rolled-back") == 0)
			printf("%s: %s failed its verification; the "
			    "previous %s/main.cf is back in place%s\n",
			    out_paint("rolled back"), what,
			    cli->config_dir, reloaded ? " and Postfix reloaded" :
			    "");
		else if (strcmp(result, "dry-run") == 0)
			printf("%s: %s would change %zu setting%s; nothing "
			    "written\n", out_paint("dry run"), what, plan->nchanged,
			    plan->nchanged == 1 ? "" : "s");
		else
			printf("%s: %s (%zu setting%s)%s%s%s\n",
			    out_paint("changed"), what,
			    plan->nchanged, plan->nchanged == 1 ? "" : "s",
			    backup ? ", backup " : "", backup ? backup : "",
			    reloaded ? ", Postfix reloaded" : "");
		return EXIT_OK;
	}
	if ((notes = json_array()) == NULL)
		return out_json(NULL);
	for (i = 0; i < plan->notes.n; i++)
		json_array_append_new(notes, json_string(plan->notes.v[i]));
	doc = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s?, s:b, s:o}",
	    "result", result, "change", what, "config", cli->config_dir,
	    "settings_changed", (json_int_t)plan->nchanged,
	    "diff", diff != NULL ? diff : "", "backup", backup,
	    "reloaded", reloaded, "notes", notes);
	if (doc != NULL && extra != NULL)
		json_object_update(doc, extra);
	json_decref(extra);
	return out_json(doc);
}

/* restore - put PLAN's old file back through the safe write; 0 or -1
 * after a message */
static int restore(struct config *cfg, const struct backend_plan *plan)
{
	struct safefile_diag sd;

	if (safefile_replace(cfg->lock, cfg->main_path, plan->old_data,
	    plan->old_len, NULL, 0, NULL, &sd) == RELAY_OK)
		return 0;
	out_error("could not restore '%s': %s; the backup is in '%s'",
	    cfg->main_path, sd.msg, cfg->backup_dir);
	return -1;
}

/* verify - run W's check; its report goes into *EXTRA as "verify" */
static int verify(struct cli *cli, const struct write_opts *w, bool wait,
    json_t **extra)
{
	json_t *doc = NULL;
	int rc = w->verify(cli, w->verify_ctx, wait, &doc);

	if (doc != NULL) {
		if (*extra == NULL)
			*extra = json_object();
		json_object_set_new(*extra, "verify", doc);
	}
	return rc;
}

int config_apply(struct cli *cli, struct config *cfg,
    const struct backend_plan *plan, const struct write_opts *w,
    const char *what, json_t *extra)
{
	struct relay_diag diag = { "" };
	struct safefile_diag sd;
	char *diff = NULL, *backup = NULL;
	bool reloaded = false;
	enum relay_err err;
	size_t i;
	int rc, vrc = EXIT_OK;

	if (!cli->json)
		for (i = 0; i < plan->notes.n; i++)
			fprintf(stderr, "relayctl: note: %s\n", plan->notes.v[i]);
	if (plan->nchanged == 0 || (plan->new_len == plan->old_len &&
	    memcmp(plan->new_data, plan->old_data, plan->old_len) == 0)) {
		if (w->verify != NULL)
			vrc = verify(cli, w, false, &extra);
		rc = report(cli, "unchanged", what, plan, NULL, NULL, false,
		    extra);
		return rc != EXIT_OK ? rc : vrc;
	}
	if (diff_unified(plan->old_data, plan->old_len, plan->new_data,
	    plan->new_len, cfg->main_path, cfg->main_path, &diff) != RELAY_OK) {
		json_decref(extra);
		out_error("out of memory");
		return EXIT_SOFTWARE;
	}
	if (!cli->json)
		out_diff(diff);
	if (w->dry_run) {
		/* --dry-run --verify: the server now, against the target */
		if (w->verify != NULL)
			vrc = verify(cli, w, false, &extra);
		rc = report(cli, "dry-run", what, plan, diff, NULL, false, extra);
		free(diff);
		return rc != EXIT_OK ? rc : vrc;
	}
	if (!w->yes && !cli->json && isatty(0) && isatty(2) && !confirm(what)) {
		json_decref(extra);
		free(diff);
		out_error("nothing written");
		return EXIT_TEMPFAIL;
	}
	err = safefile_replace(cfg->lock, cfg->main_path, plan->new_data,
	    plan->new_len, cfg->backup_dir, BACKUPS_KEPT, &backup, &sd);
	if (err != RELAY_OK) {
		json_decref(extra);
		free(diff);
		out_error("%s; '%s' is unchanged", sd.msg, cfg->main_path);
		return err == RELAY_ENOMEM ? EXIT_SOFTWARE : EXIT_CANTCREAT;
	}
	if (!w->no_reload) {
		err = postfix_backend.reload(cfg->be, w->reload_cmd, &reloaded,
		    &diag);
		if (err != RELAY_OK) {
			/* Put the old file back: the new one did not load. */
			json_decref(extra);
			free(diff);
			free(backup);
			out_error("%s", diag.msg);
			if (restore(cfg, plan) == 0)
				out_error("restored the previous '%s'",
				    cfg->main_path);
			return EXIT_TEMPFAIL;
		}
	}
	if (w->verify != NULL && !reloaded) {
		out_error("not verified: Postfix was not %s", w->no_reload ?
		    "reloaded (--no-reload)" : "running");
		vrc = EXIT_UNKNOWN;
	} else if (w->verify != NULL) {
		vrc = verify(cli, w, true, &extra);
		if (vrc == EXIT_CRITICAL) {
			/* The server does not keep the phase's promises: undo
			 * the change the same safe way, and reload again. */
			if (restore(cfg, plan) != 0) {
				rc = report(cli, "rollback-failed", what, plan,
				    diff, backup, false, extra);
				free(diff);
				free(backup);
				return rc != EXIT_OK ? rc : EXIT_CANTCREAT;
			}
			err = postfix_backend.reload(cfg->be, w->reload_cmd,
			    &reloaded, &diag);
			if (err != RELAY_OK)
				out_error("%s; the previous '%s' is back, but the "
				    "running Postfix may still use the new one: "
				    "reload it", diag.msg, cfg->main_path);
			rc = report(cli, "rolled-back", what, plan, diff, backup,
			    err == RELAY_OK && reloaded, extra);
			free(diff);
			free(backup);
			return rc != EXIT_OK ? rc : EXIT_CRITICAL;
		}
	}
	rc = report(cli, "changed", what, plan, diff, backup, reloaded, extra);
	free(diff);
	free(backup);
	return rc != EXIT_OK ? rc : vrc;
}

int parse_cidrs(char **texts, int n, struct cidr **out)
{
	struct cidr *c;
	char err[256], buf[CIDR_STRLEN];
	bool normalised;
	int i;

	*out = NULL;
	if ((c = calloc((size_t)n + 1, sizeof(*c))) == NULL) {
		out_error("out of memory");
		return EXIT_SOFTWARE;
	}
	for (i = 0; i < n; i++) {
		if (cidr_parse(texts[i], CIDR_HOSTBITS_OK, &c[i], &normalised,
		    err, sizeof(err)) != RELAY_OK) {
			out_error("%s", err);
			free(c);
			return EXIT_USAGE;
		}
		if (normalised)
			out_error("warning: '%s' has host bits set; using '%s'",
			    texts[i], cidr_format(&c[i], buf));
		if (cidr_is_wide(&c[i]) && !cidr_is_everything(&c[i]))
			out_error("warning: '%s' is a very wide network to trust",
			    cidr_format(&c[i], buf));
	}
	*out = c;
	return EXIT_OK;
}
