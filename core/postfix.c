/*
 * postfix - the Postfix backend: main.cf and master.cf read as Postfix
 * reads them, effective values with compatibility-level defaults and $name
 * expansion, the relay policy they give, and the edits for a target one.
 * Owns the parsed files.  Never prints; runs postconf and postfix only to
 * learn the version, Postfix's own mynetworks, and to reload.
 */
/* asprintf(3) */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend.h"
#include "cidr.h"
#include "maincf.h"
#include "mastercf.h"
#include "safefile.h"
#include "strbuf.h"
#include "vcache.h"

struct backend {
	const struct backend_ops *ops;
	char *dir;
	char *main_path;
	char *version;
	struct maincf *main;
	struct mastercf *master;
	const struct mastercf_service *mx;	/* the port-25 smtpd, or NULL */
	char *computed_mynetworks;		/* Postfix's, when not set */
	int overflow;		/* an expansion went too deep: stop expanding */
};

#define MAX_DEPTH 20	/* $name expansion nesting, as Postfix limits it */

/* The relay-relevant parameters status reports and tests compare. */
static const char *const relay_params[] = {
	"compatibility_level", "myhostname", "mydestination", "mynetworks_style",
	"mynetworks", "relay_domains", "default_transport", "relay_transport",
	"smtpd_relay_restrictions", "smtpd_recipient_restrictions",
	"smtpd_client_restrictions", "smtpd_helo_restrictions",
	"smtpd_sender_restrictions", "smtpd_sasl_auth_enable",
	"smtpd_sasl_type", "smtpd_sasl_path", "smtpd_sasl_security_options",
	"smtpd_sasl_tls_security_options", "smtpd_sasl_mechanism_filter",
	"smtpd_sasl_exceptions_networks", "smtpd_tls_auth_only",
	"smtpd_tls_security_level", "broken_sasl_auth_clients",
};


/* finding - add one finding to R; NO_PHASE: the policy is no phase */
static enum relay_err finding(struct backend_report *r, const char *id,
    enum severity sev, int no_phase, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static enum relay_err finding(struct backend_report *r, const char *id,
    enum severity sev, int no_phase, const char *fix, const char *fmt, ...)
{
	struct backend_finding *nf;
	va_list ap;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (msg = malloc((size_t)n + 1)) == NULL)
		return RELAY_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if ((nf = realloc(r->findings, (r->nfindings + 1) * sizeof(*nf))) == NULL) {
		free(msg);
		return RELAY_ENOMEM;
	}
	r->findings = nf;
	nf[r->nfindings].id = id;
	nf[r->nfindings].severity = sev;
	nf[r->nfindings].no_phase = no_phase;
	nf[r->nfindings].msg = msg;
	nf[r->nfindings].fix = fix;
	r->nfindings++;
	return RELAY_OK;
}

/* no_phase - some finding puts R outside every phase */
static int no_phase(const struct backend_report *r)
{
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		if (r->findings[i].no_phase)
			return 1;
	return 0;
}

/* capture_start - start ARGV (no shell) with its stdout on a pipe, *FD;
 * the child's pid, or -1 */
static pid_t capture_start(char *const argv[], int *fd, int with_stderr)
{
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 2);
		}
		dup2(p[1], 1);
		if (with_stderr)
			dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	*fd = p[0];
	return pid;
}

/* capture_finish - what the child PID wrote on FD, trailing newlines
 * removed, malloc'd; NULL if it failed, unless CODE takes its exit
 * status (-1 when it did not exit) */
static char *capture_finish(pid_t pid, int fd, int *code)
{
	char buf[4096], *out = NULL, *no;
	size_t len = 0;
	ssize_t n;
	int status;

	if (pid < 0)
		return NULL;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if ((no = realloc(out, len + (size_t)n + 1)) == NULL)
			break;
		out = no;
		memcpy(out + len, buf, (size_t)n);
		len += (size_t)n;
		out[len] = '\0';
	}
	close(fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (code != NULL)
		*code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(out);
		return NULL;
	}
	if (out == NULL)
		out = strdup("");
	while (out != NULL && len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		out[--len] = '\0';
	return out;
}

/* run_capture - run ARGV and return its output (see capture_finish) */
static char *run_capture(char *const argv[])
{
	int fd = -1;
	pid_t pid = capture_start(argv, &fd, 0);

	return capture_finish(pid, fd, NULL);
}

/* level_cmp - compare compatibility levels "3.6" and "2" numerically */
static int level_cmp(const char *a, const char *b)
{
	long x, y;
	char *ea, *eb;

	for (;;) {
		x = strtol(a, &ea, 10);
		y = strtol(b, &eb, 10);
		if (x != y)
			return x < y ? -1 : 1;
		if (*ea != '.' && *eb != '.')
			return 0;
		a = *ea == '.' ? ea + 1 : "0";
		b = *eb == '.' ? eb + 1 : "0";
		if (*ea != '.' && *eb == '.' && strspn(b, "0.") == strlen(b))
			return 0;
		if (*eb != '.' && *ea == '.' && strspn(a, "0.") == strlen(a))
			return 0;
	}
}

/* version_at_least - VERSION ("3.7.11") is at least MAJOR.MINOR; unknown
 * versions count as new */
static int version_at_least(const char *version, int major, int minor)
{
	int ma = 0, mi = 0;

	if (version == NULL || sscanf(version, "%d.%d", &ma, &mi) < 1)
		return 1;
	return ma > major || (ma == major && mi >= minor);
}

static char *expand(struct backend *pf, const char *raw, int depth);

/* compat - the effective compatibility_level */
static char *compat(struct backend *pf, int depth)
{
	const char *v = maincf_get(pf->main, "compatibility_level");

	return expand(pf, v != NULL ? v : "0", depth + 1);
}

/* default_raw - Postfix's default for NAME as raw text, or NULL when it
 * has none we know (then the value is empty); *DYN is set when the result
 * is malloc'd */
static const char *default_raw(struct backend *pf, const char *name,
    int depth, int *dyn)
{
	static const struct {
		const char *name, *value;
	} fixed[] = {
		{ "compatibility_level", "0" },
		{ "default_transport", "smtp" },
		{ "relay_transport", "relay" },
		{ "local_transport", "local:$myhostname" },
		{ "mydestination", "$myhostname, localhost.$mydomain, localhost" },
		{ "smtpd_recipient_restrictions", "" },
		{ "smtpd_sasl_auth_enable", "no" },
		{ "smtpd_sasl_type", "cyrus" },
		{ "smtpd_sasl_path", "smtpd" },
		{ "smtpd_sasl_security_options", "noanonymous" },
		{ "smtpd_sasl_tls_security_options", "$smtpd_sasl_security_options" },
		{ "smtpd_sasl_mechanism_filter", "!external, static:rest" },
		{ "smtpd_tls_auth_only", "no" },
		{ "broken_sasl_auth_clients", "no" },
		{ "smtpd_use_tls", "no" },
		{ "smtpd_enforce_tls", "no" },
		{ "smtpd_tls_wrappermode", "no" },
		{ "relay_domains_reject_code", "554" },
		{ "inet_protocols", "all" },
		{ "inet_interfaces", "all" },
	};
	size_t i;
	char *level, buf[256];
	int old;

	*dyn = 0;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strcmp(fixed[i].name, name) == 0)
			return fixed[i].value;
	if (strcmp(name, "config_directory") == 0)
		return pf->dir;
	if (strcmp(name, "mail_version") == 0)
		return pf->version != NULL ? pf->version : "";
	if (strcmp(name, "myhostname") == 0) {
		if (gethostname(buf, sizeof(buf)) != 0)
			return "localhost";
		buf[sizeof(buf) - 1] = '\0';
		*dyn = 1;
		return strdup(buf);
	}
	if (strcmp(name, "mydomain") == 0) {
		char *h = expand(pf, "$myhostname", depth + 1), *dot;
		if (h == NULL)
			return NULL;
		dot = strchr(h, '.');
		*dyn = 1;
		if (dot == NULL || dot[1] == '\0') {
			free(h);
			return strdup("localdomain");
		}
		memmove(h, dot + 1, strlen(dot + 1) + 1);
		return h;
	}
	if (strcmp(name, "mynetworks") == 0)
		return pf->computed_mynetworks;
	/* Defaults that depend on compatibility_level. */
	if ((level = compat(pf, depth)) == NULL)
		return NULL;
	if (strcmp(name, "mynetworks_style") == 0) {
		old = level_cmp(level, "2") < 0;
		free(level);
		return old ? "subnet" : "host";
	}
	if (strcmp(name, "relay_domains") == 0) {
		old = level_cmp(level, "2") < 0;
		free(level);
		return old ? "$mydestination" : "";
	}
	if (strcmp(name, "smtpd_relay_restrictions") == 0) {
		old = level_cmp(level, "1") < 0;
		free(level);
		return old ? "" : "permit_mynetworks, permit_sasl_authenticated, "
		    "defer_unauth_destination";
	}
	free(level);
	return NULL;
}

/* raw_value - NAME's text before expansion, and where it came from */
static const char *raw_value(struct backend *pf, const char *name, int depth,
    int *dyn, char *src, size_t srclen)
{
	const struct mastercf_override *o;
	const struct maincf_entry *e;
	const char *v;

	*dyn = 0;
	if (pf->mx != NULL && (o = mastercf_override(pf->mx, name)) != NULL) {
		if (src != NULL)
			snprintf(src, srclen, "master.cf:%u (-o on %s)", o->line,
			    pf->mx->name);
		return o->value;
	}
	if ((v = maincf_get(pf->main, name)) != NULL) {
		if (src != NULL) {
			e = maincf_find(pf->main, name);
			if (e != NULL && strcmp(e->value, v) == 0)
				snprintf(src, srclen, "main.cf:%u", e->line);
			else
				snprintf(src, srclen, "main.cf (new)");
		}
		return v;
	}
	if (src != NULL)
		snprintf(src, srclen, "default");
	return default_raw(pf, name, depth, dyn);
}

/* lookup - NAME fully expanded (malloc'd), "" when undefined */
static char *lookup(struct backend *pf, const char *name, int depth)
{
	int dyn;
	const char *raw = raw_value(pf, name, depth, &dyn, NULL, 0);
	char *v;

	if (raw == NULL)
		return dyn ? NULL : strdup("");
	v = expand(pf, raw, depth + 1);
	if (dyn)
		free((char *)raw);
	return v;
}

/* match_brace - the '}' closing the '{' at S, or NULL */
static const char *match_brace(const char *s)
{
	int depth = 0;

	for (; *s != '\0'; s++) {
		if (*s == '{')
			depth++;
		else if (*s == '}' && --depth == 0)
			return s;
	}
	return NULL;
}

/* unbrace - the text of "{text}" or TEXT as is, trimmed, malloc'd */
static char *unbrace(const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= 2 && s[0] == '{' && s[n - 1] == '}')
		return unbrace(s + 1, n - 2);
	return strndup(s, n);
}

/* eval_relop - "${{a} op {b} ? {x} : {y}}": BODY is what is inside ${ } */
static char *eval_relop(struct backend *pf, const char *body, int depth)
{
	const char *p = body, *ae, *bs, *be, *q, *xe, *ys, *ye;
	char *a = NULL, *b = NULL, *op = NULL, *res = NULL, *x;
	int c, truth, lvl;
	size_t ol;

	while (isspace((unsigned char)*p))
		p++;
	if (*p != '{' || (ae = match_brace(p)) == NULL)
		return NULL;
	a = unbrace(p, (size_t)(ae - p + 1));
	p = ae + 1;
	while (isspace((unsigned char)*p))
		p++;
	ol = strcspn(p, " \t{");
	op = strndup(p, ol);
	p += ol;
	while (isspace((unsigned char)*p))
		p++;
	if (a == NULL || op == NULL || *p != '{' || (be = match_brace(p)) == NULL)
		goto out;
	bs = p;
	b = unbrace(bs, (size_t)(be - bs + 1));
	p = be + 1;
	while (isspace((unsigned char)*p))
		p++;
	if (b == NULL || *p != '?')
		goto out;
	p++;
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '{' || (xe = match_brace(p)) == NULL)
		goto out;
	q = p;
	p = xe + 1;
	while (isspace((unsigned char)*p))
		p++;
	ys = ye = NULL;
	if (*p == ':') {
		p++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '{' && (ye = match_brace(p)) != NULL)
			ys = p;
	}
	{
		char *ea = expand(pf, a, depth + 1), *eb = expand(pf, b, depth + 1);
		if (ea == NULL || eb == NULL) {
			free(ea);
			free(eb);
			goto out;
		}
		lvl = strstr(op, "level") != NULL;
		c = lvl ? level_cmp(ea, eb) : strcmp(ea, eb);
		free(ea);
		free(eb);
	}
	if (strncmp(op, "==", 2) == 0)
		truth = c == 0;
	else if (strncmp(op, "!=", 2) == 0)
		truth = c != 0;
	else if (strncmp(op, "<=", 2) == 0)
		truth = c <= 0;
	else if (strncmp(op, ">=", 2) == 0)
		truth = c >= 0;
	else if (op[0] == '<')
		truth = c < 0;
	else if (op[0] == '>')
		truth = c > 0;
	else
		goto out;
	if (truth)
		x = unbrace(q, (size_t)(xe - q + 1));
	else
		x = ys != NULL ? unbrace(ys, (size_t)(ye - ys + 1)) : strdup("");
	if (x != NULL) {
		res = expand(pf, x, depth + 1);
		free(x);
	}
out:
	free(a);
	free(b);
	free(op);
	return res;
}

/* expand_braced - "${...}" with BODY the inside */
static char *expand_braced(struct backend *pf, const char *body, int depth)
{
	size_t nl = strspn(body, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	char *name, *val, *text, *res;
	const char *rest = body + nl, *colon;
	int empty;

	if (*body == '{')
		return eval_relop(pf, body, depth);
	if ((name = strndup(body, nl)) == NULL)
		return NULL;
	val = lookup(pf, name, depth);
	free(name);
	if (val == NULL || *rest == '\0')
		return val;
	empty = val[0] == '\0';
	if (*rest == '?') {
		rest++;
		/* ${name?{v1}:{v2}} */
		if (*rest == '{') {
			const char *e1 = match_brace(rest);
			if (e1 != NULL && e1[1] == ':' && e1[2] == '{') {
				colon = e1 + 1;
				text = empty ? unbrace(colon + 1, strlen(colon + 1))
				    : unbrace(rest, (size_t)(e1 - rest + 1));
				goto chosen;
			}
		}
		text = empty ? strdup("") : unbrace(rest, strlen(rest));
	} else if (*rest == ':') {
		rest++;
		text = empty ? unbrace(rest, strlen(rest)) : strdup("");
	} else {
		return val;	/* not a form Postfix knows: the value as is */
	}
chosen:
	free(val);
	if (text == NULL)
		return NULL;
	res = expand(pf, text, depth + 1);
	free(text);
	return res;
}

/* expand - RAW with every $name form replaced; NULL when out of memory */
static char *expand(struct backend *pf, const char *raw, int depth)
{
	struct strbuf b = STRBUF_INIT;
	const char *p = raw, *d, *e;
	char *name, *v;
	size_t n;

	/* A loop, or $a$a$a nested deep: Postfix gives up at the first
	 * nesting too deep, and so do we, for the rest of this value (else
	 * 3^20 expansions). */
	if (depth > MAX_DEPTH)
		pf->overflow = 1;
	if (pf->overflow)
		return strdup("");
	while ((d = strchr(p, '$')) != NULL) {
		strbuf_add(&b, p, (size_t)(d - p));
		if (d[1] == '$') {
			strbuf_add(&b, "$", 1);
			p = d + 2;
			continue;
		}
		if (d[1] == '{' || d[1] == '(') {
			char close = d[1] == '{' ? '}' : ')';
			if (close == '}')
				e = match_brace(d + 1);
			else
				e = strchr(d + 2, ')');
			if (e == NULL) {	/* unbalanced: literal */
				strbuf_add(&b, d, strlen(d));
				p = d + strlen(d);
				break;
			}
			name = strndup(d + 2, (size_t)(e - d - 2));
			v = name == NULL ? NULL : close == '}' ?
			    expand_braced(pf, name, depth) : lookup(pf, name, depth);
			free(name);
			if (v == NULL) {
				b.failed = 1;
				break;
			}
			strbuf_add(&b, v, strlen(v));
			free(v);
			p = e + 1;
			continue;
		}
		n = strspn(d + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		if (n == 0) {
			strbuf_add(&b, "$", 1);
			p = d + 1;
			continue;
		}
		if ((name = strndup(d + 1, n)) == NULL ||
		    (v = lookup(pf, name, depth)) == NULL) {
			free(name);
			b.failed = 1;
			break;
		}
		free(name);
		strbuf_add(&b, v, strlen(v));
		free(v);
		p = d + 1 + n;
	}
	strbuf_add(&b, p, strlen(p));
	return strbuf_detach(&b, NULL);
}

/* fold - whitespace runs to one space, trimmed, as postconf prints */
static void fold(char *s)
{
	char *w = s, *r = s;
	int sp = 0;

	while (*r != '\0' && isspace((unsigned char)*r))
		r++;
	for (; *r != '\0'; r++) {
		if (isspace((unsigned char)*r)) {
			sp = 1;
			continue;
		}
		if (sp && w != s)
			*w++ = ' ';
		sp = 0;
		*w++ = *r;
	}
	*w = '\0';
}

/* effective - NAME expanded and folded, malloc'd; SRC gets its origin */
static char *effective(struct backend *pf, const char *name, char *src,
    size_t srclen)
{
	int dyn;
	const char *raw;
	char *v;

	pf->overflow = 0;
	raw = raw_value(pf, name, 0, &dyn, src, srclen);
	v = expand(pf, raw != NULL ? raw : "", 1);
	if (dyn)
		free((char *)raw);
	if (v != NULL)
		fold(v);
	return v;
}

/* is_yes - a Postfix boolean */
static int is_yes(const char *v)
{
	return strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0;
}

/* words - split a Postfix list (commas and/or whitespace) in place: a
 * malloc'd array of pointers into S, *N of them; NULL when out of memory */
static char **words(char *s, size_t *n)
{
	/* A word and its separator take two bytes at least. */
	char **w = calloc(strlen(s) / 2 + 2, sizeof(*w)), *save = NULL, *t;

	*n = 0;
	if (w == NULL)
		return NULL;
	for (t = strtok_r(s, " \t\r\n,", &save); t != NULL;
	    t = strtok_r(NULL, " \t\r\n,", &save))
		w[(*n)++] = t;
	return w;
}

/* pick_mx - the smtpd service that receives mail on port 25 */
static const struct mastercf_service *pick_mx(const struct mastercf *m)
{
	const struct mastercf_service *s, *first = NULL, *pass = NULL;
	size_t i, n;
	const char *port;

	if (m == NULL)
		return NULL;
	s = mastercf_services(m, &n);
	for (i = 0; i < n; i++) {
		if (strcmp(s[i].command, "smtpd") != 0)
			continue;
		if (strcmp(s[i].type, "pass") == 0 && pass == NULL)
			pass = &s[i];
		if (strcmp(s[i].type, "inet") != 0)
			continue;
		port = strrchr(s[i].name, ':');
		port = port != NULL ? port + 1 : s[i].name;
		if (strcmp(port, "smtp") == 0 || strcmp(port, "25") == 0)
			return &s[i];
		if (first == NULL && mastercf_override(&s[i],
		    "smtpd_tls_wrappermode") == NULL &&
		    strstr(s[i].name, "submission") == NULL)
			first = &s[i];
	}
	return pass != NULL ? pass : first;
}

/* read_file - DIR/NAME into *DATA; missing files give RELAY_EIO */
static enum relay_err read_file(const char *dir, const char *name,
    char **path, char **data, size_t *len, struct relay_diag *diag)
{
	struct safefile_diag sd;
	enum relay_err err;

	if (asprintf(path, "%s/%s", dir, name) < 0) {
		*path = NULL;
		return RELAY_ENOMEM;
	}
	err = safefile_read(*path, data, len, &sd);
	if (err != RELAY_OK)
		relay_diagf(diag, err, "%s", sd.msg);
	return err;
}

static void pf_close(struct backend *pf);

static enum relay_err pf_open(const struct backend_opts *o,
    struct backend **out, struct relay_diag *diag)
{
	struct backend *pf;
	struct maincf_diag md;
	struct stat st;
	char *data = NULL, *mpath = NULL;
	size_t len;
	enum relay_err err;
	pid_t vpid = -1;
	int vfd = -1;
	char cdir[4096] = "", ckey[4200] = "";

	if (stat(o->config_dir, &st) != 0)
		return relay_diagf(diag, RELAY_EIO, "cannot use config directory '%s': %s",
		    o->config_dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return relay_diagf(diag, RELAY_EIO, "config directory '%s' is not a "
		    "directory", o->config_dir);
	if ((pf = calloc(1, sizeof(*pf))) == NULL ||
	    (pf->dir = strdup(o->config_dir)) == NULL) {
		free(pf);
		return RELAY_ENOMEM;
	}
	pf->ops = &postfix_backend;
	/* postconf takes longer to start than main.cf takes to parse and
	 * write: the version it gave last is cached, keyed by the postconf
	 * binary's identity.  Else ask it first and read its answer after. */
	if (o->version == NULL && vcache_dir(cdir, sizeof(cdir)) == 0 &&
	    vcache_key("postconf", ckey, sizeof(ckey)) == 0)
		pf->version = vcache_get(cdir, "postfix-version", ckey);
	if (o->version == NULL && pf->version == NULL) {
		char *argv[] = { (char *)"postconf", (char *)"-dh",
		    (char *)"mail_version", NULL };
		vpid = capture_start(argv, &vfd, 0);
	}
	if ((err = read_file(pf->dir, "main.cf", &pf->main_path, &data, &len,
	    diag)) != RELAY_OK)
		goto fail;
	if ((err = maincf_parse(data, len, &pf->main, &md)) != RELAY_OK) {
		relay_diagf(diag, err, "%s: %s", pf->main_path, md.msg);
		goto fail;
	}
	free(data);
	data = NULL;
	err = read_file(pf->dir, "master.cf", &mpath, &data, &len, diag);
	if (err == RELAY_OK) {
		if ((err = mastercf_parse(data, len, &pf->master, &md)) != RELAY_OK) {
			relay_diagf(diag, err, "%s: %s", mpath, md.msg);
			goto fail;
		}
	} else if (access(mpath, F_OK) == 0) {
		goto fail;	/* there but unreadable */
	}
	err = RELAY_OK;
	pf->mx = pick_mx(pf->master);
	if (o->version != NULL) {
		pf->version = strdup(o->version);
	} else if (vpid >= 0) {
		pf->version = capture_finish(vpid, vfd, NULL);
		vpid = -1;
		if (pf->version != NULL && ckey[0] != '\0' && cdir[0] != '\0')
			vcache_put(cdir, "postfix-version", ckey, pf->version);
	}
	if (maincf_get(pf->main, "mynetworks") == NULL) {
		/* Derived from mynetworks_style and the interfaces: ask
		 * Postfix, which knows how it computes it. */
		char *argv[] = { (char *)"postconf", (char *)"-c", pf->dir,
		    (char *)"-xh", (char *)"mynetworks", NULL };
		pf->computed_mynetworks = run_capture(argv);
	}
	free(data);
	free(mpath);
	*out = pf;
	return RELAY_OK;
fail:
	if (vpid >= 0)
		free(capture_finish(vpid, vfd, NULL));
	free(data);
	free(mpath);
	pf_close(pf);
	return err;
}

static void pf_close(struct backend *pf)
{
	if (pf == NULL)
		return;
	maincf_free(pf->main);
	mastercf_free(pf->master);
	free(pf->computed_mynetworks);
	free(pf->version);
	free(pf->main_path);
	free(pf->dir);
	free(pf);
}

static const char *pf_main_file(const struct backend *pf)
{
	return pf->main_path;
}

/* is_self - a network of the server itself: the loopback networks as
 * Postfix writes them (127.0.0.0/8, [::1]/128, [::ffff:127.0.0.0]/104) or
 * one of this machine's own addresses.  Other loopback prefixes, such as
 * 127.0.0.77/32, are allowed networks like any other. */
static int is_self(const struct cidr *c)
{
	static const uint8_t mapped[13] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff, 127 };

	if (c->family == AF_INET)
		return (c->prefix == 8 && c->addr[0] == 127) || cidr_is_own_address(c);
	if (c->prefix == 128 && cidr_is_loopback(c))
		return 1;
	if (c->prefix == 104 && memcmp(c->addr, mapped, 13) == 0)
		return 1;
	return cidr_is_own_address(c);
}

struct nets {
	struct cidr *self, *allow;
	size_t nself, nallow;
	char **bad;		/* entries that are no CIDR: files, tables */
	size_t nbad;
	char *copy;
};

/* nets_release - free what split_nets made */
static void nets_release(struct nets *n)
{
	free(n->self);
	free(n->allow);
	free(n->bad);
	free(n->copy);
	memset(n, 0, sizeof(*n));
}

/* split_nets - mynetworks into the server's own networks, the allow list
 * and what relayctl cannot evaluate */
static enum relay_err split_nets(const char *value, struct nets *n)
{
	char **w, err[256];
	size_t i, k;
	struct cidr c;

	memset(n, 0, sizeof(*n));
	if ((n->copy = strdup(value)) == NULL)
		return RELAY_ENOMEM;
	if ((w = words(n->copy, &k)) == NULL) {
		nets_release(n);
		return RELAY_ENOMEM;
	}
	n->self = calloc(k + 1, sizeof(*n->self));
	n->allow = calloc(k + 1, sizeof(*n->allow));
	n->bad = calloc(k + 1, sizeof(*n->bad));
	if (n->self == NULL || n->allow == NULL || n->bad == NULL) {
		free(w);
		nets_release(n);
		return RELAY_ENOMEM;
	}
	for (i = 0; i < k; i++) {
		if (cidr_parse(w[i], CIDR_HOSTBITS_OK, &c, NULL, err,
		    sizeof(err)) != RELAY_OK)
			n->bad[n->nbad++] = w[i];
		else if (is_self(&c))
			n->self[n->nself++] = c;
		else
			n->allow[n->nallow++] = c;
	}
	free(w);
	return RELAY_OK;
}

struct relay_walk {
	int nets;		/* permit_mynetworks before the reject */
	int sasl;		/* permit_sasl_authenticated before it */
	int closed;		/* reject_unauth_destination or reject found */
	int deferred;		/* ... as defer_unauth_destination (4xx) */
};

/* walk_restrictions - what a restriction list decides about relaying */
static enum relay_err walk_restrictions(const char *param, const char *value,
    struct relay_walk *rw, struct backend_report *r)
{
	char *copy = strdup(value), **w;
	size_t i, n;
	enum relay_err err = RELAY_OK;

	memset(rw, 0, sizeof(*rw));
	if (copy == NULL || (w = words(copy, &n)) == NULL) {
		free(copy);
		return RELAY_ENOMEM;
	}
	for (i = 0; i < n && !rw->closed && err == RELAY_OK; i++) {
		if (strcmp(w[i], "permit_mynetworks") == 0)
			rw->nets = 1;
		else if (strcmp(w[i], "permit_sasl_authenticated") == 0)
			rw->sasl = 1;
		else if (strcmp(w[i], "reject_unauth_destination") == 0 ||
		    strcmp(w[i], "reject") == 0)
			rw->closed = 1;
		else if (strcmp(w[i], "defer_unauth_destination") == 0 ||
		    strcmp(w[i], "defer") == 0)
			rw->closed = rw->deferred = 1;
		else if (strcmp(w[i], "permit") == 0)
			err = finding(r, "LNT-RELAY-PERMIT", SEV_CRITICAL, 1, "remove 'permit' from it", "%s permits everything "
			    "before reject_unauth_destination: an open relay",
			    param);
		else if (strncmp(w[i], "permit_tls_", 11) == 0 ||
		    strcmp(w[i], "permit_mx_backup") == 0)
			err = finding(r, "LNT-RELAY-EXTRA", SEV_WARNING, 1, "remove it before reject_unauth_destination", "%s: '%s' lets more "
			    "clients relay than the phases allow", param, w[i]);
		else if (strncmp(w[i], "check_", 6) == 0) {
			err = finding(r, "LNT-RELAY-CHECK", SEV_WARNING, 0, "move it after reject_unauth_destination", "%s: '%s %s' comes before "
			    "reject_unauth_destination and may permit relay",
			    param, w[i], i + 1 < n ? w[i + 1] : "");
			i++;	/* its table */
		}
	}
	if (err == RELAY_OK && !rw->closed)
		err = finding(r, "LNT-RELAY-NOREJECT", SEV_CRITICAL, 1, "end it with reject_unauth_destination (relayctl enable-phase does)", "%s has no reject_unauth_destination: "
		    "nothing stops relaying", param);
	free(w);
	free(copy);
	return err;
}

/* mech_set - the mechanisms a security-options list leaves of BASE */
static unsigned mech_set(unsigned base, const char *opts)
{
	char *copy = strdup(opts), **w = NULL;
	size_t i, n = 0;
	int noanon = 0;

	if (copy != NULL)
		w = words(copy, &n);
	for (i = 0; i < n; i++) {
		if (strcmp(w[i], "noplaintext") == 0)
			base &= ~(unsigned)MECH_CLEARTEXT;
		else if (strcmp(w[i], "noanonymous") == 0)
			noanon = 1;
		else if (strcmp(w[i], "noactive") == 0 ||
		    strcmp(w[i], "nodictionary") == 0)
			base &= ~(unsigned)(MECH_CRAM_MD5 | MECH_CLEARTEXT);
	}
	if (!noanon)
		base |= MECH_ANONYMOUS;
	else
		base &= ~(unsigned)MECH_ANONYMOUS;
	free(w);
	free(copy);
	return base;
}

/* filter_set - BASE through smtpd_sasl_mechanism_filter FILTER */
static unsigned filter_set(unsigned base, const char *filter)
{
	char *copy = strdup(filter), **w = NULL;
	size_t i, n = 0;
	unsigned keep = 0, drop = 0;
	int rest = 0;

	if (copy != NULL)
		w = words(copy, &n);
	for (i = 0; i < n; i++) {
		if (w[i][0] == '!')
			drop |= mech_bit(w[i] + 1);
		else if (strchr(w[i], ':') != NULL)
			rest = 1;	/* static:rest, or a table: pass all */
		else
			keep |= mech_bit(w[i]);
	}
	free(w);
	free(copy);
	drop &= ~(unsigned)MECH_OTHER;	/* "!external" is no mechanism of ours */
	if (rest)
		return base & ~drop;
	return base & keep & ~drop;
}

/* cyrus_mechs - the mech_list of the Cyrus smtpd.conf, or 0 if unknown */
static unsigned cyrus_mechs(struct backend *pf, char *where, size_t wlen)
{
	char *dir = effective(pf, "cyrus_sasl_config_path", NULL, 0);
	char *app = effective(pf, "smtpd_sasl_path", NULL, 0);
	char *path = NULL, *data = NULL, *line, *save = NULL;
	size_t len;
	unsigned m = 0;
	struct safefile_diag sd;

	if (dir == NULL || app == NULL)
		goto out;
	if (asprintf(&path, "%s/%s.conf", *dir ? dir : pf->dir, app) < 0) {
		path = NULL;
		goto out;
	}
	/* Debian's Postfix reads $config_directory/sasl/ */
	if (*dir == '\0') {
		free(path);
		if (asprintf(&path, "%s/sasl/%s.conf", pf->dir, app) < 0) {
			path = NULL;
			goto out;
		}
	}
	if (safefile_read(path, &data, &len, &sd) != RELAY_OK)
		goto out;
	for (line = strtok_r(data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char **w;
		size_t i, n;
		while (isspace((unsigned char)*line))
			line++;
		if (strncmp(line, "mech_list:", 10) != 0)
			continue;
		if ((w = words(line + 10, &n)) == NULL)
			continue;
		m = 0;
		for (i = 0; i < n; i++)
			m |= mech_bit(w[i]);
		free(w);
		snprintf(where, wlen, "%s", path);
	}
out:
	free(data);
	free(path);
	free(dir);
	free(app);
	return m;
}

/* add_param - record NAME's effective value for the report */
static enum relay_err add_param(struct backend *pf, struct backend_report *r,
    const char *name)
{
	struct backend_param *np;
	char src[128];
	char *v = effective(pf, name, src, sizeof(src));

	if (v == NULL)
		return RELAY_ENOMEM;
	if ((np = realloc(r->params, (r->nparams + 1) * sizeof(*np))) == NULL) {
		free(v);
		return RELAY_ENOMEM;
	}
	r->params = np;
	np[r->nparams].name = strdup(name);
	np[r->nparams].value = v;
	np[r->nparams].source = strdup(src);
	if (np[r->nparams].name == NULL || np[r->nparams].source == NULL) {
		free(np[r->nparams].name);
		free(np[r->nparams].source);
		free(v);
		return RELAY_ENOMEM;
	}
	r->nparams++;
	return RELAY_OK;
}

/* get - effective value of NAME for analysis (malloc'd, never NULL on
 * success); sets *ERR on failure */
static char *get(struct backend *pf, const char *name, enum relay_err *err)
{
	char *v = effective(pf, name, NULL, 0);

	if (v == NULL)
		*err = RELAY_ENOMEM;
	return v;
}

/* is_error_transport - delivery through error(8) or discard(8) */
static int is_error_transport(const char *v)
{
	return strncmp(v, "error", 5) == 0 && (v[5] == '\0' || v[5] == ':') ?
	    1 : strncmp(v, "discard", 7) == 0 && (v[7] == '\0' || v[7] == ':');
}

/* is_relay_param - a parameter that decides who relays */
static int is_relay_param(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(relay_params) / sizeof(relay_params[0]); i++)
		if (strcmp(relay_params[i], name) == 0)
			return 1;
	return strncmp(name, "smtpd_sasl_", 11) == 0;
}

/* master_findings - master.cf -o overrides of relay parameters, which
 * postconf -n does not show */
static enum relay_err master_findings(struct backend *pf,
    struct backend_report *r)
{
	const struct mastercf_service *s;
	size_t i, j, n, k, nw;
	enum relay_err err = RELAY_OK;
	char *copy, **w;
	int permit;

	if (pf->master == NULL)
		return RELAY_OK;
	s = mastercf_services(pf->master, &n);
	for (i = 0; i < n && err == RELAY_OK; i++) {
		if (strcmp(s[i].command, "smtpd") != 0)
			continue;
		for (j = 0; j < s[i].novr && err == RELAY_OK; j++) {
			const struct mastercf_override *o = &s[i].ovr[j];
			if (!is_relay_param(o->name))
				continue;
			permit = 0;
			if ((copy = strdup(o->value)) == NULL)
				return RELAY_ENOMEM;
			if ((w = words(copy, &nw)) == NULL) {
				free(w);
			free(copy);
				return RELAY_ENOMEM;
			}
			for (k = 0; k < nw; k++)
				permit |= strcmp(w[k], "permit") == 0;
			free(w);
			free(copy);
			if (permit)
				err = finding(r, "LNT-MASTER-PERMIT", SEV_CRITICAL,
				    &s[i] == pf->mx, "remove the override",
				    "master.cf:%u: service '%s' overrides %s with "
				    "'%s', which permits everything", o->line,
				    s[i].name, o->name, o->value);
			else
				err = finding(r, "LNT-MASTER-OVERRIDE", &s[i] ==
				    pf->mx ? SEV_WARNING : SEV_INFO, 0, "check it: "
				    "postconf -n does not show master.cf overrides",
				    "master.cf:%u: service '%s' overrides %s = %s",
				    o->line, s[i].name, o->name, o->value);
		}
	}
	return err;
}

/* derive - the policy the configuration gives, with reasons and warnings */
static enum relay_err derive(struct backend *pf, struct backend_report *r)
{
	enum relay_err err = RELAY_OK;
	char *dt = NULL, *rr = NULL, *rcpt = NULL, *nets = NULL, *auth = NULL;
	char *sec = NULL, *tsec = NULL, *filt = NULL, *tlsonly = NULL;
	char *tlslevel = NULL, *usetls = NULL, *rd = NULL, *client = NULL;
	char *stype = NULL, buf[CIDR_STRLEN], where[512] = "";
	struct relay_walk rw;
	struct nets nn = { 0 };
	unsigned base, plain, tls;
	int tls_on;
	size_t i;

	if ((dt = get(pf, "default_transport", &err)) == NULL ||
	    (rr = get(pf, "smtpd_relay_restrictions", &err)) == NULL ||
	    (rcpt = get(pf, "smtpd_recipient_restrictions", &err)) == NULL ||
	    (nets = get(pf, "mynetworks", &err)) == NULL ||
	    (auth = get(pf, "smtpd_sasl_auth_enable", &err)) == NULL ||
	    (sec = get(pf, "smtpd_sasl_security_options", &err)) == NULL ||
	    (tsec = get(pf, "smtpd_sasl_tls_security_options", &err)) == NULL ||
	    (filt = get(pf, "smtpd_sasl_mechanism_filter", &err)) == NULL ||
	    (tlsonly = get(pf, "smtpd_tls_auth_only", &err)) == NULL ||
	    (tlslevel = get(pf, "smtpd_tls_security_level", &err)) == NULL ||
	    (usetls = get(pf, "smtpd_use_tls", &err)) == NULL ||
	    (rd = get(pf, "relay_domains", &err)) == NULL ||
	    (client = get(pf, "smtpd_client_restrictions", &err)) == NULL ||
	    (stype = get(pf, "smtpd_sasl_type", &err)) == NULL)
		goto out;

	r->policy.outbound = !is_error_transport(dt);

	/* The relay decision: smtpd_relay_restrictions, or with it empty
	 * (compatibility_level 0), smtpd_recipient_restrictions. */
	err = *rr != '\0' ?
	    walk_restrictions("smtpd_relay_restrictions", rr, &rw, r) :
	    walk_restrictions("smtpd_recipient_restrictions", rcpt, &rw, r);
	if (err != RELAY_OK)
		goto out;
	if (rw.deferred && (err = finding(r, "LNT-RELAY-DEFER", SEV_WARNING, 0, "use reject_unauth_destination (relayctl enable-phase does)", "unauthorised "
	    "relaying is deferred (4xx, defer_unauth_destination), not "
	    "rejected: clients retry; the phases use reject_unauth_destination"))
	    != RELAY_OK)
		goto out;

	if ((err = split_nets(nets, &nn)) != RELAY_OK)
		goto out;
	for (i = 0; i < nn.nbad && err == RELAY_OK; i++)
		err = finding(r, "LNT-MYNET-TABLE", SEV_WARNING, 1, "list the trusted networks as CIDRs in mynetworks", "mynetworks lists '%s', which "
		    "relayctl cannot evaluate", nn.bad[i]);
	for (i = 0; i < nn.nself && err == RELAY_OK; i++)
		err = strlist_addf(&r->self, "%s", cidr_format(&nn.self[i], buf));
	if (err != RELAY_OK)
		goto out;
	if (rw.nets && r->policy.outbound) {
		for (i = 0; i < nn.nallow; i++) {
			if (cidr_is_everything(&nn.allow[i]))
				err = finding(r, "LNT-MYNET-ALL", SEV_CRITICAL, 1, "remove it from mynetworks now", "mynetworks "
				    "contains '%s': everybody relays (an open "
				    "relay)", cidr_format(&nn.allow[i], buf));
			else if (cidr_is_wide(&nn.allow[i]))
				err = finding(r, "LNT-MYNET-WIDE", SEV_WARNING, 0, "narrow it to the networks of your own clients", "mynetworks "
				    "contains the very wide '%s'",
				    cidr_format(&nn.allow[i], buf));
		}
		r->policy.allow = nn.allow;
		r->policy.nallow = nn.nallow;
		nn.allow = NULL;
		if (nn.nself == 0)
			err = finding(r, "LNT-MYNET-NOSELF", SEV_WARNING, 0, "add 127.0.0.0/8 and [::1]/128 to mynetworks", "mynetworks does not "
			    "list the server itself (127.0.0.0/8)");
	} else if (r->policy.outbound && !rw.nets) {
		err = finding(r, "LNT-RELAY-NONETS", SEV_WARNING, 1, "put permit_mynetworks before reject_unauth_destination", "permit_mynetworks is missing: "
		    "the server itself cannot relay");
	}
	if (err != RELAY_OK)
		goto out;

	/* AUTH: what is offered before and after STARTTLS. */
	if (is_yes(auth)) {
		base = MECH_CRAM_MD5 | MECH_CLEARTEXT | MECH_OTHER;
		if (strcmp(stype, "cyrus") == 0) {
			unsigned m = cyrus_mechs(pf, where, sizeof(where));
			if (m != 0)
				base = m;
		}
		if (version_at_least(pf->version, 3, 6))
			base = filter_set(base, filt);
		plain = mech_set(base, sec);
		tls = mech_set(base, tsec);
		tls_on = is_yes(usetls) || strcmp(tlslevel, "may") == 0 ||
		    strcmp(tlslevel, "encrypt") == 0;
		if (is_yes(tlsonly)) {
			plain = 0;
			err = finding(r, "LNT-AUTH-TLSONLY", SEV_WARNING, 0, "set smtpd_tls_auth_only = no; use relayctl enable-phase 3 --plaintext-after-tls for PLAIN/LOGIN", "smtpd_tls_auth_only = "
			    "yes hides every mechanism, CRAM-MD5 too, until "
			    "STARTTLS");
		}
		if (!tls_on)
			tls = plain;
		r->policy.auth_mechs = plain | tls;
		r->policy.tls_only_mechs = tls & ~plain;
		if (err == RELAY_OK && (r->policy.auth_mechs & MECH_OTHER))
			err = finding(r, "LNT-AUTH-UNRESTRICTED", SEV_WARNING, 1, "set smtpd_sasl_mechanism_filter (relayctl enable-phase does) or the SASL mech_list", "the SASL mechanisms are "
			    "not restricted (no smtpd_sasl_mechanism_filter%s): "
			    "DIGEST-MD5, SCRAM or NTLM may be offered too",
			    strcmp(stype, "cyrus") == 0 ?
			    " and no mech_list in a readable smtpd.conf" : "");
		if (err == RELAY_OK && (r->policy.auth_mechs & MECH_ANONYMOUS))
			err = finding(r, "LNT-AUTH-ANON", SEV_CRITICAL, 1, "add noanonymous to smtpd_sasl_security_options", "anonymous AUTH is "
			    "allowed: smtpd_sasl_security_options lacks "
			    "noanonymous");
		if (err == RELAY_OK && (plain & MECH_CLEARTEXT))
			err = finding(r, "LNT-AUTH-CLEARTEXT", SEV_WARNING, 0, "offer them only after STARTTLS: relayctl enable-phase 3 --plaintext-after-tls", "PLAIN and LOGIN are "
			    "offered without TLS: passwords cross the network "
			    "in clear text");
		if (err == RELAY_OK && !rw.sasl) {
			err = finding(r, "LNT-AUTH-NORELAY", SEV_WARNING, 0, "add permit_sasl_authenticated before reject_unauth_destination, or turn AUTH off", "AUTH is offered but "
			    "permit_sasl_authenticated is missing: "
			    "authenticated users cannot relay");
			r->policy.auth_mechs = r->policy.tls_only_mechs = 0;
		}
	}
	if (err == RELAY_OK && is_yes(auth) && strcmp(stype, "cyrus") == 0 &&
	    where[0] != '\0' && !(cyrus_mechs(pf, where, sizeof(where)) &
	    MECH_CRAM_MD5))
		err = finding(r, "LNT-SASL-MECHLIST", SEV_WARNING, 0,
		    "add CRAM-MD5 to mech_list", "the Cyrus mech_list in '%s' "
		    "does not offer CRAM-MD5, which phases 1 to 3 rely on", where);
	if (err == RELAY_OK)
		err = master_findings(pf, r);
	if (err != RELAY_OK)
		goto out;
	if (*rd != '\0')
		err = finding(r, "LNT-RELAY-DOMAINS", SEV_WARNING, 0, "empty relay_domains unless this server is a backup MX for them", "relay_domains is '%s': anyone "
		    "may relay to these domains", rd);
	if (err == RELAY_OK && strstr(client, "reject") != NULL)
		err = finding(r, "LNT-LOCAL-REJECT", SEV_WARNING, 0, "move client rejections after the local-recipient checks", "smtpd_client_restrictions "
		    "rejects clients before RCPT: mail for local users may be "
		    "refused (the phases accept it from any sender)");
	if (err == RELAY_OK && !r->policy.outbound && r->policy.auth_mechs)
		err = finding(r, "LNT-AUTH-NOOUT", SEV_WARNING, 1, "turn AUTH off (phase 0) or enable outbound delivery (phase 1 or later)", "AUTH is offered but the server "
		    "delivers nothing outbound (rule I4)");
out:
	nets_release(&nn);
	free(dt);
	free(rr);
	free(rcpt);
	free(nets);
	free(auth);
	free(sec);
	free(tsec);
	free(filt);
	free(tlsonly);
	free(tlslevel);
	free(usetls);
	free(rd);
	free(client);
	free(stype);
	return err;
}

static enum relay_err pf_read_policy(struct backend *pf,
    struct backend_report *r, struct relay_diag *diag)
{
	enum relay_err err;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->version = pf->version != NULL ? strdup(pf->version) : NULL;
	r->service = strdup(pf->mx != NULL ? pf->mx->name : "smtp");
	if (r->service == NULL)
		return RELAY_ENOMEM;
	for (i = 0; i < sizeof(relay_params) / sizeof(relay_params[0]); i++)
		if ((err = add_param(pf, r, relay_params[i])) != RELAY_OK)
			return relay_diagf(diag, err, "out of memory");
	if ((err = derive(pf, r)) != RELAY_OK)
		return relay_diagf(diag, err, "out of memory");
	r->phase = no_phase(r) ? PHASE_CUSTOM : policy_phase(&r->policy);
	if (r->phase == PHASE_CUSTOM && !no_phase(r))
		err = finding(r, "LNT-PHASE-NONE", SEV_INFO, 1, "run relayctl enable-phase N", "the settings match no phase "
		    "(outbound %s, AUTH %s)", r->policy.outbound ? "on" : "off",
		    r->policy.auth_mechs ? "on" : "off");
	return err;
}

/* same_list - A and B are the same Postfix list (commas and whitespace
 * alike separate words) */
static int same_list(const char *a, const char *b)
{
	char *ca = strdup(a), *cb = strdup(b), **wa = NULL, **wb = NULL;
	size_t na = 0, nb = 0, i;
	int same = 0;

	if (ca != NULL && cb != NULL && (wa = words(ca, &na)) != NULL &&
	    (wb = words(cb, &nb)) != NULL && na == nb) {
		for (same = 1, i = 0; same && i < na; i++)
			same = strcmp(wa[i], wb[i]) == 0;
	}
	free(wa);
	free(wb);
	free(ca);
	free(cb);
	return same;
}

/* override_conflict - the MX service overrides NAME in master.cf with
 * something other than VALUE, so main.cf cannot set it */
static enum relay_err override_conflict(struct backend *pf, const char *name,
    const char *value, struct relay_diag *diag)
{
	const struct mastercf_override *o;

	if (pf->mx == NULL || (o = mastercf_override(pf->mx, name)) == NULL ||
	    same_list(o->value, value))
		return RELAY_OK;
	return relay_diagf(diag, RELAY_EINVAL, "master.cf line %u overrides %s for "
	    "service '%s', so main.cf cannot set it; remove that -o first",
	    o->line, name, pf->mx->name);
}

/* set - stage NAME = VALUE unless its effective value is VALUE already */
static enum relay_err set(struct backend *pf, const char *name,
    const char *value, struct relay_diag *diag)
{
	char *cur = effective(pf, name, NULL, 0);
	enum relay_err err;
	int same;

	if (cur == NULL)
		return RELAY_ENOMEM;
	same = same_list(cur, value);
	free(cur);
	if ((err = override_conflict(pf, name, value, diag)) != RELAY_OK)
		return err;
	if (same)
		return RELAY_OK;
	return maincf_set(pf->main, name, value);
}

/* set_if_absent - NAME = VALUE only when main.cf does not set NAME */
static enum relay_err set_if_absent(struct backend *pf, const char *name,
    const char *value, struct relay_diag *diag)
{
	if (maincf_get(pf->main, name) != NULL)
		return RELAY_OK;
	return set(pf, name, value, diag) == RELAY_OK ?
	    maincf_set(pf->main, name, value) : RELAY_EINVAL;
}

/* plan_nets - mynetworks = the server's own networks + P's allow list,
 * untouched when it already lists exactly those */
static enum relay_err plan_nets(struct backend *pf, const struct policy *p,
    struct relay_diag *diag)
{
	char *cur = effective(pf, "mynetworks", NULL, 0), buf[CIDR_STRLEN];
	struct nets nn = { 0 };
	struct strbuf b = STRBUF_INIT;
	enum relay_err err;
	size_t i, j;
	int same;

	if (cur == NULL)
		return RELAY_ENOMEM;
	err = split_nets(maincf_get(pf->main, "mynetworks") != NULL ? cur : "",
	    &nn);
	free(cur);
	if (err != RELAY_OK)
		return err;
	if (nn.nbad > 0) {
		err = relay_diagf(diag, RELAY_EINVAL, "mynetworks lists '%s', which "
		    "relayctl cannot manage; replace it with CIDRs first",
		    nn.bad[0]);
		goto out;
	}
	/* The same set of networks, in any order, duplicates aside. */
	same = nn.nself > 0;
	for (i = 0; same && i < p->nallow; i++) {
		for (j = 0; j < nn.nallow; j++)
			if (cidr_equal(&nn.allow[j], &p->allow[i]))
				break;
		same = j < nn.nallow;
	}
	for (j = 0; same && j < nn.nallow; j++) {
		for (i = 0; i < p->nallow; i++)
			if (cidr_equal(&nn.allow[j], &p->allow[i]))
				break;
		same = i < p->nallow;
	}
	if (same)
		goto out;
	if (nn.nself == 0) {
		strbuf_add(&b, "127.0.0.0/8 [::1]/128", 21);
	} else {
		for (i = 0; i < nn.nself; i++) {
			cidr_format(&nn.self[i], buf);
			if (i > 0)
				strbuf_add(&b, " ", 1);
			strbuf_add(&b, buf, strlen(buf));
		}
	}
	for (i = 0; i < p->nallow; i++) {
		for (j = 0; j < i && !cidr_equal(&p->allow[j], &p->allow[i]); j++)
			;
		if (j < i)
			continue;	/* given twice */
		cidr_format(&p->allow[i], buf);
		strbuf_add(&b, " ", 1);
		strbuf_add(&b, buf, strlen(buf));
	}
	if (b.failed) {
		err = RELAY_ENOMEM;
		goto out;
	}
	err = set(pf, "mynetworks", b.buf, diag);
out:
	strbuf_release(&b);
	nets_release(&nn);
	return err;
}

/* tls_configured - the server has a certificate for STARTTLS */
static int tls_configured(struct backend *pf)
{
	static const char *const names[] = { "smtpd_tls_chain_files",
	    "smtpd_tls_cert_file", "smtpd_tls_eccert_file" };
	size_t i;
	int yes = 0;

	for (i = 0; i < 3 && !yes; i++) {
		char *v = effective(pf, names[i], NULL, 0);
		yes = v != NULL && *v != '\0';
		free(v);
	}
	return yes;
}

static enum relay_err pf_plan(struct backend *pf, const struct policy *p,
    struct backend_plan *plan, struct relay_diag *diag)
{
	enum phase ph = policy_phase(p);
	enum relay_err err;
	int filter = version_at_least(pf->version, 3, 6);
	const char *sec, *tsec;
	char *cur;

	memset(plan, 0, sizeof(*plan));
	if (ph == PHASE_CUSTOM)
		return relay_diagf(diag, RELAY_EINVAL, "the policy is no phase");
	if (ph == PHASE_3_TLS && !tls_configured(pf))
		return relay_diagf(diag, RELAY_EINVAL, "--plaintext-after-tls needs "
		    "STARTTLS, but no certificate is configured "
		    "(smtpd_tls_chain_files or smtpd_tls_cert_file)");

#define TRY(x) do { if ((err = (x)) != RELAY_OK) goto out; } while (0)
	if (ph == PHASE_0) {
		if ((cur = effective(pf, "default_transport", NULL, 0)) == NULL)
			return RELAY_ENOMEM;
		if (!is_error_transport(cur))
			TRY(set(pf, "default_transport",
			    "error:5.7.1 outbound mail disabled", diag));
		free(cur);
		if ((cur = effective(pf, "relay_transport", NULL, 0)) == NULL)
			return RELAY_ENOMEM;
		if (!is_error_transport(cur))
			TRY(set(pf, "relay_transport",
			    "error:5.7.1 outbound mail disabled", diag));
		free(cur);
		cur = NULL;
		TRY(plan_nets(pf, p, diag));
		TRY(set(pf, "smtpd_relay_restrictions",
		    "reject_unauth_destination", diag));
		TRY(set(pf, "smtpd_sasl_auth_enable", "no", diag));
	} else {
		if ((cur = effective(pf, "default_transport", NULL, 0)) == NULL)
			return RELAY_ENOMEM;
		if (is_error_transport(cur))
			TRY(set(pf, "default_transport", "smtp", diag));
		free(cur);
		if ((cur = effective(pf, "relay_transport", NULL, 0)) == NULL)
			return RELAY_ENOMEM;
		if (is_error_transport(cur))
			TRY(set(pf, "relay_transport", "relay", diag));
		free(cur);
		cur = NULL;
		TRY(plan_nets(pf, p, diag));
		TRY(set(pf, "smtpd_relay_restrictions", "permit_mynetworks, "
		    "permit_sasl_authenticated, reject_unauth_destination", diag));
		TRY(set(pf, "smtpd_sasl_auth_enable", "yes", diag));
		TRY(set_if_absent(pf, "smtpd_sasl_type", "cyrus", diag));
		TRY(set_if_absent(pf, "smtpd_sasl_path", "smtpd", diag));
		sec = ph == PHASE_3 ? "noanonymous" : "noanonymous, noplaintext";
		tsec = ph == PHASE_3_TLS ? "noanonymous" :
		    "$smtpd_sasl_security_options";
		TRY(set(pf, "smtpd_sasl_security_options", sec, diag));
		/* Compare unexpanded: "$smtpd_sasl_security_options" is what
		 * the table writes, not its value. */
		TRY(override_conflict(pf, "smtpd_sasl_tls_security_options",
		    tsec, diag));
		if (maincf_get(pf->main, "smtpd_sasl_tls_security_options") == NULL ||
		    !same_list(maincf_get(pf->main,
		    "smtpd_sasl_tls_security_options"), tsec))
			TRY(maincf_set(pf->main, "smtpd_sasl_tls_security_options",
			    tsec));
		if (filter)
			TRY(set(pf, "smtpd_sasl_mechanism_filter",
			    ph <= PHASE_2 ? "cram-md5" : "cram-md5, plain, login",
			    diag));
		else
			TRY(strlist_addf(&plan->notes, "Postfix %s has no "
			    "smtpd_sasl_mechanism_filter (3.6 and later): limit "
			    "the SASL mechanisms to %s in the SASL server "
			    "(Cyrus mech_list, Dovecot auth_mechanisms)",
			    pf->version, ph <= PHASE_2 ? "CRAM-MD5" :
			    "CRAM-MD5 PLAIN LOGIN"));
		if ((cur = effective(pf, "smtpd_tls_auth_only", NULL, 0)) == NULL)
			return RELAY_ENOMEM;
		if (is_yes(cur))
			TRY(set(pf, "smtpd_tls_auth_only", "no", diag));
		free(cur);
		cur = NULL;
		if (ph == PHASE_3_TLS) {
			if ((cur = effective(pf, "smtpd_tls_security_level",
			    NULL, 0)) == NULL)
				return RELAY_ENOMEM;
			if (strcmp(cur, "may") != 0 && strcmp(cur, "encrypt") != 0)
				TRY(set(pf, "smtpd_tls_security_level", "may",
				    diag));
			free(cur);
			cur = NULL;
		}
	}
#undef TRY
	plan->nchanged = maincf_changed(pf->main);
	if ((plan->old_data = malloc(1)) == NULL)
		return RELAY_ENOMEM;
	free(plan->old_data);
	plan->old_data = NULL;
	{
		struct maincf *orig;
		char *d;
		size_t l;
		struct safefile_diag sd;
		(void)orig;
		if ((err = safefile_read(pf->main_path, &d, &l, &sd)) != RELAY_OK)
			return relay_diagf(diag, err, "%s", sd.msg);
		plan->old_data = d;
		plan->old_len = l;
	}
	return maincf_render(pf->main, &plan->new_data, &plan->new_len);
out:
	free(cur);
	return err;
}

/* run_status - run ARGV, wait; its exit status or -1; its output (stdout
 * and stderr) in OUT */
static int run_status(char *const argv[], char *out, size_t outlen)
{
	int fd = -1, code = -1;
	pid_t pid = capture_start(argv, &fd, 1);
	char *o = capture_finish(pid, fd, &code);

	snprintf(out, outlen, "%s", o != NULL ? o : "");
	free(o);
	return code;
}

/* master_running - the instance's master runs: its pid file names a live
 * process called master, as postfix-script checks.  Asking "postfix
 * status" instead would cost up to two seconds after a write, while
 * Postfix waits for the new main.cf to settle. */
static int master_running(struct backend *pf)
{
	char *queue = effective(pf, "queue_directory", NULL, 0), *path = NULL;
	char *data = NULL, comm[64] = "", cpath[64];
	size_t len;
	struct safefile_diag sd;
	long pid;
	FILE *fp;
	int up = 0;

	if (queue == NULL || asprintf(&path, "%s/pid/master.pid",
	    *queue ? queue : "/var/spool/postfix") < 0)
		path = NULL;
	if (path != NULL && safefile_read(path, &data, &len, &sd) == RELAY_OK &&
	    (pid = strtol(data, NULL, 10)) > 1) {
		snprintf(cpath, sizeof(cpath), "/proc/%ld/comm", pid);
		if ((fp = fopen(cpath, "r")) != NULL) {
			if (fgets(comm, sizeof(comm), fp) != NULL)
				up = strncmp(comm, "master", 6) == 0;
			fclose(fp);
		}
	}
	free(data);
	free(path);
	free(queue);
	return up;
}

static enum relay_err pf_reload(struct backend *pf, const char *cmd,
    bool *done, struct relay_diag *diag)
{
	char out[400];
	int rc;

	*done = false;
	if (cmd != NULL) {
		char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)cmd,
		    NULL };
		rc = run_status(argv, out, sizeof(out));
		if (rc != 0)
			return relay_diagf(diag, RELAY_EIO, "reload command '%s' "
			    "failed (exit %d): %s", cmd, rc, out);
		*done = true;
		return RELAY_OK;
	}
	{
		char *reload[] = { (char *)"postfix", (char *)"-c", pf->dir,
		    (char *)"reload", NULL };
		if (!master_running(pf))
			return RELAY_OK;	/* not running: nothing to do */
		rc = run_status(reload, out, sizeof(out));
		if (rc != 0)
			return relay_diagf(diag, RELAY_EIO, "'postfix -c %s reload' "
			    "failed (exit %d): %s", pf->dir, rc, out);
	}
	*done = true;
	return RELAY_OK;
}

const struct backend_ops postfix_backend = {
	"postfix",
	pf_open,
	pf_main_file,
	pf_read_policy,
	pf_plan,
	pf_reload,
	pf_close,
};

void backend_report_release(struct backend_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	policy_release(&r->policy);
	free(r->version);
	free(r->service);
	strlist_release(&r->self);
	for (i = 0; i < r->nfindings; i++)
		free(r->findings[i].msg);
	free(r->findings);
	for (i = 0; i < r->nparams; i++) {
		free(r->params[i].name);
		free(r->params[i].value);
		free(r->params[i].source);
	}
	free(r->params);
	memset(r, 0, sizeof(*r));
}

void backend_plan_release(struct backend_plan *p)
{
	if (p == NULL)
		return;
	free(p->old_data);
	free(p->new_data);
	strlist_release(&p->notes);
	memset(p, 0, sizeof(*p));
}
