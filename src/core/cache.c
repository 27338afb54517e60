/* cache.c - the compiled pre-filter saved between runs (see cache.h). */
#include "core/cache.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/engine.h"
#include "match/atoms.h"

static const char cache_magic[16] = "VIGILCACHE";
#define CACHE_VERSION 1u
#define CACHE_HEAD (16 + 4 + 32 + 8)

static int sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
    unsigned len = 0;

    return EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) && len == 32;
}

int cache_key_path(const char *dir, const uint8_t key[32], const char *ext, char *path,
                   size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char name[65];
    int len;

    for (int i = 0; i < 32; i++) {
        name[2 * i] = hex[key[i] >> 4];
        name[2 * i + 1] = hex[key[i] & 15];
    }
    name[64] = '\0';
    len = snprintf(path, n, "%s/%s%s", dir, name, ext);
    return len < 0 || (size_t)len >= n ? -1 : 0;
}

/* Writes the file name for key into path[0..n). Returns 0, or -1 if it
 * does not fit. */
static int cache_path(const struct vigil_engine *e, const uint8_t key[32], char *path,
                      size_t n)
{
    return cache_key_path(e->cache_dir, key, ".vgc", path, n);
}

/* Reads the whole file at path into a new buffer. Returns 0, or -1 (errno
 * ENOENT when there is no file). */
static int read_all(const char *path, uint8_t **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    uint8_t *buf = NULL;
    size_t got = 0;
    ssize_t r;

    if (fd < 0)
        return -1;
    /* Only a file of ours that nobody else may write is read: Vectorscan
     * trusts the bytecode it deserializes. */
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 022) || st.st_size < CACHE_HEAD + 32 ||
        (uint64_t)st.st_size > CACHE_MAX_FILE || !(buf = malloc((size_t)st.st_size)))
        goto fail;
    while (got < (size_t)st.st_size) {
        r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r <= 0 && !(r < 0 && errno == EINTR))
            goto fail;
        if (r > 0)
            got += (size_t)r;
    }
    close(fd);
    *out = buf;
    *len = got;
    return 0;
fail:
    free(buf);
    close(fd);
    errno = EINVAL;
    return -1;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Checks the file in buf against key and gives its payload to the atoms.
 * Returns 0 if they were loaded. */
static int cache_use(struct vigil_engine *e, const uint8_t key[32], const uint8_t *buf,
                     size_t len)
{
    uint8_t sum[32];
    uint64_t plen;

    if (len < CACHE_HEAD + 32 || memcmp(buf, cache_magic, 16) ||
        get32(buf + 16) != CACHE_VERSION || memcmp(buf + 20, key, 32))
        return -1;
    plen = get64(buf + 52);
    if (plen != len - CACHE_HEAD - 32 || !sha256(buf, len - 32, sum) ||
        memcmp(sum, buf + len - 32, 32))
        return -1;
    return atoms_load(e->atoms, buf + CACHE_HEAD, (size_t)plen) == VIGIL_OK ? 0 : -1;
}

int cache_write_all(int fd, const void *data, size_t n)
{
    const uint8_t *p = data;

    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Writes the cache file for key: a temporary file in the same directory,
 * synced, then renamed over the final name. Returns 0 on success. */
static int cache_store(struct vigil_engine *e, const uint8_t key[32], const char *path)
{
    uint8_t *payload = NULL, *buf = NULL;
    size_t plen = 0, len;
    char tmp[PATH_MAX + 16];
    int fd = -1, rc = -1;

    if (atoms_save(e->atoms, &payload, &plen) != VIGIL_OK)
        return -1;
    len = CACHE_HEAD + plen + 32;
    if (!(buf = malloc(len)))
        goto out;
    memcpy(buf, cache_magic, 16);
    for (int i = 0; i < 4; i++)
        buf[16 + i] = (uint8_t)(CACHE_VERSION >> (8 * i));
    memcpy(buf + 20, key, 32);
    for (int i = 0; i < 8; i++)
        buf[52 + i] = (uint8_t)((uint64_t)plen >> (8 * i));
    memcpy(buf + CACHE_HEAD, payload, plen);
    if (!sha256(buf, len - 32, buf + len - 32))
        goto out;
    if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp)
        goto out;
    if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
        goto out;
    if (fchmod(fd, 0644) == 0 && cache_write_all(fd, buf, len) == 0 && fsync(fd) == 0 &&
        close(fd) == 0) {
        fd = -1;
        rc = rename(tmp, path);
    }
    if (rc != 0)
        unlink(tmp);
    else
        cache_prune_beside(path);
out:
    if (fd >= 0)
        close(fd);
    free(payload);
    free(buf);
    return rc;
}

/* A cache file's name: 64 hex digits, one of the cache extensions, and
 * maybe the ".XXXXXX" of a write that did not finish. */
static int cache_file_name(const char *name)
{
    static const char *const ext[] = {".vgi", ".vgc", ".vgy", ".vgg"};
    size_t n = strlen(name);

    if (n < 68)
        return 0;
    for (int i = 0; i < 64; i++)
        if (!isxdigit((unsigned char)name[i]) || isupper((unsigned char)name[i]))
            return 0;
    for (size_t k = 0; k < sizeof ext / sizeof ext[0]; k++)
        if (memcmp(name + 64, ext[k], 4) == 0)
            return n == 68 || (n == 75 && name[68] == '.');
    return 0;
}

void cache_prune_beside(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    time_t old = time(NULL) - (time_t)CACHE_UNUSED_DAYS * 24 * 3600;
    struct dirent *de;
    struct stat st;
    size_t seen = 0;
    DIR *d;

    if (!slash || (size_t)(slash - path) >= sizeof dir)
        return;
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    if (!(d = opendir(dir[0] ? dir : "/")))
        return;
    while ((de = readdir(d)) && seen++ < CACHE_PRUNE_MAX) {
        if (!cache_file_name(de->d_name) || strcmp(de->d_name, slash + 1) == 0 ||
            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_mtime >= old)
            continue;
        (void)unlinkat(dirfd(d), de->d_name, 0);
    }
    closedir(d);
}

int cache_dir_trusted(const char *dir)
{
    struct stat st;

    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
           (st.st_uid == geteuid() || st.st_uid == 0) && !(st.st_mode & 022);
}

vigil_status cache_compile_atoms(struct vigil_engine *e, char *why, size_t whylen)
{
    uint8_t key[32], *buf = NULL;
    char path[PATH_MAX];
    size_t len = 0;
    int bad = 0;
    vigil_status st;

    e->cache_state = VIGIL_CACHE_OFF;
    if (!e->cache_dir[0])
        return atoms_compile(e->atoms, why, whylen);
    if (atoms_count(e->atoms) < CACHE_MIN_ATOMS) {
        e->cache_state = VIGIL_CACHE_SMALL;
        return atoms_compile(e->atoms, why, whylen);
    }
    if (!cache_dir_trusted(e->cache_dir)) {
        engine_log(e, VIGIL_LOG_WARNING,
                   "%s: not a directory of this user that only it can write; "
                   "compiled signatures are not cached",
                   e->cache_dir);
        return atoms_compile(e->atoms, why, whylen);
    }
    if (atoms_digest(e->atoms, key) != VIGIL_OK)
        return VIGIL_ENOMEM;
    if (cache_path(e, key, path, sizeof path) != 0)
        return atoms_compile(e->atoms, why, whylen);
    if (read_all(path, &buf, &len) == 0) {
        if (cache_use(e, key, buf, len) == 0) {
            free(buf);
            /* used: kept by cache_prune_beside */
            (void)utimensat(AT_FDCWD, path, NULL, 0);
            e->cache_state = VIGIL_CACHE_HIT;
            engine_log(e, VIGIL_LOG_DEBUG, "compiled signatures from the cache %s", path);
            return VIGIL_OK;
        }
        bad = 1;
        engine_log(e, VIGIL_LOG_WARNING, "%s: cache file damaged; rebuilding it", path);
    } else if (errno != ENOENT) {
        bad = 1;
    }
    free(buf);
    st = atoms_compile(e->atoms, why, whylen);
    if (st != VIGIL_OK)
        return st;
    if (cache_store(e, key, path) == 0) {
        e->cache_state = bad ? VIGIL_CACHE_REBUILT : VIGIL_CACHE_WRITTEN;
        engine_log(e, VIGIL_LOG_DEBUG, "wrote the cache %s", path);
    } else {
        e->cache_state = VIGIL_CACHE_UNWRITABLE;
        engine_log(e, VIGIL_LOG_DEBUG, "%s: cannot write the cache: %s", path,
                   strerror(errno));
    }
    return VIGIL_OK;
}
