/* spill.c - a byte buffer in an unlinked temporary file (see spill.h).
 * Limits: SPILL_MAX bytes; growth by doubling, never past it. */
#include "core/spill.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t page_size(void)
{
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? (size_t)p : 4096;
}

/* An unlinked file of ours in dir: O_TMPFILE, else a name removed at once. */
static int spill_file(const char *dir)
{
    char path[PATH_MAX];
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC | O_EXCL, 0600);

    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
        return fd;
    if (snprintf(path, sizeof path, "%s/.vigil-spill.XXXXXX", dir) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if ((fd = mkostemp(path, O_CLOEXEC)) >= 0)
        unlink(path);
    return fd;
}

vigil_status spill_new(const char *dir, struct spill **out)
{
    struct spill *sp = calloc(1, sizeof *sp);

    *out = NULL;
    if (!sp)
        return VIGIL_ENOMEM;
    if ((sp->fd = spill_file(dir)) < 0) {
        free(sp);
        return VIGIL_EOPEN;
    }
    *out = sp;
    return VIGIL_OK;
}

void spill_free(struct spill *sp)
{
    if (!sp)
        return;
    if (sp->p)
        munmap(sp->p, sp->cap);
    close(sp->fd);
    free(sp);
}

vigil_status spill_reserve(struct spill *sp, size_t need)
{
    size_t cap = sp->cap ? sp->cap : (size_t)1 << 20;
    void *p;
    int rc;

    if (need <= sp->cap)
        return VIGIL_OK;
    if (need > SPILL_MAX)
        return VIGIL_ENOMEM;
    while (cap < need)
        cap = cap > SPILL_MAX / 2 ? SPILL_MAX : cap * 2;
    /* Blocks first: a store into a page the file system cannot back would
     * be a SIGBUS. */
    if ((rc = posix_fallocate(sp->fd, (off_t)sp->cap, (off_t)(cap - sp->cap))) != 0) {
        errno = rc;
        return VIGIL_ENOMEM;
    }
    p = sp->p ? mremap(sp->p, sp->cap, cap, MREMAP_MAYMOVE)
              : mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_SHARED, sp->fd, 0);
    if (p == MAP_FAILED)
        return VIGIL_ENOMEM;
    sp->p = p;
    sp->cap = cap;
    return VIGIL_OK;
}

void spill_drop(const struct spill *sp, size_t off, size_t len)
{
    if (off < sp->cap)
        spill_drop_map(sp->p + off, len < sp->cap - off ? len : sp->cap - off);
}

void spill_drop_map(const void *p, size_t len)
{
    size_t ps = page_size();
    uintptr_t lo = ((uintptr_t)p + ps - 1) & ~(uintptr_t)(ps - 1);
    uintptr_t hi = ((uintptr_t)p + len) & ~(uintptr_t)(ps - 1);

    /* A shared file mapping: MADV_DONTNEED only unmaps the pages, dirty
     * ones stay dirty in the page cache and are written back. */
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

void spill_wrote(struct spill *sp, size_t len)
{
    if (len < sp->dropped || len - sp->dropped < SPILL_DROP)
        return;
    spill_drop(sp, 0, len);
    sp->dropped = len;
}
