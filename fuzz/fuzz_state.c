/*
 * fuzz_state - the state file (relayctl.state/1) as it may be found on
 * disk, and audit documents of any shape, through state_load() and
 * state_changes().  Properties: no crash or leak; a file that loads
 * always compares with a run, and every change names a target and a kind.
 */
#define _GNU_SOURCE		/* memfd_create */
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
		/* the file's targets as a run against itself */
		mine = json_array();
		json_array_append(mine, json_object_get(prev, "targets"));
		check(state_changes(prev, mine));
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
