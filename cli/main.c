/*
 * main - relayctl's entry point: global options, then the command table.
 * The only globals of the program live here; only cli/ prints or exits.
 */
#include <stdio.h>

#include "commands.h"
#include "opt.h"
#include "output.h"
#include "relay_err.h"
#include "version.h"

/* bug_report - the core's RELAY_BUG hook: say where, before the abort */
static void bug_report(const char *file, int line, const char *msg)
{
	fflush(stdout);
	fprintf(stderr, "relayctl: BUG: %s:%d: %s\n", file, line, msg);
}

int main(int argc, char **argv)
{
	struct cli cli = { commands_global(), "/etc/postfix", NULL, 0, 0 };
	struct opt_state st;
	int c;

	relay_set_bug_hook(bug_report);
	if (argc < 1)
		return EXIT_USAGE;
	opt_init(&st, cli.cmd, argc, argv, NULL);
	st.stop_at_operand = 1;
	while ((c = opt_next(&st)) > 0) {
		if (c == 'V') {
			printf("relayctl %s\n", RELAYCTL_VERSION);
			return out_finish(EXIT_OK);
		}
		cli_common(&cli, c, st.arg);
	}
	if (c == OPT_HELP) {
		commands_usage(stdout);
		return out_finish(EXIT_OK);
	}
	if (c == OPT_ERROR) {
		out_error("%s; see 'relayctl --help'", st.err);
		return EXIT_USAGE;
	}
	if (st.next >= argc) {
		commands_usage(stderr);
		return EXIT_USAGE;
	}
	return out_finish(commands_run(&cli, argc - st.next, argv + st.next));
}
