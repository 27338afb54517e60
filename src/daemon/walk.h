/* walk.h - the directory walk of SCAN, CONTSCAN and MULTISCAN, in clamd's
 * order (clamav's cli_ftw: in each directory files before directories, each
 * by inode number), one file at a time so the parent never blocks on a
 * whole tree. */
#ifndef VIGIL_DAEMON_WALK_H
#define VIGIL_DAEMON_WALK_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/conf.h"

/* Hard maxima: nesting (MaxDirectoryRecursion is also applied) and entries
 * read from one directory. */
#define WALK_DEPTH_MAX 64
#define WALK_DIR_ENTRIES_MAX 1000000

struct walk;

enum walk_item {
    WALK_END = 0,   /* nothing left */
    WALK_FILE,      /* *fd is open for reading, *path names it */
    WALK_EMPTY,     /* a regular file of size 0: counted, not scanned */
    WALK_ERROR,     /* *path could not be opened: *err is the reply text */
    WALK_EXCLUDED,  /* *path matched ExcludePath: *err is the reply text */
};

/* Starts a walk of directory dir (a real path). Returns NULL on no memory. */
struct walk *walk_new(const struct conf *c, const char *dir);

/* The next item. *path stays valid until the next call. */
enum walk_item walk_next(struct walk *w, const char **path, int *fd, const char **err);

void walk_free(struct walk *w);

/* Whether path matches one of c's ExcludePath expressions. */
bool walk_excluded(const struct conf *c, const char *path);

#endif
