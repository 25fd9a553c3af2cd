/* test_audit - the audit over the scripted fake transport: a closed
 * server, one that falls for a single trick, a refusing banner, a server
 * that hangs up mid-run, bogus AUTH accepted; never a DATA command. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit.h"
#include "transport_fake.h"

struct server {
	const char *mode;	/* "closed", "pct", "hangup", "anyauth" */
	size_t lines, data;	/* lines seen, DATA/BDAT seen */
	int authed;
};

/* respond - the fake server's policy */
static const char *respond(const char *line, void *ctx)
{
	struct server *s = ctx;

	s->lines++;
	if (strncasecmp(line, "DATA", 4) == 0 || strncasecmp(line, "BDAT", 4) == 0)
		s->data++;
	if (strcmp(s->mode, "hangup") == 0 && s->lines > 20)
		return NULL;
	if (strncmp(line, "MAIL", 4) == 0 || strncmp(line, "RSET", 4) == 0)
		return "250 2.0.0 Ok\r\n";
	if (strncmp(line, "QUIT", 4) == 0)
		return "221 2.0.0 Bye\r\n";
	if (strncmp(line, "AUTH", 4) == 0) {
		if (strcmp(s->mode, "anyauth") == 0) {
			s->authed = 1;
			return "235 2.7.0 Ok\r\n";
		}
		return "535 5.7.8 Error: authentication failed\r\n";
	}
	if (strncmp(line, "RCPT", 4) == 0) {
		if (strstr(line, "<postmaster@relayctl.test>") != NULL)
			return "250 2.1.5 Ok\r\n";
		if (strcmp(s->mode, "pct") == 0 && strchr(line, '%') != NULL)
			return "250 2.1.5 Ok\r\n";
		if (s->authed)
			return "250 2.1.5 Ok\r\n";
		return "554 5.7.1 Relay access denied\r\n";
	}
	return "502 5.5.2 Error: command not recognized\r\n";
}

/* audit - run against a fake in MODE, with BANNER */
static json_t *audit(struct server *srv, const char *banner, const char *ehlo,
    struct fake_script *sc)
{
	struct audit_opts o = { 0 };

	memset(sc, 0, sizeof(*sc));
	sc->banner = banner;
	sc->ehlo = ehlo;
	sc->respond = respond;
	sc->ctx = srv;
	o.ops = &transport_fake;
	o.conn.host = "192.0.2.25";
	o.conn.port = 25;
	o.conn.helo = "client.example";
	o.conn.connect_timeout_ms = o.conn.reply_timeout_ms = 1000;
	o.conn.ctx = sc;
	o.target = "fake";
	return audit_run(&o);
}

#define BANNER "220 mx.relayctl.test ESMTP\r\n"
#define EHLO "250-mx.relayctl.test\r\n250 PIPELINING\r\n"
#define EHLO_AUTH "250-mx.relayctl.test\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n"

/* result_of - the result of test ID in DOC */
static const char *result_of(json_t *doc, const char *id)
{
	size_t i;
	json_t *t;

	json_array_foreach(json_object_get(doc, "tests"), i, t)
		if (strcmp(json_string_value(json_object_get(t, "id")), id) == 0)
			return json_string_value(json_object_get(t, "result"));
	return "missing";
}

static void test_closed(void **state)
{
	struct server srv = { "closed", 0, 0, 0 };
	struct fake_script sc;
	json_t *d = audit(&srv, BANNER, EHLO, &sc);

	(void)state;
	assert_non_null(d);
	assert_string_equal(audit_verdict(d), "closed");
	assert_string_equal(result_of(d, "POS-POSTMASTER"), "accepted");
	assert_string_equal(result_of(d, "RLY-PLAIN-EXT"), "denied");
	assert_string_equal(json_string_value(json_object_get(json_object_get(d,
	    "server"), "local_domain")), "relayctl.test");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(d,
	    "counts"), "relayed")), 0);
	assert_int_equal(srv.data, 0);
	json_decref(d);
}

static void test_single_trick(void **state)
{
	struct server srv = { "pct", 0, 0, 0 };
	struct fake_script sc;
	json_t *d = audit(&srv, BANNER, EHLO, &sc), *f;
	size_t i;
	int found = 0;

	(void)state;
	assert_string_equal(audit_verdict(d), "open");
	assert_string_equal(result_of(d, "RLY-PCT-IP"), "relayed");
	assert_string_equal(result_of(d, "RLY-PLAIN-EXT"), "denied");
	json_array_foreach(json_object_get(d, "findings"), i, f)
		found |= strcmp(json_string_value(json_object_get(f, "id")),
		    "AUD-OPEN-RELAY") == 0;
	assert_true(found);
	assert_int_equal(srv.data, 0);
	json_decref(d);
}

static void test_refusing_banner(void **state)
{
	struct server srv = { "closed", 0, 0, 0 };
	struct fake_script sc;
	json_t *d = audit(&srv, "421 4.3.2 go away\r\n", EHLO, &sc);

	(void)state;
	assert_string_equal(audit_verdict(d), "unknown");
	assert_non_null(strstr(json_string_value(json_object_get(d, "reason")),
	    "greeted with 421"));
	json_decref(d);
}

static void test_hangup_is_unknown(void **state)
{
	struct server srv = { "hangup", 0, 0, 0 };
	struct fake_script sc;
	json_t *d = audit(&srv, BANNER, EHLO, &sc);

	(void)state;
	/* Some tests ran and none relayed, but the rest did not: unknown. */
	assert_string_equal(audit_verdict(d), "unknown");
	assert_non_null(strstr(json_string_value(json_object_get(d, "reason")),
	    "connection lost"));
	assert_string_equal(result_of(d, "RLY-BANG-PCT-LOCAL"), "untested");
	json_decref(d);
}

static void test_bogus_auth_accepted_is_open(void **state)
{
	struct server srv = { "anyauth", 0, 0, 0 };
	struct fake_script sc;
	json_t *d = audit(&srv, BANNER, EHLO_AUTH, &sc);

	(void)state;
	assert_string_equal(audit_verdict(d), "open");
	assert_string_equal(result_of(d, "AUTH-BOGUS-PLAIN"), "relayed");
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_closed),
		cmocka_unit_test(test_single_trick),
		cmocka_unit_test(test_refusing_banner),
		cmocka_unit_test(test_hangup_is_unknown),
		cmocka_unit_test(test_bogus_auth_accepted_is_open),
	};

	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
