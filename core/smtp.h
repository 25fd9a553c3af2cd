/*
 * smtp - the SMTP protocol pieces the audit needs, without I/O of their
 * own: the reply reader (a line buffer across partial reads, multi-line
 * replies, enhanced status codes, caps on line and reply size, EOF and
 * garbage as errors, a deadline so it never hangs), the EHLO capability
 * parser, and the guard every command passes (no DATA, no BDAT, no CR or
 * LF inside).  Owns its buffer and the replies it fills.  Never prints.
 */
#ifndef RELAY_SMTP_H
#define RELAY_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "relay_err.h"

/*
 * The byte source of a reader: read at most LEN bytes into BUF, waiting at
 * most TIMEOUT_MS; *GOT = 0 means the peer closed the connection.
 * RELAY_ETIMEOUT when nothing came in time; other errors as they happen.
 */
typedef enum relay_err smtp_read_fn(void *ctx, char *buf, size_t len,
    size_t *got, int timeout_ms);

/* A byte source over memory, for replaying replies already received. */
struct smtp_mem {
	const char *p;
	size_t len, off;
};

/* smtp_mem_read - an smtp_read_fn over a struct smtp_mem (CTX): hands out
 * the bytes, then reports the end (*GOT = 0). */
enum relay_err smtp_mem_read(void *ctx, char *buf, size_t len, size_t *got,
    int timeout_ms);

struct smtp_reply {
	int code;		/* 200..599 */
	char enh[16];		/* enhanced status code "5.7.1", or "" */
	char **lines;		/* the reply's lines as received, without CRLF */
	size_t nlines;
	size_t bytes;		/* of all its lines */
};

#define SMTP_MAX_LINE 4096	/* default cap of one line, CRLF included */
#define SMTP_MAX_REPLY 65536	/* default cap of one reply */

struct smtp_reader;

/*
 * smtp_reader_new - a reader pulling bytes with FN(CTX); MAX_LINE and
 * MAX_REPLY cap a line and a whole reply (0: the defaults above).  NULL
 * when out of memory.
 */
struct smtp_reader *smtp_reader_new(smtp_read_fn *fn, void *ctx,
    size_t max_line, size_t max_reply);

void smtp_reader_free(struct smtp_reader *r);

/*
 * smtp_read_reply - the next complete reply into *OUT (release it with
 * smtp_reply_release), within TIMEOUT_MS for the whole reply.  Bytes after
 * it stay buffered for the next call (pipelined replies).  Errors, with
 * DIAG saying what was seen: RELAY_ETIMEOUT (nothing complete in time),
 * RELAY_EPROTO (closed mid-reply or before one, a line that is not
 * "ddd text" / "ddd-text" with a first digit 2 to 5, a NUL byte, codes
 * that change inside one reply, a line or reply over its cap).  After an
 * error the reader is unusable: the connection is out of step.
 */
enum relay_err smtp_read_reply(struct smtp_reader *r, int timeout_ms,
    struct smtp_reply *out, struct relay_diag *diag);

/* smtp_reader_pending - bytes buffered past the last reply read. */
size_t smtp_reader_pending(const struct smtp_reader *r);

void smtp_reply_release(struct smtp_reply *reply);

/* smtp_reply_last - the last line's text after "ddd " or "ddd-" (borrowed). */
const char *smtp_reply_text(const struct smtp_reply *reply);

/* What an EHLO reply offers. */
struct smtp_caps {
	bool pipelining, starttls, chunking, enhancedstatuscodes, smtputf8;
	unsigned long size;	/* SIZE limit, 0 if none given */
	unsigned auth;		/* MECH_* bits of the AUTH keyword(s) */
	char auth_list[256];	/* the AUTH mechanisms as offered, in order */
};

/* smtp_caps_parse - the capabilities of EHLO reply REPLY (250 lines after
 * the first; "AUTH=" too, the old form). */
void smtp_caps_parse(const struct smtp_reply *reply, struct smtp_caps *caps);

/*
 * smtp_command_ok - CMD may be sent: refused with RELAY_EREFUSED and a
 * message in DIAG when its verb is DATA or BDAT (any case) or when it
 * holds CR, LF or NUL; RELAY_EINVAL when it is empty or longer than 510
 * bytes (RFC 5321's command line limit without CRLF).
 */
enum relay_err smtp_command_ok(const char *cmd, struct relay_diag *diag);

#endif
