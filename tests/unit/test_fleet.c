/* test_fleet - the worker pool over the fake transport: every target
 * audited once, the documents in input order whatever the finishing
 * order, the callback once per target and never twice at a time, one
 * worker or many, and the deadline leaving targets unstarted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>

#include "fleet.h"
#include "transport_fake.h"

#define N 24

/* respond - closed, except targets whose index is a multiple of 5; the
 * first targets answer slowest, so that they finish last */
static const char *respond(const char *line, void *ctx)
{
	size_t i = (size_t)(uintptr_t)ctx;
	struct timespec ts = { 0, (long)(N - i) * 20000L };

	if (strncmp(line, "MAIL", 4) == 0)
		nanosleep(&ts, NULL);
	if (strncmp(line, "RCPT", 4) == 0)
		return i % 5 == 0 || strstr(line, "postmaster@") != NULL ?
		    "250 2.1.5 Ok\r\n" : "554 5.7.1 Relay access denied\r\n";
	if (strncmp(line, "QUIT", 4) == 0)
		return "221 2.0.0 Bye\r\n";
	return "250 2.0.0 Ok\r\n";
}

struct seen {
	size_t calls, order[N];
	volatile int busy, overlap;
};

static void done(void *ctx, size_t index, json_t *doc)
{
	struct seen *s = ctx;
	struct timespec ts = { 0, 200000L };

	(void)doc;
	if (s->busy++)
		s->overlap = 1;
	/* long enough for an unserialised second call to overlap */
	nanosleep(&ts, NULL);
	s->order[s->calls++] = index;
	s->busy--;
}

static void run(unsigned jobs, long long deadline, json_t **out,
    struct seen *s)
{
	static struct fake_script sc[N];
	static struct expect_opts t[N];
	static char names[N][16];
	struct fleet_opts o = { jobs, deadline, done, s };

	if (deadline < 0)	/* already passed */
		o.deadline_ms = transport_now_ms() - 1;
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < N; i++) {
		memset(&sc[i], 0, sizeof(sc[i]));
		sc[i].banner = "220 mx.relayctl.test ESMTP\r\n";
		sc[i].ehlo = "250-mx.relayctl.test\r\n250 PIPELINING\r\n";
		sc[i].respond = respond;
		sc[i].ctx = (void *)(uintptr_t)i;
		memset(&t[i], 0, sizeof(t[i]));
		snprintf(names[i], sizeof(names[i]), "target-%zu", i);
		t[i].phase = PHASE_CUSTOM;
		t[i].audit.ops = &transport_fake;
		t[i].audit.conn.host = "192.0.2.25";
		t[i].audit.conn.port = 25;
		t[i].audit.conn.helo = "client.example";
		t[i].audit.conn.connect_timeout_ms = 1000;
		t[i].audit.conn.reply_timeout_ms = 1000;
		t[i].audit.conn.ctx = &sc[i];
		t[i].audit.target = names[i];
	}
	assert_int_equal(fleet_run(t, N, &o, out), RELAY_OK);
}

static void test_order(void **state)
{
	static const unsigned jobs[] = { 1, 4, 64 };
	struct seen s;
	json_t *out;
	size_t i, k;

	(void)state;
	for (k = 0; k < sizeof(jobs) / sizeof(jobs[0]); k++) {
		run(jobs[k], 0, &out, &s);
		assert_int_equal(json_array_size(out), N);
		assert_int_equal(s.calls, N);
		assert_false(s.overlap);
		/* every target reported once; with many workers, not in
		 * input order, yet the documents are */
		for (i = 0; i < N; i++) {
			size_t m, seen = 0;
			for (m = 0; m < N; m++)
				seen += s.order[m] == i;
			assert_int_equal(seen, 1);
		}
		if (jobs[k] > 1) {
			for (i = 1; i < N && s.order[i] > s.order[i - 1]; i++)
				;
			assert_true(i < N);	/* finished out of order */
		}
		for (i = 0; i < N; i++) {
			char name[16];
			json_t *d = json_array_get(out, i);
			snprintf(name, sizeof(name), "target-%zu", i);
			assert_string_equal(json_string_value(json_object_get(d,
			    "target")), name);
			assert_string_equal(audit_verdict(d), i % 5 == 0 ?
			    "open" : "closed");
		}
		json_decref(out);
	}
}

static void test_deadline(void **state)
{
	struct seen s;
	json_t *out, *d;

	(void)state;
	/* a deadline already gone: nothing starts, all are unknown */
	run(2, -1, &out, &s);
	assert_int_equal(json_array_size(out), N);
	d = json_array_get(out, N - 1);
	assert_string_equal(audit_verdict(d), "unknown");
	assert_non_null(strstr(json_string_value(json_object_get(d, "reason")),
	    "deadline"));
	assert_false(json_is_true(json_object_get(d, "complete")));
	json_decref(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_deadline),
	};

	return cmocka_run_group_tests_name("fleet", tests, NULL, NULL);
}
