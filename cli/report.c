/*
 * report - the renderings of a many-target audit, and the running
 * progress line.  Prints to stdout (results) and stderr (progress).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "audit.h"
#include "commands.h"
#include "explain.h"
#include "output.h"
#include "report.h"
#include "state.h"

int format_parse(const char *text, enum format *out)
{
	static const char *const names[] = { "text", "json", "jsonl",
	    "nagios" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(text, names[i]) == 0) {
			*out = (enum format)i;
			return 0;
		}
	}
	return -1;
}

void report_done(void *ctx, size_t index, json_t *doc)
{
	struct report_state *rs = ctx;
	char *line;

	(void)index;
	if (rs->config != NULL) {
		json_t *g = explain_target(rs->config, doc);
		if (json_array_size(g) > 0)
			json_object_set_new(doc, "explain", g);
		else
			json_decref(g);
	}
	rs->done++;
	rs->open += strcmp(audit_verdict(doc), "open") == 0;
	rs->unknown += strcmp(audit_verdict(doc), "unknown") == 0;
	if (rs->format == FORMAT_JSONL && !(rs->quiet &&
	    out_audit_status(doc) == 0) &&
	    (line = json_dumps(doc, JSON_COMPACT)) != NULL) {
		printf("%s\n", line);
		fflush(stdout);
		free(line);
	}
	/* The tests and the transcript are large and, once explained and
	 * printed, needed only by the JSON document. */
	if (rs->format != FORMAT_JSON) {
		json_object_del(doc, "tests");
		if (rs->format != FORMAT_TEXT || !rs->verbose)
			json_object_del(doc, "transcript");
		if (json_object_get(doc, "expect") != NULL)
			json_object_del(json_object_get(doc, "expect"), "cells");
	}
	if (rs->progress) {
		fprintf(stderr, "\r\033[Krelayctl: %zu of %zu audited, %zu open, "
		    "%zu unknown", rs->done, rs->n, rs->open, rs->unknown);
		fflush(stderr);
	}
}

/* summary - the table of all targets */
static void summary(const json_t *all, bool quiet)
{
	const json_t *t;
	size_t i, w = 6;

	json_array_foreach(all, i, t) {
		size_t l = strlen(json_string_value(json_object_get(t, "target")));
		if (l > w)
			w = l;
	}
	printf("%-*s  %-7s  %5s  %7s  %s\n", (int)w, "TARGET", "VERDICT", "TESTS",
	    "RELAYED", "FINDINGS");
	json_array_foreach(all, i, t) {
		const json_t *f, *n = json_object_get(t, "counts");
		size_t k, crit = 0, warn = 0;
		if (quiet && out_audit_status(t) == 0)
			continue;
		json_array_foreach(json_object_get(t, "findings"), k, f) {
			const char *s = json_string_value(json_object_get(f,
			    "severity"));
			crit += strcmp(s, "critical") == 0;
			warn += strcmp(s, "warning") == 0;
		}
		printf("%-*s  %s  %5lld  %7lld  %zu critical, %zu warning%s\n",
		    (int)w, json_string_value(json_object_get(t, "target")),
		    out_paint_pad(audit_verdict(t), 7),
		    (long long)json_integer_value(json_object_get(n, "run")),
		    (long long)json_integer_value(json_object_get(n, "relayed")),
		    crit, warn, warn == 1 ? "" : "s");
	}
	printf("\n");
}

/* plugin_safe - S with '|' (the plugin output's separator) as '/' */
static const char *plugin_safe(const char *s, char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "%s", s != NULL ? s : "");
	for (i = 0; buf[i] != '\0'; i++)
		if (buf[i] == '|')
			buf[i] = '/';
	return buf;
}

/* names - up to 5 targets of ALL whose status is WANT, comma separated */
static void names(const json_t *all, int want, bool open_only, char *buf,
    size_t len)
{
	const json_t *t;
	size_t i, n = 0, off = 0;

	buf[0] = '\0';
	json_array_foreach(all, i, t) {
		if (out_audit_status(t) != want || (open_only &&
		    strcmp(audit_verdict(t), "open") != 0))
			continue;
		if (n++ == 5) {
			snprintf(buf + off, len - off, ", ...");
			return;
		}
		{
			char b[400];
			off += (size_t)snprintf(buf + off, len > off ? len - off :
			    0, "%s%s", off ? ", " : "", plugin_safe(
			    json_string_value(json_object_get(t, "target")), b,
			    sizeof(b)));
		}
		if (off >= len)
			return;
	}
}

/* nagios - the plugin line, its performance data, the long output */
static void nagios(const json_t *all, int worst, double seconds)
{
	static const char *const word[] = { "OK", "WARNING", "UNKNOWN",
	    "CRITICAL" };
	const json_t *t;
	size_t i, n = json_array_size(all), open = 0, unknown = 0, warn = 0;
	size_t crit = 0;
	char list[600];

	json_array_foreach(all, i, t) {
		int s = out_audit_status(t);
		open += strcmp(audit_verdict(t), "open") == 0;
		unknown += s == 2;
		warn += s == 1;
		crit += s == 3;
	}
	printf("RELAY %s - ", word[worst]);
	if (worst == 3 && open > 0) {
		names(all, 3, true, list, sizeof(list));
		printf("%zu of %zu host%s open relay (%s)", open, n, n == 1 ? "" :
		    "s", list);
	} else if (worst == 3) {
		names(all, 3, false, list, sizeof(list));
		printf("%zu of %zu host%s break their phase (%s)", crit, n,
		    n == 1 ? "" : "s", list);
	} else if (worst == 2) {
		names(all, 2, false, list, sizeof(list));
		printf("%zu of %zu host%s unknown (%s)", unknown, n, n == 1 ? "" :
		    "s", list);
	} else if (worst == 1) {
		names(all, 1, false, list, sizeof(list));
		printf("%zu of %zu host%s with warnings (%s)", warn, n,
		    n == 1 ? "" : "s", list);
	} else {
		printf("%zu host%s closed", n, n == 1 ? "" : "s");
	}
	printf(" | hosts=%zu open=%zu unknown=%zu warnings=%zu time=%.1fs\n", n,
	    open, unknown, warn, seconds);
	/* the long output: one line per host, the worst first */
	for (int s = 3; s >= 0; s--) {
		json_array_foreach(all, i, t) {
			const json_t *f;
			size_t k, shown = 0;
			if (out_audit_status(t) != s)
				continue;
			char b1[400], b2[700];
			printf("%s: %s", plugin_safe(json_string_value(
			    json_object_get(t, "target")), b1, sizeof(b1)),
			    audit_verdict(t));
			if (json_is_string(json_object_get(t, "reason")))
				printf(" (%s)", plugin_safe(json_string_value(
				    json_object_get(t, "reason")), b2, sizeof(b2)));
			json_array_foreach(json_object_get(t, "findings"), k, f) {
				if (strcmp(json_string_value(json_object_get(f,
				    "severity")), "ok") == 0)
					continue;
				printf("%s %s", shown++ ? "," : ";",
				    json_string_value(json_object_get(f, "id")));
			}
			printf("\n");
		}
	}
}

/* print_changes - the changes as text, one line each */
static void print_changes(const json_t *changes)
{
	static const struct {
		const char *kind, *words;
	} w[] = {
		{ "new-target", "first audited" }, { "newly-open", "newly open" },
		{ "fixed", "fixed" }, { "unreachable", "unreachable" },
		{ "reachable", "reachable again" }, { "verdict", "verdict changed" },
		{ "new-finding", "new finding" },
		{ "cleared-finding", "finding cleared" },
		{ "dropped-target", "no longer audited" },
	};
	const json_t *c;
	size_t i, k;

	json_array_foreach(changes, i, c) {
		const char *kind = json_string_value(json_object_get(c, "change"));
		const char *words = kind, *from, *to, *f, *detail;
		for (k = 0; k < sizeof(w) / sizeof(w[0]); k++)
			if (strcmp(w[k].kind, kind) == 0)
				words = w[k].words;
		from = json_string_value(json_object_get(c, "from"));
		to = json_string_value(json_object_get(c, "to"));
		f = json_string_value(json_object_get(c, "finding"));
		detail = json_string_value(json_object_get(c, "detail"));
		printf("%s: %s", json_string_value(json_object_get(c, "target")),
		    words);
		if (f != NULL)
			printf(" %s (%s)", f, json_string_value(json_object_get(c,
			    "severity")));
		else if (from != NULL && to != NULL)
			printf(" (%s -> %s)", from, to);
		else if (to != NULL)
			printf(" (%s)", to);
		if (detail != NULL)
			printf(": %s", detail);
		printf("\n");
	}
}

void report_syslog(const json_t *all)
{
	static const int prio[] = { LOG_NOTICE, LOG_WARNING, LOG_ERR, LOG_CRIT };
	static const char *const word[] = { "ok", "warning", "unknown",
	    "critical" };
	const json_t *t, *f;
	size_t i, k;

	openlog("relayctl", LOG_PID, LOG_MAIL);
	json_array_foreach(all, i, t) {
		char ids[512] = "";
		size_t off = 0;
		int s = out_audit_status(t);
		json_array_foreach(json_object_get(t, "findings"), k, f) {
			const char *sev = json_string_value(json_object_get(f,
			    "severity"));
			if (strcmp(sev, "ok") == 0 || off >= sizeof(ids))
				continue;
			off += (size_t)snprintf(ids + off, sizeof(ids) - off,
			    "%s%s:%s", off ? "," : "", json_string_value(
			    json_object_get(f, "id")), sev);
		}
		syslog(prio[s], "target=%s verdict=%s status=%s findings=%s",
		    json_string_value(json_object_get(t, "target")),
		    audit_verdict(t), word[s], off ? ids : "none");
	}
	closelog();
}

int report_fleet(json_t *all, enum format format, bool quiet, int verbose,
    double seconds, const struct report_changes *ch)
{
	const json_t *t;
	size_t i;
	int worst = 0, rc;
	bool only = ch->changes != NULL && ch->only;

	json_array_foreach(all, i, t)
		if (out_audit_status(t) > worst)
			worst = out_audit_status(t);
	rc = out_status_exit(worst);
	if (only && format == FORMAT_TEXT) {
		print_changes(ch->changes);
		json_decref(all);
		return rc;
	}
	switch (format) {
	case FORMAT_JSON:
		if (only) {
			/* a document, even when nothing changed */
			json_decref(all);
			return out_json(json_pack("{s:s, s:O}", "schema",
			    STATE_SCHEMA, "changes", ch->changes)) != EXIT_OK ?
			    EXIT_IOERR : rc;
		}
		if (quiet && worst == 0 && json_array_size(ch->changes) == 0) {
			json_decref(all);
			return rc;
		}
		return out_json(json_pack("{s:s, s:o, s:O*}", "schema",
		    AUDIT_SCHEMA, "targets", all, "changes", ch->changes)) !=
		    EXIT_OK ? EXIT_IOERR : rc;
	case FORMAT_JSONL:
		/* the targets were printed as they finished; the changes
		 * follow, one a line */
		json_array_foreach(ch->changes, i, t) {
			char *line = json_dumps(t, JSON_COMPACT);
			if (line != NULL)
				printf("%s\n", line);
			free(line);
		}
		break;
	case FORMAT_NAGIOS:
		/* a plugin always says its status, --quiet or not */
		nagios(all, worst, seconds);
		if (json_array_size(ch->changes) > 0) {
			printf("changed since the last run:\n");
			print_changes(ch->changes);
		}
		break;
	case FORMAT_TEXT:
		if (!(quiet && worst == 0)) {
			if (json_array_size(all) > 1)
				summary(all, quiet);
			json_array_foreach(all, i, t)
				if (!quiet || out_audit_status(t) != 0)
					out_audit(t, verbose);
		}
		if (json_array_size(ch->changes) > 0) {
			printf("\nchanged since the last run:\n");
			print_changes(ch->changes);
		}
		break;
	}
	json_decref(all);
	return rc;
}
