/* image_src.c - the signature sources of an engine and the key of their
 * image; deferred loading (see image_engine.h). Limits: a directory is
 * listed up to IMAGE_MAX_DIR names; a source that cannot be described
 * exactly (stat fails, a YARA or unsupported file, too many files) is not
 * deferred but loaded, and the engine is then not imaged. */
#include "core/image_engine.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <hs/hs.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cache.h"
#include "core/engine.h"
#include "core/image.h"
#include "db/load.h"

#define IMAGE_MAX_DIR 65536
#define IMAGE_MAX_SOURCES 4096

struct image_src {
    char *path; /* NULL: the builtin signatures */
    unsigned flags;
};

struct image_defer {
    struct image_src *v;
    size_t n;
    EVP_MD_CTX *md; /* the sources so far */
    int off;        /* loads are no longer deferred */
    int write, bad; /* compile writes the image (replacing a damaged one) */
    uint8_t key[32];
    char path[PATH_MAX];
};

static void md_u64(EVP_MD_CTX *c, uint64_t v)
{
    EVP_DigestUpdate(c, &v, sizeof v);
}

static void md_str(EVP_MD_CTX *c, const char *s)
{
    md_u64(c, strlen(s));
    EVP_DigestUpdate(c, s, strlen(s));
}

/* What identifies one version of a file's bytes: a write changes ctime. */
static void md_stat(EVP_MD_CTX *c, const struct stat *st)
{
    md_u64(c, (uint64_t)st->st_dev);
    md_u64(c, (uint64_t)st->st_ino);
    md_u64(c, (uint64_t)st->st_size);
    md_u64(c, (uint64_t)st->st_mtim.tv_sec);
    md_u64(c, (uint64_t)st->st_mtim.tv_nsec);
    md_u64(c, (uint64_t)st->st_ctim.tv_sec);
    md_u64(c, (uint64_t)st->st_ctim.tv_nsec);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Hashes the database files of dir (name and stat, in name order).
 * Returns 0, or -1 if the directory cannot be described exactly. */
static int md_dir(EVP_MD_CTX *c, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **v = NULL;
    size_t n = 0, cap = 0;
    int rc = -1;
    struct stat st;

    if (!d)
        return -1;
    while ((de = readdir(d)) != NULL) {
        if (!db_is_database_name(de->d_name))
            continue;
        if (!db_image_ok(de->d_name) || n == IMAGE_MAX_DIR)
            goto out;
        if (n == cap) {
            char **nv = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof *v);
            if (!nv)
                goto out;
            v = nv;
        }
        if (!(v[n] = strdup(de->d_name)))
            goto out;
        n++;
    }
    if (n == 0)
        goto out; /* the load reports it */
    qsort(v, n, sizeof *v, name_cmp);
    md_u64(c, n);
    for (size_t i = 0; i < n; i++) {
        if (fstatat(dirfd(d), v[i], &st, 0) != 0 || !S_ISREG(st.st_mode))
            goto out;
        md_str(c, v[i]);
        md_stat(c, &st);
    }
    rc = 0;
out:
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
    closedir(d);
    return rc;
}

/* Hashes one source. Returns 0, or -1 if it cannot be deferred. */
static int md_source(EVP_MD_CTX *c, const char *path, unsigned flags)
{
    struct stat st;
    const char *base;

    /* A deferred directory holds no unsupported format, so skipping them
     * changes nothing: `vigil db compile -d DIR` then prepares the very
     * image vigild (which loads with the flag) maps. */
    md_u64(c, flags & ~(unsigned)VIGIL_LOAD_SKIP_UNSUPPORTED);
    if (!path) {
        md_str(c, "(builtin)");
        return 0;
    }
    md_str(c, path);
    if (stat(path, &st) != 0)
        return -1;
    if (S_ISDIR(st.st_mode)) {
        md_stat(c, &st);
        return md_dir(c, path);
    }
    base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!S_ISREG(st.st_mode) || !db_image_ok(base))
        return -1;
    md_stat(c, &st);
    return 0;
}

/* Nothing loaded yet: an image holds all of an engine or nothing. */
static int engine_empty(const struct vigil_engine *e)
{
    return e->names.len == 0 && hashset_count(e->sigs) == 0 &&
           hashset_count(e->allow) == 0 && e->ign.n == 0 && e->body.n == 0 &&
           e->ftm.n == 0 && e->yara.n == 0 && e->sect.n == 0 && e->imp.n == 0;
}

int image_defer(struct vigil_engine *e, const char *path, unsigned flags, int builtin)
{
    struct image_defer *d = e->defer;
    struct image_src *v;
    EVP_MD_CTX *probe = NULL;
    int ok;

    if (!e->cache_dir[0] || (flags & VIGIL_LOAD_YARA) || (d && d->off))
        return 0;
    if (!d) {
        if (!(d = e->defer = calloc(1, sizeof *d)))
            return 0;
        d->off = !engine_empty(e);
        if (!d->off && (!(d->md = EVP_MD_CTX_new()) ||
                        !EVP_DigestInit_ex(d->md, EVP_sha256(), NULL)))
            d->off = 1;
        if (d->off)
            return 0;
    }
    if (d->n == IMAGE_MAX_SOURCES ||
        !(v = realloc(d->v, (d->n + 1) * sizeof *v)))
        return 0;
    d->v = v;
    /* Hash into a copy, so a source that cannot be deferred leaves the key
     * of the others as it was. */
    ok = (probe = EVP_MD_CTX_new()) && EVP_MD_CTX_copy_ex(probe, d->md) &&
         md_source(probe, builtin ? NULL : path, flags) == 0 &&
         (builtin || (v[d->n].path = strdup(path)));
    if (ok) {
        if (builtin)
            v[d->n].path = NULL;
        v[d->n++].flags = flags;
        EVP_MD_CTX_free(d->md);
        d->md = probe;
        return 1;
    }
    EVP_MD_CTX_free(probe);
    return 0;
}

void image_defer_free(struct vigil_engine *e)
{
    struct image_defer *d = e->defer;

    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->v[i].path);
    free(d->v);
    EVP_MD_CTX_free(d->md);
    free(d);
    e->defer = NULL;
}

vigil_status image_flush(struct vigil_engine *e)
{
    struct image_defer *d = e->defer;
    vigil_status st = VIGIL_OK;

    if (!d || d->off)
        return VIGIL_OK;
    d->off = 1;
    for (size_t i = 0; i < d->n && st == VIGIL_OK; i++)
        st = d->v[i].path ? vigil_engine_load(e, d->v[i].path, d->v[i].flags)
                          : vigil_engine_load_builtin(e);
    for (size_t i = 0; i < d->n; i++)
        free(d->v[i].path);
    d->n = 0;
    return st;
}

/* The key: format, build, Vectorscan, and the sources. */
static int image_key(struct image_defer *d, uint8_t key[32])
{
    uint8_t build[32];
    unsigned len = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok;

    image_build_id(build);
    ok = c && EVP_MD_CTX_copy_ex(c, d->md);
    if (ok) {
        md_str(c, "vigil image");
        md_u64(c, IMAGE_VERSION);
        EVP_DigestUpdate(c, build, sizeof build);
        md_str(c, hs_version());
        ok = EVP_DigestFinal_ex(c, key, &len) && len == 32;
    }
    EVP_MD_CTX_free(c);
    return ok ? 0 : -1;
}

/* Tries the image of d's key. Returns 1 if e now points into it. */
static int image_try(struct vigil_engine *e, struct image_defer *d)
{
    struct image *im = NULL;
    vigil_status st;

    if (!cache_dir_trusted(e->cache_dir) || image_key(d, d->key) != 0 ||
        cache_key_path(e->cache_dir, d->key, ".vgi", d->path, sizeof d->path) != 0)
        return 0;
    d->write = 1;
    st = image_open(d->path, d->key, &im);
    if (st == VIGIL_OK)
        st = image_attach(e, im);
    if (st == VIGIL_OK) {
        d->write = 0;
        e->cache_state = VIGIL_CACHE_HIT;
        e->image_state = VIGIL_IMAGE_MAPPED;
        engine_log(e, VIGIL_LOG_DEBUG, "compiled engine from the image %s", d->path);
        return 1;
    }
    if (st == VIGIL_EMALFORMED || (st == VIGIL_EOPEN && errno != ENOENT)) {
        d->bad = 1;
        engine_log(e, VIGIL_LOG_WARNING, "%s: image damaged or not trusted; rebuilding it",
                   d->path);
    }
    return 0;
}

vigil_status image_finish(struct vigil_engine *e)
{
    struct image_defer *d = e->defer;

    if (!d || d->off || d->n == 0)
        return VIGIL_OK;
    if (image_try(e, d)) {
        for (size_t i = 0; i < d->n; i++)
            free(d->v[i].path);
        d->n = 0;
        d->off = 1;
        return VIGIL_OK;
    }
    if (d->write)
        engine_spill(e); /* an image-only compile: names and hashes to files */
    return image_flush(e);
}

int image_wanted(const struct vigil_engine *e)
{
    return e->defer && e->defer->write && !e->image && image_engine_supported(e);
}

void image_after_compile(struct vigil_engine *e)
{
    struct image_defer *d = e->defer;

    if (!d || !d->write || e->image)
        return;
    d->write = 0;
    if (!image_engine_supported(e)) {
        engine_log(e, VIGIL_LOG_DEBUG,
                   "YARA rules: no engine image is written");
        return;
    }
    if (image_save(e, d->path, d->key) == 0) {
        e->cache_state = d->bad ? VIGIL_CACHE_REBUILT : VIGIL_CACHE_WRITTEN;
        e->image_state = VIGIL_IMAGE_WRITTEN;
        engine_log(e, VIGIL_LOG_DEBUG, "wrote the image %s", d->path);
    } else {
        e->image_error = errno;
        engine_log(e, VIGIL_LOG_DEBUG, "%s: cannot write the image: %s", d->path,
                   strerror(e->image_error));
    }
}
