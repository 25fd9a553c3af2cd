/*
 * transport - an SMTP connection for the audit: an operations table (the
 * libcurl one in transport_curl.c, a scripted fake in transport_fake.c)
 * and the session layer every caller uses on top of it: one command at a
 * time or pipelined batches, each through smtp_command_ok() (never DATA),
 * AUTH with a chosen mechanism done by relayctl itself so that a refused
 * AUTH leaves the session usable, and a transcript with credentials
 * redacted.  Owns the connection and the transcript.  Never prints.
 */
#ifndef RELAY_TRANSPORT_H
#define RELAY_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "relay_err.h"
#include "smtp.h"
#include "strlist.h"

enum tls_mode {
	TLS_AUTO,	/* STARTTLS when offered, else plain */
	TLS_STARTTLS,	/* STARTTLS required: fail without it */
	TLS_IMPLICIT,	/* TLS from the first byte (smtps, port 465) */
	TLS_NONE	/* never TLS */
};

struct transport_opts {
	const char *host;	/* name, IPv4 or IPv6 address (no brackets) */
	unsigned port;
	enum tls_mode tls;
	const char *source;	/* local address to connect from, or NULL */
	const char *helo;	/* the EHLO name; never the local hostname */
	int connect_timeout_ms;	/* TCP, TLS, banner, EHLO and STARTTLS */
	int reply_timeout_ms;	/* each later reply */
	long long deadline_ms;	/* an end for every wait, on transport_now_ms()'s
				 * clock; 0: none */
	const char *ca_file;	/* CA certificates to verify with, or NULL:
				 * the system's */
	void *ctx;		/* for a test transport's script; else NULL */
};

/* What the connection set up learnt. */
struct transport_info {
	int banner_code;
	char banner[512];	/* the banner's last line */
	bool ehlo;		/* EHLO accepted (else HELO) */
	struct smtp_caps caps;	/* of the last EHLO: inside TLS when TLS */
	struct smtp_caps caps_plain; /* of the EHLO before STARTTLS */
	bool tls;		/* the session is inside TLS */
	bool starttls;		/* ... by STARTTLS (not implicit) */
	char tls_version[32];	/* "TLSv1.3" */
	char tls_cipher[96];	/* "TLS_AES_256_GCM_SHA384" */
	long verify_result;	/* X509 verification result, 0 when valid */
	char verify_text[128];	/* ... in words */
	char cert_subject[256];	/* the server certificate's subject */
	char cert_issuer[256];
	char cert_not_after[64];	/* "Nov 30 12:00:00 2026 GMT" */
	char local_addr[64];	/* the address the server sees */
	char peer_addr[64];	/* the server's address we connected to */
};

struct transport;

struct transport_ops {
	const char *name;
	/* open - connect, read the banner, EHLO, STARTTLS as asked; the
	 * lines seen go to LOG (may be NULL) */
	enum relay_err (*open)(const struct transport_opts *,
	    struct transport **, struct transport_info *, struct strlist *log,
	    struct relay_diag *);
	/* send - all LEN bytes of DATA, within TIMEOUT_MS */
	enum relay_err (*send)(struct transport *, const char *data, size_t len,
	    int timeout_ms, struct relay_diag *);
	/* recv - as smtp_read_fn, on the transport itself */
	enum relay_err (*recv)(void *transport, char *buf, size_t len,
	    size_t *got, int timeout_ms);
	/* close - free everything; the session has sent QUIT */
	void (*close)(struct transport *);
};

extern const struct transport_ops transport_curl;

/* transport_global_init - once per process, before any thread: libcurl's
 * global state.  RELAY_EIO when libcurl cannot start. */
enum relay_err transport_global_init(void);

/* transport_now_ms - the monotonic clock of deadline_ms, in ms */
long long transport_now_ms(void);

/* A session: a transport, its reply reader and its transcript. */
struct session;

/*
 * session_open - connect with OPS and OPTS.  *OUT is the session, INFO
 * what was learnt.  Every wait of the session, this one included, ends by
 * OPTS->deadline_ms; a deadline already passed is RELAY_ETIMEOUT at once.  RELAY_ECONNECT, RELAY_ETLS, RELAY_ETIMEOUT or
 * RELAY_EPROTO with DIAG saying what happened.
 */
enum relay_err session_open(const struct transport_ops *ops,
    const struct transport_opts *opts, struct session **out,
    struct transport_info *info, struct relay_diag *diag);

/* session_command - send CMD (checked by smtp_command_ok) and read its
 * reply into *REPLY. */
enum relay_err session_command(struct session *s, const char *cmd,
    struct smtp_reply *reply, struct relay_diag *diag);

/*
 * session_pipeline - send the N commands CMDS in one write and read their
 * N replies into REPLIES (for servers that offer PIPELINING).  Every
 * command is checked before anything is sent.  On error the replies read
 * so far are kept (*DONE of them).  A QUIT (the last command of a
 * pipeline, RFC 2920) is not sent again by session_close().
 */
enum relay_err session_pipeline(struct session *s, const char *const *cmds,
    size_t n, struct smtp_reply *replies, size_t *done,
    struct relay_diag *diag);

/*
 * session_auth - AUTH MECH ("CRAM-MD5", "PLAIN" or "LOGIN") as USER with
 * PASS, done by relayctl over the session.  *CODE is the final reply code;
 * success is 235 only.  The transcript shows the exchange with the
 * credentials replaced by "<redacted>".  A refused AUTH leaves the session
 * usable.
 */
enum relay_err session_auth(struct session *s, const char *mech,
    const char *user, const char *pass, int *code, struct relay_diag *diag);

/* session_transcript - every line sent ("> ") and received ("< "). */
const struct strlist *session_transcript(const struct session *s);

/* session_close - QUIT (best effort), close, free; NULL is safe. */
void session_close(struct session *s);

#endif
