/* test_safefile - safe replacement in a scratch directory: exact content
 * and mode, nothing touched on failure, backups listed newest first and
 * pruned, and the lock against other processes, live or killed. */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#include "safefile.h"

struct scratch {
	char	dir[64];
};


static int setup(void **state)
{
	struct scratch *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	strcpy(s->dir, "/tmp/test_safefile.XXXXXX");
	if (mkdtemp(s->dir) == NULL) {
		free(s);
		return -1;
	}
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct scratch *s = *state;

	rm_rf(s->dir);
	free(s);
	return 0;
}

/* in - DIR/NAME in BUF */
static const char *in(char *buf, size_t size, const char *dir,
    const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
	return buf;
}

/* put - make PATH hold exactly LEN bytes of DATA, with MODE */
static void put(const char *path, const char *data, size_t len, mode_t mode)
{
	FILE *fp;

	assert_non_null(fp = fopen(path, "wb"));
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* holds - PATH holds exactly LEN bytes of DATA (read without safefile) */
static int holds(const char *path, const char *data, size_t len)
{
	char buf[4096];
	size_t n, off = 0;
	int same = 1;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL)
		return 0;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		if (off + n > len || memcmp(buf, data + off, n) != 0)
			same = 0;
		off += n;
	}
	fclose(fp);
	return same && off == len;
}

/* entries - how many names DIR holds besides "." and "..", and how many
 * of them are temporary files (".relayctl." but not the lock) */
static int entries(const char *dir, int *temps)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	*temps = 0;
	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		n++;
		if (strstr(de->d_name, ".relayctl.") != NULL &&
		    strstr(de->d_name, ".relayctl.lock") == NULL)
			(*temps)++;
	}
	closedir(d);
	return n;
}

/* exists - PATH names something, even a dangling link */
static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* child_status - wait for PID, its exit code or -1 if it did not exit */
static int child_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* try_lock_in_child - exit code of a child's safefile_lock(PATH, MS) */
static int try_lock_in_child(const char *path, int ms)
{
	struct safefile_lock *lk = NULL;
	enum relay_err err;
	pid_t pid;

	fflush(NULL);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		err = safefile_lock(path, ms, &lk, NULL);
		safefile_unlock(lk);
		_exit((int)err);
	}
	return child_status(pid);
}

/* elapsed_ms - milliseconds since START on the monotonic clock */
static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - start->tv_sec) * 1000 +
	    (now.tv_nsec - start->tv_nsec) / 1000000;
}

static void test_read_nul_bytes(void **state)
{
	struct scratch *s = *state;
	static const char bytes[] = "a\0b\0\0c\n";
	struct safefile_diag diag;
	char path[128], *data = NULL;
	size_t len = 99;

	put(in(path, sizeof(path), s->dir, "main.cf"), bytes, 7, 0644);
	assert_int_equal(safefile_read(path, &data, &len, &diag), RELAY_OK);
	assert_int_equal(len, 7);
	assert_memory_equal(data, bytes, 7);
	assert_int_equal(data[7], '\0');
	free(data);
}

static void test_read_empty_and_missing(void **state)
{
	struct scratch *s = *state;
	struct safefile_diag diag;
	char path[128], want[256], *data = NULL;
	size_t len = 99;

	put(in(path, sizeof(path), s->dir, "empty"), "", 0, 0644);
	assert_int_equal(safefile_read(path, &data, &len, &diag), RELAY_OK);
	assert_int_equal(len, 0);
	assert_non_null(data);
	assert_string_equal(data, "");
	free(data);

	in(path, sizeof(path), s->dir, "absent");
	assert_int_equal(safefile_read(path, &data, &len, &diag), RELAY_EIO);
	assert_null(data);
	snprintf(want, sizeof(want), "cannot open '%s': %s", path,
	    strerror(ENOENT));
	assert_string_equal(diag.msg, want);
}

static void test_replace_keeps_mode_and_content(void **state)
{
	struct scratch *s = *state;
	struct safefile_lock *lk = NULL;
	struct safefile_diag diag;
	char path[128], lockpath[160], *big, *bk = (char *)"x";
	struct stat st;
	size_t i, n = 100000;
	int temps;

	in(path, sizeof(path), s->dir, "main.cf");
	put(path, "old\n", 4, 0640);
	if (geteuid() == 0)
		assert_int_equal(chown(path, 1234, 5678), 0);
	assert_non_null(big = malloc(n));
	for (i = 0; i < n; i++)
		big[i] = (char)(i % 251);	/* NULs included */

	assert_int_equal(safefile_lock(path, 0, &lk, &diag), RELAY_OK);
	assert_int_equal(safefile_replace(lk, path, big, n, NULL, 0, &bk,
	    &diag), RELAY_OK);
	assert_null(bk);
	assert_true(holds(path, big, n));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	if (geteuid() == 0) {
		assert_int_equal(st.st_uid, 1234);
		assert_int_equal(st.st_gid, 5678);
	}

	/* Empty content, no data pointer. */
	assert_int_equal(safefile_replace(lk, path, NULL, 0, NULL, 0, NULL,
	    &diag), RELAY_OK);
	assert_true(holds(path, "", 0));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	safefile_unlock(lk);

	/* The file and its lock, kept after unlock; no temporary left. */
	assert_int_equal(entries(s->dir, &temps), 2);
	assert_int_equal(temps, 0);
	snprintf(lockpath, sizeof(lockpath), "%s.relayctl.lock", path);
	assert_int_equal(stat(lockpath, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	free(big);
}

static void test_replace_missing_file(void **state)
{
	struct scratch *s = *state;
	struct safefile_lock *lk = NULL;
	struct safefile_diag diag;
	char path[128], bdir[128], want[256], *bk = (char *)"x";
	int temps;

	in(path, sizeof(path), s->dir, "absent.cf");
	in(bdir, sizeof(bdir), s->dir, "backup");
	assert_int_equal(safefile_lock(path, 0, &lk, &diag), RELAY_OK);
	assert_int_equal(safefile_replace(lk, path, "new\n", 4, bdir, 3, &bk,
	    &diag), RELAY_EIO);
	assert_null(bk);
	snprintf(want, sizeof(want), "cannot open '%s': %s", path,
	    strerror(ENOENT));
	assert_string_equal(diag.msg, want);
	safefile_unlock(lk);
	assert_false(exists(path));
	assert_false(exists(bdir));
	assert_int_equal(entries(s->dir, &temps), 1);	/* the lock */
	assert_int_equal(temps, 0);

	/* No directory: not even the lock can be had. */
	in(path, sizeof(path), s->dir, "nodir/main.cf");
	assert_int_equal(safefile_lock(path, 0, &lk, &diag), RELAY_EIO);
	assert_null(lk);
	assert_non_null(strstr(diag.msg, "cannot stat '"));
	assert_non_null(strstr(diag.msg, strerror(ENOENT)));
}

static void test_failure_keeps_original(void **state)
{
	struct scratch *s = *state;
	static const char orig[] = "myhostname = mx\0binary\n";
	struct safefile_lock *lk = NULL, *other = NULL;
	struct safefile_diag diag;
	char path[128], bdir[128], alias[128], want[256], *bk = (char *)"x";
	int temps;

	in(path, sizeof(path), s->dir, "main.cf");
	in(bdir, sizeof(bdir), s->dir, "not-a-dir");
	put(path, orig, sizeof(orig), 0644);
	put(bdir, "", 0, 0644);
	assert_int_equal(safefile_lock(path, 0, &lk, &diag), RELAY_OK);

	/* The backup directory is a regular file. */
	assert_int_equal(safefile_replace(lk, path, "new\n", 4, bdir, 3, &bk,
	    &diag), RELAY_EIO);
	assert_null(bk);
	snprintf(want, sizeof(want), "cannot use '%s' for backups: %s", bdir,
	    strerror(ENOTDIR));
	assert_string_equal(diag.msg, want);
	assert_true(holds(path, orig, sizeof(orig)));

	/* The backup directory's parent is missing. */
	in(bdir, sizeof(bdir), s->dir, "no/backup");
	assert_int_equal(safefile_replace(lk, path, "new\n", 4, bdir, 3, NULL,
	    &diag), RELAY_EIO);
	assert_non_null(strstr(diag.msg, "cannot create directory '"));
	assert_true(holds(path, orig, sizeof(orig)));

	/* A lock for another file, or data missing, is a caller's bug. */
	in(alias, sizeof(alias), s->dir, "other.cf");
	assert_int_equal(safefile_lock(alias, 0, &other, &diag), RELAY_OK);
	assert_int_equal(safefile_replace(other, path, "new\n", 4, NULL, 0,
	    NULL, &diag), RELAY_EINVAL);
	safefile_unlock(other);
	assert_int_equal(safefile_replace(lk, path, NULL, 4, NULL, 0, NULL,
	    &diag), RELAY_EINVAL);
	assert_true(holds(path, orig, sizeof(orig)));
	safefile_unlock(lk);

	/* A symbolic link is refused rather than turned into a file. */
	assert_int_equal(symlink("main.cf", alias), 0);
	assert_int_equal(safefile_lock(alias, 0, &lk, &diag), RELAY_OK);
	assert_int_equal(safefile_replace(lk, alias, "new\n", 4, NULL, 0, NULL,
	    &diag), RELAY_EIO);
	assert_non_null(strstr(diag.msg, "it is a symbolic link"));
	safefile_unlock(lk);
	assert_true(holds(path, orig, sizeof(orig)));

	/* main.cf, not-a-dir, the link other.cf and two locks. */
	assert_int_equal(entries(s->dir, &temps), 5);
	assert_int_equal(temps, 0);
}

/* what others could change is not written: a directory or a file others
 * may write, a backup directory that is a link */
static void test_unsafe_refused(void **state)
{
	struct scratch *s = *state;
	struct safefile_lock *lk = NULL;
	struct safefile_diag diag;
	char path[128], bdir[128], elsewhere[128];

	in(path, sizeof(path), s->dir, "main.cf");
	put(path, "a = b\n", 6, 0644);
	assert_int_equal(chmod(s->dir, 0777), 0);
	assert_int_equal(safefile_lock(path, 0, &lk, &diag), RELAY_EIO);
	assert_null(lk);
	assert_non_null(strstr(diag.msg, "the directory is writable by others "
	    "(mode 0777)"));
	assert_int_equal(chmod(s->dir, 0770), 0);
	assert_int_equal(safefile_lock(path, 0, &lk, &diag), RELAY_EIO);
	assert_non_null(strstr(diag.msg, "writable by its group (mode 0770)"));
	assert_int_equal(chmod(s->dir, 0700), 0);
	if (geteuid() == 0) {	/* a directory of another user's */
		assert_int_equal(chown(s->dir, 65534, 65534), 0);
		assert_int_equal(safefile_lock(path, 0, &lk, &diag), RELAY_EIO);
		assert_non_null(strstr(diag.msg, "belongs to user 65534"));
		assert_int_equal(chown(s->dir, 0, 0), 0);
	}

	assert_int_equal(safefile_lock(path, 0, &lk, &diag), RELAY_OK);
	assert_int_equal(chmod(path, 0646), 0);
	assert_int_equal(safefile_replace(lk, path, "c = d\n", 6, NULL, 0,
	    NULL, &diag), RELAY_EIO);
	assert_non_null(strstr(diag.msg, "writable by others (mode 0646)"));
	assert_true(holds(path, "a = b\n", 6));
	assert_int_equal(chmod(path, 0644), 0);

	in(bdir, sizeof(bdir), s->dir, "backups");
	in(elsewhere, sizeof(elsewhere), s->dir, "elsewhere");
	assert_int_equal(mkdir(elsewhere, 0700), 0);
	assert_int_equal(symlink("elsewhere", bdir), 0);
	assert_int_equal(safefile_replace(lk, path, "c = d\n", 6, bdir, 3,
	    NULL, &diag), RELAY_EIO);
	assert_non_null(strstr(diag.msg, "it is a symbolic link"));
	assert_true(holds(path, "a = b\n", 6));
	assert_int_equal(unlink(bdir), 0);
	assert_int_equal(mkdir(bdir, 0700), 0);
	assert_int_equal(chmod(bdir, 0777), 0);
	assert_int_equal(safefile_replace(lk, path, "c = d\n", 6, bdir, 3,
	    NULL, &diag), RELAY_EIO);
	assert_non_null(strstr(diag.msg, "refusing to write backups"));
	assert_true(holds(path, "a = b\n", 6));
	assert_int_equal(chmod(bdir, 0700), 0);
	assert_int_equal(safefile_replace(lk, path, "c = d\n", 6, bdir, 3,
	    NULL, &diag), RELAY_OK);
	assert_true(holds(path, "c = d\n", 6));
	safefile_unlock(lk);
}

static void test_write_failure_keeps_original(void **state)
{
	struct scratch *s = *state;
	static const char orig[] = "relayhost = [smarthost]\n";
	struct safefile_lock *lk = NULL;
	struct rlimit rl;
	char path[128], *big;
	size_t n = 65536;
	enum relay_err err;
	pid_t pid;
	int temps;

	in(path, sizeof(path), s->dir, "main.cf");
	put(path, orig, strlen(orig), 0644);
	assert_non_null(big = calloc(1, n));

	/* A file size limit makes write() fail part way, as a full disk
	 * would; in a child, so the limit does not outlive the test. */
	fflush(NULL);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		signal(SIGXFSZ, SIG_IGN);
		rl.rlim_cur = rl.rlim_max = 4096;
		if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
			_exit(100);
		if (safefile_lock(path, 0, &lk, NULL) != RELAY_OK)
			_exit(101);
		err = safefile_replace(lk, path, big, n, NULL, 0, NULL, NULL);
		safefile_unlock(lk);
		free(big);
		_exit((int)err);
	}
	assert_int_equal(child_status(pid), RELAY_EIO);
	assert_true(holds(path, orig, strlen(orig)));
	assert_int_equal(entries(s->dir, &temps), 2);
	assert_int_equal(temps, 0);
	free(big);
}

static void test_backups_listed_and_pruned(void **state)
{
	struct scratch *s = *state;
	struct safefile_lock *lk = NULL;
	struct safefile_diag diag;
	char path[128], bdir[128], data[16], *bk[5] = { NULL };
	char **list = NULL;
	struct stat st;
	size_t n = 99;
	int i;

	in(path, sizeof(path), s->dir, "main.cf");
	in(bdir, sizeof(bdir), s->dir, "backup");
	put(path, "v0", 2, 0640);

	/* No backup directory yet: none. */
	assert_int_equal(safefile_backups(path, bdir, &list, &n, &diag),
	    RELAY_OK);
	assert_int_equal(n, 0);
	assert_null(list);

	assert_int_equal(safefile_lock(path, -1, &lk, &diag), RELAY_OK);
	for (i = 1; i <= 3; i++) {
		snprintf(data, sizeof(data), "v%d", i);
		assert_int_equal(safefile_replace(lk, path, data, 2, bdir, 0,
		    &bk[i], &diag), RELAY_OK);
		assert_non_null(bk[i]);
		snprintf(data, sizeof(data), "v%d", i - 1);
		assert_true(holds(bk[i], data, 2));
		assert_int_equal(stat(bk[i], &st), 0);
		assert_int_equal(st.st_mode & 07777, 0640);
	}
	assert_int_equal(stat(bdir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);

	assert_int_equal(safefile_backups(path, bdir, &list, &n, &diag),
	    RELAY_OK);
	assert_int_equal(n, 3);
	assert_string_equal(list[0], bk[3]);
	assert_string_equal(list[1], bk[2]);
	assert_string_equal(list[2], bk[1]);
	safefile_backups_free(list, n);

	/* KEEP 2: the new one and the one before it stay. */
	assert_int_equal(safefile_replace(lk, path, "v4", 2, bdir, 2, &bk[4],
	    &diag), RELAY_OK);
	assert_int_equal(safefile_backups(path, bdir, &list, &n, &diag),
	    RELAY_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0], bk[4]);
	assert_string_equal(list[1], bk[3]);
	safefile_backups_free(list, n);
	assert_false(exists(bk[1]));
	assert_false(exists(bk[2]));
	assert_true(holds(path, "v4", 2));
	safefile_unlock(lk);
	for (i = 1; i <= 4; i++)
		free(bk[i]);
}

static void test_backups_same_second(void **state)
{
	struct scratch *s = *state;
	struct safefile_lock *lk = NULL;
	struct safefile_diag diag;
	char path[128], bdir[128], *a = NULL, *b = NULL, **list = NULL;
	size_t n = 0;

	in(path, sizeof(path), s->dir, "main.cf");
	in(bdir, sizeof(bdir), s->dir, "backup");
	put(path, "one", 3, 0644);
	assert_int_equal(safefile_lock(path, 0, &lk, &diag), RELAY_OK);
	assert_int_equal(safefile_replace(lk, path, "two", 3, bdir, 5, &a,
	    &diag), RELAY_OK);
	assert_int_equal(safefile_replace(lk, path, "six", 3, bdir, 5, &b,
	    &diag), RELAY_OK);
	safefile_unlock(lk);
	assert_true(strcmp(a, b) < 0);
	assert_true(holds(a, "one", 3));
	assert_true(holds(b, "two", 3));
	assert_int_equal(safefile_backups(path, bdir, &list, &n, &diag),
	    RELAY_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0], b);
	assert_string_equal(list[1], a);
	safefile_backups_free(list, n);
	free(a);
	free(b);
}

static void test_backups_ignore_others(void **state)
{
	struct scratch *s = *state;
	static const char *const mine[] = {	/* newest first */
		"main.cf.20000101T000000.000000000Z.002",
		"main.cf.20000101T000000.000000000Z.001",
		"main.cf.20000101T000000.000000000Z",
		"main.cf.19991231T235959.999999999Z",
	};
	static const char *const others[] = {
		"main.cf.relayctl.Ab12Cd",
		"main.cf.20000101T000000.000000000Z~",
		"main.cf.20000101T000000.000000000Z.1",
		"main.cf.20000101T000000.00000000Z",
		"main.cf.2000",
		"main.cfx.20000101T000000.000000000Z",
		"master.cf.20000101T000000.000000000Z",
		"main.cf",
	};
	struct safefile_lock *lk = NULL;
	struct safefile_diag diag;
	char path[128], bdir[128], p[256], **list = NULL, *bk = NULL;
	size_t i, n = 0;
	int temps;

	in(path, sizeof(path), s->dir, "main.cf");
	in(bdir, sizeof(bdir), s->dir, "backup");
	put(path, "now", 3, 0644);
	assert_int_equal(mkdir(bdir, 0700), 0);
	for (i = 0; i < 4; i++)
		put(in(p, sizeof(p), bdir, mine[i]), "old", 3, 0600);
	for (i = 0; i < 8; i++)
		put(in(p, sizeof(p), bdir, others[i]), "x", 1, 0600);
	/* A directory with a backup's name is not a backup. */
	assert_int_equal(mkdir(in(p, sizeof(p), bdir,
	    "main.cf.20010101T000000.000000000Z"), 0700), 0);

	assert_int_equal(safefile_backups(path, bdir, &list, &n, &diag),
	    RELAY_OK);
	assert_int_equal(n, 4);
	for (i = 0; i < 4; i++)
		assert_string_equal(list[i], in(p, sizeof(p), bdir, mine[i]));
	safefile_backups_free(list, n);

	/* Pruning to 2 keeps the new backup and the newest old one only. */
	assert_int_equal(safefile_lock(path, 0, &lk, &diag), RELAY_OK);
	assert_int_equal(safefile_replace(lk, path, "new", 3, bdir, 2, &bk,
	    &diag), RELAY_OK);
	safefile_unlock(lk);
	assert_int_equal(safefile_backups(path, bdir, &list, &n, &diag),
	    RELAY_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0], bk);
	assert_string_equal(list[1], in(p, sizeof(p), bdir, mine[0]));
	safefile_backups_free(list, n);
	for (i = 0; i < 8; i++)
		assert_true(exists(in(p, sizeof(p), bdir, others[i])));
	assert_int_equal(entries(bdir, &temps), 8 + 1 + 2);
	assert_int_equal(temps, 1);	/* the one planted above */
	free(bk);

	/* A backup directory that is a file cannot be listed. */
	assert_int_equal(safefile_backups(path, path, &list, &n, &diag),
	    RELAY_EIO);
	assert_int_equal(n, 0);
	assert_null(list);
}

static void test_lock_busy_in_child(void **state)
{
	struct scratch *s = *state;
	struct safefile_lock *lk = NULL;
	struct safefile_diag diag;
	char path[128];

	in(path, sizeof(path), s->dir, "main.cf");
	assert_int_equal(safefile_lock(path, 0, &lk, &diag), RELAY_OK);
	assert_int_equal(try_lock_in_child(path, 0), RELAY_ETIMEOUT);
	safefile_unlock(lk);
	assert_int_equal(try_lock_in_child(path, 0), RELAY_OK);
}

static void test_lock_stale(void **state)
{
	struct scratch *s = *state;
	struct safefile_lock *lk = NULL;
	struct safefile_diag diag;
	char path[128], c;
	int fds[2];
	pid_t pid;

	in(path, sizeof(path), s->dir, "main.cf");

	/* A child that exits holding the lock. */
	fflush(NULL);
	assert_true((pid = fork()) != -1);
	if (pid == 0)
		_exit(safefile_lock(path, 0, &lk, NULL) == RELAY_OK ? 0 : 1);
	assert_int_equal(child_status(pid), 0);
	assert_int_equal(safefile_lock(path, 0, &lk, &diag), RELAY_OK);
	safefile_unlock(lk);

	/* A child killed while holding it. */
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		close(fds[0]);
		if (safefile_lock(path, 0, &lk, NULL) != RELAY_OK ||
		    write(fds[1], "l", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	assert_int_equal(safefile_lock(path, 0, &lk, &diag), RELAY_ETIMEOUT);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(child_status(pid), -1);
	assert_int_equal(safefile_lock(path, 0, &lk, &diag), RELAY_OK);
	safefile_unlock(lk);
}

static void test_lock_timeout(void **state)
{
	struct scratch *s = *state;
	struct safefile_lock *lk = NULL, *second = NULL;
	struct safefile_diag diag;
	struct timespec start;
	char path[128], want[256], c;
	long ms;
	int fds[2];
	pid_t pid;

	in(path, sizeof(path), s->dir, "main.cf");
	assert_int_equal(safefile_lock(path, 0, &lk, &diag), RELAY_OK);

	/* flock conflicts between descriptors of one process too. */
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(safefile_lock(path, 50, &second, &diag),
	    RELAY_ETIMEOUT);
	ms = elapsed_ms(&start);
	assert_null(second);
	assert_true(ms >= 40 && ms < 10000);
	snprintf(want, sizeof(want),
	    "cannot lock '%s.relayctl.lock': held by another process", path);
	assert_string_equal(diag.msg, want);
	safefile_unlock(lk);

	/* Negative: wait until the holder lets go. */
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		struct timespec pause_ts = { 0, 100000000 };

		close(fds[0]);
		if (safefile_lock(path, 0, &lk, NULL) != RELAY_OK ||
		    write(fds[1], "l", 1) != 1)
			_exit(1);
		nanosleep(&pause_ts, NULL);
		safefile_unlock(lk);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	assert_int_equal(safefile_lock(path, -1, &lk, &diag), RELAY_OK);
	assert_int_equal(child_status(pid), 0);
	safefile_unlock(lk);
}

static void test_bad_arguments(void **state)
{
	struct scratch *s = *state;
	struct safefile_lock *lk = (struct safefile_lock *)&lk;
	char path[128], *data = (char *)"x", **list = (char **)&list;
	size_t n = 99, len = 99;

	in(path, sizeof(path), s->dir, "main.cf");
	put(path, "keep", 4, 0644);
	assert_int_equal(safefile_lock(NULL, 0, &lk, NULL), RELAY_EINVAL);
	assert_null(lk);
	assert_int_equal(safefile_lock("", 0, &lk, NULL), RELAY_EINVAL);
	assert_int_equal(safefile_lock(path, 0, NULL, NULL), RELAY_EINVAL);
	assert_int_equal(safefile_read(NULL, &data, &len, NULL), RELAY_EINVAL);
	assert_null(data);
	assert_int_equal(len, 0);
	assert_int_equal(safefile_replace(NULL, path, "x", 1, NULL, 0, NULL,
	    NULL), RELAY_EINVAL);
	assert_int_equal(safefile_lock(path, 0, &lk, NULL), RELAY_OK);
	assert_int_equal(safefile_replace(lk, path, "x", 1, "", 0, NULL,
	    NULL), RELAY_EINVAL);
	safefile_unlock(lk);
	assert_int_equal(safefile_backups(path, NULL, &list, &n, NULL),
	    RELAY_EINVAL);
	assert_null(list);
	assert_int_equal(n, 0);
	assert_true(holds(path, "keep", 4));
	safefile_unlock(NULL);
	safefile_backups_free(NULL, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_read_nul_bytes),
		T(test_read_empty_and_missing),
		T(test_replace_keeps_mode_and_content),
		T(test_replace_missing_file),
		T(test_failure_keeps_original),
		T(test_write_failure_keeps_original),
		T(test_unsafe_refused),
		T(test_backups_listed_and_pruned),
		T(test_backups_same_second),
		T(test_backups_ignore_others),
		T(test_lock_busy_in_child),
		T(test_lock_stale),
		T(test_lock_timeout),
		T(test_bad_arguments),
	};
#undef T

	return cmocka_run_group_tests_name("safefile", tests, NULL, NULL);
}
