/*
 * fuzz_cidr - the CIDR parser on any text.  Properties: what it accepts
 * formats to text that parses again to the same network (a round trip);
 * what it refuses leaves the output untouched and says why.
 */
#undef NDEBUG			/* the asserts are the properties */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, buf[CIDR_STRLEN], err[256];
	struct cidr c, again;
	bool norm = false;
	int flags;

	if (size == 0 || (text = malloc(size)) == NULL)
		return 0;
	flags = data[0] & 1 ? CIDR_HOSTBITS_OK : 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	struct cidr fill;
	enum relay_err e;

	memset(&c, 0xa5, sizeof(c));
	fill = c;
	err[0] = '\0';
	if (cidr_parse(text, flags, &c, &norm, err, sizeof(err)) == RELAY_OK) {
		assert(!norm || flags == CIDR_HOSTBITS_OK);
		cidr_format(&c, buf);
		assert(strlen(buf) < CIDR_STRLEN);
		e = cidr_parse(buf, 0, &again, NULL, err, sizeof(err));
		assert(e == RELAY_OK);
		assert(cidr_equal(&c, &again));
		assert(cidr_contains(&c, &again) && cidr_overlaps(&c, &again));
		(void)cidr_is_everything(&c);
		(void)cidr_is_wide(&c);
	} else {
		assert(err[0] != '\0');
		assert(memcmp(&c, &fill, sizeof(c)) == 0);	/* untouched */
	}
	free(text);
	return 0;
}
