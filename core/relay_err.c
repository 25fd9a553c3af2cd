/*
 * relay_err - texts and names of the core error codes.
 * Owns only static strings and the bug hook.  Must not print.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "relay_err.h"

static const struct {
	const char *name;
	const char *text;
} errs[RELAY_ERR_COUNT] = {
	[RELAY_OK] =		{ "RELAY_OK",		"success" },
	[RELAY_ENOMEM] =	{ "RELAY_ENOMEM",	"out of memory" },
	[RELAY_EINVAL] =	{ "RELAY_EINVAL",	"invalid input" },
	[RELAY_EIO] =		{ "RELAY_EIO",		"input/output error" },
	[RELAY_ECONNECT] =	{ "RELAY_ECONNECT",	"connection failed" },
	[RELAY_ETLS] =		{ "RELAY_ETLS",		"TLS failure" },
	[RELAY_ETIMEOUT] =	{ "RELAY_ETIMEOUT",	"timed out" },
	[RELAY_EPROTO] =	{ "RELAY_EPROTO",	"SMTP protocol error" },
	[RELAY_EREFUSED] =	{ "RELAY_EREFUSED",	"refused by a safety rule" },
};

/* in_range - ERR is one of the codes of the table */
static int in_range(enum relay_err err)
{
	return (unsigned)err < RELAY_ERR_COUNT && errs[err].name != NULL;
}

const char *relay_strerror(enum relay_err err)
{
	return in_range(err) ? errs[err].text : "unknown error";
}

const char *relay_errname(enum relay_err err)
{
	return in_range(err) ? errs[err].name : "RELAY_EUNKNOWN";
}

enum relay_err relay_diagf(struct relay_diag *diag, enum relay_err err,
    const char *fmt, ...)
{
	va_list ap;

	if (diag != NULL) {
		va_start(ap, fmt);
		vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
		va_end(ap);
	}
	return err;
}

static relay_bug_hook *bug_hook;

void relay_set_bug_hook(relay_bug_hook *hook)
{
	bug_hook = hook;
}

_Noreturn void relay_bug(const char *file, int line, const char *msg)
{
	if (bug_hook != NULL)
		bug_hook(file, line, msg);
	abort();
}
