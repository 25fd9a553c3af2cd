/* test_strlist - the list of owned strings: formatted appends in order,
 * copies rather than borrowed text, long strings, release and reuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "strlist.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void test_addf(void **state)
{
	static const char *const want[] = {
		"plain text", "", "phase 3-tls", "n=42 u=7 x=ff", "100%",
		"[    pad]", "-1 9223372036854775807", "a\tb\nc",
	};
	struct strlist l = { NULL, 0 };
	size_t i;
	int bad = 0;

	(void)state;
	assert_int_equal(strlist_addf(&l, "plain text"), RELAY_OK);
	assert_int_equal(strlist_addf(&l, "%s", ""), RELAY_OK);
	assert_int_equal(strlist_addf(&l, "phase %s", "3-tls"), RELAY_OK);
	assert_int_equal(strlist_addf(&l, "n=%d u=%u x=%x", 42, 7u, 255u),
	    RELAY_OK);
	assert_int_equal(strlist_addf(&l, "%d%%", 100), RELAY_OK);
	assert_int_equal(strlist_addf(&l, "[%7s]", "pad"), RELAY_OK);
	assert_int_equal(strlist_addf(&l, "%ld %lld", -1L, 9223372036854775807LL),
	    RELAY_OK);
	assert_int_equal(strlist_addf(&l, "a\tb\n%c", 'c'), RELAY_OK);
	assert_int_equal(l.n, NELEM(want));
	for (i = 0; i < NELEM(want); i++)
		if (strcmp(l.v[i], want[i]) != 0)
			bad += report("entry %zu: \"%s\", want \"%s\"\n", i,
			    l.v[i], want[i]);
	if (bad)
		fail_msg("%d entries differ", bad);
	strlist_release(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
}

static void test_owned_copies(void **state)
{
	struct strlist l = { NULL, 0 };
	char src[16];

	(void)state;
	strcpy(src, "before");
	assert_int_equal(strlist_addf(&l, "%s", src), RELAY_OK);
	strcpy(src, "after");
	assert_string_equal(l.v[0], "before");
	assert_ptr_not_equal(l.v[0], src);
	/* Each entry is its own allocation. */
	assert_int_equal(strlist_addf(&l, "%s", src), RELAY_OK);
	assert_ptr_not_equal(l.v[0], l.v[1]);
	assert_string_equal(l.v[1], "after");
	strlist_release(&l);
}

static void test_long_and_many(void **state)
{
	struct strlist l = { NULL, 0 };
	char *big;
	size_t i;

	(void)state;
	big = malloc(20001);
	assert_non_null(big);
	memset(big, 'q', 20000);
	big[20000] = '\0';
	assert_int_equal(strlist_addf(&l, "<%s>", big), RELAY_OK);
	assert_int_equal(strlen(l.v[0]), 20002);
	assert_int_equal(l.v[0][0], '<');
	assert_int_equal(l.v[0][20001], '>');
	assert_int_equal(strlist_addf(&l, "%*s", 5000, "r"), RELAY_OK);
	assert_int_equal(strlen(l.v[1]), 5000);
	free(big);
	for (i = 0; i < 500; i++)
		assert_int_equal(strlist_addf(&l, "note %zu", i), RELAY_OK);
	assert_int_equal(l.n, 502);
	assert_string_equal(l.v[2], "note 0");
	assert_string_equal(l.v[501], "note 499");
	strlist_release(&l);
}

static void test_release(void **state)
{
	struct strlist l = { NULL, 0 };

	(void)state;
	strlist_release(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
	assert_int_equal(strlist_addf(&l, "one"), RELAY_OK);
	strlist_release(&l);
	strlist_release(&l);
	/* Usable again after release. */
	assert_int_equal(strlist_addf(&l, "two %d", 2), RELAY_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "two 2");
	strlist_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addf),
		cmocka_unit_test(test_owned_copies),
		cmocka_unit_test(test_long_and_many),
		cmocka_unit_test(test_release),
	};

	return cmocka_run_group_tests_name("strlist", tests, NULL, NULL);
}
