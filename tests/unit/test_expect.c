/* test_expect - phase compliance over the scripted fake transport: a
 * server that behaves as phase 2 (CRAM-MD5 users and 192.0.2.77 relay)
 * judged as phases 2, 1 and 3; the cells that differ, their severities,
 * the untested cells when a vantage point is missing; never DATA. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "expect.h"
#include "transport_fake.h"

#define ALLOWED "192.0.2.77"

struct server {
	struct fake_script *sc;
	int cram;		/* a CRAM-MD5 challenge is out */
	int authed;
	size_t data;
	int hangup_allowed;
};

/* respond - phase 2: CRAM-MD5 for relaytest, the allowed host relays */
static const char *respond(const char *line, void *ctx)
{
	struct server *s = ctx;
	bool allowed = s->sc->source != NULL && strcmp(s->sc->source,
	    ALLOWED) == 0;

	if (strncasecmp(line, "DATA", 4) == 0 || strncasecmp(line, "BDAT", 4) == 0)
		s->data++;
	if (allowed && s->hangup_allowed)
		return NULL;	/* the allowed host's session breaks off */
	if (s->cram) {
		/* "relaytest <digest>" in base64 starts "cmVsYXl0ZXN0" */
		s->cram = 0;
		s->authed = strncmp(line, "cmVsYXl0ZXN0", 12) == 0;
		return s->authed ? "235 2.7.0 Authentication successful\r\n" :
		    "535 5.7.8 Error: authentication failed\r\n";
	}
	if (strncmp(line, "AUTH CRAM-MD5", 13) == 0) {
		s->cram = 1;
		return "334 PDEyMzQ1Ni42Nzg5QG14LnJlbGF5Y3RsLnRlc3Q+\r\n";
	}
	if (strncmp(line, "AUTH", 4) == 0)
		return "504 5.5.4 Unrecognized authentication type\r\n";
	if (strncmp(line, "MAIL", 4) == 0 || strncmp(line, "RSET", 4) == 0)
		return "250 2.0.0 Ok\r\n";
	if (strncmp(line, "QUIT", 4) == 0) {
		s->authed = 0;
		return "221 2.0.0 Bye\r\n";
	}
	if (strncmp(line, "RCPT", 4) == 0) {
		if (strstr(line, "@relayctl.test>") != NULL &&
		    strchr(line, '@') == strrchr(line, '@') &&
		    strstr(line, "no-such-user") == NULL &&
		    strchr(line, '%') == NULL && strchr(line, '!') == NULL &&
		    strchr(line, '"') == NULL && strstr(line, ":relaytest") == NULL)
			return "250 2.1.5 Ok\r\n";
		if (allowed || s->authed)
			return "250 2.1.5 Ok\r\n";
		return "554 5.7.1 Relay access denied\r\n";
	}
	return "502 5.5.2 Error: command not recognized\r\n";
}

#define BANNER "220 mx.relayctl.test ESMTP\r\n"
#define EHLO "250-mx.relayctl.test\r\n250-PIPELINING\r\n250 AUTH CRAM-MD5\r\n"

/* judge - expect_run against the fake as PHASE, from the outsider, the
 * allowed host (ALLOWED_SRC, may be NULL) and relaytest (USER, may be
 * NULL) */
/* setup - the fake server SRV behind SC (EHLO reply EHLO_REPLY) and the
 * options O of a check against it as PHASE */
static void setup(struct server *srv, struct fake_script *sc,
    const char *ehlo_reply, enum phase phase, struct expect_opts *o)
{
	memset(sc, 0, sizeof(*sc));
	memset(srv, 0, sizeof(*srv));
	srv->sc = sc;
	sc->banner = BANNER;
	sc->ehlo = ehlo_reply;
	sc->respond = respond;
	sc->ctx = srv;
	memset(o, 0, sizeof(*o));
	o->audit.ops = &transport_fake;
	o->audit.conn.host = "192.0.2.25";
	o->audit.conn.port = 25;
	o->audit.conn.helo = "client.example";
	o->audit.conn.connect_timeout_ms = o->audit.conn.reply_timeout_ms = 1000;
	o->audit.conn.ctx = sc;
	o->audit.target = "fake";
	o->audit.local = "relayctl.test";
	o->phase = phase;
}

static json_t *judge(enum phase phase, const char *allowed_src,
    const char *user, struct server *srv, struct fake_script *sc)
{
	struct expect_opts o;

	setup(srv, sc, EHLO, phase, &o);
	o.audit.auth_user = user;
	o.audit.auth_pass = user != NULL ? "secret" : NULL;
	o.allowed_source = allowed_src;
	return expect_run(&o);
}

/* count - cells of DOC with STATUS */
static size_t count(const json_t *doc, const char *status)
{
	const json_t *c;
	size_t i, n = 0;

	json_array_foreach(json_object_get(json_object_get(doc, "expect"),
	    "cells"), i, c)
		n += strcmp(json_string_value(json_object_get(c, "status")),
		    status) == 0;
	return n;
}

/* cell - the cell named NAME */
static const json_t *cell(const json_t *doc, const char *name)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(doc, "expect"),
	    "cells"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "cell")), name) ==
		    0)
			return c;
	fail_msg("no cell %s", name);
	return NULL;
}

/* has - DOC has the finding ID with severity SEV */
static bool has(const json_t *doc, const char *id, const char *sev)
{
	const json_t *f;
	size_t i;

	json_array_foreach(json_object_get(doc, "findings"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "id")), id) == 0 &&
		    strcmp(json_string_value(json_object_get(f, "severity")),
		    sev) == 0)
			return true;
	return false;
}

static void test_as_expected(void **state)
{
	struct server srv;
	struct fake_script sc;
	json_t *d = judge(PHASE_2, ALLOWED, "relaytest", &srv, &sc);

	(void)state;
	assert_non_null(d);
	assert_string_equal(audit_verdict(d), "closed");
	assert_int_equal(count(d, "too-open"), 0);
	assert_int_equal(count(d, "too-closed"), 0);
	assert_int_equal(count(d, "untested"), 0);
	assert_true(count(d, "as-expected") > 60);
	assert_string_equal(json_string_value(json_object_get(cell(d,
	    "allowed/plain/RLY-PLAIN-EXT"), "observed")), "accept");
	assert_string_equal(json_string_value(json_object_get(cell(d,
	    "outsider/plain/AUTH-USER-CRAM-MD5"), "observed")), "accept");
	assert_false(has(d, "EXP-TOO-OPEN", "critical"));
	assert_int_equal(srv.data, 0);
	json_decref(d);
}

static void test_one_lower(void **state)
{
	struct server srv;
	struct fake_script sc;
	json_t *d = judge(PHASE_1, ALLOWED, "relaytest", &srv, &sc);
	const json_t *c = cell(d, "allowed/plain/RLY-PLAIN-EXT");

	(void)state;
	/* the allowed host is an outsider in phase 1: its 7 relays */
	assert_int_equal(count(d, "too-open"), 7);
	assert_int_equal(count(d, "too-closed"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "expected")),
	    "refuse");
	assert_string_equal(json_string_value(json_object_get(c, "severity")),
	    "critical");
	assert_true(has(d, "EXP-TOO-OPEN", "critical"));
	json_decref(d);
}

static void test_one_higher(void **state)
{
	struct server srv;
	struct fake_script sc;
	json_t *d = judge(PHASE_3, ALLOWED, "relaytest", &srv, &sc);

	(void)state;
	/* PLAIN and LOGIN neither offered nor working: four cells, and the
	 * real credentials were not sent for them in clear text */
	assert_int_equal(count(d, "too-open"), 0);
	assert_int_equal(count(d, "too-closed"), 2);
	assert_string_equal(json_string_value(json_object_get(cell(d,
	    "outsider/plain/OFFER-PLAIN"), "severity")), "critical");
	assert_string_equal(json_string_value(json_object_get(cell(d,
	    "outsider/plain/OFFER-LOGIN"), "status")), "too-closed");
	assert_true(has(d, "EXP-TOO-CLOSED", "critical"));
	json_decref(d);
}

static void test_untested(void **state)
{
	struct server srv;
	struct fake_script sc;
	json_t *d = judge(PHASE_2, NULL, NULL, &srv, &sc);
	const json_t *c = cell(d, "allowed/any/RLY-PLAIN-EXT");

	(void)state;
	assert_int_equal(count(d, "untested"), 2);
	assert_string_equal(json_string_value(json_object_get(c, "status")),
	    "untested");
	assert_non_null(strstr(json_string_value(json_object_get(c, "why")),
	    "--allowed-source"));
	assert_string_equal(json_string_value(json_object_get(cell(d,
	    "outsider/any/AUTH-USER-CRAM-MD5"), "status")), "untested");
	assert_true(has(d, "EXP-UNTESTED", "ok"));
	assert_int_equal(count(d, "too-open") + count(d, "too-closed"), 0);
	json_decref(d);
}

static void test_view_failed(void **state)
{
	struct server srv;
	struct fake_script sc;
	struct expect_opts o;
	json_t *d;
	const json_t *c;

	(void)state;
	setup(&srv, &sc, EHLO, PHASE_2, &o);
	srv.hangup_allowed = 1;
	o.allowed_source = ALLOWED;
	d = expect_run(&o);
	/* the promise "the allowed host relays" is untested, not passed */
	c = cell(d, "allowed/any/RLY-PLAIN-EXT");
	assert_string_equal(json_string_value(json_object_get(c, "status")),
	    "untested");
	assert_non_null(strstr(json_string_value(json_object_get(c, "why")),
	    "did not complete"));
	assert_false(json_is_true(json_object_get(json_object_get(d, "expect"),
	    "complete")));
	json_decref(d);
}

static void test_starttls_not_used(void **state)
{
	struct server srv;
	struct fake_script sc;
	struct expect_opts o;
	json_t *d;

	(void)state;
	setup(&srv, &sc, "250-mx.relayctl.test\r\n250-STARTTLS\r\n250 AUTH "
	    "CRAM-MD5\r\n", PHASE_3_TLS, &o);
	o.audit.conn.tls = TLS_NONE;
	d = expect_run(&o);
	/* STARTTLS offered but not used: the TLS side is unseen, not a
	 * broken promise */
	assert_string_equal(json_string_value(json_object_get(cell(d,
	    "outsider/plain/OFFER-STARTTLS"), "status")), "untested");
	assert_int_equal(count(d, "too-closed"), 0);
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_as_expected),
		cmocka_unit_test(test_one_lower),
		cmocka_unit_test(test_one_higher),
		cmocka_unit_test(test_untested),
		cmocka_unit_test(test_view_failed),
		cmocka_unit_test(test_starttls_not_used),
	};

	return cmocka_run_group_tests_name("expect", tests, NULL, NULL);
}
