/*
 * maincf - parse main.cf like Postfix's readlline(), edit like postconf -e.
 * Owns the file's bytes, the physical line table, the entries and the
 * staged edits.  Never prints.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maincf.h"
#include "strbuf.h"

struct line {
	size_t off;		/* start in data */
	size_t len;		/* without the line end */
	int crlf;		/* ended in "\r\n" */
	int has_nl;		/* ended in "\n" at all */
};

struct edit {
	char *name;
	char *value;
};

struct maincf {
	char *data;
	size_t len;
	struct line *lines;
	size_t nlines;
	struct maincf_entry *ents;
	size_t nents;
	struct maincf_warning *warns;
	size_t nwarns, wcap;
	struct edit *edits;
	size_t nedits;
};

/* is_ws - whitespace as Postfix's readlline sees it */
static int is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

void maincf_diagf(struct maincf_diag *diag, unsigned line, const char *fmt,
    ...)
{
	va_list ap;

	if (diag == NULL)
		return;
	diag->line = line;
	va_start(ap, fmt);
	vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
	va_end(ap);
}

/* grow - make room for one more element in *ARR (of *N, capacity *CAP) */
static int grow(void *arr, size_t *cap, size_t n, size_t size)
{
	void **p = arr, *np;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	if ((np = realloc(*p, ncap * size)) == NULL)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

/* split_lines - the physical line table of CF's data */
static enum relay_err split_lines(struct maincf *cf)
{
	size_t cap = 0, off = 0, end;
	const char *nl;
	struct line *l;

	while (off < cf->len) {
		if (grow(&cf->lines, &cap, cf->nlines, sizeof(*cf->lines)) < 0)
			return RELAY_ENOMEM;
		l = &cf->lines[cf->nlines++];
		nl = memchr(cf->data + off, '\n', cf->len - off);
		end = nl != NULL ? (size_t)(nl - cf->data) : cf->len;
		l->off = off;
		l->has_nl = nl != NULL;
		l->crlf = nl != NULL && end > off && cf->data[end - 1] == '\r';
		l->len = end - off - (size_t)l->crlf;
		off = end + (nl != NULL);
	}
	return RELAY_OK;
}

/* line_kind - 0 blank or comment, 1 starts a logical line, 2 continues */
static int line_kind(const struct maincf *cf, const struct line *l)
{
	const char *p = cf->data + l->off, *e = p + l->len;
	const char *q = p;

	while (q < e && is_ws((unsigned char)*q))
		q++;
	if (q == e || *q == '#')
		return 0;
	return q == p ? 1 : 2;
}

/* add_warning - record a warning at LINE (MSG is static) */
static enum relay_err add_warning(struct maincf *cf, unsigned line,
    const char *msg)
{
	if (grow(&cf->warns, &cf->wcap, cf->nwarns, sizeof(*cf->warns)) < 0)
		return RELAY_ENOMEM;
	cf->warns[cf->nwarns].line = line;
	cf->warns[cf->nwarns++].msg = msg;
	return RELAY_OK;
}

/* valid_name - a parameter name as Postfix allows it: [A-Za-z0-9_]+ */
static int valid_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(c == '_' || (c >= '0' && c <= '9') ||
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return 0;
	}
	return 1;
}

/* add_entry - split the logical line TEXT (LEN bytes) at "=", record it */
static enum relay_err add_entry(struct maincf *cf, size_t *cap,
    const char *text, size_t len, size_t first, size_t last,
    struct maincf_diag *diag)
{
	const char *ns = text, *ne, *eq, *vs, *ve, *end = text + len;
	struct maincf_entry *e;
	char *name, *value;

	/* As Postfix's split_nameval(): the name ends at whitespace or "=",
	 * and only whitespace may come between it and the "=". */
	for (ne = ns; ne < end && !is_ws((unsigned char)*ne) && *ne != '='; ne++)
		;
	for (eq = ne; eq < end && is_ws((unsigned char)*eq); eq++)
		;
	if (ne == ns || eq == end || *eq != '=') {
		maincf_diagf(diag, (unsigned)first + 1, "line %zu: %s: '%.*s'",
		    first + 1, ne == ns ? "missing attribute name" :
		    "missing '=' after attribute name",
		    (int)(len > 60 ? 60 : len), text);
		return RELAY_EINVAL;
	}
	vs = eq + 1;
	ve = text + len;
	while (vs < ve && is_ws((unsigned char)*vs))
		vs++;
	while (ve > vs && is_ws((unsigned char)ve[-1]))
		ve--;
	if (grow(&cf->ents, cap, cf->nents, sizeof(*cf->ents)) < 0)
		return RELAY_ENOMEM;
	name = strndup(ns, (size_t)(ne - ns));
	value = strndup(vs, (size_t)(ve - vs));
	if (name == NULL || value == NULL) {
		free(name);
		free(value);
		return RELAY_ENOMEM;
	}
	e = &cf->ents[cf->nents++];
	e->name = name;
	e->value = value;
	e->line = (unsigned)first + 1;
	e->last_line = (unsigned)last + 1;
	e->overridden = 0;
	return RELAY_OK;
}

/* parse_entries - group physical lines into logical lines, then entries */
static enum relay_err parse_entries(struct maincf *cf, struct maincf_diag *diag)
{
	size_t i, k, first = 0, last = 0, ecap = 0, blen = 0, bcap = 0;
	char *buf = NULL, *nb, c;
	int open = 0, orphan = 0, kind;
	enum relay_err err = RELAY_OK;
	const struct line *l;

	for (i = 0; i <= cf->nlines; i++) {
		kind = i < cf->nlines ? line_kind(cf, &cf->lines[i]) : 1;
		if (kind == 0)
			continue;
		/* Text before any logical line: Postfix warns once for the
		 * whole run of continuation lines and drops it. */
		if (kind == 2 && !open) {
			if (!orphan && (err = add_warning(cf, (unsigned)i + 1,
			    "logical line must not start with whitespace")) != RELAY_OK)
				goto out;
			orphan = 1;
			continue;
		}
		orphan = 0;
		if (kind == 1 && open) {
			err = add_entry(cf, &ecap, buf, blen, first, last, diag);
			if (err != RELAY_OK)
				goto out;
			open = 0;
			blen = 0;
		}
		if (i == cf->nlines)
			break;
		l = &cf->lines[i];
		if (blen + l->len + 1 > bcap) {
			bcap = (blen + l->len + 1) * 2;
			if ((nb = realloc(buf, bcap)) == NULL) {
				err = RELAY_ENOMEM;
				goto out;
			}
			buf = nb;
		}
		/* A CR that does not end the line is whitespace to Postfix;
		 * as a space it keeps values free of CR, so that what
		 * maincf_get() returns can be given to maincf_set(). */
		for (k = 0; k < l->len; k++) {
			c = cf->data[l->off + k];
			buf[blen++] = c == '\r' ? ' ' : c;
		}
		if (kind == 1)
			first = i;
		last = i;
		open = 1;
	}
out:
	free(buf);
	return err;
}

struct byname {
	const char *name;
	size_t idx;
};

/* byname_cmp - order by name, then by position in the file */
static int byname_cmp(const void *a, const void *b)
{
	const struct byname *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* line_cmp - order line numbers */
static int line_cmp(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* mark_overrides - flag every entry a later one overrides; warn at the
 * later one, in line order.  Sorting by name keeps a 10,000-line file
 * linear-logarithmic instead of quadratic. */
static enum relay_err mark_overrides(struct maincf *cf)
{
	struct byname *s;
	unsigned *lines;
	size_t i, n = 0;
	enum relay_err err = RELAY_OK;

	if (cf->nents < 2)
		return RELAY_OK;
	s = calloc(cf->nents, sizeof(*s));
	lines = calloc(cf->nents, sizeof(*lines));
	if (s == NULL || lines == NULL) {
		free(s);
		free(lines);
		return RELAY_ENOMEM;
	}
	for (i = 0; i < cf->nents; i++) {
		s[i].name = cf->ents[i].name;
		s[i].idx = i;
	}
	qsort(s, cf->nents, sizeof(*s), byname_cmp);
	for (i = 1; i < cf->nents; i++) {
		if (strcmp(s[i - 1].name, s[i].name) != 0)
			continue;
		cf->ents[s[i - 1].idx].overridden = 1;
		lines[n++] = cf->ents[s[i].idx].line;
	}
	qsort(lines, n, sizeof(*lines), line_cmp);
	for (i = 0; i < n && err == RELAY_OK; i++)
		err = add_warning(cf, lines[i], "overriding earlier entry");
	free(s);
	free(lines);
	return err;
}

enum relay_err maincf_parse(const char *data, size_t len, struct maincf **out,
    struct maincf_diag *diag)
{
	struct maincf *cf;
	const char *nul;
	enum relay_err err;

	maincf_diagf(diag, 0, "%s", "");
	if (len > 0 && (nul = memchr(data, '\0', len)) != NULL) {
		size_t ln = 1, k;
		for (k = 0; k < (size_t)(nul - data); k++)
			ln += data[k] == '\n';
		maincf_diagf(diag, (unsigned)ln, "line %zu: NUL byte in the file", ln);
		return RELAY_EINVAL;
	}
	if ((cf = calloc(1, sizeof(*cf))) == NULL)
		return RELAY_ENOMEM;
	if ((cf->data = malloc(len + 1)) == NULL) {
		free(cf);
		return RELAY_ENOMEM;
	}
	if (len > 0)
		memcpy(cf->data, data, len);
	cf->data[len] = '\0';
	cf->len = len;
	if ((err = split_lines(cf)) != RELAY_OK ||
	    (err = parse_entries(cf, diag)) != RELAY_OK ||
	    (err = mark_overrides(cf)) != RELAY_OK) {
		maincf_free(cf);
		return err;
	}
	*out = cf;
	return RELAY_OK;
}

void maincf_free(struct maincf *cf)
{
	size_t i;

	if (cf == NULL)
		return;
	for (i = 0; i < cf->nents; i++) {
		free((char *)cf->ents[i].name);
		free((char *)cf->ents[i].value);
	}
	for (i = 0; i < cf->nedits; i++) {
		free(cf->edits[i].name);
		free(cf->edits[i].value);
	}
	free(cf->ents);
	free(cf->warns);
	free(cf->edits);
	free(cf->lines);
	free(cf->data);
	free(cf);
}

/* find_edit - the staged edit of NAME, or NULL */
static struct edit *find_edit(const struct maincf *cf, const char *name)
{
	size_t i;

	for (i = 0; i < cf->nedits; i++)
		if (strcmp(cf->edits[i].name, name) == 0)
			return &cf->edits[i];
	return NULL;
}

const struct maincf_entry *maincf_find(const struct maincf *cf,
    const char *name)
{
	size_t i;

	for (i = cf->nents; i-- > 0;)
		if (strcmp(cf->ents[i].name, name) == 0)
			return &cf->ents[i];
	return NULL;
}

const char *maincf_get(const struct maincf *cf, const char *name)
{
	const struct edit *ed = find_edit(cf, name);
	const struct maincf_entry *e;

	if (ed != NULL)
		return ed->value;
	e = maincf_find(cf, name);
	return e != NULL ? e->value : NULL;
}

const struct maincf_entry *maincf_entries(const struct maincf *cf, size_t *n)
{
	*n = cf->nents;
	return cf->ents;
}

const struct maincf_warning *maincf_warnings(const struct maincf *cf,
    size_t *n)
{
	*n = cf->nwarns;
	return cf->warns;
}

size_t maincf_changed(const struct maincf *cf)
{
	return cf->nedits;
}

enum relay_err maincf_set(struct maincf *cf, const char *name,
    const char *value)
{
	const struct maincf_entry *e;
	struct edit *ed, *ne;
	size_t vlen;
	char *v;

	if (!valid_name(name, strlen(name)) || strpbrk(value, "\r\n") != NULL)
		return RELAY_EINVAL;
	/* Trim as postconf -e does: the file could not keep the whitespace,
	 * and maincf_get() must say what a re-read would give. */
	while (is_ws((unsigned char)*value))
		value++;
	for (vlen = strlen(value); vlen > 0 &&
	    is_ws((unsigned char)value[vlen - 1]); vlen--)
		;
	if ((v = strndup(value, vlen)) == NULL)
		return RELAY_ENOMEM;
	e = maincf_find(cf, name);
	ed = find_edit(cf, name);
	if (e != NULL && strcmp(e->value, v) == 0) {
		/* Back to what the file says: nothing to stage. */
		free(v);
		if (ed != NULL) {
			free(ed->name);
			free(ed->value);
			memmove(ed, ed + 1,
			    (size_t)(cf->edits + cf->nedits - (ed + 1)) *
			    sizeof(*ed));
			cf->nedits--;
		}
		return RELAY_OK;
	}
	if (ed != NULL) {
		free(ed->value);
		ed->value = v;
		return RELAY_OK;
	}
	if ((ne = realloc(cf->edits, (cf->nedits + 1) * sizeof(*ne))) == NULL) {
		free(v);
		return RELAY_ENOMEM;
	}
	cf->edits = ne;
	ed = &cf->edits[cf->nedits];
	if ((ed->name = strdup(name)) == NULL) {
		free(v);
		return RELAY_ENOMEM;
	}
	ed->value = v;
	cf->nedits++;
	return RELAY_OK;
}

/* put_assignment - "name = value" and the line end EOL */
static void put_assignment(struct strbuf *b, const struct edit *ed,
    const char *eol)
{
	strbuf_add(b, ed->name, strlen(ed->name));
	strbuf_add(b, " = ", 3);
	strbuf_add(b, ed->value, strlen(ed->value));
	strbuf_add(b, eol, strlen(eol));
}

/* put_line - physical line L as it was, with its line end */
static void put_line(struct strbuf *b, const struct maincf *cf,
    const struct line *l)
{
	size_t n = l->len + (size_t)l->crlf + (size_t)l->has_nl;

	strbuf_add(b, cf->data + l->off, n);
}

enum relay_err maincf_render(const struct maincf *cf, char **out, size_t *len)
{
	struct strbuf b = STRBUF_INIT;
	const struct maincf_entry *e;
	const struct line *l;
	size_t i, k, li;
	const char *eol;
	int *done = NULL;
	unsigned char *skip = NULL;
	const struct edit **at = NULL;

	/* For each physical line: the edit that replaces it, or a skip. */
	if (cf->nlines > 0 &&
	    ((at = calloc(cf->nlines, sizeof(*at))) == NULL ||
	    (skip = calloc(cf->nlines, 1)) == NULL))
		goto nomem;
	if (cf->nedits > 0 && (done = calloc(cf->nedits, sizeof(*done))) == NULL)
		goto nomem;
	for (k = 0; k < cf->nedits; k++) {
		if ((e = maincf_find(cf, cf->edits[k].name)) == NULL)
			continue;
		done[k] = 1;
		at[e->line - 1] = &cf->edits[k];
		for (li = e->line; li < e->last_line; li++)
			if (line_kind(cf, &cf->lines[li]) == 2)
				skip[li] = 1;
	}
	for (i = 0; i < cf->nlines; i++) {
		l = &cf->lines[i];
		if (at[i] != NULL) {
			eol = l->crlf ? "\r\n" : l->has_nl ? "\n" : "";
			put_assignment(&b, at[i], eol);
		} else if (!skip[i]) {
			put_line(&b, cf, l);
		}
	}
	/* New names: one block at the end, after a line end if missing. */
	eol = cf->nlines > 0 && cf->lines[0].crlf ? "\r\n" : "\n";
	for (k = 0; k < cf->nedits; k++) {
		if (done[k])
			continue;
		if (b.len > 0 && b.buf[b.len - 1] != '\n')
			strbuf_add(&b, eol, strlen(eol));
		put_assignment(&b, &cf->edits[k], eol);
	}
	free(at);
	free(skip);
	free(done);
	*out = strbuf_detach(&b, len);
	return *out != NULL ? RELAY_OK : RELAY_ENOMEM;
nomem:
	free(at);
	free(skip);
	free(done);
	strbuf_release(&b);
	return RELAY_ENOMEM;
}
