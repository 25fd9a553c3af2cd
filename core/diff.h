/*
 * diff - a unified diff of two texts, as diff -u prints it, for the dry
 * run of a configuration change.  Owns the text it returns.  Never prints.
 */
#ifndef RELAY_DIFF_H
#define RELAY_DIFF_H

#include <stddef.h>

#include "relay_err.h"

/*
 * diff_unified - the unified diff (3 lines of context) from A (ALEN bytes)
 * to B, with "--- LABEL_A" and "+++ LABEL_B" headers, in a malloc'd string
 * (*OUT); "" when the texts are equal.  Lines are split at "\n"; a last
 * line without one is marked "\ No newline at end of file".  Uses Myers'
 * O(ND) algorithm, so a few edits in a long file are cheap.
 */
enum relay_err diff_unified(const char *a, size_t alen, const char *b,
    size_t blen, const char *label_a, const char *label_b, char **out);

#endif
