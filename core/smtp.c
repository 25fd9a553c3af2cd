/*
 * smtp - the reply reader, the EHLO capability parser and the command
 * guard.  Owns the reader's buffer and the lines of the replies it fills.
 * Never prints; does no I/O but through the caller's read function.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "policy.h"
#include "smtp.h"

struct smtp_reader {
	smtp_read_fn *fn;
	void *ctx;
	size_t max_line, max_reply;
	char *buf;		/* received, not yet consumed */
	size_t len, cap;
	int broken;		/* a previous error: out of step */
};


/* shown - up to 60 bytes of S (N bytes) made printable, for messages */
static const char *shown(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n && i < 60 && o + 5 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
	}
	if (i < n && o + 4 < outlen)
		o += (size_t)snprintf(out + o, outlen - o, "...");
	out[o] = '\0';
	return out;
}

enum relay_err smtp_mem_read(void *ctx, char *buf, size_t len, size_t *got,
    int timeout_ms)
{
	struct smtp_mem *m = ctx;
	size_t k = m->len - m->off < len ? m->len - m->off : len;

	(void)timeout_ms;
	memcpy(buf, m->p + m->off, k);
	m->off += k;
	*got = k;
	return RELAY_OK;
}

struct smtp_reader *smtp_reader_new(smtp_read_fn *fn, void *ctx,
    size_t max_line, size_t max_reply)
{
	struct smtp_reader *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->fn = fn;
	r->ctx = ctx;
	r->max_line = max_line ? max_line : SMTP_MAX_LINE;
	r->max_reply = max_reply ? max_reply : SMTP_MAX_REPLY;
	r->cap = r->max_line + 1;
	if ((r->buf = malloc(r->cap)) == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

void smtp_reader_free(struct smtp_reader *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r);
}

size_t smtp_reader_pending(const struct smtp_reader *r)
{
	return r->len;
}

void smtp_reply_release(struct smtp_reply *reply)
{
	size_t i;

	if (reply == NULL)
		return;
	for (i = 0; i < reply->nlines; i++)
		free(reply->lines[i]);
	free(reply->lines);
	memset(reply, 0, sizeof(*reply));
}

const char *smtp_reply_text(const struct smtp_reply *reply)
{
	const char *l;

	if (reply->nlines == 0)
		return "";
	l = reply->lines[reply->nlines - 1];
	return strlen(l) > 4 ? l + 4 : "";
}

/* now_ms - a monotonic clock in milliseconds */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* fill - read more bytes into the buffer before DEADLINE */
static enum relay_err fill(struct smtp_reader *r, long long deadline,
    int midway, struct relay_diag *diag)
{
	long long left = deadline - now_ms();
	size_t got = 0;
	enum relay_err err;

	if (left <= 0)
		return relay_diagf(diag, RELAY_ETIMEOUT, "no complete reply in time");
	if (r->len >= r->cap)	/* the line cap is checked before */
		return relay_diagf(diag, RELAY_EPROTO, "reply line longer than %zu "
		    "bytes", r->max_line);
	err = r->fn(r->ctx, r->buf + r->len, r->cap - r->len, &got,
	    left > 0x7fffffff ? 0x7fffffff : (int)left);
	if (err == RELAY_ETIMEOUT)
		return relay_diagf(diag, err, "no complete reply in time");
	if (err != RELAY_OK)
		return relay_diagf(diag, err, "%s", relay_strerror(err));
	if (got == 0)
		return relay_diagf(diag, RELAY_EPROTO, "connection closed by the "
		    "server%s", midway || r->len ? " in the middle of a reply" :
		    "");
	r->len += got;
	return RELAY_OK;
}

/* add_line - append LINE (N bytes) to REPLY */
static enum relay_err add_line(struct smtp_reply *reply, const char *line,
    size_t n)
{
	char **nl, *copy;

	if ((copy = malloc(n + 1)) == NULL)
		return RELAY_ENOMEM;
	memcpy(copy, line, n);
	copy[n] = '\0';
	if ((nl = realloc(reply->lines, (reply->nlines + 1) * sizeof(*nl))) ==
	    NULL) {
		free(copy);
		return RELAY_ENOMEM;
	}
	reply->lines = nl;
	reply->lines[reply->nlines++] = copy;
	reply->bytes += n + 2;
	return RELAY_OK;
}

/* parse_enh - the enhanced status code at the start of TEXT, if any:
 * class.subject.detail with class 2, 4 or 5 matching CODE */
static void parse_enh(int code, const char *text, char *enh, size_t len)
{
	const char *p = text;
	int parts = 0, digits;

	enh[0] = '\0';
	if (*p != '2' && *p != '4' && *p != '5')
		return;
	if (*p - '0' != code / 100)
		return;
	for (;;) {
		for (digits = 0; isdigit((unsigned char)*p) && digits < 3; digits++)
			p++;
		if (digits == 0)
			return;
		if (++parts == 3)
			break;
		if (*p++ != '.')
			return;
	}
	if (*p != '\0' && *p != ' ')
		return;
	if ((size_t)(p - text) < len)
		snprintf(enh, len, "%.*s", (int)(p - text), text);
}

enum relay_err smtp_read_reply(struct smtp_reader *r, int timeout_ms,
    struct smtp_reply *out, struct relay_diag *diag)
{
	long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	enum relay_err err;
	char *nl, show[320];
	size_t n, used;
	int code, last;

	memset(out, 0, sizeof(*out));
	if (r->broken)
		return relay_diagf(diag, RELAY_EPROTO, "the connection is out of step "
		    "after an earlier error");
	for (;;) {
		nl = memchr(r->buf, '\n', r->len);
		if (nl == NULL) {
			if (r->len >= r->max_line) {
				err = relay_diagf(diag, RELAY_EPROTO, "reply line longer "
				    "than %zu bytes: '%s'", r->max_line,
				    shown(r->buf, r->len, show, sizeof(show)));
				goto fail;
			}
			if ((err = fill(r, deadline, out->nlines > 0, diag)) !=
			    RELAY_OK)
				goto fail;
			continue;
		}
		used = (size_t)(nl - r->buf) + 1;
		if (used > r->max_line) {	/* the cap holds the line end too */
			err = relay_diagf(diag, RELAY_EPROTO, "reply line longer "
			    "than %zu bytes: '%s'", r->max_line,
			    shown(r->buf, used - 1, show, sizeof(show)));
			goto fail;
		}
		n = used - 1;
		if (n > 0 && r->buf[n - 1] == '\r')
			n--;	/* a bare LF ends a line too, as Postfix allows */
		if (memchr(r->buf, '\0', n) != NULL ||
		    n < 3 || r->buf[0] < '2' || r->buf[0] > '5' ||
		    !isdigit((unsigned char)r->buf[1]) ||
		    !isdigit((unsigned char)r->buf[2]) ||
		    (n > 3 && r->buf[3] != ' ' && r->buf[3] != '-')) {
			err = relay_diagf(diag, RELAY_EPROTO, "malformed reply line '%s'",
			    shown(r->buf, n, show, sizeof(show)));
			goto fail;
		}
		code = (r->buf[0] - '0') * 100 + (r->buf[1] - '0') * 10 +
		    (r->buf[2] - '0');
		if (out->nlines > 0 && code != out->code) {
			err = relay_diagf(diag, RELAY_EPROTO, "reply code changes from "
			    "%d to %d inside one reply", out->code, code);
			goto fail;
		}
		if (out->bytes + n + 2 > r->max_reply) {
			err = relay_diagf(diag, RELAY_EPROTO, "reply longer than %zu "
			    "bytes (%zu lines so far)", r->max_reply, out->nlines);
			goto fail;
		}
		out->code = code;
		last = n == 3 || r->buf[3] == ' ';
		if ((err = add_line(out, r->buf, n)) != RELAY_OK)
			goto fail;
		memmove(r->buf, r->buf + used, r->len - used);
		r->len -= used;
		if (last)
			break;
	}
	if (out->nlines > 0) {
		const char *first = out->lines[0];
		parse_enh(out->code, strlen(first) > 4 ? first + 4 : "", out->enh,
		    sizeof(out->enh));
	}
	return RELAY_OK;
fail:
	r->broken = 1;
	smtp_reply_release(out);
	return err;
}

void smtp_caps_parse(const struct smtp_reply *reply, struct smtp_caps *caps)
{
	size_t i, off;
	char word[64], *save = NULL, *t, line[SMTP_MAX_LINE];
	const char *kw;

	memset(caps, 0, sizeof(*caps));
	if (reply->code != 250)
		return;
	for (i = 1; i < reply->nlines; i++) {
		kw = strlen(reply->lines[i]) > 4 ? reply->lines[i] + 4 : "";
		snprintf(word, sizeof(word), "%.*s", (int)strcspn(kw, " ="), kw);
		if (strcasecmp(word, "PIPELINING") == 0)
			caps->pipelining = true;
		else if (strcasecmp(word, "STARTTLS") == 0)
			caps->starttls = true;
		else if (strcasecmp(word, "CHUNKING") == 0)
			caps->chunking = true;
		else if (strcasecmp(word, "ENHANCEDSTATUSCODES") == 0)
			caps->enhancedstatuscodes = true;
		else if (strcasecmp(word, "SMTPUTF8") == 0)
			caps->smtputf8 = true;
		else if (strcasecmp(word, "SIZE") == 0)
			caps->size = strtoul(kw + 4 + strspn(kw + 4, " ="), NULL, 10);
		else if (strcasecmp(word, "AUTH") == 0) {
			snprintf(line, sizeof(line), "%s", kw + 4);
			for (t = strtok_r(line, " =", &save); t != NULL;
			    t = strtok_r(NULL, " =", &save)) {
				unsigned bit = mech_bit(t);
				int seen = 0;
				/* "AUTH=" and "AUTH " may both list a mechanism */
				if ((caps->auth & bit) && bit != MECH_OTHER)
					seen = 1;
				caps->auth |= bit;
				off = strlen(caps->auth_list);
				if (!seen && off + strlen(t) + 2 < sizeof(caps->auth_list))
					snprintf(caps->auth_list + off,
					    sizeof(caps->auth_list) - off, "%s%s",
					    off ? " " : "", t);
			}
		}
	}
}

enum relay_err smtp_command_ok(const char *cmd, struct relay_diag *diag)
{
	size_t n = strlen(cmd), verb = strcspn(cmd, " ");

	if (n == 0)
		return relay_diagf(diag, RELAY_EINVAL, "empty SMTP command");
	if (strpbrk(cmd, "\r\n") != NULL)
		return relay_diagf(diag, RELAY_EREFUSED, "refusing to send a command "
		    "with CR or LF inside");
	if ((verb == 4 && strncasecmp(cmd, "DATA", 4) == 0) ||
	    (verb == 4 && strncasecmp(cmd, "BDAT", 4) == 0))
		return relay_diagf(diag, RELAY_EREFUSED, "refusing to send %.4s: an "
		    "audit never sends a message", cmd);
	if (n > 510)
		return relay_diagf(diag, RELAY_EINVAL, "SMTP command longer than 510 "
		    "bytes");
	return RELAY_OK;
}
