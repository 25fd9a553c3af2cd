/* test_dlbind - functions of a shared library into a table: found, found
 * in the second library, missing (table zeroed), library missing; and the
 * audit's real tables (libcurl, OpenSSL) bind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dlbind.h"
#include "transport.h"

struct api {
	size_t (*len)(const char *);
	double (*root)(double);
};

static void test_bind(void **state)
{
	static const char *const libs[] = { "libc.so.6", "libm.so.6", NULL };
	static const struct dl_sym syms[] = {
		{ "strlen", offsetof(struct api, len) },
		{ "sqrt", offsetof(struct api, root) },	/* in the second */
	};
	static const struct dl_sym missing[] = {
		{ "strlen", offsetof(struct api, len) },
		{ "no_such_function_at_all", offsetof(struct api, root) },
	};
	static const char *const nolib[] = { "libno-such-library.so.9", NULL };
	struct api a;

	(void)state;
	memset(&a, 0, sizeof(a));
	assert_int_equal(dl_bind(libs, syms, 2, &a, sizeof(a)), 0);
	assert_int_equal(a.len("relay"), 5);
	assert_true(a.root(16.0) == 4.0);
	assert_int_equal(dl_bind(libs, missing, 2, &a, sizeof(a)), -1);
	assert_null(a.len);	/* zeroed: nothing half-bound */
	assert_int_equal(dl_bind(nolib, syms, 2, &a, sizeof(a)), -1);
	assert_null(a.root);
}

static void test_audit_tables(void **state)
{
	(void)state;
	/* libcurl and OpenSSL, every function the audit calls */
	assert_int_equal(transport_global_init(), RELAY_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_audit_tables),
	};

	return cmocka_run_group_tests_name("dlbind", tests, NULL, NULL);
}
