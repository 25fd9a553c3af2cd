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
#include "phase.h"
#include "verify.h"

/* make_policy - the policy of PHASE with the allow list NETS, checked
 * against the invariants; prints the refusal */
static int make_policy(const char *who, enum phase phase,
    const struct cidr *nets, size_t n, struct policy *out)
{
	char err[256];
	enum relay_err e;

	if ((e = policy_for_phase(phase, nets, n, out, err, sizeof(err))) !=
	    RELAY_OK || (e = policy_check(out, err, sizeof(err))) != RELAY_OK) {
		out_error("%s: %s", who, e == RELAY_ENOMEM ? "out of memory" :
		    err);
		return e == RELAY_ENOMEM ? EXIT_SOFTWARE : EXIT_USAGE;
	}
	return EXIT_OK;
}

size_t allow_edit(struct cidr *list, size_t n,
    const struct phase_change *ch, bool warn)
{
	char buf[CIDR_STRLEN];
	size_t i, j;

	for (i = 0; i < ch->nops; i++) {
		const struct allow_op *op = &ch->ops[i];
		for (j = 0; j < n && !cidr_equal(&list[j], &op->net); j++)
			;
		if (!op->del && j == n)
			list[n++] = op->net;
		else if (op->del && j < n) {
			memmove(&list[j], &list[j + 1], (n - j - 1) *
			    sizeof(*list));
			n--;
		} else if (op->del && warn)
			out_error("warning: '%s' is not on the allow list",
			    cidr_format(&op->net, buf));
	}
	return n;
}

int phase_change_apply(struct cli *cli, const struct phase_change *ch,
    struct write_opts *w, struct verify_ctx *vc)
{
	struct config cfg = { 0 };
	struct backend_report r = { 0 };
	struct policy target = { 0 };
	struct backend_plan plan = { 0 };
	struct relay_diag diag = { "" };
	struct cidr *list = NULL;
	size_t n = 0, i;
	enum phase phase = ch->phase;
	enum relay_err e;
	char what[32];
	int rc;
	bool keep;

	if ((rc = config_open(cli, true, &cfg)) != EXIT_OK)
		goto out;
	/* The list in place stays unless replaced, or left by phase 0 or 1
	 * (enable-phase 1 drops it: deletions from it change nothing, and an
	 * addition is refused below). */
	keep = !ch->set_phase || (!ch->replace && phase != PHASE_0 &&
	    phase != PHASE_1);
	if ((e = postfix_backend.read_policy(cfg.be, &r, &diag)) != RELAY_OK &&
	    (keep || e == RELAY_ENOMEM)) {
		out_error("%s", e == RELAY_ENOMEM ? "out of memory" : diag.msg);
		rc = e == RELAY_ENOMEM ? EXIT_SOFTWARE : EXIT_CONFIG;
		goto out;
	}
	if (!ch->set_phase) {
		phase = r.phase;
		if (phase != PHASE_1 && phase != PHASE_2 && phase != PHASE_3 &&
		    phase != PHASE_3_TLS) {
			out_error("'%s' is in %s; the allow list belongs to "
			    "phases 2 and 3: choose a phase first", cfg.main_path,
			    phase == PHASE_0 ? "phase 0" : "no phase");
			rc = EXIT_CONFIG;
			goto out;
		}
	}
	if ((list = calloc(r.policy.nallow + ch->nops + 1, sizeof(*list))) ==
	    NULL) {
		out_error("out of memory");
		rc = EXIT_SOFTWARE;
		goto out;
	}
	if (keep && r.policy.outbound)
		for (i = 0; i < r.policy.nallow; i++)
			list[n++] = r.policy.allow[i];
	n = allow_edit(list, n, ch, keep || ch->replace);
	/* As `relayctl allow`: an allow list turns phase 1 into 2, and
	 * deleting the last entry turns phase 2 into 1. */
	if (!ch->set_phase && phase == PHASE_1 && n > 0)
		phase = PHASE_2;
	else if (!ch->set_phase && phase == PHASE_2 && n == 0)
		phase = PHASE_1;
	if (phase == PHASE_2 && n == 0) {
		out_error("%s: phase 2 needs at least one allowed "
		    "network, and '%s' would have none: %s", ch->who, cfg.main_path,
		    ch->hint);
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = make_policy(ch->who, phase, list, n, &target)) != EXIT_OK)
		goto out;
	if ((e = postfix_backend.plan(cfg.be, &target, &plan, &diag)) !=
	    RELAY_OK) {
		out_error("%s: %s", ch->who, e == RELAY_ENOMEM ?
		    "out of memory" : diag.msg);
		rc = e == RELAY_ENOMEM ? EXIT_SOFTWARE : EXIT_CONFIG;
		goto out;
	}
	if (phase == PHASE_3 && !cli->json)
		out_error("warning: phase 3 lets users authenticate with PLAIN "
		    "and LOGIN, which send the password in clear text; "
		    "--plaintext-after-tls offers them only inside STARTTLS");
	if (vc != NULL) {
		vc->phase = phase;
		vc->target = &target;
		vc->answered = !w->dry_run && verify_probe(cli, vc);
		w->verify = verify_phase;
		w->verify_ctx = vc;
	}
	snprintf(what, sizeof(what), "phase %s", phase_name(phase));
	rc = config_apply(cli, &cfg, &plan, w, what,
	    json_pack("{s:s}", "phase", phase_name(phase)));
out:
	backend_plan_release(&plan);
	backend_report_release(&r);
	policy_release(&target);
	config_close(&cfg);
	free(list);
	return rc;
}

int cmd_enable_phase(struct cli *cli, int argc, char **argv)
{
	struct opt_state st;
	struct write_opts w = { 0 };
	struct policy target = { 0 };
	struct phase_change ch = { 0 };
	struct allow_op *ops = NULL;
	struct cidr *nets = NULL;
	char **operands = NULL, **allow = NULL, err[256];
	int c, i, v, nallow = 0, tls_only = 0, rc = EXIT_OK;
	struct verify_ctx vc = VERIFY_CTX_INIT;

	operands = calloc((size_t)argc, sizeof(*operands));
	allow = calloc((size_t)argc, sizeof(*allow));
	ops = calloc((size_t)argc, sizeof(*ops));
	if (operands == NULL || allow == NULL || ops == NULL) {
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
		else if ((v = verify_opt(&vc, c, st.arg, "enable-phase")) < 0) {
			rc = EXIT_USAGE;
			goto out;
		} else if (v == 0 && !write_opt(&w, c, st.arg))
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
	if ((rc = verify_opts_check(&vc, "enable-phase")) != EXIT_OK)
		goto out;
	if (phase_parse(operands[0], tls_only, &ch.phase, err, sizeof(err)) !=
	    RELAY_OK) {
		out_error("enable-phase: %s", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = parse_cidrs(allow, nallow, &nets)) != EXIT_OK)
		goto out;
	/* What the command line alone decides is checked before the
	 * configuration is touched; phase 2 or 3 without --allow keeps the
	 * allow list in place, which only the configuration knows. */
	if ((nallow > 0 || (ch.phase != PHASE_2 && ch.phase != PHASE_3 &&
	    ch.phase != PHASE_3_TLS)) && (rc = make_policy("enable-phase",
	    ch.phase, nets,
	    (size_t)nallow, &target)) != EXIT_OK)
		goto out;
	for (i = 0; i < nallow; i++)
		ops[i].net = nets[i];
	ch.set_phase = true;
	ch.replace = nallow > 0;
	ch.ops = ops;
	ch.nops = (size_t)nallow;
	ch.hint = "add --allow CIDR";
	ch.who = "enable-phase";
	rc = phase_change_apply(cli, &ch, &w, vc.on ? &vc : NULL);
out:
	policy_release(&target);
	free(ops);
	free(nets);
	free(allow);
	free(operands);
	return rc;
}
