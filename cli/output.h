/*
 * output - the one place that writes for a person or a script: error
 * messages on stderr in one voice, JSON documents on stdout, and the final
 * check that stdout was really written.  Owns nothing.
 */
#ifndef CLI_OUTPUT_H
#define CLI_OUTPUT_H

#include <jansson.h>

/* out_error - "relayctl: MESSAGE" on stderr, with a newline. */
void out_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * out_json - print DOC on stdout, indented, with a final newline, and
 * release the caller's reference to it.  Returns EXIT_OK, or EXIT_SOFTWARE
 * after a message when DOC is NULL (the document could not be built).
 */
int out_json(json_t *doc);

/*
 * out_finish - flush stdout and return RC, or EXIT_IOERR after a message
 * if anything written to stdout was lost (a full disk, a closed pipe).
 */
int out_finish(int rc);

/*
 * Colour, for a person at a terminal only: out_set_color() takes --color's
 * "auto", "always" or "never" (0 on success, -1 for another word); auto,
 * the default, colours when stdout is a terminal, NO_COLOR is unset or
 * empty and TERM is not "dumb".
 */
int out_set_color(const char *when);

/* out_color_on - whether stdout is coloured (decided on first use) */
int out_color_on(void);

/*
 * out_paint - WORD for stdout, in the colour of its meaning when colour is
 * on: critical, open, too-open, failed and the like red; warning, unknown,
 * too-closed yellow; ok, closed, as-expected green; anything else plain.
 * Returns a static buffer's text (a new call overwrites it) or WORD.
 */
const char *out_paint(const char *word);

/* out_paint_pad - as out_paint, padded with spaces to WIDTH visible
 * columns (for aligned tables); uses a second static buffer */
const char *out_paint_pad(const char *word, int width);

/* out_diff - print the unified diff DIFF on stdout, its added lines green,
 * removed lines red and hunk headers cyan when colour is on */
void out_diff(const char *diff);

/* out_audit - the text report of one audited target (audit.h's
 * document); VERBOSE adds the transcript. */
void out_audit(const json_t *t, int verbose);

/* out_audit_status - how bad target T is: 3 critical (open, or a critical
 * finding), 2 unknown, 1 warnings, 0 none. */
int out_audit_status(const json_t *t);

/* out_status_exit - the exit code of such a status: EXIT_OK, EXIT_WARNING,
 * EXIT_UNKNOWN or EXIT_CRITICAL */
int out_status_exit(int worst);

#endif
