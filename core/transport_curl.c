/*
 * transport_curl - the SMTP transport on libcurl (shared/LIBCURL-SMTP.md):
 * CONNECT_ONLY does TCP, implicit TLS, the banner, EHLO with our name,
 * STARTTLS and the second EHLO; then raw curl_easy_send/recv, reading
 * until CURLE_AGAIN before polling (TLS keeps decrypted bytes inside
 * OpenSSL).  The only file that includes <curl/curl.h>; libcurl is loaded
 * by transport_global_init() (dlopen), the TLS facts come from tlslib.
 * Owns the easy handle.  Never prints.
 */
/* asprintf(3) */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Every libcurl call goes through the pointers below (no macros of
 * curl.h's own around them). */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#include "dlbind.h"
#include "strbuf.h"
#include "tlslib.h"
#include "transport.h"

/*
 * libcurl is loaded by transport_global_init(), not when relayctl starts:
 * mapping it and the two dozen libraries it needs costs more CPU than a
 * whole enable-phase on a 10,000-line main.cf (bench/config.sh), and
 * only the audit needs it.
 */
static struct curl_api {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURLcode (*easy_send)(CURL *, const void *, size_t, size_t *);
	CURLcode (*easy_recv)(CURL *, void *, size_t, size_t *);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	char *(*easy_escape)(CURL *, const char *, int);
	void (*free)(void *);
} api;

#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init	api.global_init
#define curl_easy_init		api.easy_init
#define curl_easy_setopt	api.easy_setopt
#define curl_easy_perform	api.easy_perform
#define curl_easy_getinfo	api.easy_getinfo
#define curl_easy_send		api.easy_send
#define curl_easy_recv		api.easy_recv
#define curl_easy_cleanup	api.easy_cleanup
#define curl_easy_strerror	api.easy_strerror
#define curl_easy_escape	api.easy_escape
#define curl_free		api.free

/* load_curl - libcurl's functions into API; 0, or -1 when it is missing */
static int load_curl(void)
{
	/* the soname of libcurl's ABI 4, which the headers describe */
	static const char *const sonames[] = { "libcurl.so.4", NULL };
	static const struct dl_sym syms[] = {
#define SYM(f, m) { #f, offsetof(struct curl_api, m) }
		SYM(curl_global_init, global_init),
		SYM(curl_easy_init, easy_init),
		SYM(curl_easy_setopt, easy_setopt),
		SYM(curl_easy_perform, easy_perform),
		SYM(curl_easy_getinfo, easy_getinfo),
		SYM(curl_easy_send, easy_send),
		SYM(curl_easy_recv, easy_recv),
		SYM(curl_easy_cleanup, easy_cleanup),
		SYM(curl_easy_strerror, easy_strerror),
		SYM(curl_easy_escape, easy_escape),
		SYM(curl_free, free),
#undef SYM
	};

	if (api.global_init != NULL)
		return 0;
	return dl_bind(sonames, syms, sizeof(syms) / sizeof(syms[0]), &api,
	    sizeof(api));
}

struct transport {
	CURL *curl;
	curl_socket_t fd;
	struct strbuf lines;		/* what the header callback saw */
	struct transport_info *info;	/* filled during perform */
	char errbuf[CURL_ERROR_SIZE];
};

/* header_cb - every server line during perform; the TLS facts too, which
 * libcurl gives only while perform runs */
static size_t header_cb(char *data, size_t size, size_t n, void *ctx)
{
	struct transport *t = ctx;
	const struct curl_tlssessioninfo *ti = NULL;

	strbuf_add(&t->lines, data, size * n);
	if (t->info->tls_version[0] == '\0' &&
	    curl_easy_getinfo(t->curl, CURLINFO_TLS_SSL_PTR, &ti) == CURLE_OK &&
	    ti != NULL && ti->backend == CURLSSLBACKEND_OPENSSL &&
	    ti->internals != NULL) {
		struct transport_info *in = t->info;
		tlslib_session(ti->internals, in->tls_version,
		    sizeof(in->tls_version), in->tls_cipher,
		    sizeof(in->tls_cipher));
		tlslib_cert(ti->internals, in->cert_subject,
		    sizeof(in->cert_subject), in->cert_issuer,
		    sizeof(in->cert_issuer), in->cert_not_after,
		    sizeof(in->cert_not_after));
	}
	return size * n;
}

/* replay - the replies libcurl saw, in order: the banner, EHLO (or HELO),
 * STARTTLS's 220 and the EHLO after it; fill INFO, and LOG with them and
 * the commands libcurl sent for them (named HELO) */
static void replay(struct transport *t, const char *helo,
    struct transport_info *info, struct strlist *log)
{
	struct smtp_mem m = { t->lines.buf, t->lines.len, 0 };
	struct smtp_reader *r = smtp_reader_new(smtp_mem_read, &m, 0, 0);
	struct smtp_reply rep;
	struct relay_diag d;
	size_t i;
	int k = 0, ehlos = 0;
	const char *next = "EHLO";	/* libcurl's command after a reply */

	if (r == NULL || t->lines.len == 0) {
		smtp_reader_free(r);
		return;
	}
	while (smtp_read_reply(r, 1000, &rep, &d) == RELAY_OK) {
		if (k > 0 && log != NULL)
			strlist_addf(log, strcmp(next, "STARTTLS") == 0 ? "> %s" :
			    "> %s %s", next, helo);
		for (i = 0; log != NULL && i < rep.nlines; i++)
			strlist_addf(log, "< %s", rep.lines[i]);
		if (k++ == 0) {
			info->banner_code = rep.code;
			snprintf(info->banner, sizeof(info->banner), "%s",
			    smtp_reply_text(&rep));
		} else if (rep.code == 220 && ehlos > 0) {
			/* STARTTLS accepted: what came before was clear text */
			info->starttls = info->tls = true;
			info->caps_plain = info->caps;
			memset(&info->caps, 0, sizeof(info->caps));
			next = "EHLO";
		} else if (rep.code == 250) {
			smtp_caps_parse(&rep, &info->caps);
			info->ehlo = rep.nlines > 1 || ehlos > 0 || info->ehlo;
			ehlos++;
			next = "STARTTLS";
		} else {
			next = "HELO";	/* EHLO refused: libcurl tries HELO */
		}
		smtp_reply_release(&rep);
	}
	if (!info->starttls)
		info->caps_plain = info->caps;
	smtp_reader_free(r);
}

/* map_error - a libcurl failure as an error code and words */
static enum relay_err map_error(CURLcode rc, struct transport *t,
    struct relay_diag *diag)
{
	enum relay_err err;

	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_INTERFACE_FAILED:
		err = RELAY_ECONNECT;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		err = RELAY_ETIMEOUT;
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_USE_SSL_FAILED:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
		err = RELAY_ETLS;
		break;
	default:
		err = RELAY_EPROTO;
	}
	if (diag != NULL)
		snprintf(diag->msg, sizeof(diag->msg), "%s",
		    t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc));
	return err;
}

static enum relay_err curl_open(const struct transport_opts *o,
    struct transport **out, struct transport_info *info,
    struct strlist *log, struct relay_diag *diag)
{
	struct transport *t;
	char *url = NULL, *iface = NULL, *helo = NULL, *ip = NULL;
	long reply_s = (o->reply_timeout_ms + 999) / 1000;
	CURLcode rc;
	enum relay_err err;
	long verify = 0;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return RELAY_ENOMEM;
	t->info = info;
	if ((t->curl = curl_easy_init()) == NULL ||
	    (helo = curl_easy_escape(t->curl, o->helo, 0)) == NULL ||
	    asprintf(&url, "%s://%s%s%s:%u/%s",
	    o->tls == TLS_IMPLICIT ? "smtps" : "smtp",
	    strchr(o->host, ':') ? "[" : "", o->host,
	    strchr(o->host, ':') ? "]" : "", o->port, helo) < 0) {
		url = NULL;
		err = RELAY_ENOMEM;
		goto fail;
	}
	curl_easy_setopt(t->curl, CURLOPT_URL, url);
	curl_easy_setopt(t->curl, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(t->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(t->curl, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(t->curl, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)o->connect_timeout_ms);
	curl_easy_setopt(t->curl, CURLOPT_SERVER_RESPONSE_TIMEOUT,
	    reply_s > 0 ? reply_s : 1L);
	curl_easy_setopt(t->curl, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(t->curl, CURLOPT_HEADERDATA, t);
	/* Broken certificates are findings, not reasons to stop. */
	curl_easy_setopt(t->curl, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(t->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	if (o->ca_file != NULL) {
		/* libcurl loads no CA file without peer verification: with
		 * the user's CAs, a certificate they do not sign fails the
		 * handshake. */
		curl_easy_setopt(t->curl, CURLOPT_CAINFO, o->ca_file);
		curl_easy_setopt(t->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	}
	curl_easy_setopt(t->curl, CURLOPT_USE_SSL,
	    o->tls == TLS_STARTTLS ? (long)CURLUSESSL_ALL :
	    o->tls == TLS_AUTO ? (long)CURLUSESSL_TRY : (long)CURLUSESSL_NONE);
	curl_easy_setopt(t->curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (o->source != NULL) {
		if (asprintf(&iface, "host!%s", o->source) < 0) {
			iface = NULL;
			err = RELAY_ENOMEM;
			goto fail;
		}
		curl_easy_setopt(t->curl, CURLOPT_INTERFACE, iface);
	}
	rc = curl_easy_perform(t->curl);
	replay(t, o->helo, info, log);
	if (o->tls == TLS_IMPLICIT)
		info->tls = true;
	if (rc != CURLE_OK) {
		err = map_error(rc, t, diag);
		goto fail;
	}
	if (curl_easy_getinfo(t->curl, CURLINFO_ACTIVESOCKET, &t->fd) !=
	    CURLE_OK || t->fd == CURL_SOCKET_BAD) {
		snprintf(diag->msg, sizeof(diag->msg), "no socket after connect");
		err = RELAY_ECONNECT;
		goto fail;
	}
	if (info->tls && curl_easy_getinfo(t->curl, CURLINFO_SSL_VERIFYRESULT,
	    &verify) == CURLE_OK) {
		info->verify_result = verify;
		snprintf(info->verify_text, sizeof(info->verify_text), "%s",
		    tlslib_verify_text(verify));
	}
	if (curl_easy_getinfo(t->curl, CURLINFO_LOCAL_IP, &ip) == CURLE_OK &&
	    ip != NULL)
		snprintf(info->local_addr, sizeof(info->local_addr), "%s", ip);
	if (curl_easy_getinfo(t->curl, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK &&
	    ip != NULL)
		snprintf(info->peer_addr, sizeof(info->peer_addr), "%s", ip);
	strbuf_release(&t->lines);
	t->info = NULL;
	curl_free(helo);
	free(url);
	free(iface);
	*out = t;
	return RELAY_OK;
fail:
	curl_free(helo);
	free(url);
	free(iface);
	if (t->curl != NULL)
		curl_easy_cleanup(t->curl);
	strbuf_release(&t->lines);
	free(t);
	return err;
}

/* now_ms - a monotonic clock in milliseconds */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* wait_fd - poll the socket for EVENTS until DEADLINE; 0 ready, -1 not */
static int wait_fd(curl_socket_t fd, short events, long long deadline)
{
	struct pollfd p = { fd, events, 0 };
	long long left;
	int rc;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return -1;
		rc = poll(&p, 1, left > 0x7fffffff ? 0x7fffffff : (int)left);
		if (rc > 0)
			return 0;
		if (rc == 0 || errno != EINTR)
			return -1;
	}
}

static enum relay_err curl_send(struct transport *t, const char *data,
    size_t len, int timeout_ms, struct relay_diag *diag)
{
	long long deadline = now_ms() + timeout_ms;
	size_t off = 0, n;
	CURLcode rc;

	while (off < len) {
		n = 0;
		rc = curl_easy_send(t->curl, data + off, len - off, &n);
		if (rc == CURLE_AGAIN) {
			if (wait_fd(t->fd, POLLOUT, deadline) < 0) {
				snprintf(diag->msg, sizeof(diag->msg), "could not "
				    "send in time");
				return RELAY_ETIMEOUT;
			}
			continue;
		}
		if (rc != CURLE_OK) {
			snprintf(diag->msg, sizeof(diag->msg), "send failed: %s",
			    curl_easy_strerror(rc));
			return RELAY_EPROTO;
		}
		off += n;
	}
	return RELAY_OK;
}

static enum relay_err curl_recv(void *ctx, char *buf, size_t len, size_t *got,
    int timeout_ms)
{
	struct transport *t = ctx;
	long long deadline = now_ms() + timeout_ms;
	CURLcode rc;

	*got = 0;
	for (;;) {
		/* recv first: TLS may hold decrypted bytes poll cannot see */
		rc = curl_easy_recv(t->curl, buf, len, got);
		if (rc == CURLE_OK)
			return RELAY_OK;	/* *got == 0: closed */
		if (rc != CURLE_AGAIN)
			return rc == CURLE_RECV_ERROR || rc == CURLE_UNSUPPORTED_PROTOCOL ?
			    RELAY_EPROTO : RELAY_ETLS;
		if (wait_fd(t->fd, POLLIN, deadline) < 0)
			return RELAY_ETIMEOUT;
	}
}

static void curl_close(struct transport *t)
{
	if (t == NULL)
		return;
	curl_easy_cleanup(t->curl);
	strbuf_release(&t->lines);
	free(t);
}

enum relay_err transport_global_init(void)
{
	if (load_curl() != 0 || tlslib_load() != 0)
		return RELAY_EIO;
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? RELAY_OK :
	    RELAY_EIO;
}

const struct transport_ops transport_curl = {
	"curl",
	curl_open,
	curl_send,
	curl_recv,
	curl_close,
};
