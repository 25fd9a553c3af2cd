/*
 * strbuf - a growable string.
 * Owns its buffer until strbuf_detach().  Never prints.
 */
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void strbuf_add(struct strbuf *sb, const void *s, size_t n)
{
	char *nb;
	size_t ncap;

	if (sb->failed)
		return;
	if (sb->len + n + 1 > sb->cap) {
		ncap = (sb->len + n + 1) * 2;
		if ((nb = realloc(sb->buf, ncap)) == NULL) {
			sb->failed = 1;
			return;
		}
		sb->buf = nb;
		sb->cap = ncap;
	}
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *s = sb->buf;
	size_t n = sb->len;

	if (sb->failed) {
		free(s);
		s = NULL;
		n = 0;
	} else if (s == NULL) {
		s = strdup("");
	}
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	sb->failed = 0;
	if (len != NULL)
		*len = n;
	return s;
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	sb->failed = 0;
}
