/* test_mx - the parts of the MX lookup that need no DNS server: the
 * resolver argument refused when it is not ADDR[:PORT] (IPv4), and a
 * server that does not answer reported as such, never as an empty list.
 * (Lookups against a real DNS server: tests/integration/t0800-fleet.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "mx.h"

static void test_bad_resolver(void **state)
{
	static const char *const bad[] = { "::1", "127.0.0.1:", "127.0.0.1:0",
	    "127.0.0.1:70000", "127.0.0.1:x", "host.example", "" };
	struct mx_addr *out = (struct mx_addr *)1;
	struct relay_diag d;
	size_t i, n = 9;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&d, 0, sizeof(d));
		assert_int_equal(mx_resolve("relayctl.test", bad[i], &out, &n,
		    &d), RELAY_EINVAL);
		assert_null(out);
		assert_int_equal(n, 0);
		assert_non_null(strstr(d.msg, "invalid resolver"));
	}
}

static void test_silent_resolver(void **state)
{
	struct mx_addr *out = NULL;
	struct relay_diag d = { "" };
	size_t n = 9;
	enum relay_err e;

	(void)state;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	char resolver[32];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	/* a UDP socket that takes the queries and never answers */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	snprintf(resolver, sizeof(resolver), "127.0.0.1:%u",
	    ntohs(sin.sin_port));
	e = mx_resolve("relayctl.test", resolver, &out, &n, &d);
	close(fd);
	assert_int_equal(e, RELAY_ETIMEOUT);
	assert_non_null(strstr(d.msg, "did not answer"));
	assert_null(out);
	assert_int_equal(n, 0);
	assert_non_null(strstr(d.msg, "relayctl.test"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_resolver),
		cmocka_unit_test(test_silent_resolver),
	};

	return cmocka_run_group_tests_name("mx", tests, NULL, NULL);
}
