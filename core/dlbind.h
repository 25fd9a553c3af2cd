/*
 * dlbind - a table of a shared library's functions, filled at run time:
 * libcurl and OpenSSL are loaded only when an audit starts
 * (transport_curl.c, tlslib.c).  Owns nothing it returns.  Never prints.
 */
#ifndef RELAY_DLBIND_H
#define RELAY_DLBIND_H

#include <stddef.h>

/* One function: its symbol NAME, and where its pointer goes in the table
 * (offsetof).  Stringize the name where the table is written: a name the
 * caller has made a macro (transport_curl.c) must not be expanded. */
struct dl_sym {
	const char *name;
	size_t off;
};

/*
 * dl_bind - open the libraries SONAMES (a NULL-ended list, lazily bound)
 * and put each of the N functions SYMS, found in any of them, into the
 * table API of SIZE bytes.  0, or -1 with API zeroed and the libraries
 * closed when one cannot be opened or a function is missing.
 */
int dl_bind(const char *const *sonames, const struct dl_sym *syms, size_t n,
    void *api, size_t size);

#endif
