/*
 * cmd_explain - `relayctl explain`: why the configuration accepts or
 * refuses a recipient from a client, naming the restriction and the line
 * that decide and the fix; or, with --audit FILE, the same for every
 * finding of an audit of this instance (`relayctl audit --json`).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configure.h"
#include "explain.h"
#include "opt.h"
#include "output.h"

enum { E_SOURCE = 's', E_AUTH = OPT_LONG_ONLY + 40, E_TLS, E_RCPT, E_AUDIT };

/* print_groups - the explanations of one audited target */
static void print_groups(const char *target, const json_t *groups)
{
	const json_t *g, *c;
	size_t i, k;

	printf("%s: %zu explanation%s\n", target, json_array_size(groups),
	    json_array_size(groups) == 1 ? "" : "s");
	json_array_foreach(groups, i, g) {
		const json_t *cells = json_object_get(g, "cells");
		printf("  %s: %s\n", json_string_value(json_object_get(g,
		    "decision")), json_string_value(json_object_get(g,
		    "because")));
		if (*json_string_value(json_object_get(g, "fix")) != '\0')
			printf("    fix: %s\n", json_string_value(json_object_get(g,
			    "fix")));
		printf("    cells (%zu):", json_array_size(cells));
		json_array_foreach(cells, k, c)
			printf(" %s", json_string_value(c));
		printf("\n");
	}
}

/* from_audit - explain every target of the audit document in FILE */
static int from_audit(struct cli *cli, const struct backend_report *r,
    const char *file)
{
	json_error_t jerr;
	json_t *doc = strcmp(file, "-") == 0 ?
	    json_loadf(stdin, 0, &jerr) : json_load_file(file, 0, &jerr);
	json_t *targets, *t, *out;
	size_t i;

	if (doc == NULL) {
		out_error("explain: cannot read the audit '%s': %s (line %d)",
		    file, jerr.text, jerr.line);
		return EXIT_DATAERR;
	}
	targets = json_object_get(doc, "targets");
	if (!json_is_array(targets) || strcmp(json_string_value(json_object_get(
	    doc, "schema")) ? json_string_value(json_object_get(doc, "schema")) :
	    "", "relayctl.audit/1") != 0) {
		json_decref(doc);
		out_error("explain: '%s' is not the JSON of 'relayctl audit "
		    "--json'", file);
		return EXIT_DATAERR;
	}
	out = json_array();
	json_array_foreach(targets, i, t) {
		json_t *g = explain_target(r, t);
		const char *name = json_string_value(json_object_get(t, "target"));
		if (g == NULL)
			continue;
		if (!cli->json)
			print_groups(name != NULL ? name : "?", g);
		json_array_append_new(out, json_pack("{s:s?, s:o}", "target",
		    name, "explanations", g));
	}
	json_decref(doc);
	if (cli->json)
		return out_json(json_pack("{s:s, s:o}", "config", cli->config_dir,
		    "targets", out));
	json_decref(out);
	return EXIT_OK;
}

int cmd_explain(struct cli *cli, int argc, char **argv)
{
	struct opt_state st;
	struct config cfg = { 0 };
	struct backend_report r;
	struct relay_diag diag = { "" };
	struct explain_query q = { "203.0.113.1", NULL, false,
	    "relaytest@example.net" };
	struct explain_result res;
	const char *audit = NULL;
	char *operands[64];
	int c, rc;

	memset(&r, 0, sizeof(r));
	if (argc > 64) {
		out_error("explain: too many arguments");
		return EXIT_USAGE;
	}
	opt_init(&st, cli->cmd, argc, argv, operands);
	while ((c = opt_next(&st)) > 0) {
		switch (c) {
		case E_SOURCE:
			q.client = st.arg;
			break;
		case E_AUTH:
			if (mech_bit(st.arg) & ~(unsigned)(MECH_CRAM_MD5 |
			    MECH_CLEARTEXT)) {
				out_error("explain: invalid --auth '%s': use "
				    "CRAM-MD5, PLAIN or LOGIN", st.arg);
				return EXIT_USAGE;
			}
			q.mech = st.arg;
			break;
		case E_TLS:
			q.tls = true;
			break;
		case E_RCPT:
			q.rcpt = st.arg;
			break;
		case E_AUDIT:
			audit = st.arg;
			break;
		default:
			cli_common(cli, c, st.arg);
		}
	}
	if (c < 0)
		return opt_status(cli, &st, c);
	if (st.noperands > 0) {
		out_error("explain: unexpected argument '%s'; see 'relayctl "
		    "explain --help'", operands[0]);
		return EXIT_USAGE;
	}
	if ((rc = config_open(cli, false, &cfg)) != EXIT_OK)
		return rc;
	if (postfix_backend.read_policy(cfg.be, &r, &diag) != RELAY_OK) {
		out_error("explain: %s", diag.msg);
		rc = EXIT_SOFTWARE;
		goto out;
	}
	if (audit != NULL) {
		rc = from_audit(cli, &r, audit);
		goto out;
	}
	if (explain_rcpt(&r, &q, &res) != RELAY_OK) {
		out_error("explain: invalid --source: %s", res.because);
		rc = EXIT_USAGE;
		goto out;
	}
	if (cli->json) {
		rc = out_json(json_pack("{s:s, s:s, s:s?, s:b, s:s, s:s, s:s, "
		    "s:s}", "config", cli->config_dir, "client", q.client, "auth",
		    q.mech, "tls", q.tls, "rcpt", q.rcpt, "decision",
		    explain_decision_name(res.decision), "because", res.because,
		    "fix", res.fix));
		goto out;
	}
	printf("%s -> <%s>, %s%s%s: %s\n  because %s\n", q.client, q.rcpt,
	    q.mech != NULL ? "after AUTH " : "no AUTH", q.mech != NULL ? q.mech :
	    "", q.tls ? ", inside TLS" : "", explain_decision_name(res.decision),
	    res.because);
	if (res.fix[0] != '\0')
		printf("  fix: %s\n", res.fix);
	rc = EXIT_OK;
out:
	backend_report_release(&r);
	config_close(&cfg);
	return rc;
}
