/* test_tlslib - OpenSSL loaded on first use: base64 both ways (RFC 4648
 * vectors), HMAC-MD5 (RFC 2104's vector, as CRAM-MD5 uses it), bounds
 * refused, and a verification result in words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tlslib.h"

static void test_base64(void **state)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob",
	    "fooba", "foobar" };
	static const char *const coded[] = { "", "Zg==", "Zm8=", "Zm9v",
	    "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	unsigned char out[16];
	size_t i;
	char *b;
	int n;

	(void)state;
	assert_int_equal(tlslib_load(), 0);
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		b = tlslib_b64((const unsigned char *)plain[i], strlen(plain[i]));
		assert_non_null(b);
		assert_string_equal(b, coded[i]);
		free(b);
		n = tlslib_unb64(coded[i], strlen(coded[i]), out, sizeof(out));
		assert_true(n >= (int)strlen(plain[i]));	/* padding: zeros */
		assert_memory_equal(out, plain[i], strlen(plain[i]));
	}
	/* not base64, or no room for it */
	assert_int_equal(tlslib_unb64("Zm9v!", 5, out, sizeof(out)), -1);
	assert_int_equal(tlslib_unb64("Zm9vYmFyZm9vYmFy", 16, out, 8), -1);
}

static void test_hmac_md5(void **state)
{
	static const unsigned char want[16] = { 0x75, 0x0c, 0x78, 0x3e, 0x6a,
	    0xb0, 0xb5, 0x03, 0xea, 0xa8, 0x6e, 0x31, 0x0a, 0x5d, 0xb7, 0x38 };
	const char *msg = "what do ya want for nothing?";
	unsigned char mac[16];

	(void)state;
	assert_int_equal(tlslib_hmac_md5("Jefe", 4, (const unsigned char *)msg,
	    strlen(msg), mac), 0);
	assert_memory_equal(mac, want, sizeof(want));
}

static void test_verify_text(void **state)
{
	(void)state;
	/* X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT */
	assert_string_equal(tlslib_verify_text(18), "self-signed certificate");
	assert_string_equal(tlslib_verify_text(0), "ok");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_hmac_md5),
		cmocka_unit_test(test_verify_text),
	};

	return cmocka_run_group_tests_name("tlslib", tests, NULL, NULL);
}
