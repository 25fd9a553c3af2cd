/*
 * commands - the command table, lookup, dispatch and the help texts.
 * Owns the static table.  Prints only help and usage errors.
 */
#include <string.h>

#include "commands.h"
#include "opt.h"
#include "output.h"

static const struct opt_spec global_opts[] = {
	{ "version", 'V', NULL, "print the version and exit" },
	CONFIG_OPTS,
	{ 0 }
};

/* The options before the command; not a command itself. */
static const struct command global = {
	"relayctl", NULL, "[--version] [--help] [--config-dir DIR] [--json] [--color WHEN] COMMAND [ARGS]",
	"keep a mail server from becoming an open relay",
	global_opts, "relayctl --version"
};

static const struct opt_spec help_opts[] = {
	{ "json", OPT_LONG_ONLY, NULL,
	  "print the commands and their options as JSON" },
	{ 0 }
};

static const struct opt_spec version_opts[] = {
	{ "json", OPT_LONG_ONLY, NULL, "print the versions as JSON" },
	{ 0 }
};

/* Options of the commands that change the configuration. */
#define WRITE_OPTS \
	{ "dry-run", 'n', NULL, "show the change as a diff; write nothing" }, \
	{ "no-reload", OPT_LONG_ONLY + 10, NULL, \
	  "write the file but do not reload Postfix" }, \
	{ "reload-cmd", OPT_LONG_ONLY + 11, "CMD", \
	  "reload with CMD (run by /bin/sh) instead of 'postfix -c DIR reload'" }, \
	{ "yes", 'y', NULL, "do not ask before writing on a terminal" }

static const struct opt_spec enable_opts[] = {
	{ "allow", 'a', "CIDR",
	  "an IPv4 or IPv6 network that relays without AUTH (phases 2 and 3; "
	  "repeatable)" },
	{ "plaintext-after-tls", OPT_LONG_ONLY + 1, NULL,
	  "phase 3: offer PLAIN and LOGIN only after STARTTLS" },
	{ "verify", OPT_LONG_ONLY + 2, NULL,
	  "after the reload, audit the local listener against the phase and "
	  "restore the previous file on any critical finding" },
	{ "verify-source", OPT_LONG_ONLY + 3, "ADDR",
	  "with --verify: audit as an outsider from ADDR (default: an address "
	  "of this machine that mynetworks does not list)" },
	{ "verify-wait", OPT_LONG_ONLY + 5, "SECONDS",
	  "with --verify: how long the server may take to show the new policy "
	  "after the reload (default 10)" },
	{ "verify-allowed-source", OPT_LONG_ONLY + 4, "ADDR",
	  "with --verify: audit from ADDR too, an address on the allow list "
	  "(default: a loopback address on it, if any)" },
	WRITE_OPTS,
	CONFIG_OPTS,
	{ 0 }
};

static const struct opt_spec allow_opts[] = {
	WRITE_OPTS,
	CONFIG_OPTS,
	{ 0 }
};

static const struct opt_spec status_opts[] = {
	CONFIG_OPTS,
	{ 0 }
};

static const struct opt_spec rollback_opts[] = {
	{ "list", 'l', NULL, "list the backups, newest first" },
	WRITE_OPTS,
	CONFIG_OPTS,
	{ 0 }
};

static const struct opt_spec audit_opts[] = {
	{ "source", 's', "ADDR", "connect from this local address" },
	{ "tls", OPT_LONG_ONLY + 20, "MODE",
	  "auto (STARTTLS when offered), starttls (required), implicit or none" },
	{ "helo", OPT_LONG_ONLY + 21, "NAME",
	  "the EHLO name (default relayctl.example.net; never the local hostname)" },
	{ "external-domain", OPT_LONG_ONLY + 22, "DOMAIN",
	  "the external domain of the relay tests (default example.net)" },
	{ "local-domain", OPT_LONG_ONLY + 23, "DOMAIN",
	  "a local domain of the target (default: from its banner)" },
	{ "tests", OPT_LONG_ONLY + 24, "PATTERN",
	  "only the tests whose ID matches the shell PATTERN, e.g. 'RLY-PCT-*'" },
	{ "auth-user", OPT_LONG_ONLY + 25, "USER",
	  "also check that USER's credentials work and allow relay; the "
	  "password comes from --auth-pass-file, RELAYCTL_AUTH_PASS or a prompt" },
	{ "auth-pass-file", OPT_LONG_ONLY + 26, "FILE",
	  "read the password of --auth-user from the first line of FILE" },
	{ "allow-cleartext-auth", OPT_LONG_ONLY + 27, NULL,
	  "send the real credentials with PLAIN or LOGIN without TLS too" },
	{ "timeout", 't', "SECONDS", "connect and reply timeout (default 10)" },
	{ "expect-phase", OPT_LONG_ONLY + 28, "N",
	  "check that the server keeps every promise of phase N (0, 1, 2, 3 or "
	  "3-tls) and nothing more: each cell too open, too closed or untested" },
	{ "allowed-source", OPT_LONG_ONLY + 29, "ADDR",
	  "with --expect-phase: also audit from ADDR, an address on the allow "
	  "list, which must relay without AUTH in phases 2 and 3" },
	{ "assume-outsider", OPT_LONG_ONLY + 30, NULL,
	  "the source is not trusted by the server, whatever the machine "
	  "(without it, an audit from the server's own machine is suspect)" },
	{ "ca-file", OPT_LONG_ONLY + 31, "FILE",
	  "verify the server's certificate with the CAs in FILE (PEM) instead "
	  "of the system's" },
	{ "config-dir", OPT_CONFIG_DIR, "DIR",
	  "the audited server's Postfix configuration: tells whether the source "
	  "is trusted, and picks an untrusted one on loopback" },
	{ "postfix-version", OPT_PF_VERSION, "VERSION",
	  "the Postfix version, when postconf cannot tell it" },
	{ "targets", OPT_LONG_ONLY + 32, "FILE",
	  "also the targets in FILE, one per line ('#' comments; '-' for stdin)" },
	{ "jobs", 'j', "N", "audit N targets at once (default 4)" },
	{ "mx", OPT_LONG_ONLY + 39, NULL,
	  "a target that is a domain stands for its MX hosts, in preference "
	  "order, each address audited (the domain's own without MX)" },
	{ "resolver", OPT_LONG_ONLY + 40, "ADDR[:PORT]",
	  "with --mx: ask this DNS server (IPv4) instead of the system's" },
	{ "deadline", OPT_LONG_ONLY + 33, "SECONDS",
	  "end the whole run by then: targets not started are unknown" },
	{ "format", OPT_LONG_ONLY + 34, "FORMAT",
	  "text (the default), json, jsonl (a line per target as it ends) or "
	  "nagios (a monitoring plugin's output)" },
	{ "quiet", 'q', NULL, "print nothing when every target is OK (for cron)" },
	{ "state", OPT_LONG_ONLY + 35, "FILE",
	  "keep the results in FILE and report what changed since the last run" },
	{ "state-report", OPT_LONG_ONLY + 36, "WHAT",
	  "with --state: changes (the default: only what changed) or all" },
	{ "conf", OPT_LONG_ONLY + 38, "FILE",
	  "read defaults from FILE (default /etc/relayctl/relayctl.conf, when "
	  "it exists): its lines are these options without dashes, and "
	  "'target HOST'" },
	{ "syslog", OPT_LONG_ONLY + 37, NULL,
	  "also log one line per target to syslog (tag relayctl, facility mail)" },
	{ "verbose", 'v', NULL, "also print the SMTP transcript" },
	{ "json", OPT_JSON, NULL, "print the result as JSON (as --format json)" },
	COLOR_OPT,
	{ 0 }
};

static const struct opt_spec explain_opts[] = {
	{ "source", 's', "ADDR",
	  "the client's address (default 203.0.113.1, an Internet client)" },
	{ "auth", OPT_LONG_ONLY + 40, "MECH",
	  "the client authenticated with MECH: CRAM-MD5, PLAIN or LOGIN" },
	{ "tls", OPT_LONG_ONLY + 41, NULL, "the session is inside TLS" },
	{ "rcpt", OPT_LONG_ONLY + 42, "ADDR",
	  "the recipient (default relaytest@example.net)" },
	{ "audit", OPT_LONG_ONLY + 43, "FILE",
	  "explain every finding of 'relayctl audit --json' of this instance, "
	  "read from FILE ('-' for stdin)" },
	CONFIG_OPTS,
	{ 0 }
};

/* Sorted by name: commands_find() relies on it, and a unit test checks. */
static const struct command commands[] = {
	{ "allow", cmd_allow, "add|del|list [CIDR...] [options]",
	  "change or show the allow list of phases 2 and 3, nothing else",
	  allow_opts, "relayctl allow add 198.51.100.0/24" },
	{ "audit", cmd_audit, "[options] TARGET...",
	  "probe servers over SMTP for open relaying; exit 0 closed, 1 warnings, "
	  "2 open, 3 unknown, 64 usage error",
	  audit_opts, "relayctl audit --source 192.0.2.66 mx.example.org" },
	{ "enable-phase", cmd_enable_phase, "N [--allow CIDR]... [options]",
	  "put the server in relay phase N (0, 1, 2 or 3), safely",
	  enable_opts, "relayctl enable-phase 2 --allow 192.0.2.0/24" },
	{ "explain", cmd_explain, "[--source ADDR] [--auth MECH] [--rcpt ADDR] "
	  "[--audit FILE] [options]",
	  "name the setting and line that make the server accept or refuse a "
	  "recipient, and the fix",
	  explain_opts, "relayctl explain --source 192.0.2.7" },
	{ "help", cmd_help, "[--json] [COMMAND]",
	  "show the commands, or the help of one command",
	  help_opts, "relayctl help version" },
	{ "lint", cmd_lint, "[options]",
	  "list the relay risks of the configuration, each with a fix",
	  status_opts, "relayctl lint --config-dir /etc/postfix" },
	{ "rollback", cmd_rollback, "[--list] [BACKUP] [options]",
	  "restore the configuration from the last (or a chosen) backup",
	  rollback_opts, "relayctl rollback --list" },
	{ "status", cmd_status, "[options]",
	  "tell which phase the configuration is in, and why",
	  status_opts, "relayctl status --json" },
	{ "version", cmd_version, "[--json]",
	  "print the version of relayctl",
	  version_opts, "relayctl version --json" },
};

const struct command *commands_global(void)
{
	return &global;
}

const struct command *commands_table(size_t *n)
{
	*n = sizeof(commands) / sizeof(commands[0]);
	return commands;
}

const struct command *commands_find(const char *name)
{
	size_t lo = 0, hi = sizeof(commands) / sizeof(commands[0]), mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(name, commands[mid].name);
		if (c == 0)
			return &commands[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

int commands_run(struct cli *cli, int argc, char **argv)
{
	const struct command *cmd = commands_find(argv[0]);

	if (cmd == NULL) {
		out_error("'%s' is not a relayctl command; see 'relayctl --help'",
		    argv[0]);
		return EXIT_USAGE;
	}
	cli->cmd = cmd;
	return cmd->run(cli, argc, argv);
}

void commands_usage(FILE *fp)
{
	size_t i, n;
	const struct command *t = commands_table(&n);

	fprintf(fp, "usage: relayctl %s\n\n"
	    "relayctl keeps a mail server from becoming an open relay while "
	    "its users can still send.\n\ncommands:\n", global.args);
	for (i = 0; i < n; i++)
		fprintf(fp, "  %-14s %s\n", t[i].name, t[i].summary);
	fprintf(fp, "\n'relayctl help COMMAND' or 'relayctl COMMAND --help' "
	    "shows the options of a command.\n");
}

void commands_help(const struct command *cmd, FILE *fp)
{
	const struct opt_spec *o;
	char lhs[64];

	fprintf(fp, "usage: relayctl %s %s\n\n%s\n\noptions:\n",
	    cmd->name, cmd->args, cmd->summary);
	for (o = cmd->opts; o != NULL && o->name != NULL; o++) {
		if (o->key < OPT_LONG_ONLY)
			snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", o->key,
			    o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(lhs, sizeof(lhs), "    --%s%s%s", o->name,
			    o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(fp, "  %-24s %s\n", lhs, o->help);
	}
	fprintf(fp, "  %-24s %s\n\nexample:\n  %s\n", "-h, --help",
	    "show this help", cmd->example);
}

int cli_common(struct cli *cli, int c, const char *arg)
{
	switch (c) {
	case OPT_CONFIG_DIR:
		cli->config_dir = arg;
		cli->config_dir_set = 1;
		return 1;
	case OPT_JSON:
		cli->json = 1;
		return 1;
	case OPT_PF_VERSION:
		cli->pf_version = arg;
		return 1;
	case OPT_COLOR:
		out_set_color(arg);	/* opt_next() checked the word */
		return 1;
	}
	return 0;
}

int opt_status(struct cli *cli, struct opt_state *st, int c)
{
	if (c == OPT_HELP) {
		commands_help(cli->cmd, stdout);
		return EXIT_OK;
	}
	out_error("%s: %s; see 'relayctl %s --help'", cli->cmd->name, st->err,
	    cli->cmd->name);
	return EXIT_USAGE;
}
