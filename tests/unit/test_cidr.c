/* test_cidr - prefixes against tables: what cidr_parse accepts and how it
 * says no (the key words and the quoted input), formatting and round
 * trips, containment, overlap, equality and the predicates. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "cidr.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A parse case: on success WANT is cidr_format's text, on error the key
 * words that the message must hold besides the quoted input. */
static const struct {
	const char *text;
	int flags;
	enum relay_err rc;
	const char *want;
	bool normalised;
} parse_cases[] = {
	/* IPv4, accepted */
	{ "192.0.2.0/24", 0, RELAY_OK, "192.0.2.0/24", false },
	{ "192.0.2.7", 0, RELAY_OK, "192.0.2.7/32", false },
	{ "192.0.2.7/32", 0, RELAY_OK, "192.0.2.7/32", false },
	{ "0.0.0.0/0", 0, RELAY_OK, "0.0.0.0/0", false },
	{ "0.0.0.0", 0, RELAY_OK, "0.0.0.0/32", false },
	{ "10.0.0.0/8", 0, RELAY_OK, "10.0.0.0/8", false },
	{ "172.16.0.0/12", 0, RELAY_OK, "172.16.0.0/12", false },
	{ "100.64.0.0/10", 0, RELAY_OK, "100.64.0.0/10", false },
	{ "192.0.2.128/25", 0, RELAY_OK, "192.0.2.128/25", false },
	{ "127.0.0.1/32", 0, RELAY_OK, "127.0.0.1/32", false },
	{ "255.255.255.255/32", 0, RELAY_OK, "255.255.255.255/32", false },
	{ "192.0.2.0/24", CIDR_HOSTBITS_OK, RELAY_OK, "192.0.2.0/24", false },
	{ "192.0.2.1/24", CIDR_HOSTBITS_OK, RELAY_OK, "192.0.2.0/24", true },
	{ "10.1.2.3/0", CIDR_HOSTBITS_OK, RELAY_OK, "0.0.0.0/0", true },
	{ "192.0.2.255/31", CIDR_HOSTBITS_OK, RELAY_OK, "192.0.2.254/31", true },
	/* IPv6, accepted */
	{ "2001:db8::/48", 0, RELAY_OK, "[2001:db8::]/48", false },
	{ "[2001:db8::]/48", 0, RELAY_OK, "[2001:db8::]/48", false },
	{ "[2001:db8::1]", 0, RELAY_OK, "[2001:db8::1]/128", false },
	{ "2001:db8::1", 0, RELAY_OK, "[2001:db8::1]/128", false },
	{ "[2001:db8::1]/128", 0, RELAY_OK, "[2001:db8::1]/128", false },
	{ "::/0", 0, RELAY_OK, "[::]/0", false },
	{ "[::]/0", 0, RELAY_OK, "[::]/0", false },
	{ "::1", 0, RELAY_OK, "[::1]/128", false },
	{ "[::1]", 0, RELAY_OK, "[::1]/128", false },
	{ "fe80::/10", 0, RELAY_OK, "[fe80::]/10", false },
	{ "ff00::/8", 0, RELAY_OK, "[ff00::]/8", false },
	{ "2001:DB8:0:0:0:0:0:0/32", 0, RELAY_OK, "[2001:db8::]/32", false },
	{ "2001:0db8:0000:0000:0000:0000:0000:0001", 0, RELAY_OK,
	    "[2001:db8::1]/128", false },
	{ "2001:db8:0:1:1:1:1:1", 0, RELAY_OK,
	    "[2001:db8:0:1:1:1:1:1]/128", false },
	{ "2001:db8:0:0:1:0:0:1", 0, RELAY_OK,
	    "[2001:db8::1:0:0:1]/128", false },
	{ "2001:db8::1/64", CIDR_HOSTBITS_OK, RELAY_OK, "[2001:db8::]/64",
	    true },
	{ "[2001:db8::ffff]/127", CIDR_HOSTBITS_OK, RELAY_OK,
	    "[2001:db8::fffe]/127", true },
	{ "::ffff:127.0.0.0/104", 0, RELAY_OK, "[::ffff:127.0.0.0]/104",
	    false },
	{ "[::ffff:192.0.2.1]", 0, RELAY_OK, "[::ffff:192.0.2.1]/128",
	    false },
	/* empty, missing parts */
	{ "", 0, RELAY_EINVAL, "missing address", false },
	{ "/24", 0, RELAY_EINVAL, "missing address", false },
	{ "[]", 0, RELAY_EINVAL, "missing address", false },
	{ "[]/64", 0, RELAY_EINVAL, "missing address", false },
	{ "10.0.0.0/", 0, RELAY_EINVAL, "missing prefix length", false },
	{ "[2001:db8::]/", 0, RELAY_EINVAL, "missing prefix length", false },
	/* prefix lengths */
	{ "10.0.0.0/33", 0, RELAY_EINVAL, "IPv4 allows 0 to 32", false },
	{ "10.0.0.0/99999999999999999999", 0, RELAY_EINVAL,
	    "IPv4 allows 0 to 32", false },
	{ "2001:db8::/129", 0, RELAY_EINVAL, "IPv6 allows 0 to 128", false },
	{ "[2001:db8::]/1000", 0, RELAY_EINVAL, "IPv6 allows 0 to 128",
	    false },
	{ "10.0.0.0/024", 0, RELAY_EINVAL, "leading zeros", false },
	{ "10.0.0.0/00", 0, RELAY_EINVAL, "leading zeros", false },
	{ "[::]/00", 0, RELAY_EINVAL, "leading zeros", false },
	{ "10.0.0.0/+8", 0, RELAY_EINVAL, "sign", false },
	{ "10.0.0.0/-1", 0, RELAY_EINVAL, "sign", false },
	{ "10.0.0.0/x", 0, RELAY_EINVAL, "want a decimal number", false },
	{ "10.0.0.0/0x8", 0, RELAY_EINVAL, "trailing text 'x8'", false },
	{ "[2001:db8::]//48", 0, RELAY_EINVAL, "want a decimal number",
	    false },
	/* trailing text and white space */
	{ "10.0.0.0/8x", 0, RELAY_EINVAL, "trailing text 'x'", false },
	{ "10.0.0.0/8/8", 0, RELAY_EINVAL, "trailing text '/8'", false },
	{ "2001:db8::/48/", 0, RELAY_EINVAL, "trailing text '/'", false },
	{ "[2001:db8::]x", 0, RELAY_EINVAL, "trailing text 'x' after ']'",
	    false },
	{ "[2001:db8::]48", 0, RELAY_EINVAL, "trailing text '48' after ']'",
	    false },
	{ " /24", 0, RELAY_EINVAL, "white space", false },
	{ "10.0.0.0/24 ", 0, RELAY_EINVAL, "white space", false },
	{ "10.0.0.0 /24", 0, RELAY_EINVAL, "white space", false },
	{ "::1/128 # loopback", 0, RELAY_EINVAL, "white space", false },
	/* IPv4 addresses */
	{ "192.0.02.0/24", 0, RELAY_EINVAL, "leading zero in '02'", false },
	{ "010.0.0.0/8", 0, RELAY_EINVAL, "leading zero in '010'", false },
	{ "00.0.0.0/0", 0, RELAY_EINVAL, "leading zero in '00'", false },
	{ "192.0.2.256/24", 0, RELAY_EINVAL,
	    "invalid IPv4 address '192.0.2.256'", false },
	{ "1000.0.0.0/8", 0, RELAY_EINVAL, "'1000' is out of range", false },
	{ "192.0.2/24", 0, RELAY_EINVAL, "want four numbers", false },
	{ "192.0.2.0.1", 0, RELAY_EINVAL, "want four numbers", false },
	{ "192..2.0", 0, RELAY_EINVAL, "want four numbers", false },
	{ "192.0.2.0.", 0, RELAY_EINVAL, "want four numbers", false },
	{ ".192.0.2.0", 0, RELAY_EINVAL, "want four numbers", false },
	{ "10/8", 0, RELAY_EINVAL, "want four numbers", false },
	{ "localhost", 0, RELAY_EINVAL, "invalid address", false },
	{ "0x7f.0.0.1", 0, RELAY_EINVAL, "invalid address", false },
	{ "192.0.2.0x/24", 0, RELAY_EINVAL, "invalid address '192.0.2.0x'",
	    false },
	{ "-1.0.0.0/8", 0, RELAY_EINVAL, "invalid address", false },
	/* brackets */
	{ "[192.0.2.0]/24", 0, RELAY_EINVAL, "brackets around IPv4", false },
	{ "[192.0.2.1]", 0, RELAY_EINVAL, "brackets around IPv4", false },
	{ "[2001:db8::/48", 0, RELAY_EINVAL, "unbalanced brackets", false },
	{ "[2001:db8::", 0, RELAY_EINVAL, "unbalanced brackets", false },
	{ "2001:db8::]/48", 0, RELAY_EINVAL, "unbalanced brackets", false },
	{ "[[2001:db8::]]/48", 0, RELAY_EINVAL, "unbalanced brackets", false },
	{ "[2001:db8::]]/48", 0, RELAY_EINVAL, "unbalanced brackets", false },
	{ "[2001:db8::]/48]", 0, RELAY_EINVAL, "unbalanced brackets", false },
	{ "[2001:db8::][", 0, RELAY_EINVAL, "unbalanced brackets", false },
	{ "[", 0, RELAY_EINVAL, "unbalanced brackets", false },
	{ "]", 0, RELAY_EINVAL, "unbalanced brackets", false },
	{ "10.0.0.0/[8]", 0, RELAY_EINVAL, "unbalanced brackets", false },
	{ "[2001:db8::/48]", 0, RELAY_EINVAL,
	    "the prefix length goes after the ']'", false },
	/* IPv6 addresses and zone ids */
	{ "fe80::1%eth0", 0, RELAY_EINVAL, "zone id '%eth0'", false },
	{ "fe80::1%eth0/64", 0, RELAY_EINVAL, "zone id '%eth0'", false },
	{ "[fe80::1%eth0]/64", 0, RELAY_EINVAL, "zone id '%eth0'", false },
	{ "192.0.2.1%1", 0, RELAY_EINVAL, "zone id '%1'", false },
	{ "2001:db8::g/48", 0, RELAY_EINVAL,
	    "invalid IPv6 address '2001:db8::g'", false },
	{ "2001:db8:::1", 0, RELAY_EINVAL, "invalid IPv6 address", false },
	{ "1:2:3:4:5:6:7:8:9", 0, RELAY_EINVAL, "invalid IPv6 address",
	    false },
	{ "2001:db8::1::2", 0, RELAY_EINVAL, "invalid IPv6 address", false },
	{ "12345::/16", 0, RELAY_EINVAL, "invalid IPv6 address", false },
	{ ":", 0, RELAY_EINVAL, "invalid IPv6 address", false },
	{ "0000000000000000000000000000000000000000000000000000000000000000"
	    "00000000:1",
	    0, RELAY_EINVAL, "too long", false },
	{ "::ffff:01.2.3.4", 0, RELAY_EINVAL, "leading zero in '01'", false },
	{ "::ffff:1.2.3.256", 0, RELAY_EINVAL, "'256' is out of range",
	    false },
	{ "::ffff:1.2.3", 0, RELAY_EINVAL, "want four numbers", false },
	/* host bits */
	{ "192.0.2.1/24", 0, RELAY_EINVAL,
	    "host bits set in '192.0.2.1/24' (did you mean '192.0.2.0/24'?)",
	    false },
	{ "10.0.0.1/0", 0, RELAY_EINVAL, "did you mean '0.0.0.0/0'?", false },
	{ "127.0.0.1/8", 0, RELAY_EINVAL, "did you mean '127.0.0.0/8'?",
	    false },
	{ "2001:db8::1/48", 0, RELAY_EINVAL,
	    "did you mean '[2001:db8::]/48'?", false },
	{ "[::1]/0", 0, RELAY_EINVAL, "did you mean '[::]/0'?", false },
	{ "[2001:db8::c000]/113", 0, RELAY_EINVAL,
	    "did you mean '[2001:db8::8000]/113'?", false },
};

static void test_parse_table(void **state)
{
	struct cidr c;
	char err[256], buf[CIDR_STRLEN], quoted[256];
	bool norm;
	enum relay_err rc;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(parse_cases); i++) {
		const char *text = parse_cases[i].text;

		norm = !parse_cases[i].normalised;
		rc = cidr_parse(text, parse_cases[i].flags, &c, &norm, err,
		    sizeof(err));
		if (rc != parse_cases[i].rc)
			fail_msg("'%s': got %s (%s), want %s", text,
			    relay_errname(rc), rc == RELAY_OK ? "" : err,
			    relay_errname(parse_cases[i].rc));
		if (rc == RELAY_OK) {
			cidr_format(&c, buf);
			if (strcmp(buf, parse_cases[i].want) != 0)
				fail_msg("'%s': got '%s', want '%s'", text,
				    buf, parse_cases[i].want);
			if (norm != parse_cases[i].normalised)
				fail_msg("'%s': normalised %d", text, norm);
			continue;
		}
		snprintf(quoted, sizeof(quoted), "'%s'", text);
		if (strstr(err, parse_cases[i].want) == NULL ||
		    strstr(err, quoted) == NULL)
			fail_msg("'%s': message \"%s\" lacks \"%s\" or %s",
			    text, err, parse_cases[i].want, quoted);
		/* One voice: lower case, no final period, no newline. */
		if (err[0] < 'a' || err[0] > 'z' ||
		    err[strlen(err) - 1] == '.' || strchr(err, '\n') != NULL)
			fail_msg("'%s': badly formed message \"%s\"", text,
			    err);
		if (norm == parse_cases[i].normalised)
			fail_msg("'%s': *normalised written on error", text);
	}
}

/* Whole messages, for the two examples of the contract and a few more. */
static const struct {
	const char *text, *msg;
} message_cases[] = {
	{ "10.0.0.0/33",
	    "invalid prefix length '33' in '10.0.0.0/33' (IPv4 allows 0 to 32)" },
	{ "192.0.2.1/24",
	    "host bits set in '192.0.2.1/24' (did you mean '192.0.2.0/24'?)" },
	{ "192.0.02.0",
	    "invalid IPv4 address '192.0.02.0' (leading zero in '02': "
	    "octal to some parsers)" },
	{ "192.0.2.256/24",
	    "invalid IPv4 address '192.0.2.256' in '192.0.2.256/24' "
	    "('256' is out of range 0 to 255)" },
	{ "10.0.0.0/024",
	    "invalid prefix length '024' in '10.0.0.0/024' "
	    "(leading zeros are not allowed)" },
	{ "[192.0.2.0]/24",
	    "brackets around IPv4 address '192.0.2.0' in '[192.0.2.0]/24' "
	    "(brackets are for IPv6 only)" },
	{ "fe80::1%eth0/64",
	    "zone id '%eth0' in 'fe80::1%eth0/64' "
	    "(not allowed in a network list)" },
	{ "", "missing address in ''" },
	/* Control characters are shown escaped, on one line. */
	{ "\t10.0.0.0/8", "unexpected white space in '\\t10.0.0.0/8'" },
	{ "10.0.0.0/8\r\n", "unexpected white space in '10.0.0.0/8\\r\\n'" },
	{ "::1\v", "unexpected white space in '::1\\x0b'" },
	{ "10.0.0.0/8\033[2J",
	    "unexpected control character in '10.0.0.0/8\\x1b[2J'" },
	{ "::1\177", "unexpected control character in '::1\\x7f'" },
};

static void test_messages(void **state)
{
	struct cidr c;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(message_cases); i++) {
		assert_int_equal(cidr_parse(message_cases[i].text, 0, &c, NULL,
		    err, sizeof(err)), RELAY_EINVAL);
		assert_string_equal(err, message_cases[i].msg);
	}
}

static void test_error_buffer(void **state)
{
	struct cidr c;
	char err[8];

	(void)state;
	/* No buffer at all, or a tiny one: still an error, no overrun. */
	assert_int_equal(cidr_parse("10.0.0.0/33", 0, &c, NULL, NULL, 0),
	    RELAY_EINVAL);
	memset(err, 'x', sizeof(err));
	assert_int_equal(cidr_parse("10.0.0.0/33", 0, &c, NULL, err, 1),
	    RELAY_EINVAL);
	assert_int_equal(err[0], '\0');
	assert_int_equal(err[1], 'x');
	assert_int_equal(cidr_parse("10.0.0.0/33", 0, &c, NULL, err,
	    sizeof(err)), RELAY_EINVAL);
	assert_string_equal(err, "invalid");
	/* Success leaves an empty message. */
	assert_int_equal(cidr_parse("10.0.0.0/8", 0, &c, NULL, err,
	    sizeof(err)), RELAY_OK);
	assert_string_equal(err, "");
}

static void test_out_untouched(void **state)
{
	struct cidr c, before;
	char err[128];
	bool norm = true;

	(void)state;
	memset(&c, 0xa5, sizeof(c));
	before = c;
	assert_int_equal(cidr_parse("192.0.2.1/24", 0, &c, &norm, err,
	    sizeof(err)), RELAY_EINVAL);
	assert_memory_equal(&c, &before, sizeof(c));
	assert_true(norm);
	assert_int_equal(cidr_parse("2001:db8::/129", CIDR_HOSTBITS_OK, &c,
	    &norm, err, sizeof(err)), RELAY_EINVAL);
	assert_memory_equal(&c, &before, sizeof(c));

	/* The unused bytes of an IPv4 address are zero. */
	assert_int_equal(cidr_parse("192.0.2.1/24", CIDR_HOSTBITS_OK, &c,
	    NULL, err, sizeof(err)), RELAY_OK);
	assert_int_equal(c.family, AF_INET);
	assert_int_equal(c.prefix, 24);
	assert_memory_equal(c.addr,
	    "\xc0\x00\x02\x00\0\0\0\0\0\0\0\0\0\0\0\0", 16);
}

static void test_round_trip(void **state)
{
	struct cidr a, b;
	char err[256], buf[CIDR_STRLEN], again[CIDR_STRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(parse_cases); i++) {
		if (parse_cases[i].rc != RELAY_OK)
			continue;
		assert_int_equal(cidr_parse(parse_cases[i].text,
		    parse_cases[i].flags, &a, NULL, err, sizeof(err)), RELAY_OK);
		cidr_format(&a, buf);
		if (cidr_parse(buf, 0, &b, NULL, err, sizeof(err)) != RELAY_OK)
			fail_msg("'%s' does not parse back: %s", buf, err);
		assert_true(cidr_equal(&a, &b));
		assert_memory_equal(&a, &b, sizeof(a));
		assert_string_equal(cidr_format(&b, again), buf);
	}
}

/* next - a deterministic pseudo-random number (a 64-bit LCG) */
static uint32_t next(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005u + 1442695040888963407u;
	return (uint32_t)(*seed >> 33);
}

static void test_round_trip_many(void **state)
{
	struct cidr a, b, wider;
	char err[256], buf[CIDR_STRLEN];
	uint64_t seed = 1;
	size_t i, j;
	int n;

	(void)state;
	for (n = 0; n < 4000; n++) {
		memset(&a, 0, sizeof(a));
		a.family = n % 2 ? AF_INET6 : AF_INET;
		for (i = 0; i < cidr_addr_size(&a); i++)
			a.addr[i] = (uint8_t)next(&seed);
		/* Runs of zero groups, so that "::" turns up often. */
		if (a.family == AF_INET6 && next(&seed) % 2) {
			i = next(&seed) % 8;
			memset(a.addr + 2 * i, 0, 2 * (next(&seed) % (9 - i)));
		}
		a.addr[15] &= (uint8_t)(n % 3 ? 0xff : 0);
		a.prefix = next(&seed) % (a.family == AF_INET ? 33 : 129);
		cidr_format(&a, buf);
		/* The host bits go: with the flag quietly, else an error. */
		if (cidr_parse(buf, CIDR_HOSTBITS_OK, &b, NULL, err,
		    sizeof(err)) != RELAY_OK)
			fail_msg("'%s' does not parse: %s", buf, err);
		assert_true(cidr_equal(&a, &b));
		assert_true(cidr_contains(&b, &a));
		for (i = 0; i < cidr_addr_size(&a); i++)
			if (a.addr[i] != b.addr[i])
				break;
		if (i < cidr_addr_size(&a))
			assert_int_equal(cidr_parse(buf, 0, &b, NULL, err,
			    sizeof(err)), RELAY_EINVAL);
		/* Every shorter prefix of the same address holds it. */
		wider = b;
		for (j = 0; j < 3 && wider.prefix > 0; j++) {
			wider.prefix -= next(&seed) % wider.prefix + 1;
			assert_true(cidr_contains(&wider, &b));
			assert_false(cidr_contains(&b, &wider));
			assert_true(cidr_overlaps(&b, &wider));
			assert_false(cidr_equal(&b, &wider));
		}
	}
}

/* Structs built by hand, as a caller might, formatted. */
static const struct {
	struct cidr c;
	const char *want;
} format_cases[] = {
	{ { AF_INET, { 192, 0, 2, 0 }, 24 }, "192.0.2.0/24" },
	{ { AF_INET, { 255, 255, 255, 255 }, 32 }, "255.255.255.255/32" },
	{ { AF_INET, { 0 }, 0 }, "0.0.0.0/0" },
	{ { AF_INET6, { 0 }, 0 }, "[::]/0" },
	{ { AF_INET6, { [15] = 1 }, 128 }, "[::1]/128" },
	{ { AF_INET6, { 0x20, 0x01, 0x0d, 0xb8 }, 32 }, "[2001:db8::]/32" },
	{ { AF_INET6, { [10] = 0xff, [11] = 0xff, [12] = 127 }, 104 },
	    "[::ffff:127.0.0.0]/104" },
	{ { AF_INET6, { [10] = 0xff, [11] = 0xff, [12] = 255, [13] = 255,
	    [14] = 255, [15] = 255 }, 128 }, "[::ffff:255.255.255.255]/128" },
	{ { AF_INET6, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 128 },
	    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]/128" },
	{ { AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1,
	    0, 1 }, 128 }, "[2001:db8:0:1:1:1:1:1]/128" },
	{ { AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,
	    0, 0 }, 80 }, "[2001:db8:0:0:1::]/80" },
	{ { AF_INET6, { 0xfe, 0x80 }, 10 }, "[fe80::]/10" },
};

static void test_format(void **state)
{
	char buf[CIDR_STRLEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(format_cases); i++) {
		memset(buf, 'x', sizeof(buf));
		assert_ptr_equal(cidr_format(&format_cases[i].c, buf), buf);
		assert_string_equal(buf, format_cases[i].want);
		assert_true(strlen(buf) < CIDR_STRLEN);
		assert_int_equal(buf[CIDR_STRLEN], 'x');
	}
	/* The longest inet_ntop text fits with brackets and "/128". */
	assert_true(INET6_ADDRSTRLEN - 1 + 2 + 4 + 1 <= CIDR_STRLEN);
}

/* parse - TEXT as a struct; the test fails if it does not parse */
static struct cidr parse(const char *text)
{
	struct cidr c;
	char err[256];

	if (cidr_parse(text, 0, &c, NULL, err, sizeof(err)) != RELAY_OK)
		fail_msg("'%s' does not parse: %s", text, err);
	return c;
}

static const struct {
	const char *outer, *inner;
	bool contains;
} contain_cases[] = {
	{ "10.0.0.0/8", "10.1.0.0/16", true },
	{ "10.1.0.0/16", "10.0.0.0/8", false },
	{ "10.0.0.0/8", "10.0.0.0/8", true },
	{ "10.0.0.0/8", "10.255.255.255", true },
	{ "10.0.0.0/8", "11.0.0.0/8", false },
	{ "10.0.0.0/8", "11.0.0.0", false },
	{ "0.0.0.0/0", "192.0.2.7", true },
	{ "0.0.0.0/0", "0.0.0.0/0", true },
	{ "192.0.2.0/25", "192.0.2.128/25", false },
	{ "192.0.2.0/24", "192.0.2.128/25", true },
	{ "192.0.2.0/23", "192.0.3.5", true },
	{ "192.0.2.0/23", "192.0.4.0", false },
	{ "192.0.2.0/31", "192.0.2.1", true },
	{ "192.0.2.0/31", "192.0.2.2", false },
	{ "127.0.0.1", "127.0.0.1", true },
	{ "127.0.0.1", "127.0.0.2", false },
	{ "::/0", "2001:db8::1", true },
	{ "2001:db8::/32", "2001:db8:ffff::/48", true },
	{ "2001:db8::/32", "2001:db9::/48", false },
	{ "2001:db8::/33", "2001:db8:8000::/48", false },
	{ "2001:db8::/33", "2001:db8:7fff::/48", true },
	{ "2001:db8::/31", "2001:db9::1", true },
	{ "fe80::/10", "febf::1", true },
	{ "fe80::/10", "fec0::1", false },
	{ "::1", "::1", true },
	{ "::/127", "::1", true },
	{ "::1", "::/127", false },
	/* across families, never */
	{ "0.0.0.0/0", "::1", false },
	{ "::/0", "10.0.0.0/8", false },
	{ "::/0", "0.0.0.0/0", false },
	{ "::ffff:0.0.0.0/96", "127.0.0.1", false },
	{ "127.0.0.0/8", "::ffff:127.0.0.1", false },
};

static void test_contains_overlaps(void **state)
{
	struct cidr a, b;
	bool overlap;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(contain_cases); i++) {
		a = parse(contain_cases[i].outer);
		b = parse(contain_cases[i].inner);
		if (cidr_contains(&a, &b) != contain_cases[i].contains)
			fail_msg("contains('%s', '%s') is not %d",
			    contain_cases[i].outer, contain_cases[i].inner,
			    contain_cases[i].contains);
		/* Prefixes overlap only when one holds the other. */
		overlap = cidr_contains(&a, &b) || cidr_contains(&b, &a);
		assert_true(cidr_overlaps(&a, &b) == overlap);
		assert_true(cidr_overlaps(&b, &a) == overlap);
		assert_true(cidr_overlaps(&a, &a));
	}
}

static const struct {
	const char *a, *b;
	bool overlaps;
} overlap_cases[] = {
	{ "10.0.0.0/8", "10.20.0.0/16", true },
	{ "10.20.0.0/16", "10.0.0.0/8", true },
	{ "10.0.0.0/8", "10.0.0.0/8", true },
	{ "10.0.0.0/8", "11.0.0.0/8", false },
	{ "192.0.2.0/25", "192.0.2.128/25", false },
	{ "192.0.2.0/24", "192.0.2.255", true },
	{ "0.0.0.0/0", "203.0.113.9", true },
	{ "2001:db8::/48", "2001:db8:0:1::/64", true },
	{ "2001:db8::/48", "2001:db8:1::/48", false },
	{ "::/0", "::1", true },
	{ "0.0.0.0/0", "::/0", false },
	{ "::ffff:10.0.0.0/104", "10.0.0.0/8", false },
};

static void test_overlaps_table(void **state)
{
	struct cidr a, b;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(overlap_cases); i++) {
		a = parse(overlap_cases[i].a);
		b = parse(overlap_cases[i].b);
		if (cidr_overlaps(&a, &b) != overlap_cases[i].overlaps ||
		    cidr_overlaps(&b, &a) != overlap_cases[i].overlaps)
			fail_msg("overlaps('%s', '%s') is not %d",
			    overlap_cases[i].a, overlap_cases[i].b,
			    overlap_cases[i].overlaps);
	}
}

static const struct {
	const char *a, *b;
	bool equal;
} equal_cases[] = {
	{ "10.0.0.0/8", "10.0.0.0/8", true },
	{ "192.0.2.7", "192.0.2.7/32", true },
	{ "[2001:db8::]/48", "2001:db8::/48", true },
	{ "2001:db8::1", "[2001:0DB8:0:0::1]/128", true },
	{ "10.0.0.0/8", "10.0.0.0/9", false },
	{ "10.0.0.0/8", "11.0.0.0/8", false },
	{ "192.0.2.7", "192.0.2.8", false },
	{ "0.0.0.0/0", "::/0", false },
	{ "::ffff:10.0.0.0/104", "10.0.0.0/8", false },
	{ "::ffff:192.0.2.7", "192.0.2.7", false },
	{ "2001:db8::/48", "2001:db8::/49", false },
};

static void test_equal(void **state)
{
	struct cidr a, b;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(equal_cases); i++) {
		a = parse(equal_cases[i].a);
		b = parse(equal_cases[i].b);
		if (cidr_equal(&a, &b) != equal_cases[i].equal ||
		    cidr_equal(&b, &a) != equal_cases[i].equal)
			fail_msg("equal('%s', '%s') is not %d", equal_cases[i].a,
			    equal_cases[i].b, equal_cases[i].equal);
		assert_true(cidr_equal(&a, &a));
	}
}

static void test_by_hand(void **state)
{
	struct cidr net = parse("10.0.0.0/8"), c;

	(void)state;
	/* Only the network counts: not host bits, not bytes past IPv4's 4. */
	memset(&c, 0, sizeof(c));
	c.family = AF_INET;
	c.prefix = 8;
	c.addr[0] = 10;
	memset(c.addr + 4, 0xee, 12);
	assert_true(cidr_equal(&net, &c));
	c.addr[3] = 1;
	assert_true(cidr_equal(&net, &c));
	assert_true(cidr_contains(&net, &c));
	assert_true(cidr_contains(&c, &net));
	c.addr[0] = 11;
	assert_false(cidr_equal(&net, &c));

	/* 127.0.0.0/7 with its host bit set still reaches past 127/8. */
	c.addr[0] = 127;
	c.prefix = 8;
	assert_true(cidr_is_loopback(&c));
	c.prefix = 7;
	assert_false(cidr_is_loopback(&c));
}

static const struct {
	const char *text;
	bool everything, loopback, wide;
	size_t size;
} predicate_cases[] = {
	{ "0.0.0.0/0", true, false, true, 4 },
	{ "::/0", true, false, true, 16 },
	{ "127.0.0.0/8", false, true, false, 4 },
	{ "127.0.0.1", false, true, false, 4 },
	{ "127.255.0.0/16", false, true, false, 4 },
	{ "127.0.0.66/32", false, true, false, 4 },
	{ "126.0.0.0/7", false, false, true, 4 },
	{ "128.0.0.0/1", false, false, true, 4 },
	{ "0.0.0.0/1", false, false, true, 4 },
	{ "8.0.0.0/7", false, false, true, 4 },
	{ "10.0.0.0/8", false, false, false, 4 },
	{ "128.0.0.0/8", false, false, false, 4 },
	{ "192.0.2.0/24", false, false, false, 4 },
	{ "::1", false, true, false, 16 },
	{ "[::1]/128", false, true, false, 16 },
	{ "::/127", false, false, false, 16 },
	{ "::2", false, false, false, 16 },
	{ "::/128", false, false, false, 16 },
	{ "::ffff:127.0.0.1", false, false, false, 16 },
	{ "::ffff:127.0.0.0/104", false, false, false, 16 },
	{ "2001:db8::/32", false, false, false, 16 },
	{ "2001:db8::/31", false, false, true, 16 },
	{ "2000::/3", false, false, true, 16 },
	{ "8000::/1", false, false, true, 16 },
	{ "2001:db8::1", false, false, false, 16 },
};

static void test_predicates(void **state)
{
	struct cidr c;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(predicate_cases); i++) {
		c = parse(predicate_cases[i].text);
		if (cidr_is_everything(&c) != predicate_cases[i].everything ||
		    cidr_is_loopback(&c) != predicate_cases[i].loopback ||
		    cidr_is_wide(&c) != predicate_cases[i].wide ||
		    cidr_addr_size(&c) != predicate_cases[i].size)
			fail_msg("'%s': everything %d loopback %d wide %d "
			    "size %zu", predicate_cases[i].text,
			    cidr_is_everything(&c), cidr_is_loopback(&c),
			    cidr_is_wide(&c), cidr_addr_size(&c));
	}
}

static jmp_buf bug_jmp;
static const char *bug_msg;

/* bug_hook - record the report, and jump back instead of aborting */
static void bug_hook(const char *file, int line, const char *msg)
{
	(void)file;
	(void)line;
	bug_msg = msg;
	longjmp(bug_jmp, 1);
}

static void test_bad_struct_is_bug(void **state)
{
	static const struct cidr bad[] = {
		{ 0, { 0 }, 0 },
		{ AF_INET, { 0 }, 33 },
		{ AF_INET6, { 0 }, 129 },
	};
	char buf[CIDR_STRLEN];
	volatile size_t i;

	(void)state;
	relay_set_bug_hook(bug_hook);
	for (i = 0; i < NELEM(bad); i++) {
		bug_msg = NULL;
		if (setjmp(bug_jmp) == 0) {
			cidr_format(&bad[i], buf);
			fail_msg("no bug report for bad struct %zu", i);
		}
		assert_non_null(bug_msg);
		bug_msg = NULL;
		if (setjmp(bug_jmp) == 0) {
			(void)cidr_is_wide(&bad[i]);
			fail_msg("no bug report for bad struct %zu", i);
		}
		assert_non_null(bug_msg);
	}
	relay_set_bug_hook(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_out_untouched),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_many),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_contains_overlaps),
		cmocka_unit_test(test_overlaps_table),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_by_hand),
		cmocka_unit_test(test_predicates),
		cmocka_unit_test(test_bad_struct_is_bug),
	};

	return cmocka_run_group_tests_name("cidr", tests, NULL, NULL);
}
