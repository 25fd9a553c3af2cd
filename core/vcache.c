/*
 * vcache - the one-line answer cache (vcache.h).  Never prints.
 */
#define _GNU_SOURCE	/* getentropy(3) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vcache.h"

int vcache_dir(char *buf, size_t len)
{
	const char *env = getenv("RELAYCTL_CACHE_DIR"), *base;
	int n;

	if (env != NULL)
		n = env[0] != '\0' ? snprintf(buf, len, "%s", env) : -1;
	else if (geteuid() == 0)
		n = snprintf(buf, len, "/var/cache/relayctl");
	else if ((base = getenv("XDG_CACHE_HOME")) != NULL && base[0] == '/')
		n = snprintf(buf, len, "%s/relayctl", base);
	else if ((base = getenv("HOME")) != NULL && base[0] == '/')
		n = snprintf(buf, len, "%s/.cache/relayctl", base);
	else
		n = -1;
	if (n > 0 && (size_t)n < len)
		return 0;
	if (len > 0)
		buf[0] = '\0';
	return -1;
}

int vcache_key(const char *name, char *key, size_t len)
{
	const char *path = getenv("PATH"), *p, *end;
	char cand[4096];
	struct stat st;
	int n;

	if (path == NULL)
		path = "/bin:/usr/bin";	/* execvp(3)'s default */
	for (p = path; ; p = end + 1) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		if (strchr(name, '/') != NULL)
			n = snprintf(cand, sizeof(cand), "%s", name);
		else
			n = snprintf(cand, sizeof(cand), "%.*s%s%s",
			    (int)(end - p), p, end > p ? "/" : "", name);
		if (n > 0 && (size_t)n < sizeof(cand) &&
		    stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(cand, X_OK) == 0) {
			/* ctime too: no one can set it, not even cp -p */
			n = snprintf(key, len, "%s %llu %llu %lld %lld.%09ld "
			    "%lld.%09ld", cand, (unsigned long long)st.st_dev,
			    (unsigned long long)st.st_ino, (long long)st.st_size,
			    (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
			    (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
			if (n > 0 && (size_t)n < len)
				return 0;
			break;
		}
		if (*end == '\0' || strchr(name, '/') != NULL)
			break;
	}
	if (len > 0)
		key[0] = '\0';
	return -1;
}

/* ours - ST is owned by us and nobody else may write it */
static int ours(const struct stat *st)
{
	return st->st_uid == geteuid() && (st->st_mode & 022) == 0;
}

/* open_dir - DIR, a directory of ours alone and no link, opened; -1 if
 * not.  Everything after goes through the descriptor (openat, renameat),
 * so the directory checked is the one used. */
static int open_dir(const char *dir)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0 && (fstat(fd, &st) != 0 || !ours(&st))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

char *vcache_get(const char *dir, const char *file, const char *key)
{
	char buf[4096], *nl, *out = NULL;
	size_t klen = strlen(key);
	struct stat st;
	ssize_t n;
	int dfd, fd;

	if ((dfd = open_dir(dir)) < 0)
		return NULL;
	fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ours(&st) &&
	    (n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		/* "KEY<tab>VALUE\n" */
		if ((nl = strchr(buf, '\n')) != NULL && nl[1] == '\0' &&
		    (size_t)(nl - buf) > klen + 1 &&
		    strncmp(buf, key, klen) == 0 && buf[klen] == '\t' &&
		    strchr(buf + klen + 1, '\t') == NULL) {
			*nl = '\0';
			out = strdup(buf + klen + 1);
		}
	}
	close(fd);
	return out;
}

/* make_dir - DIR and, for a user's own cache, its missing parents */
static void make_dir(const char *dir)
{
	char path[4096], *p;

	if (mkdir(dir, 0755) == 0 || errno != ENOENT ||
	    snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return;
	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		(void)mkdir(path, 0755);
		*p = '/';
	}
	(void)mkdir(dir, 0755);
}

void vcache_put(const char *dir, const char *file, const char *key,
    const char *value)
{
	char tmp[256];
	unsigned r = 0;
	FILE *f;
	int dfd, fd = -1, i;

	if (strpbrk(value, "\t\r\n") != NULL || value[0] == '\0' ||
	    strpbrk(key, "\t\r\n") != NULL || strchr(file, '/') != NULL)
		return;
	make_dir(dir);
	if ((dfd = open_dir(dir)) < 0)
		return;
	/* A new file of ours, never one that was there (O_EXCL). */
	for (i = 0; i < 8 && fd < 0; i++) {
		if (getentropy(&r, sizeof(r)) != 0)
			r = (unsigned)getpid() + (unsigned)i;
		snprintf(tmp, sizeof(tmp), ".%.64s.%08x", file, r);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0644);
	}
	if (fd < 0) {
		close(dfd);
		return;
	}
	if (fchmod(fd, 0644) != 0 || (f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlinkat(dfd, tmp, 0);
		close(dfd);
		return;
	}
	fprintf(f, "%s\t%s\n", key, value);
	if (fclose(f) != 0 || renameat(dfd, tmp, dfd, file) != 0)
		unlinkat(dfd, tmp, 0);
	close(dfd);
}
