/* embedded.c - file typing by magic for the scan layer, and archives
 * inside other objects.
 *
 * Typing: the built-in magic of each walker (unpack/formats.def), or, once
 * a .ftm database with any type-0 entry is loaded, only the loaded type-0
 * entries: clamscan 1.4.6 then drops its whole built-in table, type-1
 * entries too (measured: with just a type-0 ZIP entry loaded, clam.tar.gz,
 * clam.exe.bz2, clam.cab and a zip behind random bytes are no longer
 * unpacked; with just a type-1 entry loaded, all still are). The first
 * entry that matches types the object; it is walked when vigil has a
 * walker for that type and the walker agrees. Loaded type-1 entries always
 * add to the search for embedded archives.
 *
 * Installers inside executables (NSIS, AutoIt, InstallShield) are looked
 * for after the embedded archives, by installer.c.
 *
 * Embedded archives: self-extracting archives and archives appended to or
 * embedded in any file, as ClamAV's type-1 magic finds them (built in:
 * "PK\3\4" ZIP-SFX, "Rar!\x1a\x07" RAR-SFX, "7z\xbc\xaf\x27\x1c" 7zip-SFX,
 * "MSCF\0\0\0\0" CAB-SFX; or the type-1 entries of loaded .ftm files).
 * clamscan 1.4.6, measured: clam.zip, clam.cab and clam.7z behind 3,000
 * random bytes (with or without "MZ" in front) are found at depth 1 as
 * "(1)ZIP:clam.exe", "(1)MSCAB:..." and "(1)7Z:..."; a gzip or a PE
 * behind other bytes is not looked for.
 * Limits: objects that are containers themselves are not searched; the
 * search reads the object through the scanner's buffer in EMB_CHUNK
 * pieces; only the first occurrence of each magic is walked, EMB_MAX in
 * all. */
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "db/ldb.h"
#include "scan/scanner.h"
#include "unpack/format.h"

#define EMB_MAX 16
#define EMB_CHUNK ((size_t)FORMAT_PEEK * 16)

struct emb_hit {
    uint64_t off;
    const void *key; /* the magic found: one hit per magic */
    const struct vigil_format *fmt;
};

struct emb_run {
    struct emb_hit hit[EMB_MAX];
    size_t n;
};

static void emb_note(struct emb_run *r, const void *key, const struct vigil_format *fmt,
                     uint64_t off)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->hit[i].key == key)
            return;
    if (r->n < EMB_MAX)
        r->hit[r->n++] = (struct emb_hit){off, key, fmt};
}

/* Whether the built-in magic table is in use (no type-0 .ftm entry). */
static int builtin_magic(const struct ftm_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].kind == 0)
            return 0;
    return 1;
}

/* The built-in SFX magics. */
static void emb_builtin(struct emb_run *r, const uint8_t *p, size_t len, uint64_t base)
{
    extern const struct vigil_format format_archive, format_mscab;
    static const struct {
        const char *m;
        size_t n;
        const struct vigil_format *fmt;
    } t[] = {
        {"PK\3\4", 4, &format_archive},
        {"Rar!\x1a\x07", 6, &format_archive},
        {"7z\xbc\xaf\x27\x1c", 6, &format_archive},
        {"MSCF\0\0\0\0", 8, &format_mscab},
    };

    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        const uint8_t *q = p;
        while ((q = memmem(q, len - (size_t)(q - p), t[k].m, t[k].n)) != NULL) {
            if (base + (uint64_t)(q - p) > 0) {
                emb_note(r, &t[k], t[k].fmt, base + (uint64_t)(q - p));
                break;
            }
            q++;
        }
    }
}

/* The type-1 entries of loaded .ftm databases. */
static void emb_ftm(struct emb_run *r, const struct ftm_table *t, const uint8_t *p,
                    size_t len, uint64_t base)
{
    for (size_t k = 0; k < t->n; k++) {
        const struct ftm_entry *f = &t->v[k];
        const struct vigil_format *fmt;
        if (f->kind != 1 || !(fmt = format_for_cltype(ldb_ftype_name(f->type))))
            continue;
        if (!f->any_offset) {
            if (f->offset >= base && ftm_match_at(f, p, len, (size_t)(f->offset - base)))
                emb_note(r, f, fmt, f->offset);
            continue;
        }
        for (size_t i = 0; i + f->len <= len; i++)
            if (ftm_match_at(f, p, len, i)) {
                emb_note(r, f, fmt, base + i);
                break;
            }
    }
}

static void emb_search(struct vigil_scanner *s, struct emb_run *r, const uint8_t *p,
                       size_t len, uint64_t base)
{
    if (builtin_magic(&s->e->ftm))
        emb_builtin(r, p, len, base);
    emb_ftm(r, &s->e->ftm, p, len, base);
}

/* Reads the object in chunks that overlap by the longest magic. */
static void emb_find(struct vigil_scanner *s, const struct source *src, struct emb_run *r)
{
    uint64_t off = 0;
    size_t got = 0;

    if (src->mem) {
        emb_search(s, r, src->mem, (size_t)src->size, 0);
        return;
    }
    while (off < src->size) {
        if (source_read(src, off, s->buf, EMB_CHUNK, &got) != VIGIL_OK || got == 0)
            return;
        emb_search(s, r, s->buf, got, off);
        if (got < EMB_CHUNK)
            return;
        off += got - FTM_MAX_MAGIC;
    }
}

static int emb_cmp(const void *a, const void *b)
{
    const struct emb_hit *x = a, *y = b;

    return x->off < y->off ? -1 : x->off > y->off;
}

const struct vigil_format *scan_format(const struct vigil_scanner *s, const uint8_t *buf,
                                       size_t len)
{
    const struct ftm_table *t = &s->e->ftm;

    if (builtin_magic(t))
        return format_find(buf, len);
    for (size_t i = 0; i < t->n; i++) {
        const struct ftm_entry *f = &t->v[i];
        const struct vigil_format *fmt;
        if (f->kind != 0 || f->rtype != 0 || !ftm_match_at(f, buf, len, f->offset))
            continue;
        fmt = format_for_cltype(ldb_ftype_name(f->type));
        return fmt && fmt->detect(buf, len) ? fmt : NULL;
    }
    /* Untyped: tar is recognised outside the table, as ClamAV does. */
    return archive_is_tar(buf, len) ? format_for_cltype("CL_TYPE_POSIX_TAR") : NULL;
}

/* Whether the object starts with "MZ" (ClamAV's MSEXE type), where the
 * installers of installer.c are looked for. */
static int emb_msexe(const struct source *src)
{
    uint8_t mz[2];
    size_t got = 0;

    if (src->mem)
        return src->size >= 2 && src->mem[0] == 'M' && src->mem[1] == 'Z';
    return source_read(src, 0, mz, 2, &got) == VIGIL_OK && got == 2 && mz[0] == 'M' &&
           mz[1] == 'Z';
}

vigil_status walk_embedded(struct vigil_scanner *s, const struct source *src,
                           const uint8_t **data)
{
    struct emb_run r;
    const uint8_t *all = NULL;
    vigil_status st;

    struct source mem;

    r.n = 0;
    if (src->size > SCAN_MAX_OBJECT)
        return VIGIL_OK; /* could not be unpacked anyway: do not read it twice */
    /* When body signatures or YARA rules will want the object in memory,
     * read it once now and search that copy: one read of the file. */
    if (!src->mem && (s->e->body.n || s->e->ldb.n || s->yara)) {
        if ((st = scan_load(s, src, &all)) != VIGIL_OK)
            return st == VIGIL_ETOOBIG ? VIGIL_OK : st;
        *data = all;
        source_from_memory(&mem, all, (size_t)src->size);
        src = &mem;
    }
    emb_find(s, src, &r);
    if (r.n == 0 && !(builtin_magic(&s->e->ftm) && emb_msexe(src)))
        return VIGIL_OK;
    if (!all && (st = scan_load(s, src, &all)) != VIGIL_OK)
        return st == VIGIL_ETOOBIG ? VIGIL_OK : st;
    *data = all;
    qsort(r.hit, r.n, sizeof r.hit[0], emb_cmp);
    for (size_t i = 0; i < r.n && st == VIGIL_OK && !s->walk.stop; i++) {
        const struct emb_hit *h = &r.hit[i];
        struct unpack u = {all + h->off, (size_t)(src->size - h->off), h->fmt->name, s};
        if (h->fmt->detect(u.data, u.len))
            st = h->fmt->walk(&u);
    }
    /* With a .ftm type-0 entry loaded clamscan no longer types "MZ" as
     * MSEXE, so it looks for no installer (measured: clam-nsis.exe,
     * clam.ea05.exe and clam_IScab_ext.exe are then OK). */
    if (st == VIGIL_OK && !s->walk.stop && builtin_magic(&s->e->ftm))
        st = walk_installers(s, all, (size_t)src->size);
    return st;
}
