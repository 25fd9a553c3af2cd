/*
 * explain - the relay decision walked for one client and recipient:
 * smtpd_relay_restrictions (or smtpd_recipient_restrictions alone, at
 * compatibility level 0), then smtpd_recipient_restrictions, each ended by
 * its first permit or reject as Postfix ends them.  Owns nothing.  Never
 * prints.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cidr.h"
#include "explain.h"

/* param - R's effective NAME and where it is set */
static const char *param(const struct backend_report *r, const char *name,
    const char **source)
{
	size_t i;

	for (i = 0; i < r->nparams; i++) {
		if (strcmp(r->params[i].name, name) == 0) {
			*source = r->params[i].source;
			return r->params[i].value;
		}
	}
	*source = "default";
	return "";
}

/* next_word - the next word of a Postfix list at *P (commas and
 * whitespace separate) into BUF; false at the end */
static bool next_word(const char **p, char *buf, size_t len)
{
	size_t n;

	*p += strspn(*p, " \t\r\n,");
	if (**p == '\0')
		return false;
	n = strcspn(*p, " \t\r\n,");
	snprintf(buf, len, "%.*s", (int)n, *p);
	*p += n;
	return true;
}

/* in_list - DOMAIN is a word of LIST (case-insensitive) */
static bool in_list(const char *list, const char *domain)
{
	char w[256];

	while (next_word(&list, w, sizeof(w)))
		if (strcasecmp(w, domain) == 0)
			return true;
	return false;
}

/* in_nets - the entry of mynetworks NETS that holds CLIENT, in ENTRY */
static bool in_nets(const char *nets, const struct cidr *client,
    struct cidr *entry)
{
	char w[256], err[128];

	while (next_word(&nets, w, sizeof(w)))
		if (cidr_parse(w, CIDR_HOSTBITS_OK, entry, NULL, err,
		    sizeof(err)) == RELAY_OK && entry->family == client->family &&
		    cidr_contains(entry, client))
			return true;
	return false;
}

/* is_self - ENT is one of R's networks of the server itself */
static bool is_self(const struct backend_report *r, const char *ent)
{
	size_t i;

	for (i = 0; i < r->self.n; i++)
		if (strcmp(r->self.v[i], ent) == 0)
			return true;
	return false;
}

struct walk {
	const struct backend_report *r;
	const struct explain_query *q;
	struct cidr client;
	char domain[256];
	bool local;		/* the domain is one of the server's */
	bool relay_domain;	/* ... because relay_domains lists it */
	bool authed;
	char caveat[600];	/* a restriction passed over unjudged */
};

/* say - OUT's decision and text */
static int say(struct explain_result *out, enum explain_decision d,
    const char *fix, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int say(struct explain_result *out, enum explain_decision d,
    const char *fix, const char *fmt, ...)
{
	va_list ap;

	out->decision = d;
	va_start(ap, fmt);
	vsnprintf(out->because, sizeof(out->because), fmt, ap);
	va_end(ap);
	snprintf(out->fix, sizeof(out->fix), "%s", fix);
	return 1;
}

/*
 * walk_list - the restriction list NAME for W; 1 when a restriction
 * decided (OUT filled: accept ends this list only), 0 when the list fell
 * through
 */
static int walk_list(struct walk *w, const char *name,
    struct explain_result *out)
{
	const char *src, *list = param(w->r, name, &src), *nsrc;
	const char *nets = param(w->r, "mynetworks", &nsrc);
	char word[256], ent[CIDR_STRLEN], fix[300];
	struct cidr e;

	while (next_word(&list, word, sizeof(word))) {
		if (strcmp(word, "permit_mynetworks") == 0) {
			if (!in_nets(nets, &w->client, &e))
				continue;
			cidr_format(&e, ent);
			if (is_self(w->r, ent))
				snprintf(fix, sizeof(fix), "none: the server "
				    "itself relays by design in phases 1 to 3");
			else if (cidr_is_wide(&e))
				snprintf(fix, sizeof(fix), "remove %s from "
				    "mynetworks (%s): it trusts much of the "
				    "Internet", ent, nsrc);
			else
				snprintf(fix, sizeof(fix), "if %s should not relay "
				    "without AUTH, take %s out of mynetworks (%s): "
				    "relayctl allow del %s", w->q->client, ent,
				    nsrc, ent);
			return say(out, EXPLAIN_ACCEPT, fix, "permit_mynetworks "
			    "in %s (%s) matched %s of mynetworks (%s)", name, src,
			    ent, nsrc);
		}
		if (strcmp(word, "permit_sasl_authenticated") == 0) {
			if (!w->authed)
				continue;
			return say(out, EXPLAIN_ACCEPT, "", "permit_sasl_"
			    "authenticated in %s (%s) matched: the client "
			    "authenticated with %s", name, src, w->q->mech);
		}
		if (strcmp(word, "reject_unauth_destination") == 0 ||
		    strcmp(word, "defer_unauth_destination") == 0 ||
		    strcmp(word, "permit_auth_destination") == 0) {
			if (w->local && word[0] == 'p')
				return say(out, EXPLAIN_ACCEPT, "", "%s in %s (%s) "
				    "matched: %s is a domain of the server", word,
				    name, src, w->domain);
			if (w->local || word[0] == 'p')
				continue;
			snprintf(fix, sizeof(fix), "if %s should relay: put it "
			    "on the allow list (relayctl allow add %s) or "
			    "authenticate", w->q->client, w->q->client);
			return say(out, EXPLAIN_REFUSE, fix, "%s in %s (%s) "
			    "matched: %s is not a domain of the server "
			    "(mydestination, relay_domains)%s", word, name, src,
			    w->domain, word[0] == 'd' ? ", deferred with 4xx" :
			    "");
		}
		if (strcmp(word, "permit") == 0) {
			snprintf(fix, sizeof(fix), "remove 'permit' from %s "
			    "(%s): relayctl enable-phase writes a safe list", name,
			    src);
			return say(out, EXPLAIN_ACCEPT, fix, "permit in %s (%s) "
			    "accepts every client and recipient%s", name, src,
			    w->local ? "" : ": an open relay");
		}
		if (strcmp(word, "reject") == 0 || strcmp(word, "defer") == 0) {
			snprintf(fix, sizeof(fix), "%s", w->local ? "mail for "
			    "local users must be accepted from anyone: remove "
			    "it, or let the permits before it match" : "");
			return say(out, EXPLAIN_REFUSE, fix, "%s in %s (%s) "
			    "refuses what no restriction before it permitted",
			    word, name, src);
		}
		if (strcmp(word, "warn_if_reject") == 0) {
			next_word(&list, word, sizeof(word));	/* only warns */
			continue;
		}
		if (strncmp(word, "check_", 6) == 0) {
			char table[200] = "";
			next_word(&list, table, sizeof(table));
			return say(out, EXPLAIN_UNKNOWN, "", "'%s %s' in %s (%s) "
			    "decides at run time: relayctl cannot evaluate a "
			    "lookup table", word, table, name, src);
		}
		if (strncmp(word, "permit_", 7) == 0)
			return say(out, EXPLAIN_UNKNOWN, "", "'%s' in %s (%s) may "
			    "permit here, and relayctl does not evaluate it",
			    word, name, src);
		/* Other restrictions can only refuse: noted, not judged. */
		if ((strncmp(word, "reject_", 7) == 0 ||
		    strncmp(word, "defer_", 6) == 0) && w->caveat[0] == '\0')
			snprintf(w->caveat, sizeof(w->caveat), " (unless '%s' in "
			    "%s (%s) refuses it; relayctl does not evaluate it)",
			    word, name, src);
	}
	return 0;
}

/* has_reject - LIST has what Postfix requires to start smtpd: a working
 * reject_unauth_destination, defer_unauth_destination, reject, defer,
 * defer_if_permit or check_relay_domains */
static bool has_reject(const char *list)
{
	static const char *const need[] = { "reject_unauth_destination",
	    "defer_unauth_destination", "reject", "defer", "defer_if_permit",
	    "check_relay_domains" };
	char w[256];
	size_t i;

	while (next_word(&list, w, sizeof(w)))
		for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
			if (strcmp(w, need[i]) == 0)
				return true;
	return false;
}

/* decide - explain_rcpt, with what was passed over unjudged in CAVEAT */
static enum relay_err decide(const struct backend_report *r,
    const struct explain_query *q, struct explain_result *out, char *caveat,
    size_t len)
{
	struct walk w;
	static const char *const early[] = { "smtpd_client_restrictions",
	    "smtpd_helo_restrictions", "smtpd_sender_restrictions" };
	const char *at, *dsrc, *rsrc, *rr, *rl, *dest, *rd, *src;
	char err[128], *p;
	struct explain_result first;
	int decided;
	size_t i;

	memset(&w, 0, sizeof(w));
	memset(out, 0, sizeof(*out));
	w.r = r;
	w.q = q;
	if (cidr_parse(q->client, 0, &w.client, NULL, err, sizeof(err)) !=
	    RELAY_OK || w.client.prefix != cidr_addr_size(&w.client) * 8) {
		say(out, EXPLAIN_UNKNOWN, "", "'%s' is not one IPv4 or IPv6 "
		    "address", q->client);
		return RELAY_EINVAL;
	}
	at = strrchr(q->rcpt, '@');
	snprintf(w.domain, sizeof(w.domain), "%s", at != NULL ? at + 1 : "");
	w.domain[strcspn(w.domain, ">")] = '\0';
	if ((p = strchr(w.domain, '\0')) > w.domain && p[-1] == '.')
		p[-1] = '\0';
	dest = param(r, "mydestination", &dsrc);
	rd = param(r, "relay_domains", &rsrc);
	/* An unqualified recipient is completed with a local domain. */
	w.relay_domain = w.domain[0] != '\0' && in_list(rd, w.domain);
	w.local = w.domain[0] == '\0' || in_list(dest, w.domain) ||
	    w.relay_domain;
	w.authed = q->mech != NULL && (mech_bit(q->mech) &
	    policy_offered(&r->policy, q->tls)) != 0;

	rr = param(r, "smtpd_relay_restrictions", &src);
	rl = *rr != '\0' ? "smtpd_relay_restrictions" :
	    "smtpd_recipient_restrictions";
	if (!has_reject(rr) && !has_reject(param(r,
	    "smtpd_recipient_restrictions", &src))) {
		say(out, EXPLAIN_UNKNOWN, "end smtpd_relay_restrictions with "
		    "reject_unauth_destination (relayctl enable-phase does)",
		    "neither smtpd_relay_restrictions nor "
		    "smtpd_recipient_restrictions has reject_unauth_destination, "
		    "reject or defer: smtpd refuses to start (\"specify at least "
		    "one working instance\")");
		goto done;
	}
	/* With smtpd_delay_reject (the default), the client, HELO and sender
	 * restrictions are applied at RCPT time, first; a permit there ends
	 * only its own list. */
	for (i = 0; i < sizeof(early) / sizeof(early[0]); i++)
		if (walk_list(&w, early[i], out) && out->decision !=
		    EXPLAIN_ACCEPT)
			goto done;
	memset(out, 0, sizeof(*out));
	decided = walk_list(&w, rl, out);
	if (decided && out->decision != EXPLAIN_ACCEPT)
		goto done;
	first = *out;
	if (*rr != '\0') {
		int d2 = walk_list(&w, "smtpd_recipient_restrictions", out);
		if (d2 && out->decision != EXPLAIN_ACCEPT)
			goto done;
		if (d2 && !decided)
			goto done;	/* the recipient list's permit */
	}
	if (decided) {
		*out = first;
		goto done;
	}
	(void)param(r, rl, &src);
	if (w.relay_domain)
		say(out, EXPLAIN_ACCEPT, "empty relay_domains unless this server "
		    "is a backup MX for it", "%s is in relay_domains (%s): "
		    "anyone may relay to it", w.domain, rsrc);
	else if (w.local)
		say(out, EXPLAIN_ACCEPT, "", "%s is a domain of the server "
		    "(mydestination, %s) and no restriction refused it: local "
		    "mail", w.domain[0] ? w.domain : "an unqualified recipient",
		    dsrc);
	else
		say(out, EXPLAIN_ACCEPT, "end smtpd_relay_restrictions with "
		    "reject_unauth_destination (relayctl enable-phase does)",
		    "no restriction refused it: %s (%s) has no "
		    "reject_unauth_destination that applies", rl, src);
	goto done;
done:
	snprintf(caveat, len, "%s", w.caveat);
	return RELAY_OK;
}

enum relay_err explain_rcpt(const struct backend_report *r,
    const struct explain_query *q, struct explain_result *out)
{
	char caveat[600] = "";
	enum relay_err err = decide(r, q, out, caveat, sizeof(caveat));

	if (err == RELAY_OK && out->decision == EXPLAIN_ACCEPT && caveat[0] &&
	    strlen(out->because) + strlen(caveat) < sizeof(out->because))
		strcat(out->because, caveat);
	return err;
}

const char *explain_decision_name(enum explain_decision d)
{
	return d == EXPLAIN_ACCEPT ? "accept" : d == EXPLAIN_REFUSE ? "refuse" :
	    "unknown";
}

/* rcpt_of - the address inside "<...>" of RCPT */
static void rcpt_of(const char *rcpt, char *buf, size_t len)
{
	if (*rcpt == '<')
		rcpt++;
	snprintf(buf, len, "%s", rcpt);
	if (*buf != '\0' && buf[strlen(buf) - 1] == '>')
		buf[strlen(buf) - 1] = '\0';
}

/* add_group - explain one cell or test and file it with its like */
static void add_group(const struct backend_report *r, json_t *groups,
    const char *name, const char *source, const char *mech, bool tls,
    const char *rcpt)
{
	struct explain_query q = { source, mech, tls, NULL };
	struct explain_result res;
	char addr[330];
	json_t *g;
	size_t i;

	rcpt_of(rcpt, addr, sizeof(addr));
	q.rcpt = addr;
	explain_rcpt(r, &q, &res);
	json_array_foreach(groups, i, g) {
		if (strcmp(json_string_value(json_object_get(g, "because")),
		    res.because) == 0 && strcmp(json_string_value(
		    json_object_get(g, "decision")),
		    explain_decision_name(res.decision)) == 0) {
			json_array_append_new(json_object_get(g, "cells"),
			    json_string(name));
			return;
		}
	}
	json_array_append_new(groups, json_pack("{s:s, s:s, s:s, s:[s]}",
	    "decision", explain_decision_name(res.decision), "because",
	    res.because, "fix", res.fix, "cells", name));
}

json_t *explain_target(const struct backend_report *r, const json_t *target)
{
	json_t *groups = json_array();
	const json_t *e = json_object_get(target, "expect"), *c, *t;
	const char *source = json_string_value(json_object_get(json_object_get(
	    target, "vantage"), "source"));
	size_t i;

	if (groups == NULL)
		return NULL;
	if (e != NULL) {
		json_array_foreach(json_object_get(e, "cells"), i, c) {
			const char *st = json_string_value(json_object_get(c,
			    "status")), *auth = json_string_value(
			    json_object_get(c, "auth")), *rc = json_string_value(
			    json_object_get(c, "rcpt_to"));
			if ((strcmp(st, "too-open") != 0 && strcmp(st,
			    "too-closed") != 0) || rc == NULL || *rc == '\0')
				continue;
			add_group(r, groups, json_string_value(json_object_get(c,
			    "cell")), json_string_value(json_object_get(c,
			    "source")), strcmp(auth, "none") == 0 ||
			    strcmp(auth, "bogus") == 0 ? NULL : auth,
			    json_is_true(json_object_get(c, "tls")), rc);
		}
		return groups;
	}
	json_array_foreach(json_object_get(target, "tests"), i, t) {
		if (strcmp(json_string_value(json_object_get(t, "result")),
		    "relayed") != 0 || source == NULL)
			continue;
		add_group(r, groups, json_string_value(json_object_get(t, "id")),
		    source, NULL, false, json_string_value(json_object_get(t,
		    "rcpt_to")));
	}
	return groups;
}
