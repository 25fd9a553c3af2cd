/*
 * strbuf - a growable string, as git's strbuf: append, then detach or
 * release.  Owns its buffer until detached.  An allocation failure is
 * remembered, later appends do nothing, and detach reports it.  Never
 * prints.
 */
#ifndef RELAY_STRBUF_H
#define RELAY_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf;		/* NUL-terminated once anything was added */
	size_t len, cap;
	int failed;		/* an allocation failed */
};

#define STRBUF_INIT { NULL, 0, 0, 0 }

/* strbuf_add - append N bytes of S (which may hold NUL bytes). */
void strbuf_add(struct strbuf *sb, const void *s, size_t n);

/* strbuf_addstr - append the string S. */
void strbuf_addstr(struct strbuf *sb, const char *s);

/*
 * strbuf_detach - the string, now the caller's to free ("" when nothing
 * was added), its length in *LEN if LEN is not NULL; NULL after a failed
 * allocation (the buffer is freed).  SB is reset either way.
 */
char *strbuf_detach(struct strbuf *sb, size_t *len);

/* strbuf_release - free the buffer and reset SB. */
void strbuf_release(struct strbuf *sb);

#endif
