/*
 * mx - MX, A and AAAA lookups with the resolver library (res_nquery, so
 * that a chosen server and a bounded wait are per call, and no search
 * domains apply).  Owns the list it returns.  Never prints.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mx.h"

#define ANSWER_MAX 65536	/* the largest DNS message */

struct host {
	char name[256];
	unsigned pref;
};

/* query - TYPE records of NAME into BUF; the answer's length, 0 for "no
 * such record" (*NX set for no such name), or -1 with DIAG */
static int query(res_state rs, const char *name, int type, unsigned char *buf,
    int len, int *nx, struct relay_diag *diag)
{
	int n = res_nquery(rs, name, ns_c_in, type, buf, len);

	*nx = 0;
	if (n > len) {
		/* the whole answer did not fit: never parse past the end */
		relay_diagf(diag, RELAY_EIO, "the DNS answer for %s is larger "
		    "than %d bytes", name, len);
		return -1;
	}
	if (n >= 0)
		return n;
	switch (rs->res_h_errno) {
	case HOST_NOT_FOUND:
		*nx = 1;
		return 0;
	case NO_DATA:
		return 0;
	case TRY_AGAIN:
		relay_diagf(diag, RELAY_ETIMEOUT, "the DNS server did not answer "
		    "for %s (timeout or server failure)", name);
		return -1;
	default:
		relay_diagf(diag, RELAY_EIO, "the DNS lookup of %s failed",
		    name);
		return -1;
	}
}

static int by_pref(const void *a, const void *b)
{
	const struct host *x = a, *y = b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return strcasecmp(x->name, y->name);
}

/* add - append ADDR of HOST to the list */
static enum relay_err add(struct mx_addr **out, size_t *n, const struct host *h,
    const char *addr, const char *fail)
{
	struct mx_addr *p = realloc(*out, (*n + 1) * sizeof(*p));

	if (p == NULL)
		return RELAY_ENOMEM;
	*out = p;
	snprintf(p[*n].host, sizeof(p[*n].host), "%s", h->name);
	snprintf(p[*n].addr, sizeof(p[*n].addr), "%s", addr);
	snprintf(p[*n].fail, sizeof(p[*n].fail), "%s", fail != NULL ? fail : "");
	p[*n].pref = h->pref;
	(*n)++;
	return RELAY_OK;
}

/* addresses - HOST's A, then AAAA records, appended; -1 with DIAG on a
 * lookup failure */
static int addresses(res_state rs, const struct host *h, struct mx_addr **out,
    size_t *n, struct relay_diag *diag)
{
	static const int types[] = { ns_t_a, ns_t_aaaa };
	unsigned char *buf = malloc(ANSWER_MAX);
	size_t t;
	int len, nx, i, rc = 0;

	if (buf == NULL) {
		relay_diagf(diag, RELAY_ENOMEM, "out of memory");
		return -1;
	}
	for (t = 0; t < 2; t++) {
		ns_msg msg;
		ns_rr rr;
		if ((len = query(rs, h->name, types[t], buf, ANSWER_MAX, &nx,
		    diag)) < 0) {
			rc = -1;
			break;
		}
		if (len == 0 || ns_initparse(buf, len, &msg) != 0)
			continue;
		for (i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
			char text[64];
			if (ns_parserr(&msg, ns_s_an, i, &rr) != 0 ||
			    (int)ns_rr_type(rr) != types[t] || ns_rr_rdlen(rr) !=
			    (types[t] == ns_t_a ? 4 : 16))
				continue;
			inet_ntop(types[t] == ns_t_a ? AF_INET : AF_INET6,
			    ns_rr_rdata(rr), text, sizeof(text));
			if (add(out, n, h, text, NULL) != RELAY_OK) {
				relay_diagf(diag, RELAY_ENOMEM, "out of memory");
				rc = -1;
				break;
			}
		}
	}
	free(buf);
	return rc;
}

/* set_server - RS asks RESOLVER ("ADDR" or "ADDR:PORT") only */
static enum relay_err set_server(res_state rs, const char *resolver,
    struct relay_diag *diag)
{
	char addr[64];
	const char *colon = strchr(resolver, ':');
	long port = 53;
	char *end;
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	snprintf(addr, sizeof(addr), "%.*s", colon ? (int)(colon - resolver) :
	    (int)strlen(resolver), resolver);
	if (colon != NULL) {
		port = strtol(colon + 1, &end, 10);
		if (*end != '\0' || end == colon + 1 || port < 1 || port > 65535)
			return relay_diagf(diag, RELAY_EINVAL, "invalid resolver "
			    "'%s': give an IPv4 address and an optional :port",
			    resolver);
	}
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		return relay_diagf(diag, RELAY_EINVAL, "invalid resolver '%s': "
		    "give an IPv4 address and an optional :port", resolver);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	rs->nsaddr_list[0] = sin;
	rs->nscount = 1;
	return RELAY_OK;
}

enum relay_err mx_resolve(const char *domain, const char *resolver,
    struct mx_addr **out, size_t *n, struct relay_diag *diag)
{
	struct __res_state rs;
	unsigned char *buf = malloc(ANSWER_MAX);
	struct host *hosts = NULL, self;
	size_t nh = 0, i;
	int len, nx, k;
	enum relay_err err = RELAY_OK;
	ns_msg msg;
	ns_rr rr;

	*out = NULL;
	*n = 0;
	memset(&rs, 0, sizeof(rs));
	if (buf == NULL)
		return RELAY_ENOMEM;
	if (res_ninit(&rs) != 0) {
		free(buf);
		return relay_diagf(diag, RELAY_EIO, "the resolver library could "
		    "not start");
	}
	rs.retrans = 2;		/* seconds per try */
	rs.retry = 2;
	if (resolver != NULL && (err = set_server(&rs, resolver, diag)) !=
	    RELAY_OK)
		goto out;
	if ((len = query(&rs, domain, ns_t_mx, buf, ANSWER_MAX, &nx,
	    diag)) < 0) {
		err = diag->msg[0] && strstr(diag->msg, "did not answer") ?
		    RELAY_ETIMEOUT : RELAY_EIO;
		goto out;
	}
	if (nx) {
		err = relay_diagf(diag, RELAY_EINVAL, "%s: no such domain "
		    "(NXDOMAIN)", domain);
		goto out;
	}
	if (len > 0 && ns_initparse(buf, len, &msg) == 0) {
		hosts = calloc((size_t)ns_msg_count(msg, ns_s_an) + 1,
		    sizeof(*hosts));
		if (hosts == NULL) {
			err = RELAY_ENOMEM;
			goto out;
		}
		for (k = 0; k < ns_msg_count(msg, ns_s_an); k++) {
			if (ns_parserr(&msg, ns_s_an, k, &rr) != 0 ||
			    ns_rr_type(rr) != ns_t_mx || ns_rr_rdlen(rr) < 3)
				continue;
			hosts[nh].pref = ns_get16(ns_rr_rdata(rr));
			if (dn_expand(ns_msg_base(msg), ns_msg_end(msg),
			    ns_rr_rdata(rr) + 2, hosts[nh].name,
			    sizeof(hosts[nh].name)) < 0)
				continue;
			nh++;
		}
	}
	if (nh == 1 && hosts[0].name[0] == '\0') {
		err = relay_diagf(diag, RELAY_EINVAL, "%s accepts no mail (a "
		    "null MX, RFC 7505)", domain);
		goto out;
	}
	if (nh == 0) {
		/* No MX: the domain itself is the implicit MX. */
		memset(&self, 0, sizeof(self));
		snprintf(self.name, sizeof(self.name), "%s", domain);
		if (addresses(&rs, &self, out, n, diag) != 0) {
			err = strstr(diag->msg, "did not answer") != NULL ?
			    RELAY_ETIMEOUT : RELAY_EIO;
			goto out;
		}
		if (*n == 0)
			err = relay_diagf(diag, RELAY_EINVAL, "%s has no MX, A or "
			    "AAAA record", domain);
		goto out;
	}
	qsort(hosts, nh, sizeof(*hosts), by_pref);
	for (i = 0; i < nh; i++) {
		struct relay_diag hd = { "" };
		size_t before = *n;
		if (addresses(&rs, &hosts[i], out, n, &hd) == 0) {
			if (*n == before && add(out, n, &hosts[i], "",
			    "this MX host has no A or AAAA record") != RELAY_OK)
				err = RELAY_ENOMEM;
		} else if (strstr(hd.msg, "out of memory") != NULL ||
		    add(out, n, &hosts[i], "", hd.msg) != RELAY_OK) {
			err = RELAY_ENOMEM;
		}
		if (err != RELAY_OK)
			goto out;
	}
	for (i = 0; i < *n && (*out)[i].fail[0] != '\0'; i++)
		;
	if (i == *n)
		err = relay_diagf(diag, RELAY_EINVAL, "the MX hosts of %s have no "
		    "address", domain);
out:
	if (err != RELAY_OK) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	free(hosts);
	free(buf);
	res_nclose(&rs);
	return err;
}
