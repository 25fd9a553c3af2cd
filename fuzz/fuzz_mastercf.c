/*
 * fuzz_mastercf - the master.cf parser on any bytes.  Properties: no
 * crash or leak; a parsed file's services and overrides are well formed
 * and their lines lie within the file.
 */
#undef NDEBUG			/* the asserts are the properties */
#include <assert.h>
#include <stdint.h>

#include "mastercf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mastercf *cf = NULL;
	struct maincf_diag diag;
	const struct mastercf_service *s;
	size_t i, j, n, lines = 1;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (mastercf_parse((const char *)data, size, &cf, &diag) != RELAY_OK)
		return 0;
	s = mastercf_services(cf, &n);
	for (i = 0; i < n; i++) {
		assert(s[i].name != NULL && s[i].type != NULL);
		assert(s[i].line >= 1 && s[i].line <= lines);
		for (j = 0; j < s[i].novr; j++) {
			assert(s[i].ovr[j].name != NULL);
			assert(s[i].ovr[j].value != NULL);
			assert(s[i].ovr[j].line >= s[i].line &&
			    s[i].ovr[j].line <= lines);
		}
	}
	mastercf_free(cf);
	return 0;
}
