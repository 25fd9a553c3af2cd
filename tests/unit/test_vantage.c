/* test_vantage - the trust of an audit's source address: classes from a
 * configuration report (self, allowed, outsider; the setting named), the
 * wide entry that trusts the Internet, a configuration that relays for
 * nobody, the user's word, the suspicion on the server's own machine,
 * the remote default, and the pick of an untrusted loopback source. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vantage.h"

/* A report as the Postfix backend makes it: mynetworks = 127.0.0.1/32
 * 127.0.0.77/32 192.0.2.0/24, set in main.cf line 15. */
struct fixture {
	struct backend_report r;
	struct cidr allow[3];
	struct backend_param param;
	struct backend_finding finding;
};

static void setup_report(struct fixture *f, const char *wide)
{
	char err[128];

	memset(f, 0, sizeof(*f));
	assert_int_equal(strlist_addf(&f->r.self, "%s", "127.0.0.1/32"),
	    RELAY_OK);
	assert_int_equal(cidr_parse("127.0.0.77/32", 0, &f->allow[0], NULL, err,
	    sizeof(err)), RELAY_OK);
	assert_int_equal(cidr_parse("192.0.2.0/24", 0, &f->allow[1], NULL, err,
	    sizeof(err)), RELAY_OK);
	f->r.policy.outbound = true;
	f->r.policy.auth_mechs = MECH_CRAM_MD5;
	f->r.policy.allow = f->allow;
	f->r.policy.nallow = 2;
	if (wide != NULL) {
		assert_int_equal(cidr_parse(wide, 0, &f->allow[2], NULL, err,
		    sizeof(err)), RELAY_OK);
		f->r.policy.nallow = 3;
	}
	f->param.name = (char *)"mynetworks";
	f->param.value = (char *)"127.0.0.1/32 127.0.0.77/32 192.0.2.0/24";
	f->param.source = (char *)"main.cf:15";
	f->r.params = &f->param;
	f->r.nparams = 1;
}

static void teardown_report(struct fixture *f)
{
	strlist_release(&f->r.self);
}

static void test_class(void **state)
{
	struct fixture f;
	struct cidr a;
	char err[128], why[256];
	bool wide;

	(void)state;
	setup_report(&f, NULL);
	assert_int_equal(cidr_parse("127.0.0.1", 0, &a, NULL, err, sizeof(err)),
	    RELAY_OK);
	assert_int_equal(vantage_class(&f.r, &a, &wide, why, sizeof(why)),
	    CLIENT_SELF);
	assert_string_equal(why, "127.0.0.1 is in mynetworks (127.0.0.1/32, "
	    "main.cf:15), a network of the server itself");
	assert_int_equal(cidr_parse("192.0.2.9", 0, &a, NULL, err, sizeof(err)),
	    RELAY_OK);
	assert_int_equal(vantage_class(&f.r, &a, &wide, why, sizeof(why)),
	    CLIENT_ALLOWED);
	assert_false(wide);
	assert_string_equal(why, "192.0.2.9 is in mynetworks (192.0.2.0/24, "
	    "main.cf:15), the allow list");
	assert_int_equal(cidr_parse("127.0.0.2", 0, &a, NULL, err, sizeof(err)),
	    RELAY_OK);
	assert_int_equal(vantage_class(&f.r, &a, &wide, why, sizeof(why)),
	    CLIENT_OUTSIDER);
	assert_string_equal(why, "127.0.0.2 is not in mynetworks (main.cf:15)");
	/* IPv6 never matches an IPv4 entry */
	assert_int_equal(cidr_parse("::1", 0, &a, NULL, err, sizeof(err)),
	    RELAY_OK);
	assert_int_equal(vantage_class(&f.r, &a, &wide, why, sizeof(why)),
	    CLIENT_OUTSIDER);
	teardown_report(&f);
}

static void test_judge(void **state)
{
	struct fixture f;
	struct vantage v;

	(void)state;
	setup_report(&f, NULL);
	vantage_judge(&f.r, "127.0.0.77", "127.0.0.1", false, &v);
	assert_int_equal(v.trust, TRUST_TRUSTED);
	assert_int_equal(v.cls, CLIENT_ALLOWED);
	assert_string_equal(v.source, "127.0.0.77");
	vantage_judge(&f.r, "127.0.0.1", "127.0.0.1", false, &v);
	assert_int_equal(v.trust, TRUST_TRUSTED);
	assert_int_equal(v.cls, CLIENT_SELF);
	vantage_judge(&f.r, "127.0.0.66", "127.0.0.1", false, &v);
	assert_int_equal(v.trust, TRUST_NONE);
	/* the user's word wins over the configuration */
	vantage_judge(&f.r, "127.0.0.77", "127.0.0.1", true, &v);
	assert_int_equal(v.trust, TRUST_NONE);
	assert_non_null(strstr(v.why, "--assume-outsider"));
	/* a configuration that relays for nobody trusts nobody (phase 0) */
	f.r.policy.outbound = false;
	vantage_judge(&f.r, "127.0.0.77", "127.0.0.1", false, &v);
	assert_int_equal(v.trust, TRUST_NONE);
	assert_non_null(strstr(v.why, "grants no relay"));
	f.r.policy.outbound = true;
	/* ... and so does one without permit_mynetworks */
	f.finding.id = "LNT-RELAY-NONETS";
	f.r.findings = &f.finding;
	f.r.nfindings = 1;
	vantage_judge(&f.r, "127.0.0.1", "127.0.0.1", false, &v);
	assert_int_equal(v.trust, TRUST_NONE);
	teardown_report(&f);

	/* An entry that trusts much of the Internet makes no trusted view:
	 * what relays from there relays for strangers too. */
	setup_report(&f, "0.0.0.0/1");
	vantage_judge(&f.r, "127.0.0.66", "127.0.0.1", false, &v);
	assert_int_equal(v.trust, TRUST_NONE);
	assert_int_equal(v.cls, CLIENT_ALLOWED);
	assert_non_null(strstr(v.why, "0.0.0.0/1"));
	assert_non_null(strstr(v.why, "much of the Internet"));
	teardown_report(&f);

	/* Without a configuration: suspected on this machine, remote else. */
	vantage_judge(NULL, "127.0.0.66", "127.0.0.1", false, &v);
	assert_int_equal(v.trust, TRUST_SUSPECTED);
	assert_non_null(strstr(v.why, "--config-dir"));
	vantage_judge(NULL, "127.0.0.66", "::ffff:127.0.0.1", false, &v);
	assert_int_equal(v.trust, TRUST_SUSPECTED);
	vantage_judge(NULL, "198.51.100.66", "192.0.2.25", false, &v);
	assert_int_equal(v.trust, TRUST_REMOTE);
	vantage_judge(NULL, "", "192.0.2.25", false, &v);
	assert_int_equal(v.trust, TRUST_REMOTE);
	assert_string_equal(trust_name(TRUST_SUSPECTED), "suspected");
	assert_string_equal(trust_name(TRUST_NONE), "outsider");
	assert_true(vantage_is_local("::1"));
	assert_true(vantage_is_local("127.9.9.9"));
	assert_false(vantage_is_local("192.0.2.25"));
	assert_false(vantage_is_local("not an address"));
}

static void test_pick(void **state)
{
	struct fixture f;
	struct cidr eight;
	char out[64], err[128];

	(void)state;
	setup_report(&f, NULL);
	assert_int_equal(vantage_pick(&f.r, "127.0.0.1", out, sizeof(out)), 0);
	assert_string_equal(out, "127.0.0.2");
	/* 127.0.0.2 on the allow list: the next one */
	assert_int_equal(cidr_parse("127.0.0.2/32", 0, &f.allow[1], NULL, err,
	    sizeof(err)), RELAY_OK);
	assert_int_equal(vantage_pick(&f.r, "127.0.0.1", out, sizeof(out)), 0);
	assert_string_equal(out, "127.0.0.3");
	/* not for a remote or an IPv6 server */
	assert_int_equal(vantage_pick(&f.r, "192.0.2.25", out, sizeof(out)), -1);
	assert_int_equal(vantage_pick(&f.r, "::1", out, sizeof(out)), -1);
	/* none when the whole of 127/8 is trusted */
	assert_int_equal(cidr_parse("127.0.0.0/8", 0, &eight, NULL, err,
	    sizeof(err)), RELAY_OK);
	f.allow[0] = eight;
	assert_int_equal(vantage_pick(&f.r, "127.0.0.1", out, sizeof(out)), -1);
	teardown_report(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_pick),
	};

	return cmocka_run_group_tests_name("vantage", tests, NULL, NULL);
}
