/* test_state - the state file: a missing file is an empty state, a
 * foreign or broken file refused with the line, the changes between two
 * runs named exactly (first seen, newly open, fixed, unreachable,
 * reachable again, findings new and cleared, dropped), and a save that
 * creates the file 0600, replaces it whole and loads back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "testutil.h"

#include "state.h"

/* run - audit documents: NAME VERDICT [FINDING SEVERITY] per target */
static json_t *target(const char *name, const char *verdict,
    const char *finding, const char *sev)
{
	json_t *f = json_array();

	if (finding != NULL)
		json_array_append_new(f, json_pack("{s:s, s:s, s:s}", "id",
		    finding, "severity", sev, "message", "changes every run"));
	json_array_append_new(f, json_pack("{s:s, s:s}", "id", "AUD-VANTAGE-LOCAL",
	    "severity", "ok"));
	return json_pack("{s:s, s:s, s:o}", "target", name, "verdict", verdict,
	    "findings", f);
}

/* changes - the changes as "target change [from to finding]" lines */
static char *changes(const json_t *prev, const json_t *all)
{
	json_t *c = state_changes(prev, all), *x;
	static char buf[2048];
	size_t i, off = 0;

	assert_non_null(c);
	buf[0] = '\0';
	json_array_foreach(c, i, x) {
		const char *f = json_string_value(json_object_get(x, "finding"));
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s %s%s%s\n",
		    json_string_value(json_object_get(x, "target")),
		    json_string_value(json_object_get(x, "change")), f ? " " : "",
		    f ? f : "");
	}
	json_decref(c);
	return buf;
}

static void test_changes(void **state)
{
	char dir[] = "/tmp/test_state.XXXXXX", path[256];
	json_t *prev, *run1, *run2;
	struct relay_diag d = { "" };
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state.json", dir);
	assert_int_equal(state_load(path, &prev, &d), RELAY_OK);
	run1 = json_pack("[o, o, o, o, o]",
	    target("a", "closed", NULL, NULL),
	    target("b", "open", "AUD-OPEN-RELAY", "critical"),
	    target("c", "closed", "AUD-TLS-CERT", "warning"),
	    target("d", "unknown", NULL, NULL),
	    target("gone", "closed", NULL, NULL));
	assert_string_equal(changes(prev, run1), "a new-target\nb new-target\n"
	    "c new-target\nd new-target\ngone new-target\n");
	assert_int_equal(state_save(NULL, path, run1, "2026-11-29T00:00:00Z",
	    &d), RELAY_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	json_decref(prev);
	assert_int_equal(state_load(path, &prev, &d), RELAY_OK);
	/* the same run again: nothing, whatever the messages say */
	assert_string_equal(changes(prev, run1), "");
	run2 = json_pack("[o, o, o, o, o]",
	    target("a", "open", "AUD-OPEN-RELAY", "critical"),
	    target("b", "closed", NULL, NULL),
	    target("c", "unknown", NULL, NULL),
	    target("d", "closed", "AUD-TLS-CERT", "warning"),
	    target("new", "closed", NULL, NULL));
	assert_string_equal(changes(prev, run2),
	    "a newly-open\na new-finding AUD-OPEN-RELAY\n"
	    "b fixed\nb cleared-finding AUD-OPEN-RELAY\n"
	    "c unreachable\nc cleared-finding AUD-TLS-CERT\n"
	    "d reachable\nd new-finding AUD-TLS-CERT\n"
	    "new new-target\ngone dropped-target\n");
	json_decref(run2);
	/* the same ID at another severity, and a second copy of an ID */
	run2 = json_pack("[o, o, o, o, o]",
	    target("a", "closed", NULL, NULL),
	    target("b", "open", "AUD-OPEN-RELAY", "warning"),
	    target("c", "closed", "AUD-TLS-CERT", "warning"),
	    target("d", "unknown", NULL, NULL),
	    target("gone", "closed", NULL, NULL));
	json_array_append_new(json_object_get(json_array_get(run2, 2),
	    "findings"), json_pack("{s:s, s:s}", "id", "AUD-TLS-CERT",
	    "severity", "warning"));
	assert_string_equal(changes(prev, run2),
	    "b new-finding AUD-OPEN-RELAY\nb cleared-finding AUD-OPEN-RELAY\n"
	    "c new-finding AUD-TLS-CERT\n");
	json_decref(prev);
	json_decref(run1);
	json_decref(run2);
	rm_rf(dir);
}

static void test_refused(void **state)
{
	char dir[] = "/tmp/test_state.XXXXXX", path[256];
	json_t *prev = (json_t *)1;
	struct relay_diag d = { "" };
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state.json", dir);
	fp = fopen(path, "w");
	fputs("{\n  \"schema\": \"relayctl.state/1\",\n  \"targets\": [\n", fp);
	fclose(fp);
	assert_int_equal(state_load(path, &prev, &d), RELAY_EINVAL);
	assert_null(prev);
	assert_non_null(strstr(d.msg, "line 4"));
	fp = fopen(path, "w");
	fputs("{\"schema\": \"relayctl.audit/1\", \"targets\": {}}\n", fp);
	fclose(fp);
	assert_int_equal(state_load(path, &prev, &d), RELAY_EINVAL);
	assert_non_null(strstr(d.msg, "not a relayctl state file"));
	rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
