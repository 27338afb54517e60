/* image.c - the engine image file: write, map, check (see image.h).
 * Limits: IMAGE_MAX_FILE bytes, IMAGE_NTABLES tables; every directory entry
 * is checked against the file length before any table is read. */
#include "core/image.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "core/cache.h"
#include "core/spill.h"
#include "io/pio.h"
#if defined(__has_include)
#if __has_include("vigil_build_key.h")
#include "vigil_build_key.h" /* generated: cmake/buildkey.cmake */
#endif
#endif

static const char image_magic[16] = "VIGILIMAGE";

struct image_ent {
    const uint8_t *p;
    uint64_t len, count;
};

struct image {
    uint8_t *map;
    size_t size;
    int borrowed; /* image_open_buffer: map is the caller's */
    struct image_ent t[IMAGE_NTABLES];
};

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static int known_id(uint32_t id)
{
    switch (id) {
#define IMAGE_CASE(n, name) case n:
        IMAGE_TABLES(IMAGE_CASE)
#undef IMAGE_CASE
        return 1;
    default:
        return 0;
    }
}

/* The trailer: XXH3-128 of everything before it, in XXH's canonical (big
 * endian) form. */
static void sum_final(XXH3_state_t *c, uint8_t out[IMAGE_SUM])
{
    XXH128_canonical_t canon;
    XXH128_canonicalFromHash(&canon, XXH3_128bits_digest(c));
    memcpy(out, canon.digest, IMAGE_SUM);
}

static uint64_t align_up(uint64_t v)
{
    return (v + IMAGE_ALIGN - 1) & ~(uint64_t)(IMAGE_ALIGN - 1);
}

/* The XXH3-128 of fd[0..n), read back with pread (pages of the page cache,
 * not of this process). Returns 0, or -1. */
static int sum_file(int fd, uint64_t n, uint8_t out[IMAGE_SUM])
{
    enum { CHUNK = 1 << 20 };
    uint8_t *buf = malloc(CHUNK);
    XXH3_state_t *c = XXH3_createState();
    uint64_t off = 0;
    int ok = buf && c && XXH3_128bits_reset(c) == XXH_OK;

    while (ok && off < n) {
        size_t want = n - off < CHUNK ? (size_t)(n - off) : CHUNK;
        ssize_t r = pread(fd, buf, want, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            errno = EIO;
        ok = r > 0 && XXH3_128bits_update(c, buf, (size_t)r) == XXH_OK;
        off += r > 0 ? (uint64_t)r : 0;
    }
    if (ok)
        sum_final(c, out);
    XXH3_freeState(c);
    free(buf);
    return ok ? 0 : -1;
}

/* Writes a table held in memory, or in a shared file mapping whose pages
 * are given back as they are written. */
static int part_write(int fd, const struct image_part *p, int drop, uint64_t off)
{
    const uint8_t *d = p->data;
    uint64_t done = 0;

    if (!drop)
        return p->len ? pwrite_all(fd, d, (size_t)p->len, off) : 0;
    while (done < p->len) {
        size_t n = p->len - done < SPILL_DROP ? (size_t)(p->len - done) : SPILL_DROP;
        if (pwrite_all(fd, d + done, n, off + done) != 0)
            return -1;
        spill_drop_map(d, (size_t)(done + n));
        done += n;
    }
    return 0;
}

/* Writes header, directory, tables and trailer to fd: the file gets its
 * length (and blocks) first, then every table is written at its offset,
 * and the checksum is read back from the file. */
static int image_emit(int fd, const uint8_t key[32], const struct image_part *parts,
                      const struct image_fill *fill, size_t n)
{
    uint8_t head[IMAGE_HEAD] = {0}, ent[IMAGE_DIRENT], sum[IMAGE_SUM];
    uint64_t off = align_up(IMAGE_HEAD + (uint64_t)n * IMAGE_DIRENT), total, *at = NULL;
    struct image_layout *l = calloc(1, sizeof *l);
    uint32_t v32;
    int rc = -1, e;

    if (!l || !(at = calloc(n ? n : 1, sizeof *at)))
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (parts[i].id >= IMAGE_NTABLES) {
            errno = EINVAL;
            goto out;
        }
        at[i] = off;
        l->off[parts[i].id] = off;
        off = align_up(off + parts[i].len);
    }
    total = off + IMAGE_SUM;
    if ((e = posix_fallocate(fd, 0, (off_t)total)) != 0) {
        errno = e;
        goto out;
    }
    memcpy(head, image_magic, 16);
    v32 = IMAGE_VERSION;
    memcpy(head + 16, &v32, 4);
    v32 = (uint32_t)n;
    memcpy(head + 20, &v32, 4);
    memcpy(head + 24, key, 32);
    memcpy(head + 56, &total, 8);
    if (pwrite_all(fd, head, sizeof head, 0) != 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        memset(ent, 0, sizeof ent);
        v32 = parts[i].id;
        memcpy(ent, &v32, 4);
        memcpy(ent + 8, &at[i], 8);
        memcpy(ent + 16, &parts[i].len, 8);
        memcpy(ent + 24, &parts[i].count, 8);
        if (pwrite_all(fd, ent, sizeof ent, IMAGE_HEAD + (uint64_t)i * IMAGE_DIRENT) != 0)
            goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (parts[i].data && part_write(fd, &parts[i], fill && fill[i].drop, at[i]) != 0)
            goto out;
    for (size_t i = 0; fill && i < n; i++)
        if (fill[i].emit && fill[i].emit(fill[i].ctx, fd, l) != 0)
            goto out;
    if (sum_file(fd, total - IMAGE_SUM, sum) != 0 ||
        pwrite_all(fd, sum, IMAGE_SUM, total - IMAGE_SUM) != 0)
        goto out;
    rc = 0;
out:
    free(at);
    free(l);
    return rc;
}

int image_write(const char *path, const uint8_t key[32], const struct image_part *parts,
                size_t n)
{
    return image_write_filled(path, key, parts, NULL, n);
}

int image_write_filled(const char *path, const uint8_t key[32],
                       const struct image_part *parts, const struct image_fill *fill,
                       size_t n)
{
    char tmp[PATH_MAX + 16];
    int fd, rc = -1, saved;

    if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
        return -1;
    if (fchmod(fd, 0644) == 0 && image_emit(fd, key, parts, fill, n) == 0 &&
        fsync(fd) == 0) {
        rc = close(fd);
        fd = -1;
        if (rc == 0)
            rc = rename(tmp, path);
    }
    saved = errno;
    if (fd >= 0)
        close(fd);
    if (rc != 0)
        unlink(tmp);
    else
        cache_prune_beside(path);
    errno = saved;
    return rc;
}

/* Checks the directory of the mapped file and fills im->t. */
static int image_index(struct image *im)
{
    const uint8_t *m = im->map;
    uint32_t n = get32(m + 20);
    uint64_t end = im->size - IMAGE_SUM, dirend;

    if (n > IMAGE_NTABLES)
        return -1;
    dirend = IMAGE_HEAD + (uint64_t)n * IMAGE_DIRENT;
    if (dirend > end)
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *d = m + IMAGE_HEAD + (size_t)i * IMAGE_DIRENT;
        uint32_t id = get32(d);
        uint64_t off = get64(d + 8), len = get64(d + 16);
        if (!known_id(id) || im->t[id].p || get32(d + 4) != 0 || off % IMAGE_ALIGN ||
            off < dirend || off > end || len > end - off)
            return -1;
        im->t[id] = (struct image_ent){m + off, len, get64(d + 24)};
    }
    return 0;
}

/* Header and directory; key NULL: any key. */
static int image_check(struct image *im, const uint8_t *key)
{
    return im->size >= IMAGE_HEAD + IMAGE_SUM && !memcmp(im->map, image_magic, 16) &&
                   get32(im->map + 16) == IMAGE_VERSION &&
                   (!key || !memcmp(im->map + 24, key, 32)) &&
                   get64(im->map + 56) == im->size && image_index(im) == 0
               ? 0
               : -1;
}

vigil_status image_open_buffer(const uint8_t *buf, size_t len, struct image **out)
{
    struct image *im = calloc(1, sizeof *im);

    *out = NULL;
    if (!im)
        return VIGIL_ENOMEM;
    im->map = (uint8_t *)(uintptr_t)buf;
    im->size = len;
    im->borrowed = 1;
    if (image_check(im, NULL) != 0) {
        image_close(im);
        return VIGIL_EMALFORMED;
    }
    *out = im;
    return VIGIL_OK;
}

/* The XXH3-128 of the file's first n - IMAGE_SUM bytes, read with pread
 * rather than through the map, against the mapped trailer: pages the engine
 * never touches (most names, until a detection) then stay out of the
 * process's resident set. The file is the user's own and only ever replaced
 * by rename, so what was read is what is mapped. */
static int sum_ok(int fd, const uint8_t *map, size_t n)
{
    /* Small enough to stay below malloc's mmap threshold's worth of peak
     * RSS in a parent that otherwise holds little (measured: 1 MiB was
     * 7% of its peak), large enough that the syscalls cost nothing. */
    enum { CHUNK = 128 << 10 };
    uint8_t sum[IMAGE_SUM], *buf = malloc(CHUNK);
    size_t off = 0;
    XXH3_state_t *c = XXH3_createState();
    int ok = buf && c && XXH3_128bits_reset(c) == XXH_OK;

    while (ok && off < n - IMAGE_SUM) {
        size_t want = n - IMAGE_SUM - off < CHUNK ? n - IMAGE_SUM - off : CHUNK;
        ssize_t r = pread(fd, buf, want, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        ok = r > 0 && XXH3_128bits_update(c, buf, (size_t)r) == XXH_OK;
        off += r > 0 ? (size_t)r : 0;
    }
    if (ok)
        sum_final(c, sum);
    ok = ok && memcmp(sum, map + n - IMAGE_SUM, IMAGE_SUM) == 0;
    XXH3_freeState(c);
    free(buf);
    return ok;
}

vigil_status image_open(const char *path, const uint8_t key[32], struct image **out)
{
    struct image *im = NULL;
    struct stat st;
    void *m;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    vigil_status rc = VIGIL_EMALFORMED;

    *out = NULL;
    if (fd < 0)
        return VIGIL_EOPEN;
    /* Ours, or root's, and writable by nobody else (see image.h). */
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (st.st_uid != geteuid() && st.st_uid != 0) || (st.st_mode & 022)) {
        close(fd);
        errno = EPERM;
        return VIGIL_EOPEN;
    }
    if (st.st_size < IMAGE_HEAD + IMAGE_SUM || (uint64_t)st.st_size > IMAGE_MAX_FILE ||
        !(im = calloc(1, sizeof *im)))
        goto out;
    m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        goto out;
    im->map = m;
    im->size = (size_t)st.st_size;
    if (image_check(im, key) != 0 || !sum_ok(fd, im->map, im->size))
        goto out;
    (void)futimens(fd, NULL); /* used: kept by cache_prune_beside */
    *out = im;
    im = NULL;
    rc = VIGIL_OK;
out:
    image_close(im);
    close(fd);
    return rc;
}

const void *image_table(const struct image *im, unsigned id, size_t *len,
                        uint64_t *count)
{
    const struct image_ent *t = id < IMAGE_NTABLES ? &im->t[id] : NULL;

    /* An empty table is an absent one: no pointer to the next table. */
    *len = t && t->p ? (size_t)t->len : 0;
    if (count)
        *count = t && t->p ? t->count : 0;
    return *len ? t->p : NULL;
}

void image_close(struct image *im)
{
    if (!im)
        return;
    if (im->map && !im->borrowed)
        munmap(im->map, im->size);
    free(im);
}

size_t image_size(const struct image *im)
{
    return im ? im->size : 0;
}

void image_drop_resident(const struct image *im)
{
    /* A read-only shared file mapping: MADV_DONTNEED only drops this
     * process's page table entries, the next read faults the same bytes
     * back in from the file. A borrowed buffer is the caller's. */
    if (im && im->map && !im->borrowed)
        (void)madvise(im->map, im->size, MADV_DONTNEED);
}

struct build_note {
    uintptr_t addr;
    uint8_t id[32];
    int found;
};

/* Finds the NT_GNU_BUILD_ID note of the loaded object that holds addr. */
static int find_build_id(struct dl_phdr_info *info, size_t size, void *arg)
{
    struct build_note *b = arg;
    int mine = 0;

    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && b->addr >= lo && b->addr < lo + ph->p_memsz)
            mine = 1;
    }
    for (int i = 0; mine && i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
        size_t off = 0;
        if (ph->p_type != PT_NOTE)
            continue;
        while (off + 12 <= ph->p_filesz) {
            uint32_t nsz = get32(p + off), dsz = get32(p + off + 4), type = get32(p + off + 8);
            size_t nal = (nsz + 3u) & ~3u, dal = (dsz + 3u) & ~3u;
            if (nal > ph->p_filesz - off - 12 || dal > ph->p_filesz - off - 12 - nal)
                break;
            if (type == NT_GNU_BUILD_ID && nsz == 4 && !memcmp(p + off + 12, "GNU", 4)) {
                unsigned len = 0;
                EVP_Digest(p + off + 12 + nal, dsz, b->id, &len, EVP_sha256(), NULL);
                b->found = len == 32;
                return 1;
            }
            off += 12 + nal + dal;
        }
    }
    return mine;
}

void image_build_id(uint8_t out[32])
{
    static const char fallback[] = "vigil " VIGIL_VERSION_STRING " " __DATE__ " " __TIME__;
    struct build_note b = {(uintptr_t)&image_build_id, {0}, 0};
    unsigned len = 0;

#ifdef VIGIL_BUILD_KEY
    /* The library's own key, the same in every program that links it
     * statically (vigil, vigild): their executables' build ids differ. */
    EVP_Digest(VIGIL_BUILD_KEY, sizeof VIGIL_BUILD_KEY - 1, out, &len, EVP_sha256(), NULL);
    if (len == 32)
        return;
#endif
    dl_iterate_phdr(find_build_id, &b);
    if (b.found) {
        memcpy(out, b.id, 32);
        return;
    }
    EVP_Digest(fallback, sizeof fallback - 1, out, &len, EVP_sha256(), NULL);
}
