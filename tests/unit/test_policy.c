/* test_policy - the backend-neutral policy of PHASES.md §2: the policy of
 * every phase (and the allow list copied, not aliased), the refusals of
 * policy_for_phase, the invariants I1..I4 with the rule each message names,
 * the classification of every phase and of custom combinations, phase
 * names as the command line gives them, and the mechanism names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "cidr.h"
#include "policy.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define ALL_MECHS (MECH_CRAM_MD5 | MECH_PLAIN | MECH_LOGIN)

/* cidrs - parse the NULL-terminated TEXTS into OUT; how many */
static size_t cidrs(const char *const *texts, struct cidr *out, size_t max)
{
	char err[256];
	size_t n;

	for (n = 0; n < max && texts[n] != NULL; n++)
		if (cidr_parse(texts[n], 0, &out[n], NULL, err, sizeof(err)) !=
		    RELAY_OK)
			fail_msg("cidr_parse(\"%s\"): %s", texts[n], err);
	return n;
}

static const char *const two_nets[] = { "192.0.2.0/24", "2001:db8::/48",
    NULL };

/* The policy of each phase (PHASES.md §2, table of the model). */
static const struct {
	enum phase phase;
	bool with_allow;
	bool outbound;
	unsigned auth, tls_only;
} phase_cases[] = {
	{ PHASE_0, false, false, 0, 0 },
	{ PHASE_1, false, true, MECH_CRAM_MD5, 0 },
	{ PHASE_2, true, true, MECH_CRAM_MD5, 0 },
	{ PHASE_3, false, true, ALL_MECHS, 0 },
	{ PHASE_3, true, true, ALL_MECHS, 0 },
	{ PHASE_3_TLS, false, true, ALL_MECHS, MECH_PLAIN | MECH_LOGIN },
	{ PHASE_3_TLS, true, true, ALL_MECHS, MECH_PLAIN | MECH_LOGIN },
};

static void test_for_phase(void **state)
{
	struct cidr nets[4];
	struct policy p;
	char err[256];
	size_t i, n;
	enum relay_err rc;
	int bad = 0;

	(void)state;
	n = cidrs(two_nets, nets, NELEM(nets));
	for (i = 0; i < NELEM(phase_cases); i++) {
		size_t want_n = phase_cases[i].with_allow ? n : 0;
		const char *name = phase_name(phase_cases[i].phase);

		err[0] = '\0';
		rc = policy_for_phase(phase_cases[i].phase, nets, want_n, &p,
		    err, sizeof(err));
		if (rc != RELAY_OK) {
			bad += report("phase %s: refused: %s\n", name, err);
			continue;
		}
		if (p.outbound != phase_cases[i].outbound)
			bad += report("phase %s: outbound %d\n", name, p.outbound);
		if (p.auth_mechs != phase_cases[i].auth)
			bad += report("phase %s: auth_mechs %#x, want %#x\n", name,
			    p.auth_mechs, phase_cases[i].auth);
		if (p.tls_only_mechs != phase_cases[i].tls_only)
			bad += report("phase %s: tls_only_mechs %#x, want %#x\n",
			    name, p.tls_only_mechs, phase_cases[i].tls_only);
		if (p.nallow != want_n)
			bad += report("phase %s: nallow %zu, want %zu\n", name,
			    p.nallow, want_n);
		if (want_n == 0 && p.allow != NULL)
			bad += report("phase %s: allow list without entries\n",
			    name);
		/* Every phase keeps the invariants and is what it says. */
		if (policy_check(&p, err, sizeof(err)) != RELAY_OK)
			bad += report("phase %s: policy_check: %s\n", name, err);
		if (policy_phase(&p) != phase_cases[i].phase)
			bad += report("phase %s: classified as %s\n", name,
			    phase_name(policy_phase(&p)));
		policy_release(&p);
	}
	if (bad)
		fail_msg("%d phase case(s) failed", bad);
}

static void test_allow_copied(void **state)
{
	struct cidr nets[4], orig[4];
	struct policy p;
	char err[256], buf[CIDR_STRLEN];
	size_t n;

	(void)state;
	n = cidrs(two_nets, nets, NELEM(nets));
	memcpy(orig, nets, sizeof(nets));
	assert_int_equal(policy_for_phase(PHASE_2, nets, n, &p, err,
	    sizeof(err)), RELAY_OK);
	assert_non_null(p.allow);
	assert_ptr_not_equal(p.allow, nets);
	assert_int_equal(p.nallow, 2);
	assert_memory_equal(p.allow, orig, n * sizeof(*nets));
	/* The caller's array may change or go away. */
	memset(nets, 0xa5, sizeof(nets));
	assert_string_equal(cidr_format(&p.allow[0], buf), "192.0.2.0/24");
	assert_string_equal(cidr_format(&p.allow[1], buf), "[2001:db8::]/48");
	policy_release(&p);
}

/* Refusals: the code, and the words the message must hold. */
static const struct {
	const char *what;
	enum phase phase;
	bool with_allow;
	const char *words[3];
} refusals[] = {
	{ "allow list with phase 0", PHASE_0, true,
	  { "allow list needs phase 2 or 3", "phase 0 relays for nobody" } },
	{ "allow list with phase 1", PHASE_1, true,
	  { "allow list needs phase 2 or 3", "phase 1",
	    "the server itself and CRAM-MD5 users only" } },
	{ "phase 2 without allow list", PHASE_2, false,
	  { "phase 2 needs at least one allowed network", "--allow CIDR" } },
	{ "custom", PHASE_CUSTOM, false, { "not a phase", "0, 1, 2 and 3" } },
	{ "custom with allow list", PHASE_CUSTOM, true, { "not a phase" } },
	{ "out of range", (enum phase)42, false, { "not a phase" } },
};

static void test_for_phase_refused(void **state)
{
	struct cidr nets[4];
	struct policy p;
	char err[256];
	size_t i, k, n;
	int bad = 0;

	(void)state;
	n = cidrs(two_nets, nets, NELEM(nets));
	for (i = 0; i < NELEM(refusals); i++) {
		memset(&p, 0x5a, sizeof(p));
		err[0] = '\0';
		if (policy_for_phase(refusals[i].phase, nets,
		    refusals[i].with_allow ? n : 0, &p, err, sizeof(err)) !=
		    RELAY_EINVAL) {
			bad += report("%s: not refused\n", refusals[i].what);
			policy_release(&p);
			continue;
		}
		for (k = 0; k < NELEM(refusals[i].words) &&
		    refusals[i].words[k] != NULL; k++)
			if (strstr(err, refusals[i].words[k]) == NULL)
				bad += report("%s: \"%s\" lacks \"%s\"\n",
				    refusals[i].what, err, refusals[i].words[k]);
		/* *OUT is initialised either way: releasing it is safe. */
		if (p.allow != NULL || p.nallow != 0)
			bad += report("%s: out not initialised\n",
			    refusals[i].what);
		policy_release(&p);
	}
	if (bad)
		fail_msg("%d refusal(s) failed", bad);
}

/* policy_check: NULL rule means RELAY_OK. */
static const struct {
	const char *what;
	bool outbound;
	const char *nets[4];
	unsigned auth, tls_only;
	const char *rule;	/* "rule I1:" ... */
	const char *words;	/* more words in the message */
} checks[] = {
	{ "phase 0", false, { NULL }, 0, 0, NULL, NULL },
	{ "phase 2", true, { "192.0.2.0/24" }, MECH_CRAM_MD5, 0, NULL, NULL },
	{ "very wide, but not everything", true, { "0.0.0.0/1", "::/1" },
	  MECH_CRAM_MD5, 0, NULL, NULL },
	{ "no AUTH, outbound", true, { NULL }, 0, 0, NULL, NULL },
	{ "I1 IPv4", true, { "192.0.2.0/24", "0.0.0.0/0" }, MECH_CRAM_MD5, 0,
	  "rule I1:", "'0.0.0.0/0'" },
	{ "I1 IPv6", true, { "::/0" }, MECH_CRAM_MD5, 0, "rule I1:",
	  "'[::]/0'" },
	{ "I1 even when not outbound", false, { "0.0.0.0/0" }, 0, 0,
	  "rule I1:", "open relay" },
	{ "I2 PLAIN alone", true, { NULL }, MECH_PLAIN, 0, "rule I2:",
	  "together with CRAM-MD5" },
	{ "I2 LOGIN alone", true, { NULL }, MECH_LOGIN, 0, "rule I2:", NULL },
	{ "I2 PLAIN and LOGIN", true, { NULL }, MECH_PLAIN | MECH_LOGIN,
	  MECH_PLAIN, "rule I2:", NULL },
	{ "CRAM-MD5 and LOGIN", true, { NULL }, MECH_CRAM_MD5 | MECH_LOGIN, 0,
	  NULL, NULL },
	{ "I3 ANONYMOUS", true, { NULL }, MECH_CRAM_MD5 | MECH_ANONYMOUS, 0,
	  "rule I3:", "anonymous" },
	{ "I3 ANONYMOUS alone", true, { NULL }, MECH_ANONYMOUS, 0, "rule I3:",
	  NULL },
	{ "I4 AUTH without outbound", false, { NULL }, MECH_CRAM_MD5, 0,
	  "rule I4:", "outbound" },
	{ "I4 phase 3 mechanisms without outbound", false, { NULL },
	  ALL_MECHS, 0, "rule I4:", NULL },
	{ "I1 before I2", true, { "::/0" }, MECH_PLAIN, 0, "rule I1:", NULL },
	{ "I2 before I3", true, { NULL }, MECH_PLAIN | MECH_ANONYMOUS, 0,
	  "rule I2:", NULL },
	{ "I3 before I4", false, { NULL }, MECH_CRAM_MD5 | MECH_ANONYMOUS, 0,
	  "rule I3:", NULL },
};

static void test_check(void **state)
{
	struct cidr nets[4];
	struct policy p;
	char err[256];
	enum relay_err rc;
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < NELEM(checks); i++) {
		memset(&p, 0, sizeof(p));
		p.outbound = checks[i].outbound;
		p.nallow = cidrs(checks[i].nets, nets, NELEM(nets));
		p.allow = p.nallow ? nets : NULL;
		p.auth_mechs = checks[i].auth;
		p.tls_only_mechs = checks[i].tls_only;
		strcpy(err, "untouched");
		rc = policy_check(&p, err, sizeof(err));
		if (checks[i].rule == NULL) {
			if (rc != RELAY_OK)
				bad += report("%s: refused: %s\n", checks[i].what,
				    err);
			continue;
		}
		if (rc != RELAY_EINVAL)
			bad += report("%s: accepted\n", checks[i].what);
		else if (strncmp(err, checks[i].rule, strlen(checks[i].rule))
		    != 0)
			bad += report("%s: \"%s\" does not start with \"%s\"\n",
			    checks[i].what, err, checks[i].rule);
		else if (checks[i].words != NULL &&
		    strstr(err, checks[i].words) == NULL)
			bad += report("%s: \"%s\" lacks \"%s\"\n", checks[i].what,
			    err, checks[i].words);
	}
	if (bad)
		fail_msg("%d check case(s) failed", bad);
}

/* Classification of hand-made policies. */
static const struct {
	const char *what;
	bool outbound;
	size_t nallow;
	unsigned auth, tls_only;
	enum phase want;
} classes[] = {
	{ "0", false, 0, 0, 0, PHASE_0 },
	{ "0 with an (inert) allow list", false, 1, 0, 0, PHASE_0 },
	{ "1", true, 0, MECH_CRAM_MD5, 0, PHASE_1 },
	{ "2", true, 1, MECH_CRAM_MD5, 0, PHASE_2 },
	{ "3 without allow list", true, 0, ALL_MECHS, 0, PHASE_3 },
	{ "3 with allow list", true, 2, ALL_MECHS, 0, PHASE_3 },
	{ "3-tls", true, 1, ALL_MECHS, MECH_PLAIN | MECH_LOGIN, PHASE_3_TLS },
	{ "3-tls without allow list", true, 0, ALL_MECHS,
	  MECH_PLAIN | MECH_LOGIN, PHASE_3_TLS },
	{ "AUTH without outbound", false, 0, MECH_CRAM_MD5, 0, PHASE_CUSTOM },
	{ "outbound, no AUTH", true, 0, 0, 0, PHASE_CUSTOM },
	{ "outbound, no AUTH, allow list", true, 1, 0, 0, PHASE_CUSTOM },
	{ "CRAM-MD5 and PLAIN only", true, 0, MECH_CRAM_MD5 | MECH_PLAIN, 0,
	  PHASE_CUSTOM },
	{ "PLAIN and LOGIN without CRAM-MD5", true, 0,
	  MECH_PLAIN | MECH_LOGIN, 0, PHASE_CUSTOM },
	{ "phase 3 plus another mechanism", true, 0, ALL_MECHS | MECH_OTHER,
	  0, PHASE_CUSTOM },
	{ "phase 1 plus ANONYMOUS", true, 0, MECH_CRAM_MD5 | MECH_ANONYMOUS,
	  0, PHASE_CUSTOM },
	{ "CRAM-MD5 only after TLS", true, 0, MECH_CRAM_MD5, MECH_CRAM_MD5,
	  PHASE_CUSTOM },
	{ "only PLAIN after TLS", true, 0, ALL_MECHS, MECH_PLAIN,
	  PHASE_CUSTOM },
	{ "everything after TLS", true, 0, ALL_MECHS, ALL_MECHS,
	  PHASE_CUSTOM },
};

static void test_classify(void **state)
{
	struct cidr nets[2];
	struct policy p;
	size_t i;
	int bad = 0;

	(void)state;
	assert_int_equal(cidrs(two_nets, nets, NELEM(nets)), 2);
	for (i = 0; i < NELEM(classes); i++) {
		memset(&p, 0, sizeof(p));
		p.outbound = classes[i].outbound;
		p.allow = classes[i].nallow ? nets : NULL;
		p.nallow = classes[i].nallow;
		p.auth_mechs = classes[i].auth;
		p.tls_only_mechs = classes[i].tls_only;
		if (policy_phase(&p) != classes[i].want)
			bad += report("%s: %s, want %s\n", classes[i].what,
			    phase_name(policy_phase(&p)),
			    phase_name(classes[i].want));
	}
	if (bad)
		fail_msg("%d classification(s) failed", bad);
}

static void test_phase_name(void **state)
{
	(void)state;
	assert_string_equal(phase_name(PHASE_0), "0");
	assert_string_equal(phase_name(PHASE_1), "1");
	assert_string_equal(phase_name(PHASE_2), "2");
	assert_string_equal(phase_name(PHASE_3), "3");
	assert_string_equal(phase_name(PHASE_3_TLS), "3-tls");
	assert_string_equal(phase_name(PHASE_CUSTOM), "custom");
	assert_string_equal(phase_name((enum phase)99), "custom");
	assert_string_equal(phase_name((enum phase)-1), "custom");
}

/* phase_parse: WANT is the phase, or PHASE_CUSTOM for a refusal whose
 * message holds WORDS. */
static const struct {
	const char *text;
	bool tls_only;
	enum phase want;
	const char *words;
} parses[] = {
	{ "0", false, PHASE_0, NULL },
	{ "1", false, PHASE_1, NULL },
	{ "2", false, PHASE_2, NULL },
	{ "3", false, PHASE_3, NULL },
	{ "I", false, PHASE_1, NULL },
	{ "II", false, PHASE_2, NULL },
	{ "III", false, PHASE_3, NULL },
	{ "i", false, PHASE_1, NULL },
	{ "ii", false, PHASE_2, NULL },
	{ "iIi", false, PHASE_3, NULL },
	{ "3", true, PHASE_3_TLS, NULL },
	{ "III", true, PHASE_3_TLS, NULL },
	{ "iii", true, PHASE_3_TLS, NULL },
	{ "4", false, PHASE_CUSTOM, "invalid phase '4'" },
	{ "", false, PHASE_CUSTOM, "invalid phase ''" },
	{ "-1", false, PHASE_CUSTOM, "invalid phase '-1'" },
	{ "2x", false, PHASE_CUSTOM, "invalid phase '2x'" },
	{ " 2", false, PHASE_CUSTOM, "invalid phase ' 2'" },
	{ "02", false, PHASE_CUSTOM, "invalid phase '02'" },
	{ "IV", false, PHASE_CUSTOM, "the phases are 0, 1, 2 and 3" },
	{ "3-tls", false, PHASE_CUSTOM, "invalid phase '3-tls'" },
	{ "custom", false, PHASE_CUSTOM, "invalid phase" },
	{ "4", true, PHASE_CUSTOM, "invalid phase '4'" },
	{ "0", true, PHASE_CUSTOM, "needs phase 3: phase 0 offers no PLAIN" },
	{ "1", true, PHASE_CUSTOM, "needs phase 3: phase 1 offers no PLAIN" },
	{ "2", true, PHASE_CUSTOM, "needs phase 3: phase 2 offers no PLAIN" },
	{ "II", true, PHASE_CUSTOM, "phase II offers no PLAIN or LOGIN" },
};

static void test_parse(void **state)
{
	enum phase got;
	char err[256];
	enum relay_err rc;
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < NELEM(parses); i++) {
		got = (enum phase)77;
		err[0] = '\0';
		rc = phase_parse(parses[i].text, parses[i].tls_only, &got, err,
		    sizeof(err));
		if (parses[i].want != PHASE_CUSTOM) {
			if (rc != RELAY_OK || got != parses[i].want)
				bad += report("\"%s\"%s: rc %d, phase %d: %s\n",
				    parses[i].text, parses[i].tls_only ?
				    " tls_only" : "", rc, (int)got, err);
			continue;
		}
		if (rc != RELAY_EINVAL)
			bad += report("\"%s\"%s: accepted\n", parses[i].text,
			    parses[i].tls_only ? " tls_only" : "");
		else if (strstr(err, parses[i].words) == NULL)
			bad += report("\"%s\": \"%s\" lacks \"%s\"\n",
			    parses[i].text, err, parses[i].words);
		if (got != (enum phase)77)
			bad += report("\"%s\": *out written on error\n",
			    parses[i].text);
	}
	if (bad)
		fail_msg("%d parse case(s) failed", bad);
}

static const struct {
	unsigned mechs;
	const char *want;
} names[] = {
	{ 0, "" },
	{ MECH_CRAM_MD5, "CRAM-MD5" },
	{ MECH_PLAIN, "PLAIN" },
	{ MECH_LOGIN, "LOGIN" },
	{ MECH_LOGIN | MECH_CRAM_MD5, "CRAM-MD5 LOGIN" },
	{ MECH_LOGIN | MECH_PLAIN, "PLAIN LOGIN" },
	{ ALL_MECHS, "CRAM-MD5 PLAIN LOGIN" },
	{ MECH_ANONYMOUS, "ANONYMOUS" },
	{ MECH_OTHER | MECH_PLAIN, "PLAIN OTHER" },
	{ ALL_MECHS | MECH_ANONYMOUS | MECH_OTHER,
	  "CRAM-MD5 PLAIN LOGIN ANONYMOUS OTHER" },
	{ 0x100, "" },
};

static const struct {
	const char *name;
	unsigned bit;
} bits[] = {
	{ "CRAM-MD5", MECH_CRAM_MD5 }, { "cram-md5", MECH_CRAM_MD5 },
	{ "Cram-Md5", MECH_CRAM_MD5 }, { "PLAIN", MECH_PLAIN },
	{ "plain", MECH_PLAIN }, { "LOGIN", MECH_LOGIN },
	{ "login", MECH_LOGIN }, { "ANONYMOUS", MECH_ANONYMOUS },
	{ "anonymous", MECH_ANONYMOUS }, { "DIGEST-MD5", MECH_OTHER },
	{ "SCRAM-SHA-256", MECH_OTHER }, { "EXTERNAL", MECH_OTHER },
	{ "CRAM-MD", MECH_OTHER }, { "CRAM-MD5 ", MECH_OTHER },
	{ "PLAINX", MECH_OTHER }, { "", MECH_OTHER },
};

static void test_mechs(void **state)
{
	char buf[64], small[10];
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < NELEM(names); i++) {
		memset(buf, 'x', sizeof(buf));
		if (mech_names(names[i].mechs, buf, sizeof(buf)) != buf)
			bad += report("%#x: not BUF returned\n", names[i].mechs);
		if (strcmp(buf, names[i].want) != 0)
			bad += report("%#x: \"%s\", want \"%s\"\n",
			    names[i].mechs, buf, names[i].want);
	}
	for (i = 0; i < NELEM(bits); i++)
		if (mech_bit(bits[i].name) != bits[i].bit)
			bad += report("mech_bit(\"%s\") = %#x, want %#x\n",
			    bits[i].name, mech_bit(bits[i].name), bits[i].bit);
	/* Round trip: the names of each bit give the bit. */
	for (i = 1; i <= MECH_OTHER; i <<= 1)
		if (mech_bit(mech_names((unsigned)i, buf, sizeof(buf))) != i)
			bad += report("round trip of %#zx: \"%s\"\n", i, buf);
	if (bad)
		fail_msg("%d mechanism case(s) failed", bad);
	/* A short buffer is truncated, never overrun, always terminated. */
	memset(small, 'x', sizeof(small));
	mech_names(ALL_MECHS, small, 5);
	assert_string_equal(small, "CRAM");
	assert_int_equal(small[5], 'x');
	mech_names(ALL_MECHS, small, 9);
	assert_string_equal(small, "CRAM-MD5");
	assert_int_equal(small[9], 'x');
	mech_names(ALL_MECHS, small, 1);
	assert_string_equal(small, "");
}

static void test_release(void **state)
{
	struct cidr nets[4];
	struct policy zero, p, empty;
	char err[256];
	size_t n;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	memset(&empty, 0, sizeof(empty));
	policy_release(&zero);
	assert_memory_equal(&zero, &empty, sizeof(zero));
	policy_release(NULL);

	n = cidrs(two_nets, nets, NELEM(nets));
	assert_int_equal(policy_for_phase(PHASE_3_TLS, nets, n, &p, err,
	    sizeof(err)), RELAY_OK);
	assert_non_null(p.allow);
	policy_release(&p);
	assert_null(p.allow);
	assert_int_equal(p.nallow, 0);
	assert_false(p.outbound);
	assert_int_equal(p.auth_mechs, 0);
	assert_int_equal(p.tls_only_mechs, 0);
	/* Released twice: still nothing to free. */
	policy_release(&p);
	assert_memory_equal(&p, &empty, sizeof(p));
	/* A released policy can be filled again. */
	assert_int_equal(policy_for_phase(PHASE_1, NULL, 0, &p, err,
	    sizeof(err)), RELAY_OK);
	assert_int_equal(policy_phase(&p), PHASE_1);
	policy_release(&p);
}

/* policy_relays and policy_offered against PHASES.md's table "What an
 * outside client sees": X an outsider, N an allowed host, S the server. */
static void test_relays(void **state)
{
	static const struct {
		enum phase phase;
		bool x, n, s;		/* relay without AUTH */
		unsigned plain, tls;	/* offered before TLS, inside TLS */
	} rows[] = {
		{ PHASE_0, false, false, false, 0, 0 },
		{ PHASE_1, false, false, true, MECH_CRAM_MD5, MECH_CRAM_MD5 },
		{ PHASE_2, false, true, true, MECH_CRAM_MD5, MECH_CRAM_MD5 },
		{ PHASE_3, false, true, true, ALL_MECHS, ALL_MECHS },
		{ PHASE_3_TLS, false, true, true, MECH_CRAM_MD5, ALL_MECHS },
	};
	static const unsigned mechs[] = { MECH_CRAM_MD5, MECH_PLAIN, MECH_LOGIN,
	    MECH_ANONYMOUS, MECH_OTHER };
	struct cidr nets[2];
	struct policy p;
	char err[256];
	size_t i, m;
	int tls;

	(void)state;
	cidrs(two_nets, nets, 2);
	for (i = 0; i < NELEM(rows); i++) {
		bool allow = rows[i].phase == PHASE_2 || rows[i].phase == PHASE_3 ||
		    rows[i].phase == PHASE_3_TLS;
		assert_int_equal(policy_for_phase(rows[i].phase, nets, allow ? 2 :
		    0, &p, err, sizeof(err)), RELAY_OK);
		assert_int_equal(policy_relays(&p, CLIENT_OUTSIDER, 0, false),
		    rows[i].x);
		assert_int_equal(policy_relays(&p, CLIENT_ALLOWED, 0, true),
		    rows[i].n);
		assert_int_equal(policy_relays(&p, CLIENT_SELF, 0, false),
		    rows[i].s);
		assert_int_equal(policy_offered(&p, false), rows[i].plain);
		assert_int_equal(policy_offered(&p, true), rows[i].tls);
		/* after AUTH: what is offered in that session relays, nothing
		 * else does */
		for (m = 0; m < NELEM(mechs); m++)
			for (tls = 0; tls < 2; tls++)
				assert_int_equal(policy_relays(&p,
				    CLIENT_OUTSIDER, mechs[m], tls),
				    (tls ? rows[i].tls : rows[i].plain) &
				    mechs[m] ? true : false);
		policy_release(&p);
		/* the shape is the phase without its list */
		assert_int_equal(policy_shape(rows[i].phase, &p), RELAY_OK);
		assert_int_equal(p.nallow, 0);
		assert_int_equal(policy_offered(&p, true), rows[i].tls);
		assert_int_equal(p.outbound, rows[i].phase != PHASE_0);
	}
	assert_int_equal(policy_shape(PHASE_CUSTOM, &p), RELAY_EINVAL);
	assert_string_equal(client_class_name(CLIENT_OUTSIDER), "outsider");
	assert_string_equal(client_class_name(CLIENT_ALLOWED), "allowed");
	assert_string_equal(client_class_name(CLIENT_SELF), "self");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_for_phase),
		cmocka_unit_test(test_allow_copied),
		cmocka_unit_test(test_for_phase_refused),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_phase_name),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_mechs),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_relays),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
