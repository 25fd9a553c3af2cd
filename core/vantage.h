/*
 * vantage - where an audit looks from, and whether that view is an
 * outsider's.  Only a client the server does not trust sees whether it
 * relays for strangers; from a trusted address (loopback, the server's
 * own, mynetworks) relaying is by design.  With the server's configuration
 * the trust is known; without it, a source on the server's own machine is
 * suspected.  Owns nothing.  Never prints.
 */
#ifndef RELAY_VANTAGE_H
#define RELAY_VANTAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"
#include "cidr.h"
#include "policy.h"

enum trust {
	TRUST_REMOTE,	/* no configuration; a remote server: taken as an
			 * outsider's view */
	TRUST_NONE,	/* the configuration (or the user) says: an outsider */
	TRUST_SUSPECTED, /* no configuration; the server's own machine, whose
			 * addresses servers commonly trust */
	TRUST_TRUSTED	/* the configuration lets it relay without AUTH */
};

struct vantage {
	enum trust trust;
	enum client_class cls;	/* by the configuration; OUTSIDER without */
	char source[64];	/* the address the server sees */
	char why[400];		/* in words, naming the setting */
};

/*
 * vantage_class - the class of ADDR under the configuration report R: self
 * (one of R's own networks), allowed (on the allow list) or outsider; WHY
 * names the network and where it is set ("127.0.0.1/32 in mynetworks,
 * main.cf:41").  *WIDE is set when the entry covering ADDR is so wide
 * (cidr_is_wide) that it trusts much of the Internet too.
 */
enum client_class vantage_class(const struct backend_report *r,
    const struct cidr *addr, bool *wide, char *why, size_t len);

/*
 * vantage_judge - the view from SOURCE of the server at PEER (addresses as
 * text, as the connection saw them).  R is the server's configuration or
 * NULL; ASSUME_OUTSIDER is the user's word that SOURCE is not trusted.
 */
void vantage_judge(const struct backend_report *r, const char *source,
    const char *peer, bool assume_outsider, struct vantage *out);

/* vantage_is_local - ADDR is loopback or an address of this machine */
bool vantage_is_local(const char *addr);

/*
 * vantage_pick - a source address for auditing the loopback server PEER
 * that R does not trust: the first of 127.0.0.2 .. 127.0.0.254 (or none
 * for IPv6, whose loopback is one address).  0 with the address in OUT,
 * -1 when there is none.
 */
int vantage_pick(const struct backend_report *r, const char *peer,
    char *out, size_t len);

/* trust_name - "remote", "outsider", "suspected" or "trusted" */
const char *trust_name(enum trust t);

#endif
