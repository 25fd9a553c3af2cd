/*
 * cidr - parse, normalise, format and compare mynetworks-style prefixes.
 * Owns nothing: struct cidr is a value, messages go to the caller's buffer.
 * Must not print, exit or keep state; IPv4 is parsed here, not by libc.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cidr.h"

/* What one cidr_parse() call knows for its messages. */
struct parse {
	const char *text;	/* the whole input, quoted in every message */
	char *err;		/* the caller's buffer, or NULL */
	size_t errlen;
};

/* ilen - N as a precision for "%.*s" */
static int ilen(size_t n)
{
	return n > INT_MAX ? INT_MAX : (int)n;
}

/* vappend - add formatted text at the end of BUF (SIZE bytes), truncating */
static void vappend(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void vappend(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t len = strlen(buf);

	if (len + 1 < size)
		vsnprintf(buf + len, size - len, fmt, ap);
}

/* append - vappend with the arguments in line */
static void append(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vappend(buf, size, fmt, ap);
	va_end(ap);
}

/* fail - leave a whole message in P's buffer, return RELAY_EINVAL */
static enum relay_err fail(const struct parse *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum relay_err fail(const struct parse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err == NULL || p->errlen == 0)
		return RELAY_EINVAL;
	p->err[0] = '\0';
	va_start(ap, fmt);
	vappend(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return RELAY_EINVAL;
}

/*
 * fail_at - leave "WHAT 'PART' in 'TEXT' (HINT)" in P's buffer, without
 * the in-clause when PART is all of the text, and return RELAY_EINVAL.
 */
static enum relay_err fail_at(const struct parse *p, const char *what,
    const char *part, size_t n, const char *hint, ...)
    __attribute__((format(printf, 5, 6)));

static enum relay_err fail_at(const struct parse *p, const char *what,
    const char *part, size_t n, const char *hint, ...)
{
	va_list ap;

	if (p->err == NULL || p->errlen == 0)
		return RELAY_EINVAL;
	p->err[0] = '\0';
	append(p->err, p->errlen, "%s '%.*s'", what, ilen(n), part);
	if (part != p->text || n != strlen(p->text))
		append(p->err, p->errlen, " in '%s'", p->text);
	append(p->err, p->errlen, " (");
	va_start(ap, hint);
	vappend(p->err, p->errlen, hint, ap);
	va_end(ap);
	append(p->err, p->errlen, ")");
	return RELAY_EINVAL;
}

/*
 * fail_blank - say that P's text holds white space or control character
 * C; the quoted text shows control characters escaped, so that the
 * message stays on one line and cannot drive a terminal.
 */
static enum relay_err fail_blank(const struct parse *p, int c)
{
	const unsigned char *s;

	if (p->err == NULL || p->errlen == 0)
		return RELAY_EINVAL;
	p->err[0] = '\0';
	append(p->err, p->errlen, "unexpected %s in '",
	    isspace(c) ? "white space" : "control character");
	for (s = (const unsigned char *)p->text; *s != '\0'; s++) {
		if (*s == '\t')
			append(p->err, p->errlen, "\\t");
		else if (*s == '\n')
			append(p->err, p->errlen, "\\n");
		else if (*s == '\r')
			append(p->err, p->errlen, "\\r");
		else if (iscntrl(*s))
			append(p->err, p->errlen, "\\x%02x", (unsigned)*s);
		else
			append(p->err, p->errlen, "%c", *s);
	}
	append(p->err, p->errlen, "'");
	return RELAY_EINVAL;
}

/* only - the N bytes at S are all from SET */
static bool only(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(set, s[i]) == NULL)
			return false;
	return true;
}

/* width - bits in C's family; a struct no parse could give is a bug */
static unsigned width(const struct cidr *c)
{
	if (c->family == AF_INET && c->prefix <= 32)
		return 32;
	if (c->family == AF_INET6 && c->prefix <= 128)
		return 128;
	RELAY_BUG("cidr: bad family or prefix length");
}

/* mask - the bits of byte I that a prefix of PREFIX bits keeps */
static uint8_t mask(size_t i, unsigned prefix)
{
	if (prefix >= 8 * (i + 1))
		return 0xff;
	if (prefix <= 8 * i)
		return 0;
	return (uint8_t)(0xffu << (8 * (i + 1) - prefix));
}

/* same_net - A and B agree in their first PREFIX bits of SIZE bytes */
static bool same_net(const uint8_t *a, const uint8_t *b, size_t size,
    unsigned prefix)
{
	size_t i;

	for (i = 0; i < size; i++)
		if ((a[i] ^ b[i]) & mask(i, prefix))
			return false;
	return true;
}

/*
 * split - find the address and the prefix length in P's text, taking off
 * Postfix's brackets.  *PFX is NULL when there is no '/'.
 */
static enum relay_err split(const struct parse *p, const char **addr,
    size_t *addrlen, const char **pfx, bool *bracketed)
{
	const char *text = p->text, *close, *slash;

	*addr = text;
	*addrlen = 0;
	*pfx = NULL;
	*bracketed = text[0] == '[';
	if (*bracketed) {
		if ((close = strchr(text, ']')) == NULL)
			return fail(p, "unbalanced brackets in '%s' "
			    "(no ']' after '[')", text);
		*addr = text + 1;
		*addrlen = (size_t)(close - *addr);
		if (close[1] == '/')
			*pfx = close + 2;
		else if (close[1] != '\0' && strchr("[]", close[1]) == NULL)
			return fail(p, "trailing text '%s' after ']' in '%s'",
			    close + 1, text);
		if (strchr(text + 1, '[') != NULL ||
		    strchr(close + 1, ']') != NULL)
			return fail(p, "unbalanced brackets in '%s'", text);
	} else {
		if (strpbrk(text, "[]") != NULL)
			return fail(p, "unbalanced brackets in '%s'", text);
		slash = strchr(text, '/');
		*addrlen = slash != NULL ? (size_t)(slash - text) : strlen(text);
		if (slash != NULL)
			*pfx = slash + 1;
	}
	if (*addrlen == 0)
		return fail(p, "missing address in '%s'", text);
	return RELAY_OK;
}

/* parse_ipv4 - strict dotted quad "a.b.c.d" (N bytes at S) into OUT */
static enum relay_err parse_ipv4(const struct parse *p, const char *s,
    size_t n, uint8_t *out)
{
	const char *end = s + n, *num;
	unsigned v;
	size_t digits;
	int i;

	for (i = 0; i < 4; i++) {
		for (num = s, v = 0; s < end && isdigit((unsigned char)*s); s++)
			if (s - num < 4)
				v = v * 10 + (unsigned)(*s - '0');
		digits = (size_t)(s - num);
		if (digits == 0)
			break;
		if (digits > 1 && num[0] == '0')
			return fail_at(p, "invalid IPv4 address", end - n, n,
			    "leading zero in '%.*s': octal to some parsers",
			    ilen(digits), num);
		if (v > 255)
			return fail_at(p, "invalid IPv4 address", end - n, n,
			    "'%.*s' is out of range 0 to 255",
			    ilen(digits), num);
		out[i] = (uint8_t)v;
		if (i < 3 && (s == end || *s++ != '.'))
			break;
	}
	if (i < 4 || s != end)
		return fail_at(p, "invalid IPv4 address", end - n, n,
		    "want four numbers a.b.c.d");
	return RELAY_OK;
}

/* parse_ipv6 - an IPv6 address (N bytes at S) into OUT, through libc */
static enum relay_err parse_ipv6(const struct parse *p, const char *s,
    size_t n, uint8_t *out)
{
	char buf[64];
	const char *colon;
	uint8_t v4[4];
	enum relay_err rc;

	/* The dotted tail of "::ffff:a.b.c.d" gets the IPv4 rules. */
	for (colon = s + n; colon > s && colon[-1] != ':'; colon--)
		;
	if (memchr(colon, '.', (size_t)(s + n - colon)) != NULL &&
	    only(colon, (size_t)(s + n - colon), "0123456789.") &&
	    (rc = parse_ipv4(p, colon, (size_t)(s + n - colon), v4)) != RELAY_OK)
		return rc;
	if (memchr(s, '/', n) != NULL)
		return fail_at(p, "invalid IPv6 address", s, n,
		    "the prefix length goes after the ']'");
	if (n >= sizeof(buf))
		return fail_at(p, "invalid IPv6 address", s, n, "too long");
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET6, buf, out) != 1)
		return fail_at(p, "invalid IPv6 address", s, n,
		    "want hexadecimal groups like 2001:db8::1");
	return RELAY_OK;
}

/* parse_addr - the address (N bytes at S) into C's family and address */
static enum relay_err parse_addr(const struct parse *p, const char *s,
    size_t n, bool bracketed, struct cidr *c)
{
	const char *pct;
	enum relay_err rc;

	if ((pct = memchr(s, '%', n)) != NULL)
		return fail(p, "zone id '%.*s' in '%s' (not allowed in a "
		    "network list)", ilen((size_t)(s + n - pct)), pct, p->text);
	if (memchr(s, ':', n) != NULL) {
		c->family = AF_INET6;
		return parse_ipv6(p, s, n, c->addr);
	}
	if (!only(s, n, "0123456789."))
		return fail_at(p, "invalid address", s, n,
		    "want an IPv4 or IPv6 address");
	c->family = AF_INET;
	if ((rc = parse_ipv4(p, s, n, c->addr)) != RELAY_OK)
		return rc;
	if (bracketed)
		return fail(p, "brackets around IPv4 address '%.*s' in '%s' "
		    "(brackets are for IPv6 only)", ilen(n), s, p->text);
	return RELAY_OK;
}

/* parse_prefix - the text after '/' into C's prefix length */
static enum relay_err parse_prefix(const struct parse *p, const char *s,
    struct cidr *c)
{
	unsigned max = width(c), v = 0;
	size_t digits;

	if (*s == '\0')
		return fail(p, "missing prefix length after '/' in '%s'",
		    p->text);
	if (*s == '+' || *s == '-')
		return fail_at(p, "invalid prefix length", s, strlen(s),
		    "a sign is not allowed");
	for (digits = 0; isdigit((unsigned char)s[digits]); digits++)
		if (v <= max)
			v = v * 10 + (unsigned)(s[digits] - '0');
	if (digits == 0)
		return fail_at(p, "invalid prefix length", s, strlen(s),
		    "want a decimal number");
	if (s[digits] != '\0')
		return fail(p, "trailing text '%s' after the prefix length "
		    "in '%s'", s + digits, p->text);
	if (digits > 1 && s[0] == '0')
		return fail_at(p, "invalid prefix length", s, digits,
		    "leading zeros are not allowed");
	if (v > max)
		return fail_at(p, "invalid prefix length", s, digits,
		    "%s allows 0 to %u",
		    c->family == AF_INET ? "IPv4" : "IPv6", max);
	c->prefix = v;
	return RELAY_OK;
}

enum relay_err cidr_parse(const char *text, int flags, struct cidr *out,
    bool *normalised, char *err, size_t errlen)
{
	struct parse p = { text, err, errlen };
	struct cidr c;
	const char *addr, *pfx, *s;
	char want[CIDR_STRLEN];
	size_t addrlen, i, size;
	bool bracketed, cleared = false;
	enum relay_err rc;

	if (text == NULL || out == NULL)
		RELAY_BUG("cidr_parse: NULL text or result");
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	for (s = text; *s != '\0'; s++)
		if (isspace((unsigned char)*s) || iscntrl((unsigned char)*s))
			return fail_blank(&p, (unsigned char)*s);
	memset(&c, 0, sizeof(c));
	if ((rc = split(&p, &addr, &addrlen, &pfx, &bracketed)) != RELAY_OK ||
	    (rc = parse_addr(&p, addr, addrlen, bracketed, &c)) != RELAY_OK)
		return rc;
	c.prefix = width(&c);
	if (pfx != NULL && (rc = parse_prefix(&p, pfx, &c)) != RELAY_OK)
		return rc;

	size = cidr_addr_size(&c);
	for (i = 0; i < size; i++) {
		if (c.addr[i] & ~mask(i, c.prefix))
			cleared = true;
		c.addr[i] &= mask(i, c.prefix);
	}
	if (cleared && !(flags & CIDR_HOSTBITS_OK))
		return fail(&p, "host bits set in '%s' (did you mean '%s'?)",
		    text, cidr_format(&c, want));
	*out = c;
	if (normalised != NULL)
		*normalised = cleared;
	return RELAY_OK;
}

char *cidr_format(const struct cidr *c, char *buf)
{
	size_t len;

	if (width(c) == 32) {
		snprintf(buf, CIDR_STRLEN, "%u.%u.%u.%u/%u", c->addr[0],
		    c->addr[1], c->addr[2], c->addr[3], c->prefix);
		return buf;
	}
	buf[0] = '[';
	if (inet_ntop(AF_INET6, c->addr, buf + 1, CIDR_STRLEN - 1) == NULL)
		RELAY_BUG("cidr_format: inet_ntop failed");
	len = strlen(buf);
	snprintf(buf + len, CIDR_STRLEN - len, "]/%u", c->prefix);
	return buf;
}

bool cidr_contains(const struct cidr *outer, const struct cidr *inner)
{
	if (outer->family != inner->family)
		return false;
	(void)width(inner);	/* a bad INNER is a bug too */
	return outer->prefix <= inner->prefix &&
	    same_net(outer->addr, inner->addr, cidr_addr_size(outer),
	    outer->prefix);
}

bool cidr_overlaps(const struct cidr *a, const struct cidr *b)
{
	return cidr_contains(a, b) || cidr_contains(b, a);
}

bool cidr_equal(const struct cidr *a, const struct cidr *b)
{
	return cidr_contains(a, b) && a->prefix == b->prefix;
}

bool cidr_is_everything(const struct cidr *c)
{
	(void)width(c);		/* catch a bad struct */
	return c->prefix == 0;
}

bool cidr_is_loopback(const struct cidr *c)
{
	static const uint8_t one[16] = { [15] = 1 };

	if (width(c) == 32)
		return c->prefix >= 8 && c->addr[0] == 127;
	return c->prefix == 128 && memcmp(c->addr, one, sizeof(one)) == 0;
}

bool cidr_is_wide(const struct cidr *c)
{
	return c->prefix < (width(c) == 32 ? 8u : 32u);
}

size_t cidr_addr_size(const struct cidr *c)
{
	return width(c) / 8;
}

bool cidr_is_own_address(const struct cidr *c)
{
	struct ifaddrs *ifa, *i;
	bool own = false;

	if (c->prefix != (c->family == AF_INET ? 32u : 128u) ||
	    getifaddrs(&ifa) != 0)
		return false;
	for (i = ifa; i != NULL && !own; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != c->family)
			continue;
		if (c->family == AF_INET)
			own = memcmp(&((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr,
			    c->addr, 4) == 0;
		else
			own = memcmp(&((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr,
			    c->addr, 16) == 0;
	}
	freeifaddrs(ifa);
	return own;
}
