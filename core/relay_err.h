/*
 * relay_err - the error codes every core function returns, and their text.
 * Owns nothing.  Codes go down, words go up: only cli/ turns a code into a
 * message for a person; core/ never prints.
 */
#ifndef RELAY_ERR_H
#define RELAY_ERR_H

#include <stddef.h>

enum relay_err {
	RELAY_OK = 0,
	RELAY_ENOMEM,		/* out of memory */
	RELAY_EINVAL,		/* bad input: argument, CIDR, config value */
	RELAY_EIO,		/* a file could not be read or written */
	RELAY_ECONNECT,		/* no TCP connection to the server */
	RELAY_ETLS,		/* TLS handshake or I/O failed */
	RELAY_ETIMEOUT,		/* the server did not answer in time */
	RELAY_EPROTO,		/* the server broke the SMTP protocol */
	RELAY_EREFUSED,		/* refused by a safety rule (e.g. DATA) */
	RELAY_ERR_COUNT		/* number of codes; not an error */
};

/* What went wrong, in words naming the file, line or host: filled by core
 * functions that take one, printed by cli/output. */
struct relay_diag {
	char msg[512];
};

/*
 * relay_diagf - fill DIAG (if not NULL) with the formatted message and
 * return ERR, so that a failure path is one statement.
 */
enum relay_err relay_diagf(struct relay_diag *diag, enum relay_err err,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * relay_strerror - a short lower-case description of ERR, without a final
 * period, e.g. "connection failed".  Never NULL: a code out of range gives
 * "unknown error".  The string is static.
 */
const char *relay_strerror(enum relay_err err);

/*
 * relay_errname - the stable symbolic name of ERR ("RELAY_ETLS"), for JSON
 * output and logs.  Never NULL; out of range gives "RELAY_EUNKNOWN".
 */
const char *relay_errname(enum relay_err err);

/*
 * RELAY_BUG - a programmer error: hand the place to the bug hook, then
 * abort.  Never returns.  core/ does not print: cli/ installs a hook that
 * does (relay_set_bug_hook); without one the abort is silent.
 */
#define RELAY_BUG(msg) relay_bug(__FILE__, __LINE__, (msg))
_Noreturn void relay_bug(const char *file, int line, const char *msg);

typedef void relay_bug_hook(const char *file, int line, const char *msg);
void relay_set_bug_hook(relay_bug_hook *hook);

#endif
