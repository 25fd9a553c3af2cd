/* test_opt - the option parser against a table of argument vectors:
 * long and short forms, inline and separate arguments, clusters, "--",
 * operands between options, and every error naming the offending text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "commands.h"
#include "opt.h"

enum { K_JSON = OPT_LONG_ONLY, K_ALLOW };

static const struct opt_spec opts[] = {
	{ "json", K_JSON, NULL, "json", NULL },
	{ "allow", K_ALLOW, "CIDR", "allow", NULL },
	{ "quiet", 'q', NULL, "quiet", NULL },
	{ "verbose", 'v', NULL, "verbose", NULL },
	{ "source", 's', "ADDR", "source", NULL },
	COLOR_OPT,
	{ 0 }
};

static const struct command cmd = {
	"probe", NULL, "[options] HOST", "test", opts, "relayctl probe x", NULL
};

/* run - parse ARGS (space separated, argv[0] included) into a trace like
 * "json allow=1.2.3.0/24 q | ops: a b" or "ERROR: ..." or "HELP" */
static void run(const char *args, char *out, size_t outlen)
{
	char buf[256], *argv[32], *operands[32], *p, *save = NULL;
	struct opt_state st;
	const struct opt_spec *o;
	int argc = 0, c, i;
	size_t len = 0;

	snprintf(buf, sizeof(buf), "%s", args);
	for (p = strtok_r(buf, " ", &save); p != NULL;
	    p = strtok_r(NULL, " ", &save))
		argv[argc++] = p;
	argv[argc] = NULL;
	out[0] = '\0';
	opt_init(&st, &cmd, argc, argv, operands);
	while ((c = opt_next(&st)) > 0) {
		for (o = opts; o->name != NULL && o->key != c; o++)
			;
		assert_non_null(o->name);
		len += (size_t)snprintf(out + len, outlen - len, "%s%s%s ",
		    o->name, st.arg ? "=" : "", st.arg ? st.arg : "");
	}
	if (c == OPT_HELP) {
		snprintf(out, outlen, "HELP");
		return;
	}
	if (c == OPT_ERROR) {
		snprintf(out, outlen, "ERROR: %s", st.err);
		return;
	}
	len += (size_t)snprintf(out + len, outlen - len, "| ops:");
	for (i = 0; i < st.noperands; i++)
		len += (size_t)snprintf(out + len, outlen - len, " %s",
		    st.operands[i]);
}

static const struct {
	const char *args, *want;
} cases[] = {
	{ "probe", "| ops:" },
	{ "probe mx1", "| ops: mx1" },
	{ "probe --color=always", "color=always | ops:" },
	{ "probe --color never x", "color=never | ops: x" },
	{ "probe --color=auto", "color=auto | ops:" },
	{ "probe --color=sometimes", "ERROR: invalid --color 'sometimes': use "
	  "auto, always or never" },
	{ "probe --color", "ERROR: option '--color' needs an argument" },
	{ "probe --json mx1", "json | ops: mx1" },
	{ "probe mx1 --json mx2", "json | ops: mx1 mx2" },
	{ "probe --allow 192.0.2.0/24", "allow=192.0.2.0/24 | ops:" },
	{ "probe --allow=192.0.2.0/24", "allow=192.0.2.0/24 | ops:" },
	{ "probe --allow= x", "allow= | ops: x" },
	{ "probe -s 127.0.0.66 h", "source=127.0.0.66 | ops: h" },
	{ "probe -s127.0.0.66 h", "source=127.0.0.66 | ops: h" },
	{ "probe -qv", "quiet verbose | ops:" },
	{ "probe -qs 127.0.0.1", "quiet source=127.0.0.1 | ops:" },
	{ "probe -qs127.0.0.1", "quiet source=127.0.0.1 | ops:" },
	{ "probe -- --json -q", "| ops: --json -q" },
	{ "probe - --json", "json | ops: -" },
	{ "probe --allow --json", "allow=--json | ops:" },
	{ "probe --help", "HELP" },
	{ "probe x -h", "HELP" },
	{ "probe -qh", "HELP" },
	{ "probe -- --help", "| ops: --help" },
	{ "probe --jsn", "ERROR: unknown option '--jsn'" },
	{ "probe --jsn=1", "ERROR: unknown option '--jsn'" },
	{ "probe --json=1", "ERROR: option '--json' takes no argument" },
	{ "probe --allow", "ERROR: option '--allow' needs an argument" },
	{ "probe -s", "ERROR: option '-s' needs an argument" },
	{ "probe -x", "ERROR: unknown option '-x'" },
	{ "probe -qx", "ERROR: unknown option '-x'" },
	{ "probe --", "| ops:" },
	{ "probe --js", "ERROR: unknown option '--js'" },
};

static void test_cases(void **state)
{
	char out[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run(cases[i].args, out, sizeof(out));
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", cases[i].args,
			    out, cases[i].want);
	}
}

static void test_stop_at_operand(void **state)
{
	char a0[] = "relayctl", a1[] = "-q", a2[] = "help", a3[] = "--json";
	char *argv[] = { a0, a1, a2, a3, NULL };
	struct opt_state st;

	(void)state;
	opt_init(&st, &cmd, 4, argv, NULL);
	st.stop_at_operand = 1;
	assert_int_equal(opt_next(&st), 'q');
	assert_int_equal(opt_next(&st), OPT_END);
	assert_int_equal(st.next, 2);
	assert_string_equal(argv[st.next], "help");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_stop_at_operand),
	};

	return cmocka_run_group_tests_name("opt", tests, NULL, NULL);
}
