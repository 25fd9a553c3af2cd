/*
 * fuzz_conffile - the line parsers of `relayctl audit`'s files on any
 * bytes: the defaults file (/etc/relayctl/relayctl.conf) and a --targets
 * file.  They are static in cli/cmd_audit.c, which is included here.
 * Properties: no crash or leak; what the defaults file yields are options
 * of audit ("--name" then its value), each with the line it came from;
 * every target is one word, with its line.  (Errors are printed by the
 * parsers to stderr: run with -close_fd_mask=2 to keep the log short.)
 */
#define _GNU_SOURCE		/* memfd_create */
#define main relayctl_main_unused
#include "../cli/cmd_audit.c"
#undef main

#undef NDEBUG			/* the asserts are the properties */
#include <assert.h>
#include <stdint.h>
#include <sys/mman.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64];
	struct conf c;
	struct strlist targets = { NULL, 0 };
	unsigned *lines = NULL, nlines = 1;
	size_t i;

	if (fd < 0 && (fd = memfd_create("conf", 0)) < 0)
		return 0;
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) !=
	    (ssize_t)size)
		return 0;
	for (i = 0; i < size; i++)
		nlines += data[i] == '\n';
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (conf_load(commands_find("audit"), path, true, &c) == 0) {
		for (i = 0; i < c.args.n; i++)
			assert(c.lines[i] >= 1 && c.lines[i] <= nlines);
		if (c.args.n > 0)
			assert(strncmp(c.args.v[0], "--", 2) == 0);
		for (i = 0; i < c.targets.n; i++)
			assert(strpbrk(c.targets.v[i], " \t") == NULL &&
			    !has_control(c.targets.v[i]));
		for (i = 0; i < c.args.n; i++)
			assert(!has_control(c.args.v[i]));
	}
	conf_release(&c);
	if (read_targets(path, &targets, &lines) == 0)
		for (i = 0; i < targets.n; i++) {
			assert(targets.v[i][0] != '\0');
			assert(strpbrk(targets.v[i], " \t\r\n") == NULL &&
			    !has_control(targets.v[i]));
			assert(lines[i] >= 1 && lines[i] <= nlines);
		}
	strlist_release(&targets);
	free(lines);
	return 0;
}
