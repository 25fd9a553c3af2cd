/*
 * commands - the command table, lookup, dispatch and the help texts.
 * Owns the static table.  Prints only help and usage errors.
 */
#include <string.h>

#include "commands.h"
#include "opt.h"
#include "output.h"

static const struct opt_spec global_opts[] = {
	{ "version", 'V', NULL, "print the version and exit", NULL },
	CONFIG_OPTS,
	{ 0 }
};

/* The options before the command; not a command itself. */
static const struct command global = {
	"relayctl", NULL, "[--version] [--help] [--config-dir DIR] [--json] [--color WHEN] COMMAND [ARGS]",
	"keep a mail server from becoming an open relay",
	global_opts, "relayctl --version", NULL
};

static const struct opt_spec help_opts[] = {
	{ "json", OPT_LONG_ONLY, NULL,
	  "print the commands and their options as JSON", NULL },
	{ 0 }
};

static const struct opt_spec version_opts[] = {
	{ "json", OPT_LONG_ONLY, NULL, "print the versions as JSON", NULL },
	{ 0 }
};

static const struct opt_spec enable_opts[] = {
	{ "allow", 'a', "CIDR",
	  "an IPv4 or IPv6 network that relays without AUTH (phases 2 and 3; "
	  "repeatable)", NULL },
	{ "plaintext-after-tls", OPT_LONG_ONLY + 1, NULL,
	  "phase 3: offer PLAIN and LOGIN only after STARTTLS", NULL },
	VERIFY_OPTS,
	WRITE_OPTS,
	CONFIG_OPTS,
	{ 0 }
};

static const struct opt_spec allow_opts[] = {
	WRITE_OPTS,
	CONFIG_OPTS,
	{ 0 }
};

static const struct opt_spec shell_opts[] = {
	{ "keep-going", 'k', NULL,
	  "in a script, go on after an error (an exit code of 64 or more); "
	  "the exit code is still the first error's", NULL },
	CONFIG_OPTS,
	{ 0 }
};

static const struct opt_spec status_opts[] = {
	CONFIG_OPTS,
	{ 0 }
};

static const struct opt_spec rollback_opts[] = {
	{ "list", 'l', NULL, "list the backups, newest first", NULL },
	WRITE_OPTS,
	CONFIG_OPTS,
	{ 0 }
};

static const struct opt_spec audit_opts[] = {
	{ "source", 's', "ADDR", "connect from this local address", NULL },
	{ "tls", OPT_LONG_ONLY + 20, "MODE",
	  "auto (STARTTLS when offered), starttls (required), implicit or none",
	  "auto starttls implicit none" },
	{ "helo", OPT_LONG_ONLY + 21, "NAME",
	  "the EHLO name (default relayctl.example.net; never the local hostname)",
	  NULL },
	{ "external-domain", OPT_LONG_ONLY + 22, "DOMAIN",
	  "the external domain of the relay tests (default example.net)",
	  NULL },
	{ "local-domain", OPT_LONG_ONLY + 23, "DOMAIN",
	  "a local domain of the target (default: from its banner)", NULL },
	{ "tests", OPT_LONG_ONLY + 24, "PATTERN",
	  "only the tests whose ID matches the shell PATTERN, e.g. 'RLY-PCT-*'",
	  NULL },
	{ "auth-user", OPT_LONG_ONLY + 25, "USER",
	  "also check that USER's credentials work and allow relay; the "
	  "password comes from --auth-pass-file, RELAYCTL_AUTH_PASS or a prompt",
	  NULL },
	{ "auth-pass-file", OPT_LONG_ONLY + 26, "FILE",
	  "read the password of --auth-user from the first line of FILE",
	  NULL },
	{ "allow-insecure-pass-file", OPT_LONG_ONLY + 41, NULL,
	  "read --auth-pass-file even when group or others may read it",
	  NULL },
	{ "allow-cleartext-auth", OPT_LONG_ONLY + 27, NULL,
	  "send the real credentials with PLAIN or LOGIN without TLS too",
	  NULL },
	{ "timeout", 't', "SECONDS", "connect and reply timeout (default 10)",
	  NULL },
	{ "expect-phase", OPT_LONG_ONLY + 28, "N",
	  "check that the server keeps every promise of phase N (0, 1, 2, 3 or "
	  "3-tls) and nothing more: each cell too open, too closed or untested",
	  "0 1 2 3 3-tls" },
	{ "allowed-source", OPT_LONG_ONLY + 29, "ADDR",
	  "with --expect-phase: also audit from ADDR, an address on the allow "
	  "list, which must relay without AUTH in phases 2 and 3", NULL },
	{ "assume-outsider", OPT_LONG_ONLY + 30, NULL,
	  "the source is not trusted by the server, whatever the machine "
	  "(without it, an audit from the server's own machine is suspect)",
	  NULL },
	{ "ca-file", OPT_LONG_ONLY + 31, "FILE",
	  "verify the server's certificate with the CAs in FILE (PEM) instead "
	  "of the system's", NULL },
	{ "config-dir", OPT_CONFIG_DIR, "DIR",
	  "the audited server's Postfix configuration: tells whether the source "
	  "is trusted, and picks an untrusted one on loopback", NULL },
	{ "postfix-version", OPT_PF_VERSION, "VERSION",
	  "the Postfix version, when postconf cannot tell it", NULL },
	{ "targets", OPT_LONG_ONLY + 32, "FILE",
	  "also the targets in FILE, one per line ('#' comments; '-' for stdin)",
	  NULL },
	{ "jobs", 'j', "N", "audit N targets at once (default 4)", NULL },
	{ "connections", OPT_LONG_ONLY + 42, "N",
	  "at most N connections to a target at once (1 to 16; default 4, "
	  "or 64 / -j from -j 16 on, 1 at least)", NULL },
	{ "mx", OPT_LONG_ONLY + 39, NULL,
	  "a target that is a domain stands for its MX hosts, in preference "
	  "order, each address audited (the domain's own without MX)", NULL },
	{ "resolver", OPT_LONG_ONLY + 40, "ADDR[:PORT]",
	  "with --mx: ask this DNS server (IPv4) instead of the system's",
	  NULL },
	{ "deadline", OPT_LONG_ONLY + 33, "SECONDS",
	  "end the whole run by then: targets not started are unknown", NULL },
	{ "format", OPT_LONG_ONLY + 34, "FORMAT",
	  "text (the default), json, jsonl (a line per target as it ends) or "
	  "nagios (a monitoring plugin's output)", "text json jsonl nagios" },
	{ "quiet", 'q', NULL, "print nothing when every target is OK (for cron)",
	  NULL },
	{ "state", OPT_LONG_ONLY + 35, "FILE",
	  "keep the results in FILE and report what changed since the last run",
	  NULL },
	{ "state-report", OPT_LONG_ONLY + 36, "WHAT",
	  "with --state: changes (the default: only what changed) or all",
	  "changes all" },
	{ "conf", OPT_LONG_ONLY + 38, "FILE",
	  "read defaults from FILE (default /etc/relayctl/relayctl.conf, when "
	  "it exists): its lines are these options without dashes, and "
	  "'target HOST'", NULL },
	{ "syslog", OPT_LONG_ONLY + 37, NULL,
	  "also log one line per target to syslog (tag relayctl, facility mail)",
	  NULL },
	{ "verbose", 'v', NULL, "also print the SMTP transcript", NULL },
	{ "json", OPT_JSON, NULL, "print the result as JSON (as --format json)",
	  NULL },
	COLOR_OPT,
	{ 0 }
};

static const struct opt_spec explain_opts[] = {
	{ "source", 's', "ADDR",
	  "the client's address (default 203.0.113.1, an Internet client)",
	  NULL },
	{ "auth", OPT_LONG_ONLY + 40, "MECH",
	  "the client authenticated with MECH: CRAM-MD5, PLAIN or LOGIN",
	  "CRAM-MD5 PLAIN LOGIN" },
	{ "tls", OPT_LONG_ONLY + 41, NULL, "the session is inside TLS", NULL },
	{ "rcpt", OPT_LONG_ONLY + 42, "ADDR",
	  "the recipient (default relaytest@example.net)", NULL },
	{ "audit", OPT_LONG_ONLY + 43, "FILE",
	  "explain every finding of 'relayctl audit --json' of this instance, "
	  "read from FILE ('-' for stdin)", NULL },
	CONFIG_OPTS,
	{ 0 }
};

/* Sorted by name: commands_find() relies on it, and a unit test checks. */
static const struct command commands[] = {
	{ "allow", cmd_allow, "add|del|list [CIDR...] [options]",
	  "change or show the allow list of phases 2 and 3, nothing else",
	  allow_opts, "relayctl allow add 198.51.100.0/24", "add del list" },
	{ "audit", cmd_audit, "[options] TARGET...",
	  "probe servers over SMTP for open relaying; exit 0 closed, 1 warnings, "
	  "2 open, 3 unknown, 64 usage error",
	  audit_opts, "relayctl audit --source 192.0.2.66 mx.example.org", "@hosts" },
	{ "enable-phase", cmd_enable_phase, "N [--allow CIDR]... [options]",
	  "put the server in relay phase N (0, 1, 2 or 3), safely",
	  enable_opts, "relayctl enable-phase 2 --allow 192.0.2.0/24", "0 1 2 3" },
	{ "explain", cmd_explain, "[--source ADDR] [--auth MECH] [--rcpt ADDR] "
	  "[--audit FILE] [options]",
	  "name the setting and line that make the server accept or refuse a "
	  "recipient, and the fix",
	  explain_opts, "relayctl explain --source 192.0.2.7", NULL },
	{ "help", cmd_help, "[--json] [COMMAND]",
	  "show the commands, or the help of one command",
	  help_opts, "relayctl help version", "@commands" },
	{ "lint", cmd_lint, "[options]",
	  "list the relay risks of the configuration, each with a fix",
	  status_opts, "relayctl lint --config-dir /etc/postfix", NULL },
	{ "rollback", cmd_rollback, "[--list] [BACKUP] [options]",
	  "restore the configuration from the last (or a chosen) backup",
	  rollback_opts, "relayctl rollback --list", "@files" },
	{ "shell", cmd_shell, "[--keep-going] [options]",
	  "an interactive shell: every command, plus staged changes (phase, "
	  "allow, diff, apply); reads a script on a non-terminal stdin",
	  shell_opts, "relayctl shell --keep-going <changes.txt", NULL },
	{ "status", cmd_status, "[options]",
	  "tell which phase the configuration is in, and why",
	  status_opts, "relayctl status --json", NULL },
	{ "version", cmd_version, "[--json]",
	  "print the version of relayctl",
	  version_opts, "relayctl version --json", NULL },
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

/* wrap - TEXT from column COL, wrapped before column 80 with an indent
 * of COL, ending the line */
static void wrap(const char *text, int col, FILE *fp)
{
	int at = col, len;

	while (*text != '\0') {
		/* "[--name ARG]" stays on one line */
		const char *close = *text == '[' ? strchr(text, ']') : NULL;
		len = (int)(close != NULL ? close - text : 0);
		len += (int)strcspn(text + len, " ");
		if (at > col && at + 1 + len > 79) {
			fprintf(fp, "\n%*s", col, "");
			at = col;
		} else if (at > col) {
			fputc(' ', fp);
			at++;
		}
		fprintf(fp, "%.*s", len, text);
		at += len;
		text += len;
		text += strspn(text, " ");
	}
	fputc('\n', fp);
}

void commands_help(const struct command *cmd, FILE *fp)
{
	commands_help_as(cmd, "relayctl", fp);
}

void commands_help_as(const struct command *cmd, const char *prog, FILE *fp)
{
	const struct opt_spec *o;
	char lhs[64];
	int w = 10;

	/* The option column: as wide as the widest option that fits 30. */
	for (o = cmd->opts; o != NULL && o->name != NULL; o++) {
		int l = 8 + (int)strlen(o->name) + (o->arg ? 1 +
		    (int)strlen(o->arg) : 0);
		if (l > w && l <= 30)
			w = l;
	}
	fprintf(fp, "usage: %s%s%s ", prog != NULL ? prog : "",
	    prog != NULL ? " " : "", cmd->name);
	wrap(cmd->args, 7 + (prog != NULL ? (int)strlen(prog) + 1 : 0) +
	    (int)strlen(cmd->name) + 1, fp);
	fputc('\n', fp);
	wrap(cmd->summary, 0, fp);
	fprintf(fp, "\noptions:\n");
	for (o = cmd->opts; o != NULL && o->name != NULL; o++) {
		if (o->key < OPT_LONG_ONLY)
			snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", o->key,
			    o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(lhs, sizeof(lhs), "    --%s%s%s", o->name,
			    o->arg ? " " : "", o->arg ? o->arg : "");
		if ((int)strlen(lhs) > w)
			fprintf(fp, "  %s\n%*s", lhs, w + 3, "");
		else
			fprintf(fp, "  %-*s ", w, lhs);
		wrap(o->help, w + 3, fp);
	}
	fprintf(fp, "  %-*s show this help\n\nexample:\n  %s\n", w,
	    "-h, --help", cmd->example);
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
