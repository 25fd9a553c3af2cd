/* test_postfix - the Postfix backend through its ops table, on main.cf and
 * master.cf files written into a scratch directory: effective values and
 * where they come from, compatibility-level defaults, $name expansion, the
 * phase (or the findings) of configurations written by hand after PHASES.md
 * §3, and the plans for each phase: the settings staged, the file read back
 * in the target phase, a second plan with nothing to do, and the refusals.
 * Every test passes a version, so that no postconf runs. */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#include "testutil.h"

#include "backend.h"
#include "cidr.h"
#include "policy.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define ALL_MECHS (MECH_CRAM_MD5 | MECH_PLAIN | MECH_LOGIN)
#define CLEAR (MECH_PLAIN | MECH_LOGIN)
#define VERSION "3.7.11"

/* ---- the scratch directory ---------------------------------------- */

struct env {
	char dir[256];
};


static int setup(void **state)
{
	struct env *e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return -1;
	strcpy(e->dir, "/tmp/test_postfix.XXXXXX");
	if (mkdtemp(e->dir) == NULL) {
		free(e);
		return -1;
	}
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	rm_rf(e->dir);
	free(e);
	return 0;
}

/* put - make DIR/NAME hold DATA (LEN bytes), or remove it when DATA is
 * NULL; a "sasl/" name gets its directory */
static void put_len(const struct env *e, const char *name, const char *data,
    size_t len)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", e->dir, name);
	if (data == NULL) {
		if (unlink(path) != 0 && errno != ENOENT)
			fail_msg("unlink %s: %s", path, strerror(errno));
		return;
	}
	if (strncmp(name, "sasl/", 5) == 0) {
		char sub[512];
		snprintf(sub, sizeof(sub), "%s/sasl", e->dir);
		if (mkdir(sub, 0755) != 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", sub, strerror(errno));
	}
	if ((fp = fopen(path, "wb")) == NULL)
		fail_msg("cannot write %s: %s", path, strerror(errno));
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void put(const struct env *e, const char *name, const char *data)
{
	put_len(e, name, data, data != NULL ? strlen(data) : 0);
}

/* open_version - write main.cf and master.cf (NULL: none), open them as
 * Postfix VERSION */
static struct backend *open_version(const struct env *e, const char *main,
    const char *master, const char *version)
{
	struct backend_opts o = { e->dir, version };
	struct relay_diag diag = { "" };
	struct backend *be = NULL;
	enum relay_err rc;

	put(e, "main.cf", main);
	put(e, "master.cf", master);
	if ((rc = postfix_backend.open(&o, &be, &diag)) != RELAY_OK)
		fail_msg("open: %s: %s", relay_errname(rc), diag.msg);
	assert_non_null(be);
	return be;
}

static struct backend *open_cf(const struct env *e, const char *main,
    const char *master)
{
	return open_version(e, main, master, VERSION);
}

/* read_report - read_policy, which must succeed */
static void read_report(struct backend *be, struct backend_report *r)
{
	struct relay_diag diag = { "" };
	enum relay_err rc;

	if ((rc = postfix_backend.read_policy(be, r, &diag)) != RELAY_OK)
		fail_msg("read_policy: %s: %s", relay_errname(rc), diag.msg);
}

/* param - the report's entry for NAME, or NULL */
static const struct backend_param *param(const struct backend_report *r,
    const char *name)
{
	size_t i;

	for (i = 0; i < r->nparams; i++)
		if (strcmp(r->params[i].name, name) == 0)
			return &r->params[i];
	return NULL;
}

/* ids - the finding IDs in the order reported, space-separated */
static void ids(const struct backend_report *r, char *out, size_t sz)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < r->nfindings; i++)
		cat(out, sz, "%s%s", i ? " " : "", r->findings[i].id);
}

/* messages - every finding's message, " | " between them */
static void messages(const struct backend_report *r, char *out, size_t sz)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < r->nfindings; i++)
		cat(out, sz, "%s%s", i ? " | " : "", r->findings[i].msg);
}

/* has_line - DATA has the line LINE exactly */
static int has_line(const char *data, const char *line)
{
	size_t n = strlen(line);
	const char *p = data;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == data || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == '\0'))
			return 1;
		p++;
	}
	return 0;
}

/* make_policy - the checked policy of PHASE with the NULL-terminated
 * allow list NETS */
static void make_policy(enum phase phase, const char *const *nets,
    struct policy *p)
{
	struct cidr c[8];
	char err[256];
	size_t n = 0;

	for (; nets != NULL && nets[n] != NULL; n++)
		if (cidr_parse(nets[n], 0, &c[n], NULL, err, sizeof(err)) !=
		    RELAY_OK)
			fail_msg("%s", err);
	if (policy_for_phase(phase, c, n, p, err, sizeof(err)) != RELAY_OK ||
	    policy_check(p, err, sizeof(err)) != RELAY_OK)
		fail_msg("phase %s: %s", phase_name(phase), err);
}

/* ---- configurations written by hand (PHASES.md §3) ------------------ */

#define SELF "127.0.0.0/8 [::1]/128"
#define NETS2 SELF " 198.51.100.0/24 203.0.113.7/32"
#define RR "permit_mynetworks, permit_sasl_authenticated, " \
	"reject_unauth_destination"
#define ERRT "error:5.7.1 outbound mail disabled"

#define COMMON \
	"compatibility_level = 3.6\n" \
	"myhostname = mx.example.org\n" \
	"mydestination = $myhostname, localhost.$mydomain, localhost\n" \
	"relay_domains =\n" \
	"smtpd_client_restrictions =\n" \
	"smtpd_helo_restrictions =\n" \
	"smtpd_sender_restrictions =\n" \
	"smtpd_recipient_restrictions =\n"

#define OUTBOUND "default_transport = smtp\nrelay_transport = relay\n"

#define P0 COMMON \
	"default_transport = " ERRT "\n" \
	"relay_transport = " ERRT "\n" \
	"mynetworks = " SELF "\n" \
	"smtpd_relay_restrictions = reject_unauth_destination\n" \
	"smtpd_sasl_auth_enable = no\n"

#define CRAM_ONLY(nets) COMMON OUTBOUND \
	"mynetworks = " nets "\n" \
	"smtpd_relay_restrictions = " RR "\n" \
	"smtpd_sasl_auth_enable = yes\n" \
	"smtpd_sasl_type = cyrus\n" \
	"smtpd_sasl_path = smtpd\n" \
	"smtpd_sasl_security_options = noanonymous, noplaintext\n" \
	"smtpd_sasl_tls_security_options = $smtpd_sasl_security_options\n" \
	"smtpd_sasl_mechanism_filter = cram-md5\n" \
	"broken_sasl_auth_clients = no\n"

#define P1 CRAM_ONLY(SELF)
#define P2 CRAM_ONLY(NETS2)

#define P3 COMMON OUTBOUND \
	"mynetworks = " NETS2 "\n" \
	"smtpd_relay_restrictions = " RR "\n" \
	"smtpd_sasl_auth_enable = yes\n" \
	"smtpd_sasl_type = cyrus\n" \
	"smtpd_sasl_path = smtpd\n" \
	"smtpd_sasl_security_options = noanonymous\n" \
	"smtpd_sasl_tls_security_options = $smtpd_sasl_security_options\n" \
	"smtpd_sasl_mechanism_filter = cram-md5, plain, login\n" \
	"broken_sasl_auth_clients = yes\n"

#define P3TLS COMMON OUTBOUND \
	"mynetworks = " NETS2 "\n" \
	"smtpd_relay_restrictions = " RR "\n" \
	"smtpd_sasl_auth_enable = yes\n" \
	"smtpd_sasl_type = dovecot\n" \
	"smtpd_sasl_path = private/auth\n" \
	"smtpd_sasl_security_options = noanonymous, noplaintext\n" \
	"smtpd_sasl_tls_security_options = noanonymous\n" \
	"smtpd_sasl_mechanism_filter = cram-md5, plain, login\n" \
	"smtpd_tls_security_level = may\n" \
	"smtpd_tls_chain_files = /etc/ssl/private/mx.pem\n" \
	"broken_sasl_auth_clients = yes\n"

#define SMTP_LINE \
	"smtp      inet  n       -       y       -       -       smtpd\n"
#define MASTER_PLAIN SMTP_LINE \
	"pickup    unix  n       -       y       60      1       pickup\n" \
	"submission inet n       -       y       -       -       smtpd\n" \
	"relay     unix  -       -       y       -       -       smtp\n"
#define MASTER_SUB SMTP_LINE \
	"submission inet n       -       y       -       -       smtpd\n" \
	"  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject\n"

/* ---- open ----------------------------------------------------------- */

static void test_open(void **state)
{
	struct env *e = *state;
	struct backend_opts o = { e->dir, VERSION };
	struct relay_diag diag = { "" };
	struct backend *be = NULL;
	char path[512], file[512];

	/* main_file is DIR/main.cf; master.cf may be missing. */
	be = open_cf(e, P1, NULL);
	snprintf(path, sizeof(path), "%s/main.cf", e->dir);
	assert_string_equal(postfix_backend.main_file(be), path);
	assert_string_equal(postfix_backend.name, "postfix");
	postfix_backend.close(be);
	postfix_backend.close(NULL);

	/* No main.cf. */
	put(e, "main.cf", NULL);
	be = NULL;
	assert_int_equal(postfix_backend.open(&o, &be, &diag), RELAY_EIO);
	assert_null(be);
	assert_non_null(strstr(diag.msg, "main.cf"));

	/* A main.cf Postfix refuses: the file and the line are named. */
	put(e, "main.cf", "mynetworks = " SELF "\nnot a setting\n");
	assert_int_equal(postfix_backend.open(&o, &be, &diag), RELAY_EINVAL);
	assert_non_null(strstr(diag.msg, path));
	assert_non_null(strstr(diag.msg, "line 2"));

	/* A broken master.cf. */
	put(e, "main.cf", P1);
	put(e, "master.cf", "smtp inet n - y - smtpd\n");
	assert_int_equal(postfix_backend.open(&o, &be, &diag), RELAY_EINVAL);
	assert_non_null(strstr(diag.msg, "master.cf"));
	put(e, "master.cf", NULL);

	/* No directory, or a file where the directory should be. */
	snprintf(file, sizeof(file), "%s/nonexistent", e->dir);
	o.config_dir = file;
	assert_int_equal(postfix_backend.open(&o, &be, &diag), RELAY_EIO);
	assert_non_null(strstr(diag.msg, file));
	o.config_dir = path;
	assert_int_equal(postfix_backend.open(&o, &be, &diag), RELAY_EIO);
	assert_non_null(strstr(diag.msg, "not a directory"));
}

/* ---- effective values and their sources ----------------------------- */

static const char sources_main[] =
	"# where values come from\n"			/* 1 */
	"compatibility_level = 2\n"			/* 2 */
	"myhostname = mx.example.org\n"			/* 3 */
	"mynetworks = 127.0.0.0/8\n"			/* 4 */
	"\t[::1]/128\n"					/* 5 */
	"smtpd_relay_restrictions = permit\n"		/* 6 */
	"smtpd_relay_restrictions = permit_mynetworks,\n" /* 7 */
	"    reject_unauth_destination\n"		/* 8 */
	"smtpd_sasl_security_options = noanonymous\n"	/* 9 */
	"smtpd_helo_restrictions =\n";			/* 10 */

static const char sources_master[] =
	SMTP_LINE					/* 1 */
	"  -o smtpd_sasl_auth_enable=yes\n"		/* 2 */
	"submission inet n       -       y       -       -       smtpd\n"
	"  -o smtpd_sasl_type=dovecot\n"		/* 4 */
	"  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject\n";

static const char postscreen_master[] =
	"smtp      inet  n       -       y       -       1       postscreen\n"
	"smtpd     pass  -       -       y       -       -       smtpd\n"
	"  -o smtpd_relay_restrictions=permit_mynetworks,reject\n";

static const struct {
	int postscreen;
	const char *name, *value, *source;
} sources[] = {
	{ 0, "compatibility_level", "2", "main.cf:2" },
	{ 0, "myhostname", "mx.example.org", "main.cf:3" },
	{ 0, "mydestination", "mx.example.org, localhost.example.org, "
	  "localhost", "default" },
	{ 0, "mynetworks_style", "host", "default" },
	{ 0, "mynetworks", "127.0.0.0/8 [::1]/128", "main.cf:4" },
	{ 0, "relay_domains", "", "default" },
	{ 0, "default_transport", "smtp", "default" },
	{ 0, "relay_transport", "relay", "default" },
	{ 0, "smtpd_relay_restrictions",
	  "permit_mynetworks, reject_unauth_destination", "main.cf:7" },
	{ 0, "smtpd_recipient_restrictions", "", "default" },
	{ 0, "smtpd_helo_restrictions", "", "main.cf:10" },
	{ 0, "smtpd_sasl_auth_enable", "yes", "master.cf:2 (-o on smtp)" },
	{ 0, "smtpd_sasl_type", "cyrus", "default" },
	{ 0, "smtpd_sasl_path", "smtpd", "default" },
	{ 0, "smtpd_sasl_security_options", "noanonymous", "main.cf:9" },
	{ 0, "smtpd_sasl_tls_security_options", "noanonymous", "default" },
	{ 0, "smtpd_sasl_mechanism_filter", "!external, static:rest",
	  "default" },
	{ 0, "smtpd_tls_auth_only", "no", "default" },
	{ 0, "smtpd_tls_security_level", "", "default" },
	{ 0, "broken_sasl_auth_clients", "no", "default" },
	{ 1, "smtpd_relay_restrictions", "permit_mynetworks,reject",
	  "master.cf:3 (-o on smtpd)" },
	{ 1, "smtpd_sasl_auth_enable", "no", "default" },
};

static void test_sources(void **state)
{
	static const char *const relay_params[] = {
		"compatibility_level", "myhostname", "mydestination",
		"mynetworks_style", "mynetworks", "relay_domains",
		"default_transport", "relay_transport",
		"smtpd_relay_restrictions", "smtpd_recipient_restrictions",
		"smtpd_client_restrictions", "smtpd_helo_restrictions",
		"smtpd_sender_restrictions", "smtpd_sasl_auth_enable",
		"smtpd_sasl_type", "smtpd_sasl_path",
		"smtpd_sasl_security_options",
		"smtpd_sasl_tls_security_options",
		"smtpd_sasl_mechanism_filter",
		"smtpd_sasl_exceptions_networks", "smtpd_tls_auth_only",
		"smtpd_tls_security_level", "broken_sasl_auth_clients",
	};
	struct env *e = *state;
	struct backend_report r[2];
	const struct backend_param *p;
	struct backend *be;
	size_t i;
	int k, bad = 0;

	be = open_cf(e, sources_main, sources_master);
	read_report(be, &r[0]);
	postfix_backend.close(be);
	be = open_cf(e, sources_main, postscreen_master);
	read_report(be, &r[1]);
	postfix_backend.close(be);

	assert_string_equal(r[0].service, "smtp");
	assert_string_equal(r[1].service, "smtpd");
	for (k = 0; k < 2; k++) {
		assert_string_equal(r[k].version, VERSION);
		assert_int_equal(r[k].nparams, NELEM(relay_params));
		for (i = 0; i < NELEM(relay_params); i++)
			if (param(&r[k], relay_params[i]) == NULL)
				bad += report("%s missing from the report\n",
				    relay_params[i]);
	}
	for (i = 0; i < NELEM(sources); i++) {
		p = param(&r[sources[i].postscreen], sources[i].name);
		if (p == NULL)
			continue;
		if (strcmp(p->value, sources[i].value) != 0)
			bad += report("%s: \"%s\", want \"%s\"\n",
			    sources[i].name, p->value, sources[i].value);
		if (strcmp(p->source, sources[i].source) != 0)
			bad += report("%s: from \"%s\", want \"%s\"\n",
			    sources[i].name, p->source, sources[i].source);
	}
	backend_report_release(&r[0]);
	backend_report_release(&r[1]);
	if (bad)
		fail_msg("%d value(s) or source(s) wrong", bad);
}

/* ---- compatibility_level defaults ----------------------------------- */

static const struct {
	const char *level;	/* the main.cf line, NULL for none */
	const char *relay, *domains, *style;
} levels[] = {
	{ NULL, "", "mx.example.org, localhost.example.org, localhost",
	  "subnet" },
	{ "0", "", "mx.example.org, localhost.example.org, localhost",
	  "subnet" },
	{ "1", "permit_mynetworks, permit_sasl_authenticated, "
	  "defer_unauth_destination",
	  "mx.example.org, localhost.example.org, localhost", "subnet" },
	{ "2", "permit_mynetworks, permit_sasl_authenticated, "
	  "defer_unauth_destination", "", "host" },
	{ "3.6", "permit_mynetworks, permit_sasl_authenticated, "
	  "defer_unauth_destination", "", "host" },
	{ "$lvl", "permit_mynetworks, permit_sasl_authenticated, "
	  "defer_unauth_destination", "", "host" },
};

static void test_compat_defaults(void **state)
{
	struct env *e = *state;
	struct backend_report r;
	const struct backend_param *p;
	struct backend *be;
	char main[512];
	size_t i;
	int bad = 0;

	for (i = 0; i < NELEM(levels); i++) {
		snprintf(main, sizeof(main), "myhostname = mx.example.org\n"
		    "mynetworks = " SELF "\nlvl = 2\n%s%s%s",
		    levels[i].level ? "compatibility_level = " : "",
		    levels[i].level ? levels[i].level : "",
		    levels[i].level ? "\n" : "");
		be = open_cf(e, main, NULL);
		read_report(be, &r);
		p = param(&r, "smtpd_relay_restrictions");
		if (strcmp(p->value, levels[i].relay) != 0 ||
		    strcmp(p->source, "default") != 0)
			bad += report("level %s: smtpd_relay_restrictions \"%s\" "
			    "(%s)\n", levels[i].level ? levels[i].level : "none",
			    p->value, p->source);
		p = param(&r, "relay_domains");
		if (strcmp(p->value, levels[i].domains) != 0)
			bad += report("level %s: relay_domains \"%s\"\n",
			    levels[i].level ? levels[i].level : "none", p->value);
		p = param(&r, "mynetworks_style");
		if (strcmp(p->value, levels[i].style) != 0)
			bad += report("level %s: mynetworks_style \"%s\"\n",
			    levels[i].level ? levels[i].level : "none", p->value);
		backend_report_release(&r);
		postfix_backend.close(be);
	}
	if (bad)
		fail_msg("%d level case(s) failed", bad);
}

/* ---- $name expansion -------------------------------------------------- */

static const struct {
	const char *expr, *want;
} expansions[] = {
	{ "$foo", "FOO" },
	{ "${foo}", "FOO" },
	{ "$(foo)", "FOO" },
	{ "x$foo.y", "xFOO.y" },
	{ "${foo}bar", "FOObar" },
	{ "$foo$bar", "FOOBAR" },
	{ "$ref", "FOO" },
	{ "$refref", "FOO" },
	{ "${foo?yes}", "yes" },
	{ "${foo?{yes}}", "yes" },
	{ "${empty?yes}", "" },
	{ "${nothere?yes}", "" },
	{ "${foo?$bar}", "BAR" },
	{ "${foo:no}", "" },
	{ "${empty:no}", "no" },
	{ "${empty:{no}}", "no" },
	{ "${nothere:no}", "no" },
	{ "${empty:$bar}", "BAR" },
	{ "${foo?{a}:{b}}", "a" },
	{ "${empty?{a}:{b}}", "b" },
	{ "${nothere?{a}:{b}}", "b" },
	{ "${foo?{$bar}:{b}}", "BAR" },
	{ "$$", "$" },
	{ "a$$b", "a$b" },
	{ "$$foo", "$foo" },
	{ "$$$foo", "$FOO" },
	{ "$nothere", "" },
	{ "a ${nothere} b", "a b" },
	{ "a $(nothere) b", "a b" },
	{ "${{$foo} == {FOO} ? {same} : {different}}", "same" },
	{ "${{$foo} != {FOO} ? {same} : {different}}", "different" },
	{ "${{$compatibility_level} <level {2} ? {old} : {new}}", "new" },
	{ "${{$compatibility_level} >=level {3.6} ? {new} : {old}}", "new" },
	{ "${{$compatibility_level} <level {3.10} ? {yes} : {no}}", "yes" },
	{ "$myhostname", "mx.example.org" },
	{ "$mydomain", "example.org" },
	{ "$config_directory", "(dir)" },
	{ "$mail_version", VERSION },
};

static void test_expansion(void **state)
{
	struct env *e = *state;
	struct backend_report r;
	const struct backend_param *p;
	struct backend *be;
	char main[1024];
	const char *want;
	size_t i;
	int bad = 0;

	for (i = 0; i < NELEM(expansions); i++) {
		snprintf(main, sizeof(main),
		    "compatibility_level = 3.6\n"
		    "myhostname = mx.example.org\n"
		    "mynetworks = " SELF "\n"
		    "foo = FOO\nbar = BAR\nempty =\n"
		    "ref = $foo\nrefref = ${ref}\n"
		    "smtpd_helo_restrictions = %s\n", expansions[i].expr);
		be = open_cf(e, main, NULL);
		read_report(be, &r);
		p = param(&r, "smtpd_helo_restrictions");
		want = strcmp(expansions[i].want, "(dir)") == 0 ? e->dir :
		    expansions[i].want;
		if (strcmp(p->value, want) != 0)
			bad += report("%s: \"%s\", want \"%s\"\n",
			    expansions[i].expr, p->value, want);
		backend_report_release(&r);
		postfix_backend.close(be);
	}
	if (bad)
		fail_msg("%d expansion(s) failed", bad);
}

/* Loops end: a value that names itself, two that name each other. */
static void test_expansion_loops(void **state)
{
	struct env *e = *state;
	struct backend_report r;
	const struct backend_param *p;
	struct backend *be;

	be = open_cf(e, "mynetworks = " SELF "\n"
	    "smtpd_helo_restrictions = x $smtpd_helo_restrictions\n"
	    "smtpd_sender_restrictions = $ping\n"
	    "ping = $pong\npong = $ping\n"
	    "smtpd_client_restrictions = ${smtpd_client_restrictions?{a}:{b}}\n",
	    NULL);
	read_report(be, &r);
	p = param(&r, "smtpd_helo_restrictions");
	assert_true(strncmp(p->value, "x x x", 5) == 0);
	assert_true(strspn(p->value, "x ") == strlen(p->value));
	p = param(&r, "smtpd_sender_restrictions");
	assert_string_equal(p->value, "");
	p = param(&r, "smtpd_client_restrictions");
	assert_true(strlen(p->value) <= 1);
	backend_report_release(&r);
	postfix_backend.close(be);
}

/* A value that names itself three times must not take 3^depth steps:
 * Postfix stops at the first over-deep nesting.  Run in a child that an
 * alarm ends, so that a hang fails the test instead of the suite. */
static void test_expansion_blowup(void **state)
{
	struct env *e = *state;
	int status;
	pid_t pid;

	put(e, "main.cf", "mynetworks = " SELF "\n"
	    "smtpd_helo_restrictions = $a\na = $a$a$a\n");
	put(e, "master.cf", NULL);
	fflush(stdout);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		struct backend_opts o = { e->dir, VERSION };
		struct relay_diag diag;
		struct backend_report r;
		struct backend *be;
		alarm(10);
		if (postfix_backend.open(&o, &be, &diag) != RELAY_OK)
			_exit(2);
		if (postfix_backend.read_policy(be, &r, &diag) != RELAY_OK)
			_exit(3);
		backend_report_release(&r);
		postfix_backend.close(be);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		assert_int_equal(errno, EINTR);
	if (WIFSIGNALED(status))
		fail_msg("'a = $a$a$a' referenced by a relay parameter: "
		    "read_policy still running after 10 seconds (signal %d)",
		    WTERMSIG(status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- phases and findings of hand-written configurations --------------- */

static const struct {
	const char *what, *main, *master, *version;
	enum phase phase;
	const char *findings;	/* IDs, in the order reported */
	bool outbound;
	unsigned auth, tls_only;
	size_t nallow;
	const char *msg;	/* words some finding's message holds */
} detect[] = {
	{ "phase 0", P0, NULL, NULL, PHASE_0, "", false, 0, 0, 0, NULL },
	{ "phase 1", P1, NULL, NULL, PHASE_1, "", true, MECH_CRAM_MD5, 0, 0,
	  NULL },
	{ "phase 2", P2, NULL, NULL, PHASE_2, "", true, MECH_CRAM_MD5, 0, 2,
	  NULL },
	{ "phase 3", P3, NULL, NULL, PHASE_3, "LNT-AUTH-CLEARTEXT", true,
	  ALL_MECHS, 0, 2, "clear text" },
	{ "phase 3-tls", P3TLS, NULL, NULL, PHASE_3_TLS, "", true, ALL_MECHS,
	  CLEAR, 2, NULL },
	{ "phase 1, plain master.cf", P1, MASTER_PLAIN, NULL, PHASE_1, "",
	  true, MECH_CRAM_MD5, 0, 0, NULL },
	{ "phase 3 without allow list", P3 "mynetworks = " SELF "\n", NULL,
	  NULL, PHASE_3, "LNT-AUTH-CLEARTEXT", true, ALL_MECHS, 0, 0, NULL },
	{ "phase 1 at level 0: smtpd_recipient_restrictions decides",
	  "mynetworks = " SELF "\nrelay_domains =\n"
	  "smtpd_recipient_restrictions = " RR "\n"
	  "smtpd_sasl_auth_enable = yes\n"
	  "smtpd_sasl_security_options = noanonymous, noplaintext\n"
	  "smtpd_sasl_mechanism_filter = cram-md5\n", NULL, NULL, PHASE_1, "",
	  true, MECH_CRAM_MD5, 0, 0, NULL },
	{ "3-tls settings without STARTTLS", P3TLS
	  "smtpd_tls_security_level = none\n", NULL, NULL, PHASE_2, "", true,
	  MECH_CRAM_MD5, 0, 2, NULL },
	{ "a wide allowed network warns", P2 "mynetworks = " SELF
	  " 8.0.0.0/6\n", NULL, NULL, PHASE_2, "LNT-MYNET-WIDE", true,
	  MECH_CRAM_MD5, 0, 1, "8.0.0.0/6" },
	{ "mynetworks without the server", P2
	  "mynetworks = 198.51.100.0/24\n", NULL, NULL, PHASE_2,
	  "LNT-MYNET-NOSELF", true, MECH_CRAM_MD5, 0, 1, NULL },
	{ "relay_domains set", P1 "relay_domains = example.net\n", NULL, NULL,
	  PHASE_1, "LNT-RELAY-DOMAINS", true, MECH_CRAM_MD5, 0, 0,
	  "example.net" },
	{ "check_ before the reject", P1 "smtpd_relay_restrictions = "
	  "permit_mynetworks, permit_sasl_authenticated, check_client_access "
	  "hash:/etc/postfix/access, reject_unauth_destination\n", NULL, NULL,
	  PHASE_1, "LNT-RELAY-CHECK", true, MECH_CRAM_MD5, 0, 0,
	  "check_client_access hash:/etc/postfix/access" },
	{ "level 1 default defers", "compatibility_level = 1\n"
	  "mynetworks = " SELF "\nrelay_domains =\n"
	  "smtpd_sasl_auth_enable = yes\n"
	  "smtpd_sasl_security_options = noanonymous, noplaintext\n"
	  "smtpd_sasl_mechanism_filter = cram-md5\n", NULL, NULL, PHASE_1,
	  "LNT-RELAY-DEFER", true, MECH_CRAM_MD5, 0, 0, NULL },
	{ "submission override: info only", P1, MASTER_SUB, NULL, PHASE_1,
	  "LNT-MASTER-OVERRIDE", true, MECH_CRAM_MD5, 0, 0,
	  "master.cf:3: service 'submission' overrides "
	  "smtpd_relay_restrictions" },
	/* Custom: no phase. */
	{ "permit before reject_unauth_destination", P2
	  "smtpd_relay_restrictions = permit_mynetworks, "
	  "permit_sasl_authenticated, permit, reject_unauth_destination\n",
	  NULL, NULL, PHASE_CUSTOM, "LNT-RELAY-PERMIT", true, MECH_CRAM_MD5, 0,
	  2, "smtpd_relay_restrictions permits everything" },
	{ "no reject_unauth_destination", P2 "smtpd_relay_restrictions = "
	  "permit_mynetworks, permit_sasl_authenticated\n", NULL, NULL,
	  PHASE_CUSTOM, "LNT-RELAY-NOREJECT", true, MECH_CRAM_MD5, 0, 2,
	  "smtpd_relay_restrictions has no reject_unauth_destination" },
	{ "level 0, nothing set", "mynetworks = " SELF "\n", NULL, NULL,
	  PHASE_CUSTOM, "LNT-RELAY-NOREJECT LNT-RELAY-NONETS "
	  "LNT-RELAY-DOMAINS", true, 0, 0, 0,
	  "smtpd_recipient_restrictions has no reject_unauth_destination" },
	{ "mynetworks 0.0.0.0/0", P2 "mynetworks = " SELF
	  " 192.0.2.0/24 0.0.0.0/0\n", NULL, NULL, PHASE_CUSTOM,
	  "LNT-MYNET-ALL", true, MECH_CRAM_MD5, 0, 2, "'0.0.0.0/0'" },
	{ "mynetworks ::/0", P2 "mynetworks = " SELF " [::]/0\n", NULL, NULL,
	  PHASE_CUSTOM, "LNT-MYNET-ALL", true, MECH_CRAM_MD5, 0, 1,
	  "'[::]/0'" },
	{ "mynetworks from a table", P2 "mynetworks = " SELF
	  " hash:/etc/postfix/network_table\n", NULL, NULL, PHASE_CUSTOM,
	  "LNT-MYNET-TABLE", true, MECH_CRAM_MD5, 0, 0,
	  "hash:/etc/postfix/network_table" },
	{ "noanonymous missing", P1
	  "smtpd_sasl_security_options = noplaintext\n", NULL, NULL,
	  PHASE_CUSTOM, "LNT-AUTH-ANON", true,
	  MECH_CRAM_MD5 | MECH_ANONYMOUS, 0, 0, "noanonymous" },
	{ "noanonymous missing, no filter", P1
	  "smtpd_sasl_security_options = noplaintext\n"
	  "smtpd_sasl_mechanism_filter = !external, static:rest\n", NULL, NULL,
	  PHASE_CUSTOM, "LNT-AUTH-UNRESTRICTED LNT-AUTH-ANON", true,
	  MECH_CRAM_MD5 | MECH_ANONYMOUS | MECH_OTHER, 0, 0, NULL },
	{ "no mechanism filter", P1 "smtpd_sasl_mechanism_filter = "
	  "!external, static:rest\n", NULL, NULL, PHASE_CUSTOM,
	  "LNT-AUTH-UNRESTRICTED", true, MECH_CRAM_MD5 | MECH_OTHER, 0, 0,
	  "smtpd.conf" },
	{ "mechanism filter ignored before Postfix 3.6", P1, NULL, "3.5.0",
	  PHASE_CUSTOM, "LNT-AUTH-UNRESTRICTED", true,
	  MECH_CRAM_MD5 | MECH_OTHER, 0, 0, NULL },
	{ "master.cf permit on smtp", P2, SMTP_LINE
	  "  -o smtpd_relay_restrictions=permit\n", NULL, PHASE_CUSTOM,
	  "LNT-RELAY-PERMIT LNT-RELAY-NOREJECT LNT-RELAY-NONETS "
	  "LNT-AUTH-NORELAY LNT-MASTER-PERMIT", true, 0, 0, 0,
	  "master.cf:2: service 'smtp' overrides smtpd_relay_restrictions "
	  "with 'permit'" },
	{ "master.cf permit on another smtpd: not the MX", P2, SMTP_LINE
	  "127.0.0.1:10025 inet n - n - - smtpd\n"
	  "  -o smtpd_relay_restrictions=permit\n", NULL, PHASE_2,
	  "LNT-MASTER-PERMIT", true, MECH_CRAM_MD5, 0, 2, "master.cf:3" },
	{ "permit_mx_backup", P1 "smtpd_relay_restrictions = "
	  "permit_mynetworks, permit_sasl_authenticated, permit_mx_backup, "
	  "reject_unauth_destination\n", NULL, NULL, PHASE_CUSTOM,
	  "LNT-RELAY-EXTRA", true, MECH_CRAM_MD5, 0, 0, "permit_mx_backup" },
	{ "AUTH before STARTTLS hidden", P1 "smtpd_tls_security_level = may\n"
	  "smtpd_tls_auth_only = yes\n", NULL, NULL, PHASE_CUSTOM,
	  "LNT-AUTH-TLSONLY LNT-PHASE-NONE", true, MECH_CRAM_MD5,
	  MECH_CRAM_MD5, 0, NULL },
	{ "outbound without AUTH", P1 "smtpd_sasl_auth_enable = no\n", NULL,
	  NULL, PHASE_CUSTOM, "LNT-PHASE-NONE", true, 0, 0, 0,
	  "outbound on, AUTH off" },
	{ "AUTH without outbound", P0 "smtpd_relay_restrictions = " RR "\n"
	  "smtpd_sasl_auth_enable = yes\n"
	  "smtpd_sasl_security_options = noanonymous, noplaintext\n"
	  "smtpd_sasl_mechanism_filter = cram-md5\n", NULL, NULL,
	  PHASE_CUSTOM, "LNT-AUTH-NOOUT", false, MECH_CRAM_MD5, 0, 0,
	  "rule I4" },
	{ "AUTH without permit_sasl_authenticated", P1
	  "smtpd_relay_restrictions = permit_mynetworks, "
	  "reject_unauth_destination\n", NULL, NULL, PHASE_CUSTOM,
	  "LNT-AUTH-NORELAY LNT-PHASE-NONE", true, 0, 0, 0, NULL },
};

static void test_detect(void **state)
{
	struct env *e = *state;
	struct backend_report r;
	struct backend *be;
	char got[1024], msgs[4096];
	size_t i;
	int bad = 0;

	for (i = 0; i < NELEM(detect); i++) {
		be = open_version(e, detect[i].main, detect[i].master,
		    detect[i].version ? detect[i].version : VERSION);
		read_report(be, &r);
		ids(&r, got, sizeof(got));
		messages(&r, msgs, sizeof(msgs));
		if (r.phase != detect[i].phase)
			bad += report("%s: phase %s, want %s (findings: %s)\n",
			    detect[i].what, phase_name(r.phase),
			    phase_name(detect[i].phase), msgs);
		if (strcmp(got, detect[i].findings) != 0)
			bad += report("%s: findings \"%s\", want \"%s\"\n",
			    detect[i].what, got, detect[i].findings);
		if (detect[i].msg != NULL && strstr(msgs, detect[i].msg) == NULL)
			bad += report("%s: no message holds \"%s\": %s\n",
			    detect[i].what, detect[i].msg, msgs);
		if (r.policy.outbound != detect[i].outbound ||
		    r.policy.auth_mechs != detect[i].auth ||
		    r.policy.tls_only_mechs != detect[i].tls_only ||
		    r.policy.nallow != detect[i].nallow)
			bad += report("%s: policy outbound %d auth %#x tls_only "
			    "%#x nallow %zu, want %d %#x %#x %zu\n",
			    detect[i].what, r.policy.outbound,
			    r.policy.auth_mechs, r.policy.tls_only_mechs,
			    r.policy.nallow, detect[i].outbound, detect[i].auth,
			    detect[i].tls_only, detect[i].nallow);
		/* Every finding says what to do. */
		{
			size_t k;
			for (k = 0; k < r.nfindings; k++)
				if (r.findings[k].fix == NULL ||
				    r.findings[k].msg == NULL)
					bad += report("%s: %s without msg or "
					    "fix\n", detect[i].what,
					    r.findings[k].id);
		}
		backend_report_release(&r);
		postfix_backend.close(be);
	}
	if (bad)
		fail_msg("%d detection case(s) failed", bad);
}

/* The server's own networks are listed apart from the allow list. */
static void test_self_and_allow(void **state)
{
	struct env *e = *state;
	struct backend_report r;
	struct backend *be;
	char buf[CIDR_STRLEN];

	be = open_cf(e, P2 "mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 "
	    "[::1]/128 192.0.2.1/24 2001:db8::/48 127.0.0.77/32\n", NULL);
	read_report(be, &r);
	assert_int_equal(r.phase, PHASE_2);
	assert_int_equal(r.self.n, 3);
	assert_string_equal(r.self.v[0], "127.0.0.0/8");
	assert_string_equal(r.self.v[1], "[::ffff:127.0.0.0]/104");
	assert_string_equal(r.self.v[2], "[::1]/128");
	assert_int_equal(r.policy.nallow, 3);
	assert_string_equal(cidr_format(&r.policy.allow[0], buf),
	    "192.0.2.0/24");
	assert_string_equal(cidr_format(&r.policy.allow[1], buf),
	    "[2001:db8::]/48");
	assert_string_equal(cidr_format(&r.policy.allow[2], buf),
	    "127.0.0.77/32");
	backend_report_release(&r);
	postfix_backend.close(be);
}

/* The Cyrus mech_list in DIR/sasl/smtpd.conf restricts the mechanisms
 * when no filter does. */
static void test_cyrus_mech_list(void **state)
{
	static const struct {
		const char *conf;
		enum phase phase;
		const char *findings;
	} cases[] = {
		{ "pwcheck_method: auxprop\nmech_list: CRAM-MD5\n", PHASE_1, "" },
		{ "mech_list: cram-md5 plain login\n", PHASE_1, "" },
		{ "mech_list: PLAIN LOGIN\n", PHASE_CUSTOM,
		  "LNT-SASL-MECHLIST LNT-PHASE-NONE" },
		{ "pwcheck_method: saslauthd\n", PHASE_CUSTOM,
		  "LNT-AUTH-UNRESTRICTED" },
	};
	struct env *e = *state;
	struct backend_report r;
	struct backend *be;
	char got[512];
	size_t i;
	int bad = 0;

	for (i = 0; i < NELEM(cases); i++) {
		put(e, "sasl/smtpd.conf", cases[i].conf);
		be = open_cf(e, P1 "smtpd_sasl_mechanism_filter = static:rest\n",
		    NULL);
		read_report(be, &r);
		ids(&r, got, sizeof(got));
		if (r.phase != cases[i].phase ||
		    strcmp(got, cases[i].findings) != 0)
			bad += report("%s: phase %s, findings \"%s\"\n",
			    cases[i].conf, phase_name(r.phase), got);
		backend_report_release(&r);
		postfix_backend.close(be);
	}
	if (bad)
		fail_msg("%d mech_list case(s) failed", bad);
}

/* A long mynetworks is read to its end: the open relay at its end is
 * found, and no allowed network is lost. */
static void test_many_networks(void **state)
{
	struct env *e = *state;
	struct backend_report r;
	struct backend *be;
	char *main, got[1024];
	size_t i, len, cap = 64 * 1024;

	assert_non_null(main = malloc(cap));
	snprintf(main, cap, "%smynetworks = " SELF, P2);
	for (i = 0; i < 1100; i++) {
		len = strlen(main);
		snprintf(main + len, cap - len, " 10.%zu.%zu.0/24", i / 256,
		    i % 256);
	}
	len = strlen(main);
	snprintf(main + len, cap - len, " 0.0.0.0/0\n");
	be = open_cf(e, main, NULL);
	free(main);
	read_report(be, &r);
	ids(&r, got, sizeof(got));
	postfix_backend.close(be);
	if (r.policy.nallow != 1101 || strcmp(got, "LNT-MYNET-ALL") != 0 ||
	    r.phase != PHASE_CUSTOM) {
		size_t n = r.policy.nallow;
		enum phase ph = r.phase;
		backend_report_release(&r);
		fail_msg("mynetworks with 1102 entries: %zu allowed (want 1101), "
		    "findings \"%s\" (want LNT-MYNET-ALL), phase %s",
		    n, got, phase_name(ph));
	}
	backend_report_release(&r);
}

/* ---- plans ------------------------------------------------------------ */

/* A Debian-like main.cf with a certificate. */
#define BASE \
	"# Debian-like\n" \
	"compatibility_level = 3.6\n" \
	"myhostname = mx.example.org\n" \
	"mydestination = $myhostname, localhost.$mydomain, localhost\n" \
	"relay_domains =\n" \
	"mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128\n" \
	"smtpd_relay_restrictions = permit_mynetworks " \
	"permit_sasl_authenticated defer_unauth_destination\n" \
	"smtpd_tls_cert_file = /etc/ssl/certs/ssl-cert-snakeoil.pem\n" \
	"smtpd_tls_key_file = /etc/ssl/private/ssl-cert-snakeoil.key\n" \
	"smtpd_tls_security_level = may\n"

static const char *const no_nets[] = { NULL };
static const char *const one_net[] = { "192.0.2.0/24", NULL };
static const char *const two_nets[] = { "192.0.2.0/24", "2001:db8::/48",
    NULL };
static const char *const hand_nets[] = { "198.51.100.0/24",
    "203.0.113.7/32", NULL };

#define MAXLINES 10

static const struct {
	enum phase phase;
	const char *const *nets;
	size_t nchanged;
	const char *lines[MAXLINES];	/* in new_data */
	const char *absent[4];		/* names that must not be set */
} plans[] = {
	{ PHASE_0, no_nets, 3, {
	  "default_transport = " ERRT,
	  "relay_transport = " ERRT,
	  "smtpd_relay_restrictions = reject_unauth_destination",
	  "mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128" },
	  { "smtpd_sasl_auth_enable", "smtpd_sasl_mechanism_filter" } },
	{ PHASE_1, no_nets, 7, {
	  "smtpd_relay_restrictions = " RR,
	  "smtpd_sasl_auth_enable = yes",
	  "smtpd_sasl_type = cyrus",
	  "smtpd_sasl_path = smtpd",
	  "smtpd_sasl_security_options = noanonymous, noplaintext",
	  "smtpd_sasl_tls_security_options = $smtpd_sasl_security_options",
	  "smtpd_sasl_mechanism_filter = cram-md5",
	  "mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128" },
	  { "default_transport", "relay_transport", "smtpd_tls_auth_only" } },
	{ PHASE_2, two_nets, 8, {
	  "mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128 "
	  "192.0.2.0/24 [2001:db8::]/48",
	  "smtpd_relay_restrictions = " RR,
	  "smtpd_sasl_auth_enable = yes",
	  "smtpd_sasl_security_options = noanonymous, noplaintext",
	  "smtpd_sasl_tls_security_options = $smtpd_sasl_security_options",
	  "smtpd_sasl_mechanism_filter = cram-md5" },
	  { "default_transport" } },
	/* Postfix's default smtpd_sasl_security_options is phase 3's. */
	{ PHASE_3, one_net, 7, {
	  "mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128 "
	  "192.0.2.0/24",
	  "smtpd_relay_restrictions = " RR,
	  "smtpd_sasl_auth_enable = yes",
	  "smtpd_sasl_tls_security_options = $smtpd_sasl_security_options",
	  "smtpd_sasl_mechanism_filter = cram-md5, plain, login" },
	  { "default_transport", "smtpd_sasl_security_options" } },
	{ PHASE_3, no_nets, 6, {
	  "mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128",
	  "smtpd_sasl_mechanism_filter = cram-md5, plain, login" },
	  { "smtpd_sasl_security_options" } },
	{ PHASE_3_TLS, one_net, 8, {
	  "mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128 "
	  "192.0.2.0/24",
	  "smtpd_relay_restrictions = " RR,
	  "smtpd_sasl_auth_enable = yes",
	  "smtpd_sasl_security_options = noanonymous, noplaintext",
	  "smtpd_sasl_tls_security_options = noanonymous",
	  "smtpd_sasl_mechanism_filter = cram-md5, plain, login",
	  "smtpd_tls_security_level = may" },
	  { NULL } },
};

/* plan_ok - plan P on BE, which must succeed */
static void plan_ok(struct backend *be, const struct policy *p,
    struct backend_plan *plan)
{
	struct relay_diag diag = { "" };
	enum relay_err rc;

	if ((rc = postfix_backend.plan(be, p, plan, &diag)) != RELAY_OK)
		fail_msg("plan phase %s: %s: %s", phase_name(policy_phase(p)),
		    relay_errname(rc), diag.msg);
	assert_non_null(plan->old_data);
	assert_non_null(plan->new_data);
	assert_int_equal(strlen(plan->new_data), plan->new_len);
}

/* settles - NEW_DATA written as main.cf reads back as P's phase with P's
 * allow list, and planning P again has nothing to do; 0 or a report */
static int settles(const struct env *e, const char *what, const char *data,
    const char *master, const struct policy *p)
{
	struct backend_report r;
	struct backend_plan again;
	struct backend *be;
	char msgs[2048];
	int bad = 0;

	be = open_cf(e, data, master);
	read_report(be, &r);
	if (r.phase != policy_phase(p) || r.policy.nallow != p->nallow) {
		messages(&r, msgs, sizeof(msgs));
		bad += report("%s: planned file reads as phase %s with %zu "
		    "allowed (want %s, %zu): %s\n", what, phase_name(r.phase),
		    r.policy.nallow, phase_name(policy_phase(p)), p->nallow,
		    msgs);
	}
	backend_report_release(&r);
	plan_ok(be, p, &again);
	if (again.nchanged != 0 || again.new_len != again.old_len ||
	    memcmp(again.new_data, again.old_data, again.old_len) != 0)
		bad += report("%s: planning again changes %zu setting(s)\n",
		    what, again.nchanged);
	backend_plan_release(&again);
	postfix_backend.close(be);
	return bad;
}

static void test_plan_phases(void **state)
{
	struct env *e = *state;
	struct backend_plan plan;
	struct policy p;
	struct backend *be;
	char what[64], name[80];
	size_t i, k, n;
	int bad = 0;

	for (i = 0; i < NELEM(plans); i++) {
		make_policy(plans[i].phase, plans[i].nets, &p);
		snprintf(what, sizeof(what), "phase %s with %zu allowed",
		    phase_name(plans[i].phase), p.nallow);
		be = open_cf(e, BASE, MASTER_PLAIN);
		plan_ok(be, &p, &plan);
		postfix_backend.close(be);
		if (plan.old_len != strlen(BASE) ||
		    memcmp(plan.old_data, BASE, plan.old_len) != 0)
			bad += report("%s: old_data is not the file\n", what);
		if (plan.nchanged != plans[i].nchanged)
			bad += report("%s: %zu changed, want %zu\n", what,
			    plan.nchanged, plans[i].nchanged);
		for (k = 0; k < MAXLINES && plans[i].lines[k] != NULL; k++)
			if (!has_line(plan.new_data, plans[i].lines[k]))
				bad += report("%s: no line \"%s\"\n", what,
				    plans[i].lines[k]);
		for (k = 0; k < NELEM(plans[i].absent) &&
		    plans[i].absent[k] != NULL; k++) {
			snprintf(name, sizeof(name), "\n%s =",
			    plans[i].absent[k]);
			if (strstr(plan.new_data, name) != NULL)
				bad += report("%s: sets %s\n", what,
				    plans[i].absent[k]);
		}
		/* Lines not edited stay, in order, at the start. */
		n = strlen("# Debian-like\ncompatibility_level = 3.6\n");
		if (strncmp(plan.new_data, BASE, n) != 0)
			bad += report("%s: the file's start changed\n", what);
		if (plan.notes.n != 0)
			bad += report("%s: %zu note(s): %s\n", what,
			    plan.notes.n, plan.notes.v[0]);
		bad += settles(e, what, plan.new_data, MASTER_PLAIN, &p);
		backend_plan_release(&plan);
		policy_release(&p);
	}
	if (bad)
		fail_msg("%d plan case(s) failed", bad);
}

/* From each hand-written phase to each phase: the planned file is in the
 * target phase, and a file already there plans no change. */
static void test_plan_transitions(void **state)
{
	static const struct {
		const char *name, *main;
		enum phase phase;
		const char *const *nets;
	} from[] = {
		{ "0", P0, PHASE_0, no_nets },
		{ "1", P1, PHASE_1, no_nets },
		{ "2", P2, PHASE_2, hand_nets },
		{ "3", P3, PHASE_3, hand_nets },
		{ "3-tls", P3TLS, PHASE_3_TLS, hand_nets },
	};
	static const struct {
		enum phase phase;
		const char *const *nets;
	} to[] = {
		{ PHASE_0, no_nets }, { PHASE_1, no_nets },
		{ PHASE_2, one_net }, { PHASE_3, one_net },
		{ PHASE_3_TLS, one_net },
	};
	struct env *e = *state;
	struct backend_plan plan;
	struct relay_diag diag;
	struct policy p;
	struct backend *be;
	char what[64];
	size_t i, k;
	enum relay_err rc;
	int bad = 0;

	for (i = 0; i < NELEM(from); i++) {
		/* Already in the phase: nothing to do. */
		make_policy(from[i].phase, from[i].nets, &p);
		be = open_cf(e, from[i].main, MASTER_PLAIN);
		plan_ok(be, &p, &plan);
		if (plan.nchanged != 0 || plan.new_len != plan.old_len ||
		    memcmp(plan.new_data, plan.old_data, plan.old_len) != 0)
			bad += report("hand-written phase %s: plan changes %zu "
			    "setting(s)\n", from[i].name, plan.nchanged);
		backend_plan_release(&plan);
		postfix_backend.close(be);
		policy_release(&p);

		for (k = 0; k < NELEM(to); k++) {
			snprintf(what, sizeof(what), "%s -> %s", from[i].name,
			    phase_name(to[k].phase));
			make_policy(to[k].phase, to[k].nets, &p);
			be = open_cf(e, from[i].main, MASTER_PLAIN);
			memset(&diag, 0, sizeof(diag));
			rc = postfix_backend.plan(be, &p, &plan, &diag);
			postfix_backend.close(be);
			if (to[k].phase == PHASE_3_TLS &&
			    from[i].phase != PHASE_3_TLS) {
				/* No certificate in these files. */
				if (rc != RELAY_EINVAL ||
				    strstr(diag.msg, "certificate") == NULL)
					bad += report("%s: rc %d \"%s\", want "
					    "a refusal naming the certificate\n",
					    what, rc, diag.msg);
			} else if (rc != RELAY_OK) {
				bad += report("%s: %s\n", what, diag.msg);
			} else {
				bad += settles(e, what, plan.new_data,
				    MASTER_PLAIN, &p);
			}
			backend_plan_release(&plan);
			policy_release(&p);
		}
	}
	if (bad)
		fail_msg("%d transition(s) failed", bad);
}

/* The allow list as Postfix writes it, in place of the old line. */
static void test_plan_allow_rendering(void **state)
{
	static const char main[] =
	    "compatibility_level = 3.6\n"
	    "mynetworks = 127.0.0.0/8 [::1]/128\n"
	    "relay_domains =\n";
	struct env *e = *state;
	struct backend_plan plan;
	struct policy p;
	struct backend *be;
	struct cidr c[2];
	char err[256];

	assert_int_equal(cidr_parse("192.0.2.7/24", CIDR_HOSTBITS_OK, &c[0],
	    NULL, err, sizeof(err)), RELAY_OK);
	assert_int_equal(cidr_parse("[2001:db8::]/48", 0, &c[1], NULL, err,
	    sizeof(err)), RELAY_OK);
	assert_int_equal(policy_for_phase(PHASE_2, c, 2, &p, err,
	    sizeof(err)), RELAY_OK);
	be = open_cf(e, main, NULL);
	plan_ok(be, &p, &plan);
	assert_non_null(strstr(plan.new_data, "compatibility_level = 3.6\n"
	    "mynetworks = 127.0.0.0/8 [::1]/128 192.0.2.0/24 [2001:db8::]/48\n"
	    "relay_domains =\n"));
	backend_plan_release(&plan);
	postfix_backend.close(be);
	policy_release(&p);
}

/* An allow list given twice over is still the whole allow list: networks
 * not in it leave mynetworks. */
static void test_plan_duplicate_allow(void **state)
{
	static const char *const twice[] = { "192.0.2.0/24", "192.0.2.0/24",
	    NULL };
	struct env *e = *state;
	struct backend_plan plan;
	struct policy p;
	struct backend *be;

	make_policy(PHASE_2, twice, &p);
	be = open_cf(e, CRAM_ONLY(SELF " 192.0.2.0/24 198.51.100.0/24"), NULL);
	plan_ok(be, &p, &plan);
	postfix_backend.close(be);
	if (strstr(plan.new_data, "198.51.100.0/24") != NULL) {
		size_t n = plan.nchanged;
		backend_plan_release(&plan);
		policy_release(&p);
		fail_msg("allow list {192.0.2.0/24, 192.0.2.0/24}: plan keeps "
		    "198.51.100.0/24 in mynetworks (%zu changed)", n);
	}
	assert_true(has_line(plan.new_data, "mynetworks = " SELF
	    " 192.0.2.0/24") || has_line(plan.new_data, "mynetworks = " SELF
	    " 192.0.2.0/24 192.0.2.0/24"));
	backend_plan_release(&plan);
	policy_release(&p);
}

/* master.cf -o on the MX wins over main.cf: plan refuses, naming it. */
static void test_plan_master_override(void **state)
{
	static const struct {
		const char *what, *ovr;	/* the -o line, line 2 */
		enum phase phase;
		enum relay_err rc;
		const char *name;
	} cases[] = {
		{ "relay restrictions",
		  "  -o smtpd_relay_restrictions=permit_mynetworks,"
		  "reject_unauth_destination\n", PHASE_1, RELAY_EINVAL,
		  "smtpd_relay_restrictions" },
		{ "relay restrictions: permit",
		  "  -o smtpd_relay_restrictions=permit\n", PHASE_0,
		  RELAY_EINVAL, "smtpd_relay_restrictions" },
		{ "the same value is no conflict",
		  "  -o { smtpd_relay_restrictions = " RR " }\n", PHASE_1,
		  RELAY_OK, NULL },
		{ "AUTH switched on for the MX",
		  "  -o smtpd_sasl_auth_enable=yes\n", PHASE_0, RELAY_EINVAL,
		  "smtpd_sasl_auth_enable" },
		{ "mynetworks", "  -o mynetworks=0.0.0.0/0\n", PHASE_1,
		  RELAY_EINVAL, "mynetworks" },
		{ "security options", "  -o smtpd_sasl_security_options="
		  "noanonymous\n", PHASE_1, RELAY_EINVAL,
		  "smtpd_sasl_security_options" },
		{ "TLS security options, phase 3-tls",
		  "  -o smtpd_sasl_tls_security_options=noanonymous,noplaintext\n",
		  PHASE_3_TLS, RELAY_EINVAL, "smtpd_sasl_tls_security_options" },
		{ "TLS security options, phase 3",
		  "  -o smtpd_sasl_tls_security_options=noanonymous,noplaintext\n",
		  PHASE_3, RELAY_EINVAL, "smtpd_sasl_tls_security_options" },
		{ "mechanism filter", "  -o smtpd_sasl_mechanism_filter="
		  "static:rest\n", PHASE_3, RELAY_EINVAL,
		  "smtpd_sasl_mechanism_filter" },
	};
	struct env *e = *state;
	struct backend_plan plan;
	struct relay_diag diag;
	struct policy p;
	struct backend *be;
	char master[512];
	size_t i;
	enum relay_err rc;
	int bad = 0;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(master, sizeof(master), "%s%s%s", SMTP_LINE,
		    cases[i].ovr, "pickup    unix  n       -       y       60"
		    "      1       pickup\n");
		make_policy(cases[i].phase, no_nets, &p);
		be = open_cf(e, BASE, master);
		memset(&diag, 0, sizeof(diag));
		rc = postfix_backend.plan(be, &p, &plan, &diag);
		postfix_backend.close(be);
		if (rc != cases[i].rc) {
			bad += report("%s: %s, want %s\n", cases[i].what,
			    relay_errname(rc), relay_errname(cases[i].rc));
			if (rc == RELAY_OK)	/* show what it leads to */
				settles(e, cases[i].what, plan.new_data, master,
				    &p);
		} else if (rc != RELAY_OK && (strstr(diag.msg, "master.cf") ==
		    NULL || strstr(diag.msg, "line 2") == NULL ||
		    strstr(diag.msg, cases[i].name) == NULL ||
		    strstr(diag.msg, "'smtp'") == NULL))
			bad += report("%s: \"%s\" does not name master.cf line 2, "
			    "%s and the service\n", cases[i].what, diag.msg,
			    cases[i].name);
		else if (rc == RELAY_OK)
			bad += settles(e, cases[i].what, plan.new_data, master,
			    &p);
		backend_plan_release(&plan);
		policy_release(&p);
	}
	/* Overrides on other services do not block. */
	make_policy(PHASE_1, no_nets, &p);
	be = open_cf(e, BASE, MASTER_SUB
	    "  -o smtpd_sasl_security_options=noanonymous\n");
	plan_ok(be, &p, &plan);
	backend_plan_release(&plan);
	postfix_backend.close(be);
	policy_release(&p);
	if (bad)
		fail_msg("%d override case(s) failed", bad);
}

/* Lists are lists: the same restrictions or options written with other
 * separators are the same setting, in main.cf and in a master.cf -o
 * (which cannot hold ", " without braces). */
static void test_plan_equivalent_lists(void **state)
{
	struct env *e = *state;
	struct backend_report r;
	struct backend_plan plan;
	struct relay_diag diag = { "" };
	struct policy p;
	struct backend *be;
	enum relay_err rc;
	int bad = 0;

	make_policy(PHASE_1, no_nets, &p);
	be = open_cf(e, P1, SMTP_LINE "  -o smtpd_relay_restrictions="
	    "permit_mynetworks,permit_sasl_authenticated,"
	    "reject_unauth_destination\n");
	read_report(be, &r);
	assert_int_equal(r.phase, PHASE_1);
	backend_report_release(&r);
	rc = postfix_backend.plan(be, &p, &plan, &diag);
	postfix_backend.close(be);
	if (rc != RELAY_OK)
		bad += report("master.cf -o with the phase's list, comma-"
		    "separated: %s: %s\n", relay_errname(rc), diag.msg);
	backend_plan_release(&plan);

	be = open_cf(e, P1 "smtpd_relay_restrictions = permit_mynetworks "
	    "permit_sasl_authenticated reject_unauth_destination\n"
	    "smtpd_sasl_security_options = noanonymous,noplaintext\n", NULL);
	read_report(be, &r);
	assert_int_equal(r.phase, PHASE_1);
	backend_report_release(&r);
	plan_ok(be, &p, &plan);
	postfix_backend.close(be);
	if (plan.nchanged != 0)
		bad += report("main.cf in phase 1, lists without commas or "
		    "spaces: plan changes %zu setting(s)\n", plan.nchanged);
	backend_plan_release(&plan);
	policy_release(&p);
	if (bad)
		fail_msg("%d equivalent-list case(s) failed", bad);
}

/* Before Postfix 3.6 there is no mechanism filter: the plan leaves it out
 * and says what to do instead. */
static void test_plan_old_postfix(void **state)
{
	static const struct {
		enum phase phase;
		const char *const *nets;
		size_t nchanged;
		const char *note;
	} cases[] = {
		{ PHASE_1, no_nets, 6, "limit the SASL mechanisms to CRAM-MD5 " },
		{ PHASE_2, one_net, 7, "limit the SASL mechanisms to CRAM-MD5 " },
		{ PHASE_3, one_net, 6,
		  "limit the SASL mechanisms to CRAM-MD5 PLAIN LOGIN" },
		{ PHASE_3_TLS, one_net, 7,
		  "limit the SASL mechanisms to CRAM-MD5 PLAIN LOGIN" },
	};
	struct env *e = *state;
	struct backend_plan plan;
	struct policy p;
	struct backend *be;
	size_t i;
	int bad = 0;

	for (i = 0; i < NELEM(cases); i++) {
		make_policy(cases[i].phase, cases[i].nets, &p);
		be = open_version(e, BASE, NULL, "3.5.0");
		plan_ok(be, &p, &plan);
		postfix_backend.close(be);
		if (strstr(plan.new_data, "smtpd_sasl_mechanism_filter") != NULL)
			bad += report("phase %s: sets the mechanism filter\n",
			    phase_name(cases[i].phase));
		if (plan.nchanged != cases[i].nchanged)
			bad += report("phase %s: %zu changed, want %zu\n",
			    phase_name(cases[i].phase), plan.nchanged,
			    cases[i].nchanged);
		if (plan.notes.n != 1 ||
		    strstr(plan.notes.v[0], "Postfix 3.5.0") == NULL ||
		    strstr(plan.notes.v[0], cases[i].note) == NULL)
			bad += report("phase %s: notes %zu: %s\n",
			    phase_name(cases[i].phase), plan.notes.n,
			    plan.notes.n ? plan.notes.v[0] : "");
		backend_plan_release(&plan);
		policy_release(&p);
	}
	/* Phase 0 offers no AUTH: nothing to note. */
	make_policy(PHASE_0, no_nets, &p);
	be = open_version(e, BASE, NULL, "3.5.0");
	plan_ok(be, &p, &plan);
	postfix_backend.close(be);
	assert_int_equal(plan.notes.n, 0);
	backend_plan_release(&plan);
	policy_release(&p);
	if (bad)
		fail_msg("%d old-version case(s) failed", bad);
}

static void test_plan_refused(void **state)
{
	struct env *e = *state;
	struct backend_plan plan;
	struct relay_diag diag = { "" };
	struct policy p;
	struct backend *be;

	/* A policy that is no phase. */
	memset(&p, 0, sizeof(p));
	p.outbound = true;
	be = open_cf(e, BASE, NULL);
	assert_int_equal(postfix_backend.plan(be, &p, &plan, &diag),
	    RELAY_EINVAL);
	assert_non_null(strstr(diag.msg, "no phase"));
	backend_plan_release(&plan);
	postfix_backend.close(be);

	/* Phase 3-tls needs a certificate. */
	make_policy(PHASE_3_TLS, one_net, &p);
	be = open_cf(e, P3, NULL);
	assert_int_equal(postfix_backend.plan(be, &p, &plan, &diag),
	    RELAY_EINVAL);
	assert_non_null(strstr(diag.msg, "certificate"));
	backend_plan_release(&plan);
	postfix_backend.close(be);
	policy_release(&p);

	/* mynetworks relayctl cannot rewrite. */
	make_policy(PHASE_2, one_net, &p);
	be = open_cf(e, P2 "mynetworks = " SELF
	    " hash:/etc/postfix/network_table\n", NULL);
	assert_int_equal(postfix_backend.plan(be, &p, &plan, &diag),
	    RELAY_EINVAL);
	assert_non_null(strstr(diag.msg,
	    "'hash:/etc/postfix/network_table'"));
	backend_plan_release(&plan);
	postfix_backend.close(be);
	policy_release(&p);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_open),
		T(test_sources),
		T(test_compat_defaults),
		T(test_expansion),
		T(test_expansion_loops),
		T(test_expansion_blowup),
		T(test_detect),
		T(test_self_and_allow),
		T(test_cyrus_mech_list),
		T(test_many_networks),
		T(test_plan_phases),
		T(test_plan_transitions),
		T(test_plan_allow_rendering),
		T(test_plan_duplicate_allow),
		T(test_plan_master_override),
		T(test_plan_equivalent_lists),
		T(test_plan_old_postfix),
		T(test_plan_refused),
	};
#undef T

	return cmocka_run_group_tests_name("postfix", tests, NULL, NULL);
}
