/*
 * fuzz_maincf - the main.cf parser and editor on any bytes, with the
 * round-trip property of a phase change: parse, set the settings of a
 * phase as enable-phase does, render, parse again.  Then
 *   - rendering without an edit gives the input back, byte for byte;
 *   - every setting set reads back as set; every other keeps its value;
 *   - every line outside the replaced entries is in the output, in order.
 */
#undef NDEBUG			/* the asserts are the properties */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "maincf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The settings a phase writes (PHASES.md), one set per phase. */
static const char *const phases[4][7][2] = {
	{ { "smtpd_relay_restrictions", "permit_mynetworks, reject_unauth_destination" },
	  { "default_transport", "error:outbound mail is off" },
	  { "smtpd_sasl_auth_enable", "no" }, { 0 } },
	{ { "smtpd_relay_restrictions", "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination" },
	  { "mynetworks", "127.0.0.0/8 [::1]/128" },
	  { "smtpd_sasl_auth_enable", "yes" },
	  { "smtpd_sasl_security_options", "noanonymous, noplaintext" },
	  { "smtpd_sasl_mechanism_filter", "cram-md5" }, { 0 } },
	{ { "mynetworks", "127.0.0.0/8 [::1]/128 192.0.2.0/24 [2001:db8::]/48" },
	  { "smtpd_relay_restrictions", "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination" },
	  { "smtpd_sasl_auth_enable", "yes" }, { 0 } },
	{ { "smtpd_sasl_security_options", "noanonymous" },
	  { "smtpd_sasl_mechanism_filter", "cram-md5, plain, login" },
	  { "smtpd_tls_auth_only", "yes" },
	  { "mynetworks", "127.0.0.0/8" }, { 0 } },
};

/* set_by - whether NAME is one of the phase's settings */
static int set_by(const char *const (*set)[2], const char *name)
{
	size_t i;

	for (i = 0; set[i][0] != NULL; i++)
		if (strcmp(set[i][0], name) == 0)
			return 1;
	return 0;
}

/* next_line - the line at *P (up to END), without its "\n"; advances */
static int next_line(const char **p, const char *end, const char **s,
    size_t *len)
{
	const char *nl;

	if (*p >= end)
		return 0;
	*s = *p;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*len = (size_t)((nl != NULL ? nl : end) - *p);
	*p = nl != NULL ? nl + 1 : end;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const (*set)[2];
	struct maincf *cf = NULL, *again = NULL;
	struct maincf_diag diag;
	const struct maincf_entry *ent;
	enum relay_err e;
	char *out = NULL;
	size_t i, n, len, *from = NULL, *to = NULL;
	const char *p, *q, *pend, *qend, *s, *t;
	size_t sl, tl, line;

	if (size == 0)
		return 0;
	set = phases[data[0] % 4];
	data++;
	size--;
	if (maincf_parse((const char *)data, size, &cf, &diag) != RELAY_OK)
		return 0;
	/* no edit: the same bytes */
	e = maincf_render(cf, &out, &len);
	assert(e == RELAY_OK);
	assert(len == size && memcmp(out, data, size) == 0);
	free(out);

	/* the lines of the entries that the edits replace */
	ent = maincf_entries(cf, &n);
	from = calloc(n + 1, sizeof(*from));
	to = calloc(n + 1, sizeof(*to));
	assert(from != NULL && to != NULL);
	for (i = 0; i < n; i++)
		if (!ent[i].overridden && set_by(set, ent[i].name)) {
			from[i] = ent[i].line;
			to[i] = ent[i].last_line;
		}
	for (i = 0; set[i][0] != NULL; i++) {
		e = maincf_set(cf, set[i][0], set[i][1]);
		assert(e == RELAY_OK);
	}
	e = maincf_render(cf, &out, &len);
	assert(e == RELAY_OK);
	e = maincf_parse(out, len, &again, &diag);
	assert(e == RELAY_OK);
	for (i = 0; set[i][0] != NULL; i++)
		assert(strcmp(maincf_get(again, set[i][0]), set[i][1]) == 0);
	for (i = 0; i < n; i++)
		if (!ent[i].overridden && !set_by(set, ent[i].name))
			assert(strcmp(maincf_get(again, ent[i].name),
			    ent[i].value) == 0);

	/* untouched lines, in order */
	p = (const char *)data;
	pend = p + size;
	q = out;
	qend = out + len;
	for (line = 1; next_line(&p, pend, &s, &sl); line++) {
		int replaced = 0;
		for (i = 0; i < n; i++)
			replaced |= from[i] != 0 && line >= from[i] &&
			    line <= to[i];
		if (replaced)
			continue;
		/* the last line, if it had no line end, gets the file's */
		int found = 0, last = p == pend && pend[-1] != '\n';
		while (!found && next_line(&q, qend, &t, &tl)) {
			if (last && tl == sl + 1 && t[sl] == '\r')
				tl--;
			found = tl == sl && memcmp(s, t, sl) == 0;
		}
		assert(found);
	}
	free(from);
	free(to);
	free(out);
	maincf_free(again);
	maincf_free(cf);
	return 0;
}
