/*
 * transport - the session layer over a transport: guarded commands,
 * pipelined batches, AUTH done here (so a refusal leaves the session
 * usable), and the transcript with credentials redacted.  Owns the
 * session, its reader and transcript; wipes secrets it builds.  Never
 * prints.
 */
/* explicit_bzero(3), asprintf(3) */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>

#include "strbuf.h"
#include "tlslib.h"
#include "transport.h"

struct session {
	const struct transport_ops *ops;
	struct transport *t;
	struct smtp_reader *reader;
	struct strlist log;
	int reply_timeout_ms;
	long long deadline_ms;
	bool quit;		/* QUIT was sent in a pipeline */
};

long long transport_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* clamp - TIMEOUT_MS, but no later than DEADLINE_MS (0: none); 1 ms at
 * least, so that a wait past the deadline ends at once */
static int clamp(int timeout_ms, long long deadline_ms)
{
	long long left;

	if (deadline_ms <= 0)
		return timeout_ms;
	left = deadline_ms - transport_now_ms();
	if (left < 1)
		return 1;
	return left < timeout_ms ? (int)left : timeout_ms;
}

/* wait_ms - how long the session's next wait may take */
static int wait_ms(const struct session *s)
{
	return clamp(s->reply_timeout_ms, s->deadline_ms);
}

enum relay_err session_open(const struct transport_ops *ops,
    const struct transport_opts *opts, struct session **out,
    struct transport_info *info, struct relay_diag *diag)
{
	struct session *s = calloc(1, sizeof(*s));
	enum relay_err err;

	if (s == NULL)
		return RELAY_ENOMEM;
	s->ops = ops;
	s->reply_timeout_ms = opts->reply_timeout_ms;
	s->deadline_ms = opts->deadline_ms;
	memset(info, 0, sizeof(*info));
	if (opts->deadline_ms > 0 && transport_now_ms() >= opts->deadline_ms) {
		free(s);
		return relay_diagf(diag, RELAY_ETIMEOUT, "the deadline passed "
		    "before this connection");
	}
	{
		struct transport_opts o = *opts;
		o.connect_timeout_ms = clamp(o.connect_timeout_ms, o.deadline_ms);
		o.reply_timeout_ms = clamp(o.reply_timeout_ms, o.deadline_ms);
		err = ops->open(&o, &s->t, info, &s->log, diag);
	}
	if (err != RELAY_OK) {
		strlist_release(&s->log);
		free(s);
		return err;
	}
	if ((s->reader = smtp_reader_new(ops->recv, s->t, 0, 0)) == NULL) {
		ops->close(s->t);
		strlist_release(&s->log);
		free(s);
		return RELAY_ENOMEM;
	}
	*out = s;
	return RELAY_OK;
}

/* log_reply - the reply's lines into the transcript */
static void log_reply(struct session *s, const struct smtp_reply *r)
{
	size_t i;

	for (i = 0; i < r->nlines; i++)
		strlist_addf(&s->log, "< %s", r->lines[i]);
}

/* send_line - LINE and CRLF, logged as SHOWN */
static enum relay_err send_line(struct session *s, const char *line,
    const char *shown, struct relay_diag *diag)
{
	struct strbuf b = STRBUF_INIT;
	enum relay_err err;

	strbuf_addstr(&b, line);
	strbuf_add(&b, "\r\n", 2);
	if (b.failed) {
		strbuf_release(&b);
		return RELAY_ENOMEM;
	}
	strlist_addf(&s->log, "> %s", shown);
	err = s->ops->send(s->t, b.buf, b.len, wait_ms(s), diag);
	explicit_bzero(b.buf, b.len);	/* it may hold credentials */
	strbuf_release(&b);
	return err;
}

enum relay_err session_command(struct session *s, const char *cmd,
    struct smtp_reply *reply, struct relay_diag *diag)
{
	enum relay_err err;

	memset(reply, 0, sizeof(*reply));
	if ((err = smtp_command_ok(cmd, diag)) != RELAY_OK)
		return err;
	if ((err = send_line(s, cmd, cmd, diag)) != RELAY_OK)
		return err;
	if ((err = smtp_read_reply(s->reader, wait_ms(s), reply,
	    diag)) != RELAY_OK)
		return err;
	log_reply(s, reply);
	return RELAY_OK;
}

enum relay_err session_pipeline(struct session *s, const char *const *cmds,
    size_t n, struct smtp_reply *replies, size_t *done,
    struct relay_diag *diag)
{
	struct strbuf b = STRBUF_INIT;
	enum relay_err err;
	size_t i;

	*done = 0;
	for (i = 0; i < n; i++) {
		memset(&replies[i], 0, sizeof(replies[i]));
		if ((err = smtp_command_ok(cmds[i], diag)) != RELAY_OK)
			return err;
	}
	for (i = 0; i < n; i++) {
		strbuf_addstr(&b, cmds[i]);
		strbuf_add(&b, "\r\n", 2);
		strlist_addf(&s->log, "> %s", cmds[i]);
		if (strcasecmp(cmds[i], "QUIT") == 0)
			s->quit = true;
	}
	if (b.failed) {
		strbuf_release(&b);
		return RELAY_ENOMEM;
	}
	err = s->ops->send(s->t, b.buf, b.len, wait_ms(s), diag);
	strbuf_release(&b);
	for (i = 0; i < n && err == RELAY_OK; i++) {
		err = smtp_read_reply(s->reader, wait_ms(s),
		    &replies[i], diag);
		if (err == RELAY_OK) {
			log_reply(s, &replies[i]);
			(*done)++;
		}
	}
	return err;
}

/* b64 - base64 of N bytes of IN, malloc'd */
static char *b64(const unsigned char *in, size_t n)
{
	return tlslib_b64(in, n);
}

/* step - send LINE (shown as SHOWN), read the reply; its code in *CODE */
static enum relay_err step(struct session *s, const char *line,
    const char *shown, struct smtp_reply *reply, int *code,
    struct relay_diag *diag)
{
	enum relay_err err;

	memset(reply, 0, sizeof(*reply));
	if ((err = send_line(s, line, shown, diag)) != RELAY_OK ||
	    (err = smtp_read_reply(s->reader, wait_ms(s), reply,
	    diag)) != RELAY_OK)
		return err;
	log_reply(s, reply);
	*code = reply->code;
	return RELAY_OK;
}

/* cram_response - "user hexdigest" for the base64 CHALLENGE, base64'd */
static char *cram_response(const char *challenge, const char *user,
    const char *pass)
{
	unsigned char raw[1024], mac[16];
	char hex[2 * sizeof(mac) + 1], *resp, *out = NULL;
	size_t clen = strlen(challenge), i;
	int n;

	if (clen == 0 || clen > 4 * (sizeof(raw) / 3) ||
	    (n = tlslib_unb64(challenge, clen, raw, sizeof(raw))) < 0)
		return NULL;
	/* EVP_DecodeBlock counts base64 padding as zero bytes. */
	while (clen > 0 && challenge[clen - 1] == '=' && n > 0)
		clen--, n--;
	if (tlslib_hmac_md5(pass, strlen(pass), raw, (size_t)n, mac) != 0)
		return NULL;
	for (i = 0; i < sizeof(mac); i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	if (asprintf(&resp, "%s %s", user, hex) < 0)
		return NULL;
	out = b64((unsigned char *)resp, strlen(resp));
	explicit_bzero(resp, strlen(resp));
	explicit_bzero(mac, sizeof(mac));
	explicit_bzero(hex, sizeof(hex));
	free(resp);
	return out;
}

enum relay_err session_auth(struct session *s, const char *mech,
    const char *user, const char *pass, int *code, struct relay_diag *diag)
{
	struct smtp_reply r = { 0 };
	enum relay_err err = RELAY_OK;
	char *secret = NULL, line[1200];
	size_t ulen = strlen(user), plen = strlen(pass);

	*code = 0;
	if (strcasecmp(mech, "PLAIN") == 0) {
		/* RFC 4616: authzid NUL authcid NUL passwd */
		unsigned char *msg = malloc(ulen + plen + 2);
		if (msg == NULL)
			return RELAY_ENOMEM;
		msg[0] = '\0';
		memcpy(msg + 1, user, ulen);
		msg[1 + ulen] = '\0';
		memcpy(msg + 2 + ulen, pass, plen);
		secret = b64(msg, ulen + plen + 2);
		explicit_bzero(msg, ulen + plen + 2);
		free(msg);
		if (secret == NULL)
			return RELAY_ENOMEM;
		snprintf(line, sizeof(line), "AUTH PLAIN %s", secret);
		err = step(s, line, "AUTH PLAIN <redacted>", &r, code, diag);
	} else if (strcasecmp(mech, "LOGIN") == 0) {
		err = step(s, "AUTH LOGIN", "AUTH LOGIN", &r, code, diag);
		if (err == RELAY_OK && *code == 334) {
			smtp_reply_release(&r);
			secret = b64((const unsigned char *)user, ulen);
			err = secret == NULL ? RELAY_ENOMEM :
			    step(s, secret, "<redacted>", &r, code, diag);
			free(secret);
			secret = NULL;
		}
		if (err == RELAY_OK && *code == 334) {
			smtp_reply_release(&r);
			secret = b64((const unsigned char *)pass, plen);
			err = secret == NULL ? RELAY_ENOMEM :
			    step(s, secret, "<redacted>", &r, code, diag);
		}
	} else if (strcasecmp(mech, "CRAM-MD5") == 0) {
		err = step(s, "AUTH CRAM-MD5", "AUTH CRAM-MD5", &r, code, diag);
		if (err == RELAY_OK && *code == 334) {
			secret = cram_response(smtp_reply_text(&r), user, pass);
			smtp_reply_release(&r);
			if (secret == NULL)	/* a challenge we cannot use */
				err = step(s, "*", "*", &r, code, diag);
			else
				err = step(s, secret, "<redacted>", &r, code, diag);
		}
	} else {
		if (diag != NULL)
			snprintf(diag->msg, sizeof(diag->msg), "unsupported AUTH "
			    "mechanism '%s' (CRAM-MD5, PLAIN or LOGIN)", mech);
		return RELAY_EINVAL;
	}
	if (secret != NULL) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
	explicit_bzero(line, sizeof(line));
	/* A server still asking (334) after the last step: cancel. */
	if (err == RELAY_OK && *code == 334) {
		smtp_reply_release(&r);
		err = step(s, "*", "*", &r, code, diag);
	}
	smtp_reply_release(&r);
	return err;
}

const struct strlist *session_transcript(const struct session *s)
{
	return &s->log;
}

void session_close(struct session *s)
{
	struct smtp_reply r;
	struct relay_diag d;

	if (s == NULL)
		return;
	/* QUIT, best effort, with a short wait: libcurl sends none.  One
	 * that ended a pipeline has had its answer. */
	if (s->reader != NULL && !s->quit && send_line(s, "QUIT", "QUIT", &d) == RELAY_OK &&
	    smtp_read_reply(s->reader, 1000, &r, &d) == RELAY_OK) {
		log_reply(s, &r);
		smtp_reply_release(&r);
	}
	smtp_reader_free(s->reader);
	s->ops->close(s->t);
	strlist_release(&s->log);
	free(s);
}
