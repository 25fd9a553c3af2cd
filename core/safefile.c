/*
 * safefile - crash-safe replacement of a configuration file: flock lock,
 * timestamped backups, temporary file, fsync, rename, directory fsync.
 * Owns the lock's descriptor and the buffers it hands out.  Never prints.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "safefile.h"

#define LOCK_SUFFIX	".relayctl.lock"
#define TEMP_SUFFIX	".relayctl.XXXXXX"
#define LOCK_POLL_MS	10
#define BUMP_MAX	999	/* NAME.STAMP.001 .. NAME.STAMP.999 */

/*
 * A backup is NAME.STAMP or NAME.STAMP.NNN, STAMP being
 * YYYYmmddTHHMMSS.NNNNNNNNNZ in UTC.  Every field has a fixed width, so
 * the names sort by time as plain strings, and a bumped name (same
 * nanosecond, made later) sorts after the one it collided with.
 */
static const char stamp_pattern[] = "########T######.#########Z";

struct safefile_lock {
	int	 fd;
	char	*path;		/* the file it guards, checked on replace */
};

/* diag_set - format a message into DIAG, if there is one */
static void diag_set(struct safefile_diag *diag, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void diag_set(struct safefile_diag *diag, const char *fmt, ...)
{
	va_list ap;

	if (diag == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
	va_end(ap);
}

/* nomem - say so in DIAG, return RELAY_ENOMEM */
static enum relay_err nomem(struct safefile_diag *diag)
{
	diag_set(diag, "out of memory");
	return RELAY_ENOMEM;
}

/* concat - A, B and C in one malloc'd string, or NULL */
static char *concat(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s;

	if ((s = malloc(la + lb + lc + 1)) == NULL)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc + 1);
	return s;
}

/* base_of - the part of PATH after its last slash */
static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* dir_of - the directory of PATH, malloc'd: "." or "/" at the least */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t len;
	char *s;

	if (slash == NULL)
		return concat(".", "", "");
	len = slash == path ? 1 : (size_t)(slash - path);
	if ((s = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(s, path, len);
	s[len] = '\0';
	return s;
}

/*
 * dir_safe - DIR may hold a file we write: a directory of root's or
 * ours that neither its group nor others can write to, so that nobody can
 * swap the file or plant a link in its place (ssh and doas refuse their
 * files in such a directory, for the same reason).  WHAT names the file.
 */
static enum relay_err dir_safe(const char *dir, const char *what,
    struct safefile_diag *diag)
{
	struct stat st;

	if (stat(dir, &st) == -1) {
		diag_set(diag, "cannot stat '%s': %s", dir, strerror(errno));
		return RELAY_EIO;
	}
	if (st.st_mode & (S_IWOTH | S_IWGRP)) {
		diag_set(diag, "refusing to write %s in '%s': the directory is "
		    "writable by %s (mode %04o); make it safe first, e.g. "
		    "chmod go-w '%s'", what, dir, st.st_mode & S_IWOTH ?
		    "others" : "its group", (unsigned)(st.st_mode & 07777), dir);
		return RELAY_EIO;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		diag_set(diag, "refusing to write %s in '%s': the directory "
		    "belongs to user %u, not to root or to you", what, dir,
		    (unsigned)st.st_uid);
		return RELAY_EIO;
	}
	return RELAY_OK;
}

/* ms_since - milliseconds of CLOCK_MONOTONIC elapsed since START */
static long ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - start->tv_sec) * 1000 +
	    (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* nap - sleep MS milliseconds; an interruption only shortens it */
static void nap(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	nanosleep(&ts, NULL);
}

/* write_all - write LEN bytes of DATA to FD despite short writes, EINTR */
static int write_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, data, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* sync_dir - fsync directory DIR, so that a rename or link in it lasts */
static enum relay_err sync_dir(const char *dir, struct safefile_diag *diag)
{
	enum relay_err err = RELAY_OK;
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		diag_set(diag, "cannot open directory '%s': %s", dir,
		    strerror(errno));
		return RELAY_EIO;
	}
	if (fsync(fd) == -1) {
		diag_set(diag, "cannot sync directory '%s': %s", dir,
		    strerror(errno));
		err = RELAY_EIO;
	}
	if (close(fd) == -1 && err == RELAY_OK) {
		diag_set(diag, "cannot close directory '%s': %s", dir,
		    strerror(errno));
		err = RELAY_EIO;
	}
	return err;
}

/*
 * write_temp - PREFIX.relayctl.XXXXXX in DIR holding DATA, with mode MODE
 * and, if OWNER is not NULL, its owner and group; synced and closed.  On
 * success *TMP is its malloc'd name; on failure nothing is left behind.
 */
static enum relay_err write_temp(const char *dir, const char *prefix,
    const char *data, size_t len, mode_t mode, const struct stat *owner,
    char **tmp, struct safefile_diag *diag)
{
	enum relay_err err = RELAY_EIO;
	struct stat st;
	char *name;
	int fd = -1;

	*tmp = NULL;
	if ((name = concat(prefix, TEMP_SUFFIX, "")) == NULL) {
		err = nomem(diag);
		goto out;
	}
	if ((fd = mkstemp(name)) == -1) {
		diag_set(diag, "cannot create temporary file in '%s': %s",
		    dir, strerror(errno));
		free(name);
		name = NULL;
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		diag_set(diag, "cannot stat '%s': %s", name, strerror(errno));
		goto out;
	}
	/* Only ask for a change: without privilege, even a no-op fchown to
	 * a group we are not in would fail. */
	if (owner != NULL && (st.st_uid != owner->st_uid ||
	    st.st_gid != owner->st_gid) &&
	    fchown(fd, owner->st_uid, owner->st_gid) == -1) {
		diag_set(diag, "cannot set owner of '%s': %s", name,
		    strerror(errno));
		goto out;
	}
	/* After fchown, which may clear set-id bits. */
	if (fchmod(fd, mode & 07777) == -1) {
		diag_set(diag, "cannot set mode of '%s': %s", name,
		    strerror(errno));
		goto out;
	}
	if (write_all(fd, data, len) == -1) {
		diag_set(diag, "cannot write '%s': %s", name, strerror(errno));
		goto out;
	}
	if (fsync(fd) == -1) {
		diag_set(diag, "cannot sync '%s': %s", name, strerror(errno));
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		diag_set(diag, "cannot close '%s': %s", name, strerror(errno));
		goto out;
	}
	fd = -1;
	*tmp = name;
	name = NULL;
	err = RELAY_OK;
out:
	if (fd != -1)
		close(fd);
	if (name != NULL) {
		unlink(name);
		free(name);
	}
	return err;
}

/* is_backup - NAME is BASE followed by ".STAMP" or ".STAMP.NNN" */
static int is_backup(const char *name, const char *base)
{
	size_t blen = strlen(base), i;
	const char *p;

	if (strncmp(name, base, blen) != 0 || name[blen] != '.')
		return 0;
	p = name + blen + 1;
	for (i = 0; stamp_pattern[i] != '\0'; i++) {
		if (stamp_pattern[i] == '#' ? p[i] < '0' || p[i] > '9' :
		    p[i] != stamp_pattern[i])
			return 0;
	}
	p += i;
	if (*p == '\0')
		return 1;
	for (i = 1; i <= 3; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return p[0] == '.' && p[4] == '\0';
}

/* newest_first - qsort order of backup paths: reverse lexical */
static int newest_first(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

/* list_backups - the regular files in DIR that are backups of BASE */
static enum relay_err list_backups(const char *dir, const char *base,
    char ***list, size_t *n, struct safefile_diag *diag)
{
	enum relay_err err = RELAY_OK;
	char **v = NULL, **nv, *p = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;

	*list = NULL;
	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		if (errno != ENOENT) {
			diag_set(diag, "cannot open directory '%s': %s", dir,
			    strerror(errno));
			err = RELAY_EIO;
		}
		goto out;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0) {
				diag_set(diag, "cannot read directory '%s': %s",
				    dir, strerror(errno));
				err = RELAY_EIO;
			}
			break;
		}
		if (!is_backup(de->d_name, base))
			continue;
		if ((p = concat(dir, "/", de->d_name)) == NULL) {
			err = nomem(diag);
			break;
		}
		if (lstat(p, &st) == -1 || !S_ISREG(st.st_mode)) {
			free(p);
			p = NULL;
			continue;
		}
		if (cnt == cap) {
			cap = cap ? cap * 2 : 8;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				err = nomem(diag);
				break;
			}
			v = nv;
		}
		v[cnt++] = p;
		p = NULL;
	}
	if (err == RELAY_OK && cnt > 0)
		qsort(v, cnt, sizeof(*v), newest_first);
out:
	free(p);
	if (d != NULL)
		closedir(d);
	if (err != RELAY_OK) {
		safefile_backups_free(v, cnt);
	} else {
		*list = v;
		*n = cnt;
	}
	return err;
}

/* backup_dir_ready - make DIR (0700) unless it is there, and check it is
 * a directory */
static enum relay_err backup_dir_ready(const char *dir,
    struct safefile_diag *diag)
{
	enum relay_err err = RELAY_OK;
	char *parent = NULL;
	struct stat st;

	if (mkdir(dir, 0700) == 0) {
		if ((parent = dir_of(dir)) == NULL)
			err = nomem(diag);
		else
			err = sync_dir(parent, diag);
		goto out;
	}
	if (errno != EEXIST) {
		diag_set(diag, "cannot create directory '%s': %s", dir,
		    strerror(errno));
		err = RELAY_EIO;
		goto out;
	}
	if (lstat(dir, &st) == -1) {
		diag_set(diag, "cannot stat '%s': %s", dir, strerror(errno));
		err = RELAY_EIO;
	} else if (S_ISLNK(st.st_mode)) {
		diag_set(diag, "refusing to write backups in '%s': it is a "
		    "symbolic link; make it a directory", dir);
		err = RELAY_EIO;
	} else if (!S_ISDIR(st.st_mode)) {
		diag_set(diag, "cannot use '%s' for backups: %s", dir,
		    strerror(ENOTDIR));
		err = RELAY_EIO;
	} else
		err = dir_safe(dir, "backups", diag);
out:
	free(parent);
	return err;
}

/*
 * make_backup - copy DATA (LEN bytes, the current PATH of status ST) to a
 * new backup of PATH in DIR; *MADE its malloc'd path.  The name is taken
 * with link(), which unlike rename() never replaces an existing backup.
 */
static enum relay_err make_backup(const char *path, const char *dir,
    const char *data, size_t len, const struct stat *st, char **made,
    struct safefile_diag *diag)
{
	enum relay_err err;
	char *prefix = NULL, *tmp = NULL, *name = NULL, stamp[32];
	struct timespec now;
	struct tm tm;
	size_t size;
	unsigned bump;

	*made = NULL;
	if ((err = backup_dir_ready(dir, diag)) != RELAY_OK)
		goto out;
	if ((prefix = concat(dir, "/", base_of(path))) == NULL) {
		err = nomem(diag);
		goto out;
	}
	size = strlen(prefix) + sizeof(stamp) + 16;
	if ((name = malloc(size)) == NULL) {
		err = nomem(diag);
		goto out;
	}
	if ((err = write_temp(dir, prefix, data, len, st->st_mode, NULL, &tmp,
	    diag)) != RELAY_OK)
		goto out;
	if (clock_gettime(CLOCK_REALTIME, &now) == -1 ||
	    gmtime_r(&now.tv_sec, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm) != 15) {
		diag_set(diag, "cannot name a backup of '%s': bad clock", path);
		err = RELAY_EIO;
		goto out;
	}
	for (bump = 0;; bump++) {
		if (bump == 0)
			snprintf(name, size, "%s.%s.%09ldZ", prefix, stamp,
			    (long)now.tv_nsec);
		else
			snprintf(name, size, "%s.%s.%09ldZ.%03u", prefix,
			    stamp, (long)now.tv_nsec, bump);
		if (link(tmp, name) == 0)
			break;
		if (errno != EEXIST || bump == BUMP_MAX) {
			diag_set(diag, "cannot link '%s' to '%s': %s", tmp,
			    name, strerror(errno));
			err = RELAY_EIO;
			goto out;
		}
	}
	if (unlink(tmp) == -1) {
		diag_set(diag, "cannot remove '%s': %s", tmp, strerror(errno));
		err = RELAY_EIO;
		goto out;
	}
	free(tmp);
	tmp = NULL;
	if ((err = sync_dir(dir, diag)) != RELAY_OK)
		goto out;
	*made = name;
	name = NULL;
out:
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	free(name);
	free(prefix);
	return err;
}

/* prune - remove all but the newest KEEP backups of PATH in DIR, never
 * MADE (the one just taken, should the clock have gone back) */
static enum relay_err prune(const char *path, const char *dir, unsigned keep,
    const char *made, struct safefile_diag *diag)
{
	enum relay_err err;
	char **list = NULL;
	size_t n = 0, i;

	if (keep == 0)
		return RELAY_OK;
	if ((err = list_backups(dir, base_of(path), &list, &n, diag)) !=
	    RELAY_OK)
		goto out;
	for (i = keep; i < n; i++) {
		if (strcmp(list[i], made) == 0)
			continue;
		if (unlink(list[i]) == -1 && errno != ENOENT) {
			diag_set(diag, "cannot remove '%s': %s", list[i],
			    strerror(errno));
			err = RELAY_EIO;
			goto out;
		}
	}
out:
	safefile_backups_free(list, n);
	return err;
}

enum relay_err safefile_lock(const char *path, int timeout_ms,
    struct safefile_lock **out, struct safefile_diag *diag)
{
	enum relay_err err = RELAY_OK;
	struct safefile_lock *lock = NULL;
	struct timespec start;
	char *lockpath = NULL, *dir = NULL;
	long waited;
	int op;

	if (out != NULL)
		*out = NULL;
	if (path == NULL || *path == '\0' || out == NULL) {
		diag_set(diag, "cannot lock: no file named");
		err = RELAY_EINVAL;
		goto out;
	}
	if ((lock = malloc(sizeof(*lock))) == NULL) {
		err = nomem(diag);
		goto out;
	}
	lock->fd = -1;
	if ((lock->path = strdup(path)) == NULL ||
	    (lockpath = concat(path, LOCK_SUFFIX, "")) == NULL ||
	    (dir = dir_of(path)) == NULL) {
		err = nomem(diag);
		goto out;
	}
	/* every write takes the lock first: its directory is the file's */
	if ((err = dir_safe(dir, base_of(path), diag)) != RELAY_OK)
		goto out;
	lock->fd = open(lockpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (lock->fd == -1) {
		diag_set(diag, "cannot open lock file '%s': %s", lockpath,
		    strerror(errno));
		err = RELAY_EIO;
		goto out;
	}
	op = timeout_ms < 0 ? LOCK_EX : LOCK_EX | LOCK_NB;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (flock(lock->fd, op) == -1) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			diag_set(diag, "cannot lock '%s': %s", lockpath,
			    strerror(errno));
			err = RELAY_EIO;
			goto out;
		}
		if ((waited = ms_since(&start)) >= timeout_ms) {
			diag_set(diag, "cannot lock '%s': held by another "
			    "process", lockpath);
			err = RELAY_ETIMEOUT;
			goto out;
		}
		nap(timeout_ms - waited < LOCK_POLL_MS ?
		    timeout_ms - waited : LOCK_POLL_MS);
	}
	*out = lock;
	lock = NULL;
out:
	free(lockpath);
	free(dir);
	safefile_unlock(lock);
	return err;
}

void safefile_unlock(struct safefile_lock *lock)
{
	if (lock == NULL)
		return;
	/* Closing the only descriptor drops the flock; the file stays, as
	 * unlinking it would let a waiter lock an orphaned inode. */
	if (lock->fd != -1)
		close(lock->fd);
	free(lock->path);
	free(lock);
}

/*
 * read_open - the whole of PATH, opened with FLAGS added (O_NOFOLLOW: a
 * link is ELOOP), into *DATA and *LEN; its status, of the file read, in
 * *ST if not NULL
 */
static enum relay_err read_open(const char *path, int flags, char **data,
    size_t *len, struct stat *stp, struct safefile_diag *diag)
{
	enum relay_err err = RELAY_OK;
	size_t cap, used = 0;
	char *buf = NULL, *nb;
	struct stat st;
	ssize_t n;
	int fd = -1;

	*data = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | flags)) == -1) {
		if (errno == ELOOP && (flags & O_NOFOLLOW))
			diag_set(diag, "refusing to replace '%s': it is a "
			    "symbolic link; edit the file it points to, in its "
			    "own directory", path);
		else
			diag_set(diag, "cannot open '%s': %s", path,
			    strerror(errno));
		err = RELAY_EIO;
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		diag_set(diag, "cannot stat '%s': %s", path, strerror(errno));
		err = RELAY_EIO;
		goto out;
	}
	if (stp != NULL)
		*stp = st;
	if (stp != NULL && !S_ISREG(st.st_mode)) {
		diag_set(diag, "cannot replace '%s': not a regular file", path);
		err = RELAY_EIO;
		goto out;
	}
	/* The size is a hint only: the file may change while read. */
	cap = 4096;
	if (st.st_size > 0 && (unsigned long long)st.st_size < (size_t)-1 / 2)
		cap = (size_t)st.st_size + 1;
	if ((buf = malloc(cap)) == NULL) {
		err = nomem(diag);
		goto out;
	}
	for (;;) {
		if (used + 1 >= cap) {
			if (cap > (size_t)-1 / 2 ||
			    (nb = realloc(buf, cap * 2)) == NULL) {
				err = nomem(diag);
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		if ((n = read(fd, buf + used, cap - used - 1)) == -1) {
			if (errno == EINTR)
				continue;
			diag_set(diag, "cannot read '%s': %s", path,
			    strerror(errno));
			err = RELAY_EIO;
			goto out;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	*data = buf;
	*len = used;
	buf = NULL;
out:
	free(buf);
	if (fd != -1)
		close(fd);
	return err;
}

enum relay_err safefile_read(const char *path, char **data, size_t *len,
    struct safefile_diag *diag)
{
	if (data != NULL)
		*data = NULL;
	if (len != NULL)
		*len = 0;
	if (path == NULL || data == NULL || len == NULL) {
		diag_set(diag, "cannot read: no file or buffer given");
		return RELAY_EINVAL;
	}
	return read_open(path, 0, data, len, NULL, diag);
}

enum relay_err safefile_replace(struct safefile_lock *lock, const char *path,
    const char *data, size_t len, const char *backup_dir, unsigned keep,
    char **backup_path, struct safefile_diag *diag)
{
	enum relay_err err = RELAY_OK;
	char *dir = NULL, *tmp = NULL, *old = NULL, *made = NULL;
	size_t oldlen;
	struct stat st;

	if (backup_path != NULL)
		*backup_path = NULL;
	if (lock == NULL || path == NULL || *base_of(path) == '\0' ||
	    (data == NULL && len > 0) ||
	    (backup_dir != NULL && *backup_dir == '\0')) {
		diag_set(diag, "cannot replace: bad arguments");
		err = RELAY_EINVAL;
		goto out;
	}
	if (strcmp(lock->path, path) != 0) {
		diag_set(diag, "cannot replace '%s': the lock held is for '%s'",
		    path, lock->path);
		err = RELAY_EINVAL;
		goto out;
	}
	/* The file is opened once, never through a link (rename() would turn
	 * a link into a plain file, and a link may point where the caller
	 * never meant to read or write), and what was read is what is backed
	 * up: nothing swapped in between is copied. */
	if ((err = read_open(path, O_NOFOLLOW | O_NONBLOCK, &old, &oldlen, &st,
	    diag)) != RELAY_OK)
		goto out;
	if (st.st_mode & S_IWOTH) {
		diag_set(diag, "refusing to replace '%s': it is writable by "
		    "others (mode %04o), so anyone could change it; chmod o-w "
		    "it first", path, (unsigned)(st.st_mode & 07777));
		err = RELAY_EIO;
		goto out;
	}
	if ((dir = dir_of(path)) == NULL) {
		err = nomem(diag);
		goto out;
	}
	if (backup_dir != NULL) {
		if ((err = make_backup(path, backup_dir, old, oldlen, &st,
		    &made, diag)) != RELAY_OK ||
		    (err = prune(path, backup_dir, keep, made, diag)) !=
		    RELAY_OK)
			goto out;
	}
	if ((err = write_temp(dir, path, data, len, st.st_mode, &st, &tmp,
	    diag)) != RELAY_OK)
		goto out;
	if (rename(tmp, path) == -1) {
		diag_set(diag, "cannot rename '%s' to '%s': %s", tmp, path,
		    strerror(errno));
		err = RELAY_EIO;
		goto out;
	}
	free(tmp);
	tmp = NULL;
	/* PATH is replaced now; a failure here only weakens durability. */
	if ((err = sync_dir(dir, diag)) != RELAY_OK)
		goto out;
	if (backup_path != NULL) {
		*backup_path = made;
		made = NULL;
	}
out:
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	free(made);
	free(old);
	free(dir);
	return err;
}

enum relay_err safefile_backups(const char *path, const char *backup_dir,
    char ***list, size_t *n, struct safefile_diag *diag)
{
	if (list != NULL)
		*list = NULL;
	if (n != NULL)
		*n = 0;
	if (path == NULL || *base_of(path) == '\0' || backup_dir == NULL ||
	    *backup_dir == '\0' || list == NULL || n == NULL) {
		diag_set(diag, "cannot list backups: bad arguments");
		return RELAY_EINVAL;
	}
	return list_backups(backup_dir, base_of(path), list, n, diag);
}

void safefile_backups_free(char **list, size_t n)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}
