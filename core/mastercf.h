/*
 * mastercf - Postfix master.cf: the services, their commands and the
 * "-o name=value" overrides that postconf -n does not show.  Owns the
 * parsed services.  Never prints.
 */
#ifndef RELAY_MASTERCF_H
#define RELAY_MASTERCF_H

#include <stddef.h>

#include "maincf.h"
#include "relay_err.h"

struct mastercf_override {
	const char *name;
	const char *value;
	unsigned line;		/* physical line of the -o, 1-based */
};

struct mastercf_service {
	const char *name;	/* "smtp", "127.0.0.1:2525", "submission" */
	const char *type;	/* "inet", "unix", "pass", ... */
	const char *command;	/* first word of the command: "smtpd" */
	unsigned line;		/* first physical line, 1-based */
	struct mastercf_override *ovr;
	size_t novr;
};

struct mastercf;

/*
 * mastercf_parse - parse LEN bytes of DATA as master.cf (logical lines as
 * in main.cf; eight or more fields).  The command's options end at its
 * first argument that does not start with "-", or at "--"; among them
 * "-o name=value", "-oname=value", "-o { name = value }" and clusters such
 * as "-vo name=value" give overrides.  "{ ... }" is one field, also across
 * lines.  A line with fewer than 8 fields, a malformed -o or an unclosed
 * "{" is RELAY_EINVAL with DIAG naming the line.  Continuation lines with
 * no service before them are skipped, as Postfix skips them.
 */
enum relay_err mastercf_parse(const char *data, size_t len,
    struct mastercf **out, struct maincf_diag *diag);

void mastercf_free(struct mastercf *cf);

/* mastercf_services - the services in file order; *N of them. Borrowed. */
const struct mastercf_service *mastercf_services(const struct mastercf *cf,
    size_t *n);

/* mastercf_override - SVC's last override of NAME, or NULL. */
const struct mastercf_override *mastercf_override(
    const struct mastercf_service *svc, const char *name);

#endif
