/*
 * cmd_audit - `relayctl audit [options] TARGET...`: run the relay battery
 * against each target and report a verdict per target (open, closed,
 * unknown) with its findings, as text or JSON; exit 0 closed, 1 warnings,
 * 2 open, 3 unknown.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "audit.h"
#include "commands.h"
#include "configure.h"
#include "expect.h"
#include "explain.h"
#include "opt.h"
#include "output.h"
#include "vantage.h"

enum {
	A_TLS = OPT_LONG_ONLY + 20, A_HELO, A_EXTERNAL, A_LOCAL, A_TESTS,
	A_USER, A_PASSFILE, A_CLEARTEXT, A_EXPECT, A_ALLOWED, A_OUTSIDER, A_CAFILE
};

/* read_password - the password of --auth-user: from FILE's first line,
 * else RELAYCTL_AUTH_PASS, else a prompt without echo on the terminal;
 * malloc'd, or NULL after a message */
static char *read_password(const char *user, const char *file)
{
	char buf[1024], *p, *env;
	FILE *fp;
	struct termios old, noecho;
	int tty;

	if (file != NULL) {
		if ((fp = fopen(file, "r")) == NULL) {
			out_error("audit: cannot read --auth-pass-file '%s': %s",
			    file, strerror(errno));
			return NULL;
		}
		p = fgets(buf, sizeof(buf), fp);
		fclose(fp);
		if (p == NULL) {
			out_error("audit: --auth-pass-file '%s' is empty", file);
			return NULL;
		}
		buf[strcspn(buf, "\r\n")] = '\0';
		p = strdup(buf);
		explicit_bzero(buf, sizeof(buf));
		return p;
	}
	if ((env = getenv("RELAYCTL_AUTH_PASS")) != NULL)
		return strdup(env);
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
	char **operands, host[256], *end, picked[64];
	int c, i, rc = EXIT_OK, verbose = 0, worst = 0;
	double timeout = 10;
	const char *expect_text = NULL, *allowed = NULL;
	enum phase phase = PHASE_CUSTOM;
	struct config cfg = { 0 };
	struct backend_report rep;
	bool have_rep = false;
	char perr[256];
	const char *passfile = NULL;
	char *pass = NULL;
	json_t *all = json_array(), *t;

	if ((operands = calloc((size_t)argc, sizeof(*operands))) == NULL ||
	    all == NULL) {
		free(operands);
		out_error("out of memory");
		return EXIT_SOFTWARE;
	}
	o.ops = &transport_curl;
	o.conn.tls = TLS_AUTO;
	o.conn.helo = "relayctl.example.net";
	opt_init(&st, cli->cmd, argc, argv, operands);
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
		default:
			cli_common(cli, c, st.arg);
		}
	}
	if (c < 0) {
		rc = opt_status(cli, &st, c);
		goto out;
	}
	if (st.noperands == 0) {
		out_error("audit: which server? give one or more targets; see "
		    "'relayctl audit --help'");
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
		if ((pass = read_password(o.auth_user, passfile)) == NULL) {
			rc = EXIT_USAGE;
			goto out;
		}
		o.auth_pass = pass;
	}
	o.conn.connect_timeout_ms = o.conn.reply_timeout_ms =
	    (int)(timeout * 1000);
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
		out_error("audit: libcurl could not start");
		rc = EXIT_SOFTWARE;
		goto out;
	}
	for (i = 0; i < st.noperands; i++) {
		struct audit_opts one = o;
		if (parse_target(operands[i], &one, host, sizeof(host)) < 0) {
			rc = EXIT_USAGE;
			goto out;
		}
		one.target = operands[i];
		if (o.config != NULL && o.conn.source == NULL && vantage_pick(
		    o.config, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host,
		    picked, sizeof(picked)) == 0) {
			one.conn.source = picked;
			out_error("note: auditing %s from %s, an address '%s' "
			    "does not trust", operands[i], picked,
			    cli->config_dir);
		}
		if (expect_text != NULL) {
			struct expect_opts eo = { one, phase, allowed };
			t = expect_run(&eo);
		} else {
			t = audit_run(&one);
		}
		if (t != NULL && o.config != NULL) {
			json_t *g = explain_target(o.config, t);
			if (json_array_size(g) > 0)
				json_object_set_new(t, "explain", g);
			else
				json_decref(g);
		}
		if (t == NULL) {
			out_error("out of memory");
			rc = EXIT_SOFTWARE;
			goto out;
		}
		worst = out_audit_status(t) > worst ? out_audit_status(t) : worst;
		if (!cli->json)
			out_audit(t, verbose);
		json_array_append_new(all, t);
	}
	rc = worst == 3 ? EXIT_CRITICAL : worst == 2 ? EXIT_UNKNOWN :
	    worst == 1 ? EXIT_WARNING : EXIT_OK;
	if (cli->json) {
		int jr = out_json(json_pack("{s:s, s:o}", "schema", AUDIT_SCHEMA,
		    "targets", all));
		all = NULL;
		if (jr != EXIT_OK)
			rc = jr;
	}
out:
	if (pass != NULL) {
		explicit_bzero(pass, strlen(pass));
		free(pass);
	}
	json_decref(all);
	if (have_rep)
		backend_report_release(&rep);
	config_close(&cfg);
	free(operands);
	return rc;
}
