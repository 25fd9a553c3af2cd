/*
 * cmd_audit - `relayctl audit [options] TARGET...`: run the relay battery
 * against each target and report a verdict per target (open, closed,
 * unknown) with its findings, as text or JSON; exit 0 closed, 1 warnings,
 * 2 open, 3 unknown.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "commands.h"
#include "configure.h"
#include "expect.h"
#include "explain.h"
#include "fleet.h"
#include "mx.h"
#include "opt.h"
#include "output.h"
#include "report.h"
#include "safefile.h"
#include "state.h"
#include "vantage.h"

enum {
	A_TLS = OPT_LONG_ONLY + 20, A_HELO, A_EXTERNAL, A_LOCAL, A_TESTS,
	A_USER, A_PASSFILE, A_CLEARTEXT, A_EXPECT, A_ALLOWED, A_OUTSIDER, A_CAFILE,
	A_TARGETS, A_DEADLINE, A_FORMAT, A_STATE, A_STATE_REPORT, A_SYSLOG,
	A_CONF, A_MX, A_RESOLVER, A_INSECURE_PASS, A_CONNECTIONS
};

#define DEFAULT_CONF "/etc/relayctl/relayctl.conf"

/* The defaults file, read before the command line. */
struct conf {
	struct strlist args;	/* "--name", "value": options */
	unsigned *lines;	/* the line of each of args */
	struct strlist targets;	/* its "target" lines */
	struct strlist files;	/* its "targets" lines */
};

/* conf_arg - append one of the file's arguments, from line NO: the
 * option (DASHES "--") or its value */
static int conf_arg(struct conf *c, unsigned no, const char *dashes,
    const char *v)
{
	unsigned *l = realloc(c->lines, (c->args.n + 1) * sizeof(*l));

	if (l == NULL)
		return -1;
	c->lines = l;
	if (strlist_addf(&c->args, "%s%s", dashes, v) != RELAY_OK)
		return -1;
	l[c->args.n - 1] = no;
	return 0;
}

/* has_control - S holds a control character other than a tab (a CR
 * inside a line, an escape): never part of a host name, an option or its
 * value */
static bool has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return true;
	return false;
}

/* conf_find - FILE of "--conf FILE" or "--conf=FILE" in ARGV, else NULL */
static const char *conf_find(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--conf") == 0 && i + 1 < argc)
			return argv[i + 1];
		if (strncmp(argv[i], "--conf=", 7) == 0)
			return argv[i] + 7;
	}
	return NULL;
}

static void conf_release(struct conf *c)
{
	free(c->lines);
	c->lines = NULL;
	strlist_release(&c->args);
	strlist_release(&c->targets);
	strlist_release(&c->files);
}

/*
 * conf_load - the defaults FILE (a missing default file is no error):
 * lines "NAME VALUE" or "NAME", NAME an option of CMD without its dashes,
 * "target HOST" for each target; '#' comments.  0, or -1 after a message
 * naming the line.
 */
static int conf_load(const struct command *cmd, const char *file, bool given,
    struct conf *c)
{
	FILE *fp = fopen(file, "r");
	char buf[1100];
	unsigned no = 0;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	if (fp == NULL) {
		if (!given && errno == ENOENT)
			return 0;
		out_error("audit: cannot read the defaults file '%s': %s", file,
		    strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(buf, sizeof(buf), fp) != NULL) {
		char *key, *val, *e;
		const struct opt_spec *o;
		no++;
		if (strchr(buf, '\n') == NULL && !feof(fp) &&
		    (ungetc(getc(fp), fp), !feof(fp))) {
			out_error("audit: %s line %u: too long", file, no);
			rc = -1;
			break;
		}
		buf[strcspn(buf, "#")] = '\0';
		key = buf + strspn(buf, " \t\r\n");
		for (e = key + strlen(key); e > key && strchr(" \t\r\n", e[-1]);
		    e--)
			;
		*e = '\0';
		if (*key == '\0')
			continue;
		if (has_control(key)) {
			out_error("audit: %s line %u: a control character; the "
			    "file is text, one setting per line", file, no);
			rc = -1;
			break;
		}
		val = key + strcspn(key, " \t");
		if (*val != '\0') {
			*val++ = '\0';
			val += strspn(val, " \t");
		}
		if (strcmp(key, "target") == 0) {
			if (*val == '\0' || strpbrk(val, " \t") != NULL) {
				out_error("audit: %s line %u: 'target' takes one "
				    "host", file, no);
				rc = -1;
			} else if (strlist_addf(&c->targets, "%s", val) !=
			    RELAY_OK) {
				rc = -1;
			}
			continue;
		}
		for (o = cmd->opts; o->name != NULL; o++)
			if (strcmp(o->name, key) == 0)
				break;
		if (strstr(key, "pass") != NULL && strcmp(key, "auth-pass-file")
		    != 0) {
			out_error("audit: %s line %u: no passwords in the defaults "
			    "file: name a file with auth-pass-file", file, no);
			rc = -1;
		} else if (o->name == NULL || strcmp(key, "conf") == 0 ||
		    strcmp(key, "json") == 0) {
			out_error("audit: %s line %u: unknown setting '%s'; the "
			    "settings are the options of 'relayctl audit' and "
			    "'target'", file, no, key);
			rc = -1;
		} else if ((o->arg != NULL) != (*val != '\0')) {
			out_error("audit: %s line %u: '%s' %s", file, no, key,
			    o->arg != NULL ? "needs a value" : "takes no value");
			rc = -1;
		} else if (strcmp(key, "targets") == 0) {
			/* like "target": only when the command line has none */
			if (strlist_addf(&c->files, "%s", val) != RELAY_OK)
				rc = -1;
		} else if (conf_arg(c, no, "--", key) != 0 || (o->arg != NULL &&
		    conf_arg(c, no, "", val) != 0)) {
			rc = -1;
		}
	}
	fclose(fp);
	return rc;
}

/* mx_domain - TARGET is a bare domain ("example.org" or "example.org:PORT",
 * no scheme, not an address) for --mx: the domain and port */
static bool mx_domain(const char *target, char *domain, size_t len,
    unsigned *port)
{
	const char *colon = strrchr(target, ':');
	struct cidr c;
	char err[64], *end;
	long p = 25;

	if (strstr(target, "://") != NULL || *target == '[' ||
	    (colon != NULL && strchr(target, ':') != colon))
		return false;
	if (colon != NULL) {
		p = strtol(colon + 1, &end, 10);
		if (*end != '\0' || end == colon + 1 || p < 1 || p > 65535)
			return false;
	}
	snprintf(domain, len, "%.*s", colon ? (int)(colon - target) :
	    (int)strlen(target), target);
	if (strchr(domain, '.') == NULL || cidr_parse(domain, 0, &c, NULL, err,
	    sizeof(err)) == RELAY_OK)
		return false;
	*port = (unsigned)p;
	return true;
}

/* add_target - append TEXT (LINE of a targets file; 0 for the command
 * line and the defaults file) to L and *LINES; 0, or -1 after a message */
static int add_target(struct strlist *l, unsigned **lines, const char *text,
    unsigned line)
{
	unsigned *nl = realloc(*lines, (l->n + 1) * sizeof(*nl));

	if (nl == NULL || (*lines = nl, strlist_addf(l, "%s", text)) !=
	    RELAY_OK) {
		out_error("out of memory");
		return -1;
	}
	nl[l->n - 1] = line;
	return 0;
}

/* read_targets - FILE's targets (one per line; '#' comments and blank
 * lines skipped; '-' for stdin) appended to L, each line number in
 * *LINES; 0, or -1 after a message */
static int read_targets(const char *file, struct strlist *l,
    unsigned **lines)
{
	FILE *fp = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	char buf[1024];
	unsigned no = 0;
	int rc = 0;

	if (fp == NULL) {
		out_error("audit: cannot read --targets '%s': %s", file,
		    strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), fp) != NULL) {
		char *p = buf, *e;
		no++;
		if (strchr(buf, '\n') == NULL && !feof(fp) &&
		    (ungetc(getc(fp), fp), !feof(fp))) {
			out_error("audit: --targets '%s' line %u: too long", file,
			    no);
			rc = -1;
			break;
		}
		buf[strcspn(buf, "#")] = '\0';
		p += strspn(p, " \t\r\n");
		for (e = p + strlen(p); e > p && strchr(" \t\r\n", e[-1]); e--)
			;
		*e = '\0';
		if (*p == '\0')
			continue;
		if (has_control(p)) {
			out_error("audit: --targets '%s' line %u: a control "
			    "character; one host name or address per line", file,
			    no);
			rc = -1;
			break;
		}
		if (strpbrk(p, " \t") != NULL) {
			out_error("audit: --targets '%s' line %u: one target per "
			    "line, not '%s'", file, no, p);
			rc = -1;
			break;
		}
		if (add_target(l, lines, p, no) != 0) {
			rc = -1;
			break;
		}
	}
	if (fp != stdin)
		fclose(fp);
	return rc;
}

/*
 * read_pass_file - the first line of FILE, malloc'd, or NULL after a
 * message.  As ssh with its keys: a file that group or others may read or
 * write is refused unless INSECURE.  Read without stdio, so that no copy
 * stays in a buffer that is not wiped.
 */
static char *read_pass_file(const char *file, bool insecure)
{
	char buf[1024], *p = NULL;
	struct stat st;
	ssize_t n;
	int fd;

	/* O_NONBLOCK: a FIFO does not hang the open; it is refused below */
	if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0 ||
	    fstat(fd, &st) != 0) {
		out_error("audit: cannot read --auth-pass-file '%s': %s", file,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		out_error("audit: --auth-pass-file '%s' is not a regular file",
		    file);
		close(fd);
		return NULL;
	}
	if ((st.st_mode & 077) != 0 && !insecure) {
		out_error("audit: refusing --auth-pass-file '%s': group or others "
		    "may read or write it (mode %04o); chmod 600 '%s', or give "
		    "--allow-insecure-pass-file", file,
		    (unsigned)(st.st_mode & 07777), file);
		close(fd);
		return NULL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		out_error("audit: cannot read --auth-pass-file '%s': %s", file,
		    strerror(errno));
		return NULL;
	}
	buf[n] = '\0';
	if (n == 0 || buf[0] == '\n' || buf[0] == '\r') {
		out_error("audit: --auth-pass-file '%s' is empty", file);
		explicit_bzero(buf, sizeof(buf));
		return NULL;
	}
	if ((size_t)n == sizeof(buf) - 1 && strpbrk(buf, "\r\n") == NULL) {
		out_error("audit: the password in --auth-pass-file '%s' is too "
		    "long (%zu bytes at most)", file, sizeof(buf) - 2);
		explicit_bzero(buf, sizeof(buf));
		return NULL;
	}
	buf[strcspn(buf, "\r\n")] = '\0';
	p = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return p;
}

/* take_env_pass - RELAYCTL_AUTH_PASS, malloc'd (or NULL), wiped in place
 * and unset: whether used or not, it is then in no environment, neither
 * this process's (/proc/PID/environ) nor a child's */
static char *take_env_pass(void)
{
	char *env = getenv("RELAYCTL_AUTH_PASS"), *p;

	if (env == NULL)
		return NULL;
	p = strdup(env);
	explicit_bzero(env, strlen(env));
	unsetenv("RELAYCTL_AUTH_PASS");
	return p;
}

/* read_password - the password of --auth-user: from FILE's first line,
 * else ENV_PASS (RELAYCTL_AUTH_PASS, taken; NULL if unset), else a prompt
 * without echo on the terminal; malloc'd, or NULL after a message */
static char *read_password(const char *user, const char *file,
    bool insecure, char **env_pass)
{
	char buf[1024], *p;
	struct termios old, noecho;
	int tty;

	if (file != NULL)
		return read_pass_file(file, insecure);
	if (*env_pass != NULL) {
		p = *env_pass;
		*env_pass = NULL;
		return p;
	}
	if ((tty = open("/dev/tty", O_RDWR)) < 0 || tcgetattr(tty, &old) != 0) {
		if (tty >= 0)
			close(tty);
		out_error("audit: no password for '%s': use --auth-pass-file or "
		    "RELAYCTL_AUTH_PASS (never the command line)", user);
		return NULL;
	}
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	dprintf(tty, "password for %s: ", user);
	tcsetattr(tty, TCSAFLUSH, &noecho);
	p = NULL;
	{
		ssize_t n = read(tty, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = '\0';
			buf[strcspn(buf, "\r\n")] = '\0';
			p = strdup(buf);
		}
	}
	tcsetattr(tty, TCSAFLUSH, &old);
	dprintf(tty, "\n");
	close(tty);
	explicit_bzero(buf, sizeof(buf));
	if (p == NULL)
		out_error("audit: no password read for '%s'", user);
	return p;
}

/* parse_target - host, host:port, [v6]:port, v6, smtp://..., smtps://...
 * into O; 0 or -1 with a message */
static int parse_target(const char *t, struct audit_opts *o, char *host,
    size_t hostlen)
{
	const char *p = t, *end;
	char *e;
	long port = 25;

	if (strncasecmp(p, "smtps://", 8) == 0) {
		p += 8;
		port = 465;
		o->conn.tls = TLS_IMPLICIT;
	} else if (strncasecmp(p, "smtp://", 7) == 0) {
		p += 7;
	}
	if (*p == '[') {
		if ((end = strchr(p, ']')) == NULL)
			goto bad;
		snprintf(host, hostlen, "%.*s", (int)(end - p - 1), p + 1);
		p = end + 1;
	} else if (strchr(p, ':') != NULL && strchr(p, ':') != strrchr(p, ':')) {
		snprintf(host, hostlen, "%s", p);	/* a bare IPv6 address */
		p += strlen(p);
	} else {
		snprintf(host, hostlen, "%.*s", (int)strcspn(p, ":/"), p);
		p += strcspn(p, ":/");
	}
	if (*p == ':') {
		port = strtol(p + 1, &e, 10);
		if (e == p + 1 || port < 1 || port > 65535 || (*e != '\0' && *e != '/'))
			goto bad;
		p = e;
	}
	if (host[0] == '\0' || (*p != '\0' && strcmp(p, "/") != 0))
		goto bad;
	o->conn.host = host;
	o->conn.port = (unsigned)port;
	return 0;
bad:
	out_error("audit: invalid target '%s': use host, host:port, "
	    "[IPv6]:port, smtp://host:port or smtps://host:port", t);
	return -1;
}

int cmd_audit(struct cli *cli, int argc, char **argv)
{
	struct opt_state st;
	struct audit_opts o = { 0 };
	char **operands, *end;
	int c, i, rc = EXIT_OK, verbose = 0, quiet = 0;
	unsigned jobs = 4, conns = 0, *target_lines = NULL;
	unsigned long ul;
	double deadline = 0;
	enum format format = FORMAT_TEXT;
	const char *targets_file = NULL;
	struct strlist targets = { 0 };
	struct target_spec {
		char host[256], source[64], name[330];
		char *fail;		/* why it cannot be audited, or NULL */
		struct expect_opts eo;
	} *specs = NULL;
	int use_mx = 0;
	const char *resolver = NULL;
	size_t nspecs = 0, k;
	struct report_state rs;
	struct report_changes ch = { NULL, true };
	struct safefile_lock *state_lock = NULL;
	long long deadline_ms = 0;
	struct conf conf;
	const char *conf_file;
	char **nargv = NULL;
	int nargc;
	const char *state_file = NULL;
	json_t *prev = NULL;
	int use_syslog = 0;
	double timeout = 10;
	const char *expect_text = NULL, *allowed = NULL;
	enum phase phase = PHASE_CUSTOM;
	struct config cfg = { 0 };
	struct backend_report rep;
	bool have_rep = false;
	char perr[256];
	const char *passfile = NULL;
	char *pass = NULL, *env_pass;
	bool insecure_pass = false;
	json_t *all = json_array();

	memset(&rs, 0, sizeof(rs));
	memset(&st, 0, sizeof(st));
	conf_file = conf_find(argc, argv);
	if (conf_load(cli->cmd, conf_file != NULL ? conf_file : DEFAULT_CONF,
	    conf_file != NULL, &conf) != 0) {
		conf_release(&conf);
		json_decref(all);
		return EXIT_DATAERR;
	}
	env_pass = take_env_pass();
	/* The defaults first: the command line's options come later and
	 * win. */
	nargc = argc + (int)conf.args.n;
	if ((operands = calloc((size_t)nargc + 1, sizeof(*operands))) == NULL ||
	    (nargv = calloc((size_t)nargc + 1, sizeof(*nargv))) == NULL ||
	    all == NULL) {
		free(operands);
		conf_release(&conf);
		json_decref(all);
		if (env_pass != NULL) {
			explicit_bzero(env_pass, strlen(env_pass));
			free(env_pass);
		}
		out_error("out of memory");
		return EXIT_SOFTWARE;
	}
	nargv[0] = argv[0];
	for (k = 0; k < conf.args.n; k++)
		nargv[1 + k] = conf.args.v[k];
	for (i = 1; i < argc; i++)
		nargv[(int)conf.args.n + i] = argv[i];
	o.ops = &transport_curl;
	o.conn.tls = TLS_AUTO;
	o.conn.helo = "relayctl.example.net";
	opt_init(&st, cli->cmd, nargc, nargv, operands);
	while ((c = opt_next(&st)) > 0) {
		switch (c) {
		case 's':
			o.conn.source = st.arg;
			break;
		case A_TLS:
			if (strcmp(st.arg, "auto") == 0)
				o.conn.tls = TLS_AUTO;
			else if (strcmp(st.arg, "starttls") == 0)
				o.conn.tls = TLS_STARTTLS;
			else if (strcmp(st.arg, "implicit") == 0)
				o.conn.tls = TLS_IMPLICIT;
			else if (strcmp(st.arg, "none") == 0)
				o.conn.tls = TLS_NONE;
			else {
				out_error("audit: invalid --tls '%s': use auto, "
				    "starttls, implicit or none", st.arg);
				rc = EXIT_USAGE;
				goto out;
			}
			break;
		case A_HELO:
			o.conn.helo = st.arg;
			break;
		case A_EXTERNAL:
			o.external = st.arg;
			break;
		case A_LOCAL:
			o.local = st.arg;
			break;
		case A_TESTS:
			o.tests = st.arg;
			break;
		case A_USER:
			o.auth_user = st.arg;
			break;
		case A_PASSFILE:
			passfile = st.arg;
			break;
		case A_CLEARTEXT:
			o.allow_cleartext_auth = true;
			break;
		case A_INSECURE_PASS:
			insecure_pass = true;
			break;
		case A_EXPECT:
			expect_text = st.arg;
			break;
		case A_ALLOWED:
			allowed = st.arg;
			break;
		case A_OUTSIDER:
			o.assume_outsider = true;
			break;
		case A_CAFILE:
			if (access(st.arg, R_OK) != 0) {
				out_error("audit: cannot read --ca-file '%s': %s",
				    st.arg, strerror(errno));
				rc = EXIT_USAGE;
				goto out;
			}
			o.conn.ca_file = st.arg;
			break;
		case 't':
			timeout = strtod(st.arg, &end);
			if (*end != '\0' || !(timeout > 0 && timeout <= 3600)) {
				out_error("audit: invalid --timeout '%s': give "
				    "seconds, more than 0 and at most 3600", st.arg);
				rc = EXIT_USAGE;
				goto out;
			}
			break;
		case 'v':
			verbose = 1;
			break;
		case 'j':
			ul = strtoul(st.arg, &end, 10);
			jobs = ul <= 1024 ? (unsigned)ul : 0;
			if (*end != '\0' || jobs < 1 ||
			    !isdigit((unsigned char)st.arg[0])) {
				out_error("audit: invalid --jobs '%s': give 1 to "
				    "1024", st.arg);
				rc = EXIT_USAGE;
				goto out;
			}
			break;
		case A_CONNECTIONS:
			ul = strtoul(st.arg, &end, 10);
			conns = ul <= AUDIT_MAX_CONNECTIONS ? (unsigned)ul : 0;
			if (*end != '\0' || conns < 1 ||
			    !isdigit((unsigned char)st.arg[0])) {
				out_error("audit: invalid --connections '%s': give "
				    "1 to %d", st.arg, AUDIT_MAX_CONNECTIONS);
				rc = EXIT_USAGE;
				goto out;
			}
			break;
		case A_TARGETS:
			targets_file = st.arg;
			break;
		case A_DEADLINE:
			deadline = strtod(st.arg, &end);
			if (*end != '\0' || !(deadline > 0 && deadline <= 86400)) {
				out_error("audit: invalid --deadline '%s': give "
				    "seconds, more than 0 and at most 86400",
				    st.arg);
				rc = EXIT_USAGE;
				goto out;
			}
			break;
		case A_FORMAT:
			if (format_parse(st.arg, &format) != 0) {
				out_error("audit: invalid --format '%s': use text, "
				    "json, jsonl or nagios", st.arg);
				rc = EXIT_USAGE;
				goto out;
			}
			break;
		case 'q':
			quiet = 1;
			break;
		case A_STATE:
			state_file = st.arg;
			break;
		case A_STATE_REPORT:
			if (strcmp(st.arg, "all") != 0 &&
			    strcmp(st.arg, "changes") != 0) {
				out_error("audit: invalid --state-report '%s': use "
				    "all or changes", st.arg);
				rc = EXIT_USAGE;
				goto out;
			}
			ch.only = strcmp(st.arg, "changes") == 0;
			break;
		case A_SYSLOG:
			use_syslog = 1;
			break;
		case A_CONF:
			break;	/* read before the options */
		case A_MX:
			use_mx = 1;
			break;
		case A_RESOLVER: {
			char a[64];
			struct in_addr in;
			const char *colon = strchr(st.arg, ':');
			long p = colon ? strtol(colon + 1, &end, 10) : 53;
			snprintf(a, sizeof(a), "%.*s", colon ? (int)(colon -
			    st.arg) : (int)strlen(st.arg), st.arg);
			if (inet_pton(AF_INET, a, &in) != 1 || p < 1 ||
			    p > 65535 || (colon && (*end != '\0' ||
			    end == colon + 1))) {
				out_error("audit: invalid --resolver '%s': give an "
				    "IPv4 address and an optional :port", st.arg);
				rc = EXIT_USAGE;
				goto out;
			}
			resolver = st.arg;
			break;
		}
		default:
			cli_common(cli, c, st.arg);
		}
	}
	if (c < 0) {
		rc = opt_status(cli, &st, c);
		goto out;
	}
	if (cli->json)
		format = FORMAT_JSON;
	for (i = 0; i < st.noperands; i++) {
		if (add_target(&targets, &target_lines, operands[i], 0) != 0) {
			rc = EXIT_SOFTWARE;
			goto out;
		}
	}
	/* No target on the command line: the defaults file's. */
	if (targets.n == 0 && targets_file == NULL) {
		for (k = 0; k < conf.targets.n; k++) {
			if (add_target(&targets, &target_lines,
			    conf.targets.v[k], 0) != 0) {
				rc = EXIT_SOFTWARE;
				goto out;
			}
		}
		for (k = 0; k < conf.files.n; k++)
			if (read_targets(conf.files.v[k], &targets,
			    &target_lines) != 0) {
				rc = EXIT_USAGE;
				goto out;
			}
	}
	if (targets_file != NULL && read_targets(targets_file, &targets,
	    &target_lines) != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (state_file != NULL) {
		struct relay_diag d = { "" };
		struct safefile_diag sd;
		enum relay_err e;
		/* Held to the end: two runs from cron never interleave. */
		if ((e = safefile_lock(state_file, 60000, &state_lock, &sd)) !=
		    RELAY_OK) {
			out_error("audit: %s", sd.msg);
			rc = e == RELAY_ETIMEOUT ? EXIT_TEMPFAIL : EXIT_CANTCREAT;
			goto out;
		}
		{	/* refused now, not after the whole audit */
			struct stat lst;
			if (lstat(state_file, &lst) == 0 && (S_ISLNK(lst.st_mode) ||
			    (lst.st_mode & S_IWOTH))) {
				out_error("audit: refusing the state file '%s': it "
				    "is %s", state_file, S_ISLNK(lst.st_mode) ?
				    "a symbolic link" : "writable by others");
				rc = EXIT_CANTCREAT;
				goto out;
			}
		}
		e = state_load(state_file, &prev, &d);
		if (e != RELAY_OK) {
			out_error("audit: %s", d.msg[0] ? d.msg :
			    relay_strerror(e));
			rc = e == RELAY_EINVAL ? EXIT_DATAERR : EXIT_NOINPUT;
			goto out;
		}
	}
	if (targets.n == 0) {
		out_error("audit: which server? give one or more targets%s; see "
		    "'relayctl audit --help'", targets_file != NULL ?
		    " (--targets has none)" : "");
		rc = EXIT_USAGE;
		goto out;
	}
	if (strpbrk(o.conn.helo, " \t\r\n") != NULL || o.conn.helo[0] == '\0') {
		out_error("audit: invalid --helo '%s'", o.conn.helo);
		rc = EXIT_USAGE;
		goto out;
	}
	if (expect_text != NULL) {
		char num[16];
		size_t len = strlen(expect_text);
		bool tls_only = len > 4 && strcasecmp(expect_text + len - 4,
		    "-tls") == 0;
		snprintf(num, sizeof(num), "%.*s", (int)(tls_only ? len - 4 : len),
		    expect_text);
		if (phase_parse(num, tls_only, &phase, perr, sizeof(perr)) !=
		    RELAY_OK) {
			out_error("audit: --expect-phase: %s", perr);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (allowed != NULL) {
		struct cidr a;
		if (expect_text == NULL) {
			out_error("audit: --allowed-source needs --expect-phase");
			rc = EXIT_USAGE;
			goto out;
		}
		if (cidr_parse(allowed, 0, &a, NULL, perr, sizeof(perr)) !=
		    RELAY_OK || a.prefix != cidr_addr_size(&a) * 8) {
			out_error("audit: invalid --allowed-source '%s': give one "
			    "IPv4 or IPv6 address", allowed);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (passfile != NULL && o.auth_user == NULL) {
		out_error("audit: --auth-pass-file needs --auth-user");
		rc = EXIT_USAGE;
		goto out;
	}
	if (o.auth_user != NULL) {
		if ((pass = read_password(o.auth_user, passfile,
		    insecure_pass, &env_pass)) == NULL) {
			rc = EXIT_USAGE;
			goto out;
		}
		o.auth_pass = pass;
	}
	o.conn.connect_timeout_ms = o.conn.reply_timeout_ms =
	    (int)(timeout * 1000);
	/* Connections per target: 4 by default, fewer with many targets
	 * at once, so that a fleet keeps at most 64 in flight (or -j). */
	if (conns == 0)
		conns = jobs >= 16 ? (64 / jobs > 1 ? 64 / jobs : 1) : 4;
	o.connections = conns;
	if (cli->config_dir_set) {
		struct relay_diag diag = { "" };
		if ((rc = config_open(cli, false, &cfg)) != EXIT_OK)
			goto out;
		if (postfix_backend.read_policy(cfg.be, &rep, &diag) != RELAY_OK) {
			backend_report_release(&rep);
			out_error("audit: %s", diag.msg);
			rc = EXIT_SOFTWARE;
			goto out;
		}
		have_rep = true;
		o.config = &rep;
	}
	if (transport_global_init() != RELAY_OK) {
		out_error("audit: cannot load libcurl (libcurl.so.4) or OpenSSL "
		    "(libssl.so.3): install libcurl4 and libssl3");
		rc = EXIT_SOFTWARE;
		goto out;
	}
	if (resolver != NULL && !use_mx) {
		out_error("audit: --resolver needs --mx");
		rc = EXIT_USAGE;
		goto out;
	}
	/* The run starts now: the MX lookups count against the deadline. */
	rs.start_ms = transport_now_ms();
	deadline_ms = deadline > 0 ? transport_now_ms() + (long long)(deadline *
	    1000) : 0;
	/* Every target in its own storage: the workers read them at once. */
	for (k = 0; k < targets.n; k++) {
		struct mx_addr *mx = NULL;
		size_t nmx = 0, m;
		struct relay_diag d = { "" };
		struct target_spec *ns;
		char domain[256];
		unsigned port = 25;
		enum relay_err e = RELAY_OK;
		if (use_mx && mx_domain(targets.v[k], domain, sizeof(domain),
		    &port)) {
			if (deadline_ms > 0 && transport_now_ms() >= deadline_ms)
				e = relay_diagf(&d, RELAY_ETIMEOUT, "the deadline "
				    "passed before the MX lookup of %s", domain);
			else
				e = mx_resolve(domain, resolver, &mx, &nmx, &d);
			if (e == RELAY_ENOMEM) {
				out_error("out of memory");
				rc = EXIT_SOFTWARE;
				goto out;
			}
		}
		ns = realloc(specs, (nspecs + (nmx ? nmx : 1) + 1) *
		    sizeof(*specs));
		if (ns == NULL) {
			free(mx);
			out_error("out of memory");
			rc = EXIT_SOFTWARE;
			goto out;
		}
		specs = ns;
		memset(&specs[nspecs], 0, (nmx ? nmx : 1) * sizeof(*specs));
		if (e != RELAY_OK) {
			/* unknown, with the reason, without an audit */
			snprintf(specs[nspecs].name, sizeof(specs[nspecs].name),
			    "%s", targets.v[k]);
			snprintf(specs[nspecs].host, sizeof(specs[nspecs].host),
			    "%s", domain);
			specs[nspecs].fail = strdup(d.msg);
			specs[nspecs].eo.audit.conn.port = port;
			nspecs++;
			continue;
		}
		for (m = 0; m < (nmx ? nmx : 1); m++) {
			struct target_spec *sp = &specs[nspecs++];
			struct audit_opts one = o;
			char conn[96];
			if (nmx > 0 && mx[m].fail[0] != '\0') {
				/* an MX host without an address: unknown */
				snprintf(sp->name, sizeof(sp->name), "%s",
				    mx[m].host);
				snprintf(sp->host, sizeof(sp->host), "%s",
				    mx[m].host);
				sp->fail = strdup(mx[m].fail);
				sp->eo.audit.conn.port = port;
				continue;
			}
			if (nmx > 0) {
				snprintf(sp->name, sizeof(sp->name), "%s[%s]%s%.0u",
				    mx[m].host, mx[m].addr, port != 25 ? ":" : "",
				    port != 25 ? port : 0);
				snprintf(conn, sizeof(conn), strchr(mx[m].addr, ':') ?
				    "[%s]:%u" : "%s:%u", mx[m].addr, port);
			} else {
				snprintf(sp->name, sizeof(sp->name), "%s",
				    targets.v[k]);
			}
			sp->eo.phase = expect_text != NULL ? phase : PHASE_CUSTOM;
			sp->eo.allowed_source = allowed;
			if (parse_target(nmx > 0 ? conn : targets.v[k], &one,
			    sp->host, sizeof(sp->host)) < 0) {
				if (target_lines[k] > 0)
					out_error("audit: the target above is line "
					    "%u of its targets file",
					    target_lines[k]);
				free(mx);
				rc = EXIT_USAGE;
				goto out;
			}
			sp->eo.audit = one;
		}
		free(mx);
	}
	/* With the pointers settled: names, hosts and sources. */
	for (k = 0; k < nspecs; k++) {
		struct target_spec *sp = &specs[k];
		sp->eo.audit.target = sp->name;
		if (sp->fail != NULL)
			continue;
		sp->eo.audit.conn.host = sp->host;
		if (o.config != NULL && o.conn.source == NULL && vantage_pick(
		    o.config, strcmp(sp->host, "localhost") == 0 ?
		    "127.0.0.1" : sp->host, sp->source,
		    sizeof(sp->source)) == 0) {
			sp->eo.audit.conn.source = sp->source;
			if (!quiet)
				out_error("note: auditing %s from %s, an address "
				    "'%s' does not trust", sp->name, sp->source,
				    cli->config_dir);
		}
	}
	{
		struct expect_opts *eos = calloc(nspecs + 1, sizeof(*eos));
		struct fleet_opts fo = { jobs, deadline_ms, report_done, &rs };
		size_t neo = 0, j = 0;
		json_t *done = NULL, *merged = json_array();
		enum relay_err fe;
		if (eos == NULL || merged == NULL) {
			free(eos);
			json_decref(merged);
			out_error("out of memory");
			rc = EXIT_SOFTWARE;
			goto out;
		}
		for (k = 0; k < nspecs; k++)
			if (specs[k].fail == NULL)
				eos[neo++] = specs[k].eo;
		rs.config = o.config;
		rs.n = nspecs;
		rs.format = format;
		rs.verbose = verbose != 0;
		rs.progress = nspecs > 1 && isatty(2) && format != FORMAT_JSONL;
		rs.quiet = quiet != 0;
		/* what could not be resolved is done at once */
		for (k = 0; k < nspecs; k++) {
			json_t *u;
			if (specs[k].fail == NULL)
				continue;
			u = audit_unknown(specs[k].name, specs[k].host,
			    specs[k].eo.audit.conn.port, specs[k].fail);
			if (u != NULL)
				report_done(&rs, k, u);
			json_decref(u);
		}
		fe = fleet_run(eos, neo, &fo, &done);
		free(eos);
		if (rs.progress)
			fprintf(stderr, "\r\033[K");
		if (fe != RELAY_OK) {
			json_decref(merged);
			out_error("audit: %s", relay_strerror(fe));
			rc = EXIT_SOFTWARE;
			goto out;
		}
		/* input order, the unresolved ones in their places */
		for (k = 0; k < nspecs; k++) {
			if (specs[k].fail != NULL)
				json_array_append_new(merged, audit_unknown(
				    specs[k].name, specs[k].host,
				    specs[k].eo.audit.conn.port, specs[k].fail));
			else
				json_array_append(merged, json_array_get(done,
				    j++));
		}
		json_decref(done);
		json_decref(all);
		all = merged;
	}
	if (use_syslog)
		report_syslog(all);
	if (state_file != NULL &&
	    (ch.changes = state_changes(prev, all)) == NULL) {
		out_error("out of memory");
		rc = EXIT_SOFTWARE;
		goto out;
	}
	json_incref(all);	/* report_fleet steals it; the state needs it */
	rc = report_fleet(all, format, quiet, verbose, (double)(transport_now_ms() -
	    rs.start_ms) / 1000, &ch);
	if (state_file != NULL) {
		struct relay_diag d = { "" };
		char when[32];
		time_t now = time(NULL);
		struct tm tm;
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ",
		    gmtime_r(&now, &tm));
		if (state_save(state_lock, state_file, all, when, &d) !=
		    RELAY_OK) {
			out_error("audit: %s; the state file was not updated",
			    d.msg);
			rc = EXIT_CANTCREAT;
		}
	}
out:
	if (rc == EXIT_USAGE && conf.args.n > 0 && st.next - 1 >= 1 &&
	    (size_t)(st.next - 1) <= conf.args.n)
		out_error("audit: that option comes from the defaults file '%s' "
		    "line %u", conf_file != NULL ? conf_file : DEFAULT_CONF,
		    conf.lines[(st.next - 2) < 0 ? 0 : st.next - 2]);
	/* A monitoring plugin says UNKNOWN, with a status line, on any
	 * error. */
	if (format == FORMAT_NAGIOS && rc > EXIT_UNKNOWN) {
		printf("RELAY UNKNOWN - relayctl could not complete the check "
		    "(exit %d; see its error output)\n", rc);
		rc = EXIT_UNKNOWN;
	}
	safefile_unlock(state_lock);
	if (env_pass != NULL) {
		explicit_bzero(env_pass, strlen(env_pass));
		free(env_pass);
	}
	if (pass != NULL) {
		explicit_bzero(pass, strlen(pass));
		free(pass);
	}
	json_decref(all);
	if (have_rep)
		backend_report_release(&rep);
	config_close(&cfg);
	strlist_release(&targets);
	json_decref(prev);
	json_decref(ch.changes);
	conf_release(&conf);
	free(nargv);
	free(target_lines);
	for (k = 0; k < nspecs; k++)
		free(specs[k].fail);
	free(specs);
	free(operands);
	return rc;
}
