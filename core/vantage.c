/*
 * vantage - the trust a server gives the address an audit comes from,
 * known from its configuration or suspected from where it runs.  Owns
 * nothing.  Never prints.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "vantage.h"

/* param_source - where R's NAME is set, or "default" */
static const char *param_source(const struct backend_report *r,
    const char *name)
{
	size_t i;

	for (i = 0; i < r->nparams; i++)
		if (strcmp(r->params[i].name, name) == 0)
			return r->params[i].source;
	return "default";
}

/* host_text - ADDR without its prefix when it is one host */
static char *host_text(const struct cidr *addr, char *buf)
{
	(void)cidr_format(addr, buf);
	if (addr->prefix == cidr_addr_size(addr) * 8)
		buf[strcspn(buf, "/")] = '\0';
	return buf;
}

/* has_finding - R reports the finding ID */
static bool has_finding(const struct backend_report *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		if (strcmp(r->findings[i].id, id) == 0)
			return true;
	return false;
}

enum client_class vantage_class(const struct backend_report *r,
    const struct cidr *addr, bool *wide, char *why, size_t len)
{
	struct cidr c;
	char err[128], buf[CIDR_STRLEN];
	size_t i;

	*wide = false;
	for (i = 0; i < r->self.n; i++) {
		if (cidr_parse(r->self.v[i], CIDR_HOSTBITS_OK, &c, NULL, err,
		    sizeof(err)) != RELAY_OK || c.family != addr->family ||
		    !cidr_contains(&c, addr))
			continue;
		snprintf(why, len, "%s is in mynetworks (%s, %s), a network of "
		    "the server itself", host_text(addr, buf), r->self.v[i],
		    param_source(r, "mynetworks"));
		return CLIENT_SELF;
	}
	for (i = 0; i < r->policy.nallow; i++) {
		if (r->policy.allow[i].family != addr->family ||
		    !cidr_contains(&r->policy.allow[i], addr))
			continue;
		*wide = cidr_is_wide(&r->policy.allow[i]);
		snprintf(why, len, "%s is in mynetworks (", host_text(addr, buf));
		snprintf(why + strlen(why), len - strlen(why), "%s, %s), the "
		    "allow list", cidr_format(&r->policy.allow[i], buf),
		    param_source(r, "mynetworks"));
		return CLIENT_ALLOWED;
	}
	snprintf(why, len, "%s is not in mynetworks (%s)", host_text(addr, buf),
	    param_source(r, "mynetworks"));
	return CLIENT_OUTSIDER;
}

bool vantage_is_local(const char *addr)
{
	struct cidr c;
	char err[128];

	if (cidr_parse(addr, 0, &c, NULL, err, sizeof(err)) != RELAY_OK)
		return false;
	if (cidr_is_loopback(&c))
		return true;
	/* ::ffff:127.0.0.1, as an IPv6 socket shows an IPv4 peer */
	if (c.family != AF_INET && memcmp(c.addr,
	    "\0\0\0\0\0\0\0\0\0\0\xff\xff\x7f", 13) == 0)
		return true;
	return cidr_is_own_address(&c);
}

void vantage_judge(const struct backend_report *r, const char *source,
    const char *peer, bool assume_outsider, struct vantage *out)
{
	struct cidr c;
	char err[128];
	bool wide;

	memset(out, 0, sizeof(*out));
	snprintf(out->source, sizeof(out->source), "%s", source);
	out->cls = CLIENT_OUTSIDER;
	if (assume_outsider) {
		out->trust = TRUST_NONE;
		snprintf(out->why, sizeof(out->why), "%s is not trusted by the "
		    "server, as the user said (--assume-outsider)", source);
		return;
	}
	if (r != NULL && cidr_parse(source, 0, &c, NULL, err, sizeof(err)) ==
	    RELAY_OK) {
		out->cls = vantage_class(r, &c, &wide, out->why, sizeof(out->why));
		if (out->cls == CLIENT_OUTSIDER || wide ||
		    has_finding(r, "LNT-RELAY-NONETS") ||
		    !policy_relays(&r->policy, out->cls, 0, false)) {
			out->trust = TRUST_NONE;
			if (out->cls != CLIENT_OUTSIDER)
				snprintf(out->why + strlen(out->why),
				    sizeof(out->why) - strlen(out->why), "%s",
				    wide ? ", which trusts much of the Internet "
				    "too: an outsider's view" : ", but that "
				    "grants no relay in this configuration");
			return;
		}
		out->trust = TRUST_TRUSTED;
		return;
	}
	if (vantage_is_local(peer) && vantage_is_local(source)) {
		out->trust = TRUST_SUSPECTED;
		snprintf(out->why, sizeof(out->why), "%s is an address of the "
		    "server's own machine, which mail servers commonly trust "
		    "(Postfix's default mynetworks holds 127.0.0.0/8); give "
		    "--config-dir to know, or audit from another host", source);
		return;
	}
	out->trust = TRUST_REMOTE;
	snprintf(out->why, sizeof(out->why), "%s: relayctl cannot see the "
	    "server's trusted networks; an outsider's view unless the server "
	    "trusts this address", source);
}

int vantage_pick(const struct backend_report *r, const char *peer,
    char *out, size_t len)
{
	struct cidr p, c;
	char err[128], why[256], text[32];
	bool wide;
	int i;

	if (cidr_parse(peer, 0, &p, NULL, err, sizeof(err)) != RELAY_OK ||
	    p.family != AF_INET || !cidr_is_loopback(&p))
		return -1;
	for (i = 2; i < 255; i++) {
		snprintf(text, sizeof(text), "127.0.0.%d", i);
		if (cidr_parse(text, 0, &c, NULL, err, sizeof(err)) != RELAY_OK)
			return -1;
		if (vantage_class(r, &c, &wide, why, sizeof(why)) ==
		    CLIENT_OUTSIDER) {
			snprintf(out, len, "%s", text);
			return 0;
		}
	}
	return -1;
}

const char *trust_name(enum trust t)
{
	static const char *const names[] = {
		[TRUST_REMOTE] = "remote", [TRUST_NONE] = "outsider",
		[TRUST_SUSPECTED] = "suspected", [TRUST_TRUSTED] = "trusted",
	};

	return (unsigned)t <= TRUST_TRUSTED ? names[t] : "remote";
}
