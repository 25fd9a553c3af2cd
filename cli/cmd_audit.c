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
#include "opt.h"
#include "output.h"

enum {
	A_TLS = OPT_LONG_ONLY + 20, A_HELO, A_EXTERNAL, A_LOCAL, A_TESTS,
	A_USER, A_PASSFILE, A_CLEARTEXT
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

/* print_target - the text report of one target */
static void print_target(const json_t *t, int verbose)
{
	static const char *const sevs[] = { "critical", "warning", "ok" };
	const json_t *f, *counts = json_object_get(t, "counts"), *e;
	const char *tls = json_string_value(json_object_get(
	    json_object_get(t, "tls"), "version"));
	size_t i, j, k;

	printf("%s: %s", json_string_value(json_object_get(t, "target")),
	    audit_verdict(t));
	if (strcmp(audit_verdict(t), "unknown") == 0)
		printf(" (%s)", json_string_value(json_object_get(t, "reason")));
	printf(" (%lld tests run, %lld relayed, %lld denied%s%s)\n",
	    (long long)json_integer_value(json_object_get(counts, "run")),
	    (long long)json_integer_value(json_object_get(counts, "relayed")),
	    (long long)json_integer_value(json_object_get(counts, "denied")),
	    tls != NULL && *tls ? ", " : "", tls != NULL && *tls ? tls : "");
	for (k = 0; k < 3; k++) {
		json_array_foreach(json_object_get(t, "findings"), i, f) {
			if (strcmp(json_string_value(json_object_get(f, "severity")),
			    sevs[k]) != 0)
				continue;
			printf("  %s %s: %s\n", sevs[k],
			    json_string_value(json_object_get(f, "id")),
			    json_string_value(json_object_get(f, "message")));
			json_array_foreach(json_object_get(f, "evidence"), j, e)
				printf("    %s\n", json_string_value(e));
		}
	}
	if (verbose) {
		json_array_foreach(json_object_get(t, "transcript"), i, e)
			printf("    %s\n", json_string_value(e));
	}
}

int cmd_audit(struct cli *cli, int argc, char **argv)
{
	struct opt_state st;
	struct audit_opts o = { 0 };
	char **operands, host[256], *end;
	int c, i, rc = EXIT_OK, verbose = 0, any_open = 0, any_unknown = 0;
	int any_warning = 0;
	double timeout = 10;
	const char *passfile = NULL;
	char *pass = NULL;
	json_t *all = json_array(), *t, *f;
	size_t k;

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
		if ((t = audit_run(&one)) == NULL) {
			out_error("out of memory");
			rc = EXIT_SOFTWARE;
			goto out;
		}
		any_open |= strcmp(audit_verdict(t), "open") == 0;
		any_unknown |= strcmp(audit_verdict(t), "unknown") == 0;
		json_array_foreach(json_object_get(t, "findings"), k, f)
			any_warning |= strcmp(json_string_value(json_object_get(f,
			    "severity")), "warning") == 0;
		if (!cli->json)
			print_target(t, verbose);
		json_array_append_new(all, t);
	}
	rc = any_open ? EXIT_CRITICAL : any_unknown ? EXIT_UNKNOWN :
	    any_warning ? EXIT_WARNING : EXIT_OK;
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
	free(operands);
	return rc;
}
