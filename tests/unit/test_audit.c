/* test_audit - the audit over the scripted fake transport: a closed
 * server, one that falls for a single trick, a refusing banner, a server
 * that hangs up mid-run, bogus AUTH accepted; batches pipelined with QUIT,
 * the same report over parallel connections, a 421 mid-batch, a refused
 * MAIL without PIPELINING; never a DATA command. */
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
	const char *mode;	/* "closed", "pct", "hangup", "anyauth", "421",
				 * "nonull" */
	size_t lines, data;	/* lines seen, DATA/BDAT seen */
	int authed;
	size_t rcpts;		/* RCPT commands seen */
	int mail_refused;	/* the last MAIL was refused */
	size_t rcpt_after_refusal;	/* RCPTs right after a refused MAIL */
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
	if (strncmp(line, "MAIL", 4) == 0 && strcmp(s->mode, "mail421") == 0)
		return "421 4.3.2 mx.relayctl.test shutting down\r\n";
	if (strncmp(line, "MAIL", 4) == 0) {
		s->mail_refused = strcmp(s->mode, "nonull") == 0 &&
		    strcmp(line, "MAIL FROM:<>") == 0;
		return s->mail_refused ? "553 5.1.8 no bounces here\r\n" :
		    "250 2.1.0 Ok\r\n";
	}
	if (strncmp(line, "RCPT", 4) == 0) {
		s->rcpts++;
		s->rcpt_after_refusal += s->mail_refused;
		if (s->mail_refused)
			return "503 5.5.1 Error: need MAIL command\r\n";
		if (strcmp(s->mode, "421") == 0 && s->rcpts == 5)
			return "421 4.7.0 mx.relayctl.test closing\r\n";
	}
	if (strncmp(line, "RSET", 4) == 0) {
		s->mail_refused = 0;
		return "250 2.0.0 Ok\r\n";
	}
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

/* audit_n - run against a fake in MODE, with BANNER, over CONNS
 * connections at once; the fake takes MAX_OPEN at once (0: any) */
static json_t *audit_nmax(struct server *srv, const char *banner,
    const char *ehlo, struct fake_script *sc, unsigned conns, size_t max_open)
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
	o.connections = conns;
	sc->max_open = max_open;
	return audit_run(&o);
}

static json_t *audit_n(struct server *srv, const char *banner,
    const char *ehlo, struct fake_script *sc, unsigned conns)
{
	return audit_nmax(srv, banner, ehlo, sc, conns, 0);
}

static json_t *audit(struct server *srv, const char *banner, const char *ehlo,
    struct fake_script *sc)
{
	return audit_n(srv, banner, ehlo, sc, 1);
}

#define BANNER "220 mx.relayctl.test ESMTP\r\n"
#define EHLO "250-mx.relayctl.test\r\n250 PIPELINING\r\n"
#define EHLO_AUTH "250-mx.relayctl.test\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n"
#define EHLO_SERIAL "250-mx.relayctl.test\r\n250 8BITMIME\r\n"

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
	struct server srv = { .mode = "closed" };
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
	struct server srv = { .mode = "pct" };
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
	struct server srv = { .mode = "closed" };
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
	struct server srv = { .mode = "hangup" };
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
	struct server srv = { .mode = "anyauth" };
	struct fake_script sc;
	json_t *d = audit(&srv, BANNER, EHLO_AUTH, &sc);

	(void)state;
	assert_string_equal(audit_verdict(d), "open");
	assert_string_equal(result_of(d, "AUTH-BOGUS-PLAIN"), "relayed");
	json_decref(d);
}

/* count - tests in DOC with RESULT (NULL: all); REFUSABLE: only those
 * the server may refuse (not for a local recipient) */
static size_t count(json_t *doc, const char *result, int refusable)
{
	size_t i, n = 0;
	json_t *t;

	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		if (result != NULL && strcmp(json_string_value(json_object_get(t,
		    "result")), result) != 0)
			continue;
		if (refusable && strcmp(json_string_value(json_object_get(t,
		    "kind")), "local") == 0)
			continue;
		n++;
	}
	return n;
}

static void test_pipelined_batches(void **state)
{
	struct server srv = { .mode = "closed" };
	struct fake_script sc;
	json_t *d = audit(&srv, BANNER, EHLO, &sc);
	size_t n = count(d, NULL, 1);

	(void)state;
	assert_string_equal(audit_verdict(d), "closed");
	/* at most 8 refusals per connection, and no more connections */
	assert_int_equal(sc.opens, (n + 7) / 8);
	/* one write per connection: the batch, QUIT included */
	assert_int_equal(sc.sends, sc.opens);
	assert_int_equal(count(d, "untested", 0), 0);
	assert_int_equal(srv.data, 0);
	json_decref(d);
}

static void test_parallel_same_report(void **state)
{
	const char *modes[] = { "closed", "pct" };
	size_t m;

	(void)state;
	for (m = 0; m < 2; m++) {
		struct server s1 = { .mode = modes[m] };
		struct server s4 = s1;
		struct fake_script sc1, sc4;
		json_t *d1 = audit_n(&s1, BANNER, EHLO, &sc1, 1);
		json_t *d4 = audit_n(&s4, BANNER, EHLO, &sc4, 4);
		assert_true(json_equal(json_object_get(d1, "tests"),
		    json_object_get(d4, "tests")));
		assert_true(json_equal(json_object_get(d1, "transcript"),
		    json_object_get(d4, "transcript")));
		assert_string_equal(audit_verdict(d1), audit_verdict(d4));
		assert_int_equal(sc1.opens, sc4.opens);
		assert_int_equal(s4.data, 0);
		json_decref(d1);
		json_decref(d4);
	}
}

static void test_421_moves_on(void **state)
{
	struct server srv = { .mode = "421" };
	struct fake_script sc;
	json_t *d = audit(&srv, BANNER, EHLO, &sc);
	size_t n = count(d, NULL, 1);

	(void)state;
	/* the test that met the 421 and those after it ran on one more
	 * connection: the 421 is no answer to the test */
	assert_int_equal(sc.opens, (n + 7) / 8 + 1);
	assert_int_equal(srv.rcpts, n + 2);	/* POS-POSTMASTER, the retry */
	assert_int_equal(count(d, "untested", 0), 0);
	assert_int_equal(count(d, "deferred", 0), 0);
	assert_true(json_is_true(json_object_get(d, "complete")));
	assert_string_equal(audit_verdict(d), "closed");
	json_decref(d);
}

static void test_serial_refused_mail(void **state)
{
	struct server srv = { .mode = "nonull" };
	struct fake_script sc;
	json_t *d = audit(&srv, BANNER, EHLO_SERIAL, &sc);

	(void)state;
	/* no RCPT after a refused MAIL, a command per write, QUIT apart */
	assert_int_equal(srv.rcpt_after_refusal, 0);
	assert_true(sc.sends > 3 * count(d, "denied", 0));
	assert_string_equal(result_of(d, "RLY-PLAIN-NULL"), "untested");
	assert_string_equal(audit_verdict(d), "closed");
	json_decref(d);
	/* pipelined, the RCPT goes out anyway; later batches are halved */
	memset(&srv, 0, sizeof(srv));
	srv.mode = "nonull";
	d = audit(&srv, BANNER, EHLO, &sc);
	assert_int_equal(srv.rcpt_after_refusal, 1);
	assert_string_equal(result_of(d, "RLY-PLAIN-NULL"), "untested");
	assert_true(sc.opens > (count(d, NULL, 1) + 7) / 8);
	json_decref(d);
}

static void test_nothing_answered_is_unknown(void **state)
{
	unsigned c;

	(void)state;
	for (c = 1; c <= 4; c *= 4) {
		struct server srv = { .mode = "mail421" };
		struct fake_script sc;
		json_t *d = audit_n(&srv, BANNER, EHLO, &sc, c);
		/* every MAIL met 421: nothing was tested, never closed */
		assert_string_equal(audit_verdict(d), "unknown");
		assert_int_equal(json_integer_value(json_object_get(
		    json_object_get(d, "counts"), "run")), 0);
		assert_non_null(strstr(json_string_value(json_object_get(d,
		    "reason")), "421"));
		assert_true(sc.opens <= 2 * c);	/* no reconnect storm */
		json_decref(d);
	}
}

static void test_busy_server_gets_fewer_connections(void **state)
{
	struct server s1 = { .mode = "closed" }, s4 = s1;
	struct fake_script sc1, sc4;
	json_t *d1 = audit_nmax(&s1, BANNER, EHLO_AUTH, &sc1, 1, 1);
	json_t *d4 = audit_nmax(&s4, BANNER, EHLO_AUTH, &sc4, 4, 1);

	(void)state;
	/* one connection at a time, else 421: the same full report */
	assert_string_equal(audit_verdict(d4), "closed");
	assert_true(json_is_true(json_object_get(d4, "complete")));
	assert_int_equal(count(d4, "untested", 0), 0);
	assert_true(json_equal(json_object_get(d1, "tests"),
	    json_object_get(d4, "tests")));
	json_decref(d1);
	json_decref(d4);
}

static void test_auth_rows_never_missing(void **state)
{
	unsigned c;

	(void)state;
	for (c = 1; c <= 4; c *= 4) {
		struct server srv = { .mode = "hangup" };
		struct fake_script sc;
		json_t *d = audit_n(&srv, BANNER, EHLO_AUTH, &sc, c);
		/* the run stopped early; the AUTH test is there, untested */
		assert_string_equal(audit_verdict(d), "unknown");
		assert_string_equal(result_of(d, "AUTH-BOGUS-PLAIN"), "untested");
		assert_string_equal(result_of(d, "AUTH-UNOFFERED-LOGIN"),
		    "untested");
		json_decref(d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_closed),
		cmocka_unit_test(test_single_trick),
		cmocka_unit_test(test_refusing_banner),
		cmocka_unit_test(test_hangup_is_unknown),
		cmocka_unit_test(test_bogus_auth_accepted_is_open),
		cmocka_unit_test(test_pipelined_batches),
		cmocka_unit_test(test_parallel_same_report),
		cmocka_unit_test(test_421_moves_on),
		cmocka_unit_test(test_serial_refused_mail),
		cmocka_unit_test(test_nothing_answered_is_unknown),
		cmocka_unit_test(test_busy_server_gets_fewer_connections),
		cmocka_unit_test(test_auth_rows_never_missing),
	};

	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
