/*
 * cmd_allow - `relayctl allow add|del|list CIDR...`: the allow list of
 * phases 2 and 3 (mynetworks beyond the server itself); add and del
 * change that list and nothing else, through the same safe write.
 */
#include <stdlib.h>
#include <string.h>

#include "configure.h"
#include "opt.h"
#include "output.h"
#include "policy.h"

int cmd_allow(struct cli *cli, int argc, char **argv)
{
	struct opt_state st;
	struct write_opts w = { 0 };
	struct config cfg = { 0 };
	struct backend_report r = { 0 };
	struct backend_plan plan = { 0 };
	struct relay_diag diag = { "" };
	struct cidr *given = NULL, *list = NULL;
	char **operands = NULL, buf[CIDR_STRLEN];
	size_t i, j, n = 0;
	int c, rc = EXIT_OK, add, del;
	json_t *a;

	if ((operands = calloc((size_t)argc, sizeof(*operands))) == NULL) {
		out_error("out of memory");
		return EXIT_SOFTWARE;
	}
	opt_init(&st, cli->cmd, argc, argv, operands);
	while ((c = opt_next(&st)) > 0)
		if (!write_opt(&w, c, st.arg))
			cli_common(cli, c, st.arg);
	if (c < 0) {
		rc = opt_status(cli, &st, c);
		goto out;
	}
	add = st.noperands > 0 && strcmp(operands[0], "add") == 0;
	del = st.noperands > 0 && strcmp(operands[0], "del") == 0;
	if (st.noperands == 0 || (!add && !del &&
	    strcmp(operands[0], "list") != 0)) {
		out_error("allow: %s; use add, del or list",
		    st.noperands == 0 ? "what to do?" : "unknown action");
		rc = EXIT_USAGE;
		goto out;
	}
	if ((add || del) && st.noperands < 2) {
		out_error("allow %s: which network? give one or more CIDRs",
		    operands[0]);
		rc = EXIT_USAGE;
		goto out;
	}
	if (!add && !del && st.noperands > 1) {
		out_error("allow list: unexpected argument '%s'", operands[1]);
		rc = EXIT_USAGE;
		goto out;
	}
	if ((add || del) && (rc = parse_cidrs(operands + 1, st.noperands - 1,
	    &given)) != EXIT_OK)
		goto out;
	for (i = 0; add && i < (size_t)st.noperands - 1; i++) {
		if (cidr_is_everything(&given[i])) {
			out_error("allow add: rule I1: the allow list must not "
			    "cover every address ('%s'): that is an open relay",
			    cidr_format(&given[i], buf));
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if ((rc = config_open(cli, add || del, &cfg)) != EXIT_OK)
		goto out;
	if (postfix_backend.read_policy(cfg.be, &r, &diag) != RELAY_OK) {
		out_error("%s", diag.msg);
		rc = EXIT_SOFTWARE;
		goto out;
	}
	if (!add && !del) {
		if (cli->json) {
			a = json_array();
			for (i = 0; a != NULL && i < r.policy.nallow; i++)
				json_array_append_new(a, json_string(cidr_format(
				    &r.policy.allow[i], buf)));
			rc = out_json(json_pack("{s:s, s:o}", "phase",
			    phase_name(r.phase), "allow", a));
		} else {
			for (i = 0; i < r.policy.nallow; i++)
				printf("%s\n", cidr_format(&r.policy.allow[i], buf));
		}
		goto out;
	}
	if (r.phase != PHASE_1 && r.phase != PHASE_2 && r.phase != PHASE_3 &&
	    r.phase != PHASE_3_TLS) {
		out_error("allow %s: '%s' is in %s%s; the allow list belongs to "
		    "phases 2 and 3: run 'relayctl status' and enable-phase "
		    "first", operands[0], cfg.main_path,
		    r.phase == PHASE_0 ? "phase 0" : "no phase",
		    r.phase == PHASE_0 ? " (outbound mail off)" : "");
		rc = EXIT_CONFIG;
		goto out;
	}
	/* The new list: the old one plus or minus the given networks. */
	if ((list = calloc(r.policy.nallow + (size_t)st.noperands,
	    sizeof(*list))) == NULL) {
		out_error("out of memory");
		rc = EXIT_SOFTWARE;
		goto out;
	}
	for (i = 0; i < r.policy.nallow; i++) {
		int drop = 0;
		for (j = 0; del && j < (size_t)st.noperands - 1; j++)
			drop |= cidr_equal(&r.policy.allow[i], &given[j]);
		if (!drop)
			list[n++] = r.policy.allow[i];
	}
	for (j = 0; j < (size_t)st.noperands - 1; j++) {
		int have = 0;
		for (i = 0; i < n; i++)
			have |= cidr_equal(&list[i], &given[j]);
		if (add && !have)
			list[n++] = given[j];
		for (i = 0, have = 0; del && i < r.policy.nallow; i++)
			have |= cidr_equal(&r.policy.allow[i], &given[j]);
		if (del && !have)
			out_error("warning: '%s' is not on the allow list",
			    cidr_format(&given[j], buf));
	}
	free(r.policy.allow);
	r.policy.allow = list;
	r.policy.nallow = n;
	list = NULL;
	if (postfix_backend.plan(cfg.be, &r.policy, &plan, &diag) != RELAY_OK) {
		out_error("allow %s: %s", operands[0], diag.msg);
		rc = EXIT_CONFIG;
		goto out;
	}
	rc = config_apply(cli, &cfg, &plan, &w, "the allow list", NULL);
out:
	backend_plan_release(&plan);
	backend_report_release(&r);
	config_close(&cfg);
	free(list);
	free(given);
	free(operands);
	return rc;
}
