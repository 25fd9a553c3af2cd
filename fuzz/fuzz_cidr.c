/*
 * fuzz_cidr - the CIDR parser on any text.  Properties: what it accepts
 * formats to text that parses again to the same network (a round trip);
 * what it refuses leaves the output untouched and says why.
 */
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
	memset(&c, 0xa5, sizeof(c));
	err[0] = '\0';
	if (cidr_parse(text, flags, &c, &norm, err, sizeof(err)) == RELAY_OK) {
		cidr_format(&c, buf);
		assert(strlen(buf) < CIDR_STRLEN);
		assert(cidr_parse(buf, 0, &again, NULL, err, sizeof(err)) ==
		    RELAY_OK);
		assert(cidr_equal(&c, &again));
		assert(cidr_contains(&c, &again) && cidr_overlaps(&c, &again));
		(void)cidr_is_everything(&c);
		(void)cidr_is_wide(&c);
	} else
		assert(err[0] != '\0');
	free(text);
	return 0;
}
