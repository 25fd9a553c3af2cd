/*
 * fuzz_smtp - the SMTP reply reader and the EHLO capability parser on
 * any bytes a server may send.  Properties: no crash, no leak; every reply
 * read has a code of 200..599, at least one line, and stays within the
 * caps; the reader never reads past the data.
 */
#undef NDEBUG			/* the asserts are the properties */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_mem mem = { (const char *)data, size, 0 };
	struct smtp_reader *r;
	struct smtp_reply reply;
	struct smtp_caps caps;
	struct relay_diag diag;
	size_t i, n = 0;

	/* small caps too, so that the limits are reached */
	size_t max_line = size % 2 ? 64 : SMTP_MAX_LINE;
	size_t max_reply = size % 3 ? 512 : SMTP_MAX_REPLY;

	r = smtp_reader_new(smtp_mem_read, &mem, max_line, max_reply);
	if (r == NULL)
		return 0;
	while (n++ < 1000 && smtp_read_reply(r, 1000, &reply, &diag) ==
	    RELAY_OK) {
		assert(reply.code >= 200 && reply.code <= 599);
		assert(reply.nlines >= 1);
		assert(reply.bytes <= max_reply);
		for (i = 0; i < reply.nlines; i++)
			assert(reply.lines[i] != NULL &&
			    strlen(reply.lines[i]) + 1 <= max_line);	/* LF at least */
		(void)smtp_reply_text(&reply);
		memset(&caps, 0, sizeof(caps));
		smtp_caps_parse(&reply, &caps);
		assert(strlen(caps.auth_list) < sizeof(caps.auth_list));
		smtp_reply_release(&reply);
	}
	assert(mem.off <= mem.len);
	smtp_reader_free(r);
	return 0;
}
