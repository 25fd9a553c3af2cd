/*
 * strlist - a growable list of owned strings.
 * Owns the strings and the array.  Never prints.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "strlist.h"

enum relay_err strlist_addf(struct strlist *l, const char *fmt, ...)
{
	va_list ap;
	char **nv, *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return RELAY_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if ((nv = realloc(l->v, (l->n + 1) * sizeof(*nv))) == NULL) {
		free(s);
		return RELAY_ENOMEM;
	}
	l->v = nv;
	l->v[l->n++] = s;
	return RELAY_OK;
}

void strlist_release(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
