/*
 * safefile - replace a configuration file so that it is always either the
 * old or the new version: an exclusive lock, a timestamped backup (a
 * bounded number kept), a temporary file in the same directory, fsync of
 * the file and the directory, rename; owner and mode kept.  Owns the
 * lock's file descriptor while held.  Never prints.
 */
#ifndef RELAY_SAFEFILE_H
#define RELAY_SAFEFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "relay_err.h"

struct safefile_diag {
	char msg[512];		/* what failed, naming the file and errno text */
};

/* safefile_lock - the lock for PATH: PATH.relayctl.lock beside it, held
 * with flock(LOCK_EX).  A stale lock file of a dead process does not
 * block: flock locks die with their process. */
struct safefile_lock;

/*
 * safefile_lock - take the exclusive lock for PATH, waiting at most
 * TIMEOUT_MS milliseconds (0: do not wait; negative: wait for ever).
 * On success *OUT is the held lock.  RELAY_ETIMEOUT when another holder
 * kept it; RELAY_EIO when the lock file cannot be created.
 */
enum relay_err safefile_lock(const char *path, int timeout_ms,
    struct safefile_lock **out, struct safefile_diag *diag);

/* safefile_unlock - release and free LOCK; NULL is safe. */
void safefile_unlock(struct safefile_lock *lock);

/*
 * safefile_read - the whole of PATH in a malloc'd, NUL-terminated buffer
 * (*DATA, length *LEN, NUL not counted).  The file may contain NUL bytes.
 */
enum relay_err safefile_read(const char *path, char **data, size_t *len,
    struct safefile_diag *diag);

/*
 * safefile_replace - with LOCK held for PATH: if BACKUP_DIR is not NULL,
 * first copy the current PATH to BACKUP_DIR/NAME.YYYYmmddTHHMMSS.NNNNNNNNNZ
 * (NAME the base name of PATH, UTC, nanoseconds so that two backups in one
 * second differ) and keep only the newest KEEP backups of NAME there; then
 * write DATA (LEN bytes) to a temporary file in PATH's directory with
 * PATH's owner, group and mode, fsync it, rename it over PATH and fsync the
 * directory.  If anything fails before the rename, PATH is untouched and
 * the temporary file removed.  *BACKUP_PATH (if not NULL) receives the
 * malloc'd path of the backup made, or NULL.
 */
enum relay_err safefile_replace(struct safefile_lock *lock, const char *path,
    const char *data, size_t len, const char *backup_dir, unsigned keep,
    char **backup_path, struct safefile_diag *diag);

/*
 * safefile_backups - the backups of PATH's base name in BACKUP_DIR, newest
 * first, as a malloc'd array of malloc'd paths (*N of them); free with
 * safefile_backups_free().  No backup dir or no backups: *N = 0.
 */
enum relay_err safefile_backups(const char *path, const char *backup_dir,
    char ***list, size_t *n, struct safefile_diag *diag);

void safefile_backups_free(char **list, size_t n);

#endif
