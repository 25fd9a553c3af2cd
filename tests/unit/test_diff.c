/* test_diff - unified diffs: exact output for small cases (as diff -u
 * prints them) and, for many random edits of a long text, that applying
 * the diff to the old text gives the new one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diff.h"

static char *run(const char *a, const char *b)
{
	char *out = NULL;

	assert_int_equal(diff_unified(a, strlen(a), b, strlen(b), "a", "b", &out),
	    RELAY_OK);
	assert_non_null(out);
	return out;
}

static const struct {
	const char *a, *b, *want;
} cases[] = {
	{ "x\n", "x\n", "" },
	{ "", "", "" },
	{ "a\nb\nc\n", "a\nB\nc\n",
	  "--- a\n+++ b\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n" },
	{ "", "new\n", "--- a\n+++ b\n@@ -0,0 +1 @@\n+new\n" },
	{ "old\n", "", "--- a\n+++ b\n@@ -1 +0,0 @@\n-old\n" },
	{ "a\n", "a\nb = 1\n", "--- a\n+++ b\n@@ -1 +1,2 @@\n a\n+b = 1\n" },
	{ "a\nb", "a\nb\n",
	  "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n" },
	/* two changes 8 lines apart: two hunks */
	{ "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "X\n2\n3\n4\n5\n6\n7\n8\n9\nY\n",
	  "--- a\n+++ b\n@@ -1,4 +1,4 @@\n-1\n+X\n 2\n 3\n 4\n"
	  "@@ -7,4 +7,4 @@\n 7\n 8\n 9\n-10\n+Y\n" },
	/* 6 equal lines between: one hunk */
	{ "1\n2\n3\n4\n5\n6\n7\n8\n", "X\n2\n3\n4\n5\n6\n7\nY\n",
	  "--- a\n+++ b\n@@ -1,8 +1,8 @@\n-1\n+X\n 2\n 3\n 4\n 5\n 6\n 7\n-8\n+Y\n" },
};

static void test_cases(void **state)
{
	size_t i;
	char *out;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = run(cases[i].a, cases[i].b);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu:\n--got--\n%s--want--\n%s", i, out,
			    cases[i].want);
		free(out);
	}
}

/* apply - DIFF applied to OLD, as a malloc'd string */
static char *apply(const char *old, const char *diff)
{
	size_t cap = strlen(old) + strlen(diff) + 1, len = 0;
	char *res = malloc(cap), *copy = strdup(diff), *line, *save = NULL;
	const char *op = old;
	unsigned long as, ac, bs, bc, lineno = 1;

	assert_non_null(res);
	assert_non_null(copy);
	res[0] = '\0';
	line = strtok_r(copy, "\n", &save);	/* --- */
	line = strtok_r(NULL, "\n", &save);	/* +++ */
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		if (line[0] == '@') {
			char *p = line + 4;
			as = strtoul(p, &p, 10);
			ac = *p == ',' ? strtoul(p + 1, &p, 10) : 1;
			bs = strtoul(p + 2, &p, 10);
			bc = *p == ',' ? strtoul(p + 1, &p, 10) : 1;
			(void)bs;
			(void)bc;
			if (ac == 0)
				as++;
			while (lineno < as) {	/* copy unchanged lines */
				const char *nl = strchr(op, '\n');
				size_t n = nl ? (size_t)(nl - op) + 1 : strlen(op);
				memcpy(res + len, op, n);
				len += n;
				op += n;
				lineno++;
			}
			continue;
		}
		if (line[0] == '\\')
			continue;
		if (line[0] == ' ' || line[0] == '-') {
			const char *nl = strchr(op, '\n');
			size_t n = nl ? (size_t)(nl - op) + 1 : strlen(op);
			assert_true(strncmp(op, line + 1, n - (nl != NULL)) == 0);
			if (line[0] == ' ') {
				memcpy(res + len, op, n);
				len += n;
			}
			op += n;
			lineno++;
		} else if (line[0] == '+') {
			size_t n = strlen(line + 1);
			memcpy(res + len, line + 1, n);
			len += n;
			res[len++] = '\n';
		}
	}
	memcpy(res + len, op, strlen(op) + 1);
	free(copy);
	return res;
}

static void test_random_edits_apply(void **state)
{
	char *a, *b, *out, *got;
	size_t n = 2000, i, len;
	int round;
	unsigned seed = 12345;

	(void)state;
	for (round = 0; round < 40; round++) {
		a = malloc(n * 16);
		b = malloc(n * 32);
		assert_non_null(a);
		assert_non_null(b);
		a[0] = b[0] = '\0';
		len = 0;
		for (i = 0; i < n; i++)
			len += (size_t)sprintf(a + len, "line %zu\n", i % 97);
		len = 0;
		for (i = 0; i < n; i++) {
			unsigned r = (seed = seed * 1103515245u + 12345u) >> 16;
			if (r % 50 == 0)
				continue;	/* deleted */
			if (r % 50 == 1)
				len += (size_t)sprintf(b + len, "new %u\n", r);
			len += (size_t)sprintf(b + len, "line %zu\n", i % 97);
			if (r % 50 == 2)
				len += (size_t)sprintf(b + len, "added %u\n", r);
		}
		out = run(a, b);
		got = apply(a, out);
		assert_string_equal(got, b);
		free(got);
		free(out);
		free(a);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_random_edits_apply),
	};

	return cmocka_run_group_tests_name("diff", tests, NULL, NULL);
}
