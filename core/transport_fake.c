/*
 * transport_fake - a scripted server for unit tests.  Connections may run
 * in several threads at once: the script is shared under one lock.
 * Owns its reply buffer.  Never prints.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "transport_fake.h"

static pthread_mutex_t script_lock = PTHREAD_MUTEX_INITIALIZER;

struct transport {
	struct fake_script *s;
	struct strbuf out;	/* bytes the fake has still to hand out */
	size_t off;
	struct strbuf in;	/* a partial line sent by the session */
	int closed;
	int counted;		/* in the script's open_now */
};

static enum relay_err fake_open(const struct transport_opts *o,
    struct transport **out, struct transport_info *info, struct strlist *log,
    struct relay_diag *diag)
{
	struct transport *t = calloc(1, sizeof(*t));
	struct fake_script *s = o->ctx;
	char *copy, *line, *save = NULL;
	const char *banner;
	int busy;

	(void)diag;
	if (t == NULL)
		return RELAY_ENOMEM;
	t->s = s;
	pthread_mutex_lock(&script_lock);
	s->opens++;
	s->source = o->source;
	busy = s->max_open > 0 && s->open_now >= s->max_open;
	if (!busy)
		s->open_now++;
	t->counted = !busy;
	pthread_mutex_unlock(&script_lock);
	snprintf(info->peer_addr, sizeof(info->peer_addr), "192.0.2.25");
	snprintf(info->local_addr, sizeof(info->local_addr), "%s",
	    o->source != NULL ? o->source : "198.51.100.66");
	banner = busy ? "421 4.7.0 mx.relayctl.test too many connections\r\n" :
	    s->banner;
	info->banner_code = atoi(banner);
	snprintf(info->banner, sizeof(info->banner), "%.*s",
	    (int)strcspn(banner + 4, "\r\n"), banner + 4);
	if (busy) {
		*out = t;
		return RELAY_OK;
	}
	if ((copy = strdup(s->ehlo)) != NULL) {
		/* The EHLO reply's capabilities, parsed line by line. */
		struct smtp_reply r = { 0 };
		char *lines[64];
		r.lines = lines;
		for (line = strtok_r(copy, "\r\n", &save); line != NULL &&
		    r.nlines < 64; line = strtok_r(NULL, "\r\n", &save)) {
			lines[r.nlines++] = line;
			if (log != NULL)
				strlist_addf(log, "< %s", line);
		}
		r.code = atoi(s->ehlo);
		smtp_caps_parse(&r, &info->caps);
		info->caps_plain = info->caps;
		info->ehlo = r.code == 250;
		free(copy);
	}
	*out = t;
	return RELAY_OK;
}

/* take_line - one complete line the session sent: match it */
static void take_line(struct transport *t, const char *line)
{
	struct fake_script *s = t->s;
	const struct fake_step *st;

	s->sent_lines++;
	if (s->respond != NULL) {
		const char *reply = s->respond(line, s->ctx);
		if (reply == NULL)
			t->closed = 1;
		else
			strbuf_addstr(&t->out, reply);
		if (reply != NULL && strncmp(reply, "421", 3) == 0)
			t->closed = 1;	/* said it is closing: closes */
		return;
	}
	if (s->next >= s->nsteps) {
		if (s->mismatch[0] == '\0')
			snprintf(s->mismatch, sizeof(s->mismatch),
			    "unexpected '%s' after the script", line);
		t->closed = 1;
		return;
	}
	st = &s->steps[s->next++];
	if (strcmp(st->expect, "<close>") == 0) {
		t->closed = 1;
		return;
	}
	if (strncmp(line, st->expect, strlen(st->expect)) != 0 &&
	    s->mismatch[0] == '\0')
		snprintf(s->mismatch, sizeof(s->mismatch), "step %zu: got '%s', "
		    "want '%s'", s->next - 1, line, st->expect);
	strbuf_addstr(&t->out, st->reply);
}

static enum relay_err fake_send(struct transport *t, const char *data,
    size_t len, int timeout_ms, struct relay_diag *diag)
{
	size_t i;

	(void)timeout_ms;
	if (t->closed) {
		snprintf(diag->msg, sizeof(diag->msg), "connection closed");
		return RELAY_EPROTO;
	}
	pthread_mutex_lock(&script_lock);
	t->s->sends++;
	for (i = 0; i < len && !t->closed; i++) {
		if (data[i] == '\n') {
			char *line = strbuf_detach(&t->in, NULL);
			size_t n = line != NULL ? strlen(line) : 0;
			if (line == NULL) {
				pthread_mutex_unlock(&script_lock);
				return RELAY_ENOMEM;
			}
			if (n > 0 && line[n - 1] == '\r')
				line[n - 1] = '\0';
			take_line(t, line);
			free(line);
		} else {
			strbuf_add(&t->in, &data[i], 1);
		}
	}
	pthread_mutex_unlock(&script_lock);
	return RELAY_OK;
}

static enum relay_err fake_recv(void *ctx, char *buf, size_t len, size_t *got,
    int timeout_ms)
{
	struct transport *t = ctx;
	size_t left = t->out.len - t->off;

	(void)timeout_ms;
	*got = 0;
	if (left == 0)
		return t->closed ? RELAY_OK : RELAY_ETIMEOUT;
	*got = left < len ? left : len;
	memcpy(buf, t->out.buf + t->off, *got);
	t->off += *got;
	return RELAY_OK;
}

static void fake_close(struct transport *t)
{
	if (t == NULL)
		return;
	if (t->counted) {
		pthread_mutex_lock(&script_lock);
		t->s->open_now--;
		pthread_mutex_unlock(&script_lock);
	}
	strbuf_release(&t->out);
	strbuf_release(&t->in);
	free(t);
}

const struct transport_ops transport_fake = {
	"fake",
	fake_open,
	fake_send,
	fake_recv,
	fake_close,
};
