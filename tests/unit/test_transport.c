/* test_transport - the session layer over the scripted fake transport:
 * commands and their transcript, the DATA guard, pipelining, AUTH PLAIN,
 * LOGIN and CRAM-MD5 (RFC 2195's example) with credentials redacted, a
 * server that hangs up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "transport.h"
#include "transport_fake.h"

#define BANNER "220 mx.example ESMTP\r\n"
#define EHLO "250-mx.example\r\n250-PIPELINING\r\n250 AUTH CRAM-MD5 PLAIN LOGIN\r\n"

/* open_fake - a session on SCRIPT */
static struct session *open_fake(struct fake_script *script,
    struct transport_info *info)
{
	struct transport_opts o = { "192.0.2.25", 25, TLS_NONE, NULL,
	    "client.example", 1000, 1000, 0, NULL, script };
	struct session *s = NULL;
	struct relay_diag d;

	assert_int_equal(session_open(&transport_fake, &o, &s, info, &d),
	    RELAY_OK);
	return s;
}

/* logged - the transcript as one string, lines joined by "|" */
static char *logged(const struct session *s)
{
	const struct strlist *l = session_transcript(s);
	size_t i, n = 1;
	char *out;

	for (i = 0; i < l->n; i++)
		n += strlen(l->v[i]) + 1;
	out = calloc(1, n);
	assert_non_null(out);
	for (i = 0; i < l->n; i++) {
		strcat(out, l->v[i]);
		strcat(out, "|");
	}
	return out;
}

static void test_command_and_guard(void **state)
{
	static const struct fake_step steps[] = {
		{ "MAIL FROM:<a@example.net>", "250 2.1.0 Ok\r\n" },
		{ "RCPT TO:<v@example.com>", "554 5.7.1 <v@example.com>: Relay access denied\r\n" },
		{ "QUIT", "221 2.0.0 Bye\r\n" },
	};
	struct fake_script sc = { .banner = BANNER, .ehlo = EHLO, .steps = steps, .nsteps = 3 };
	struct transport_info info;
	struct smtp_reply r;
	struct relay_diag d;
	struct session *s = open_fake(&sc, &info);
	char *log;

	(void)state;
	assert_int_equal(info.banner_code, 220);
	assert_true(info.caps.pipelining);
	assert_int_equal(session_command(s, "MAIL FROM:<a@example.net>", &r, &d), RELAY_OK);
	assert_int_equal(r.code, 250);
	smtp_reply_release(&r);
	/* DATA never leaves: refused before anything is sent. */
	assert_int_equal(session_command(s, "DATA", &r, &d), RELAY_EREFUSED);
	assert_int_equal(sc.sent_lines, 1);
	assert_int_equal(session_command(s, "RCPT TO:<v@example.com>", &r, &d), RELAY_OK);
	assert_int_equal(r.code, 554);
	assert_string_equal(r.enh, "5.7.1");
	smtp_reply_release(&r);
	log = logged(s);
	assert_non_null(strstr(log, "> MAIL FROM:<a@example.net>|< 250 2.1.0 Ok|"));
	assert_null(strstr(log, "DATA"));
	free(log);
	session_close(s);
	assert_string_equal(sc.mismatch, "");
	assert_int_equal(sc.next, 3);	/* QUIT was sent */
}

static void test_pipeline(void **state)
{
	static const struct fake_step steps[] = {
		{ "MAIL FROM:<>", "250 2.1.0 Ok\r\n" },
		{ "RCPT TO:<a@example.com>", "554 5.7.1 denied\r\n" },
		{ "RSET", "250 2.0.0 Ok\r\n" },
		{ "QUIT", "221 Bye\r\n" },
	};
	static const char *const cmds[] = { "MAIL FROM:<>",
	    "RCPT TO:<a@example.com>", "RSET" };
	static const char *const bad[] = { "MAIL FROM:<>", "DATA" };
	struct fake_script sc = { .banner = BANNER, .ehlo = EHLO, .steps = steps, .nsteps = 4 };
	struct transport_info info;
	struct smtp_reply r[3];
	struct relay_diag d;
	struct session *s = open_fake(&sc, &info);
	size_t done, i;

	(void)state;
	/* A batch with DATA in it sends nothing at all. */
	assert_int_equal(session_pipeline(s, bad, 2, r, &done, &d), RELAY_EREFUSED);
	assert_int_equal(sc.sent_lines, 0);
	assert_int_equal(session_pipeline(s, cmds, 3, r, &done, &d), RELAY_OK);
	assert_int_equal(done, 3);
	assert_int_equal(r[0].code, 250);
	assert_int_equal(r[1].code, 554);
	assert_int_equal(r[2].code, 250);
	for (i = 0; i < 3; i++)
		smtp_reply_release(&r[i]);
	session_close(s);
	assert_string_equal(sc.mismatch, "");
}

static void test_auth_plain_login_redacted(void **state)
{
	/* base64 of "\0relaytest\0s3cret", "relaytest", "s3cret" */
	static const struct fake_step steps[] = {
		{ "AUTH PLAIN AHJlbGF5dGVzdABzM2NyZXQ=", "235 2.7.0 Authentication successful\r\n" },
		{ "AUTH LOGIN", "334 VXNlcm5hbWU6\r\n" },
		{ "cmVsYXl0ZXN0", "334 UGFzc3dvcmQ6\r\n" },
		{ "czNjcmV0", "535 5.7.8 Error: authentication failed\r\n" },
		{ "MAIL FROM:<a@example.net>", "250 2.1.0 Ok\r\n" },
		{ "QUIT", "221 Bye\r\n" },
	};
	struct fake_script sc = { .banner = BANNER, .ehlo = EHLO, .steps = steps, .nsteps = 6 };
	struct transport_info info;
	struct relay_diag d;
	struct smtp_reply r;
	struct session *s = open_fake(&sc, &info);
	int code;
	char *log;

	(void)state;
	assert_int_equal(session_auth(s, "PLAIN", "relaytest", "s3cret", &code, &d), RELAY_OK);
	assert_int_equal(code, 235);
	assert_int_equal(session_auth(s, "login", "relaytest", "s3cret", &code, &d), RELAY_OK);
	assert_int_equal(code, 535);
	/* A refused AUTH leaves the session usable. */
	assert_int_equal(session_command(s, "MAIL FROM:<a@example.net>", &r, &d), RELAY_OK);
	smtp_reply_release(&r);
	log = logged(s);
	assert_non_null(strstr(log, "> AUTH PLAIN <redacted>|"));
	assert_non_null(strstr(log, "> AUTH LOGIN|< 334 VXNlcm5hbWU6|> <redacted>|"));
	assert_null(strstr(log, "s3cret"));
	assert_null(strstr(log, "czNjcmV0"));
	assert_null(strstr(log, "AHJlbGF5dGVzdABzM2NyZXQ="));
	free(log);
	session_close(s);
	assert_string_equal(sc.mismatch, "");
}

static void test_auth_cram_md5_rfc2195(void **state)
{
	static const struct fake_step steps[] = {
		{ "AUTH CRAM-MD5", "334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n" },
		{ "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw", "235 2.7.0 Ok\r\n" },
		{ "QUIT", "221 Bye\r\n" },
	};
	struct fake_script sc = { .banner = BANNER, .ehlo = EHLO, .steps = steps, .nsteps = 3 };
	struct transport_info info;
	struct relay_diag d;
	struct session *s = open_fake(&sc, &info);
	int code;
	char *log;

	(void)state;
	assert_int_equal(session_auth(s, "CRAM-MD5", "tim", "tanstaaftanstaaf",
	    &code, &d), RELAY_OK);
	assert_int_equal(code, 235);
	log = logged(s);
	assert_null(strstr(log, "dGltIGI5MTNh"));
	assert_null(strstr(log, "tanstaaf"));
	free(log);
	session_close(s);
	assert_string_equal(sc.mismatch, "");
}

static void test_unknown_mech_and_hangup(void **state)
{
	static const struct fake_step steps[] = {
		{ "<close>", "" },
	};
	struct fake_script sc = { .banner = BANNER, .ehlo = EHLO, .steps = steps, .nsteps = 1 };
	struct transport_info info;
	struct relay_diag d;
	struct smtp_reply r;
	struct session *s = open_fake(&sc, &info);
	int code;

	(void)state;
	assert_int_equal(session_auth(s, "DIGEST-MD5", "u", "p", &code, &d), RELAY_EINVAL);
	assert_non_null(strstr(d.msg, "unsupported AUTH mechanism 'DIGEST-MD5'"));
	assert_int_equal(sc.sent_lines, 0);
	assert_int_equal(session_command(s, "MAIL FROM:<>", &r, &d), RELAY_EPROTO);
	assert_non_null(strstr(d.msg, "connection closed"));
	session_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_and_guard),
		cmocka_unit_test(test_pipeline),
		cmocka_unit_test(test_auth_plain_login_redacted),
		cmocka_unit_test(test_auth_cram_md5_rfc2195),
		cmocka_unit_test(test_unknown_mech_and_hangup),
	};

	return cmocka_run_group_tests_name("transport", tests, NULL, NULL);
}
