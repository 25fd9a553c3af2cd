/*
 * tlslib - OpenSSL, loaded on first use (tlslib.h).  Never prints.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "dlbind.h"
#include "tlslib.h"

#if OPENSSL_VERSION_MAJOR >= 3
#define CRYPTO_SONAME "libcrypto.so.3"
#define SSL_SONAME "libssl.so.3"
#else
#define CRYPTO_SONAME "libcrypto.so.1.1"
#define SSL_SONAME "libssl.so.1.1"
#endif

/* The functions used, by the prototypes of the headers compiled against. */
static struct ossl_api {
	int (*encode_block)(unsigned char *, const unsigned char *, int);
	int (*decode_block)(unsigned char *, const unsigned char *, int);
	const EVP_MD *(*md5)(void);
	unsigned char *(*hmac)(const EVP_MD *, const void *, int,
	    const unsigned char *, size_t, unsigned char *, unsigned int *);
	const char *(*get_version)(const SSL *);
	const SSL_CIPHER *(*get_current_cipher)(const SSL *);
	const char *(*cipher_get_name)(const SSL_CIPHER *);
	X509 *(*get1_peer_certificate)(const SSL *);
	X509_NAME *(*get_subject_name)(const X509 *);
	X509_NAME *(*get_issuer_name)(const X509 *);
	char *(*name_oneline)(const X509_NAME *, char *, int);
	const ASN1_TIME *(*get0_not_after)(const X509 *);
	int (*time_print)(BIO *, const ASN1_TIME *);
	BIO *(*bio_new)(const BIO_METHOD *);
	const BIO_METHOD *(*bio_s_mem)(void);
	int (*bio_read)(BIO *, void *, int);
	int (*bio_free)(BIO *);
	void (*x509_free)(X509 *);
	const char *(*verify_error_string)(long);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded = -1;

static void load(void)
{
	static const char *const sonames[] = { SSL_SONAME, CRYPTO_SONAME,
	    NULL };
	static const struct dl_sym syms[] = {
#define SYM(f, m) { #f, offsetof(struct ossl_api, m) }
		SYM(EVP_EncodeBlock, encode_block),
		SYM(EVP_DecodeBlock, decode_block),
		SYM(EVP_md5, md5),
		SYM(HMAC, hmac),
		SYM(SSL_get_version, get_version),
		SYM(SSL_get_current_cipher, get_current_cipher),
		SYM(SSL_CIPHER_get_name, cipher_get_name),
#if OPENSSL_VERSION_MAJOR >= 3
		SYM(SSL_get1_peer_certificate, get1_peer_certificate),
#else
		SYM(SSL_get_peer_certificate, get1_peer_certificate),
#endif
		SYM(X509_get_subject_name, get_subject_name),
		SYM(X509_get_issuer_name, get_issuer_name),
		SYM(X509_NAME_oneline, name_oneline),
		SYM(X509_get0_notAfter, get0_not_after),
		SYM(ASN1_TIME_print, time_print),
		SYM(BIO_new, bio_new),
		SYM(BIO_s_mem, bio_s_mem),
		SYM(BIO_read, bio_read),
		SYM(BIO_free, bio_free),
		SYM(X509_free, x509_free),
		SYM(X509_verify_cert_error_string, verify_error_string),
#undef SYM
	};

	loaded = dl_bind(sonames, syms, sizeof(syms) / sizeof(syms[0]), &api,
	    sizeof(api));
}

int tlslib_load(void)
{
	pthread_once(&once, load);
	return loaded;
}

char *tlslib_b64(const unsigned char *in, size_t n)
{
	char *out;

	if (tlslib_load() != 0 || n > (size_t)0x3fffffff ||
	    (out = malloc(4 * ((n + 2) / 3) + 1)) == NULL)
		return NULL;
	api.encode_block((unsigned char *)out, in, (int)n);
	return out;
}

int tlslib_unb64(const char *in, size_t len, unsigned char *out,
    size_t outlen)
{
	if (tlslib_load() != 0 || len > (size_t)0x3fffffff ||
	    outlen < 3 * ((len + 3) / 4))
		return -1;
	return api.decode_block(out, (const unsigned char *)in, (int)len);
}

int tlslib_hmac_md5(const void *key, size_t klen, const unsigned char *msg,
    size_t mlen, unsigned char out[16])
{
	unsigned int n = 0;

	if (tlslib_load() != 0 || klen > 0x7fffffff)
		return -1;
	return api.hmac(api.md5(), key, (int)klen, msg, mlen, out, &n) !=
	    NULL && n == 16 ? 0 : -1;
}

void tlslib_session(void *ssl, char *version, size_t vlen, char *cipher,
    size_t clen)
{
	const SSL_CIPHER *c;

	if (tlslib_load() != 0)
		return;
	snprintf(version, vlen, "%s", api.get_version(ssl));
	if ((c = api.get_current_cipher(ssl)) != NULL)
		snprintf(cipher, clen, "%s", api.cipher_get_name(c));
}

void tlslib_cert(void *ssl, char *subject, size_t slen, char *issuer,
    size_t ilen, char *not_after, size_t nlen)
{
	X509 *x;
	BIO *b;
	int n;

	if (tlslib_load() != 0 || (x = api.get1_peer_certificate(ssl)) == NULL)
		return;
	api.name_oneline(api.get_subject_name(x), subject, (int)slen);
	api.name_oneline(api.get_issuer_name(x), issuer, (int)ilen);
	if ((b = api.bio_new(api.bio_s_mem())) != NULL) {
		if (api.time_print(b, api.get0_not_after(x)) == 1 &&
		    (n = api.bio_read(b, not_after, (int)nlen - 1)) > 0)
			not_after[n] = '\0';
		api.bio_free(b);
	}
	api.x509_free(x);
}

const char *tlslib_verify_text(long result)
{
	if (tlslib_load() != 0)
		return "unknown (libcrypto could not be loaded)";
	return api.verify_error_string(result);
}
