/*
 * vcache - a one-line cache of what a program answers about itself (the
 * Postfix version postconf prints), keyed by the identity of the program's
 * file: its path, device, inode, size, modification and change times.  An upgrade
 * replaces the file and so asks again.  The cache is used only when it is
 * ours and nobody else can write it, as safefile demands of configuration
 * directories; anything else is a miss, never an error.  Owns nothing.
 * Never prints.
 */
#ifndef RELAY_VCACHE_H
#define RELAY_VCACHE_H

#include <stddef.h>

/* vcache_dir - the cache directory into BUF: $RELAYCTL_CACHE_DIR when set
 * (empty: no cache), else /var/cache/relayctl for root, else
 * $XDG_CACHE_HOME/relayctl or ~/.cache/relayctl.  0, or -1 for none. */
int vcache_dir(char *buf, size_t len);

/* vcache_key - the identity of program NAME as found on PATH, as
 * "path dev inode size mtime ctime" into KEY.  0, or -1 when it is not found. */
int vcache_key(const char *name, char *key, size_t len);

/* vcache_get - the value kept in DIR/FILE under KEY, malloc'd; NULL on a
 * miss: no such file, another key, or a file or directory that is not
 * ours alone (a link, writable by group or others, another owner). */
char *vcache_get(const char *dir, const char *file, const char *key);

/* vcache_put - keep VALUE (one line, no tab) in DIR/FILE under KEY,
 * creating DIR (and its missing parents, mode 0755); best effort: a
 * failure is a later miss.  The file is written anew and renamed into
 * place, so a reader sees the old or the new line. */
void vcache_put(const char *dir, const char *file, const char *key,
    const char *value);

#endif
