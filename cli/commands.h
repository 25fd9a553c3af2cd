/*
 * commands - the command table: every relayctl command, its options and
 * its help, in one place.  --help, `relayctl help`, the JSON listing (and
 * from it the man page and completion checks) all read this table.
 *
 * Adding a command:
 *   1. a handler `int cmd_NAME(struct cli *, int argc, char **argv)` in
 *      cli/cmd_NAME.c that parses with opt_next() and returns an exit code;
 *   2. its entry in commands[] in commands.c (kept sorted by name), with
 *      its options, synopsis, summary and an example;
 *   3. man/relayctl.8: the command and each option;
 *   4. completions/: bash, zsh and fish;
 *   5. tests: a bats file in tests/integration for the command, tests/unit for any
 *      core module it adds.
 */
#ifndef CLI_COMMANDS_H
#define CLI_COMMANDS_H

#include <stdio.h>

/* Exit codes (relayctl(8), EXIT STATUS).  0-3 are the monitoring-plugin
 * codes of DESIGN.md; the others follow sysexits(3). */
enum {
	EXIT_OK = 0,
	EXIT_WARNING = 1,
	EXIT_CRITICAL = 2,
	EXIT_UNKNOWN = 3,
	EXIT_USAGE = 64,	/* bad command line, or a refused policy */
	EXIT_DATAERR = 65,	/* a configuration file does not parse */
	EXIT_NOINPUT = 66,	/* a configuration file or directory is missing */
	EXIT_SOFTWARE = 70,	/* internal error */
	EXIT_CANTCREAT = 73,	/* the configuration could not be written */
	EXIT_IOERR = 74,	/* could not write the output */
	EXIT_TEMPFAIL = 75,	/* locked by another run, or the reload failed */
	EXIT_CONFIG = 78	/* the configuration cannot be managed as asked */
};

/* One option of a command.  key is the short option character, or a value
 * above 255 for long-only options; arg names the argument, NULL if none
 * (FILE and DIR complete as file and directory names); values lists the
 * words the argument may be, for completion, or NULL. */
struct opt_spec {
	const char *name;
	int key;
	const char *arg;
	const char *help;
	const char *values;
};

#define OPT_LONG_ONLY 256	/* first key value for long-only options */

/* Options every configuration command takes, after or before its name. */
enum { OPT_JSON = 300, OPT_CONFIG_DIR = 'c', OPT_PF_VERSION = 301,
	OPT_COLOR = 302 };
/* --color: opt_next() accepts only auto, always and never. */
#define COLOR_OPT \
	{ "color", OPT_COLOR, "WHEN", \
	  "colour verdicts, severities and diffs: auto (on a terminal, unless " \
	  "NO_COLOR is set), always or never", "always auto never" }
#define CONFIG_OPTS \
	COLOR_OPT, \
	{ "config-dir", OPT_CONFIG_DIR, "DIR", \
	  "the Postfix configuration directory (default /etc/postfix)", \
	  NULL }, \
	{ "json", OPT_JSON, NULL, "print the result as JSON", NULL }, \
	{ "postfix-version", OPT_PF_VERSION, "VERSION", \
	  "the Postfix version, when postconf cannot tell it", NULL }

/* Options of the commands that change the configuration. */
#define WRITE_OPTS \
	{ "dry-run", 'n', NULL, "show the change as a diff; write nothing", \
	  NULL }, \
	{ "no-reload", OPT_LONG_ONLY + 10, NULL, \
	  "write the file but do not reload Postfix", NULL }, \
	{ "reload-cmd", OPT_LONG_ONLY + 11, "CMD", \
	  "reload with CMD (run by /bin/sh) instead of 'postfix -c DIR reload'", \
	  NULL }, \
	{ "yes", 'y', NULL, "do not ask before writing on a terminal", NULL }

/* The options of enable-phase --verify (and the shell's apply). */
#define VERIFY_OPTS \
	{ "verify", OPT_LONG_ONLY + 2, NULL, \
	  "after the reload, audit the local listener against the phase and " \
	  "restore the previous file on any critical finding", NULL }, \
	{ "verify-source", OPT_LONG_ONLY + 3, "ADDR", \
	  "with --verify: audit as an outsider from ADDR (default: an address " \
	  "of this machine that mynetworks does not list)", NULL }, \
	{ "verify-wait", OPT_LONG_ONLY + 5, "SECONDS", \
	  "with --verify: how long the server may take to show the new policy " \
	  "after the reload (default 10)", NULL }, \
	{ "verify-allowed-source", OPT_LONG_ONLY + 4, "ADDR", \
	  "with --verify: audit from ADDR too, an address on the allow list " \
	  "(default: a loopback address on it, if any)", NULL }

struct cli;

struct command {
	const char *name;
	int (*run)(struct cli *, int argc, char **argv);
	const char *args;		/* synopsis after the name */
	const char *summary;		/* one line, lower case, no period */
	const struct opt_spec *opts;	/* terminated by an all-zero entry */
	const char *example;		/* one full command line */
	const char *words;		/* what its operands complete to: words,
					 * @commands, @hosts or @files;
					 * NULL: none */
};

/* The state of one invocation, shared by the handlers. */
struct cli {
	const struct command *cmd;	/* the command being run */
	const char *config_dir;		/* --config-dir, default /etc/postfix */
	const char *pf_version;		/* --postfix-version, or NULL */
	int json;			/* --json */
	int config_dir_set;		/* --config-dir was given */
};

/*
 * cli_common - take one of the CONFIG_OPTS (key C, argument ARG) into
 * CLI; 1 when C was one of them.
 */
int cli_common(struct cli *cli, int c, const char *arg);

/* commands_global - the options that come before the command name, as a
 * pseudo-command "relayctl" (its run is NULL). */
const struct command *commands_global(void);

/* commands_table - the sorted table, and its length in *n. */
const struct command *commands_table(size_t *n);

/* shell_commands - the shell's own commands (cmd_shell.c), sorted, and
 * their number in *n. */
const struct command *shell_commands(size_t *n);

/* commands_find - the command called NAME, or NULL. */
const struct command *commands_find(const char *name);

/*
 * commands_run - run argv[0] with its arguments.  Prints the usage error
 * and returns EXIT_USAGE for an unknown command; otherwise returns what
 * the handler returned.
 */
int commands_run(struct cli *cli, int argc, char **argv);

/* commands_usage - the general usage: synopsis and the list of commands. */
void commands_usage(FILE *fp);

/* commands_help - the full help of CMD: synopsis, options, example. */
void commands_help(const struct command *cmd, FILE *fp);

/* commands_help_as - the same, the usage line naming PROG (or nothing,
 * when NULL) before the command: the shell's own commands */
void commands_help_as(const struct command *cmd, const char *prog,
    FILE *fp);

struct opt_state;

/*
 * opt_status - the exit code for what opt_next() returned when it was not
 * an option: after OPT_HELP the help is printed (EXIT_OK); after OPT_ERROR
 * the error, naming the command (EXIT_USAGE).
 */
int opt_status(struct cli *cli, struct opt_state *st, int c);

/* The handlers. */
int cmd_allow(struct cli *, int argc, char **argv);
int cmd_audit(struct cli *, int argc, char **argv);
int cmd_enable_phase(struct cli *, int argc, char **argv);
int cmd_explain(struct cli *, int argc, char **argv);
int cmd_help(struct cli *, int argc, char **argv);
int cmd_lint(struct cli *, int argc, char **argv);
int cmd_rollback(struct cli *, int argc, char **argv);
int cmd_shell(struct cli *, int argc, char **argv);
int cmd_status(struct cli *, int argc, char **argv);
int cmd_version(struct cli *, int argc, char **argv);

#endif
