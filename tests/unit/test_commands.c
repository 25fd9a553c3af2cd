/* test_commands - the command table's invariants, which --help, the JSON
 * listing, the man page and the completions rely on. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "commands.h"

/* check_opts - option names and keys unique; help in one voice */
static void check_opts(const struct command *c)
{
	const struct opt_spec *o, *p;

	for (o = c->opts; o != NULL && o->name != NULL; o++) {
		assert_true(strlen(o->name) > 1);
		assert_string_not_equal(o->name, "help");
		assert_int_not_equal(o->key, 'h');
		assert_true(o->key > 0);
		assert_true(o->key < OPT_LONG_ONLY ? isalnum(o->key) : 1);
		assert_non_null(o->help);
		assert_true(islower((unsigned char)o->help[0]));
		for (p = c->opts; p != o; p++) {
			assert_string_not_equal(p->name, o->name);
			assert_int_not_equal(p->key, o->key);
		}
	}
}

/* check_table - the N commands of T sorted, unique, in one voice, each
 * with an example that runs it (PROG and the name, or the name alone) */
static void check_table(const struct command *t, size_t n, const char *prog)
{
	char prefix[64];
	size_t i;

	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		if (i > 0)
			assert_true(strcmp(t[i - 1].name, t[i].name) < 0);
		assert_non_null(t[i].run);
		assert_non_null(t[i].args);
		assert_non_null(t[i].summary);
		assert_true(islower((unsigned char)t[i].summary[0]));
		assert_true(t[i].summary[strlen(t[i].summary) - 1] != '.');
		snprintf(prefix, sizeof(prefix), "%s%s%s", prog ? prog : "",
		    prog ? " " : "", t[i].name);
		assert_true(strncmp(t[i].example, prefix, strlen(prefix)) == 0);
		check_opts(&t[i]);
	}
}

static void test_table_sorted_unique_complete(void **state)
{
	size_t n;
	const struct command *t = commands_table(&n);

	(void)state;
	check_table(t, n, "relayctl");
	check_opts(commands_global());
}

static void test_find(void **state)
{
	size_t i, n;
	const struct command *t = commands_table(&n);

	(void)state;
	for (i = 0; i < n; i++)
		assert_ptr_equal(commands_find(t[i].name), &t[i]);
	assert_null(commands_find(""));
	assert_null(commands_find("hel"));
	assert_null(commands_find("helpx"));
	assert_null(commands_find("HELP"));
	assert_null(commands_find("zzz"));
	assert_null(commands_find("a"));
	assert_non_null(commands_find("help"));
	assert_non_null(commands_find("version"));
}

/* capture - what FN(ARG) writes to a stream, as a malloc'd string */
static char *capture_help(const struct command *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	if (c != NULL)
		commands_help(c, fp);
	else
		commands_usage(fp);
	fclose(fp);
	return buf;
}

/* squeeze - S with every run of blanks and newlines made one space */
static char *squeeze(char *s)
{
	char *o = s, *p;

	for (p = s; *p != '\0'; p++)
		if (!isspace((unsigned char)*p) || (o > s && o[-1] != ' '))
			*o++ = isspace((unsigned char)*p) ? ' ' : *p;
	*o = '\0';
	return s;
}

/* the shell's own commands, as the table's */
static void test_shell_table(void **state)
{
	size_t n;
	const struct command *t = shell_commands(&n);

	(void)state;
	check_table(t, n, NULL);
}

static void test_help_mentions_everything(void **state)
{
	size_t i, n;
	const struct command *t = commands_table(&n);
	const struct opt_spec *o;
	char *usage = capture_help(NULL), *help, want[64];

	(void)state;
	for (i = 0; i < n; i++) {
		assert_non_null(strstr(usage, t[i].name));
		assert_non_null(strstr(usage, t[i].summary));
		help = capture_help(&t[i]);
		snprintf(want, sizeof(want), "usage: relayctl %s ", t[i].name);
		assert_true(strncmp(help, want, strlen(want)) == 0);
		squeeze(help);
		for (o = t[i].opts; o != NULL && o->name != NULL; o++) {
			char *h = strdup(o->help);
			assert_non_null(h);
			snprintf(want, sizeof(want), "--%s", o->name);
			assert_non_null(strstr(help, want));
			assert_non_null(strstr(help, squeeze(h)));	/* wrapped */
			free(h);
		}
		assert_non_null(strstr(help, "--help"));
		assert_non_null(strstr(help, t[i].example));
		free(help);
	}
	free(usage);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_sorted_unique_complete),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_help_mentions_everything),
		cmocka_unit_test(test_shell_table),
	};

	return cmocka_run_group_tests_name("commands", tests, NULL, NULL);
}
