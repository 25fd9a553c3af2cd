/*
 * opt - parse a command's arguments against its option table, the way
 * getopt_long(3) does, without global state: --name, --name=VALUE,
 * --name VALUE, -x, -xVALUE, -x VALUE, "--" ends the options, operands
 * may come between options.  -h and --help work for every command.
 * Owns nothing; never prints: errors are left in the state for cli/output.
 */
#ifndef CLI_OPT_H
#define CLI_OPT_H

#include "commands.h"

enum {
	OPT_END = 0,		/* no more options */
	OPT_HELP = -1,		/* -h or --help seen */
	OPT_ERROR = -2		/* see st->err */
};

struct opt_state {
	const struct command *cmd;
	int argc;
	char **argv;
	int next;		/* index of the next argv element */
	const char *arg;	/* the option's argument, if it takes one */
	int operands_only;	/* after "--" */
	const char *cluster;	/* rest of a "-qv" flag cluster */
	int stop_at_operand;	/* end at the first operand (global options) */
	char **operands;	/* the operands, in order (argv's pointers) */
	int noperands;
	char err[160];
};

/*
 * opt_init - parse ARGV[1..ARGC-1] (ARGV[0] is the command name) for CMD.
 * OPERANDS must have room for ARGC pointers.
 */
void opt_init(struct opt_state *st, const struct command *cmd,
    int argc, char **argv, char **operands);

/*
 * opt_next - the key of the next option, with its argument in st->arg;
 * OPT_END when all arguments are read (the operands are then in
 * st->operands), or, with st->stop_at_operand set, at the first operand,
 * which is then st->argv[st->next]; OPT_HELP for -h/--help; OPT_ERROR with st->err set for
 * an unknown option, a missing or an unexpected argument.
 */
int opt_next(struct opt_state *st);

#endif
