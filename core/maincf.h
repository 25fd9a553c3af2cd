/*
 * maincf - Postfix main.cf as Postfix reads it (readlline semantics) and as
 * postconf -e edits it: every byte not edited is kept.  Owns a copy of the
 * file's bytes and the parsed entries.  Never prints.
 */
#ifndef RELAY_MAINCF_H
#define RELAY_MAINCF_H

#include <stddef.h>

#include "relay_err.h"

struct maincf;

struct maincf_diag {
	unsigned line;		/* 1-based line of the problem, 0 if none */
	char msg[256];
};

/* maincf_diagf - fill DIAG (if not NULL) with LINE and a formatted
 * message; shared by the main.cf and master.cf parsers. */
void maincf_diagf(struct maincf_diag *diag, unsigned line, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* One parameter assignment, in file order. */
struct maincf_entry {
	const char *name;
	const char *value;	/* trimmed, continuation lines joined */
	unsigned line;		/* first physical line, 1-based */
	unsigned last_line;	/* last physical line of its continuation */
	int overridden;		/* a later entry assigns the same name */
};

/* One warning Postfix would also give (it does not stop parsing). */
struct maincf_warning {
	unsigned line;
	const char *msg;
};

/*
 * maincf_parse - parse LEN bytes of DATA.  Rules (postconf(5), readlline):
 * physical lines end at "\n" (a "\r" before it is whitespace); blank and
 * "#" lines are ignored and do not end a logical line; a line starting
 * with whitespace continues the previous logical line (or is skipped with
 * a warning when there is none); "#" inside a value is not a comment; the
 * name is split at the first "=", both sides trimmed; the last assignment
 * of a name wins (with a warning).  A logical line without "=" after its
 * name, or a NUL byte, is an error: RELAY_EINVAL, with DIAG (if not NULL)
 * naming the line.  On success *OUT owns a copy of DATA.
 */
enum relay_err maincf_parse(const char *data, size_t len, struct maincf **out,
    struct maincf_diag *diag);

void maincf_free(struct maincf *cf);

/* maincf_get - the value of NAME's last assignment, or NULL. Borrowed. */
const char *maincf_get(const struct maincf *cf, const char *name);

/* maincf_find - NAME's last assignment, or NULL.  Borrowed. */
const struct maincf_entry *maincf_find(const struct maincf *cf,
    const char *name);

/* maincf_entries - all assignments in file order; *N of them.  Borrowed. */
const struct maincf_entry *maincf_entries(const struct maincf *cf, size_t *n);

/* maincf_warnings - the parse warnings; *N of them.  Borrowed. */
const struct maincf_warning *maincf_warnings(const struct maincf *cf,
    size_t *n);

/*
 * maincf_set - stage "NAME = VALUE".  Rendering replaces NAME's last
 * assignment in place (its continuation lines go; comment and blank lines
 * inside it stay), or appends it after the file's end, with other new
 * names, in the order they were first set.  Setting a name to the value it
 * already has stages nothing, and setting it back to that value unstages
 * it.  VALUE is trimmed as postconf -e trims it.  RELAY_EINVAL for a bad
 * name (not [A-Za-z0-9_]) or a value with CR, LF or NUL.  Staged values
 * are visible to maincf_get().  Parsed values never contain CR: a CR that
 * does not end a line reads as a space, as Postfix treats it.
 */
enum relay_err maincf_set(struct maincf *cf, const char *name,
    const char *value);

/* maincf_changed - the number of names staged by maincf_set(). */
size_t maincf_changed(const struct maincf *cf);

/*
 * maincf_render - the file with the staged edits, in a malloc'd buffer
 * (*OUT, *LEN bytes, NUL-terminated).  Lines end as the lines they replace
 * did (a multi-line entry whose last line had no line end gets one);
 * appended lines end as the file's first line does, after a line end added
 * to a file that lacked a final one.
 */
enum relay_err maincf_render(const struct maincf *cf, char **out, size_t *len);

#endif
