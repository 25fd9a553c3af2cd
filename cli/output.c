/*
 * output - error messages, JSON documents and the final flush of stdout.
 * Owns nothing.  The only file besides the handlers' help that prints.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "commands.h"
#include "output.h"

void out_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);		/* keep the order when both go to one file */
	fputs("relayctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int out_json(json_t *doc)
{
	int rc = EXIT_OK;

	if (doc == NULL) {
		out_error("cannot build the JSON document: out of memory");
		return EXIT_SOFTWARE;
	}
	if (json_dumpf(doc, stdout, JSON_INDENT(2)) != 0 || putchar('\n') == EOF)
		rc = EXIT_IOERR;	/* out_finish says why */
	json_decref(doc);
	return rc;
}

int out_finish(int rc)
{
	/* As git's run_builtin(): a failed flush knows its errno; an earlier
	 * failed write left only the error flag. */
	if (fflush(stdout) != 0) {
		out_error("cannot write to standard output: %s",
		    strerror(errno));
		return EXIT_IOERR;
	}
	if (ferror(stdout)) {
		out_error("cannot write to standard output: write error");
		return EXIT_IOERR;
	}
	return rc;
}

void out_audit(const json_t *t, int verbose)
{
	const char *trust;
	static const char *const sevs[] = { "critical", "warning", "ok" };
	const json_t *f, *counts = json_object_get(t, "counts"), *e;
	const char *tls = json_string_value(json_object_get(
	    json_object_get(t, "tls"), "version"));
	size_t i, j, k;

	printf("%s: %s", json_string_value(json_object_get(t, "target")),
	    out_paint(audit_verdict(t)));
	if (strcmp(audit_verdict(t), "unknown") == 0)
		printf(" (%s)", json_string_value(json_object_get(t, "reason")));
	printf(" (%lld tests run, %lld relayed, %lld denied%s%s)\n",
	    (long long)json_integer_value(json_object_get(counts, "run")),
	    (long long)json_integer_value(json_object_get(counts, "relayed")),
	    (long long)json_integer_value(json_object_get(counts, "denied")),
	    tls != NULL && *tls ? ", " : "", tls != NULL && *tls ? tls : "");
	if ((e = json_object_get(t, "expect")) != NULL) {
		const json_t *n = json_object_get(e, "counts");
		printf("  phase %s: %lld cells as expected, %lld too open, %lld "
		    "too closed, %lld untested\n",
		    json_string_value(json_object_get(e, "phase")),
		    (long long)json_integer_value(json_object_get(n, "as_expected")),
		    (long long)json_integer_value(json_object_get(n, "too_open")),
		    (long long)json_integer_value(json_object_get(n, "too_closed")),
		    (long long)json_integer_value(json_object_get(n, "untested")));
	}
	e = json_object_get(t, "vantage");
	trust = json_string_value(json_object_get(e, "trust"));
	if (trust != NULL && strcmp(trust, "remote") != 0 &&
	    (strcmp(trust, "suspected") != 0 ||
	    strcmp(audit_verdict(t), "unknown") == 0))
		printf("  vantage: %s (%s)\n", json_string_value(json_object_get(e,
		    "trust")), json_string_value(json_object_get(e, "why")));
	for (k = 0; k < 3; k++) {
		json_array_foreach(json_object_get(t, "findings"), i, f) {
			if (strcmp(json_string_value(json_object_get(f, "severity")),
			    sevs[k]) != 0)
				continue;
			printf("  %s %s: %s\n", out_paint(sevs[k]),
			    json_string_value(json_object_get(f, "id")),
			    json_string_value(json_object_get(f, "message")));
			json_array_foreach(json_object_get(f, "evidence"), j, e)
				printf("    %s\n", json_string_value(e));
		}
	}
	json_array_foreach(json_object_get(t, "explain"), i, f) {
		const json_t *cells = json_object_get(f, "cells");
		printf("  explain: %s because %s\n", json_string_value(
		    json_object_get(f, "decision")), json_string_value(
		    json_object_get(f, "because")));
		if (*json_string_value(json_object_get(f, "fix")) != '\0')
			printf("    fix: %s\n", json_string_value(json_object_get(f,
			    "fix")));
		printf("    %zu cell%s, e.g. %s\n", json_array_size(cells),
		    json_array_size(cells) == 1 ? "" : "s", json_string_value(
		    json_array_get(cells, 0)));
	}
	if (verbose) {
		json_array_foreach(json_object_get(t, "transcript"), i, e)
			printf("    %s\n", json_string_value(e));
	}
}

int out_status_exit(int worst)
{
	return worst == 3 ? EXIT_CRITICAL : worst == 2 ? EXIT_UNKNOWN :
	    worst == 1 ? EXIT_WARNING : EXIT_OK;
}

int out_audit_status(const json_t *t)
{
	const json_t *f;
	size_t i;
	const json_t *e = json_object_get(t, "expect");
	int worst = strcmp(audit_verdict(t), "open") == 0 ? 3 :
	    strcmp(audit_verdict(t), "unknown") == 0 ? 2 : 0;

	/* a vantage point whose audit broke off: not all could be seen */
	if (e != NULL && !json_is_true(json_object_get(e, "complete")) &&
	    worst < 2)
		worst = 2;

	json_array_foreach(json_object_get(t, "findings"), i, f) {
		const char *sev = json_string_value(json_object_get(f,
		    "severity"));
		if (strcmp(sev, "critical") == 0)
			worst = 3;
		else if (strcmp(sev, "warning") == 0 && worst < 1)
			worst = 1;
	}
	return worst;
}

/* The colour decision: -1 until decided (auto), then 0 or 1. */
static int color = -1;

int out_set_color(const char *when)
{
	if (strcmp(when, "always") == 0)
		color = 1;
	else if (strcmp(when, "never") == 0)
		color = 0;
	else if (strcmp(when, "auto") == 0)
		color = -1;
	else
		return -1;
	return 0;
}

int out_color_on(void)
{
	if (color < 0) {
		const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
		color = isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0') &&
		    (term == NULL || strcmp(term, "dumb") != 0);
	}
	return color;
}

/* sgr - the SGR sequence of WORD's meaning, or NULL for a plain word */
static const char *sgr(const char *word)
{
	static const char *const red[] = { "critical", "open", "too-open",
	    "failed", "rollback failed", "rolled back", NULL };
	static const char *const yellow[] = { "warning", "warnings",
	    "unknown", "too-closed", "untested", "dry run", "custom", NULL };
	static const char *const green[] = { "ok", "closed", "as-expected",
	    "changed", "unchanged", NULL };
	size_t i;

	for (i = 0; red[i] != NULL; i++)
		if (strcmp(word, red[i]) == 0)
			return "\033[1;31m";
	for (i = 0; yellow[i] != NULL; i++)
		if (strcmp(word, yellow[i]) == 0)
			return "\033[33m";
	for (i = 0; green[i] != NULL; i++)
		if (strcmp(word, green[i]) == 0)
			return "\033[32m";
	return NULL;
}

static const char *paint(char *buf, size_t len, const char *word, int width)
{
	const char *s = out_color_on() ? sgr(word) : NULL;
	int pad = width > (int)strlen(word) ? width - (int)strlen(word) : 0;

	if (s == NULL && pad == 0)
		return word;
	snprintf(buf, len, "%s%s%s%*s", s != NULL ? s : "", word,
	    s != NULL ? "\033[m" : "", pad, "");
	return buf;
}

const char *out_paint(const char *word)
{
	static char buf[128];

	return paint(buf, sizeof(buf), word, 0);
}

const char *out_paint_pad(const char *word, int width)
{
	static char buf[160];

	return paint(buf, sizeof(buf), word, width);
}

void out_diff(const char *diff)
{
	const char *p = diff, *nl;
	const char *s;

	if (!out_color_on()) {
		fputs(diff, stdout);
		return;
	}
	for (; *p != '\0'; p = nl) {
		nl = strchr(p, '\n');
		nl = nl != NULL ? nl + 1 : p + strlen(p);
		s = strncmp(p, "+++ ", 4) == 0 || strncmp(p, "--- ", 4) == 0 ?
		    "\033[1m" : *p == '+' ? "\033[32m" : *p == '-' ?
		    "\033[31m" : strncmp(p, "@@", 2) == 0 ? "\033[36m" : NULL;
		if (s == NULL)
			fwrite(p, 1, (size_t)(nl - p), stdout);
		else
			printf("%s%.*s\033[m%s", s, (int)(nl - p - (nl[-1] ==
			    '\n')), p, nl[-1] == '\n' ? "\n" : "");
	}
}
