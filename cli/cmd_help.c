/*
 * cmd_help - `relayctl help [--json] [COMMAND]`: the usage, one command's
 * help, or the whole command table as JSON, which the man page and
 * completion tests read as the one source of truth.
 */
#include <stdlib.h>

#include <jansson.h>

#include "commands.h"
#include "opt.h"
#include "output.h"
#include "version.h"

/* opt_json - one option as a JSON object, or NULL when out of memory */
static json_t *opt_json(const struct opt_spec *o)
{
	char sh[2] = { (char)o->key, '\0' };

	return json_pack("{s:s, s:s?, s:s?, s:s, s:s?}",
	    "name", o->name,
	    "short", o->key < OPT_LONG_ONLY ? sh : NULL,
	    "arg", o->arg,
	    "help", o->help,
	    "values", o->values);
}

/* command_json - CMD with its options, or NULL when out of memory */
static json_t *command_json(const struct command *cmd)
{
	json_t *c, *opts;
	const struct opt_spec *o;

	if ((opts = json_array()) == NULL)
		return NULL;
	for (o = cmd->opts; o != NULL && o->name != NULL; o++) {
		if (json_array_append_new(opts, opt_json(o)) != 0) {
			json_decref(opts);
			return NULL;
		}
	}
	/* "o" steals opts, also when json_pack fails. */
	c = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:o}",
	    "name", cmd->name,
	    "synopsis", cmd->args,
	    "summary", cmd->summary,
	    "example", cmd->example,
	    "operands", cmd->words,
	    "options", opts);
	return c;
}

/* commands_json - the N commands of T as a JSON array, or NULL */
static json_t *commands_json(const struct command *t, size_t n)
{
	json_t *cmds = json_array();
	size_t i;

	for (i = 0; cmds != NULL && i < n; i++) {
		if (json_array_append_new(cmds, command_json(&t[i])) != 0) {
			json_decref(cmds);
			return NULL;
		}
	}
	return cmds;
}

/* table_json - the whole command table, and the shell's own commands */
static json_t *table_json(void)
{
	size_t n, ns;
	const struct command *t = commands_table(&n);
	const struct command *s = shell_commands(&ns);

	return json_pack("{s:s, s:s, s:o, s:o, s:o}", "program", "relayctl",
	    "version", RELAYCTL_VERSION,
	    "global", command_json(commands_global()),
	    "commands", commands_json(t, n),
	    "shell_commands", commands_json(s, ns));
}

int cmd_help(struct cli *cli, int argc, char **argv)
{
	struct opt_state st;
	char **operands;
	const struct command *cmd;
	int c, json = 0, rc = EXIT_OK;

	if ((operands = calloc((size_t)argc, sizeof(*operands))) == NULL) {
		out_error("out of memory");
		return EXIT_SOFTWARE;
	}
	opt_init(&st, cli->cmd, argc, argv, operands);
	while ((c = opt_next(&st)) > 0) {
		switch (c) {
		case OPT_LONG_ONLY:
			json = 1;
			break;
		}
	}
	if (c < 0) {
		rc = opt_status(cli, &st, c);
		goto out;
	}
	if (st.noperands > 1) {
		out_error("help: too many arguments; see 'relayctl help --help'");
		rc = EXIT_USAGE;
		goto out;
	}
	if (st.noperands == 0) {
		if (json)
			rc = out_json(table_json());
		else
			commands_usage(stdout);
		goto out;
	}
	if ((cmd = commands_find(operands[0])) == NULL) {
		out_error("help: '%s' is not a relayctl command; "
		    "see 'relayctl help'", operands[0]);
		rc = EXIT_USAGE;
		goto out;
	}
	if (json)
		rc = out_json(command_json(cmd));
	else
		commands_help(cmd, stdout);
out:
	free(operands);
	return rc;
}
