/*
 * policy - phases, invariants and classification of relay policies.
 * Owns the allow list it copies into a struct policy.  Never prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy.h"

enum relay_err policy_shape(enum phase phase, struct policy *out)
{
	memset(out, 0, sizeof(*out));
	switch (phase) {
	case PHASE_0:
		return RELAY_OK;
	case PHASE_1:
	case PHASE_2:
		out->auth_mechs = MECH_CRAM_MD5;
		break;
	case PHASE_3:
		out->auth_mechs = MECH_CRAM_MD5 | MECH_CLEARTEXT;
		break;
	case PHASE_3_TLS:
		out->auth_mechs = MECH_CRAM_MD5 | MECH_CLEARTEXT;
		out->tls_only_mechs = MECH_CLEARTEXT;
		break;
	default:
		return RELAY_EINVAL;
	}
	out->outbound = true;
	return RELAY_OK;
}

enum relay_err policy_for_phase(enum phase phase, const struct cidr *allow,
    size_t n, struct policy *out, char *err, size_t errlen)
{
	if (policy_shape(phase, out) != RELAY_OK) {
		snprintf(err, errlen, "not a phase: only 0, 1, 2 and 3 exist");
		return RELAY_EINVAL;
	}
	if ((phase == PHASE_0 || phase == PHASE_1) && n > 0) {
		snprintf(err, errlen, "an allow list needs phase 2 or 3; "
		    "phase %s relays for %s", phase_name(phase),
		    phase == PHASE_0 ? "nobody" :
		    "the server itself and CRAM-MD5 users only");
		return RELAY_EINVAL;
	}
	if (phase == PHASE_2 && n == 0) {
		snprintf(err, errlen, "phase 2 needs at least one allowed "
		    "network (--allow CIDR)");
		return RELAY_EINVAL;
	}
	if (n > 0) {
		if ((out->allow = calloc(n, sizeof(*allow))) == NULL)
			return RELAY_ENOMEM;
		memcpy(out->allow, allow, n * sizeof(*allow));
		out->nallow = n;
	}
	return RELAY_OK;
}

bool policy_relays(const struct policy *p, enum client_class c,
    unsigned mech, bool tls)
{
	if (!p->outbound)
		return false;
	if (c == CLIENT_SELF || (c == CLIENT_ALLOWED && p->nallow > 0))
		return true;
	return (mech & policy_offered(p, tls)) != 0;
}

unsigned policy_offered(const struct policy *p, bool tls)
{
	return tls ? p->auth_mechs : p->auth_mechs & ~p->tls_only_mechs;
}

const char *client_class_name(enum client_class c)
{
	return c == CLIENT_SELF ? "self" : c == CLIENT_ALLOWED ? "allowed" :
	    "outsider";
}

enum relay_err policy_check(const struct policy *p, char *err, size_t errlen)
{
	char buf[CIDR_STRLEN];
	size_t i;

	for (i = 0; i < p->nallow; i++) {
		if (cidr_is_everything(&p->allow[i])) {
			snprintf(err, errlen, "rule I1: the allow list must not "
			    "cover every address ('%s'): that is an open relay",
			    cidr_format(&p->allow[i], buf));
			return RELAY_EINVAL;
		}
	}
	if ((p->auth_mechs & MECH_CLEARTEXT) && !(p->auth_mechs & MECH_CRAM_MD5)) {
		snprintf(err, errlen, "rule I2: PLAIN and LOGIN are offered only "
		    "together with CRAM-MD5");
		return RELAY_EINVAL;
	}
	if (p->auth_mechs & MECH_ANONYMOUS) {
		snprintf(err, errlen, "rule I3: anonymous AUTH is never offered");
		return RELAY_EINVAL;
	}
	if (p->auth_mechs != 0 && !p->outbound) {
		snprintf(err, errlen, "rule I4: AUTH is offered only when the "
		    "server delivers outbound mail");
		return RELAY_EINVAL;
	}
	return RELAY_OK;
}

enum phase policy_phase(const struct policy *p)
{
	unsigned all = MECH_CRAM_MD5 | MECH_CLEARTEXT;

	if (!p->outbound)
		return p->auth_mechs == 0 ? PHASE_0 : PHASE_CUSTOM;
	if (p->auth_mechs == MECH_CRAM_MD5 && p->tls_only_mechs == 0)
		return p->nallow == 0 ? PHASE_1 : PHASE_2;
	if (p->auth_mechs == all && p->tls_only_mechs == 0)
		return PHASE_3;
	if (p->auth_mechs == all && p->tls_only_mechs == MECH_CLEARTEXT)
		return PHASE_3_TLS;
	return PHASE_CUSTOM;
}

void policy_release(struct policy *p)
{
	if (p == NULL)
		return;
	free(p->allow);
	memset(p, 0, sizeof(*p));
}

const char *phase_name(enum phase phase)
{
	static const char *const names[] = {
		[PHASE_0] = "0", [PHASE_1] = "1", [PHASE_2] = "2",
		[PHASE_3] = "3", [PHASE_3_TLS] = "3-tls",
		[PHASE_CUSTOM] = "custom",
	};

	return (unsigned)phase <= PHASE_CUSTOM ? names[phase] : "custom";
}

enum relay_err phase_parse(const char *text, bool tls_only, enum phase *out,
    char *err, size_t errlen)
{
	static const struct {
		const char *s;
		enum phase p;
	} forms[] = {
		{ "0", PHASE_0 }, { "1", PHASE_1 }, { "2", PHASE_2 },
		{ "3", PHASE_3 }, { "I", PHASE_1 }, { "II", PHASE_2 },
		{ "III", PHASE_3 },
	};
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		if (strcasecmp(text, forms[i].s) != 0)
			continue;
		if (tls_only && forms[i].p != PHASE_3) {
			snprintf(err, errlen, "--plaintext-after-tls needs phase "
			    "3: phase %s offers no PLAIN or LOGIN", text);
			return RELAY_EINVAL;
		}
		*out = tls_only ? PHASE_3_TLS : forms[i].p;
		return RELAY_OK;
	}
	snprintf(err, errlen, "invalid phase '%s': the phases are 0, 1, 2 and 3",
	    text);
	return RELAY_EINVAL;
}

const char *mech_name(unsigned bit)
{
	switch (bit) {
	case MECH_CRAM_MD5:
		return "CRAM-MD5";
	case MECH_PLAIN:
		return "PLAIN";
	case MECH_LOGIN:
		return "LOGIN";
	case MECH_ANONYMOUS:
		return "ANONYMOUS";
	case MECH_OTHER:
		return "OTHER";
	}
	return NULL;
}

char *mech_names(unsigned mechs, char *buf, size_t len)
{
	unsigned bit;
	size_t off = 0;

	buf[0] = '\0';
	for (bit = MECH_CRAM_MD5; bit <= MECH_OTHER; bit <<= 1) {
		if (!(mechs & bit) || off >= len)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    off ? " " : "", mech_name(bit));
	}
	return buf;
}

unsigned mech_bit(const char *name)
{
	if (strcasecmp(name, "CRAM-MD5") == 0)
		return MECH_CRAM_MD5;
	if (strcasecmp(name, "PLAIN") == 0)
		return MECH_PLAIN;
	if (strcasecmp(name, "LOGIN") == 0)
		return MECH_LOGIN;
	if (strcasecmp(name, "ANONYMOUS") == 0)
		return MECH_ANONYMOUS;
	return MECH_OTHER;
}
