/*
 * cmd_status - `relayctl status` (which phase, and why: every relay
 * setting with where it came from) and `relayctl lint` (the relay risks,
 * each with a stable ID, a severity and a fix).  Both only read.
 */
#include <stdlib.h>
#include <string.h>

#include "configure.h"
#include "opt.h"
#include "output.h"
#include "policy.h"

static const char *const sev_names[] = { "info", "warning", "critical" };

/* read_report - parse the options, open read-only, read the policy */
static int read_report(struct cli *cli, int argc, char **argv,
    struct config *cfg, struct backend_report *r)
{
	struct opt_state st;
	struct relay_diag diag = { "" };
	char *operands[64];
	enum relay_err e;
	int c, rc;

	memset(r, 0, sizeof(*r));
	if (argc > 64) {
		out_error("%s: too many arguments", cli->cmd->name);
		return EXIT_USAGE;
	}
	opt_init(&st, cli->cmd, argc, argv, operands);
	while ((c = opt_next(&st)) > 0)
		cli_common(cli, c, st.arg);
	if (c < 0)
		return opt_status(cli, &st, c);
	if (st.noperands > 0) {
		out_error("%s: unexpected argument '%s'; see 'relayctl %s --help'",
		    cli->cmd->name, operands[0], cli->cmd->name);
		return EXIT_USAGE;
	}
	if ((rc = config_open(cli, false, cfg)) != EXIT_OK)
		return rc;
	if ((e = postfix_backend.read_policy(cfg->be, r, &diag)) != RELAY_OK) {
		out_error("%s", diag.msg[0] ? diag.msg : relay_strerror(e));
		return EXIT_SOFTWARE;
	}
	return -1;	/* go on */
}

/* findings_json - R's findings as a JSON array */
static json_t *findings_json(const struct backend_report *r, int min)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < r->nfindings; i++) {
		const struct backend_finding *f = &r->findings[i];
		if ((int)f->severity < min)
			continue;
		json_array_append_new(a, json_pack("{s:s, s:s, s:b, s:s, s:s}",
		    "id", f->id, "severity", sev_names[f->severity],
		    "no_phase", f->no_phase, "message", f->msg, "fix", f->fix));
	}
	return a;
}

/* mechs_json - the names of MECHS as a JSON array */
static json_t *mechs_json(unsigned mechs)
{
	char buf[96], *save = NULL, *w;
	json_t *a = json_array();

	mech_names(mechs, buf, sizeof(buf));
	for (w = strtok_r(buf, " ", &save); a != NULL && w != NULL;
	    w = strtok_r(NULL, " ", &save))
		json_array_append_new(a, json_string(w));
	return a;
}

/* worst - the highest severity among R's findings, or -1 */
static int worst(const struct backend_report *r)
{
	size_t i;
	int w = -1;

	for (i = 0; i < r->nfindings; i++)
		if ((int)r->findings[i].severity > w)
			w = (int)r->findings[i].severity;
	return w;
}

/* status_json - the whole status document */
static json_t *status_json(struct cli *cli, const struct backend_report *r)
{
	json_t *params = json_array(), *allow = json_array(), *self = json_array();
	char buf[CIDR_STRLEN];
	size_t i;

	for (i = 0; params != NULL && i < r->nparams; i++)
		json_array_append_new(params, json_pack("{s:s, s:s, s:s}",
		    "name", r->params[i].name, "value", r->params[i].value,
		    "source", r->params[i].source));
	for (i = 0; allow != NULL && i < r->policy.nallow; i++)
		json_array_append_new(allow, json_string(cidr_format(
		    &r->policy.allow[i], buf)));
	for (i = 0; self != NULL && i < r->self.n; i++)
		json_array_append_new(self, json_string(r->self.v[i]));
	return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:b, s:{s:o, s:o}, "
	    "s:o, s:o, s:o, s:o}",
	    "phase", phase_name(r->phase), "config_dir", cli->config_dir,
	    "backend", "postfix", "version", r->version,
	    "service", r->service, "outbound", r->policy.outbound,
	    "relay_networks", "self", self, "allow", allow,
	    "auth_mechanisms", mechs_json(r->policy.auth_mechs),
	    "tls_only_mechanisms", mechs_json(r->policy.tls_only_mechs),
	    "findings", findings_json(r, 0), "parameters", params);
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	struct config cfg = { 0 };
	struct backend_report r = { 0 };
	char buf[CIDR_STRLEN], mechs[96];
	size_t i;
	int rc, w;

	if ((rc = read_report(cli, argc, argv, &cfg, &r)) >= 0)
		goto out;
	w = worst(&r);
	rc = r.phase == PHASE_CUSTOM || w >= SEV_WARNING ? EXIT_WARNING : EXIT_OK;
	if (cli->json) {
		int jr = out_json(status_json(cli, &r));
		rc = jr != EXIT_OK ? jr : rc;
		goto out;
	}
	printf("phase: %s%s\n", r.phase == PHASE_CUSTOM ? out_paint("custom") :
	    phase_name(r.phase), r.phase == PHASE_CUSTOM ?
	    " (no phase of relayctl)" : "");
	printf("config: %s (Postfix %s, service '%s')\n", cfg.main_path,
	    r.version != NULL ? r.version : "version unknown", r.service);
	printf("outbound mail: %s\n", r.policy.outbound ? "yes" : "no");
	printf("relay without AUTH:");
	for (i = 0; i < r.self.n; i++)
		printf(" %s", r.self.v[i]);
	printf("%s", r.self.n ? " (the server itself)" : " nobody");
	for (i = 0; i < r.policy.nallow; i++)
		printf("%s%s", i == 0 ? "; allowed: " : " ",
		    cidr_format(&r.policy.allow[i], buf));
	printf("\nAUTH that allows relay: %s",
	    r.policy.auth_mechs ? mech_names(r.policy.auth_mechs, mechs,
	    sizeof(mechs)) : "none");
	if (r.policy.tls_only_mechs)
		printf(" (%s only after STARTTLS)", mech_names(
		    r.policy.tls_only_mechs, mechs, sizeof(mechs)));
	printf("\n\nsettings:\n");
	for (i = 0; i < r.nparams; i++)
		printf("  %-32s %-24s %s\n", r.params[i].name,
		    r.params[i].source, r.params[i].value);
	if (r.nfindings > 0)
		printf("\n%s:\n", r.phase == PHASE_CUSTOM ? "why, and warnings" :
		    "warnings");
	for (i = 0; i < r.nfindings; i++)
		printf("  %s %s: %s\n", out_paint(sev_names[r.findings[i].severity]),
		    r.findings[i].id, r.findings[i].msg);
out:
	backend_report_release(&r);
	config_close(&cfg);
	return rc;
}

int cmd_lint(struct cli *cli, int argc, char **argv)
{
	struct config cfg = { 0 };
	struct backend_report r = { 0 };
	size_t i;
	int rc, w;

	if ((rc = read_report(cli, argc, argv, &cfg, &r)) >= 0)
		goto out;
	w = worst(&r);
	rc = w == SEV_CRITICAL ? EXIT_CRITICAL : w == SEV_WARNING ?
	    EXIT_WARNING : EXIT_OK;
	if (cli->json) {
		int jr = out_json(json_pack("{s:s, s:s, s:o}", "config_dir",
		    cli->config_dir, "phase", phase_name(r.phase),
		    "findings", findings_json(&r, 0)));
		rc = jr != EXIT_OK ? jr : rc;
		goto out;
	}
	for (i = 0; i < r.nfindings; i++) {
		const struct backend_finding *f = &r.findings[i];
		printf("%s %s: %s\n  fix: %s\n", out_paint(sev_names[f->severity]), f->id,
		    f->msg, f->fix);
	}
	if (r.nfindings == 0)
		printf("no relay risks found in %s\n", cfg.main_path);
out:
	backend_report_release(&r);
	config_close(&cfg);
	return rc;
}
