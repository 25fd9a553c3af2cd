/*
 * cmd_version - `relayctl version [--json]`: the release, and with --json
 * also the libraries it was built against, for bug reports.
 */
#include <jansson.h>
#include <stdlib.h>

#include "commands.h"
#include "opt.h"
#include "output.h"
#include "version.h"

int cmd_version(struct cli *cli, int argc, char **argv)
{
	struct opt_state st;
	char **operands;
	int c, json = 0, rc = EXIT_OK;

	if ((operands = calloc((size_t)argc, sizeof(*operands))) == NULL) {
		out_error("out of memory");
		return EXIT_SOFTWARE;
	}
	opt_init(&st, cli->cmd, argc, argv, operands);
	while ((c = opt_next(&st)) > 0)
		if (c == OPT_LONG_ONLY)
			json = 1;
	if (c < 0) {
		rc = opt_status(cli, &st, c);
	} else if (st.noperands > 0) {
		out_error("version: unexpected argument '%s'; "
		    "see 'relayctl version --help'", operands[0]);
		rc = EXIT_USAGE;
	} else if (json) {
		rc = out_json(json_pack("{s:s, s:s}", "relayctl",
		    RELAYCTL_VERSION, "jansson", jansson_version_str()));
	} else {
		printf("relayctl %s\n", RELAYCTL_VERSION);
	}
	free(operands);
	return rc;
}
