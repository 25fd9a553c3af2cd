/* test_mastercf - the master.cf parser: the services of the Debian and the
 * messy fixture (names, types, commands, lines, -o overrides), then a table
 * of inputs for the -o forms postconf and the daemons accept, comments
 * inside a service, and the errors (short services, open braces). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "mastercf.h"


/* trace - "name/type/command@line" per service, " o:name=value@line" per
 * override, " | " between services */
static void trace(const struct mastercf *cf, char *out, size_t sz)
{
	const struct mastercf_service *s;
	size_t i, j, n;

	out[0] = '\0';
	s = mastercf_services(cf, &n);
	for (i = 0; i < n; i++) {
		cat(out, sz, "%s%s/%s/%s@%u", i ? " | " : "", s[i].name,
		    s[i].type, s[i].command, s[i].line);
		for (j = 0; j < s[i].novr; j++)
			cat(out, sz, " o:%s=%s@%u", s[i].ovr[j].name,
			    s[i].ovr[j].value, s[i].ovr[j].line);
	}
}

/* The services of master.cf.dist (Postfix 3.7, Debian 12). */
static const struct {
	const char *name, *type, *command;
	unsigned line;
} dist[] = {
	{ "smtp", "inet", "smtpd", 12 },
	{ "pickup", "unix", "pickup", 53 },
	{ "cleanup", "unix", "cleanup", 54 },
	{ "qmgr", "unix", "qmgr", 55 },
	{ "tlsmgr", "unix", "tlsmgr", 57 },
	{ "rewrite", "unix", "trivial-rewrite", 58 },
	{ "bounce", "unix", "bounce", 59 },
	{ "defer", "unix", "bounce", 60 },
	{ "trace", "unix", "bounce", 61 },
	{ "verify", "unix", "verify", 62 },
	{ "flush", "unix", "flush", 63 },
	{ "proxymap", "unix", "proxymap", 64 },
	{ "proxywrite", "unix", "proxymap", 65 },
	{ "smtp", "unix", "smtp", 66 },
	{ "relay", "unix", "smtp", 67 },
	{ "showq", "unix", "showq", 70 },
	{ "error", "unix", "error", 71 },
	{ "retry", "unix", "error", 72 },
	{ "discard", "unix", "discard", 73 },
	{ "local", "unix", "local", 74 },
	{ "virtual", "unix", "virtual", 75 },
	{ "lmtp", "unix", "lmtp", 76 },
	{ "anvil", "unix", "anvil", 77 },
	{ "scache", "unix", "scache", 78 },
	{ "postlog", "unix-dgram", "postlogd", 79 },
	{ "maildrop", "unix", "pipe", 93 },
	{ "uucp", "unix", "pipe", 125 },
	{ "ifmail", "unix", "pipe", 130 },
	{ "bsmtp", "unix", "pipe", 132 },
	{ "scalemail-backend", "unix", "pipe", 134 },
	{ "mailman", "unix", "pipe", 136 },
};

#define NDIST (sizeof(dist) / sizeof(dist[0]))

/* load - parse fixture PATH */
static struct mastercf *load(const char *path)
{
	struct mastercf *cf = NULL;
	struct maincf_diag diag;
	char *data;
	size_t len;

	data = slurp(path, &len);
	if (mastercf_parse(data, len, &cf, &diag) != RELAY_OK)
		fail_msg("%s: %s", path, diag.msg);
	free(data);
	return cf;
}

/* check_dist - services S[0..] are dist[] with lines past 34 moved by SHIFT,
 * and SKIP services (inserted at line 35) left out */
static void check_dist(const struct mastercf_service *s, size_t n,
    unsigned shift, size_t skip)
{
	size_t i, k;
	unsigned want;

	assert_int_equal(n, NDIST + skip);
	for (i = 0, k = 0; i < NDIST; i++, k++) {
		if (k == 1)
			k += skip;
		want = dist[i].line + (dist[i].line > 34 ? shift : 0);
		assert_string_equal(s[k].name, dist[i].name);
		assert_string_equal(s[k].type, dist[i].type);
		assert_string_equal(s[k].command, dist[i].command);
		assert_int_equal(s[k].line, want);
		/* Only relay has an override; pipe's "argv=... -d" is not. */
		if (strcmp(s[k].name, "relay") == 0) {
			assert_int_equal(s[k].novr, 1);
			assert_string_equal(s[k].ovr[0].name, "syslog_name");
			assert_string_equal(s[k].ovr[0].value,
			    "postfix/$service_name");
			assert_int_equal(s[k].ovr[0].line, 68 + shift);
		} else {
			assert_int_equal(s[k].novr, 0);
		}
	}
}

static void test_debian(void **state)
{
	struct mastercf *cf = load("tests/fixtures/debian/master.cf");
	const struct mastercf_service *s;
	size_t n;

	(void)state;
	s = mastercf_services(cf, &n);
	check_dist(s, n, 0, 0);
	assert_null(mastercf_override(&s[0], "syslog_name"));
	assert_non_null(mastercf_override(&s[14], "syslog_name"));
	mastercf_free(cf);
}

/* What postconf -c DIR -P printed for the messy fixture (Postfix 3.7). */
static const struct {
	size_t svc;
	const char *name, *value;
	unsigned line;
} messy_ovr[] = {
	{ 1, "syslog_name", "postfix/submission", 36 },
	{ 1, "smtpd_tls_security_level", "encrypt", 38 },
	{ 1, "smtpd_sasl_auth_enable", "yes", 39 },
	{ 1, "smtpd_relay_restrictions", "permit_sasl_authenticated,reject", 41 },
	{ 1, "smtpd_client_restrictions", "permit_sasl_authenticated, reject",
	  43 },
	{ 1, "milter_macro_daemon_name", "ORIGINATING", 44 },
	{ 2, "content_filter", "", 45 },
	{ 2, "smtpd_recipient_restrictions", "permit_mynetworks,reject", 45 },
	{ 2, "mynetworks", "127.0.0.0/8 [::1]/128", 46 },
};

static void test_messy(void **state)
{
	struct mastercf *cf = load("tests/fixtures/messy/master.cf");
	const struct mastercf_service *s;
	const struct mastercf_override *o;
	size_t i, n, k[3] = { 0, 0, 0 };

	(void)state;
	s = mastercf_services(cf, &n);
	check_dist(s, n, 12, 2);
	assert_string_equal(s[1].name, "submission");
	assert_string_equal(s[1].type, "inet");
	assert_string_equal(s[1].command, "smtpd");
	assert_int_equal(s[1].line, 35);
	assert_string_equal(s[2].name, "127.0.0.1:10025");
	assert_int_equal(s[2].line, 45);
	assert_int_equal(s[1].novr, 6);
	assert_int_equal(s[2].novr, 3);
	for (i = 0; i < sizeof(messy_ovr) / sizeof(messy_ovr[0]); i++) {
		o = &s[messy_ovr[i].svc].ovr[k[messy_ovr[i].svc]++];
		assert_string_equal(o->name, messy_ovr[i].name);
		assert_string_equal(o->value, messy_ovr[i].value);
		assert_int_equal(o->line, messy_ovr[i].line);
	}
	assert_null(mastercf_override(&s[1], "commented_out"));
	mastercf_free(cf);
}

#define SVC "x inet n - n - - smtpd"

/* Cases: WANT is the trace, or "ERR@line" for RELAY_EINVAL. */
static const struct {
	const char *what, *in;
	size_t len;		/* 0: strlen(in) */
	const char *want;
} cases[] = {
	{ "empty file", "", 0, "" },
	{ "comments only", "# x inet n - n - - smtpd\n\n", 0, "" },
	{ "eight fields", SVC "\n", 0, "x/inet/smtpd@1" },
	{ "host:port service, no final newline",
	  "127.0.0.1:2525 inet n - n - - smtpd", 0,
	  "127.0.0.1:2525/inet/smtpd@1" },
	{ "-o name=value", SVC " -o a=b\n", 0, "x/inet/smtpd@1 o:a=b@1" },
	{ "-o on continuation lines", SVC "\n  -o a=b\n\t-o c=d\n", 0,
	  "x/inet/smtpd@1 o:a=b@2 o:c=d@3" },
	{ "-o and its value on different lines", SVC " -o\n  a=b\n", 0,
	  "x/inet/smtpd@1 o:a=b@1" },
	{ "empty value, = in value", SVC " -o a= -o b=c=d\n", 0,
	  "x/inet/smtpd@1 o:a=@1 o:b=c=d@1" },
	{ "glued -oname=value (daemon getopt)", SVC " -oa=b\n", 0,
	  "x/inet/smtpd@1 o:a=b@1" },
	{ "cluster -vo", SVC " -v -vo a=b -Dvoc=d\n", 0,
	  "x/inet/smtpd@1 o:a=b@1 o:c=d@1" },
	{ "-o { name = value }", SVC
	  " -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }\n",
	  0, "x/inet/smtpd@1 o:smtpd_client_restrictions="
	  "permit_sasl_authenticated, reject@1" },
	{ "-o {name=value}, glued -o{...}", SVC " -o {a=b} -o{ c = d e }\n", 0,
	  "x/inet/smtpd@1 o:a=b@1 o:c=d e@1" },
	{ "braces across lines", SVC "\n  -o { a =\n# c\n    b }\n  -o c=d\n",
	  0, "x/inet/smtpd@1 o:a=b@2 o:c=d@5" },
	{ "braces inside a value", SVC " -o a={b c}\n", 0,
	  "x/inet/smtpd@1 o:a={b c}@1" },
	{ "comment lines inside a service", SVC
	  "\n# -o bogus=1\n  # -o bogus=2\n\n  -o a=b\n", 0,
	  "x/inet/smtpd@1 o:a=b@5" },
	{ "options end at the first non-option",
	  "p unix - n n - - pipe flags=R argv=/bin/x -o a=b\n", 0,
	  "p/unix/pipe@1" },
	{ "options end at --", SVC " -o a=b -- -o c=d\n", 0,
	  "x/inet/smtpd@1 o:a=b@1" },
	{ "several services", SVC "\n  -o a=1\ny unix - - n - - smtp\n"
	  "  -o b=2\n", 0, "x/inet/smtpd@1 o:a=1@2 | y/unix/smtp@3 o:b=2@4" },
	{ "fields across lines", "x inet n -\n  n - -\n# c\n  smtpd -o a=b\n",
	  0, "x/inet/smtpd@1 o:a=b@4" },
	{ "CRLF", SVC "\r\n  -o a=b\r\n  -o { c = d }\r\n", 0,
	  "x/inet/smtpd@1 o:a=b@2 o:c=d@3" },
	{ "orphan continuation at the top is skipped",
	  "  -o a=b\n" SVC "\n", 0, "x/inet/smtpd@2" },
	{ "seven fields", "x inet n - n - smtpd\n", 0, "ERR@1" },
	{ "seven fields, later service across lines",
	  SVC "\n# c\ny inet n -\n  n - smtpd\n", 0, "ERR@3" },
	{ "unbalanced { in an -o", SVC " -o { a = b\n", 0, "ERR@1" },
	{ "unbalanced { on a continuation line", SVC "\n  -o a=b\n  -o {c=d\n",
	  0, "ERR@3" },
	{ "unbalanced { after the options", SVC " -v foo {bar\n", 0, "ERR@1" },
	{ "unbalanced { in the fields", "x { n - n - - smtpd\n", 0, "ERR@1" },
	{ "unbalanced { as the first field", "{x inet n - n - - smtpd\n", 0,
	  "ERR@1" },
	{ "text after }", SVC " -o {a=b}c\n", 0, "ERR@1" },
	{ "-o at the end", SVC "\n  -o\n", 0, "ERR@2" },
	{ "-o name = value (separate words)", SVC " -o a = b\n", 0, "ERR@1" },
	{ "-o without a name", SVC " -o =b\n", 0, "ERR@1" },
	{ "-o {} without =", SVC " -o { a b = c }\n", 0, "ERR@1" },
	{ "NUL byte", SVC "\n" SVC "\0\n", 47, "ERR@2" },
};

static void test_cases(void **state)
{
	char out[1024], want[64];
	struct mastercf *cf;
	struct maincf_diag diag;
	enum relay_err err;
	size_t i, len;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		cf = NULL;
		err = mastercf_parse(cases[i].in, len, &cf, &diag);
		if (err == RELAY_OK) {
			trace(cf, out, sizeof(out));
			mastercf_free(cf);
		} else {
			assert_int_equal(err, RELAY_EINVAL);
			assert_null(cf);
			snprintf(out, sizeof(out), "ERR@%u", diag.line);
			snprintf(want, sizeof(want), "line %u: ", diag.line);
			if (strncmp(diag.msg, want, strlen(want)) != 0)
				bad += report("%s: diag \"%s\" does not start with "
				    "\"%s\"\n", cases[i].what, diag.msg, want);
		}
		if (strcmp(out, cases[i].want) != 0)
			bad += report("%s: got \"%s\", want \"%s\"\n", cases[i].what,
			    out, cases[i].want);
	}
	if (bad)
		fail_msg("%d case(s) failed", bad);
}

static void test_last_override_wins(void **state)
{
	static const char in[] = SVC " -o a=1 -o b=2 -o a=3\n";
	const struct mastercf_service *s;
	const struct mastercf_override *o;
	struct mastercf *cf;
	size_t n;

	(void)state;
	assert_int_equal(mastercf_parse(in, strlen(in), &cf, NULL), RELAY_OK);
	s = mastercf_services(cf, &n);
	assert_int_equal(n, 1);
	o = mastercf_override(&s[0], "a");
	assert_non_null(o);
	assert_string_equal(o->value, "3");
	assert_null(mastercf_override(&s[0], "c"));
	mastercf_free(cf);
	mastercf_free(NULL);
}

static void test_diag_text(void **state)
{
	struct mastercf *cf = NULL;
	struct maincf_diag diag;

	(void)state;
	assert_int_equal(mastercf_parse("x inet n - n - smtpd\n", 20, &cf,
	    &diag), RELAY_EINVAL);
	assert_string_equal(diag.msg, "line 1: service 'x' has 7 fields, "
	    "master.cf needs at least 8");
	assert_int_equal(mastercf_parse(SVC " -o a\n", sizeof(SVC) + 5, &cf,
	    &diag), RELAY_EINVAL);
	assert_string_equal(diag.msg, "line 1: service 'x': '-o a': "
	    "missing '=' after attribute name");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian),
		cmocka_unit_test(test_messy),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_last_override_wins),
		cmocka_unit_test(test_diag_text),
	};

	return cmocka_run_group_tests_name("mastercf", tests, NULL, NULL);
}
