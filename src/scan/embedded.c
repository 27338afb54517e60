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
 * Embedded PE files: in an object that is a PE itself (or that clamscan
 * retypes as one, see emb_pe_host), ClamAV's type-1
 * magic "MZ", 60 to 300 bytes, "PE\0\0" past offset 0 whose PE header
 * clamscan accepts (cli_peheader) starts a child that runs to the end of
 * the object (cli_scanembpe), unnamed; only the first such one is walked
 * (the others are found inside it). Measured: the UPX-unpacked image of
 * clam-upx.exe holds clam.exe at 19936, reported as "clam-upx.exe!(2)".
 * Objects larger than EMB_MAX_PE (clamscan's --max-embeddedpe default)
 * are not searched for PE files.
 * Limits: objects that are containers themselves are not searched; the
 * search reads the object through the scanner's buffer in EMB_CHUNK
 * pieces; only the first occurrence of each magic is walked, EMB_MAX in
 * all. */
#include <stdlib.h>
#include <string.h>

#include "scan/embedded.h"

#include "core/engine.h"
#include "db/ldb.h"
#include "match/atoms.h"
#include "scan/filetype.h"
#include "scan/pe.h"
#include "scan/scanner.h"
#include "unpack/format.h"

#define EMB_MAX 16
#define EMB_CHUNK ((size_t)FORMAT_PEEK * 16)
/* A type-1 magic is searched by its longest run of plain bytes when that
 * run is at least this long; shorter ones are tried at every position. */
#define EMB_MIN_RUN 2

extern const struct vigil_format format_archive, format_mscab;

/* The built-in SFX magics. */
static const struct {
    const char *m;
    size_t n;
    const struct vigil_format *fmt;
} emb_magic[] = {
    {"PK\3\4", 4, &format_archive},
    {"Rar!\x1a\x07", 6, &format_archive},
    {"7z\xbc\xaf\x27\x1c", 6, &format_archive},
    {"MSCF\0\0\0\0", 8, &format_mscab},
};
#define EMB_NMAGIC (sizeof emb_magic / sizeof emb_magic[0])

/* One magic searched anywhere: a built-in one (f NULL) or a loaded type-1
 * .ftm entry found by its run of plain bytes at runoff. */
struct emb_pat {
    const void *key; /* one hit per key */
    const struct vigil_format *fmt;
    const struct ftm_entry *f;
    uint32_t runoff;
};

/* Every magic searched anywhere, in one literal pre-filter pass (the same
 * Vectorscan literal matcher as the body signatures' atoms) instead of one
 * memmem pass per magic: measured, four memmem passes over each object
 * were a third of a scan's CPU time with 100,000 selective signatures.
 * Type-1 entries without a plain run of EMB_MIN_RUN bytes are tried at
 * every position (slow[]). */
struct emb_index {
    struct atoms *atoms; /* NULL when there is nothing to search */
    struct emb_pat *pat;
    size_t npat;
    const struct ftm_entry **slow;
    size_t nslow;
};

#define EMB_MAX_PE ((uint64_t)40 << 20)
/* The bytes ClamAV's file typer reads: a PE magic ending in them retypes
 * the object. */
#define EMB_PE_RETYPE 1024

/* A PE clamscan's cli_peheader accepts. */
static int emb_pe_detect(const uint8_t *buf, size_t len)
{
    struct pe_info pe;

    if (pe_parse(buf, len, &pe) != PE_OK)
        return 0;
    pe_free(&pe);
    return 1;
}

/* The embedded PE runs to the end of its host. */
static vigil_status emb_pe_walk(struct unpack *u)
{
    vigil_status st;

    unpack_child(u, u->data, u->len, NULL, 0, &st);
    return st;
}

static const struct vigil_format emb_pe = {
    .name = "MSEXE",
    .detect = emb_pe_detect,
    .walk = emb_pe_walk,
};

struct emb_hit {
    uint64_t off;
    const void *key; /* the magic found: one hit per magic */
    const struct vigil_format *fmt;
};

struct emb_run {
    struct emb_hit hit[EMB_MAX];
    size_t n;
};

/* Keeps the first occurrence of each magic (pre-filter hits of different
 * chunks, or of one chunk, may come in any order). */
static void emb_note(struct emb_run *r, const void *key, const struct vigil_format *fmt,
                     uint64_t off)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->hit[i].key == key) {
            if (off < r->hit[i].off)
                r->hit[i].off = off;
            return;
        }
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

/* The longest run of plain bytes of f: *at, returns its length. */
static size_t ftm_run(const struct ftm_entry *f, uint32_t *at)
{
    size_t best = 0, cur = 0;

    *at = 0;
    for (size_t i = 0; i < f->len; i++) {
        cur = f->mask[i] == 0xFF ? cur + 1 : 0;
        if (cur > best) {
            best = cur;
            *at = (uint32_t)(i + 1 - cur);
        }
    }
    return best;
}

static vigil_status emb_add(struct emb_index *x, const uint8_t *bytes, size_t len,
                            struct emb_pat p)
{
    vigil_status st = atoms_add(x->atoms, 0, bytes, len, (uint32_t)x->npat, 0);

    if (st == VIGIL_OK)
        x->pat[x->npat++] = p;
    return st;
}

static vigil_status emb_fill(struct emb_index *x, const struct ftm_table *t)
{
    vigil_status st = VIGIL_OK;
    uint32_t at;
    size_t run;

    if (builtin_magic(t))
        for (size_t k = 0; k < EMB_NMAGIC && st == VIGIL_OK; k++)
            st = emb_add(x, (const uint8_t *)emb_magic[k].m, emb_magic[k].n,
                         (struct emb_pat){&emb_magic[k], emb_magic[k].fmt, NULL, 0});
    for (size_t k = 0; k < t->n && st == VIGIL_OK; k++) {
        const struct ftm_entry *f = &t->v[k];
        const struct vigil_format *fmt;
        if (f->kind != 1 || !f->any_offset ||
            !(fmt = format_for_cltype(ldb_ftype_name(f->type))))
            continue;
        run = ftm_run(f, &at);
        if (run < EMB_MIN_RUN)
            x->slow[x->nslow++] = f;
        else
            st = emb_add(x, f->magic + at, run, (struct emb_pat){f, fmt, f, at});
    }
    return st;
}

vigil_status emb_index_build(const struct ftm_table *t, struct emb_index **out)
{
    struct emb_index *x = calloc(1, sizeof *x);
    char why[256];
    vigil_status st = VIGIL_ENOMEM;

    *out = NULL;
    if (!x)
        return VIGIL_ENOMEM;
    x->pat = calloc(EMB_NMAGIC + t->n, sizeof *x->pat);
    x->slow = calloc(t->n + 1, sizeof *x->slow);
    if (!x->pat || !x->slow || atoms_new(&x->atoms) != VIGIL_OK)
        goto fail;
    st = emb_fill(x, t);
    if (st == VIGIL_OK && x->npat)
        st = atoms_compile(x->atoms, why, sizeof why);
    if (st != VIGIL_OK)
        goto fail;
    if (!x->npat) {
        atoms_free(x->atoms);
        x->atoms = NULL;
    }
    *out = x;
    return VIGIL_OK;
fail:
    emb_index_free(x);
    return st;
}

void emb_index_free(struct emb_index *x)
{
    if (!x)
        return;
    atoms_free(x->atoms);
    free(x->pat);
    free(x->slow);
    free(x);
}

vigil_status emb_scratch_new(const struct emb_index *x, struct atoms_scratch **out)
{
    *out = NULL;
    return x && x->atoms ? atoms_scratch_new(x->atoms, out) : VIGIL_OK;
}

struct emb_search {
    const struct emb_index *x;
    struct emb_run *r;
    const uint8_t *p;
    size_t len;
    uint64_t base;
};

static int emb_on_hit(void *ctx, uint32_t id, size_t at)
{
    struct emb_search *c = ctx;
    const struct emb_pat *p = &c->x->pat[id];
    uint64_t off;

    if (!p->f) { /* built in: not the object's own magic at offset 0 */
        if (c->base + at > 0)
            emb_note(c->r, p->key, p->fmt, c->base + at);
        return 0;
    }
    if (at >= p->runoff && ftm_match_at(p->f, c->p, c->len, at - p->runoff)) {
        off = c->base + (at - p->runoff);
        emb_note(c->r, p->key, p->fmt, off);
    }
    return 0;
}

/* Type-1 entries: fixed offsets checked in place, the rest searched. */
static void emb_ftm_fixed(struct emb_run *r, const struct ftm_table *t, const uint8_t *p,
                          size_t len, uint64_t base)
{
    for (size_t k = 0; k < t->n; k++) {
        const struct ftm_entry *f = &t->v[k];
        const struct vigil_format *fmt;
        if (f->kind != 1 || f->any_offset ||
            !(fmt = format_for_cltype(ldb_ftype_name(f->type))))
            continue;
        if (f->offset >= base && ftm_match_at(f, p, len, (size_t)(f->offset - base)))
            emb_note(r, f, fmt, f->offset);
    }
}

/* ClamAV's type-1 magic "MZ" {60-300} "PE\0\0" wholly inside p[0..len). */
static int emb_pe_magic(const uint8_t *p, size_t len)
{
    for (size_t at = 0; at + 66 <= len; at++) {
        size_t from = at + 62, span = len - from;
        if (p[at] != 'M' || p[at + 1] != 'Z')
            continue;
        if (span > 244)
            span = 244;
        if (memmem(p + from, span, "PE\0\0", 4))
            return 1;
    }
    return 0;
}

/* Whether the object is a PE that may hold another, or data clamscan
 * retypes as one (it is then read). */
static int emb_pe_host(const struct vigil_scanner *s, const struct source *src)
{
    uint8_t head[EMB_PE_RETYPE];
    size_t got = 0;
    enum target_type t;

    if (src->size > EMB_MAX_PE || (s->walk.o->flags & VIGIL_SCAN_NO_PE) ||
        !builtin_magic(&s->e->ftm))
        return 0;
    if (src->mem) {
        got = src->size < sizeof head ? (size_t)src->size : sizeof head;
        memcpy(head, src->mem, got);
    } else if (source_read(src, 0, head, sizeof head, &got) != VIGIL_OK) {
        return 0;
    }
    if (got >= 2 && head[0] == 'M' && head[1] == 'Z')
        return 1;
    /* Data that ClamAV retypes as a PE: an "MZ...PE\0\0" within its
     * first EMB_PE_RETYPE bytes (measured: clam.exe behind 764 zero bytes
     * is found, behind 765 it is not; behind text too, and in a Java
     * class). */
    t = filetype_target(head, got);
    return (t == TARGET_ANY || t == TARGET_JAVA) && emb_pe_magic(head, got);
}

/* "MZ" {60-300} "PE\0\0" past offset 0 with a valid PE header; p[0..len)
 * is the whole object. */
static void emb_pe_find(struct emb_run *r, const uint8_t *p, size_t len)
{
    const uint8_t *q = p + 1;

    while (len > 66 && (q = memmem(q, len - 66 - (size_t)(q - p) + 2, "MZ", 2)) != NULL) {
        size_t at = (size_t)(q - p), from = at + 62, span = len - from;
        if (span > 244)
            span = 244;
        if (memmem(p + from, span, "PE\0\0", 4) && emb_pe_detect(q, len - at)) {
            emb_note(r, &emb_pe, &emb_pe, at);
            return;
        }
        q++;
        if ((size_t)(q - p) + 66 > len)
            return;
    }
}

static void emb_search(struct vigil_scanner *s, struct emb_run *r, const uint8_t *p,
                       size_t len, uint64_t base)
{
    const struct emb_index *x = s->e->emb;
    struct emb_search c = {x, r, p, len, base};

    if (x->atoms && s->emb)
        (void)atoms_scan(x->atoms, s->emb, 0, p, len, emb_on_hit, &c);
    for (size_t k = 0; k < x->nslow; k++) {
        const struct ftm_entry *f = x->slow[k];
        for (size_t i = 0; i + f->len <= len; i++)
            if (ftm_match_at(f, p, len, i)) {
                emb_note(r, f, format_for_cltype(ldb_ftype_name(f->type)), base + i);
                break;
            }
    }
    emb_ftm_fixed(r, &s->e->ftm, p, len, base);
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

unsigned scan_target(const struct vigil_scanner *s, const uint8_t *buf, size_t len)
{
    const struct ftm_table *t = &s->e->ftm;
    unsigned target = filetype_target(buf, len);
    const char *name;

    if (builtin_magic(t) || (target != TARGET_HTML && target != TARGET_TEXT &&
                             target != TARGET_ANY))
        return target;
    /* The loaded table replaced the built-in one, HTML magic included:
     * its first type-0 entry that matches types the object; else ClamAV's
     * text check does (measured: with any type-0 .ftm loaded an HTML file
     * is text unless the .ftm itself types it CL_TYPE_HTML). */
    for (size_t i = 0; i < t->n; i++) {
        const struct ftm_entry *f = &t->v[i];
        if (f->kind != 0 || f->rtype != 0 || !ftm_match_at(f, buf, len, f->offset))
            continue;
        name = ldb_ftype_name(f->type);
        if (strcmp(name, "CL_TYPE_HTML") == 0)
            return TARGET_HTML;
        if (strncmp(name, "CL_TYPE_TEXT_", 13) == 0)
            return TARGET_TEXT;
        return target == TARGET_HTML || target == TARGET_TEXT ? TARGET_ANY : target;
    }
    return target == TARGET_HTML ? TARGET_TEXT : target;
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
    /* When body signatures or YARA rules will want the object in memory,
     * read it once now and search that copy: one read of the file. */
    if (!src->mem && (s->e->body.n || s->e->ldb.n || s->yara || emb_pe_host(s, src))) {
        if ((st = scan_load(s, src, &all)) != VIGIL_OK)
            return st == VIGIL_ETOOBIG ? VIGIL_OK : st;
        *data = all;
        source_from_memory(&mem, all, (size_t)src->size);
        src = &mem;
    }
    emb_find(s, src, &r);
    if (src->mem && emb_pe_host(s, src))
        emb_pe_find(&r, src->mem, (size_t)src->size);
    if (r.n == 0 && !(builtin_magic(&s->e->ftm) && emb_msexe(src)))
        return VIGIL_OK;
    if (!all && (st = scan_load(s, src, &all)) != VIGIL_OK)
        return st == VIGIL_ETOOBIG ? VIGIL_OK : st;
    *data = all;
    qsort(r.hit, r.n, sizeof r.hit[0], emb_cmp);
    for (size_t i = 0; i < r.n && st == VIGIL_OK && !s->walk.stop; i++) {
        const struct emb_hit *h = &r.hit[i];
        struct unpack u = {all + h->off, (size_t)(src->size - h->off), h->fmt->name, s};
        if ((s->walk.o->flags & VIGIL_SCAN_NO_ARCHIVE) && format_is_archive(h->fmt))
            continue; /* --scan-archive=no */
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
