/*
 * verify - the self-check of enable-phase --verify: which listener, which
 * sources, waiting for the reload to show, the audit against the phase.
 * Prints the audit in text mode.
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "expect.h"
#include "output.h"
#include "vantage.h"
#include "verify.h"

/* listener - host and port of the service SERVICE ("127.0.0.1:2525",
 * "smtp", "[::1]:25"); the loopback address when it listens on all */
static int listener(const char *service, char *host, size_t hostlen,
    unsigned *port)
{
	const char *colon = strrchr(service, ':'), *name = colon ? colon + 1 :
	    service;
	struct servent *se;
	char *end;
	long p = strtol(name, &end, 10);

	if (*end != '\0' || end == name) {
		if ((se = getservbyname(name, "tcp")) == NULL)
			return -1;
		p = ntohs((uint16_t)se->s_port);
	}
	if (p < 1 || p > 65535)
		return -1;
	*port = (unsigned)p;
	if (colon == NULL || colon == service || (colon == service + 1 &&
	    *service == '*'))
		snprintf(host, hostlen, "127.0.0.1");
	else if (*service == '[')
		snprintf(host, hostlen, "%.*s", (int)(colon - service - 2),
		    service + 1);
	else
		snprintf(host, hostlen, "%.*s", (int)(colon - service), service);
	return 0;
}

/* allowed_source - an address of this machine on P's allow list (a
 * loopback one), or NULL */
static const char *allowed_source(const struct policy *p, char *buf,
    size_t len)
{
	size_t i;

	for (i = 0; i < p->nallow; i++) {
		const struct cidr *c = &p->allow[i];
		if (c->family != AF_INET || c->addr[0] != 127)
			continue;
		snprintf(buf, len, "%u.%u.%u.%u", c->addr[0], c->addr[1],
		    c->addr[2], c->addr[3] + (c->prefix < 31 ? 1 : 0));
		return buf;
	}
	return NULL;
}

/* sleep_ms - pause MS milliseconds */
static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* where - the listener of the configuration in CLI: HOST, *PORT and the
 * report in REP (released by the caller); 0, or -1 after a message */
static int where(struct cli *cli, struct backend_report *rep, char *host,
    size_t hostlen, unsigned *port)
{
	struct backend_opts bo = { cli->config_dir, cli->pf_version };
	struct backend *be = NULL;
	struct relay_diag diag = { "" };
	int rc = 0;

	memset(rep, 0, sizeof(*rep));
	if (postfix_backend.open(&bo, &be, &diag) != RELAY_OK ||
	    postfix_backend.read_policy(be, rep, &diag) != RELAY_OK) {
		out_error("verify: %s", diag.msg);
		rc = -1;
	} else if (listener(rep->service, host, hostlen, port) != 0) {
		out_error("verify: cannot tell where the service '%s' listens",
		    rep->service);
		rc = -1;
	}
	if (be != NULL)
		postfix_backend.close(be);
	return rc;
}

int verify_opt(struct verify_ctx *v, int c, const char *arg, const char *who)
{
	char *end;

	switch (c) {
	case OPT_LONG_ONLY + 2:
		v->on = true;
		return 1;
	case OPT_LONG_ONLY + 3:
		v->source = arg;
		return 1;
	case OPT_LONG_ONLY + 4:
		v->allowed = arg;
		return 1;
	case OPT_LONG_ONLY + 5:
		v->wait_s = strtod(arg, &end);
		if (*end != '\0' || !(v->wait_s >= 0 && v->wait_s <= 600)) {
			out_error("%s: invalid --verify-wait '%s': give seconds, "
			    "from 0 to 600", who, arg);
			return -1;
		}
		v->wait_set = true;
		return 1;
	}
	return 0;
}

int verify_opts_check(const struct verify_ctx *v, const char *who)
{
	if ((v->source != NULL || v->allowed != NULL || v->wait_set) && !v->on) {
		out_error("%s: --verify-source, --verify-allowed-source and "
		    "--verify-wait need --verify", who);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

bool verify_probe(struct cli *cli, const struct verify_ctx *v)
{
	struct backend_report rep;
	struct transport_opts o = { 0 };
	struct transport_info info;
	struct session *s = NULL;
	struct relay_diag d = { "" };
	char host[256];
	unsigned port;
	bool up = false;

	(void)v;
	if (where(cli, &rep, host, sizeof(host), &port) == 0 &&
	    transport_global_init() == RELAY_OK) {
		o.host = host;
		o.port = port;
		o.tls = TLS_NONE;
		o.helo = "relayctl.example.net";
		o.connect_timeout_ms = o.reply_timeout_ms = 3000;
		up = session_open(&transport_curl, &o, &s, &info, &d) ==
		    RELAY_OK && info.banner_code == 220;
		session_close(s);
	}
	backend_report_release(&rep);
	return up;
}

int verify_phase(struct cli *cli, void *ctx, bool wait, json_t **doc)
{
	const struct verify_ctx *v = ctx;
	struct backend_report rep;
	struct expect_opts eo;
	char host[256], target[300], picked[64], allowed[64];
	unsigned port;
	int rc;
	long long deadline;
	json_t *t;

	*doc = NULL;
	if (where(cli, &rep, host, sizeof(host), &port) != 0) {
		rc = EXIT_UNKNOWN;
		goto out;
	}
	snprintf(target, sizeof(target), strchr(host, ':') ? "[%s]:%u" :
	    "%s:%u", host, port);
	memset(&eo, 0, sizeof(eo));
	eo.phase = v->phase;
	eo.allowed_source = v->allowed != NULL ? v->allowed :
	    allowed_source(v->target, allowed, sizeof(allowed));
	eo.audit.ops = &transport_curl;
	eo.audit.target = target;
	eo.audit.config = &rep;
	eo.audit.conn.host = host;
	eo.audit.conn.port = port;
	eo.audit.conn.tls = TLS_AUTO;
	eo.audit.conn.helo = "relayctl.example.net";
	eo.audit.connections = 4;	/* as audit's default */
	eo.audit.conn.connect_timeout_ms = eo.audit.conn.reply_timeout_ms =
	    3000;
	eo.audit.conn.source = v->source != NULL ? v->source :
	    vantage_pick(&rep, host, picked, sizeof(picked)) == 0 ? picked :
	    NULL;
	if (transport_global_init() != RELAY_OK) {
		out_error("verify: cannot load libcurl (libcurl.so.4) or OpenSSL "
		    "(libssl.so.3): install libcurl4 and libssl3");
		rc = EXIT_SOFTWARE;
		goto out;
	}
	if (!cli->json)
		printf("verify: auditing %s against phase %s from %s (outsider)"
		    "%s%s%s\n", target, phase_name(v->phase),
		    eo.audit.conn.source ? eo.audit.conn.source : "the default "
		    "address", eo.allowed_source ? " and " : "",
		    eo.allowed_source ? eo.allowed_source : "",
		    eo.allowed_source ? " (allowed)" : "");
	/* A reload takes effect as new smtpd processes start: wait until
	 * the plain relay test and the AUTH offer match the phase. */
	for (deadline = transport_now_ms() + (long long)(v->wait_s * 1000);
	    wait; sleep_ms(250)) {
		struct expect_opts quick = eo;
		bool settled;
		quick.audit.tests = "RLY-PLAIN-EXT";
		quick.audit.no_auth = true;
		if ((t = expect_run(&quick)) == NULL) {
			out_error("out of memory");
			rc = EXIT_SOFTWARE;
			goto out;
		}
		/* settled: nothing differs, and the views all ran (a view
		 * from a trusted address runs, but sees no relay cells) */
		settled = expect_settled(t) && json_is_true(json_object_get(
		    json_object_get(t, "expect"), "complete"));
		json_decref(t);
		if (settled || transport_now_ms() > deadline)
			break;
	}
	if ((t = expect_run(&eo)) == NULL) {
		out_error("out of memory");
		rc = EXIT_SOFTWARE;
		goto out;
	}
	if (!cli->json)
		out_audit(t, 0);
	rc = out_status_exit(out_audit_status(t));
	/* A server that answered before the change and no longer does was
	 * broken by it. */
	if (wait && json_string_value(json_object_get(json_object_get(t,
	    "server"), "banner"))[0] == '\0') {
		out_error("verify: the server does not answer after the change: "
		    "%s%s", json_string_value(json_object_get(t, "reason")),
		    v->answered ? "" : " (it did not answer before it either)");
		if (v->answered)
			rc = EXIT_CRITICAL;
	}
	*doc = t;
out:
	backend_report_release(&rep);
	return rc;
}
