/*
 * state - the results of the last audit run kept in a file, and what
 * changed since: a target newly open, fixed, unreachable or reachable
 * again, findings new or cleared, targets first seen or dropped.  The file
 * ("relayctl.state/1", JSON) is written as main.cf is: under a lock, to a
 * temporary file, synced, renamed.  Owns the JSON it returns.  Never
 * prints.
 */
#ifndef RELAY_STATE_H
#define RELAY_STATE_H

#include <jansson.h>

#include "relay_err.h"

#define STATE_SCHEMA "relayctl.state/1"

/*
 * state_load - the state in PATH into *OUT; a missing file is an empty
 * state.  RELAY_EINVAL (DIAG naming the line) when it is not a state file,
 * RELAY_EIO when it cannot be read.
 */
enum relay_err state_load(const char *path, json_t **out,
    struct relay_diag *diag);

/*
 * state_changes - what changed from the state PREV to the audit documents
 * ALL (in their order): an array of {target, change, from, to, finding,
 * severity, detail}, change one of "new-target", "newly-open", "fixed",
 * "unreachable", "reachable", "verdict", "new-finding",
 * "cleared-finding", "dropped-target".  Findings are compared by ID and
 * severity (a severity change is one cleared and one new), repeats
 * counted.  NULL when out of memory.
 */
json_t *state_changes(const json_t *prev, const json_t *all);

struct safefile_lock;

/*
 * state_save - the state of ALL (and WHEN, an ISO 8601 time) into PATH,
 * with LOCK (safefile_lock of PATH) held, or taken here when NULL:
 * created with mode 0600 when missing, else replaced keeping owner and
 * mode.  RELAY_EIO with DIAG on failure; the old file is then intact.
 */
enum relay_err state_save(struct safefile_lock *lock, const char *path,
    const json_t *all, const char *when, struct relay_diag *diag);

#endif
