/*
 * fuzz_state - the state file (relayctl.state/1) as it may be found on
 * disk, and audit documents of any shape, through state_load() and
 * state_changes().  Properties: no crash or leak; a file that loads
 * always compares with a run, and every change names a target and a kind.
 */
#define _GNU_SOURCE		/* memfd_create */
#undef NDEBUG			/* the asserts are the properties */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char run[] =
    "[{\"target\": \"mx1.example.org\", \"verdict\": \"open\", \"findings\":"
    " [{\"id\": \"AUD-OPEN-RELAY\", \"severity\": \"critical\"}]},"
    " {\"target\": \"mx2.example.org\", \"verdict\": \"unknown\","
    " \"reason\": \"timeout\", \"findings\": []}]";

static void check(json_t *changes)
{
	const json_t *c;
	size_t i;

	assert(changes != NULL);
	json_array_foreach(changes, i, c) {
		assert(json_is_string(json_object_get(c, "target")));
		assert(json_is_string(json_object_get(c, "change")));
	}
	json_decref(changes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64];
	json_t *prev = NULL, *all, *mine;
	struct relay_diag diag;

	if (fd < 0 && (fd = memfd_create("state", 0)) < 0)
		return 0;
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) !=
	    (ssize_t)size)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	all = json_loads(run, 0, NULL);
	assert(all != NULL);
	if (state_load(path, &prev, &diag) == RELAY_OK) {
		check(state_changes(prev, all));
		/* the file's own targets as a run: no change, but where the
		 * file holds what a run never writes (then only no crash) */
		const char *name;
		json_t *t, *doc, *ch;
		int plain = 1;
		mine = json_array();
		json_object_foreach(json_object_get(prev, "targets"), name, t) {
			doc = json_is_object(t) ? json_deep_copy(t) : json_object();
			json_object_set_new(doc, "target", json_string(name));
			plain &= json_is_object(t) && json_is_string(
			    json_object_get(t, "verdict")) &&
			    json_is_array(json_object_get(t, "findings"));
			json_array_append_new(mine, doc);
		}
		ch = state_changes(prev, mine);
		if (plain && ch != NULL && json_array_size(ch) != 0) {
			const json_t *c;
			size_t k;
			json_array_foreach(ch, k, c)	/* only finding changes of */
				assert(strstr(json_string_value(json_object_get(c,
				    "change")), "finding") != NULL);	/* odd ones */
		}
		check(ch);
		json_decref(mine);
		json_decref(prev);
	}
	/* the input as the audit documents of a run */
	if ((mine = json_loadb((const char *)data, size, 0, NULL)) != NULL) {
		if (json_is_array(mine)) {
			json_t *empty = json_pack("{s:s, s:{}}", "schema",
			    STATE_SCHEMA, "targets");
			check(state_changes(empty, mine));
			json_decref(empty);
		}
		json_decref(mine);
	}
	json_decref(all);
	return 0;
}
