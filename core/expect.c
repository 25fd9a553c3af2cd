/*
 * expect - the audits of every vantage point, and every cell judged
 * against the phase's policy.  The expectations come from policy_relays()
 * and policy_offered() alone: there is no second table of what each phase
 * allows.  Owns the JSON it builds.  Never prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"

/* What a cell expects or saw. */
enum outcome { O_REFUSE, O_ACCEPT, O_EITHER, O_DEFER, O_UNTESTED };

static const char *const outcome_names[] = {
	[O_REFUSE] = "refuse", [O_ACCEPT] = "accept", [O_EITHER] = "either",
	[O_DEFER] = "defer", [O_UNTESTED] = "untested",
};

/* One view: an audit from one source, in one TLS mode. */
struct view {
	const char *name;	/* "outsider" (inside TLS and not), "allowed" */
	enum client_class cls;	/* the source's class under the phase */
	json_t *doc;		/* its audit */
	bool tls;		/* the view's sessions were inside TLS */
	bool trusted;		/* the server trusts the source: the
				 * outsider's cells are not seen */
};

struct judge {
	const struct policy *want;
	json_t *cells;
	size_t n[4];		/* as-expected, too-open, too-closed, untested */
};

enum { C_OK, C_OPEN, C_CLOSED, C_UNTESTED };

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* observed - the outcome of an audit test's result */
static enum outcome observed(const char *result)
{
	if (strcmp(result, "relayed") == 0 || strcmp(result, "accepted") == 0)
		return O_ACCEPT;
	if (strcmp(result, "deferred") == 0)
		return O_DEFER;
	if (strcmp(result, "untested") == 0)
		return O_UNTESTED;
	return O_REFUSE;
}

/*
 * cell - judge one cell and append it: EXPECT against GOT.  SEV_OPEN and
 * SEV_CLOSED are the severities when it differs that way; WHY says why a
 * cell is untested.
 */
static void cell(struct judge *j, const struct view *v, const char *test,
    const char *auth, const char *rcpt, const char *rcpt_to,
    enum outcome expect, enum outcome got, const char *sev_open,
    const char *sev_closed, const char *evidence, const char *why)
{
	static const char *const status_names[] = { "as-expected", "too-open",
	    "too-closed", "untested" };
	const char *sev = "ok", *source = v->doc != NULL ?
	    jstr(json_object_get(v->doc, "vantage"), "source") : "";
	int status;
	char id[96];

	if (got == O_UNTESTED || expect == O_UNTESTED) {
		status = C_UNTESTED;
	} else if (expect == O_EITHER || expect == got ||
	    (expect == O_REFUSE && got == O_DEFER)) {
		status = C_OK;
	} else if (expect == O_REFUSE) {
		status = C_OPEN;
		sev = sev_open;
	} else {
		status = C_CLOSED;
		/* deferred: a retry may work; refused: it never will */
		sev = got == O_DEFER ? "warning" : sev_closed;
	}
	snprintf(id, sizeof(id), "%s/%s/%s", v->name, v->doc == NULL ? "any" :
	    v->tls ? "tls" : "plain", test);
	for (;;) {
		json_t *c = json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:s, "
		    "s:s, s:s, s:s, s:s, s:s, s:s, s:s?}", "cell", id,
		    "rcpt_to", rcpt_to, "tls", v->tls, "view", v->name,
		    "source", source, "class", client_class_name(v->cls),
		    "test", test, "auth", auth, "recipient", rcpt, "expected",
		    outcome_names[expect], "observed", outcome_names[got],
		    "status", status_names[status], "severity", sev,
		    "evidence", evidence, "why", status == C_UNTESTED ? why :
		    NULL);
		if (c != NULL) {
			j->n[status]++;
			json_array_append_new(j->cells, c);
			return;
		}
		if (strcmp(evidence, "(a reply that is not UTF-8)") == 0)
			return;	/* out of memory */
		evidence = "(a reply that is not UTF-8)";
	}
}

/* evidence_of - one line of what a test sent and got */
static void evidence_of(const json_t *t, char *buf, size_t len)
{
	const json_t *rr = json_object_get(t, "rcpt_reply");

	snprintf(buf, len, "MAIL FROM:%s / RCPT TO:%s -> %s%s%s",
	    jstr(t, "mail_from"), jstr(t, "rcpt_to"), json_is_string(rr) ?
	    json_string_value(rr) : "(not sent)", strncmp(jstr(t, "id"),
	    "AUTH-", 5) == 0 ? " after " : "", strncmp(jstr(t, "id"), "AUTH-",
	    5) == 0 ? jstr(t, "mail_reply") : "");
}

/* judge_tests - the cells of V's relay, local and AUTH tests */
static void judge_tests(struct judge *j, const struct view *v, bool auth_only)
{
	const json_t *t;
	size_t i;
	char ev[900];

	json_array_foreach(json_object_get(v->doc, "tests"), i, t) {
		const char *id = jstr(t, "id"), *kind = jstr(t, "kind");
		enum outcome got = observed(jstr(t, "result")), want;
		/* An unoffered mechanism's AUTH that worked but did not
		 * relay ("accepted") is no relay */
		if (strcmp(kind, "auth-bogus") == 0 && strcmp(jstr(t,
		    "credentials"), "real") == 0 && strcmp(jstr(t, "result"),
		    "accepted") == 0)
			got = O_REFUSE;
		bool tls = json_is_true(json_object_get(t, "tls")) || (v->tls &&
		    json_object_get(t, "tls") == NULL);

		evidence_of(t, ev, sizeof(ev));
		if (strcmp(kind, "relay") == 0 && !auth_only) {
			if (policy_relays(j->want, v->cls, 0, tls))
				want = strcmp(id, "RLY-PLAIN-EXT") == 0 ?
				    O_ACCEPT : O_EITHER;
			else
				want = O_REFUSE;
			cell(j, v, id, "none", "external", jstr(t, "rcpt_to"),
			    v->trusted ?
			    O_UNTESTED : want, got, "critical", "critical", ev,
			    "the server trusts the source: relaying for it is "
			    "by design");
		} else if (strcmp(kind, "local") == 0 && !auth_only) {
			cell(j, v, id, "none", "local", jstr(t, "rcpt_to"),
			    O_ACCEPT, got,
			    "critical", "critical", ev, "the test did not run");
		} else if (strncmp(kind, "auth-", 5) == 0) {
			const char *mech;
			bool real = strcmp(jstr(t, "credentials"), "real") == 0;
			/* "AUTH-USER-CRAM-MD5": the mechanism follows the
			 * second dash */
			mech = strchr(strchr(id, '-') + 1, '-') + 1;
			if (!real)
				want = O_REFUSE;
			else if (v->trusted)
				want = O_UNTESTED;
			else
				want = policy_relays(j->want, CLIENT_OUTSIDER,
				    mech_bit(mech), tls) ? O_ACCEPT : O_REFUSE;
			cell(j, v, id, real ? mech : "bogus", "external",
			    jstr(t, "rcpt_to"), want, got, "critical", "critical", ev, v->trusted ?
			    "the server trusts the source: relaying for it is "
			    "by design" : "the credentials were not sent (clear "
			    "text without --allow-cleartext-auth), or the test "
			    "did not run");
		}
	}
}

/* caps_bits - the mechanisms of a capabilities object */
static unsigned caps_bits(const json_t *caps)
{
	const json_t *m;
	unsigned bits = 0;
	size_t i;

	json_array_foreach(json_object_get(caps, "auth"), i, m)
		bits |= mech_bit(json_string_value(m));
	return bits;
}

/* judge_offers - the cells of the mechanisms V advertised, before TLS
 * and inside it */
static void judge_offers(struct judge *j, struct view *v)
{
	const json_t *caps = json_object_get(v->doc, "capabilities"),
	    *tlsj = json_object_get(v->doc, "tls");
	bool active = json_is_true(json_object_get(tlsj, "active")),
	    starttls = json_is_true(json_object_get(tlsj, "starttls")),
	    saved = v->tls;
	const char *verdict = jstr(v->doc, "verdict");
	int pass;
	unsigned bit;
	char test[40], ev[300];

	if (json_object_get(v->doc, "capabilities") == NULL)
		return;
	if (strcmp(verdict, "unknown") == 0 && json_integer_value(
	    json_object_get(json_object_get(v->doc, "counts"), "run")) == 0 &&
	    jstr(json_object_get(v->doc, "server"), "banner")[0] == '\0')
		return;	/* never connected: nothing advertised was seen */
	for (pass = 0; pass < 2; pass++) {
		const json_t *c;
		unsigned got;
		bool tls = pass == 1;
		if (tls && !active)
			break;
		if (!tls && active && !starttls)
			continue;	/* implicit TLS: no clear-text view */
		c = json_object_get(caps, tls ? "last" : "before_tls");
		got = caps_bits(c);
		v->tls = tls;
		for (bit = MECH_CRAM_MD5; bit <= MECH_OTHER; bit <<= 1) {
			bool want = (policy_offered(j->want, tls) & bit) != 0,
			    has = (got & bit) != 0;
			snprintf(test, sizeof(test), "OFFER-%s", mech_name(bit));
			snprintf(ev, sizeof(ev), "EHLO %s: AUTH %s", tls ?
			    "inside TLS" : "before TLS", json_array_size(
			    json_object_get(c, "auth")) ? "" : "(none)");
			{
				const json_t *m;
				size_t k;
				json_array_foreach(json_object_get(c, "auth"), k, m)
					snprintf(ev + strlen(ev), sizeof(ev) -
					    strlen(ev), "%s%s", k ? " " : "",
					    json_string_value(m));
			}
			cell(j, v, test, mech_name(bit), "-", "", want ? O_ACCEPT :
			    O_REFUSE, has ? O_ACCEPT : O_REFUSE,
			    bit == MECH_ANONYMOUS ? "critical" :
			    "warning", "critical", ev, NULL);
		}
	}
	if (j->want->tls_only_mechs != 0 && !active) {
		bool offered = json_is_true(json_object_get(json_object_get(caps,
		    "before_tls"), "starttls"));
		v->tls = false;
		/* Offered but not used (--tls none): not seen, not failed. */
		cell(j, v, "OFFER-STARTTLS", "none", "-", "", O_ACCEPT, offered ?
		    O_UNTESTED : O_REFUSE, "warning", "critical", offered ?
		    "STARTTLS offered, not used" : "no STARTTLS in the EHLO "
		    "reply: the mechanisms offered only inside TLS cannot be "
		    "used", "STARTTLS is offered but the audit did not use it "
		    "(--tls none): the mechanisms inside TLS were not seen");
	}
	v->tls = saved;
}

/* untested - a cell no view could see */
static void untested(struct judge *j, const char *view, enum client_class cls,
    const char *test, const char *auth, const char *why)
{
	struct view v = { view, cls, NULL, false, false };

	cell(j, &v, test, auth, "external", "", O_ACCEPT, O_UNTESTED, "ok", "ok",
	    "", why);
}

/* untested_users - the AUTH-USER cell of each of WANT's mechanisms, in
 * VIEW, untested because of WHY */
static void untested_users(struct judge *j, const char *view,
    const struct policy *want, const char *why)
{
	unsigned bit;

	for (bit = MECH_CRAM_MD5; bit <= MECH_LOGIN; bit <<= 1) {
		char test[40];
		if (!(want->auth_mechs & bit))
			continue;
		snprintf(test, sizeof(test), "AUTH-USER-%s", mech_name(bit));
		untested(j, view, CLIENT_OUTSIDER, test, mech_name(bit), why);
	}
}

/* view_failed - V's audit broke off (no connection, a lost session):
 * what it was there to see is untested */
static void view_failed(struct judge *j, const struct view *v,
    const struct expect_opts *o, const struct policy *want)
{
	char why[700];

	snprintf(why, sizeof(why), "the audit from %s did not complete: %s",
	    jstr(json_object_get(v->doc, "vantage"), "source"),
	    jstr(v->doc, "reason"));
	if (strcmp(v->name, "allowed") == 0) {
		untested(j, "allowed", v->cls, "RLY-PLAIN-EXT", "none", why);
		return;
	}
	if (o->audit.auth_user != NULL)
		untested_users(j, v->name, want, why);
}

/* summarise - one finding per view and way the cells differ */
static void summarise(json_t *findings, const json_t *cells, enum phase ph)
{
	static const char *const views[] = { "outsider", "allowed" };
	static const struct {
		const char *status, *id, *what;
	} ways[] = {
		{ "too-open", "EXP-TOO-OPEN", "more open than the phase allows" },
		{ "too-closed", "EXP-TOO-CLOSED", "more closed than the phase "
		  "promises" },
	};
	const json_t *c;
	size_t v, w, i;
	char msg[300];

	for (w = 0; w < 2; w++) {
		for (v = 0; v < 2; v++) {
			json_t *ev = json_array();
			const char *sev = "warning", *cls = "", *source = "";
			json_array_foreach(cells, i, c) {
				char line[1200];
				if (strcmp(jstr(c, "status"), ways[w].status) != 0 ||
				    strcmp(jstr(c, "view"), views[v]) != 0)
					continue;
				if (strcmp(jstr(c, "severity"), "critical") == 0)
					sev = "critical";
				snprintf(line, sizeof(line), "%s: expected %s, "
				    "observed %s: %s", jstr(c, "cell"),
				    jstr(c, "expected"), jstr(c, "observed"),
				    jstr(c, "evidence"));
				json_array_append_new(ev, json_string(line));
				cls = jstr(c, "class");
				source = jstr(c, "source");
			}
			if (json_array_size(ev) == 0) {
				json_decref(ev);
				continue;
			}
			snprintf(msg, sizeof(msg), "from the %s source %s (%s "
			    "under phase %s): %zu cell%s %s", views[v], source,
			    strcmp(cls, "outsider") == 0 ? "an outsider" : cls,
			    phase_name(ph), json_array_size(ev),
			    json_array_size(ev) == 1 ? "" : "s", ways[w].what);
			json_array_append_new(findings, json_pack("{s:s, s:s, "
			    "s:s, s:o}", "id", ways[w].id, "severity", sev,
			    "message", msg, "evidence", ev));
		}
	}
	{
		json_t *ev = json_array();
		json_array_foreach(cells, i, c) {
			char line[600];
			if (strcmp(jstr(c, "status"), "untested") != 0)
				continue;
			snprintf(line, sizeof(line), "%s: %s", jstr(c, "cell"),
			    jstr(c, "why"));
			json_array_append_new(ev, json_string(line));
		}
		if (json_array_size(ev) == 0) {
			json_decref(ev);
			return;
		}
		json_array_append_new(findings, json_pack("{s:s, s:s, s:s, s:o}",
		    "id", "EXP-UNTESTED", "severity", "ok", "message",
		    "these cells could not be tested from the vantage points "
		    "given: not passed, not failed", "evidence", ev));
	}
}

/* append_view - V's transcript after DOC's, and the view in VIEWS */
static void append_view(json_t *doc, json_t *views, const struct view *v)
{
	const json_t *l, *vant = json_object_get(v->doc, "vantage");
	json_t *tr = json_object_get(doc, "transcript");
	size_t i;
	char head[200];

	json_array_append_new(views, json_pack("{s:s, s:s, s:s, s:b, s:s, "
	    "s:s?}", "view", v->name, "source", jstr(vant, "source"), "class",
	    client_class_name(v->cls), "tls", v->tls, "verdict",
	    jstr(v->doc, "verdict"), "reason", json_string_value(
	    json_object_get(v->doc, "reason"))));
	if (doc == v->doc)
		return;
	snprintf(head, sizeof(head), "-- view %s from %s", v->name,
	    jstr(vant, "source"));
	json_array_append_new(tr, json_string(head));
	json_array_foreach(json_object_get(v->doc, "transcript"), i, l)
		json_array_append(tr, (json_t *)l);
}

/* want_policy - the phase's policy; the allow list is the configured one
 * (when known) with the allowed source added */
static enum relay_err want_policy(const struct expect_opts *o,
    struct policy *p)
{
	const struct backend_report *cfg = o->audit.config;
	struct cidr *list, one;
	size_t n = 0, i;
	char err[256];
	enum relay_err e;

	if (o->phase == PHASE_0 || o->phase == PHASE_1)
		return policy_shape(o->phase, p);
	list = calloc((cfg != NULL ? cfg->policy.nallow : 0) + 1, sizeof(*list));
	if (list == NULL)
		return RELAY_ENOMEM;
	/* The configured list, but never what trusts the whole Internet. */
	for (i = 0; cfg != NULL && i < cfg->policy.nallow; i++)
		if (!cidr_is_wide(&cfg->policy.allow[i]))
			list[n++] = cfg->policy.allow[i];
	if (o->allowed_source != NULL && cidr_parse(o->allowed_source,
	    CIDR_HOSTBITS_OK, &one, NULL, err, sizeof(err)) == RELAY_OK)
		list[n++] = one;
	e = n > 0 ? policy_for_phase(o->phase, list, n, p, err, sizeof(err)) :
	    policy_shape(o->phase, p);
	free(list);
	return e;
}

json_t *expect_run(const struct expect_opts *o)
{
	struct policy want;
	struct judge j = { &want, json_array(), { 0 } };
	struct view v[3];
	size_t nv = 0, i;
	bool complete = true;
	json_t *doc, *views = json_array(), *findings;
	char mechs[64], tlsmechs[64];

	memset(v, 0, sizeof(v));
	if (j.cells == NULL || views == NULL || want_policy(o, &want) !=
	    RELAY_OK) {
		json_decref(j.cells);
		json_decref(views);
		return NULL;
	}
	if ((doc = audit_run(&o->audit)) == NULL)
		goto fail;
	v[nv++] = (struct view){ "outsider", CLIENT_OUTSIDER, doc,
	    json_is_true(json_object_get(json_object_get(doc, "tls"),
	    "active")), !json_is_true(json_object_get(json_object_get(doc,
	    "vantage"), "outsider_view")) };
	/* The AUTH surface before STARTTLS too: policies differ there. */
	if (json_is_true(json_object_get(json_object_get(doc, "tls"),
	    "starttls")) && !o->audit.no_auth) {
		struct audit_opts a = o->audit;
		a.conn.tls = TLS_NONE;
		a.tests = "AUTH-*";
		v[nv] = (struct view){ "outsider", CLIENT_OUTSIDER, NULL, false,
		    v[0].trusted };
		if ((v[nv].doc = audit_run(&a)) == NULL)
			goto fail;
		nv++;
	}
	if (o->allowed_source != NULL) {
		struct audit_opts a = o->audit;
		a.conn.source = o->allowed_source;
		a.no_auth = true;
		/* The plain external recipient from every kind of sender: a
		 * host that relays relays them all, and the tricks were
		 * tried from the outsider's address.  (Each accepted RCPT
		 * costs the server a queue file, and Postfix's in_flow_delay
		 * up to a second.) */
		if (a.tests == NULL)
			a.tests = "RLY-PLAIN-*";
		v[nv] = (struct view){ "allowed", want.nallow > 0 ?
		    CLIENT_ALLOWED : CLIENT_OUTSIDER, NULL, false, false };
		if ((v[nv].doc = audit_run(&a)) == NULL)
			goto fail;
		v[nv].tls = json_is_true(json_object_get(json_object_get(
		    v[nv].doc, "tls"), "active"));
		nv++;
	}
	for (i = 0; i < nv; i++) {
		judge_tests(&j, &v[i], i == 1 && strcmp(v[i].name, "outsider") ==
		    0);
		if (i == 0)
			judge_offers(&j, &v[i]);
		append_view(doc, views, &v[i]);
		if (!json_is_true(json_object_get(v[i].doc, "complete")))
			complete = false;
		if (i > 0 && !json_is_true(json_object_get(v[i].doc, "complete")))
			view_failed(&j, &v[i], o, &want);
	}
	if (o->allowed_source == NULL && want.outbound && o->phase != PHASE_1)
		untested(&j, "allowed", CLIENT_ALLOWED, "RLY-PLAIN-EXT", "none",
		    "no address on the allow list to audit from "
		    "(--allowed-source; enable-phase: --verify-allowed-source)");
	if (o->audit.auth_user == NULL || o->audit.no_auth)
		untested_users(&j, "outsider", &want, "no test user's credentials "
		    "(--auth-user)");
	findings = json_object_get(doc, "findings");
	/* Phase 3 offers PLAIN and LOGIN in clear text by design: said, not
	 * held against it. */
	if ((want.auth_mechs & MECH_CLEARTEXT) && !(want.tls_only_mechs &
	    MECH_CLEARTEXT)) {
		json_t *f;
		json_array_foreach(findings, i, f)
			if (strcmp(jstr(f, "id"), "AUD-AUTH-CLEARTEXT") == 0)
				json_object_set_new(f, "severity",
				    json_string("ok"));
	}
	summarise(findings, j.cells, o->phase);
	json_object_set_new(doc, "expect", json_pack("{s:s, s:b, s:{s:b, s:s, "
	    "s:s, s:I}, s:o, s:{s:I, s:I, s:I, s:I}, s:o}", "phase",
	    phase_name(o->phase), "complete", complete, "policy", "outbound", want.outbound,
	    "auth_mechs", mech_names(want.auth_mechs, mechs, sizeof(mechs)),
	    "tls_only_mechs", mech_names(want.tls_only_mechs, tlsmechs,
	    sizeof(tlsmechs)),
	    "allow_list_size", (json_int_t)want.nallow, "views", views,
	    "counts", "as_expected", (json_int_t)j.n[C_OK], "too_open",
	    (json_int_t)j.n[C_OPEN], "too_closed", (json_int_t)j.n[C_CLOSED],
	    "untested", (json_int_t)j.n[C_UNTESTED], "cells", j.cells));
	for (i = 1; i < nv; i++)
		json_decref(v[i].doc);
	policy_release(&want);
	return doc;
fail:
	for (i = 0; i < nv; i++)
		json_decref(v[i].doc);
	json_decref(j.cells);
	json_decref(views);
	policy_release(&want);
	return NULL;
}

bool expect_settled(const json_t *doc)
{
	const json_t *c = json_object_get(json_object_get(doc, "expect"),
	    "counts");

	return json_integer_value(json_object_get(c, "too_open")) == 0 &&
	    json_integer_value(json_object_get(c, "too_closed")) == 0;
}
