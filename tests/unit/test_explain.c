/* test_explain - the relay decision walked for one client and recipient
 * over a configuration report: each restriction that can decide, the two
 * lists in Postfix's order, compatibility level 0 (recipient restrictions
 * alone), relay_domains, lookup tables reported as unknown, the setting
 * and line named, the fix; and the grouping of an audit's cells. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "explain.h"

/* A report with the given relay and recipient restrictions. */
struct fixture {
	struct backend_report r;
	struct backend_param p[5];
};

static void setup(struct fixture *f, const char *relay, const char *rcpt,
    const char *nets, const char *relay_domains)
{
	memset(f, 0, sizeof(*f));
	f->p[0] = (struct backend_param){ (char *)"smtpd_relay_restrictions",
	    (char *)relay, (char *)"main.cf:17" };
	f->p[1] = (struct backend_param){ (char *)"smtpd_recipient_restrictions",
	    (char *)rcpt, (char *)"master.cf:2 (-o on smtp)" };
	f->p[2] = (struct backend_param){ (char *)"mynetworks", (char *)nets,
	    (char *)"main.cf:15" };
	f->p[3] = (struct backend_param){ (char *)"mydestination",
	    (char *)"mx.relayctl.test, relayctl.test", (char *)"main.cf:14" };
	f->p[4] = (struct backend_param){ (char *)"relay_domains",
	    (char *)relay_domains, (char *)"default" };
	f->r.params = f->p;
	f->r.nparams = 5;
	f->r.policy.outbound = true;
	f->r.policy.auth_mechs = MECH_CRAM_MD5 | MECH_CLEARTEXT;
	f->r.policy.tls_only_mechs = MECH_CLEARTEXT;
	assert_int_equal(strlist_addf(&f->r.self, "127.0.0.0/8"), RELAY_OK);
}

#define PHASE_LIST "permit_mynetworks, permit_sasl_authenticated, " \
	"reject_unauth_destination"

static struct explain_result ask(struct fixture *f, const char *client,
    const char *mech, bool tls, const char *rcpt)
{
	struct explain_query q = { client, mech, tls, rcpt };
	struct explain_result r;

	assert_int_equal(explain_rcpt(&f->r, &q, &r), RELAY_OK);
	return r;
}

static void test_phase_list(void **state)
{
	struct fixture f;
	struct explain_result r;

	(void)state;
	setup(&f, PHASE_LIST, "", "127.0.0.0/8 192.0.2.0/24 0.0.0.0/1", "");
	r = ask(&f, "100.64.0.1", NULL, false, "u@example.net");
	assert_int_equal(r.decision, EXPLAIN_ACCEPT);	/* 0.0.0.0/1 */
	assert_string_equal(r.because, "permit_mynetworks in "
	    "smtpd_relay_restrictions (main.cf:17) matched 0.0.0.0/1 of "
	    "mynetworks (main.cf:15)");
	assert_non_null(strstr(r.fix, "remove 0.0.0.0/1 from mynetworks"));
	r = ask(&f, "192.0.2.9", NULL, false, "u@example.net");
	assert_int_equal(r.decision, EXPLAIN_ACCEPT);
	assert_non_null(strstr(r.fix, "relayctl allow del 192.0.2.0/24"));
	r = ask(&f, "127.0.0.1", NULL, false, "u@example.net");
	assert_non_null(strstr(r.fix, "the server itself relays by design"));
	r = ask(&f, "2001:db8::1", NULL, false, "u@example.net.");
	assert_int_equal(r.decision, EXPLAIN_REFUSE);
	assert_string_equal(r.because, "reject_unauth_destination in "
	    "smtpd_relay_restrictions (main.cf:17) matched: example.net is not "
	    "a domain of the server (mydestination, relay_domains)");
	/* AUTH: PLAIN only inside TLS here */
	assert_int_equal(ask(&f, "2001:db8::1", "PLAIN", false,
	    "u@example.net").decision, EXPLAIN_REFUSE);
	r = ask(&f, "2001:db8::1", "PLAIN", true, "u@example.net");
	assert_int_equal(r.decision, EXPLAIN_ACCEPT);
	assert_non_null(strstr(r.because, "permit_sasl_authenticated"));
	/* local mail, any case, unqualified too */
	r = ask(&f, "2001:db8::1", NULL, false, "<postmaster@RELAYCTL.test>");
	assert_int_equal(r.decision, EXPLAIN_ACCEPT);
	assert_non_null(strstr(r.because, "local mail"));
	assert_int_equal(ask(&f, "2001:db8::1", NULL, false,
	    "postmaster").decision, EXPLAIN_ACCEPT);
	strlist_release(&f.r.self);
}

static void test_other_lists(void **state)
{
	struct fixture f;
	struct explain_result r;
	struct explain_query bad = { "192.0.2.0/24", NULL, false, "u@x" };

	(void)state;
	/* the recipient list refuses what the relay list let through */
	setup(&f, PHASE_LIST, "permit_sasl_authenticated, reject", "127.0.0.0/8",
	    "");
	r = ask(&f, "127.0.0.1", NULL, false, "postmaster@relayctl.test");
	assert_int_equal(r.decision, EXPLAIN_REFUSE);
	assert_string_equal(r.because, "reject in smtpd_recipient_restrictions "
	    "(master.cf:2 (-o on smtp)) refuses what no restriction before it "
	    "permitted");
	assert_non_null(strstr(r.fix, "local users must be accepted"));
	strlist_release(&f.r.self);
	/* compatibility level 0: the recipient list alone; permit is open */
	setup(&f, "", "permit, reject_unauth_destination", "127.0.0.0/8", "");
	r = ask(&f, "198.51.100.1", NULL, false, "u@example.net");
	assert_int_equal(r.decision, EXPLAIN_ACCEPT);
	assert_non_null(strstr(r.because, "an open relay"));
	assert_non_null(strstr(r.fix, "remove 'permit' from "
	    "smtpd_recipient_restrictions"));
	strlist_release(&f.r.self);
	/* a lookup table is unknown; defer is a refusal with 4xx */
	setup(&f, "check_client_access hash:/etc/postfix/access, "
	    "defer_unauth_destination", "", "127.0.0.0/8", "");
	r = ask(&f, "198.51.100.1", NULL, false, "u@example.net");
	assert_int_equal(r.decision, EXPLAIN_UNKNOWN);
	assert_non_null(strstr(r.because, "'check_client_access "
	    "hash:/etc/postfix/access'"));
	strlist_release(&f.r.self);
	setup(&f, "defer_unauth_destination", "", "127.0.0.0/8",
	    "example.net");
	r = ask(&f, "198.51.100.1", NULL, false, "u@example.org");
	assert_int_equal(r.decision, EXPLAIN_REFUSE);
	assert_non_null(strstr(r.because, "deferred with 4xx"));
	/* relay_domains: anyone may relay to them */
	r = ask(&f, "198.51.100.1", NULL, false, "u@example.net");
	assert_int_equal(r.decision, EXPLAIN_ACCEPT);
	assert_non_null(strstr(r.because, "relay_domains"));
	/* a reject that does not apply to relaying: nothing refuses it */
	strlist_release(&f.r.self);
	setup(&f, "permit_mynetworks", "reject_unauth_destination",
	    "127.0.0.0/8", "");
	f.p[0].value = (char *)"permit_mynetworks, defer_if_permit";
	r = ask(&f, "198.51.100.1", NULL, false, "postmaster@relayctl.test");
	assert_int_equal(r.decision, EXPLAIN_ACCEPT);	/* with a caveat */
	assert_non_null(strstr(r.because, "(unless 'defer_if_permit'"));
	f.p[0].value = (char *)"permit_mynetworks";
	f.p[1].value = (char *)"check_relay_domains";
	r = ask(&f, "198.51.100.1", NULL, false, "u@example.net");
	assert_int_equal(r.decision, EXPLAIN_UNKNOWN);	/* a lookup */
	assert_int_equal(explain_rcpt(&f.r, &bad, &r), RELAY_EINVAL);
	strlist_release(&f.r.self);
}

static void test_postfix_order(void **state)
{
	struct fixture f;
	struct explain_result r;

	(void)state;
	/* the relay list decides nothing; the recipient list permits */
	setup(&f, "permit_sasl_authenticated", "permit_mynetworks, "
	    "reject_unauth_destination", "127.0.0.0/8 192.0.2.0/24", "");
	r = ask(&f, "192.0.2.5", NULL, false, "u@example.net");
	assert_int_equal(r.decision, EXPLAIN_ACCEPT);
	assert_string_equal(r.because, "permit_mynetworks in "
	    "smtpd_recipient_restrictions (master.cf:2 (-o on smtp)) matched "
	    "192.0.2.0/24 of mynetworks (main.cf:15)");
	strlist_release(&f.r.self);
	/* no list can stop relaying: smtpd will not start */
	setup(&f, "permit_mynetworks", "permit_sasl_authenticated",
	    "127.0.0.0/8", "");
	r = ask(&f, "198.51.100.1", NULL, false, "u@example.net");
	assert_int_equal(r.decision, EXPLAIN_UNKNOWN);
	assert_non_null(strstr(r.because, "smtpd refuses to start"));
	strlist_release(&f.r.self);
	/* the relay list empty (level 0): the recipient list's own line */
	setup(&f, "", "permit_mynetworks", "127.0.0.0/8", "");
	f.p[1].value = (char *)"permit_mynetworks, reject_unauth_destination";
	r = ask(&f, "198.51.100.1", NULL, false, "u@example.net");
	assert_int_equal(r.decision, EXPLAIN_REFUSE);
	assert_non_null(strstr(r.because, "smtpd_recipient_restrictions "
	    "(master.cf:2 (-o on smtp))"));
	strlist_release(&f.r.self);
	/* warn_if_reject only warns; an unmodelled reject is a caveat */
	setup(&f, PHASE_LIST, "warn_if_reject reject, "
	    "reject_unknown_recipient_domain", "127.0.0.0/8", "");
	r = ask(&f, "127.0.0.1", NULL, false, "u@example.net");
	assert_int_equal(r.decision, EXPLAIN_ACCEPT);
	assert_non_null(strstr(r.because, "(unless "
	    "'reject_unknown_recipient_domain' in smtpd_recipient_restrictions"));
	strlist_release(&f.r.self);
}

static void test_target(void **state)
{
	struct fixture f;
	json_t *t, *g;

	(void)state;
	setup(&f, PHASE_LIST, "", "127.0.0.0/8 0.0.0.0/0", "");
	t = json_pack("{s:{s:s}, s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}, "
	    "{s:s, s:s, s:s}]}", "vantage", "source", "192.0.2.66", "tests",
	    "id", "RLY-PLAIN-EXT", "result", "relayed", "rcpt_to",
	    "<u@example.net>", "id", "RLY-DOT", "result", "relayed", "rcpt_to",
	    "<u@example.net.>", "id", "POS-POSTMASTER", "result", "accepted",
	    "rcpt_to", "<postmaster@relayctl.test>");
	g = explain_target(&f.r, t);
	assert_int_equal(json_array_size(g), 1);
	assert_int_equal(json_array_size(json_object_get(json_array_get(g, 0),
	    "cells")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(g,
	    0), "decision")), "accept");
	json_decref(g);
	json_decref(t);
	strlist_release(&f.r.self);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phase_list),
		cmocka_unit_test(test_other_lists),
		cmocka_unit_test(test_postfix_order),
		cmocka_unit_test(test_target),
	};

	return cmocka_run_group_tests_name("explain", tests, NULL, NULL);
}
