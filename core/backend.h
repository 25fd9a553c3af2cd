/*
 * backend - the operations a mail server's configuration backend offers:
 * read the current relay policy, plan the edits for a target policy,
 * reload the server.  Postfix is the first (postfix.c); Exim or OpenSMTPD
 * can follow without touching cli/.  Owns reports and plans it fills.
 * Never prints.
 */
#ifndef RELAY_BACKEND_H
#define RELAY_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"
#include "relay_err.h"
#include "strlist.h"

/* One relay-relevant setting, effective for the MX service. */
struct backend_param {
	char *name;
	char *value;		/* expanded, whitespace runs folded */
	char *source;		/* "main.cf:12", "master.cf:40 (-o on smtp)", "default" */
};

enum severity { SEV_INFO, SEV_WARNING, SEV_CRITICAL };

/* A relay risk found in the configuration (relayctl lint lists them). */
struct backend_finding {
	const char *id;		/* stable, e.g. "LNT-RELAY-PERMIT" */
	enum severity severity;
	int no_phase;		/* it puts the configuration outside every phase */
	char *msg;		/* what and where */
	const char *fix;	/* what to do */
};

struct backend_report {
	struct policy policy;	/* what the configuration does */
	enum phase phase;	/* PHASE_CUSTOM when reasons is not empty */
	char *version;		/* the MTA's version, or NULL if unknown */
	char *service;		/* the service the policy is read for */
	struct strlist self;	/* the server's own networks that relay */
	struct backend_finding *findings; /* why no phase, and risks */
	size_t nfindings;
	struct backend_param *params;
	size_t nparams;
};

struct backend_plan {
	char *old_data;		/* the file now */
	size_t old_len;
	char *new_data;		/* the file after the change */
	size_t new_len;
	size_t nchanged;	/* settings changed; 0: nothing to do */
	struct strlist notes;	/* what the user should know or do */
};

struct backend_opts {
	const char *config_dir;	/* e.g. /etc/postfix */
	const char *version;	/* the MTA version if known, else NULL */
};

struct backend;

struct backend_ops {
	const char *name;
	enum relay_err (*open)(const struct backend_opts *, struct backend **,
	    struct relay_diag *);
	/* the file that plans rewrite, e.g. /etc/postfix/main.cf */
	const char *(*main_file)(const struct backend *);
	enum relay_err (*read_policy)(struct backend *, struct backend_report *,
	    struct relay_diag *);
	/* plan: P must pass policy_check(); the plan's new_data is the whole
	 * new file */
	enum relay_err (*plan)(struct backend *, const struct policy *p,
	    struct backend_plan *, struct relay_diag *);
	/* reload: CMD (run by /bin/sh) or the default; *DONE false when the
	 * server is not running and nothing was reloaded */
	enum relay_err (*reload)(struct backend *, const char *cmd, bool *done,
	    struct relay_diag *);
	void (*close)(struct backend *);
};

extern const struct backend_ops postfix_backend;

void backend_report_release(struct backend_report *r);
void backend_plan_release(struct backend_plan *p);

#endif
