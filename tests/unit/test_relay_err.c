/* test_relay_err - every error code has a distinct name and text, and
 * out-of-range codes give the documented fallbacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "relay_err.h"

static void test_every_code_named(void **state)
{
	int i, j;

	(void)state;
	for (i = 0; i < RELAY_ERR_COUNT; i++) {
		const char *name = relay_errname((enum relay_err)i);
		const char *text = relay_strerror((enum relay_err)i);

		assert_non_null(name);
		assert_true(strncmp(name, "RELAY_", 6) == 0);
		assert_string_not_equal(name, "RELAY_EUNKNOWN");
		assert_true(strlen(text) > 0);
		/* One voice: lower case start (except acronyms), no period. */
		assert_true(text[strlen(text) - 1] != '.');
		for (j = 0; j < i; j++) {
			assert_string_not_equal(name,
			    relay_errname((enum relay_err)j));
			assert_string_not_equal(text,
			    relay_strerror((enum relay_err)j));
		}
	}
}

static void test_out_of_range(void **state)
{
	(void)state;
	assert_string_equal(relay_strerror(RELAY_ERR_COUNT), "unknown error");
	assert_string_equal(relay_strerror((enum relay_err)-1), "unknown error");
	assert_string_equal(relay_errname((enum relay_err)1000),
	    "RELAY_EUNKNOWN");
}

static void test_known_texts(void **state)
{
	(void)state;
	assert_string_equal(relay_strerror(RELAY_OK), "success");
	assert_string_equal(relay_errname(RELAY_ETLS), "RELAY_ETLS");
	assert_string_equal(relay_strerror(RELAY_ECONNECT), "connection failed");
}

static const char *hook_file, *hook_msg;
static int hook_line;
static jmp_buf hook_jmp;

/* hook - record the report, and jump back instead of letting it abort */
static void hook(const char *file, int line, const char *msg)
{
	hook_file = file;
	hook_line = line;
	hook_msg = msg;
	longjmp(hook_jmp, 1);
}

static void test_bug_hook(void **state)
{
	volatile int line = 0;

	(void)state;
	relay_set_bug_hook(hook);
	if (setjmp(hook_jmp) == 0) {
		line = __LINE__ + 1;
		RELAY_BUG("broken invariant");
		fail_msg("RELAY_BUG returned");
	}
	relay_set_bug_hook(NULL);
	assert_non_null(hook_file);
	assert_non_null(strstr(hook_file, "test_relay_err.c"));
	assert_int_equal(hook_line, line);
	assert_string_equal(hook_msg, "broken invariant");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code_named),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_known_texts),
		cmocka_unit_test(test_bug_hook),
	};

	return cmocka_run_group_tests_name("relay_err", tests, NULL, NULL);
}
