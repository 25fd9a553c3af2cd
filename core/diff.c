/*
 * diff - Myers' shortest edit script over lines, printed as unified hunks.
 * Owns its work arrays and the result.  Never prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "strbuf.h"

struct lines {
	const char **p;		/* start of each line */
	size_t *len;		/* length with its "\n", if any */
	size_t n;
};

/* split - the lines of TEXT */
static enum relay_err split(const char *text, size_t len, struct lines *l)
{
	size_t i, n = 0, k = 0;

	for (i = 0; i < len; i++)
		n += text[i] == '\n';
	n += len > 0 && text[len - 1] != '\n';
	l->n = n;
	l->p = calloc(n + 1, sizeof(*l->p));
	l->len = calloc(n + 1, sizeof(*l->len));
	if (l->p == NULL || l->len == NULL)
		return RELAY_ENOMEM;
	for (i = 0; i < len; k++) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t e = nl != NULL ? (size_t)(nl - text) + 1 : len;
		l->p[k] = text + i;
		l->len[k] = e - i;
		i = e;
	}
	return RELAY_OK;
}

/* same - line I of A equals line J of B */
static int same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->p[i], b->p[j], a->len[i]) == 0;
}

/* put_line - one line with its mark; a missing newline is said so */
static void put_line(struct strbuf *b, char mark, const char *s, size_t n)
{
	static const char nonl[] = "\n\\ No newline at end of file\n";

	strbuf_add(b, &mark, 1);
	strbuf_add(b, s, n);
	if (n == 0 || s[n - 1] != '\n')
		strbuf_add(b, nonl, sizeof(nonl) - 1);
}

/*
 * script - mark each line of A deleted (DA[i] = 1) and of B inserted
 * (IB[j] = 1) along a shortest edit script; Myers' greedy forward search
 * with the V arrays of every D kept for the backtrack.
 */
static enum relay_err script(const struct lines *a, const struct lines *b,
    unsigned char *da, unsigned char *ib)
{
	long n = (long)a->n, m = (long)b->n, max = n + m, d, k, x, y;
	long off = max + 1, width = 2 * max + 3;
	long *v, **trace = NULL;
	enum relay_err err = RELAY_ENOMEM;

	if ((v = calloc((size_t)width, sizeof(*v))) == NULL)
		return RELAY_ENOMEM;
	if ((trace = calloc((size_t)max + 1, sizeof(*trace))) == NULL)
		goto out;
	for (d = 0; d <= max; d++) {
		for (k = -d; k <= d; k += 2) {
			if (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
				x = v[off + k + 1];
			else
				x = v[off + k - 1] + 1;
			y = x - k;
			while (x < n && y < m && same(a, (size_t)x, b, (size_t)y))
				x++, y++;
			v[off + k] = x;
			if (x >= n && y >= m)
				goto found;
		}
		/* Keep only diagonals -d..d: a few edits in a long file then
		 * cost a few small arrays, not D copies of the whole V. */
		if ((trace[d] = malloc((size_t)(2 * d + 1) * sizeof(long))) == NULL)
			goto out;
		memcpy(trace[d], v + off - d, (size_t)(2 * d + 1) * sizeof(long));
	}
	goto out;	/* not reached: d <= n + m always ends */
found:
	/* Walk back from (n, m) through the saved V arrays. */
	x = n;
	y = m;
	for (; d > 0; d--) {
		/* trace[d - 1][i] is V[i - (d - 1)] */
		long *pv = trace[d - 1] + (d - 1), pk, px, py;
		k = x - y;
		if (k == -d || (k != d && pv[k - 1] < pv[k + 1]))
			pk = k + 1;
		else
			pk = k - 1;
		px = pv[pk];
		py = px - pk;
		while (x > px && y > py)
			x--, y--;
		if (pk == k + 1)
			ib[--y] = 1;	/* came down: an insertion */
		else
			da[--x] = 1;	/* came right: a deletion */
	}
	err = RELAY_OK;
out:
	if (trace != NULL)
		for (d = 0; d <= max; d++)
			free(trace[d]);
	free(trace);
	free(v);
	return err;
}

struct op {
	char kind;		/* '=', '-' or '+' */
	size_t a, b;		/* line in A and in B before this op */
};

/* range - "start,count" of a hunk side whose first line follows line AT */
static void range(char *buf, size_t len, size_t at, size_t count)
{
	if (count == 1)
		snprintf(buf, len, "%zu", at + 1);
	else
		snprintf(buf, len, "%zu,%zu", count ? at + 1 : at, count);
}

/* put_hunk - ops S..E (inclusive) as one hunk */
static void put_hunk(struct strbuf *o, const struct op *ops, size_t s, size_t e,
    const struct lines *la, const struct lines *lb)
{
	size_t k, na = 0, nb = 0;
	char head[128], ra[48], rb[48];

	for (k = s; k <= e; k++) {
		na += ops[k].kind != '+';
		nb += ops[k].kind != '-';
	}
	/* As diff -u: an empty side is numbered by the line before it, and
	 * a count of 1 is left out. */
	range(ra, sizeof(ra), ops[s].a, na);
	range(rb, sizeof(rb), ops[s].b, nb);
	snprintf(head, sizeof(head), "@@ -%s +%s @@\n", ra, rb);
	strbuf_add(o, head, strlen(head));
	for (k = s; k <= e; k++) {
		if (ops[k].kind == '+')
			put_line(o, '+', lb->p[ops[k].b], lb->len[ops[k].b]);
		else
			put_line(o, ops[k].kind == '-' ? '-' : ' ',
			    la->p[ops[k].a], la->len[ops[k].a]);
	}
}

enum relay_err diff_unified(const char *a, size_t alen, const char *b,
    size_t blen, const char *label_a, const char *label_b, char **out)
{
	struct lines la = { 0 }, lb = { 0 };
	unsigned char *da = NULL, *ib = NULL;
	struct strbuf o = STRBUF_INIT;
	struct op *ops = NULL;
	enum relay_err err;
	size_t i = 0, j = 0, n = 0, k, s, e, next, ctx = 3;

	*out = NULL;
	if ((err = split(a, alen, &la)) != RELAY_OK ||
	    (err = split(b, blen, &lb)) != RELAY_OK)
		goto done;
	err = RELAY_ENOMEM;
	if ((da = calloc(la.n + 1, 1)) == NULL ||
	    (ib = calloc(lb.n + 1, 1)) == NULL ||
	    (ops = calloc(la.n + lb.n + 1, sizeof(*ops))) == NULL)
		goto done;
	if ((err = script(&la, &lb, da, ib)) != RELAY_OK)
		goto done;
	while (i < la.n || j < lb.n) {
		ops[n].a = i;
		ops[n].b = j;
		if (i < la.n && da[i])
			ops[n++].kind = '-', i++;
		else if (j < lb.n && ib[j])
			ops[n++].kind = '+', j++;
		else
			ops[n++].kind = '=', i++, j++;
	}
	for (k = 0; k < n; k = e + 1) {
		while (k < n && ops[k].kind == '=')
			k++;
		if (k == n)
			break;
		if (o.len == 0) {
			strbuf_add(&o, "--- ", 4);
			strbuf_add(&o, label_a, strlen(label_a));
			strbuf_add(&o, "\n+++ ", 5);
			strbuf_add(&o, label_b, strlen(label_b));
			strbuf_add(&o, "\n", 1);
		}
		s = k > ctx ? k - ctx : 0;
		/* Extend over changes closer than 2 * CTX equal lines. */
		for (e = k;;) {
			while (e + 1 < n && ops[e + 1].kind != '=')
				e++;
			for (next = e + 1; next < n && ops[next].kind == '='; next++)
				;
			if (next < n && next - e - 1 <= 2 * ctx)
				e = next;
			else
				break;
		}
		e = e + ctx < n - 1 ? e + ctx : n - 1;
		put_hunk(&o, ops, s, e, &la, &lb);
	}
	*out = strbuf_detach(&o, NULL);
	err = *out != NULL ? RELAY_OK : RELAY_ENOMEM;
done:
	strbuf_release(&o);
	free(ops);
	free(da);
	free(ib);
	free(la.p);
	free(la.len);
	free(lb.p);
	free(lb.len);
	return err;
}
