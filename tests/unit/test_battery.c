/* test_battery - the test table: stable unique IDs, enough tests, the
 * patterns filled in for IPv4 and IPv6 targets, every command sendable,
 * and ID filtering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "battery.h"
#include "smtp.h"

static const struct battery_vars v4 = { "relaytest", "relayctl",
    "example.net", "mx.relayctl.test", "192.0.2.1", "relayctl.test" };
static const struct battery_vars v6 = { "relaytest", "relayctl",
    "example.net", "mx.relayctl.test", "2001:db8::25", "relayctl.test" };

/* find - the test called ID, or fail */
static const struct battery_test *find(const struct battery_test *t,
    size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].id, id) == 0)
			return &t[i];
	fail_msg("no test %s", id);
	return NULL;
}

static void test_table(void **state)
{
	struct battery_test *t;
	size_t n, i, j, relay = 0;
	char err[128], cmd[400];
	struct relay_diag d;

	(void)state;
	assert_int_equal(battery_build(&v4, NULL, &t, &n, err, sizeof(err)),
	    RELAY_OK);
	/* At least twice nmap's 16 tests, all of them sendable. */
	assert_true(n >= 32);
	for (i = 0; i < n; i++) {
		relay += t[i].kind == TEST_RELAY;
		assert_true(strncmp(t[i].id, "RLY-", 4) == 0 ||
		    strncmp(t[i].id, "POS-", 4) == 0 ||
		    strncmp(t[i].id, "PRB-", 4) == 0);
		for (j = 0; j < i; j++)
			assert_string_not_equal(t[i].id, t[j].id);
		snprintf(cmd, sizeof(cmd), "MAIL FROM:%s", t[i].from);
		assert_int_equal(smtp_command_ok(cmd, &d), RELAY_OK);
		snprintf(cmd, sizeof(cmd), "RCPT TO:%s", t[i].rcpt);
		assert_int_equal(smtp_command_ok(cmd, &d), RELAY_OK);
		if (strstr(t[i].id, "PCT") != NULL && strchr(t[i].rcpt, '%') == NULL)
			fail_msg("%s has no %% in %s", t[i].id, t[i].rcpt);
	}
	assert_true(relay >= n - 2);
	free(t);
}

static const struct {
	const char *id, *from, *rcpt;
} want[] = {
	{ "POS-POSTMASTER", "<relayctl@example.net>", "<postmaster@relayctl.test>" },
	{ "RLY-PLAIN-EXT", "<relayctl@example.net>", "<relaytest@example.net>" },
	{ "RLY-PLAIN-NULL", "<>", "<relaytest@example.net>" },
	{ "RLY-PLAIN-IP", "<relayctl@[192.0.2.1]>", "<relaytest@example.net>" },
	{ "RLY-PLAIN-UNQUAL", "<relayctl>", "<relaytest@example.net>" },
	{ "RLY-PCT-IP", "<relayctl@example.net>", "<relaytest%example.net@[192.0.2.1]>" },
	{ "RLY-PCT-T-LOCAL", "<relayctl@relayctl.test>", "<relaytest%example.net@relayctl.test>" },
	{ "RLY-QUOTE", "<relayctl@example.net>", "<\"relaytest@example.net\">" },
	{ "RLY-QLOC-IP", "<relayctl@example.net>", "<\"relaytest@example.net\"@[192.0.2.1]>" },
	{ "RLY-SRCRT-S", "<relayctl@example.net>", "<@mx.relayctl.test:relaytest@example.net>" },
	{ "RLY-BANG", "<relayctl@example.net>", "<example.net!relaytest>" },
	{ "RLY-TRAIL-AT", "<relayctl@example.net>", "<relaytest@example.net@>" },
	{ "RLY-UPPER", "<relayctl@example.net>", "<relaytest@EXAMPLE.NET>" },
	{ "RLY-DOT", "<relayctl@example.net>", "<relaytest@example.net.>" },
};

static void test_expansion(void **state)
{
	struct battery_test *t;
	const struct battery_test *x;
	size_t n, i;
	char err[128];

	(void)state;
	assert_int_equal(battery_build(&v4, NULL, &t, &n, err, sizeof(err)),
	    RELAY_OK);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		x = find(t, n, want[i].id);
		assert_string_equal(x->from, want[i].from);
		assert_string_equal(x->rcpt, want[i].rcpt);
	}
	assert_int_equal(find(t, n, "POS-POSTMASTER")->kind, TEST_LOCAL);
	assert_int_equal(find(t, n, "PRB-SINK")->kind, TEST_PROBE);
	assert_string_equal(find(t, n, "PRB-SINK")->rcpt,
	    "<no-such-user-7f3a9c@relayctl.test>");
	free(t);
	assert_int_equal(battery_build(&v6, NULL, &t, &n, err, sizeof(err)),
	    RELAY_OK);
	assert_string_equal(find(t, n, "RLY-PCT-IP")->rcpt,
	    "<relaytest%example.net@[IPv6:2001:db8::25]>");
	assert_string_equal(find(t, n, "RLY-PLAIN-IP")->from,
	    "<relayctl@[IPv6:2001:db8::25]>");
	free(t);
}

static void test_pattern(void **state)
{
	struct battery_test *t;
	size_t n, i;
	char err[128];

	(void)state;
	assert_int_equal(battery_build(&v4, "RLY-PCT-*", &t, &n, err,
	    sizeof(err)), RELAY_OK);
	assert_true(n >= 4);
	for (i = 0; i < n; i++)
		assert_non_null(strstr(t[i].id, "RLY-PCT-"));
	free(t);
	assert_int_equal(battery_build(&v4, "NOPE", &t, &n, err, sizeof(err)),
	    RELAY_EINVAL);
	assert_non_null(strstr(err, "no test matches 'NOPE'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_expansion),
		cmocka_unit_test(test_pattern),
	};

	return cmocka_run_group_tests_name("battery", tests, NULL, NULL);
}
