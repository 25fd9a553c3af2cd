/* test_vcache - the version cache in a scratch directory: a value kept
 * comes back under its key only; a file or directory others could write,
 * a link, or a torn file is a miss; the key of a program changes when the
 * program is replaced; RELAYCTL_CACHE_DIR chooses or turns off the cache. */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vcache.h"

static char dir[64], cache[96], file[128];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test_vcache.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cache, sizeof(cache), "%s/home/.cache/relayctl", dir);
	snprintf(file, sizeof(file), "%s/postfix-version", cache);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_round_trip(void **state)
{
	char *v;
	struct stat st;

	(void)state;
	assert_null(vcache_get(cache, "postfix-version", "k 1"));	/* none */
	/* made with its missing parents (a user's ~/.cache) */
	vcache_put(cache, "postfix-version", "k 1", "3.7.11");
	assert_int_equal(stat(cache, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	assert_non_null(v = vcache_get(cache, "postfix-version", "k 1"));
	assert_string_equal(v, "3.7.11");
	free(v);
	/* another key, or a prefix of it, is a miss */
	assert_null(vcache_get(cache, "postfix-version", "k 2"));
	assert_null(vcache_get(cache, "postfix-version", "k"));
	/* a new value replaces the old one */
	vcache_put(cache, "postfix-version", "k 2", "3.8.0");
	assert_null(vcache_get(cache, "postfix-version", "k 1"));
	assert_non_null(v = vcache_get(cache, "postfix-version", "k 2"));
	assert_string_equal(v, "3.8.0");
	free(v);
	/* values that are not one line are not kept */
	vcache_put(cache, "postfix-version", "k 3", "3.9\n0");
	assert_null(vcache_get(cache, "postfix-version", "k 3"));
}

static void test_unsafe_is_a_miss(void **state)
{
	char link[160], *v;
	FILE *f;

	(void)state;
	vcache_put(cache, "postfix-version", "k 1", "3.7.11");
	/* a file others could write */
	assert_int_equal(chmod(file, 0664), 0);
	assert_null(vcache_get(cache, "postfix-version", "k 1"));
	assert_int_equal(chmod(file, 0644), 0);
	/* a directory others could write */
	assert_int_equal(chmod(cache, 0777), 0);
	assert_null(vcache_get(cache, "postfix-version", "k 1"));
	vcache_put(cache, "postfix-version", "k 9", "9.9");	/* nor written */
	assert_int_equal(chmod(cache, 0755), 0);
	assert_non_null(v = vcache_get(cache, "postfix-version", "k 1"));
	free(v);
	/* a link to a good file, or to a good directory */
	snprintf(link, sizeof(link), "%s/linked", cache);
	assert_int_equal(symlink(file, link), 0);
	assert_null(vcache_get(cache, "linked", "k 1"));
	snprintf(link, sizeof(link), "%s/dirlink", dir);
	assert_int_equal(symlink(cache, link), 0);
	assert_null(vcache_get(link, "postfix-version", "k 1"));
	/* a torn file: no line end */
	assert_non_null(f = fopen(file, "w"));
	fputs("k 1\t3.7", f);
	fclose(f);
	assert_null(vcache_get(cache, "postfix-version", "k 1"));
}

static void test_key_follows_the_program(void **state)
{
	char prog[128], key1[512], key2[512], path[256], *old;
	FILE *f;

	(void)state;
	snprintf(prog, sizeof(prog), "%s/postconf", dir);
	assert_non_null(f = fopen(prog, "w"));
	fputs("#!/bin/sh\necho 3.7.11\n", f);
	fclose(f);
	assert_int_equal(chmod(prog, 0755), 0);
	old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	snprintf(path, sizeof(path), "/nonexistent:%s", dir);
	setenv("PATH", path, 1);
	assert_int_equal(vcache_key("postconf", key1, sizeof(key1)), 0);
	assert_true(strncmp(key1, prog, strlen(prog)) == 0);
	/* replaced, as an upgrade does: another key */
	assert_int_equal(unlink(prog), 0);
	assert_non_null(f = fopen(prog, "w"));
	fputs("#!/bin/sh\necho 3.8.0\n", f);
	fclose(f);
	assert_int_equal(chmod(prog, 0755), 0);
	assert_int_equal(vcache_key("postconf", key2, sizeof(key2)), 0);
	assert_string_not_equal(key1, key2);
	/* not executable, or not there: no key */
	assert_int_equal(chmod(prog, 0644), 0);
	assert_int_equal(vcache_key("postconf", key2, sizeof(key2)), -1);
	assert_string_equal(key2, "");
	if (old != NULL) {
		setenv("PATH", old, 1);
		free(old);
	}
}

static void test_dir_choice(void **state)
{
	char buf[256];

	(void)state;
	setenv("RELAYCTL_CACHE_DIR", "/somewhere/else", 1);
	assert_int_equal(vcache_dir(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/somewhere/else");
	setenv("RELAYCTL_CACHE_DIR", "", 1);
	assert_int_equal(vcache_dir(buf, sizeof(buf)), -1);
	unsetenv("RELAYCTL_CACHE_DIR");
	assert_int_equal(vcache_dir(buf, sizeof(buf)), 0);
	if (geteuid() == 0)
		assert_string_equal(buf, "/var/cache/relayctl");
	else
		assert_non_null(strstr(buf, "/relayctl"));
	assert_int_equal(vcache_dir(buf, 4), -1);	/* too small */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_is_a_miss, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_key_follows_the_program,
		    setup, teardown),
		cmocka_unit_test(test_dir_choice),
	};

	return cmocka_run_group_tests_name("vcache", tests, NULL, NULL);
}
