/*
 * report - how the results of a many-target audit are shown: a text
 * summary table and the details, one JSON document, one JSON line per
 * target as it finishes, or a Nagios/Icinga plugin line with performance
 * data and the long output; --quiet says nothing when all is well.
 */
#ifndef CLI_REPORT_H
#define CLI_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "backend.h"

enum format { FORMAT_TEXT, FORMAT_JSON, FORMAT_JSONL, FORMAT_NAGIOS };

/* format_parse - "text", "json", "jsonl" or "nagios"; 0 or -1 */
int format_parse(const char *text, enum format *out);

/* What report_done needs while the fleet runs. */
struct report_state {
	const struct backend_report *config;	/* explanations, or NULL */
	enum format format;
	size_t n, done, open, unknown;
	bool progress;		/* a progress line on stderr */
	bool verbose;		/* keep the transcripts for the text report */
	bool quiet;		/* jsonl: no line for a target that is OK */
	long long start_ms;	/* when the run started (transport_now_ms) */
};

/* report_done - a fleet_opts.done: adds explanations, prints a JSON line
 * (jsonl) and the progress line; then, unless the whole documents are to
 * be printed (json), keeps only what the report needs, so that a run of
 * thousands of targets stays small */
void report_done(void *ctx, size_t index, json_t *doc);

/* What changed since the last run (--state), and how much to show. */
struct report_changes {
	json_t *changes;	/* of state_changes(), or NULL: no state */
	bool only;		/* --state-report changes: nothing else */
};

/* report_fleet - print ALL (stolen) as FORMAT, with CH; the exit code: 0
 * OK, 1 warning, 2 critical, 3 unknown, or an output error's */
int report_fleet(json_t *all, enum format format, bool quiet, int verbose,
    double seconds, const struct report_changes *ch);

/* report_syslog - one line per target of ALL to syslog, tag "relayctl" */
void report_syslog(const json_t *all);

#endif
