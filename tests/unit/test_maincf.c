/* test_maincf - the main.cf parser against a table of inputs (one case per
 * rule of postconf(5)/readlline), the editor against a table of edits, and
 * the round trip over tests/fixtures: parse, set, render, parse again gives
 * the new values and every untouched line byte for byte, in order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "maincf.h"

static const char *const fixtures[] = {
	"tests/fixtures/debian/main.cf",
	"tests/fixtures/messy/main.cf",
};


/* trace - "name=value@first-last" per entry ("*" when overridden), " | "
 * between them; then " W" and "line:msg" per warning */
static void trace(const struct maincf *cf, char *out, size_t sz)
{
	const struct maincf_entry *e;
	const struct maincf_warning *w;
	size_t i, n;

	out[0] = '\0';
	e = maincf_entries(cf, &n);
	for (i = 0; i < n; i++)
		cat(out, sz, "%s%s=%s@%u-%u%s", i ? " | " : "", e[i].name,
		    e[i].value, e[i].line, e[i].last_line,
		    e[i].overridden ? "*" : "");
	w = maincf_warnings(cf, &n);
	for (i = 0; i < n; i++)
		cat(out, sz, " W%u:%s", w[i].line, w[i].msg);
}

/* Parse cases: WANT is the trace, or "ERR@line" for RELAY_EINVAL. */
static const struct {
	const char *what, *in;
	size_t len;		/* 0: strlen(in) */
	const char *want;
} parse_cases[] = {
	{ "empty file", "", 0, "" },
	{ "only comments and blanks", "# a\n\n   \n\t# b\n", 0, "" },
	{ "one line", "a = b\n", 0, "a=b@1-1" },
	{ "no spaces", "a=b\n", 0, "a=b@1-1" },
	{ "last line without newline", "a = 1\nb = 2", 0,
	  "a=1@1-1 | b=2@2-2" },
	{ "tab continuation", "a = x,\n\ty\n", 0, "a=x,\ty@1-2" },
	{ "space continuation", "a = x,\n  y\nb = c\n", 0,
	  "a=x,  y@1-2 | b=c@3-3" },
	{ "blank line inside continuation", "a=x,\n\n y\n", 0,
	  "a=x, y@1-3" },
	{ "whitespace line inside continuation", "a=x,\n \t \n y\n", 0,
	  "a=x, y@1-3" },
	{ "comment inside continuation", "a=x,\n#c\n y\n", 0,
	  "a=x, y@1-3" },
	{ "indented comment inside continuation", "a=x,\n   # c\n y\nb=1\n", 0,
	  "a=x, y@1-3 | b=1@4-4" },
	{ "trailing comment is not part of the entry", "a=x\n y\n# c\n\nb=1\n",
	  0, "a=x y@1-2 | b=1@5-5" },
	{ "name on one line, = on the next", "foo\n = x\n", 0, "foo=x@1-2" },
	{ "orphan continuation: warned once, skipped",
	  "  x = 1\n\ty\n# c\nb = c\n", 0,
	  "b=c@4-4 W1:logical line must not start with whitespace" },
	{ "orphan after leading comments", "# c\n\n  x\nb=c", 0,
	  "b=c@4-4 W3:logical line must not start with whitespace" },
	{ "# in the middle of a value is kept",
	  "mynetworks = 127.0.0.0/8 # x\n", 0,
	  "mynetworks=127.0.0.0/8 # x@1-1" },
	{ "# right after =", "a =#x\n", 0, "a=#x@1-1" },
	{ "split at the first =", "a = b=c = d\n", 0, "a=b=c = d@1-1" },
	{ "trim around name and value", "a \t=\t b  c \t\n", 0,
	  "a=b  c@1-1" },
	{ "empty value", "a =\nb=\t\nc = \n", 0,
	  "a=@1-1 | b=@2-2 | c=@3-3" },
	{ "CR before = is whitespace", "a\r= b\n", 0, "a=b@1-1" },
	{ "a CR inside a value becomes a space", "a = x,\r\r\n y\rz\r\n", 0,
	  "a=x,  y z@1-2" },
	{ "names are case-sensitive", "Myhostname = a\nmyhostname = b\n", 0,
	  "Myhostname=a@1-1 | myhostname=b@2-2" },
	{ "names need not be known", "x-y.z = 1\n", 0, "x-y.z=1@1-1" },
	{ "duplicate: last wins", "a = 1\nb = 2\na = 3\n", 0,
	  "a=1@1-1* | b=2@2-2 | a=3@3-3 W3:overriding earlier entry" },
	{ "three times, warnings in line order",
	  "a=1\nb=1\nb=2\na=2\na=3\n", 0,
	  "a=1@1-1* | b=1@2-2* | b=2@3-3 | a=2@4-4* | a=3@5-5 "
	  "W3:overriding earlier entry W4:overriding earlier entry "
	  "W5:overriding earlier entry" },
	{ "CRLF", "a = x,\r\n\ty\r\n\r\nb = c\r\n", 0,
	  "a=x,\ty@1-2 | b=c@4-4" },
	{ "CRLF, last line without newline", "a = 1\r\nb = 2\r", 0,
	  "a=1@1-1 | b=2@2-2" },
	{ "mixed line ends", "a = 1\nb = 2\r\nc = 3\n", 0,
	  "a=1@1-1 | b=2@2-2 | c=3@3-3" },
	{ "missing =", "a = 1\nfoo bar\n", 0, "ERR@2" },
	{ "missing = without value", "a = 1\n\nfoo\n", 0, "ERR@3" },
	{ "missing =, continued", "a=1\n# c\nbad value\n  more = x\n", 0,
	  "ERR@3" },
	{ "name with a space", "my host = x\n", 0, "ERR@1" },
	{ "name with a form feed", "my\fhost = x\n", 0, "ERR@1" },
	{ "missing name", "a=1\n= x\n", 0, "ERR@2" },
	{ "NUL byte", "a = b\nc = d\0e\n", 12, "ERR@2" },
	{ "NUL byte in a comment", "# \0\n", 4, "ERR@1" },
};

static void test_parse(void **state)
{
	char out[1024], want[1024];
	struct maincf *cf;
	struct maincf_diag diag;
	enum relay_err err;
	size_t i, len;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		len = parse_cases[i].len ? parse_cases[i].len :
		    strlen(parse_cases[i].in);
		cf = NULL;
		err = maincf_parse(parse_cases[i].in, len, &cf, &diag);
		if (err == RELAY_OK) {
			trace(cf, out, sizeof(out));
			maincf_free(cf);
		} else {
			assert_int_equal(err, RELAY_EINVAL);
			assert_null(cf);
			snprintf(out, sizeof(out), "ERR@%u", diag.line);
			snprintf(want, sizeof(want), "line %u: ", diag.line);
			if (strncmp(diag.msg, want, strlen(want)) != 0)
				bad += report("%s: diag \"%s\" does not start with "
				    "\"%s\"\n", parse_cases[i].what, diag.msg, want);
		}
		if (strcmp(out, parse_cases[i].want) != 0)
			bad += report("%s: got \"%s\", want \"%s\"\n",
			    parse_cases[i].what, out, parse_cases[i].want);
	}
	if (bad)
		fail_msg("%d parse case(s) failed", bad);
}

static void test_diag_text(void **state)
{
	struct maincf *cf = NULL;
	struct maincf_diag diag;

	(void)state;
	assert_int_equal(maincf_parse("a=1\nfoo bar\n", 12, &cf, &diag),
	    RELAY_EINVAL);
	assert_string_equal(diag.msg,
	    "line 2: missing '=' after attribute name: 'foo bar'");
	assert_int_equal(maincf_parse("= x\n", 4, &cf, &diag), RELAY_EINVAL);
	assert_string_equal(diag.msg, "line 1: missing attribute name: '= x'");
	/* A NULL diag is allowed; a good parse clears DIAG. */
	assert_int_equal(maincf_parse("x\n", 2, &cf, NULL), RELAY_EINVAL);
	assert_int_equal(maincf_parse("a=1\n", 4, &cf, &diag), RELAY_OK);
	assert_int_equal(diag.line, 0);
	assert_string_equal(diag.msg, "");
	maincf_free(cf);
	maincf_free(NULL);
}

static void test_get_find(void **state)
{
	static const char in[] = "a = 1\nb = 2\na = 3\n";
	const struct maincf_entry *e;
	struct maincf *cf;

	(void)state;
	assert_int_equal(maincf_parse(in, strlen(in), &cf, NULL), RELAY_OK);
	assert_string_equal(maincf_get(cf, "a"), "3");
	assert_null(maincf_get(cf, "A"));
	assert_null(maincf_get(cf, "c"));
	e = maincf_find(cf, "a");
	assert_non_null(e);
	assert_int_equal(e->line, 3);
	assert_false(e->overridden);
	assert_null(maincf_find(cf, "c"));
	/* Staged values are visible to get, not to find. */
	assert_int_equal(maincf_set(cf, "a", "9"), RELAY_OK);
	assert_int_equal(maincf_set(cf, "c", "new"), RELAY_OK);
	assert_string_equal(maincf_get(cf, "a"), "9");
	assert_string_equal(maincf_get(cf, "c"), "new");
	assert_string_equal(maincf_find(cf, "a")->value, "3");
	assert_null(maincf_find(cf, "c"));
	assert_int_equal(maincf_changed(cf), 2);
	maincf_free(cf);
}

#define MAXSET 4

/* Edit cases: SETS applied in order ({ name, value } pairs), then render. */
static const struct {
	const char *what, *in;
	const char *sets[MAXSET][2];
	size_t changed;
	const char *want;
} edit_cases[] = {
	{ "single-line, in place", "a = 1\nb = 2\nc = 3\n",
	  { { "b", "5" } }, 1, "a = 1\nb = 5\nc = 3\n" },
	{ "compact form rewritten", "# x\nb=2\n", { { "b", "5" } }, 1,
	  "# x\nb = 5\n" },
	{ "multi-line: continuations go, comments stay",
	  "a = 1\nb = x,\n  y,\n# keep\n\n\tz\nc = 3\n",
	  { { "b", "q" } }, 1, "a = 1\nb = q\n# keep\n\nc = 3\n" },
	{ "multi-line at the end, no final newline",
	  "a = 1\nb = x,\n  y", { { "b", "q" } }, 1, "a = 1\nb = q\n" },
	{ "duplicate: the last one is edited", "b = 1\na = 0\nb = 2\n",
	  { { "b", "9" } }, 1, "b = 1\na = 0\nb = 9\n" },
	{ "duplicate: same as the last value stages nothing",
	  "b = 1\nb = 2\n", { { "b", "2" } }, 0, "b = 1\nb = 2\n" },
	{ "duplicate: the earlier value is still a change",
	  "b = 1\nb = 2\n", { { "b", "1" } }, 1, "b = 1\nb = 1\n" },
	{ "new names appended in the order first set", "a = 1\n",
	  { { "z", "1" }, { "y", "2" }, { "a", "1" }, { "z", "3" } }, 2,
	  "a = 1\nz = 3\ny = 2\n" },
	{ "appended after a file without final newline", "a = 1",
	  { { "n", "2" } }, 1, "a = 1\nn = 2\n" },
	{ "appended after a trailing comment without newline", "a = 1\n# c",
	  { { "n", "2" }, { "m", "3" } }, 2, "a = 1\n# c\nn = 2\nm = 3\n" },
	{ "edit of the last line keeps it unterminated", "a = 1\nb = 2",
	  { { "b", "3" } }, 1, "a = 1\nb = 3" },
	{ "edit and append at an unterminated end", "a = 1\nb = 2",
	  { { "b", "3" }, { "c", "4" } }, 2, "a = 1\nb = 3\nc = 4\n" },
	{ "empty file", "", { { "a", "1" } }, 1, "a = 1\n" },
	{ "CRLF kept on the replaced line", "a = 1\r\nb = 2\r\n",
	  { { "b", "3" } }, 1, "a = 1\r\nb = 3\r\n" },
	{ "CRLF: appended lines end like the first line",
	  "a = 1\r\nb = 2\n", { { "c", "3" } }, 1, "a = 1\r\nb = 2\nc = 3\r\n" },
	{ "mixed line ends, each kept", "a = 1\nb = 2\r\nc = 3\n",
	  { { "b", "x" }, { "c", "y" } }, 2, "a = 1\nb = x\r\nc = y\n" },
	{ "CRLF multi-line", "a = x,\r\n  y\r\nb = 1\r\n",
	  { { "a", "z" } }, 1, "a = z\r\nb = 1\r\n" },
	{ "same value stages nothing", "a=1\nb = x,\n  y\n",
	  { { "a", "1" }, { "b", "x,  y" } }, 0, "a=1\nb = x,\n  y\n" },
	{ "set, then back: nothing staged", "a = 1\n",
	  { { "a", "2" }, { "b", "3" }, { "a", "1" } }, 1, "a = 1\nb = 3\n" },
	{ "value trimmed as postconf -e does", "a = 1\n",
	  { { "a", "  2 \t" }, { "b", " " } }, 2, "a = 2\nb = \n" },
	{ "trimmed value equal to the file's: nothing", "a = 1\n",
	  { { "a", " 1 " } }, 0, "a = 1\n" },
	{ "empty value", "relayhost = [x]:587\n", { { "relayhost", "" } }, 1,
	  "relayhost = \n" },
	{ "value with $, # and =", "a = 1\n", { { "a", "${b?{x}} # y=z" } },
	  1, "a = ${b?{x}} # y=z\n" },
	{ "orphan lines at the top are kept", "  orphan\nb = 1\n",
	  { { "b", "2" } }, 1, "  orphan\nb = 2\n" },
	{ "names are case-sensitive", "myhostname = a\n",
	  { { "Myhostname", "b" } }, 1, "myhostname = a\nMyhostname = b\n" },
};

static void test_edit(void **state)
{
	struct maincf *cf;
	char *out;
	size_t i, k, len;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(edit_cases) / sizeof(edit_cases[0]); i++) {
		assert_int_equal(maincf_parse(edit_cases[i].in,
		    strlen(edit_cases[i].in), &cf, NULL), RELAY_OK);
		for (k = 0; k < MAXSET && edit_cases[i].sets[k][0]; k++)
			assert_int_equal(maincf_set(cf, edit_cases[i].sets[k][0],
			    edit_cases[i].sets[k][1]), RELAY_OK);
		assert_int_equal(maincf_render(cf, &out, &len), RELAY_OK);
		assert_int_equal(len, strlen(out));
		if (strcmp(out, edit_cases[i].want) != 0)
			bad += report("%s: got \"%s\", want \"%s\"\n",
			    edit_cases[i].what, out, edit_cases[i].want);
		if (maincf_changed(cf) != edit_cases[i].changed)
			bad += report("%s: %zu changed, want %zu\n",
			    edit_cases[i].what,
			    maincf_changed(cf), edit_cases[i].changed);
		free(out);
		maincf_free(cf);
	}
	if (bad)
		fail_msg("%d edit case(s) failed", bad);
}

static void test_set_invalid(void **state)
{
	static const char *const names[] = {
		"", "a-b", "a b", "a=b", "a.b", "\xc3\xa9", "a\n", " a",
	};
	static const char *const values[] = {
		"x\ny", "x\rz", "\n", "x\r",
	};
	static const char in[] = "a = 1\n";
	struct maincf *cf;
	char *out;
	size_t i, len;

	(void)state;
	assert_int_equal(maincf_parse(in, strlen(in), &cf, NULL), RELAY_OK);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (maincf_set(cf, names[i], "1") != RELAY_EINVAL)
			fail_msg("name \"%s\" accepted", names[i]);
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		if (maincf_set(cf, "a", values[i]) != RELAY_EINVAL)
			fail_msg("value %zu accepted", i);
	assert_int_equal(maincf_changed(cf), 0);
	assert_string_equal(maincf_get(cf, "a"), "1");
	assert_int_equal(maincf_render(cf, &out, &len), RELAY_OK);
	assert_string_equal(out, in);
	free(out);
	/* Every name character Postfix allows. */
	assert_int_equal(maincf_set(cf, "Az_09", "1"), RELAY_OK);
	maincf_free(cf);
}

/* fold - VALUE with whitespace runs made one space, as postconf -n shows */
static void fold(const char *value, char *out, size_t sz)
{
	size_t n = 0;
	int ws = 0;

	for (; *value != '\0' && n + 2 < sz; value++) {
		if (strchr(" \t\r\v\f", *value) != NULL) {
			ws = 1;
			continue;
		}
		if (ws && n > 0)
			out[n++] = ' ';
		ws = 0;
		out[n++] = *value;
	}
	out[n] = '\0';
}

/* What postconf -c DIR -n printed for the fixtures (Postfix 3.7). */
static const struct {
	int fixture;
	const char *name, *value;
} fixture_values[] = {
	{ 0, "compatibility_level", "3.6" },
	{ 0, "smtpd_banner", "$myhostname ESMTP $mail_name (Debian/GNU)" },
	{ 0, "smtp_tls_session_cache_database",
	  "btree:${data_directory}/smtp_scache" },
	{ 0, "smtpd_relay_restrictions",
	  "permit_mynetworks permit_sasl_authenticated defer_unauth_destination" },
	{ 0, "mydestination",
	  "$myhostname, example.org, localhost.example.org, , localhost" },
	{ 0, "relayhost", "" },
	{ 0, "mynetworks", "127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128" },
	{ 0, "inet_protocols", "all" },
	{ 1, "compatibility_level", "2" },
	{ 1, "myhostname", "mx1.example.net" },
	{ 1, "mydomain", "example.net" },
	{ 1, "myorigin", "$mydomain" },
	{ 1, "mynetworks", "127.0.0.0/8, [::1]/128 192.0.2.0/24" },
	{ 1, "smtpd_relay_restrictions", "permit_mynetworks, "
	  "permit_sasl_authenticated, reject_unauth_destination" },
	{ 1, "smtpd_banner", "$myhostname ESMTP # not a comment" },
	{ 1, "relayhost", "[smarthost.example.net]:submission" },
	{ 1, "smtp_sasl_password_maps",
	  "inline:{ [smtp.example.net]:587=user:secret }" },
	{ 1, "alias_database", "$alias_maps" },
	{ 1, "mydestination", "$myhostname, localhost.$(mydomain), localhost" },
	{ 1, "smtp_tls_security_level", "${relayhost?encrypt}" },
	{ 1, "smtpd_tls_security_level", "${smtpd_tls_cert_file:none}" },
	{ 1, "smtp_helo_name", "${myhostname}" },
	{ 1, "mailbox_size_limit", "0" },
	{ 1, "smtpd_helo_restrictions",
	  "permit_mynetworks, reject_invalid_helo_hostname" },
	{ 1, "biff", "yes" },
	{ 1, "header_checks", "" },
	{ 1, "inet_interfaces", "loopback-only" },
};

static void test_fixture_values(void **state)
{
	struct maincf *cf[2];
	char *data, got[512];
	const char *v;
	size_t i, len, n;
	int bad = 0;

	(void)state;
	for (i = 0; i < 2; i++) {
		data = slurp(fixtures[i], &len);
		assert_int_equal(maincf_parse(data, len, &cf[i], NULL),
		    RELAY_OK);
		free(data);
	}
	for (i = 0; i < sizeof(fixture_values) / sizeof(fixture_values[0]);
	    i++) {
		v = maincf_get(cf[fixture_values[i].fixture],
		    fixture_values[i].name);
		if (v == NULL)
			fail_msg("%s: %s missing",
			    fixtures[fixture_values[i].fixture],
			    fixture_values[i].name);
		fold(v, got, sizeof(got));
		if (strcmp(got, fixture_values[i].value) != 0)
			bad += report("%s: %s = \"%s\", want \"%s\"\n",
			    fixtures[fixture_values[i].fixture],
			    fixture_values[i].name, got, fixture_values[i].value);
	}
	if (bad)
		fail_msg("%d fixture value(s) differ from postconf's", bad);
	/* Postfix's warnings on the messy file, at the same lines. */
	maincf_entries(cf[0], &n);
	assert_int_equal(n, 23);
	maincf_warnings(cf[0], &n);
	assert_int_equal(n, 0);
	maincf_entries(cf[1], &n);
	assert_int_equal(n, 24);
	{
		const struct maincf_warning *w = maincf_warnings(cf[1], &n);
		assert_int_equal(n, 3);
		assert_int_equal(w[0].line, 3);
		assert_int_equal(w[1].line, 25);
		assert_int_equal(w[2].line, 43);
	}
	{
		const struct maincf_entry *e = maincf_entries(cf[1], &n);
		size_t k, seen = 0;
		for (k = 0; k < n; k++) {
			if (strcmp(e[k].name, "relayhost") != 0)
				continue;
			assert_int_equal(e[k].overridden, seen == 0);
			assert_int_equal(e[k].line, seen == 0 ? 23 : 25);
			seen++;
		}
		assert_int_equal(seen, 2);
		assert_null(maincf_get(cf[1], "orphan"));
	}
	for (i = 0; i < 2; i++)
		maincf_free(cf[i]);
}

/* line_ends - DATA with every line end made "\r\n" (CRLF) or "\n" */
static char *line_ends(const char *data, size_t len, int crlf, size_t *olen)
{
	char *out = malloc(2 * len + 1);
	size_t i, n = 0;

	assert_non_null(out);
	for (i = 0; i < len; i++) {
		if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
			continue;
		if (data[i] == '\n' && crlf)
			out[n++] = '\r';
		out[n++] = data[i];
	}
	out[n] = '\0';
	*olen = n;
	return out;
}

/* CRLF files parse to the same entries as LF files (values compared
 * folded: the messy fixture has a stray CR, which is whitespace). */
static void test_crlf_same_values(void **state)
{
	struct maincf *lf, *crlf;
	const struct maincf_entry *a, *b;
	char *data, *d1, *d2, *out, fa[512], fb[512];
	size_t f, i, len, l1, l2, na, nb, olen;

	(void)state;
	for (f = 0; f < sizeof(fixtures) / sizeof(fixtures[0]); f++) {
		data = slurp(fixtures[f], &len);
		d1 = line_ends(data, len, 0, &l1);
		d2 = line_ends(data, len, 1, &l2);
		assert_int_equal(maincf_parse(d1, l1, &lf, NULL), RELAY_OK);
		assert_int_equal(maincf_parse(d2, l2, &crlf, NULL), RELAY_OK);
		a = maincf_entries(lf, &na);
		b = maincf_entries(crlf, &nb);
		assert_int_equal(na, nb);
		for (i = 0; i < na; i++) {
			assert_string_equal(a[i].name, b[i].name);
			fold(a[i].value, fa, sizeof(fa));
			fold(b[i].value, fb, sizeof(fb));
			assert_string_equal(fa, fb);
			assert_int_equal(a[i].line, b[i].line);
			assert_int_equal(a[i].last_line, b[i].last_line);
		}
		/* Appended lines follow the file's first line. */
		assert_int_equal(maincf_set(crlf, "relayctl_new", "x"), RELAY_OK);
		assert_int_equal(maincf_render(crlf, &out, &olen), RELAY_OK);
		assert_true(olen > 18);
		assert_string_equal(out + olen - 18, "relayctl_new = x\r\n");
		free(out);
		maincf_free(lf);
		maincf_free(crlf);
		free(d1);
		free(d2);
		free(data);
	}
}

/* Setting every parameter to the value it has stages nothing: the
 * rendered file is the input, byte for byte. */
static void test_fixture_noop(void **state)
{
	const struct maincf_entry *e;
	struct maincf *cf;
	char *data, *out;
	size_t f, i, n, len, olen;

	(void)state;
	for (f = 0; f < sizeof(fixtures) / sizeof(fixtures[0]); f++) {
		data = slurp(fixtures[f], &len);
		assert_int_equal(maincf_parse(data, len, &cf, NULL), RELAY_OK);
		e = maincf_entries(cf, &n);
		for (i = 0; i < n; i++)
			assert_int_equal(maincf_set(cf, e[i].name,
			    maincf_get(cf, e[i].name)), RELAY_OK);
		assert_int_equal(maincf_changed(cf), 0);
		assert_int_equal(maincf_render(cf, &out, &olen), RELAY_OK);
		assert_int_equal(olen, len);
		assert_memory_equal(out, data, len);
		free(out);
		maincf_free(cf);
		free(data);
	}
}

/* The edits of the round trip: single-line, multi-line, duplicated,
 * CRLF, unterminated last line, and new names. */
static const char *const rt_sets[][2] = {
	{ "mynetworks", "127.0.0.0/8 [::1]/128 198.51.100.0/24" },
	{ "smtpd_relay_restrictions",
	  "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination" },
	{ "relayhost", "[relay.example.com]:587" },
	{ "alias_maps", "hash:/etc/aliases, lmdb:/etc/aliases2" },
	{ "inet_interfaces", "127.0.0.1" },
	{ "smtpd_tls_auth_only", "yes" },
	{ "smtpd_helo_required", "yes" },
};

struct span {
	const char *s;
	size_t n;
};

/* split - the physical lines of DATA, line ends included; *N of them */
static struct span *split(const char *data, size_t len, size_t *n)
{
	struct span *v = calloc(len + 1, sizeof(*v));
	const char *p = data, *end = data + len, *nl;

	assert_non_null(v);
	for (*n = 0; p < end; p = nl) {
		nl = memchr(p, '\n', (size_t)(end - p));
		nl = nl != NULL ? nl + 1 : end;
		v[*n].s = p;
		v[(*n)++].n = (size_t)(nl - p);
	}
	return v;
}

/* kept - whether line L stays when its entry is edited: blank or comment */
static int kept(const struct span *l)
{
	size_t i = 0;

	while (i < l->n && l->s[i] != '\0' &&
	    strchr(" \t\r\v\f", l->s[i]) != NULL)
		i++;
	return i == l->n || l->s[i] == '\n' || l->s[i] == '#';
}

static void test_fixture_round_trip(void **state)
{
	const struct maincf_entry *e, *ed;
	struct maincf *cf, *re;
	struct span *il, *ol;
	unsigned char *edited;
	char *data, *out;
	const char *want;
	size_t f, i, k, n, len, olen, ni, no;

	(void)state;
	for (f = 0; f < sizeof(fixtures) / sizeof(fixtures[0]); f++) {
		data = slurp(fixtures[f], &len);
		assert_int_equal(maincf_parse(data, len, &cf, NULL), RELAY_OK);
		il = split(data, len, &ni);
		edited = calloc(ni + 1, 1);
		assert_non_null(edited);
		for (k = 0; k < sizeof(rt_sets) / sizeof(rt_sets[0]); k++) {
			assert_int_equal(maincf_set(cf, rt_sets[k][0],
			    rt_sets[k][1]), RELAY_OK);
			if ((ed = maincf_find(cf, rt_sets[k][0])) != NULL)
				for (i = ed->line; i <= ed->last_line; i++)
					edited[i - 1] = 1;
		}
		assert_int_equal(maincf_render(cf, &out, &olen), RELAY_OK);
		assert_int_equal(maincf_parse(out, olen, &re, NULL), RELAY_OK);
		/* The new values, and every other name as it was. */
		for (k = 0; k < sizeof(rt_sets) / sizeof(rt_sets[0]); k++)
			assert_string_equal(maincf_get(re, rt_sets[k][0]),
			    rt_sets[k][1]);
		e = maincf_entries(cf, &n);
		for (i = 0; i < n; i++) {
			for (k = 0; k < sizeof(rt_sets) / sizeof(rt_sets[0]); k++)
				if (strcmp(e[i].name, rt_sets[k][0]) == 0)
					break;
			if (k < sizeof(rt_sets) / sizeof(rt_sets[0]))
				continue;
			want = maincf_get(cf, e[i].name);
			assert_string_equal(maincf_get(re, e[i].name), want);
		}
		/* Every line of no edited entry, byte for byte, in order. */
		ol = split(out, olen, &no);
		for (i = 0, k = 0; i < ni; i++) {
			if (edited[i] && !kept(&il[i]))
				continue;
			while (k < no && (ol[k].n != il[i].n ||
			    memcmp(ol[k].s, il[i].s, il[i].n) != 0))
				k++;
			if (k == no)
				fail_msg("%s: line %zu \"%.*s\" lost or moved",
				    fixtures[f], i + 1, (int)il[i].n, il[i].s);
			k++;
		}
		/* ...and the output is those lines plus one per set. */
		for (i = 0, n = 0; i < ni; i++)
			n += !edited[i] || kept(&il[i]);
		assert_int_equal(no, n + sizeof(rt_sets) / sizeof(rt_sets[0]));
		free(ol);
		free(il);
		free(edited);
		free(out);
		maincf_free(re);
		maincf_free(cf);
		free(data);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_diag_text),
		cmocka_unit_test(test_get_find),
		cmocka_unit_test(test_edit),
		cmocka_unit_test(test_set_invalid),
		cmocka_unit_test(test_fixture_values),
		cmocka_unit_test(test_crlf_same_values),
		cmocka_unit_test(test_fixture_noop),
		cmocka_unit_test(test_fixture_round_trip),
	};

	return cmocka_run_group_tests_name("maincf", tests, NULL, NULL);
}
