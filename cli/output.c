/*
 * output - error messages, JSON documents and the final flush of stdout.
 * Owns nothing.  The only file besides the handlers' help that prints.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
