/*
 * transport_fake - a scripted SMTP server behind the transport operations,
 * for unit tests of everything above the transport: it checks each line
 * the session sends against the script and answers with the scripted
 * reply.  Owns nothing; the script is the caller's.  Never prints.
 */
#ifndef RELAY_TRANSPORT_FAKE_H
#define RELAY_TRANSPORT_FAKE_H

#include <stddef.h>

#include "transport.h"

/* One exchange: when the session sends a line starting with EXPECT ("" for
 * any line), the fake answers REPLY (whole lines, CRLF included; "" for
 * no answer, e.g. within a pipeline).  EXPECT "<close>" makes the fake
 * close the connection instead, and so does a reply of 421 after it is
 * sent.  The script is shared by connections in several threads under a
 * lock; RESPOND runs under it. */
struct fake_step {
	const char *expect;
	const char *reply;
};

struct fake_script {
	const char *banner;		/* the banner, CRLF included */
	const char *ehlo;		/* the EHLO reply, CRLF included */
	const struct fake_step *steps;
	size_t nsteps;
	/* Instead of steps: the reply to each line (CRLF included), NULL to
	 * close the connection. */
	const char *(*respond)(const char *line, void *ctx);
	void *ctx;
	size_t max_open;		/* connections at once; more get a
					 * 421 banner; 0: no limit */
	/* filled by the fake: */
	size_t next;			/* steps done */
	char mismatch[256];		/* the first unexpected line, if any */
	size_t sent_lines;
	size_t sends;			/* writes (a pipeline is one) */
	size_t opens;			/* connections */
	size_t open_now;		/* connections open now */
	const char *source;		/* the source address of the last open */
};

/* transport_fake - operations whose open() plays the struct fake_script
 * in opts->ctx; the server's address is always 192.0.2.25 */
extern const struct transport_ops transport_fake;

#endif
