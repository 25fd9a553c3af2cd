/*
 * mastercf - parse master.cf services and their -o overrides, as Postfix's
 * readllines() and postconf's master.cf parser see them.
 * Owns the services, their strings and overrides.  Never prints.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mastercf.h"

struct mastercf {
	struct mastercf_service *svcs;
	size_t nsvcs;
};

/* A field of a logical line: S..S+N in the joined text, on physical LINE. */
struct tok {
	const char *s;
	size_t n;
	unsigned line;
};

/* A logical line being split into fields. */
struct lexer {
	const char *p, *end;
	unsigned line;		/* physical line of P */
};

/* is_ws - whitespace as Postfix's readllines() sees it */
static int is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* is_blank - a field separator: whitespace or a joined line end */
static int is_blank(int c)
{
	return is_ws(c) || c == '\n';
}


/*
 * next_tok - the next field, as Postfix's mystrtokq() with "{}": blanks
 * inside braces do not end a field.  1 and *T on success, 0 at the end,
 * -1 (T->s and T->line set) when a "{" is never closed.
 */
static int next_tok(struct lexer *lx, struct tok *t)
{
	const char *q = lx->p;
	int depth = 0;

	for (; q < lx->end && is_blank((unsigned char)*q); q++)
		lx->line += *q == '\n';
	lx->p = q;
	if (q == lx->end)
		return 0;
	t->s = q;
	t->line = lx->line;
	for (; q < lx->end; q++) {
		if (*q == '{')
			depth++;
		else if (*q == '}' && depth > 0)
			depth--;
		else if (depth == 0 && is_blank((unsigned char)*q))
			break;
		lx->line += *q == '\n';
	}
	t->n = (size_t)(q - t->s);
	lx->p = q;
	return depth == 0 ? 1 : -1;
}

/* trim - shrink *S, *N to exclude surrounding whitespace (and newlines) */
static void trim(const char **s, size_t *n)
{
	while (*n > 0 && is_blank((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n > 0 && is_blank((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* unbrace - "{ text }" to "text", as Postfix's extpar(); NULL or why not */
static const char *unbrace(const char **s, size_t *n)
{
	size_t i;
	int depth = 0;

	for (i = 0; i < *n; i++) {
		if ((*s)[i] == '{')
			depth++;
		else if ((*s)[i] == '}' && --depth == 0)
			break;
	}
	if (i == *n)
		return "missing '}'";
	if (i + 1 != *n)
		return "text after '}'";
	(*s)++;
	*n = i - 1;
	trim(s, n);
	return NULL;
}

/* add_override - "name=value" or "{ name = value }" in T, from "-o" on LINE */
static enum relay_err add_override(struct mastercf_service *svc,
    const struct tok *t, unsigned line, struct maincf_diag *diag)
{
	const char *s = t->s, *ne, *eq, *why = NULL, *vs;
	size_t n = t->n, vn;
	struct mastercf_override *o;
	char *name, *value;

	if (n > 0 && s[0] == '{')
		why = unbrace(&s, &n);
	/* Then split_nameval(), as the daemon does with the -o value. */
	if (why == NULL) {
		for (ne = s; ne < s + n && !is_blank((unsigned char)*ne) &&
		    *ne != '='; ne++)
			;
		for (eq = ne; eq < s + n && is_blank((unsigned char)*eq); eq++)
			;
		if (ne == s)
			why = "missing attribute name";
		else if (eq == s + n || *eq != '=')
			why = "missing '=' after attribute name";
	}
	if (why != NULL) {
		maincf_diagf(diag, line, "line %u: service '%s': '-o %.*s': %s",
		    line, svc->name, (int)(t->n > 60 ? 60 : t->n), t->s, why);
		return RELAY_EINVAL;
	}
	vs = eq + 1;
	vn = (size_t)(s + n - vs);
	trim(&vs, &vn);
	if ((o = realloc(svc->ovr, (svc->novr + 1) * sizeof(*o))) == NULL)
		return RELAY_ENOMEM;
	svc->ovr = o;
	name = strndup(s, (size_t)(ne - s));
	value = strndup(vs, vn);
	if (name == NULL || value == NULL) {
		free(name);
		free(value);
		return RELAY_ENOMEM;
	}
	o[svc->novr].name = name;
	o[svc->novr].value = value;
	o[svc->novr].line = line;
	svc->novr++;
	return RELAY_OK;
}

/*
 * parse_options - the daemon options after the command, as postconf's
 * pcf_normalize_daemon_args() reads them: they end at the first argument
 * not starting with "-", or at "--"; "-o" is the one option with a value,
 * given as the next argument or glued on ("-oname=value"); in a cluster
 * ("-vo") everything from the "o" on is the -o.
 */
static enum relay_err parse_options(struct mastercf_service *svc,
    struct lexer *lx, struct maincf_diag *diag)
{
	struct tok t, v;
	const char *o;
	enum relay_err err;
	int r;

	while ((r = next_tok(lx, &t)) > 0) {
		if (t.s[0] != '-' || (t.n == 2 && t.s[1] == '-'))
			break;
		if ((o = memchr(t.s + 1, 'o', t.n - 1)) == NULL)
			continue;
		v.s = o + 1;
		v.n = t.n - (size_t)(v.s - t.s);
		v.line = t.line;
		if (v.n == 0 && (r = next_tok(lx, &v)) == 0) {
			maincf_diagf(diag, t.line, "line %u: service '%s': "
			    "'-o' without a setting", t.line, svc->name);
			return RELAY_EINVAL;
		}
		if (r < 0) {
			t = v;
			break;
		}
		if ((err = add_override(svc, &v, t.line, diag)) != RELAY_OK)
			return err;
	}
	/* The other arguments (pipe's argv=...) are not ours, but an open
	 * brace anywhere is as fatal to Postfix as in an option. */
	while (r > 0)
		r = next_tok(lx, &t);
	if (r < 0) {
		maincf_diagf(diag, t.line, "line %u: service '%s': unbalanced '{'",
		    t.line, svc->name);
		return RELAY_EINVAL;
	}
	return RELAY_OK;
}

/* parse_service - one logical line, S to E (its physical line ends kept,
 * comment lines blanked), whose first physical line is FIRST */
static enum relay_err parse_service(struct mastercf *cf, const char *s,
    const char *e, unsigned first, struct maincf_diag *diag)
{
	struct mastercf_service *svc, *ns;
	struct lexer lx = { s, e, first };
	struct tok f[8];
	int i, r;

	for (i = 0; i < 8; i++) {
		if ((r = next_tok(&lx, &f[i])) < 0) {
			maincf_diagf(diag, f[i].line, "line %u: unbalanced '{'",
			    f[i].line);
			return RELAY_EINVAL;
		}
		if (r == 0) {
			maincf_diagf(diag, first, "line %u: service '%.*s' has %d "
			    "fields, master.cf needs at least 8", first,
			    (int)(f[0].n > 60 ? 60 : f[0].n), f[0].s, i);
			return RELAY_EINVAL;
		}
	}
	if ((ns = realloc(cf->svcs, (cf->nsvcs + 1) * sizeof(*ns))) == NULL)
		return RELAY_ENOMEM;
	cf->svcs = ns;
	svc = &cf->svcs[cf->nsvcs++];
	memset(svc, 0, sizeof(*svc));
	svc->line = first;
	svc->name = strndup(f[0].s, f[0].n);
	svc->type = strndup(f[1].s, f[1].n);
	svc->command = strndup(f[7].s, f[7].n);
	if (svc->name == NULL || svc->type == NULL || svc->command == NULL)
		return RELAY_ENOMEM;
	return parse_options(svc, &lx, diag);
}

/* line_kind - 0 blank or comment, 1 starts a logical line, 2 continues */
static int line_kind(const char *s, const char *e)
{
	const char *q = s;

	while (q < e && is_ws((unsigned char)*q))
		q++;
	if (q == e || *q == '#')
		return 0;
	return q == s ? 1 : 2;
}

/* flush - parse the logical line DATA[LS..LE), first physical line FIRST */
static enum relay_err flush(struct mastercf *cf, const char *ls,
    const char *le, unsigned first, struct maincf_diag *diag)
{
	const char *q, *qe;
	size_t n = (size_t)(le - ls);
	char *joined;
	enum relay_err err;

	/* Comment and blank lines inside it are blanked out in a copy, so
	 * that their words do not become fields; line ends stay, to count
	 * physical lines. */
	if ((joined = malloc(n + 1)) == NULL)
		return RELAY_ENOMEM;
	memcpy(joined, ls, n);
	joined[n] = '\0';
	for (q = ls; q < le; q = qe + 1) {
		if ((qe = memchr(q, '\n', (size_t)(le - q))) == NULL)
			qe = le;
		if (line_kind(q, qe) == 0)
			memset(joined + (q - ls), ' ', (size_t)(qe - q));
	}
	err = parse_service(cf, joined, joined + n, first, diag);
	free(joined);
	return err;
}

enum relay_err mastercf_parse(const char *data, size_t len,
    struct mastercf **out, struct maincf_diag *diag)
{
	struct mastercf *cf;
	const char *p = data, *end = data + len, *nl, *eol, *ls = NULL;
	const char *le = NULL, *nul;
	unsigned line = 0, first = 0;
	enum relay_err err = RELAY_OK;
	int kind;

	maincf_diagf(diag, 0, "%s", "");
	if (len > 0 && (nul = memchr(data, '\0', len)) != NULL) {
		for (p = data, line = 1; p < nul; p++)
			line += *p == '\n';
		maincf_diagf(diag, line, "line %u: NUL byte in the file", line);
		return RELAY_EINVAL;
	}
	if ((cf = calloc(1, sizeof(*cf))) == NULL)
		return RELAY_ENOMEM;
	/* Physical lines; a logical line is flushed when the next one
	 * starts, or at the end. */
	for (p = data; p < end; p = nl != NULL ? nl + 1 : end) {
		line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		eol = nl != NULL ? nl : end;
		kind = line_kind(p, eol);
		if (kind == 1 && ls != NULL) {
			if ((err = flush(cf, ls, le, first, diag)) != RELAY_OK)
				goto out;
			ls = NULL;
		}
		if (kind == 1) {
			ls = p;
			le = eol;
			first = line;
		} else if (kind == 2 && ls != NULL) {
			le = eol;
		}
		/* kind 2 without a logical line: Postfix warns and skips. */
	}
	if (ls != NULL)
		err = flush(cf, ls, le, first, diag);
out:
	if (err != RELAY_OK) {
		mastercf_free(cf);
		return err;
	}
	*out = cf;
	return RELAY_OK;
}

void mastercf_free(struct mastercf *cf)
{
	size_t i, j;

	if (cf == NULL)
		return;
	for (i = 0; i < cf->nsvcs; i++) {
		for (j = 0; j < cf->svcs[i].novr; j++) {
			free((char *)cf->svcs[i].ovr[j].name);
			free((char *)cf->svcs[i].ovr[j].value);
		}
		free(cf->svcs[i].ovr);
		free((char *)cf->svcs[i].name);
		free((char *)cf->svcs[i].type);
		free((char *)cf->svcs[i].command);
	}
	free(cf->svcs);
	free(cf);
}

const struct mastercf_service *mastercf_services(const struct mastercf *cf,
    size_t *n)
{
	*n = cf->nsvcs;
	return cf->svcs;
}

const struct mastercf_override *mastercf_override(
    const struct mastercf_service *svc, const char *name)
{
	size_t i;

	for (i = svc->novr; i-- > 0;)
		if (strcmp(svc->ovr[i].name, name) == 0)
			return &svc->ovr[i];
	return NULL;
}
