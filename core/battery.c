/*
 * battery - the relay test table and its expansion for one target.
 * Owns the array it returns.  Never prints.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "battery.h"

/*
 * Patterns: %U user, %F sender, %D external domain, %E the external
 * domain in upper case, %S server name, %I the server's address literal
 * ("[192.0.2.1]", "[IPv6:2001:db8::1]"), %T local domain.
 */
static const struct {
	const char *id, *rcpt, *desc;
} rcpts[] = {
	{ "PLAIN", "<%U@%D>", "plain external recipient" },
	{ "PCT-IP", "<%U%%%D@%I>", "percent hack at the address literal" },
	{ "PCT-S", "<%U%%%D@%S>", "percent hack at the server name" },
	{ "PCT-T", "<%U%%%D@%T>", "percent hack at the local domain" },
	{ "QUOTE", "<\"%U@%D\">", "quoted external address" },
	{ "QUOTE-PCT", "<\"%U%%%D\">", "quoted percent hack" },
	{ "DAT-IP", "<%U@%D@%I>", "double @ at the address literal" },
	{ "DAT-S", "<%U@%D@%S>", "double @ at the server name" },
	{ "DAT-T", "<%U@%D@%T>", "double @ at the local domain" },
	{ "QLOC-IP", "<\"%U@%D\"@%I>", "quoted local part at the address literal" },
	{ "QLOC-T", "<\"%U@%D\"@%T>", "quoted local part at the local domain" },
	{ "SRCRT-IP", "<@%I:%U@%D>", "source route through the address literal" },
	{ "SRCRT-S", "<@%S:%U@%D>", "source route through the server name" },
	{ "SRCRT-T", "<@%T:%U@%D>", "source route through the local domain" },
	{ "BANG", "<%D!%U>", "UUCP bang path" },
	{ "BANG-IP", "<%D!%U@%I>", "bang path at the address literal" },
	{ "BANG-S", "<%D!%U@%S>", "bang path at the server name" },
	{ "BANG-T", "<%D!%U@%T>", "bang path at the local domain" },
	{ "TRAIL-AT", "<%U@%D@>", "trailing empty domain" },
	{ "UPPER", "<%U@%E>", "upper-case external domain" },
	{ "DOT", "<%U@%D.>", "trailing dot on the domain" },
	{ "DLIT", "<%U@[198.51.100.1]>", "external address literal" },
	{ "DLIT6", "<%U@[IPv6:2001:db8::1]>", "external IPv6 address literal" },
	{ "PCT-DOT", "<%U%%%D.@%T>", "percent hack with a trailing dot" },
	{ "BANG-PCT", "<%D!%U%%%D@%T>", "bang path and percent hack together" },
};

/* The senders a plain external recipient is tried with; the tricks use
 * the first two, the ones that matter most. */
static const struct {
	const char *id, *from;
} senders[] = {
	{ "EXT", "<%F@%D>" },		/* external sender */
	{ "LOCAL", "<%F@%T>" },		/* spoofed local sender */
	{ "NULL", "<>" },		/* null sender (bounces) */
	{ "SERVER", "<%F@%S>" },	/* spoofed server name */
	{ "IP", "<%F@%I>" },		/* the target's address literal */
	{ "UNQUAL", "<%F>" },		/* unqualified */
	{ "PM", "<postmaster@%T>" },	/* spoofed local postmaster */
};

/* expand - PAT with VARS into OUT */
static void expand(const char *pat, const struct battery_vars *v, char *out,
    size_t len)
{
	size_t o = 0, k;
	const char *s;
	char lit[80];

	for (; *pat != '\0' && o + 1 < len; pat++) {
		if (*pat != '%' || pat[1] == '\0') {
			out[o++] = *pat;
			continue;
		}
		switch (*++pat) {
		case 'U': s = v->user; break;
		case 'F': s = v->sender; break;
		case 'D': s = v->external; break;
		case 'S': s = v->server; break;
		case 'T': s = v->local; break;
		case 'I':
			snprintf(lit, sizeof(lit), strchr(v->ip, ':') ?
			    "[IPv6:%s]" : "[%s]", v->ip);
			s = lit;
			break;
		case 'E':
			for (k = 0; v->external[k] != '\0' && k + 1 < sizeof(lit); k++)
				lit[k] = (char)toupper((unsigned char)v->external[k]);
			lit[k] = '\0';
			s = lit;
			break;
		default:
			s = "%";
		}
		for (; *s != '\0' && o + 1 < len; s++)
			out[o++] = *s;
	}
	out[o] = '\0';
}

/* add - one test, if PATTERN lets it through */
static int add(struct battery_test *t, size_t *n, const char *id,
    const char *desc, enum test_kind kind, const char *from, const char *rcpt,
    const struct battery_vars *v, const char *pattern)
{
	if (pattern != NULL && fnmatch(pattern, id, 0) != 0)
		return 0;
	snprintf(t[*n].id, sizeof(t[*n].id), "%s", id);
	t[*n].desc = desc;
	t[*n].kind = kind;
	expand(from, v, t[*n].from, sizeof(t[*n].from));
	expand(rcpt, v, t[*n].rcpt, sizeof(t[*n].rcpt));
	(*n)++;
	return 1;
}

enum relay_err battery_build(const struct battery_vars *v,
    const char *pattern, struct battery_test **out, size_t *n,
    char *err, size_t errlen)
{
	size_t nr = sizeof(rcpts) / sizeof(rcpts[0]);
	size_t ns = sizeof(senders) / sizeof(senders[0]), i, j, max;
	struct battery_test *t;
	char id[32];

	max = ns + nr * 2 + 3;
	if ((t = calloc(max, sizeof(*t))) == NULL)
		return RELAY_ENOMEM;
	*n = 0;
	/* The positive path first: local mail from anyone. */
	add(t, n, "POS-POSTMASTER", "postmaster at the local domain, from "
	    "an external sender", TEST_LOCAL, "<%F@%D>", "<postmaster@%T>", v,
	    pattern);
	/* A user that cannot exist: a server that takes it takes anything,
	 * and its 2xx answers prove less (a sink, or a catch-all). */
	add(t, n, "PRB-SINK", "a local user that cannot exist", TEST_PROBE,
	    "<%F@%D>", "<no-such-user-7f3a9c@%T>", v, pattern);
	for (j = 0; j < ns; j++) {
		snprintf(id, sizeof(id), "RLY-PLAIN-%s", senders[j].id);
		add(t, n, id, "plain external recipient", TEST_RELAY,
		    senders[j].from, rcpts[0].rcpt, v, pattern);
	}
	for (i = 1; i < nr; i++) {
		for (j = 0; j < 2; j++) {
			snprintf(id, sizeof(id), "RLY-%s%s", rcpts[i].id,
			    j == 0 ? "" : "-LOCAL");
			add(t, n, id, rcpts[i].desc, TEST_RELAY, senders[j].from,
			    rcpts[i].rcpt, v, pattern);
		}
	}
	if (*n == 0) {
		free(t);
		snprintf(err, errlen, "no test matches '%s'", pattern ? pattern : "");
		return RELAY_EINVAL;
	}
	*out = t;
	return RELAY_OK;
}
