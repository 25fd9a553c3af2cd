/* test_strbuf - the growable string: appends (NUL bytes included) against
 * a table of pieces, growth over many appends, detach of an empty and a
 * filled buffer, a remembered allocation failure, and release. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "strbuf.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct piece {
	const char *s;
	size_t n;		/* bytes of S; (size_t)-1: strbuf_addstr */
};

#define STR(s) { s, (size_t)-1 }
#define MEM(s) { s, sizeof(s) - 1 }

/* Append PIECES in order; the buffer must then hold WANT (WANTLEN bytes,
 * then a NUL). */
static const struct {
	const char *what;
	struct piece pieces[4];
	const char *want;
	size_t wantlen;
} cases[] = {
	{ "one string", { STR("abc") }, "abc", 3 },
	{ "two strings", { STR("ab"), STR("cd") }, "abcd", 4 },
	{ "empty string adds nothing", { STR("ab"), STR(""), STR("c") },
	  "abc", 3 },
	{ "NUL in the middle", { MEM("x\0y") }, "x\0y", 3 },
	{ "NUL bytes only", { MEM("\0\0") }, "\0\0", 2 },
	{ "NUL first, then text", { MEM("\0"), STR("ab") }, "\0ab", 3 },
	{ "bytes after a NUL-ended piece", { MEM("a\0"), MEM("\0b"),
	  STR("c") }, "a\0\0bc", 5 },
	{ "part of a string", { { "abcdef", 2 }, { "xyz", 1 } }, "abx", 3 },
	{ "zero bytes of text", { { "abc", 0 }, STR("d") }, "d", 1 },
};

static void test_append_table(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, k;
	int bad = 0;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		for (k = 0; k < NELEM(cases[i].pieces) &&
		    cases[i].pieces[k].s != NULL; k++) {
			if (cases[i].pieces[k].n == (size_t)-1)
				strbuf_addstr(&sb, cases[i].pieces[k].s);
			else
				strbuf_add(&sb, cases[i].pieces[k].s,
				    cases[i].pieces[k].n);
		}
		if (sb.len != cases[i].wantlen)
			bad += report("%s: len %zu, want %zu\n", cases[i].what,
			    sb.len, cases[i].wantlen);
		else if (sb.buf == NULL ||
		    memcmp(sb.buf, cases[i].want, sb.len) != 0)
			bad += report("%s: wrong bytes\n", cases[i].what);
		else if (sb.buf[sb.len] != '\0')
			bad += report("%s: not NUL-terminated\n", cases[i].what);
		if (sb.failed || sb.cap <= sb.len)
			bad += report("%s: failed %d, cap %zu, len %zu\n",
			    cases[i].what, sb.failed, sb.cap, sb.len);
		strbuf_release(&sb);
	}
	if (bad)
		fail_msg("%d append case(s) failed", bad);
}

static void test_growth(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char chunk[37], *s;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(chunk); i++)
		chunk[i] = (char)(i % 5 == 0 ? '\0' : 'a' + (int)i % 26);
	for (i = 0; i < 1000; i++) {
		strbuf_add(&sb, chunk, sizeof(chunk));
		assert_int_equal(sb.len, (i + 1) * sizeof(chunk));
		assert_true(sb.cap > sb.len);
		assert_int_equal(sb.buf[sb.len], '\0');
	}
	s = strbuf_detach(&sb, &len);
	assert_non_null(s);
	assert_int_equal(len, 1000 * sizeof(chunk));
	for (i = 0; i < 1000; i++)
		assert_memory_equal(s + i * sizeof(chunk), chunk, sizeof(chunk));
	assert_int_equal(s[len], '\0');
	free(s);
	/* One large piece at once. */
	{
		char *big = malloc(100000);
		assert_non_null(big);
		memset(big, 'z', 100000);
		strbuf_addstr(&sb, "<");
		strbuf_add(&sb, big, 100000);
		assert_int_equal(sb.len, 100001);
		assert_int_equal(sb.buf[0], '<');
		assert_int_equal(sb.buf[100000], 'z');
		assert_int_equal(sb.buf[100001], '\0');
		strbuf_release(&sb);
		free(big);
	}
}

static void test_detach(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;
	size_t len = 99;

	(void)state;
	/* Nothing added: an empty string the caller frees. */
	s = strbuf_detach(&sb, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.cap, 0);
	free(s);
	/* LEN may be NULL. */
	s = strbuf_detach(&sb, NULL);
	assert_string_equal(s, "");
	free(s);
	/* Filled: the bytes (NUL included), and SB reset for reuse. */
	strbuf_add(&sb, "a\0b", 3);
	s = strbuf_detach(&sb, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "a\0b", 4);
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.cap, 0);
	assert_int_equal(sb.failed, 0);
	strbuf_addstr(&sb, "again");
	free(s);
	s = strbuf_detach(&sb, NULL);
	assert_string_equal(s, "again");
	free(s);
}

static void test_failed(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = 99;

	(void)state;
	/* A failed allocation is remembered: later appends do nothing and
	 * detach gives NULL, frees the buffer and resets SB. */
	strbuf_addstr(&sb, "kept");
	sb.failed = 1;
	strbuf_addstr(&sb, "dropped");
	assert_int_equal(sb.len, 4);
	assert_null(strbuf_detach(&sb, &len));
	assert_int_equal(len, 0);
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.failed, 0);
	/* Failed before anything was added. */
	sb.failed = 1;
	strbuf_add(&sb, "x", 1);
	assert_null(sb.buf);
	assert_null(strbuf_detach(&sb, NULL));
	/* Release clears the failure too. */
	strbuf_addstr(&sb, "x");
	sb.failed = 1;
	strbuf_release(&sb);
	assert_int_equal(sb.failed, 0);
	strbuf_addstr(&sb, "ok");
	assert_string_equal(sb.buf, "ok");
	strbuf_release(&sb);
}

static void test_release(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	strbuf_release(&sb);
	assert_null(sb.buf);
	strbuf_add(&sb, "abc\0", 4);
	assert_int_equal(sb.len, 4);
	strbuf_release(&sb);
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.cap, 0);
	strbuf_release(&sb);
	strbuf_addstr(&sb, "new");
	assert_int_equal(sb.len, 3);
	assert_string_equal(sb.buf, "new");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_table),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_failed),
		cmocka_unit_test(test_release),
	};

	return cmocka_run_group_tests_name("strbuf", tests, NULL, NULL);
}
