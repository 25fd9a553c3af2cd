/*
 * cmd_shell - `relayctl shell`: the command table at a readline prompt,
 * plus staged configuration editing (phase, allow add/del, diff, apply,
 * discard).  On a terminal: history, Ctrl-R, Ctrl-C cancels the line (or
 * the running command), Ctrl-D leaves, completion of commands, options,
 * phases, the allow list and hosts audited before.  On any other stdin:
 * one command per line, no prompt, stop at the first failure unless
 * --keep-going.
 *
 * Every command runs in a child process, as it would from the command
 * line: its exit code, its output checks and its memory end with it, and
 * Ctrl-C stops it without leaving the shell.  The staged change lives in
 * the shell; `diff` and `apply` hand it to phase_change_apply(), the code
 * of enable-phase.
 */
#define _GNU_SOURCE		/* getline, strdup; sigaction's SA_* */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cidr.h"
#include "commands.h"
#include "configure.h"
#include "opt.h"
#include "output.h"
#include "phase.h"
#include "policy.h"
#include "safefile.h"
#include "strlist.h"

#define HISTORY_MAX 1000
#define MAX_WORDS 256

/* The shell's own commands; the others are the command table's.  Their
 * options and operand words come from these tables, as the command line's
 * do from commands.c. */
static int sh_allow(struct cli *, int, char **);
static int sh_apply(struct cli *, int, char **);
static int sh_diff(struct cli *, int, char **);
static int sh_discard(struct cli *, int, char **);
static int sh_exit(struct cli *, int, char **);
static int sh_help(struct cli *, int, char **);
static int sh_phase(struct cli *, int, char **);

static const struct opt_spec no_opts[] = { { 0 } };

static const struct opt_spec phase_opts[] = {
	{ "plaintext-after-tls", OPT_LONG_ONLY + 1, NULL,
	  "phase 3: offer PLAIN and LOGIN only after STARTTLS", NULL },
	{ 0 }
};

static const struct opt_spec diff_opts[] = {
	COLOR_OPT,
	{ 0 }
};

static const struct opt_spec apply_opts[] = {
	VERIFY_OPTS,
	{ "no-reload", OPT_LONG_ONLY + 10, NULL,
	  "write the file but do not reload Postfix", NULL },
	{ "reload-cmd", OPT_LONG_ONLY + 11, "CMD",
	  "reload with CMD (run by /bin/sh) instead of 'postfix -c DIR reload'",
	  NULL },
	COLOR_OPT,
	{ "json", OPT_JSON, NULL, "print the result as JSON", NULL },
	{ 0 }
};

/* Sorted by name, as the command table. */
static const struct command shell_cmds[] = {
	{ "allow", sh_allow, "add|del CIDR... | list",
	  "stage an edit of the allow list, or show it with the staged edits",
	  no_opts, "allow add 192.0.2.0/24", "add del list" },
	{ "apply", sh_apply, "[--verify] [options]",
	  "write the staged change as enable-phase does (backup, atomic write, "
	  "reload), and verify it with --verify", apply_opts, "apply --verify",
	  NULL },
	{ "diff", sh_diff, "",
	  "show the staged change as a diff against the file; write nothing",
	  diff_opts, "diff", NULL },
	{ "discard", sh_discard, "", "drop the staged change", no_opts,
	  "discard", NULL },
	{ "exit", sh_exit, "", "leave the shell (also: quit, Ctrl-D)", no_opts,
	  "exit", NULL },
	{ "help", sh_help, "[COMMAND]",
	  "list the commands, or show the help of one", no_opts, "help apply",
	  "@commands" },
	{ "phase", sh_phase, "N [--plaintext-after-tls]",
	  "stage a change to relay phase N (0, 1, 2 or 3)", phase_opts,
	  "phase 2", "0 1 2 3" },
	{ "quit", sh_exit, "", "leave the shell (also: exit, Ctrl-D)", no_opts,
	  "quit", NULL },
};

const struct command *shell_commands(size_t *n)
{
	*n = sizeof(shell_cmds) / sizeof(shell_cmds[0]);
	return shell_cmds;
}

/* The shell's state: one per process, so file-static. */
static struct {
	struct cli base;		/* the shell's own options */
	int interactive;
	int keep_going;
	/* the staged change */
	bool set_phase;
	enum phase phase;
	struct allow_op *ops;
	size_t nops;
	/* the status of the last command, and whether to leave */
	int last;
	int done;
	int warned_leave;		/* a staged change was pointed out */
	char *seen;			/* main.cf as the last `diff` saw it */
	size_t seen_len;
	sigset_t unblocked;		/* the signal mask to run commands with */
	char *history;			/* the history file, or NULL */
	struct strlist hosts;		/* hosts audited before */
	char prompt[32];
} sh;

static volatile sig_atomic_t got_int, got_winch, got_end;

/* on_signal - at the prompt, signals only set flags for the loop, which
 * leaves the terminal as it found it */
static void on_signal(int sig)
{
	if (sig == SIGINT)
		got_int = 1;
	else if (sig == SIGWINCH)
		got_winch = 1;
	else
		got_end = sig;
}

static const struct command *shell_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(shell_cmds) / sizeof(shell_cmds[0]); i++)
		if (strcmp(shell_cmds[i].name, name) == 0)
			return &shell_cmds[i];
	return NULL;
}

/* find - the command NAME as the shell runs it: its own first */
static const struct command *find(const char *name)
{
	const struct command *c = shell_find(name);

	return c != NULL ? c : commands_find(name);
}

/*
 * split - LINE into words as sh(1) would for simple words: blanks
 * separate, '...' and "..." quote (a backslash escapes " and \ inside
 * "..."), a backslash escapes the next character, and # starts a comment
 * at the start of a word.  The words go into BUF (as long as LINE plus
 * one per word) and WORDS.  Returns the count, or -1 with ERR set.
 */
static int split(const char *line, char *buf, char **words, int max,
    const char **err)
{
	const char *p = line;
	char *o = buf;
	int n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0' || *p == '#')
			return n;
		if (n == max) {
			*err = "too many words";
			return -1;
		}
		words[n++] = o;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' &&
		    *p != '\r') {
			if (*p == '\'') {
				for (p++; *p != '\0' && *p != '\''; )
					*o++ = *p++;
				if (*p++ != '\'') {
					*err = "a quote (') is not closed";
					return -1;
				}
			} else if (*p == '"') {
				for (p++; *p != '\0' && *p != '"'; p++) {
					if (*p == '\\' && (p[1] == '"' ||
					    p[1] == '\\'))
						p++;
					*o++ = *p;
				}
				if (*p++ != '"') {
					*err = "a quote (\") is not closed";
					return -1;
				}
			} else if (*p == '\\' && p[1] != '\0') {
				*o++ = p[1];
				p += 2;
			} else
				*o++ = *p++;
		}
		*o++ = '\0';
	}
}

/* ---- the staged change ---- */

static int staged(void)
{
	return sh.set_phase || sh.nops > 0;
}

static void set_prompt(void)
{
	snprintf(sh.prompt, sizeof(sh.prompt), "relayctl%s> ",
	    staged() ? "*" : "");
}

/* staged_text - the staged change in words, for status and warnings */
static void staged_text(char *buf, size_t len)
{
	char net[CIDR_STRLEN];
	size_t i, off = 0;

	buf[0] = '\0';
	if (sh.set_phase)
		off += (size_t)snprintf(buf, len, "phase %s",
		    phase_name(sh.phase));
	for (i = 0; i < sh.nops && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%sallow %s %s",
		    off > 0 ? ", " : "", sh.ops[i].del ? "del" : "add",
		    cidr_format(&sh.ops[i].net, net));
}

/* edited - the staged change changed: what `diff` showed is stale */
static void edited(void)
{
	free(sh.seen);
	sh.seen = NULL;
	sh.warned_leave = 0;
}

static void discard(void)
{
	free(sh.ops);
	sh.ops = NULL;
	sh.nops = 0;
	sh.set_phase = false;
	edited();
}

/*
 * sh_opt_status - as opt_status() for the shell's own commands: their
 * help has no "relayctl" in the usage line, and errors point to it
 */
static int sh_opt_status(struct cli *cli, struct opt_state *st, int c)
{
	if (c == OPT_HELP) {
		commands_help_as(cli->cmd, NULL, stdout);
		return EXIT_OK;
	}
	out_error("%s: %s; see 'help %s'", cli->cmd->name, st->err,
	    cli->cmd->name);
	return EXIT_USAGE;
}

/* The child's side of diff, apply and allow list. */
static struct write_opts child_w;
static struct verify_ctx child_vc;
static const char *child_color;		/* diff's or apply's --color */

/* stage_change - the staged change, for phase_change_apply() */
static void stage_change(struct phase_change *ch)
{
	memset(ch, 0, sizeof(*ch));
	ch->set_phase = sh.set_phase;
	ch->phase = sh.phase;
	ch->ops = sh.ops;
	ch->nops = sh.nops;
	ch->hint = "stage one with 'allow add CIDR'";
	ch->who = child_w.dry_run ? "diff" : "apply";
}

static int sh_phase(struct cli *cli, int argc, char **argv)
{
	struct opt_state st;
	char *operands[MAX_WORDS], err[256];
	enum phase p;
	size_t i;
	int c, tls_only = 0;

	opt_init(&st, cli->cmd, argc, argv, operands);
	while ((c = opt_next(&st)) > 0)
		tls_only = 1;
	if (c < 0)
		return sh_opt_status(cli, &st, c);
	if (st.noperands != 1) {
		out_error("phase: %s", st.noperands == 0 ?
		    "which phase? give 0, 1, 2 or 3" : "give one phase only");
		return EXIT_USAGE;
	}
	if (phase_parse(operands[0], tls_only, &p, err, sizeof(err)) !=
	    RELAY_OK) {
		out_error("phase: %s", err);
		return EXIT_USAGE;
	}
	for (i = 0; (p == PHASE_0 || p == PHASE_1) && i < sh.nops; i++)
		if (!sh.ops[i].del) {
			out_error("phase: phase %s has no allow list, and an "
			    "addition to it is staged: 'discard' it first",
			    phase_name(p));
			return EXIT_USAGE;
		}
	sh.set_phase = true;
	sh.phase = p;
	edited();
	return EXIT_OK;
}

/* ---- running a command in a child ---- */

/*
 * run_child - run CMD's handler with ARGV and the options of BASE in
 * a child process, as the
 * command line would, and return its exit code (128 + N when signal N
 * ended it).  APPLYING: the child ignores Ctrl-C, so that a write is
 * never cut between the file and the reload.
 */
static int run_child(const struct cli *base, const struct command *cmd,
    int argc, char **argv, int applying)
{
	struct cli cli = *base;
	pid_t pid;
	int status, devnull;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		out_error("cannot run '%s': fork: %s", argv[0], strerror(errno));
		return EXIT_SOFTWARE;
	}
	if (pid == 0) {
		signal(SIGINT, applying ? SIG_IGN : SIG_DFL);
		signal(SIGWINCH, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		sigprocmask(SIG_SETMASK, &sh.unblocked, NULL);
		if (!sh.interactive && (devnull = open("/dev/null", O_RDONLY)) >= 0) {
			dup2(devnull, STDIN_FILENO);	/* the script is ours */
			close(devnull);
		}
		if (child_color != NULL)
			out_set_color(child_color);
		cli.cmd = cmd;
		_exit(out_finish(cmd->run(&cli, argc, argv)));
	}
	child_color = NULL;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			out_error("cannot wait for '%s': %s", argv[0],
			    strerror(errno));
			return EXIT_SOFTWARE;
		}
	if (sh.interactive) {
		/* The Ctrl-C meant for the command, blocked here, is spent:
		 * ignoring a signal discards it. */
		struct sigaction ign, old;
		memset(&ign, 0, sizeof(ign));
		ign.sa_handler = SIG_IGN;
		sigaction(SIGINT, &ign, &old);
		sigaction(SIGINT, &old, NULL);
	}
	got_int = 0;
	if (WIFSIGNALED(status)) {
		if (WTERMSIG(status) == SIGINT)
			fputc('\n', stderr);
		out_error("%s: %s", argv[0], WTERMSIG(status) == SIGINT ?
		    "interrupted" : strsignal(WTERMSIG(status)));
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}

static int do_change(struct cli *cli, int argc, char **argv)
{
	struct phase_change ch;

	(void)argc;
	(void)argv;
	stage_change(&ch);
	return phase_change_apply(cli, &ch, &child_w, child_vc.on ?
	    &child_vc : NULL);
}

/* file_bytes - the whole of PATH (malloc'd, *LEN), or NULL */
static char *file_bytes(const char *path, size_t *len)
{
	struct safefile_diag d;
	char *data;

	return safefile_read(path, &data, len, &d) == RELAY_OK ? data : NULL;
}

static int sh_diff(struct cli *cli, int argc, char **argv)
{
	struct opt_state st;
	char *operands[MAX_WORDS];
	int c, rc;
	const struct command run = { "diff", do_change, "", "", no_opts, "", NULL };

	child_color = NULL;
	opt_init(&st, cli->cmd, argc, argv, operands);
	while ((c = opt_next(&st)) > 0)
		child_color = st.arg;		/* --color, for the child */
	if (c < 0)
		return sh_opt_status(cli, &st, c);
	if (st.noperands > 0) {
		out_error("diff: unexpected argument '%s'", operands[0]);
		return EXIT_USAGE;
	}
	if (!staged()) {
		out_error("diff: nothing is staged; 'phase N' and 'allow add "
		    "CIDR' stage a change");
		return EXIT_USAGE;
	}
	memset(&child_w, 0, sizeof(child_w));
	child_w.dry_run = true;
	child_vc.on = false;
	if ((rc = run_child(cli, &run, argc, argv, 0)) == EXIT_OK) {
		/* what was shown is what `apply` may write */
		char path[4096];
		snprintf(path, sizeof(path), "%s/main.cf", cli->config_dir);
		free(sh.seen);
		sh.seen = file_bytes(path, &sh.seen_len);
	}
	return rc;
}

static int sh_apply(struct cli *cli, int argc, char **argv)
{
	struct opt_state st;
	char *operands[MAX_WORDS], path[4096], *before, *after;
	size_t lb = 0, la = 0;
	int c, v, rc;
	const struct command run = { "apply", do_change, "", "", no_opts, "", NULL };

	const struct verify_ctx vc0 = VERIFY_CTX_INIT;

	memset(&child_w, 0, sizeof(child_w));
	child_vc = vc0;
	child_w.yes = true;	/* `apply` is the confirmation */
	child_color = NULL;
	opt_init(&st, cli->cmd, argc, argv, operands);
	while ((c = opt_next(&st)) > 0) {
		if ((v = verify_opt(&child_vc, c, st.arg, "apply")) < 0)
			return EXIT_USAGE;
		else if (v > 0)
			;
		else if (c == OPT_COLOR)
			child_color = st.arg;
		else if (!write_opt(&child_w, c, st.arg))
			cli_common(cli, c, st.arg);
	}
	if (c < 0)
		return sh_opt_status(cli, &st, c);
	if (st.noperands > 0) {
		out_error("apply: unexpected argument '%s'", operands[0]);
		return EXIT_USAGE;
	}
	if (verify_opts_check(&child_vc, "apply") != EXIT_OK)
		return EXIT_USAGE;
	if (!staged()) {
		out_error("apply: nothing is staged; 'phase N' and 'allow add "
		    "CIDR' stage a change");
		return EXIT_USAGE;
	}
	/* What `diff` showed is what is written: a file changed since is
	 * not written over unseen. */
	snprintf(path, sizeof(path), "%s/main.cf", cli->config_dir);
	before = file_bytes(path, &lb);
	if (sh.seen != NULL && (before == NULL || lb != sh.seen_len ||
	    memcmp(before, sh.seen, lb) != 0)) {
		free(before);
		out_error("apply: '%s' changed since the last 'diff'; nothing "
		    "written: 'diff' shows the change as it would be now", path);
		child_color = NULL;
		return EXIT_TEMPFAIL;
	}
	/* Whether the change was written (kept, even if the verification
	 * had warnings) shows in the file: a rollback restores its bytes. */
	rc = run_child(cli, &run, argc, argv, 1);
	after = file_bytes(path, &la);
	if (rc == EXIT_OK || (before != NULL && after != NULL &&
	    (la != lb || memcmp(before, after, la) != 0)))
		discard();
	free(before);
	free(after);
	return rc;
}

static int sh_discard(struct cli *cli, int argc, char **argv)
{
	char what[1024];

	(void)cli;
	if (argc > 1) {
		out_error("discard: unexpected argument '%s'", argv[1]);
		return EXIT_USAGE;
	}
	if (!staged()) {
		printf("nothing is staged\n");
		return EXIT_OK;
	}
	staged_text(what, sizeof(what));
	discard();
	printf("discarded: %s\n", what);
	return EXIT_OK;
}

/* allow_list - the child of `allow list`: the list after the edits */
static int allow_list(struct cli *cli, int argc, char **argv)
{
	struct config cfg = { 0 };
	struct backend_report r = { 0 };
	struct relay_diag diag = { "" };
	char buf[CIDR_STRLEN];
	size_t i, j;
	int rc;

	(void)argc;
	(void)argv;
	if ((rc = config_open(cli, false, &cfg)) != EXIT_OK)
		return rc;
	if (postfix_backend.read_policy(cfg.be, &r, &diag) != RELAY_OK) {
		out_error("%s", diag.msg);
		config_close(&cfg);
		return EXIT_CONFIG;
	}
	for (i = 0; i < r.policy.nallow; i++) {
		int gone = 0;
		for (j = 0; j < sh.nops; j++)
			if (cidr_equal(&sh.ops[j].net, &r.policy.allow[i]))
				gone = sh.ops[j].del;
		printf("%s%s\n", cidr_format(&r.policy.allow[i], buf), gone ?
		    " (staged: del)" : "");
	}
	for (j = 0; j < sh.nops; j++) {
		int have = 0;
		for (i = 0; i < r.policy.nallow; i++)
			have |= cidr_equal(&sh.ops[j].net, &r.policy.allow[i]);
		for (i = j + 1; i < sh.nops; i++)
			have |= cidr_equal(&sh.ops[j].net, &sh.ops[i].net);
		if (!have && !sh.ops[j].del)
			printf("%s (staged: add)\n", cidr_format(&sh.ops[j].net,
			    buf));
	}
	backend_report_release(&r);
	config_close(&cfg);
	return EXIT_OK;
}

static int sh_allow(struct cli *cli, int argc, char **argv)
{
	struct cidr *nets = NULL;
	struct allow_op *ops;
	char buf[CIDR_STRLEN];
	int i, add, rc;
	const struct command run = { "allow", allow_list, "", "", no_opts, "", NULL };

	add = argc > 1 && strcmp(argv[1], "add") == 0;
	if (argc > 1 && argv[1][0] == '-') {
		out_error("allow: unknown option '%s'; see 'help allow'",
		    argv[1]);
		return EXIT_USAGE;
	}
	if (argc > 1 && strcmp(argv[1], "list") == 0) {
		if (argc > 2) {
			out_error("allow list: unexpected argument '%s'",
			    argv[2]);
			return EXIT_USAGE;
		}
		return run_child(cli, &run, argc, argv, 0);
	}
	if (argc < 2 || (!add && strcmp(argv[1], "del") != 0)) {
		out_error("allow: %s; use add, del or list", argc < 2 ?
		    "what to do?" : "unknown action");
		return EXIT_USAGE;
	}
	if (argc < 3) {
		out_error("allow %s: which network? give one or more CIDRs",
		    argv[1]);
		return EXIT_USAGE;
	}
	if ((rc = parse_cidrs(argv + 2, argc - 2, &nets)) != EXIT_OK)
		return rc;
	for (i = 0; add && i < argc - 2; i++) {
		if (cidr_is_everything(&nets[i])) {
			out_error("allow add: rule I1: the allow list must not "
			    "cover every address ('%s'): that is an open relay",
			    cidr_format(&nets[i], buf));
			free(nets);
			return EXIT_USAGE;
		}
	}
	if (add && sh.set_phase && (sh.phase == PHASE_0 ||
	    sh.phase == PHASE_1)) {
		out_error("allow add: the staged phase %s has no allow list; "
		    "stage 'phase 2' or 'phase 3' first", phase_name(sh.phase));
		free(nets);
		return EXIT_USAGE;
	}
	if ((ops = realloc(sh.ops, (sh.nops + (size_t)argc) *
	    sizeof(*ops))) == NULL) {
		free(nets);
		out_error("out of memory");
		return EXIT_SOFTWARE;
	}
	sh.ops = ops;
	for (i = 0; i < argc - 2; i++) {
		sh.ops[sh.nops].del = !add;
		sh.ops[sh.nops++].net = nets[i];
	}
	edited();
	free(nets);
	return EXIT_OK;
}

static int sh_exit(struct cli *cli, int argc, char **argv)
{
	char what[1024];

	(void)cli;
	(void)argv;
	if (argc > 1) {
		out_error("%s: unexpected argument '%s'", argv[0], argv[1]);
		return EXIT_USAGE;
	}
	if (staged() && sh.interactive && !sh.warned_leave) {
		staged_text(what, sizeof(what));
		out_error("the staged change (%s) is not applied: 'apply' writes "
		    "it, 'discard' drops it; leave again to drop it", what);
		sh.warned_leave = 1;
		return sh.last;
	}
	sh.done = 1;
	return sh.last;
}

static int sh_help(struct cli *cli, int argc, char **argv)
{
	const struct command *c, *t;
	size_t i, n;

	(void)cli;
	if (argc > 2) {
		out_error("help: give one command");
		return EXIT_USAGE;
	}
	if (argc == 2) {
		if ((c = find(argv[1])) == NULL || strcmp(argv[1], "shell") == 0) {
			out_error("help: '%s' is not a command of the shell; "
			    "'help' lists them", argv[1]);
			return EXIT_USAGE;
		}
		commands_help_as(c, shell_find(argv[1]) ? NULL : "relayctl",
		    stdout);
		return EXIT_OK;
	}
	printf("staged editing (nothing is written before 'apply'):\n");
	for (i = 0; i < sizeof(shell_cmds) / sizeof(shell_cmds[0]); i++)
		printf("  %-14s %s\n", shell_cmds[i].name, shell_cmds[i].summary);
	printf("\nrelayctl's commands, as on the command line:\n");
	t = commands_table(&n);
	for (i = 0; i < n; i++)
		if (shell_find(t[i].name) == NULL &&
		    strcmp(t[i].name, "shell") != 0)
			printf("  %-14s %s\n", t[i].name, t[i].summary);
	printf("\n'help COMMAND' or 'COMMAND --help' shows the options of a "
	    "command.\n");
	return EXIT_OK;
}

/* ---- hosts audited before, for completion ---- */

/* note_hosts - the targets of an audit command line ARGV */
static void note_hosts(int argc, char **argv)
{
	struct opt_state st;
	char *operands[MAX_WORDS];
	size_t i, j;
	int c;

	if (argc < 2 || strcmp(argv[0], "audit") != 0 || argc > MAX_WORDS)
		return;
	opt_init(&st, commands_find("audit"), argc, argv, operands);
	while ((c = opt_next(&st)) > 0)
		;
	if (c < 0)
		return;
	for (i = 0; i < (size_t)st.noperands; i++) {
		for (j = 0; j < sh.hosts.n; j++)
			if (strcmp(sh.hosts.v[j], operands[i]) == 0)
				break;
		if (j == sh.hosts.n)
			strlist_addf(&sh.hosts, "%s", operands[i]);
	}
}

static void note_line_hosts(const char *line)
{
	char *buf = malloc(strlen(line) * 2 + 2), *words[MAX_WORDS];
	const char *err;
	int n;

	if (buf != NULL && (n = split(line, buf, words, MAX_WORDS, &err)) > 0)
		note_hosts(n, words);
	free(buf);
}

/* ---- one line ---- */

/* run_line - run one line; sets sh.last; returns its exit code */
static int run_line(const char *line)
{
	char *buf, *words[MAX_WORDS];
	const char *err = NULL;
	const struct command *cmd;
	struct cli cli;
	int n, rc;

	if ((buf = malloc(strlen(line) * 2 + 2)) == NULL) {
		out_error("out of memory");
		return sh.last = EXIT_SOFTWARE;
	}
	if ((n = split(line, buf, words, MAX_WORDS, &err)) <= 0) {
		free(buf);
		if (n < 0) {
			out_error("%s", err);
			return sh.last = EXIT_USAGE;
		}
		return sh.last;		/* a blank line or a comment */
	}
	if (strcmp(words[0], "shell") == 0) {
		out_error("shell: this is the shell already");
		rc = EXIT_USAGE;
	} else if ((cmd = find(words[0])) == NULL) {
		out_error("'%s' is not a command; 'help' lists them", words[0]);
		rc = EXIT_USAGE;
	} else if (shell_find(words[0]) != NULL) {
		cli = sh.base;
		cli.cmd = cmd;
		if (n > 1 && (strcmp(words[1], "--help") == 0 ||
		    strcmp(words[1], "-h") == 0)) {
			commands_help_as(cmd, NULL, stdout);
			rc = EXIT_OK;
		} else
			rc = cmd->run(&cli, n, words);
		fflush(stdout);
	} else {
		note_hosts(n, words);
		/* the commands that write run to the end, as apply does */
		rc = run_child(&sh.base, cmd, n, words,
		    strcmp(words[0], "enable-phase") == 0 ||
		    strcmp(words[0], "rollback") == 0);
		if (strcmp(words[0], "status") == 0 && staged()) {
			char what[1024];
			staged_text(what, sizeof(what));
			out_error("staged, not applied: %s ('diff' shows it, "
			    "'apply' writes it)", what);
		}
	}
	free(buf);
	set_prompt();
	return sh.last = rc;
}

/* ---- history ---- */

/* private_dir - DIR is a real directory of ours that nobody else can
 * write to, so that the file in it cannot be swapped under us */
static int private_dir(const char *dir)
{
	struct stat st;

	return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == geteuid() && (st.st_mode & 022) == 0;
}

/*
 * history_open - the history file: $XDG_STATE_HOME/relayctl/history, or
 * ~/.relayctl_history.  Only in a directory that is ours and private, and
 * only a regular file of ours, mode 0600: under sudo with another user's
 * HOME, root must not append to a file that user controls.
 */
static void history_open(void)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char dir[4096];
	struct stat st;
	int fd;

	if (state != NULL && *state == '/') {
		snprintf(dir, sizeof(dir), "%s/relayctl", state);
		if ((mkdir(state, 0700) != 0 && errno != EEXIST) ||
		    (mkdir(dir, 0700) != 0 && errno != EEXIST)) {
			out_error("warning: no history: cannot create '%s': %s",
			    dir, strerror(errno));
			return;
		}
	} else if (home != NULL && *home == '/')
		snprintf(dir, sizeof(dir), "%s", home);
	else
		return;
	if (!private_dir(dir)) {
		out_error("warning: no history: '%s' is not a directory of "
		    "yours that only you can write to", dir);
		return;
	}
	if (asprintf(&sh.history, state != NULL && *state == '/' ?
	    "%s/history" : "%s/.relayctl_history", dir) < 0) {
		sh.history = NULL;
		return;
	}
	if ((fd = open(sh.history, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) < 0 || fstat(fd, &st) != 0 ||
	    !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    ((st.st_mode & 077) != 0 && fchmod(fd, 0600) != 0)) {
		out_error("warning: no history: '%s' is not a regular file of "
		    "yours%s%s", sh.history, fd < 0 ? ": " : "",
		    fd < 0 ? strerror(errno) : "");
		if (fd >= 0)
			close(fd);
		free(sh.history);
		sh.history = NULL;
		return;
	}
	close(fd);
	stifle_history(HISTORY_MAX);
	read_history(sh.history);
}

static void history_note(const char *line)
{
	HIST_ENTRY *last;

	/* As bash's ignorespace and ignoredups. */
	if (line[0] == ' ' || line[strspn(line, " \t")] == '\0')
		return;
	last = history_length > 0 ? history_get(history_base +
	    history_length - 1) : NULL;
	if (last != NULL && strcmp(last->line, line) == 0)
		return;
	add_history(line);
	if (sh.history != NULL)
		append_history(1, sh.history);
}

/* ---- completion ---- */

static const char *const *cands;	/* what the generator offers */
static char **cands_owned;

static char *gen(const char *text, int state)
{
	static size_t i, len;

	if (state == 0) {
		i = 0;
		len = strlen(text);
	}
	while (cands != NULL && cands[i] != NULL)
		if (strncmp(cands[i++], text, len) == 0)
			return strdup(cands[i - 1]);
	return NULL;
}

static char **offer(const char *text, const char *const *list)
{
	cands = list;
	return rl_completion_matches(text, gen);
}

static void free_owned(void)
{
	size_t i;

	for (i = 0; cands_owned != NULL && cands_owned[i] != NULL; i++)
		free(cands_owned[i]);
	free(cands_owned);
	cands_owned = NULL;
}

/* allow_cidrs - the allow list of the configuration with the staged
 * edits, as a NULL-terminated array (cands_owned) */
static char **allow_cidrs(void)
{
	struct backend_opts bo = { sh.base.config_dir, sh.base.pf_version };
	struct backend *be = NULL;
	struct backend_report r = { 0 };
	struct relay_diag diag = { "" };
	struct cidr *list = NULL;
	char buf[CIDR_STRLEN];
	size_t i, n = 0;

	free_owned();
	if (postfix_backend.open(&bo, &be, &diag) == RELAY_OK &&
	    postfix_backend.read_policy(be, &r, &diag) == RELAY_OK &&
	    (list = calloc(r.policy.nallow + sh.nops + 1, sizeof(*list))) !=
	    NULL) {
		struct phase_change ch;
		stage_change(&ch);
		for (i = 0; i < r.policy.nallow; i++)
			list[n++] = r.policy.allow[i];
		n = allow_edit(list, n, &ch, false);
	}
	if ((cands_owned = calloc(n + 1, sizeof(*cands_owned))) != NULL)
		for (i = 0; i < n; i++)
			cands_owned[i] = strdup(cidr_format(&list[i], buf));
	free(list);
	backend_report_release(&r);
	if (be != NULL)
		postfix_backend.close(be);
	return cands_owned;
}

/* command_names - every command of the shell, sorted */
static char **command_names(void)
{
	size_t i, n, k = 0, ns = sizeof(shell_cmds) / sizeof(shell_cmds[0]);
	const struct command *t = commands_table(&n);

	free_owned();
	if ((cands_owned = calloc(n + ns + 1, sizeof(*cands_owned))) == NULL)
		return NULL;
	for (i = 0; i < ns; i++)
		cands_owned[k++] = strdup(shell_cmds[i].name);
	for (i = 0; i < n; i++)
		if (shell_find(t[i].name) == NULL && strcmp(t[i].name,
		    "shell") != 0)
			cands_owned[k++] = strdup(t[i].name);
	return cands_owned;
}

/* option_names - "--NAME" of each of CMD's options, and --help */
static char **option_names(const struct command *cmd)
{
	const struct opt_spec *o;
	size_t k = 0, n = 1;

	free_owned();
	for (o = cmd->opts; o != NULL && o->name != NULL; o++)
		n++;
	if ((cands_owned = calloc(n + 1, sizeof(*cands_owned))) == NULL)
		return NULL;
	for (o = cmd->opts; o != NULL && o->name != NULL; o++)
		if (asprintf(&cands_owned[k++], "--%s", o->name) < 0)
			cands_owned[--k] = NULL;
	cands_owned[k] = strdup("--help");
	return cands_owned;
}

/* option_of - the option of CMD spelt WORD ("--name" or "-x"), if it
 * takes an argument given in the next word */
static const struct opt_spec *option_of(const struct command *cmd,
    const char *word)
{
	const struct opt_spec *o;

	for (o = cmd->opts; o != NULL && o->name != NULL; o++) {
		if (o->arg == NULL)
			continue;
		if ((word[0] == '-' && word[1] == '-' &&
		    strcmp(word + 2, o->name) == 0) || (word[0] == '-' &&
		    o->key < OPT_LONG_ONLY && word[1] == o->key &&
		    word[2] == '\0'))
			return o;
	}
	return NULL;
}

/* hosts - the hosts audited before, NULL-terminated (cands_owned) */
static char **hosts(void)
{
	size_t i;

	free_owned();
	if ((cands_owned = calloc(sh.hosts.n + 1, sizeof(*cands_owned))) !=
	    NULL)
		for (i = 0; i < sh.hosts.n; i++)
			cands_owned[i] = strdup(sh.hosts.v[i]);
	return cands_owned;
}

/* words_of - the space-separated WORDS as a NULL-terminated array
 * (cands_owned) */
static char **words_of(const char *words)
{
	const char *p;
	size_t n = 1, k = 0, len;

	free_owned();
	for (p = words; *p != '\0'; p++)
		n += *p == ' ';
	if ((cands_owned = calloc(n + 1, sizeof(*cands_owned))) == NULL)
		return NULL;
	for (p = words; *p != '\0' && k < n; p += len + (p[len] == ' ')) {
		len = strcspn(p, " ");
		cands_owned[k++] = strndup(p, len);
	}
	return cands_owned;
}

/*
 * complete - readline's completion: the command names first; then, from
 * the tables, an option's values (FILE and DIR as file names), the
 * command's options, and its operands: words, the commands, hosts audited
 * before, or after `allow del` the allow list with the staged edits.
 */
static char **complete(const char *text, int start, int end)
{
	char *pre, *buf, *words[MAX_WORDS];
	const char *err;
	const struct command *cmd;
	const struct opt_spec *o;
	char **r = NULL;
	int n, i, nop = 0;

	(void)end;
	rl_attempted_completion_over = 1;	/* no file names by default */
	pre = strndup(rl_line_buffer, (size_t)start);
	buf = malloc((size_t)start * 2 + 2);
	if (pre == NULL || buf == NULL) {
		free(pre);
		free(buf);
		return NULL;
	}
	n = split(pre, buf, words, MAX_WORDS, &err);
	if (n == 0) {
		r = offer(text, (const char *const *)command_names());
		goto out;
	}
	if (n < 0 || (cmd = find(words[0])) == NULL)
		goto out;
	/* "--name=" ends the last word: readline breaks words at '=' */
	if (start > 0 && rl_line_buffer[start - 1] == '=' && n > 1) {
		char *eq = strrchr(words[n - 1], '=');
		if (eq != NULL && eq[1] == '\0')
			*eq = '\0';
	}
	if ((o = option_of(cmd, words[n - 1])) != NULL) {
		if (strcmp(o->arg, "DIR") == 0 || strcmp(o->arg, "FILE") == 0)
			rl_attempted_completion_over = 0;
		else if (o->values != NULL)
			r = offer(text, (const char *const *)words_of(o->values));
		goto out;
	}
	if (text[0] == '-') {
		r = offer(text, (const char *const *)option_names(cmd));
		goto out;
	}
	for (i = 1; i < n; i++) {
		if (option_of(cmd, words[i]) != NULL)
			i++;
		else if (words[i][0] != '-')
			nop++;
	}
	if (strcmp(cmd->name, "allow") == 0 && nop > 0) {
		if (strcmp(words[1], "del") == 0)
			r = offer(text, (const char *const *)allow_cidrs());
	} else if (cmd->words == NULL)
		;
	else if (strcmp(cmd->words, "@hosts") == 0)
		r = offer(text, (const char *const *)hosts());
	else if (nop > 0)
		;
	else if (strcmp(cmd->words, "@commands") == 0)
		r = offer(text, (const char *const *)command_names());
	else
		r = offer(text, (const char *const *)words_of(cmd->words));
out:
	free(pre);
	free(buf);
	return r;
}

/* ---- the loops ---- */

static void on_line(char *line)
{
	char *p, *nl;

	if (line == NULL) {		/* Ctrl-D */
		static char name[] = "exit";
		char *argv[] = { name, NULL };
		fputc('\n', rl_outstream);
		sh_exit(&sh.base, 1, argv);
	}
	/* A pasted block comes as one line: one command per line of it. */
	for (p = line; p != NULL && !sh.done; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		history_note(p);
		run_line(p);
	}
	free(line);
	if (sh.done)
		rl_callback_handler_remove();
	else
		rl_set_prompt(sh.prompt);
}

/*
 * interactive - readline's callback interface around pselect(): the
 * signals of the prompt are blocked except inside pselect(), so each is
 * seen once, between two reads, and never in the middle of readline.
 */
static int interactive(void)
{
	static const int sigs[] = { SIGINT, SIGWINCH, SIGTERM, SIGHUP };
	struct sigaction sa;
	sigset_t block;
	fd_set fds;
	size_t i;
	int in;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&block, sigs[i]);
	}
	sigprocmask(SIG_BLOCK, &block, &sh.unblocked);
	rl_readline_name = "relayctl";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_attempted_completion_function = complete;
	rl_outstream = isatty(STDOUT_FILENO) ? stdout : stderr;
	history_open();
	for (in = 0; in < history_length; in++) {
		HIST_ENTRY *h = history_get(history_base + in);
		if (h != NULL)
			note_line_hosts(h->line);
	}
	set_prompt();
	rl_callback_handler_install(sh.prompt, on_line);
	in = fileno(rl_instream);
	while (!sh.done) {
		if (got_end) {		/* SIGTERM, SIGHUP: leave cleanly */
			rl_callback_sigcleanup();
			sh.last = 128 + got_end;
			break;
		}
		if (got_winch) {
			got_winch = 0;
			rl_resize_terminal();
		}
		if (got_int) {		/* Ctrl-C: drop the line */
			got_int = 0;
			rl_free_line_state();
			rl_callback_sigcleanup();
			fputs("^C", rl_outstream);
			rl_crlf();
			rl_on_new_line();
			rl_replace_line("", 0);
			rl_redisplay();
		}
		FD_ZERO(&fds);
		FD_SET(in, &fds);
		if (pselect(in + 1, &fds, NULL, NULL, NULL, &sh.unblocked) < 0) {
			if (errno == EINTR)
				continue;
			out_error("cannot read the terminal: %s", strerror(errno));
			sh.last = EXIT_IOERR;
			break;
		}
		rl_callback_read_char();
	}
	if (!sh.done) {
		rl_callback_handler_remove();	/* the terminal as it was */
		fputc('\n', rl_outstream);
	}
	if (sh.history != NULL)
		history_truncate_file(sh.history, HISTORY_MAX);
	clear_history();
	sigprocmask(SIG_SETMASK, &sh.unblocked, NULL);
	return sh.last;
}

/*
 * script - commands from a non-terminal stdin.  An error is an exit code
 * of 64 or more (usage, configuration, system, a signal); the monitoring
 * codes 1-3 are results.  The first error stops the script (unless
 * --keep-going) and is its exit code; without one, the last command's
 * code is.
 */
static int script(void)
{
	char *line = NULL, what[1024];
	size_t cap = 0;
	long lineno = 0;
	int rc, error = EXIT_OK;

	while (!sh.done && getline(&line, &cap, stdin) >= 0) {
		lineno++;
		if ((rc = run_line(line)) < EXIT_USAGE)
			continue;
		if (error == EXIT_OK)
			error = rc;
		if (!sh.keep_going) {
			out_error("line %ld: stopped after an error (exit %d); "
			    "--keep-going goes on", lineno, rc);
			break;
		}
	}
	free(line);
	if (staged()) {
		staged_text(what, sizeof(what));
		out_error("warning: the staged change (%s) was not applied",
		    what);
	}
	return error != EXIT_OK ? error : sh.last;
}

int cmd_shell(struct cli *cli, int argc, char **argv)
{
	struct opt_state st;
	char **operands;
	int c, rc;

	if ((operands = calloc((size_t)argc, sizeof(*operands))) == NULL) {
		out_error("out of memory");
		return EXIT_SOFTWARE;
	}
	opt_init(&st, cli->cmd, argc, argv, operands);
	while ((c = opt_next(&st)) > 0) {
		if (c == 'k')
			sh.keep_going = 1;
		else
			cli_common(cli, c, st.arg);
	}
	if (c < 0 || st.noperands > 0) {
		if (c >= 0)
			out_error("shell: unexpected argument '%s'; commands "
			    "come on its standard input", operands[0]);
		free(operands);
		return c < 0 ? opt_status(cli, &st, c) : EXIT_USAGE;
	}
	free(operands);
	sh.base = *cli;
	sh.interactive = isatty(STDIN_FILENO);
	sigprocmask(SIG_SETMASK, NULL, &sh.unblocked);
	set_prompt();
	rc = sh.interactive ? interactive() : script();
	discard();
	free_owned();
	strlist_release(&sh.hosts);
	free(sh.history);
	return rc;
}
