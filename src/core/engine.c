/* engine.c - engine lifecycle: create, log, load (delegated to db/), compile,
 * free. Loading is transactional per call: a failure rolls back. */
#include "core/engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cache.h"
#include "core/image.h"
#include "core/image_engine.h"
#include "db/load.h"
#include "match/atoms.h"
#include "scan/bodyplan.h"
#include "scan/embedded.h"

vigil_status vigil_engine_new(vigil_engine **out)
{
    struct vigil_engine *e = NULL;
    vigil_status st = VIGIL_ENOMEM;

    if (!out)
        return VIGIL_EINVAL;
    *out = NULL;
    e = calloc(1, sizeof *e);
    if (!e || !(e->notes = calloc(1, sizeof *e->notes)))
        goto out;
    strtab_init(&e->names, ENGINE_MAX_NAME_BYTES);
    ign_init(&e->ign);
    ndb_table_init(&e->body);
    ldb_table_init(&e->ldb);
    yara_db_init(&e->yara);
    ftm_table_init(&e->ftm);
    cdb_table_init(&e->cdb);
    sechash_init(&e->sect);
    sechash_init(&e->imp);
    st = hashset_new(ENGINE_MAX_HASH_SIGS, &e->sigs);
    if (st != VIGIL_OK)
        goto out;
    st = hashset_new(ENGINE_MAX_HASH_SIGS, &e->allow);
    if (st != VIGIL_OK)
        goto out;
    e->log_level = VIGIL_LOG_WARNING;
    *out = e;
    e = NULL;
out:
    vigil_engine_free(e);
    return st;
}

void vigil_engine_free(vigil_engine *e)
{
    if (!e)
        return;
    image_engine_release(e);
    image_defer_free(e);
    hashset_free(e->sigs);
    hashset_free(e->allow);
    ign_free(&e->ign);
    ndb_table_free(&e->body);
    ldb_table_free(&e->ldb);
    ftm_table_free(&e->ftm);
    cdb_table_free(&e->cdb);
    sechash_free(&e->sect);
    sechash_free(&e->imp);
    atoms_free(e->atoms);
    emb_index_free(e->emb);
    bodyplan_free(&e->plan);
    yara_db_free(&e->yara);
    strtab_free(&e->names);
    if (e->notes)
        free(e->notes->p);
    free(e->notes);
    free(e);
}

void vigil_engine_set_log(vigil_engine *e, vigil_log_fn fn, void *ctx,
                          enum vigil_log_level level)
{
    e->log_fn = fn;
    e->log_ctx = ctx;
    e->log_level = level;
}

static void engine_note(struct engine_notes *n, const char *msg)
{
    size_t len = strlen(msg) + 1;

    if (n->len + len > ENGINE_MAX_NOTES)
        return;
    if (n->len + len > n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 1024;
        char *p;
        while (cap < n->len + len)
            cap *= 2;
        if (!(p = realloc(n->p, cap)))
            return;
        n->p = p;
        n->cap = cap;
    }
    memcpy(n->p + n->len, msg, len);
    n->len += len;
}

void engine_load_warning(struct vigil_engine *e, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    engine_note(e->notes, msg);
    if (e->log_fn && VIGIL_LOG_WARNING <= e->log_level)
        e->log_fn(e->log_ctx, VIGIL_LOG_WARNING, msg);
}

void engine_log(const struct vigil_engine *e, enum vigil_log_level level,
                const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if (!e->log_fn || level > e->log_level)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    e->log_fn(e->log_ctx, level, msg);
}

vigil_status engine_fail(struct vigil_engine *e, vigil_status st,
                         const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(e->error, sizeof e->error, fmt, ap);
    va_end(ap);
    return st;
}

const char *vigil_engine_error(const vigil_engine *e)
{
    return e ? e->error : "";
}

void engine_mark(const struct vigil_engine *e, struct engine_mark *m)
{
    m->names_len = e->names.len;
    hashset_mark(e->sigs, &m->sigs);
    hashset_mark(e->allow, &m->allow);
    m->ign_n = e->ign.n;
    m->body_n = e->body.n;
    m->ftm_n = e->ftm.n;
    m->cdb_n = e->cdb.n;
    m->sect_n = e->sect.n;
    m->imp_n = e->imp.n;
    ldb_table_mark(&e->ldb, &m->ldb);
    m->yara_n = e->yara.n;
    m->nsigs = e->nsigs;
}

void engine_rollback(struct vigil_engine *e, const struct engine_mark *m)
{
    e->names.len = m->names_len;
    hashset_rollback(e->sigs, &m->sigs);
    hashset_rollback(e->allow, &m->allow);
    ign_truncate(&e->ign, m->ign_n);
    ndb_table_truncate(&e->body, m->body_n);
    ftm_table_truncate(&e->ftm, m->ftm_n);
    cdb_table_truncate(&e->cdb, m->cdb_n);
    sechash_truncate(&e->sect, m->sect_n);
    sechash_truncate(&e->imp, m->imp_n);
    ldb_table_rollback(&e->ldb, &m->ldb);
    yara_db_truncate(&e->yara, m->yara_n);
    e->nsigs = m->nsigs;
}

/* Loads path now; on failure the engine holds nothing of it. */
static vigil_status engine_load_now(struct vigil_engine *e, const char *path,
                                    unsigned flags)
{
    struct engine_mark m;
    vigil_status st;

    engine_mark(e, &m);
    st = db_load_path(e, path, flags);
    if (st == VIGIL_OK)
        st = yara_db_check(e); /* last: a later failure cannot follow it */
    if (st != VIGIL_OK)
        engine_rollback(e, &m);
    return st;
}

vigil_status engine_load(struct vigil_engine *e, const char *path, unsigned flags)
{
    vigil_status st;
    int how;

    if (e->compiled)
        return engine_fail(e, VIGIL_ESTATE, "%s: engine already compiled", path);
    if (e->image)
        return engine_fail(e, VIGIL_ESTATE, "%s: engine already loaded from its image",
                           path);
    e->error[0] = '\0';
    how = image_defer(e, path, flags, 0);
    if (how == IMAGE_LOAD_NOW)
        return (st = image_flush(e)) != VIGIL_OK ? st : engine_load_now(e, path, flags);
    /* Deferred: only its YARA rule files now. */
    st = engine_load_now(e, path, how == IMAGE_DEFERRED ? flags | DB_LOAD_PLAN : flags);
    if (st == VIGIL_OK)
        return VIGIL_OK;
    if (how == IMAGE_DEFERRED)
        image_defer_undo(e);
    /* YARA rules failed while ClamAV files were deferred: load as if none
     * had been, so that the error is the one of the first file that fails
     * in load order and what stays loaded (and counted) is the same. */
    if (how == IMAGE_DEFERRED || image_pending(e))
        st = (st = image_flush(e)) != VIGIL_OK ? st : engine_load_now(e, path, flags);
    return st;
}

vigil_status vigil_engine_load(vigil_engine *e, const char *path, unsigned flags)
{
    if (!e || !path)
        return VIGIL_EINVAL;
    return engine_load(e, path, flags & ~DB_LOAD_INTERNAL);
}

vigil_status vigil_engine_load_memory(vigil_engine *e, const char *name,
                                      const void *data, size_t len,
                                      unsigned flags)
{
    struct engine_mark m;
    vigil_status st;

    if (!e || !name || (!data && len))
        return VIGIL_EINVAL;
    if (e->compiled)
        return engine_fail(e, VIGIL_ESTATE, "%s: engine already compiled", name);
    if (e->image)
        return engine_fail(e, VIGIL_ESTATE, "%s: engine already loaded from its image",
                           name);
    e->error[0] = '\0';
    if ((st = image_flush(e)) != VIGIL_OK)
        return st;
    engine_mark(e, &m);
    st = db_load_buffer(e, name, data, len, flags, 0);
    if (st == VIGIL_OK)
        st = yara_db_check(e);
    if (st != VIGIL_OK)
        engine_rollback(e, &m);
    return st;
}

/* Puts every body signature's atom and segments into the pre-filter and
 * compiles it. */
static vigil_status engine_compile_atoms(struct vigil_engine *e)
{
    char why[256] = "";
    uint32_t bad = BODYPLAN_NONE;
    vigil_status st = atoms_new(&e->atoms);

    if (st == VIGIL_OK)
        st = bodyplan_build(&e->plan, e->atoms, &e->body, &bad);
    if (st != VIGIL_OK && bad != BODYPLAN_NONE)
        return engine_fail(e, st, "signature %s: its atom cannot be indexed",
                           strtab_get(&e->names, e->body.v[bad].name));
    if (st == VIGIL_OK)
        st = cache_compile_atoms(e, why, sizeof why);
    if (st != VIGIL_OK)
        return engine_fail(e, st, "compiling body signatures: %s",
                           why[0] ? why : vigil_strerror(st));
    return VIGIL_OK;
}

vigil_status vigil_engine_compile(vigil_engine *e)
{
    vigil_status st;
    int want_image;

    if (!e)
        return VIGIL_EINVAL;
    if (e->compiled)
        return engine_fail(e, VIGIL_ESTATE, "engine already compiled");
    if ((st = vigil_engine_load_finish(e)) != VIGIL_OK)
        return st;
    if (e->image) { /* compiled already: the image is a compiled engine */
        /* (the embedded-archive magics are built in: an image holds no .ftm) */
        if ((st = emb_index_build(&e->ftm, &e->emb)) != VIGIL_OK)
            return engine_fail(e, st, "compiling file-type magic: %s", vigil_strerror(st));
        if ((st = yara_db_compile(e)) != VIGIL_OK) /* never in the image */
            return st;
        e->compiled = 1;
        return VIGIL_OK;
    }
    /* Spilled hash sets of an image-only compile are written into the
     * image by image_after_compile rather than built here. */
    want_image = e->image_only && image_wanted(e);
    if (want_image && hashset_spilled(e->sigs) && hashset_spilled(e->allow))
        st = hashset_defer(e->sigs) == VIGIL_OK ? hashset_defer(e->allow) : VIGIL_ESTATE;
    else
        st = hashset_compile(e->sigs);
    if (st == VIGIL_OK && !hashset_deferred(e->allow))
        st = hashset_compile(e->allow);
    if (st != VIGIL_OK)
        return engine_fail(e, st, "compiling hash signatures: %s",
                           vigil_strerror(st));
    if (want_image && e->sect.spill && e->imp.spill) {
        sechash_defer(&e->sect); /* written in order by image_after_compile */
        sechash_defer(&e->imp);
    } else {
        sechash_sort(&e->sect);
        sechash_sort(&e->imp);
    }
    st = engine_compile_atoms(e);
    if (st == VIGIL_OK && (st = emb_index_build(&e->ftm, &e->emb)) != VIGIL_OK)
        return engine_fail(e, st, "compiling file-type magic: %s", vigil_strerror(st));
    if (st == VIGIL_OK)
        st = yara_db_compile(e);
    if (st != VIGIL_OK)
        return st;
    e->compiled = 1;
    image_after_compile(e);
    if (want_image && e->image_state != VIGIL_IMAGE_WRITTEN)
        return engine_fail(e, VIGIL_EOPEN, "%s: cannot write the engine image: %s",
                           e->cache_dir, strerror(e->image_error));
    return VIGIL_OK;
}

vigil_status vigil_engine_set_image_only(vigil_engine *e, int on)
{
    if (!e)
        return VIGIL_EINVAL;
    if (e->compiled)
        return VIGIL_ESTATE;
    e->image_only = on != 0;
    return VIGIL_OK;
}

void engine_spill(struct vigil_engine *e)
{
    vigil_status st;

    if (!e->image_only || !e->cache_dir[0])
        return;
    st = strtab_spill(&e->names, e->cache_dir);
    if (st == VIGIL_OK)
        st = hashset_spill(e->sigs, e->cache_dir);
    if (st == VIGIL_OK)
        st = hashset_spill(e->allow, e->cache_dir);
    if (st == VIGIL_OK)
        st = sechash_spill(&e->sect, e->cache_dir);
    if (st == VIGIL_OK)
        st = sechash_spill(&e->imp, e->cache_dir);
    if (st != VIGIL_OK)
        engine_log(e, VIGIL_LOG_DEBUG, "%s: no temporary files (%s); compiling in memory",
                   e->cache_dir, strerror(errno));
}

vigil_status vigil_engine_load_finish(vigil_engine *e)
{
    if (!e)
        return VIGIL_EINVAL;
    if (e->compiled)
        return VIGIL_OK;
    return image_finish(e);
}

vigil_status vigil_engine_set_cache_dir(vigil_engine *e, const char *dir)
{
    if (!e)
        return VIGIL_EINVAL;
    if (e->compiled)
        return VIGIL_ESTATE;
    if (!dir) {
        e->cache_dir[0] = '\0';
        return VIGIL_OK;
    }
    if (!*dir || strlen(dir) >= sizeof e->cache_dir - 80)
        return VIGIL_EINVAL;
    strcpy(e->cache_dir, dir);
    return VIGIL_OK;
}

enum vigil_cache_state vigil_engine_cache_state(const vigil_engine *e)
{
    return e ? e->cache_state : VIGIL_CACHE_OFF;
}

enum vigil_image_state vigil_engine_image_state(const vigil_engine *e)
{
    return e ? e->image_state : VIGIL_IMAGE_NONE;
}

void vigil_engine_image_drop_resident(const vigil_engine *e)
{
    if (e && e->image_state == VIGIL_IMAGE_MAPPED)
        image_drop_resident(e->image);
}

uint64_t vigil_engine_signature_count(const vigil_engine *e)
{
    return e ? e->nsigs : 0;
}
