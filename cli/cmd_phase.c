/*
 * cmd_phase - `relayctl enable-phase N [--allow CIDR]...`: plan the edits
 * for phase N under the lock, show the diff, write, reload.  Running it
 * twice changes nothing the second time.
 */
#include <stdlib.h>
#include <string.h>

#include "configure.h"
#include "opt.h"
#include "output.h"
#include "policy.h"
#include "verify.h"

/* make_policy - the policy of PHASE with the allow list NETS, checked
 * against the invariants; prints the refusal */
static int make_policy(enum phase phase, const struct cidr *nets, size_t n,
    struct policy *out)
{
	char err[256];
	enum relay_err e;

	if ((e = policy_for_phase(phase, nets, n, out, err, sizeof(err))) !=
	    RELAY_OK || (e = policy_check(out, err, sizeof(err))) != RELAY_OK) {
		out_error("enable-phase: %s", e == RELAY_ENOMEM ?
		    "out of memory" : err);
		return e == RELAY_ENOMEM ? EXIT_SOFTWARE : EXIT_USAGE;
	}
	return EXIT_OK;
}

int cmd_enable_phase(struct cli *cli, int argc, char **argv)
{
	struct opt_state st;
	struct write_opts w = { 0 };
	struct config cfg = { 0 };
	struct policy target = { 0 };
	struct backend_plan plan = { 0 };
	struct relay_diag diag = { "" };
	struct cidr *nets = NULL;
	char **operands = NULL, **allow = NULL, err[256], what[32];
	int c, nallow = 0, tls_only = 0, keep, rc = EXIT_OK, verify = 0;
	int wait_set = 0;
	struct verify_ctx vc = { PHASE_CUSTOM, NULL, NULL, NULL, 10, false };
	enum phase phase;
	enum relay_err e;

	operands = calloc((size_t)argc, sizeof(*operands));
	allow = calloc((size_t)argc, sizeof(*allow));
	if (operands == NULL || allow == NULL) {
		out_error("out of memory");
		rc = EXIT_SOFTWARE;
		goto out;
	}
	opt_init(&st, cli->cmd, argc, argv, operands);
	while ((c = opt_next(&st)) > 0) {
		if (c == 'a')
			allow[nallow++] = (char *)st.arg;
		else if (c == OPT_LONG_ONLY + 1)
			tls_only = 1;
		else if (c == OPT_LONG_ONLY + 2)
			verify = 1;
		else if (c == OPT_LONG_ONLY + 3)
			vc.source = st.arg;
		else if (c == OPT_LONG_ONLY + 4)
			vc.allowed = st.arg;
		else if (c == OPT_LONG_ONLY + 5) {
			char *end;
			vc.wait_s = strtod(st.arg, &end);
			if (*end != '\0' || !(vc.wait_s >= 0 && vc.wait_s <= 600)) {
				out_error("enable-phase: invalid --verify-wait "
				    "'%s': give seconds, from 0 to 600", st.arg);
				rc = EXIT_USAGE;
				goto out;
			}
			wait_set = 1;
		}
		else if (!write_opt(&w, c, st.arg))
			cli_common(cli, c, st.arg);
	}
	if (c < 0) {
		rc = opt_status(cli, &st, c);
		goto out;
	}
	if (st.noperands != 1) {
		out_error("enable-phase: %s; see 'relayctl enable-phase --help'",
		    st.noperands == 0 ? "which phase? give 0, 1, 2 or 3" :
		    "give one phase only");
		rc = EXIT_USAGE;
		goto out;
	}
	if ((vc.source != NULL || vc.allowed != NULL || wait_set) && !verify) {
		out_error("enable-phase: --verify-source, --verify-allowed-source "
		    "and --verify-wait need --verify");
		rc = EXIT_USAGE;
		goto out;
	}
	if (phase_parse(operands[0], tls_only, &phase, err, sizeof(err)) !=
	    RELAY_OK) {
		out_error("enable-phase: %s", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = parse_cidrs(allow, nallow, &nets)) != EXIT_OK)
		goto out;
	/* Check what the command line alone decides before touching the
	 * configuration; phase 2 or 3 without --allow keeps the allow list
	 * already in place, which only the configuration knows. */
	keep = nallow == 0 && (phase == PHASE_2 || phase == PHASE_3 ||
	    phase == PHASE_3_TLS);
	if (!keep && (rc = make_policy(phase, nets, (size_t)nallow, &target)) !=
	    EXIT_OK)
		goto out;
	if ((rc = config_open(cli, true, &cfg)) != EXIT_OK)
		goto out;
	if (keep) {
		struct backend_report r;
		struct cidr *cur = NULL;
		size_t ncur = 0;
		if (postfix_backend.read_policy(cfg.be, &r, &diag) == RELAY_OK &&
		    r.policy.outbound) {
			cur = r.policy.allow;
			ncur = r.policy.nallow;
			r.policy.allow = NULL;
		}
		backend_report_release(&r);
		if (phase == PHASE_2 && ncur == 0) {
			free(cur);
			out_error("enable-phase: phase 2 needs at least one "
			    "allowed network, and '%s' has none: add --allow CIDR",
			    cfg.main_path);
			rc = EXIT_USAGE;
			goto out;
		}
		rc = make_policy(phase, cur, ncur, &target);
		free(cur);
		if (rc != EXIT_OK)
			goto out;
	}
	if ((e = postfix_backend.plan(cfg.be, &target, &plan, &diag)) !=
	    RELAY_OK) {
		out_error("enable-phase: %s", e == RELAY_ENOMEM ? "out of memory" :
		    diag.msg);
		rc = e == RELAY_ENOMEM ? EXIT_SOFTWARE : EXIT_CONFIG;
		goto out;
	}
	if (phase == PHASE_3 && !cli->json)
		out_error("warning: phase 3 lets users authenticate with PLAIN "
		    "and LOGIN, which send the password in clear text; "
		    "--plaintext-after-tls offers them only inside STARTTLS");
	if (verify) {
		vc.phase = phase;
		vc.target = &target;
		vc.answered = !w.dry_run && verify_probe(cli, &vc);
		w.verify = verify_phase;
		w.verify_ctx = &vc;
	}
	snprintf(what, sizeof(what), "phase %s", phase_name(phase));
	rc = config_apply(cli, &cfg, &plan, &w, what,
	    json_pack("{s:s}", "phase", phase_name(phase)));
out:
	backend_plan_release(&plan);
	policy_release(&target);
	config_close(&cfg);
	free(nets);
	free(allow);
	free(operands);
	return rc;
}
