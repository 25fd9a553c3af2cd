/*
 * strlist - a growable list of owned strings, for reasons, warnings and
 * notes that core/ hands up to cli/.  Owns its strings.  Never prints.
 */
#ifndef RELAY_STRLIST_H
#define RELAY_STRLIST_H

#include <stddef.h>

#include "relay_err.h"

struct strlist {
	char **v;
	size_t n;
};

/* strlist_addf - append a formatted string.  RELAY_ENOMEM on failure. */
enum relay_err strlist_addf(struct strlist *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* strlist_release - free every string and the array; reset L. */
void strlist_release(struct strlist *l);

#endif
