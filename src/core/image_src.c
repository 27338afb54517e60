/* image_src.c - the signature sources of an engine and the key of their
 * image; deferred loading, and where YARA rules go among the deferred
 * ClamAV files (see image_engine.h). Limits: a directory is listed up to
 * IMAGE_MAX_DIR names; at most IMAGE_MAX_STEPS ClamAV files are placed; a
 * source that cannot be described exactly (stat fails, an unsupported
 * file, too many files) is not deferred but loaded, and the engine is then
 * not imaged. YARA rule files are in no key: they are loaded at once. */
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
#include "db/yara.h"

#define IMAGE_MAX_DIR 65536
#define IMAGE_MAX_SOURCES 4096
#define IMAGE_MAX_STEPS (1u << 24)

struct image_src {
    char *path; /* NULL: the builtin signatures */
    unsigned flags;
};

struct image_defer {
    struct image_src *v;
    size_t n;
    EVP_MD_CTX *md;   /* the sources so far */
    EVP_MD_CTX *prev; /* without the last one (image_defer_undo) */
    int off;          /* loads are no longer deferred */
    int write, bad;   /* compile writes the image (replacing a damaged one) */
    uint32_t planned, prev_planned; /* ClamAV files deferred (steps) */
    uint32_t *steps;                /* logical signatures after each, as parsed */
    size_t nsteps, steps_cap;
    int flushing; /* image_flush parses the deferred sources */
    int no_image; /* steps lost, or YARA rules out of a deferred source */
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

/* Hashes the ClamAV database files of dir (name and stat, in name order;
 * not its YARA rule files, which are loaded at once, nor the directory's
 * own times, which a new or renamed rule file changes). Returns 0, 1 if it
 * holds YARA rule files only, or -1 if it cannot be described exactly. */
static int md_dir(EVP_MD_CTX *c, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **v = NULL;
    size_t n = 0, cap = 0, yara = 0;
    int rc = -1;
    struct stat st;

    if (!d)
        return -1;
    while ((de = readdir(d)) != NULL) {
        if (!db_is_database_name(de->d_name) || de->d_name[0] == '.')
            continue;
        if (db_is_yara_name(de->d_name)) {
            yara++;
            continue;
        }
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
    if (n == 0) {
        rc = yara ? 1 : -1; /* none at all: the load reports it */
        goto out;
    }
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

/* Hashes one source. Returns 0, 1 if it is a directory of YARA rule files
 * only, or -1 if it cannot be deferred. */
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
    if (S_ISDIR(st.st_mode))
        return md_dir(c, path);
    base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!S_ISREG(st.st_mode) || !db_image_ok(base))
        return -1;
    md_stat(c, &st);
    return 0;
}

/* No ClamAV signature loaded yet: an image holds all of them or none (the
 * YARA rules are never in it). */
static int engine_empty(const struct vigil_engine *e)
{
    return e->names.len == 0 && hashset_count(e->sigs) == 0 &&
           hashset_count(e->allow) == 0 && e->ign.n == 0 && e->body.n == 0 &&
           e->ldb.n == 0 && e->cdb.n == 0 && e->ftm.n == 0 && e->sect.n == 0 &&
           e->imp.n == 0;
}

int image_defer(struct vigil_engine *e, const char *path, unsigned flags, int builtin)
{
    struct image_defer *d = e->defer;
    struct image_src *v;
    EVP_MD_CTX *probe = NULL;
    struct stat st;
    int rc;

    if (!e->cache_dir[0])
        return IMAGE_LOAD_NOW;
    if (!builtin &&
        ((flags & VIGIL_LOAD_YARA) ||
         (db_is_yara_name(path) && stat(path, &st) == 0 && !S_ISDIR(st.st_mode))))
        return IMAGE_YARA_NOW;
    if (d && d->off)
        return IMAGE_LOAD_NOW;
    if (!d) {
        if (!(d = e->defer = calloc(1, sizeof *d)))
            return IMAGE_LOAD_NOW;
        d->off = !engine_empty(e);
        if (!d->off && (!(d->md = EVP_MD_CTX_new()) ||
                        !EVP_DigestInit_ex(d->md, EVP_sha256(), NULL)))
            d->off = 1;
        if (d->off)
            return IMAGE_LOAD_NOW;
    }
    if (d->n == IMAGE_MAX_SOURCES || d->planned >= IMAGE_MAX_STEPS ||
        !(v = realloc(d->v, (d->n + 1) * sizeof *v)))
        return IMAGE_LOAD_NOW;
    d->v = v;
    /* Hash into a copy, so a source that cannot be deferred leaves the key
     * of the others as it was. */
    rc = (probe = EVP_MD_CTX_new()) && EVP_MD_CTX_copy_ex(probe, d->md)
             ? md_source(probe, builtin ? NULL : path, flags)
             : -1;
    if (rc == 0 && (builtin || (v[d->n].path = strdup(path)))) {
        if (builtin)
            v[d->n].path = NULL;
        v[d->n++].flags = flags;
        EVP_MD_CTX_free(d->prev);
        d->prev = d->md;
        d->md = probe;
        d->prev_planned = d->planned;
        d->planned += builtin; /* a file's or directory's by DB_LOAD_PLAN */
        return IMAGE_DEFERRED;
    }
    EVP_MD_CTX_free(probe);
    return rc == 1 ? IMAGE_YARA_NOW : IMAGE_LOAD_NOW;
}

int image_pending(const struct vigil_engine *e)
{
    const struct image_defer *d = e->defer;

    return d && !d->off && d->n;
}

void image_defer_undo(struct vigil_engine *e)
{
    struct image_defer *d = e->defer;

    if (!d || d->off || d->n == 0 || !d->prev)
        return;
    free(d->v[--d->n].path);
    EVP_MD_CTX_free(d->md);
    d->md = d->prev;
    d->prev = NULL;
    d->planned = d->prev_planned;
}

void image_plan_step(struct vigil_engine *e)
{
    struct image_defer *d = e->defer;

    if (d && !d->off && d->planned < UINT32_MAX - 1)
        d->planned++;
}

void image_record_step(struct vigil_engine *e)
{
    struct image_defer *d = e->defer;
    uint32_t *v;

    if (!d || !d->flushing)
        return;
    if (d->nsteps == d->steps_cap) {
        size_t cap = d->steps_cap ? 2 * d->steps_cap : 64;
        if (cap > IMAGE_MAX_STEPS || !(v = realloc(d->steps, cap * sizeof *v))) {
            d->no_image = 1; /* the YARA rules may then be placed late */
            return;
        }
        d->steps = v;
        d->steps_cap = cap;
    }
    d->steps[d->nsteps++] = (uint32_t)e->ldb.n;
}

uint32_t image_yara_step(struct vigil_engine *e)
{
    struct image_defer *d = e->defer;

    if (d && d->flushing)
        d->no_image = 1; /* a deferred source held YARA rules (a .cvd) */
    return d && !d->off ? d->planned : YARA_STEP_NONE;
}

const uint32_t *image_defer_steps(const struct vigil_engine *e, size_t *n)
{
    const struct image_defer *d = e->defer;

    *n = d ? d->nsteps : 0;
    return d ? d->steps : NULL;
}

int image_steps(const struct image *im, size_t nsteps, const uint32_t **steps)
{
    size_t len;
    uint64_t count;
    const uint32_t *v = image_table(im, IMAGE_STEPS, &len, &count);

    *steps = NULL;
    if (count != nsteps || len != nsteps * sizeof *v || (nsteps && !v))
        return -1;
    for (size_t i = 1; i < nsteps; i++)
        if (v[i] < v[i - 1])
            return -1;
    *steps = v;
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
    free(d->steps);
    EVP_MD_CTX_free(d->md);
    EVP_MD_CTX_free(d->prev);
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
    d->flushing = 1;
    for (size_t i = 0; i < d->n && st == VIGIL_OK; i++) {
        if (!d->v[i].path) {
            if ((st = vigil_engine_load_builtin(e)) == VIGIL_OK)
                image_record_step(e);
        } else {
            st = engine_load(e, d->v[i].path, d->v[i].flags | DB_LOAD_NO_YARA);
        }
    }
    d->flushing = 0;
    for (size_t i = 0; i < d->n; i++)
        free(d->v[i].path);
    d->n = 0;
    if (d->nsteps != d->planned)
        d->no_image = 1; /* a directory changed under us */
    yara_db_place(&e->yara, d->steps, d->nsteps, e->ldb.n);
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
    const uint32_t *steps = NULL;
    vigil_status st;

    /* (Only YARA rules were loaded since the first deferral; a database
     * file that appeared in a YARA-only directory meanwhile would not.) */
    if (!engine_empty(e) || !cache_dir_trusted(e->cache_dir) ||
        image_key(d, d->key) != 0 ||
        cache_key_path(e->cache_dir, d->key, ".vgi", d->path, sizeof d->path) != 0)
        return 0;
    d->write = 1;
    st = image_open(d->path, d->key, &im);
    if (st == VIGIL_OK && image_steps(im, d->planned, &steps) != 0) {
        image_close(im);
        st = VIGIL_EMALFORMED;
    }
    if (st == VIGIL_OK)
        st = image_attach(e, im);
    if (st == VIGIL_OK) {
        d->write = 0;
        e->cache_state = VIGIL_CACHE_HIT;
        e->image_state = VIGIL_IMAGE_MAPPED;
        engine_log(e, VIGIL_LOG_DEBUG, "compiled engine from the image %s", d->path);
        yara_db_place(&e->yara, steps, d->planned, e->ldb.n);
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

    if (!d || d->off)
        return VIGIL_OK;
    if (d->n && image_try(e, d)) {
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
    return e->defer && e->defer->write && !e->image && !e->defer->no_image;
}

void image_after_compile(struct vigil_engine *e)
{
    struct image_defer *d = e->defer;

    if (!d || !d->write || e->image)
        return;
    d->write = 0;
    if (d->no_image) {
        engine_log(e, VIGIL_LOG_DEBUG,
                   "YARA rules inside a database container, or a directory that "
                   "changed while loading: no engine image is written");
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
