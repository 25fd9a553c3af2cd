/*
 * testutil - helpers the unit tests share: read a fixture, report a failed
 * table case as a TAP comment, append to a trace, remove a scratch tree.
 * Include after cmocka.h.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* slurp - the bytes of PATH (relative to the repository root) */
static inline char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n;

	if (fp == NULL)
		fail_msg("cannot open %s (run from the repository root)", path);
	*len = 0;
	do {
		if (*len + 4096 > cap) {
			cap = *len + 8192;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		n = fread(buf + *len, 1, cap - *len - 1, fp);
		*len += n;
	} while (n > 0);
	assert_int_equal(ferror(fp), 0);
	fclose(fp);
	buf[*len] = '\0';
	return buf;
}

/* report - print one failed case (as a TAP comment); 1 */
static inline int report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline int report(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	return 1;
}

/* cat - append to OUT (of size SZ) */
static inline void cat(char *out, size_t sz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline void cat(char *out, size_t sz, const char *fmt, ...)
{
	size_t n = strlen(out);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out + n, sz - n, fmt, ap);
	va_end(ap);
}

/* rm_rf - remove PATH and, for a directory, all below it */
static inline void rm_rf(const char *path)
{
	char sub[1024];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (lstat(path, &st) == -1)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path,
			    de->d_name) < sizeof(sub))
				rm_rf(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

#endif
