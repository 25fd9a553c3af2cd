/*
 * tlslib - the few OpenSSL functions the audit needs: base64, HMAC-MD5
 * (CRAM-MD5) and the facts of a TLS session.  libcrypto and libssl are
 * loaded on first use, as libcurl is (transport_curl.c), not when relayctl
 * starts: the configuration commands never need them, and mapping them
 * costs more CPU than a change to a 10,000-line main.cf.  The only file
 * that includes OpenSSL's headers.  Thread-safe.  Never prints.
 */
#ifndef RELAY_TLSLIB_H
#define RELAY_TLSLIB_H

#include <stddef.h>

/* tlslib_load - load libcrypto and libssl (once); 0, or -1 when they
 * cannot be loaded (then every function below fails) */
int tlslib_load(void);

/* tlslib_b64 - base64 of the N bytes of IN, malloc'd; NULL on failure */
char *tlslib_b64(const unsigned char *in, size_t n);

/* tlslib_unb64 - IN (LEN base64 characters) decoded into OUT (OUTLEN
 * bytes at least 3 * LEN / 4); the number of bytes, or -1 */
int tlslib_unb64(const char *in, size_t len, unsigned char *out,
    size_t outlen);

/* tlslib_hmac_md5 - HMAC-MD5 of MSG under KEY into OUT; 0, or -1 */
int tlslib_hmac_md5(const void *key, size_t klen, const unsigned char *msg,
    size_t mlen, unsigned char out[16]);

/* tlslib_session - the protocol and cipher of SSL (an SSL *), as text */
void tlslib_session(void *ssl, char *version, size_t vlen, char *cipher,
    size_t clen);

/* tlslib_cert - the subject, issuer and expiry of SSL's peer certificate;
 * left empty when there is none */
void tlslib_cert(void *ssl, char *subject, size_t slen, char *issuer,
    size_t ilen, char *not_after, size_t nlen);

/* tlslib_verify_text - X509 verification result RESULT in words */
const char *tlslib_verify_text(long result);

#endif
