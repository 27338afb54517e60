/* spill.h - a growable byte buffer kept in an unlinked temporary file and
 * used through a shared mapping, whose written pages are given back to the
 * kernel as it grows.
 *
 * A database compile that only writes an engine image (vigild's compile
 * helper, `vigil db compile`) holds the hash records and the names of a
 * million signatures only long enough to write them out. In a spill they
 * live in the page cache, written back to the file system and evicted like
 * any file's, rather than in the process's heap: the process keeps at most
 * SPILL_DROP bytes of them resident, and reading them again faults them
 * back in from the file. Disk space is reserved before the mapping grows
 * (posix_fallocate), so a full disk is an error from spill_reserve rather
 * than a SIGBUS on a store.
 *
 * The file is made with O_TMPFILE (or created and unlinked at once) in a
 * directory the caller names: vigil uses its cache directory, which only
 * the user can write (core/cache.h). Limits: a spill holds at most
 * SPILL_MAX bytes. */
#ifndef VIGIL_CORE_SPILL_H
#define VIGIL_CORE_SPILL_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

#define SPILL_MAX ((size_t)16 << 30)
/* Resident bytes after which written pages are given back. */
#define SPILL_DROP ((size_t)1 << 20)

struct spill {
    int fd;
    uint8_t *p; /* the mapping: cap bytes */
    size_t cap;
    size_t dropped; /* bytes below this were given back last */
};

/* Creates an empty spill in *out, its file in dir. VIGIL_EOPEN if no file
 * can be made there (errno set). */
vigil_status spill_new(const char *dir, struct spill **out);

/* Unmaps and closes sp (its file goes with it). NULL is allowed. */
void spill_free(struct spill *sp);

/* Makes sp->p hold at least need bytes (the mapping may move: pointers
 * into it must be taken again). VIGIL_ENOMEM past SPILL_MAX or when the
 * file system has no room (errno set). */
vigil_status spill_reserve(struct spill *sp, size_t need);

/* Written: the first len bytes of sp hold data; once more than SPILL_DROP
 * bytes were written since the last time, the whole pages below len are
 * taken out of the resident set. */
void spill_wrote(struct spill *sp, size_t len);

/* Takes the pages of sp->p[off..off+len) out of the resident set (they
 * stay in the file). */
void spill_drop(const struct spill *sp, size_t off, size_t len);

/* Takes whole pages of the mapping p[0..len) of a shared file mapping out
 * of the resident set: for callers that map a file themselves. */
void spill_drop_map(const void *p, size_t len);

#endif
