/* image_engine.c - a compiled engine to image tables and back (see
 * image.h). Saving lists the engine's flat arrays as tables; attaching
 * points the engine at the mapped arrays (names, hash sets, body signature
 * table, body plan, pre-filter literals and Vectorscan databases), whose
 * entries are checked as lookups read them, so that a start costs what it
 * uses; body signature views are made from their records on a hit
 * (image_engine_body_sig). Logical signatures are built from their tables
 * with every index checked at once (PCRE subsignatures and .cdb regular
 * expressions are compiled again from their texts). The load's warnings
 * are kept and said again. YARA rules are not imaged (see image_engine.h):
 * the image holds the rest of an engine that has them, and the steps that
 * place them.
 *
 * A new table: its IMAGE_TABLES entry (image.h), a part in image_save, its
 * check and use in image_attach. */
#include "core/image_engine.h"

#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/image.h"
#include "match/atoms.h"
#include "match/bodysig_image.h"
#include "match/lexpr.h"
#include "match/lpcre.h"

/* Counts that size the other tables. */
struct image_meta {
    uint64_t nsigs, names_len, nbody, nldb, nslots, nsegs, nsubs_total;
    uint64_t nlits[ATOMS_TARGETS];
    uint32_t any_kinds[2];
    uint64_t npcre, nsect, nimp, nftm, ncdb, notes_len;
    uint32_t sect_kinds, imp_kinds;
    uint64_t max_size[2][HASH_KINDS]; /* hashset_max_sizes of sigs, allow */
};

/* A PCRE subsignature: its text in LDB_PCRE_TEXT. */
struct image_pcre {
    uint32_t subsig, pad;
    struct offset_spec off;
    uint64_t text_off, textlen;
};

/* A .cdb signature; the regular expression's text is in the names. */
struct image_cdb {
    uint32_t name, re_src;
    uint16_t ctype;
    uint8_t has_regex;
    int8_t encrypted;
    uint32_t pad;
    struct cdb_range csize, fsizec, fsizer, filepos;
};

struct image_span {
    uint64_t off, len;
};

/* A hash set whose tables are written straight into the file
 * (hashset_defer): its tables' ids start at base. */
struct image_hs_emit {
    const struct hashset *hs;
    unsigned base;
};

/* What a save allocates besides the engine's own arrays. */
struct image_save {
    struct image_hs_emit hse[2];
    struct image_part parts[IMAGE_NTABLES];
    struct image_fill fill[IMAGE_NTABLES];
    size_t n;
    struct image_meta meta;
    struct ndb_sig *body;
    struct bodysig_rec *rec;
    uint8_t *blob, *lits;
    struct ldb_sig *ldb;
    struct image_span *expr;
    uint8_t *nodes, *dbs;
    struct bodyplan_quick *quick;
    struct bcomp *bcomp;
    struct ldb_macro *macro;
    struct image_pcre *pcre;
    uint8_t *pcre_text;
    struct sechash_entry *sect, *imp;
    struct ftm_entry *ftm;
    struct image_cdb *cdb;
};

/* Copies field by field into zeroed memory, so that files hold no stray
 * padding bytes (rebuilding gives the same file; no heap bytes leak). */
static struct offset_spec off_copy(const struct offset_spec *o)
{
    struct offset_spec c;

    memset(&c, 0, sizeof c);
    c.kind = o->kind;
    c.section = o->section;
    c.n = o->n;
    c.shift = o->shift;
    return c;
}

static void ldb_copy(struct ldb_sig *d, const struct ldb_sig *s)
{
    memset(d, 0, sizeof *d);
    d->name = s->name;
    d->tdb.have = s->tdb.have;
    memcpy(d->tdb.filesize, s->tdb.filesize, sizeof d->tdb.filesize);
    memcpy(d->tdb.ep, s->tdb.ep, sizeof d->tdb.ep);
    memcpy(d->tdb.nos, s->tdb.nos, sizeof d->tdb.nos);
    d->tdb.container = s->tdb.container;
    d->tdb.handler = s->tdb.handler;
    d->tdb.ninter = s->tdb.ninter;
    memcpy(d->tdb.inter, s->tdb.inter, sizeof d->tdb.inter);
    d->target = s->target;
    d->nsubs = s->nsubs;
    d->flags = s->flags;
    d->pcre = s->pcre;
    d->npcre = s->npcre;
    d->bcomp = s->bcomp;
    d->nbcomp = s->nbcomp;
    d->macro = s->macro;
    d->nmacro = s->nmacro;
}

static void bcomp_copy(struct bcomp *d, const struct bcomp *s)
{
    memset(d, 0, sizeof *d);
    d->subsig = s->subsig;
    d->ref = s->ref;
    d->offset = s->offset;
    d->opts = s->opts;
    d->len = s->len;
    d->ncomp = s->ncomp;
    memcpy(d->sym, s->sym, sizeof d->sym);
    memcpy(d->val, s->val, sizeof d->val);
}

static void put(struct image_save *s, unsigned id, const void *p, uint64_t len,
                uint64_t count)
{
    s->parts[s->n++] = (struct image_part){id, p, len, count};
}

static int emit_hashset(void *ctx, int fd, const struct image_layout *l)
{
    const struct image_hs_emit *h = ctx;
    uint64_t recs[HASH_KINDS], slots[HASH_KINDS];

    for (int k = 0; k < HASH_KINDS; k++) {
        recs[k] = l->off[h->base + (unsigned)k];
        slots[k] = l->off[h->base + 3 + (unsigned)k];
    }
    return hashset_write_tables(h->hs, fd, recs, slots, l->off[h->base + 6],
                                l->off[h->base + 7]);
}

static void put_hashset(struct image_save *s, const struct hashset *hs, unsigned base,
                        int which)
{
    struct hashset_flat f;

    if (hashset_deferred(hs)) {
        /* The first table's part writes them all. */
        hashset_deferred_layout(hs, &f);
        s->hse[which] = (struct image_hs_emit){hs, base};
        s->fill[s->n].emit = emit_hashset;
        s->fill[s->n].ctx = &s->hse[which];
    } else {
        hashset_export(hs, &f);
    }
    for (int k = 0; k < HASH_KINDS; k++) {
        put(s, base + (unsigned)k, f.recs[k], (uint64_t)f.n[k] * (hash_len[k] + 8),
            f.n[k]);
        put(s, base + 3 + (unsigned)k, f.slots[k], (uint64_t)f.nslots[k] * 4,
            f.nslots[k]);
    }
    put(s, base + 6, f.sizes, (uint64_t)f.nsizes * 4, f.nsizes);
    put(s, base + 7, f.size_kinds, f.nsizes, f.nsizes);
    s->meta.any_kinds[which] = f.any_kinds;
    for (int k = 0; k < HASH_KINDS; k++)
        s->meta.max_size[which][k] = f.max_size[k];
}

/* Body signatures as the engine's own table (without pointers: it is used
 * in place), their slim signatures as records, and the records' texts and
 * segment runs in one blob. */
static vigil_status save_body(struct image_save *s, const struct ndb_table *t)
{
    uint64_t bloblen = 0, pos = 0;
    const char *text;
    const uint8_t *segs;

    for (size_t i = 0; i < t->n; i++) {
        struct bodysig_rec r;
        bodysig_rec_make(t->v[i].sig, 0, 0, &r, &text, &segs);
        bloblen += r.textlen + r.nsegbytes;
    }
    s->body = calloc(t->n ? t->n : 1, sizeof *s->body);
    s->rec = calloc(t->n ? t->n : 1, sizeof *s->rec);
    s->blob = malloc(bloblen ? bloblen : 1);
    if (!s->body || !s->rec || !s->blob)
        return VIGIL_ENOMEM;
    for (size_t i = 0; i < t->n; i++) {
        struct ndb_sig *b = &s->body[i];
        const struct ndb_sig *g = &t->v[i];
        struct bodysig_rec *r = &s->rec[i];
        b->sig = NULL; /* image_engine_body_sig */
        b->name = g->name;
        b->lsig = g->lsig;
        b->subsig = g->subsig;
        b->target = g->target;
        b->flags = g->flags;
        b->off = off_copy(&g->off);
        bodysig_rec_make(g->sig, pos, 0, r, &text, &segs);
        memcpy(s->blob + pos, text, r->textlen);
        pos += r->textlen;
        r->segs_off = pos;
        if (r->nsegbytes)
            memcpy(s->blob + pos, segs, r->nsegbytes);
        pos += r->nsegbytes;
    }
    put(s, IMAGE_BODY, s->body, (uint64_t)t->n * sizeof *s->body, t->n);
    put(s, IMAGE_BODY_REC, s->rec, (uint64_t)t->n * sizeof *s->rec, t->n);
    put(s, IMAGE_BODY_BLOB, s->blob, bloblen, bloblen);
    return VIGIL_OK;
}

static vigil_status save_ldb(struct image_save *s, const struct ldb_table *t)
{
    uint64_t total = 0, pos = 0;
    size_t sz;

    for (size_t i = 0; i < t->n; i++) {
        lexpr_nodes(t->v[i].expr, &sz);
        total += sz;
    }
    s->ldb = calloc(t->n ? t->n : 1, sizeof *s->ldb);
    s->expr = calloc(t->n ? t->n : 1, sizeof *s->expr);
    s->nodes = malloc(total ? total : 1);
    s->bcomp = calloc(t->nbcomp ? t->nbcomp : 1, sizeof *s->bcomp);
    s->macro = calloc(t->nmacro ? t->nmacro : 1, sizeof *s->macro);
    if (!s->ldb || !s->expr || !s->nodes || !s->bcomp || !s->macro)
        return VIGIL_ENOMEM;
    for (size_t i = 0; i < t->nbcomp; i++)
        bcomp_copy(&s->bcomp[i], &t->bcomp[i]);
    for (size_t i = 0; i < t->nmacro; i++) {
        s->macro[i].subsig = t->macro[i].subsig;
        s->macro[i].group = t->macro[i].group;
        s->macro[i].min = t->macro[i].min;
        s->macro[i].max = t->macro[i].max;
    }
    for (size_t i = 0; i < t->n; i++) {
        const void *p = lexpr_nodes(t->v[i].expr, &sz);
        ldb_copy(&s->ldb[i], &t->v[i]); /* expr NULL: no pointers in a file */
        s->expr[i] = (struct image_span){pos, sz};
        memcpy(s->nodes + pos, p, sz);
        pos += sz;
    }
    put(s, IMAGE_LDB, s->ldb, (uint64_t)t->n * sizeof *s->ldb, t->n);
    put(s, IMAGE_LDB_EXPR, s->expr, (uint64_t)t->n * sizeof *s->expr, t->n);
    put(s, IMAGE_LDB_NODES, s->nodes, total, total);
    put(s, IMAGE_LDB_BCOMP, s->bcomp, (uint64_t)t->nbcomp * sizeof *s->bcomp, t->nbcomp);
    put(s, IMAGE_LDB_MACRO, s->macro, (uint64_t)t->nmacro * sizeof *s->macro, t->nmacro);
    s->meta.nsubs_total = t->nsubs_total;
    return VIGIL_OK;
}

static vigil_status save_atoms(struct image_save *s, const struct atoms *a)
{
    struct atoms_flat f;
    size_t total = 0, pos = 0, dlen = 0, ls = atoms_literal_size();
    vigil_status st;

    atoms_export(a, &f);
    for (unsigned t = 0; t < ATOMS_TARGETS; t++)
        total += f.n[t];
    if (!(s->lits = malloc(total ? total * ls : 1)))
        return VIGIL_ENOMEM;
    for (unsigned t = 0; t < ATOMS_TARGETS; t++) {
        if (f.n[t])
            memcpy(s->lits + pos * ls, f.lits[t], f.n[t] * ls);
        pos += f.n[t];
        s->meta.nlits[t] = f.n[t];
    }
    if ((st = atoms_save_image(a, &s->dbs, &dlen)) != VIGIL_OK)
        return st;
    put(s, IMAGE_ATOMS_LITS, s->lits, (uint64_t)total * ls, total);
    put(s, IMAGE_ATOMS_OWNER_SIG, f.owner_sig, (uint64_t)f.nowners * 4, f.nowners);
    put(s, IMAGE_ATOMS_OWNER_NEXT, f.owner_next, (uint64_t)f.nowners * 4, f.nowners);
    put(s, IMAGE_ATOMS_DBS, s->dbs, dlen, dlen);
    return VIGIL_OK;
}

/* PCRE subsignatures by their texts. */
static vigil_status save_pcre(struct image_save *s, const struct ldb_table *t)
{
    uint64_t total = 0, pos = 0;
    size_t n;

    for (size_t i = 0; i < t->npcre; i++) {
        lpcre_source(t->pcre[i], &n);
        total += n;
    }
    s->pcre = calloc(t->npcre ? t->npcre : 1, sizeof *s->pcre);
    s->pcre_text = malloc(total ? total : 1);
    if (!s->pcre || !s->pcre_text)
        return VIGIL_ENOMEM;
    for (size_t i = 0; i < t->npcre; i++) {
        const char *text = lpcre_source(t->pcre[i], &n);
        s->pcre[i].subsig = lpcre_subsig(t->pcre[i]);
        s->pcre[i].off = off_copy(lpcre_offset(t->pcre[i]));
        s->pcre[i].text_off = pos;
        s->pcre[i].textlen = n;
        memcpy(s->pcre_text + pos, text, n);
        pos += n;
    }
    s->meta.npcre = t->npcre;
    put(s, IMAGE_LDB_PCRE, s->pcre, (uint64_t)t->npcre * sizeof *s->pcre, t->npcre);
    put(s, IMAGE_LDB_PCRE_TEXT, s->pcre_text, total, total);
    return VIGIL_OK;
}

/* A deferred section or import hash table (sechash_defer), sorted into
 * the file. */
static int emit_sect(void *ctx, int fd, const struct image_layout *l)
{
    return sechash_write_sorted(ctx, fd, l->off[IMAGE_SECT]);
}

static int emit_imp(void *ctx, int fd, const struct image_layout *l)
{
    return sechash_write_sorted(ctx, fd, l->off[IMAGE_IMP]);
}

static vigil_status save_sechash(struct image_save *s, const struct sechash_table *t,
                                 struct sechash_entry **out, unsigned id)
{
    if (t->deferred) { /* entries zeroed when added: no stray padding */
        s->fill[s->n].emit = id == IMAGE_SECT ? emit_sect : emit_imp;
        s->fill[s->n].ctx = (void *)(uintptr_t)t;
        put(s, id, NULL, (uint64_t)t->n * sizeof **out, t->n);
        return VIGIL_OK;
    }
    if (!(*out = calloc(t->n ? t->n : 1, sizeof **out)))
        return VIGIL_ENOMEM;
    for (size_t i = 0; i < t->n; i++) {
        (*out)[i].size = t->v[i].size;
        (*out)[i].name = t->v[i].name;
        (*out)[i].order = t->v[i].order;
        (*out)[i].kind = t->v[i].kind;
        memcpy((*out)[i].digest, t->v[i].digest, sizeof t->v[i].digest);
    }
    put(s, id, *out, (uint64_t)t->n * sizeof **out, t->n);
    return VIGIL_OK;
}

/* .ftm entries, .cdb signatures (without their compiled expressions), and
 * section and import hashes (sorted by compile). */
static vigil_status save_tables(struct image_save *s, const struct vigil_engine *e)
{
    vigil_status st;

    if ((st = save_pcre(s, &e->ldb)) != VIGIL_OK ||
        (st = save_sechash(s, &e->sect, &s->sect, IMAGE_SECT)) != VIGIL_OK ||
        (st = save_sechash(s, &e->imp, &s->imp, IMAGE_IMP)) != VIGIL_OK)
        return st;
    s->meta.nsect = e->sect.n;
    s->meta.nimp = e->imp.n;
    s->meta.sect_kinds = e->sect.kinds;
    s->meta.imp_kinds = e->imp.kinds;
    s->ftm = calloc(e->ftm.n ? e->ftm.n : 1, sizeof *s->ftm);
    s->cdb = calloc(e->cdb.n ? e->cdb.n : 1, sizeof *s->cdb);
    if (!s->ftm || !s->cdb)
        return VIGIL_ENOMEM;
    for (size_t i = 0; i < e->ftm.n; i++) {
        const struct ftm_entry *f = &e->ftm.v[i];
        s->ftm[i].kind = f->kind;
        s->ftm[i].len = f->len;
        s->ftm[i].rtype = f->rtype;
        s->ftm[i].type = f->type;
        s->ftm[i].offset = f->offset;
        s->ftm[i].any_offset = f->any_offset;
        memcpy(s->ftm[i].magic, f->magic, sizeof f->magic);
        memcpy(s->ftm[i].mask, f->mask, sizeof f->mask);
    }
    for (size_t i = 0; i < e->cdb.n; i++) {
        const struct cdb_sig *c = &e->cdb.v[i];
        struct image_cdb *d = &s->cdb[i];
        d->name = c->name;
        d->re_src = c->re_src;
        d->ctype = c->ctype;
        d->has_regex = (uint8_t)(c->has_regex != 0);
        d->encrypted = (int8_t)c->encrypted;
        d->csize = c->csize;
        d->fsizec = c->fsizec;
        d->fsizer = c->fsizer;
        d->filepos = c->filepos;
    }
    s->meta.nftm = e->ftm.n;
    s->meta.ncdb = e->cdb.n;
    s->meta.notes_len = e->notes->len;
    put(s, IMAGE_FTM, s->ftm, (uint64_t)e->ftm.n * sizeof *s->ftm, e->ftm.n);
    put(s, IMAGE_CDB, s->cdb, (uint64_t)e->cdb.n * sizeof *s->cdb, e->cdb.n);
    put(s, IMAGE_NOTES, e->notes->p, e->notes->len, e->notes->len);
    return VIGIL_OK;
}

int image_save(const struct vigil_engine *e, const char *path, const uint8_t key[32])
{
    struct image_save s;
    const struct bodyplan *p = &e->plan;
    int rc = -1;
    size_t nsteps;
    const uint32_t *steps = image_defer_steps(e, &nsteps);

    memset(&s, 0, sizeof s);
    s.meta.nsigs = e->nsigs - e->yara.nrules; /* the YARA rules are loaded apart */
    s.meta.names_len = e->names.len;
    s.meta.nbody = e->body.n;
    s.meta.nldb = e->ldb.n;
    s.meta.nslots = p->nslots;
    s.meta.nsegs = p->nsegs;
    put(&s, IMAGE_META, &s.meta, sizeof s.meta, 1);
    s.fill[s.n].drop = e->names.spill != NULL; /* a file's pages, given back */
    put(&s, IMAGE_NAMES, e->names.buf, e->names.len, e->names.len);
    put(&s, IMAGE_STEPS, steps, (uint64_t)nsteps * 4, nsteps);
    put_hashset(&s, e->sigs, IMAGE_SIGS_MD5, 0);
    put_hashset(&s, e->allow, IMAGE_ALLOW_MD5, 1);
    if (!(s.quick = calloc(e->body.n ? e->body.n : 1, sizeof *s.quick)))
        goto out;
    for (size_t i = 0; i < e->body.n; i++) {
        s.quick[i].q = p->quick[i].q;
        s.quick[i].atom_len = p->quick[i].atom_len;
    }
    put(&s, IMAGE_PLAN_QUICK, s.quick, (uint64_t)e->body.n * sizeof *s.quick, e->body.n);
    put(&s, IMAGE_PLAN_SLOT, p->slot, (uint64_t)e->body.n * 4, e->body.n);
    put(&s, IMAGE_PLAN_NEED, p->need, (uint64_t)p->nslots * 8, p->nslots);
    put(&s, IMAGE_PLAN_SEGS, p->segs, (uint64_t)p->nsegs * sizeof *p->segs, p->nsegs);
    if (save_body(&s, &e->body) == VIGIL_OK && save_ldb(&s, &e->ldb) == VIGIL_OK &&
        save_atoms(&s, e->atoms) == VIGIL_OK && save_tables(&s, e) == VIGIL_OK)
        rc = image_write_filled(path, key, s.parts, s.fill, s.n);
out:
    free(s.pcre);
    free(s.pcre_text);
    free(s.sect);
    free(s.imp);
    free(s.ftm);
    free(s.cdb);
    free(s.quick);
    free(s.bcomp);
    free(s.macro);
    free(s.body);
    free(s.rec);
    free(s.blob);
    free(s.lits);
    free(s.ldb);
    free(s.expr);
    free(s.nodes);
    free(s.dbs);
    return rc;
}

/* ---- attaching ---- */

/* A table that must hold exactly count items of size bytes each. */
static const void *table(const struct image *im, unsigned id, uint64_t count, size_t size)
{
    size_t len;
    uint64_t c;
    const void *p = image_table(im, id, &len, &c);

    if (!p || c != count || (size && count > SIZE_MAX / size) || len != count * size)
        return NULL;
    return p;
}

static vigil_status attach_hashset(struct hashset *hs, const struct image *im,
                                   unsigned base, const struct image_meta *m, int which,
                                   uint32_t max_value)
{
    struct hashset_flat f;
    size_t len;
    uint64_t c;

    memset(&f, 0, sizeof f);
    for (int k = 0; k < HASH_KINDS; k++) {
        image_table(im, base + (unsigned)k, &len, &c);
        f.n[k] = (size_t)c;
        f.recs[k] = table(im, base + (unsigned)k, c, hash_len[k] + 8);
        image_table(im, base + 3 + (unsigned)k, &len, &c);
        f.nslots[k] = (size_t)c;
        f.slots[k] = table(im, base + 3 + (unsigned)k, c, 4);
        if ((f.n[k] && !f.recs[k]) || (f.nslots[k] && !f.slots[k]))
            return VIGIL_EMALFORMED;
    }
    image_table(im, base + 6, &len, &c);
    f.nsizes = (size_t)c;
    f.sizes = table(im, base + 6, c, 4);
    f.size_kinds = table(im, base + 7, c, 1);
    f.any_kinds = m->any_kinds[which];
    for (int k = 0; k < HASH_KINDS; k++)
        f.max_size[k] = m->max_size[which][k];
    return hashset_attach(hs, &f, max_value);
}

static vigil_status attach_ldb(struct vigil_engine *e, const struct image *im,
                               const struct image_meta *m)
{
    struct ldb_table *t = &e->ldb;
    const struct ldb_sig *v = table(im, IMAGE_LDB, m->nldb, sizeof *v);
    const struct image_span *x = table(im, IMAGE_LDB_EXPR, m->nldb, sizeof *x);
    size_t nlen, blen, mlen;
    uint64_t nb, nm, subs = 0;
    const uint8_t *nodes = image_table(im, IMAGE_LDB_NODES, &nlen, NULL);
    const struct bcomp *b = image_table(im, IMAGE_LDB_BCOMP, &blen, &nb);
    const struct ldb_macro *mac = image_table(im, IMAGE_LDB_MACRO, &mlen, &nm);

    /* Counts first: a product that wraps could equal any length. */
    if ((m->nldb && (!v || !x)) || nb > blen / sizeof *b || blen != nb * sizeof *b ||
        nm > mlen / sizeof *mac || mlen != nm * sizeof *mac || m->nldb > LDB_MAX_SIGS)
        return VIGIL_EMALFORMED;
    t->v = calloc(m->nldb ? m->nldb : 1, sizeof *t->v);
    t->bcomp = malloc(nb ? blen : 1);
    t->macro = malloc(nm ? mlen : 1);
    if (!t->v || !t->bcomp || !t->macro)
        return VIGIL_ENOMEM;
    if (nb)
        memcpy(t->bcomp, b, blen);
    if (nm)
        memcpy(t->macro, mac, mlen);
    t->cap = m->nldb;
    t->nbcomp = t->bcomp_cap = nb;
    t->nmacro = t->macro_cap = nm;
    for (size_t i = 0; i < m->nldb; i++) {
        const struct ldb_sig *s = &v[i];
        if (s->name >= m->names_len || s->nsubs > LDB_MAX_SUBSIGS ||
            s->target >= ATOMS_TARGETS || s->pcre > m->npcre ||
            s->npcre > m->npcre - s->pcre || s->bcomp > nb || s->nbcomp > nb - s->bcomp ||
            s->macro > nm || s->nmacro > nm - s->macro ||
            s->tdb.ninter > LDB_MAX_INTERMEDIATES || x[i].off > nlen ||
            x[i].len > nlen - x[i].off || !nodes)
            return VIGIL_EMALFORMED;
        for (uint32_t k = 0; k < s->nbcomp; k++)
            if (b[s->bcomp + k].subsig >= s->nsubs || b[s->bcomp + k].ncomp > 2)
                return VIGIL_EMALFORMED;
        for (uint32_t k = 0; k < s->nmacro; k++)
            if (mac[s->macro + k].subsig >= s->nsubs)
                return VIGIL_EMALFORMED;
        t->v[i] = *s;
        t->v[i].expr = NULL;
        t->n = i + 1;
        if (lexpr_from_nodes(nodes + x[i].off, (size_t)x[i].len, s->nsubs,
                             &t->v[i].expr) != VIGIL_OK)
            return VIGIL_EMALFORMED;
        subs += s->nsubs;
    }
    if (subs != m->nsubs_total)
        return VIGIL_EMALFORMED;
    t->nsubs_total = subs;
    return VIGIL_OK;
}

/* Body signatures in place: their table is the engine's, their slim
 * signatures are made from the records when a hit needs one. Each entry is
 * checked when a hit reads it (image_engine_body_ok, image_engine_body_sig),
 * so attaching reads none of them. */
static vigil_status attach_body(struct vigil_engine *e, const struct image *im,
                                const struct image_meta *m)
{
    const struct ndb_sig *v = table(im, IMAGE_BODY, m->nbody, sizeof *v);
    const struct bodysig_rec *r = table(im, IMAGE_BODY_REC, m->nbody, sizeof *r);
    size_t bloblen;
    const uint8_t *blob = image_table(im, IMAGE_BODY_BLOB, &bloblen, NULL);
    struct ndb_table *t = &e->body;

    if ((m->nbody && (!v || !r)) || m->nbody >= BODYPLAN_SEG)
        return VIGIL_EMALFORMED;
    /* Read-only from here on; image_engine_release takes it back before
     * ndb_table_free sees it. */
    t->v = m->nbody ? (struct ndb_sig *)(uintptr_t)v : NULL;
    t->n = t->cap = m->nbody;
    e->image_recs = r;
    e->image_blob = blob;
    e->image_bloblen = bloblen;
    return VIGIL_OK;
}

int image_engine_body_ok(const struct vigil_engine *e, uint32_t id)
{
    const struct ndb_sig *b;

    if (!e->image_recs)
        return 1; /* parsed, not mapped: checked by the parser */
    if (id >= e->body.n)
        return 0;
    b = &e->body.v[id];
    return !b->sig && b->name < e->names.len && b->target < ATOMS_TARGETS &&
           b->flags <= (NDB_F_NOCASE | NDB_F_PARTIAL) && b->off.kind <= OFF_VERSION &&
           (b->lsig == NDB_NO_LSIG ||
            (b->lsig < e->ldb.n && b->subsig < e->ldb.v[b->lsig].nsubs));
}

const struct bodysig *image_engine_body_sig(const struct vigil_engine *e, uint32_t id,
                                            struct bodysig *view)
{
    if (id >= e->body.n)
        return NULL;
    if (e->body.v[id].sig)
        return e->body.v[id].sig;
    if (!e->image_recs || !view ||
        bodysig_view_set(view, &e->image_recs[id], e->image_blob, e->image_bloblen) !=
            VIGIL_OK)
        return NULL;
    return view;
}

static vigil_status attach_plan(struct vigil_engine *e, const struct image *im,
                                const struct image_meta *m)
{
    struct bodyplan *p = &e->plan;
    const struct bodyplan_quick *q = table(im, IMAGE_PLAN_QUICK, m->nbody, sizeof *q);
    const uint32_t *slot = table(im, IMAGE_PLAN_SLOT, m->nbody, 4);
    const uint64_t *need = table(im, IMAGE_PLAN_NEED, m->nslots, 8);
    const struct bodyplan_seg *segs = table(im, IMAGE_PLAN_SEGS, m->nsegs, sizeof *segs);

    /* The entries are checked as hits read them (scan/body.c: a slot or
     * segment out of range is no hit; the quick test reads only inside the
     * object whatever the atom length), not all here. */
    if ((m->nbody && (!q || !slot)) || (m->nslots && !need) || (m->nsegs && !segs) ||
        m->nslots > m->nbody || m->nsegs >= BODYPLAN_SEG)
        return VIGIL_EMALFORMED;
    /* Read-only from here on; image_engine_release takes them back before
     * bodyplan_free sees them. */
    p->quick = (struct bodyplan_quick *)(uintptr_t)q;
    p->slot = (uint32_t *)(uintptr_t)slot;
    p->need = (uint64_t *)(uintptr_t)need;
    p->segs = (struct bodyplan_seg *)(uintptr_t)segs;
    p->nslots = (uint32_t)m->nslots;
    p->nsegs = (uint32_t)m->nsegs;
    return VIGIL_OK;
}

static int id_ok(void *ctx, uint32_t id)
{
    const struct image_meta *m = ctx;

    return (id & BODYPLAN_SEG) ? (id & ~BODYPLAN_SEG) < m->nsegs : id < m->nbody;
}

static vigil_status attach_atoms(struct vigil_engine *e, const struct image *im,
                                 const struct image_meta *m)
{
    struct atoms_flat f;
    uint64_t total = 0, pos = 0, no;
    size_t ls = atoms_literal_size(), dlen, len;
    const uint8_t *lits, *dbs = image_table(im, IMAGE_ATOMS_DBS, &dlen, NULL);
    vigil_status st;

    for (unsigned t = 0; t < ATOMS_TARGETS; t++) {
        if (m->nlits[t] > UINT32_MAX)
            return VIGIL_EMALFORMED;
        total += m->nlits[t];
    }
    lits = table(im, IMAGE_ATOMS_LITS, total, ls);
    image_table(im, IMAGE_ATOMS_OWNER_SIG, &len, &no);
    f.owner_sig = table(im, IMAGE_ATOMS_OWNER_SIG, no, 4);
    f.owner_next = table(im, IMAGE_ATOMS_OWNER_NEXT, no, 4);
    f.nowners = (size_t)no;
    if ((total && !lits) || (no && (!f.owner_sig || !f.owner_next)) || !dbs)
        return VIGIL_EMALFORMED;
    for (unsigned t = 0; t < ATOMS_TARGETS; t++) {
        f.lits[t] = lits ? lits + pos * ls : NULL;
        f.n[t] = (size_t)m->nlits[t];
        pos += m->nlits[t];
    }
    if ((st = atoms_new(&e->atoms)) != VIGIL_OK)
        return st;
    return atoms_attach(e->atoms, &f, dbs, dlen, id_ok, (void *)(uintptr_t)m);
}

/* PCRE subsignatures compiled again from their texts (PCRE2 has no
 * position-independent compiled form vigil could map). */
static vigil_status attach_pcre(struct vigil_engine *e, const struct image *im,
                                const struct image_meta *m)
{
    struct ldb_table *t = &e->ldb;
    const struct image_pcre *r = table(im, IMAGE_LDB_PCRE, m->npcre, sizeof *r);
    size_t tlen;
    const char *text = image_table(im, IMAGE_LDB_PCRE_TEXT, &tlen, NULL);
    char why[256];
    vigil_status st;

    if ((m->npcre && (!r || !text)) || m->npcre > UINT32_MAX)
        return VIGIL_EMALFORMED;
    if (!(t->pcre = calloc(m->npcre ? m->npcre : 1, sizeof *t->pcre)))
        return VIGIL_ENOMEM;
    t->pcre_cap = m->npcre;
    for (size_t i = 0; i < m->npcre; i++) {
        if (r[i].subsig >= LDB_MAX_SUBSIGS || r[i].text_off > tlen ||
            r[i].textlen > tlen - r[i].text_off || r[i].off.kind > OFF_VERSION)
            return VIGIL_EMALFORMED;
        st = lpcre_new(text + r[i].text_off, (size_t)r[i].textlen, r[i].subsig, &r[i].off,
                       &t->pcre[i], why, sizeof why);
        if (st != VIGIL_OK)
            return st == VIGIL_ENOMEM ? st : VIGIL_EMALFORMED;
        t->npcre = i + 1;
    }
    for (size_t i = 0; i < t->n; i++)
        for (uint32_t k = 0; k < t->v[i].npcre; k++)
            if (lpcre_subsig(t->pcre[t->v[i].pcre + k]) >= t->v[i].nsubs)
                return VIGIL_EMALFORMED;
    return VIGIL_OK;
}

static vigil_status attach_sechash(struct sechash_table *t, const struct image *im,
                                   unsigned id, uint64_t n, uint32_t kinds,
                                   uint64_t names_len)
{
    const struct sechash_entry *v = table(im, id, n, sizeof *v);
    unsigned seen = 0;

    if ((n && !v) || n > SECHASH_MAX_ENTRIES || kinds >= 1u << HASH_KINDS)
        return VIGIL_EMALFORMED;
    for (size_t i = 0; i < n; i++) {
        if (v[i].kind >= HASH_KINDS || v[i].name >= names_len)
            return VIGIL_EMALFORMED;
        seen |= 1u << v[i].kind;
    }
    if (seen != kinds)
        return VIGIL_EMALFORMED;
    /* Sorted and read-only; image_engine_release takes it back. */
    t->v = n ? (struct sechash_entry *)(uintptr_t)v : NULL;
    t->n = t->cap = (size_t)n;
    t->kinds = kinds;
    t->sorted = 1;
    return VIGIL_OK;
}

/* .ftm entries and .cdb signatures (their expressions compiled again),
 * section and import hashes; the load's warnings are checked here and
 * said again by image_attach. */
static vigil_status attach_tables(struct vigil_engine *e, const struct image *im,
                                  const struct image_meta *m)
{
    const struct ftm_entry *f = table(im, IMAGE_FTM, m->nftm, sizeof *f);
    const struct image_cdb *c = table(im, IMAGE_CDB, m->ncdb, sizeof *c);
    size_t nlen;
    const char *notes = image_table(im, IMAGE_NOTES, &nlen, NULL);
    size_t names_len;
    const char *names = image_table(im, IMAGE_NAMES, &names_len, NULL);
    vigil_status st;

    if ((m->nftm && !f) || (m->ncdb && !c) || m->notes_len != nlen ||
        (nlen && notes[nlen - 1]) || m->nftm > SIZE_MAX / sizeof *f ||
        m->ncdb > SIZE_MAX / sizeof(struct cdb_sig))
        return VIGIL_EMALFORMED;
    if ((st = attach_sechash(&e->sect, im, IMAGE_SECT, m->nsect, m->sect_kinds,
                             m->names_len)) != VIGIL_OK ||
        (st = attach_sechash(&e->imp, im, IMAGE_IMP, m->nimp, m->imp_kinds,
                             m->names_len)) != VIGIL_OK)
        return st;
    e->ftm.v = malloc(m->nftm ? m->nftm * sizeof *f : 1);
    e->cdb.v = calloc(m->ncdb ? m->ncdb : 1, sizeof *e->cdb.v);
    if (!e->ftm.v || !e->cdb.v)
        return VIGIL_ENOMEM;
    for (size_t i = 0; i < m->nftm; i++) {
        if (f[i].kind > 1 || f[i].len == 0 || f[i].len > FTM_MAX_MAGIC)
            return VIGIL_EMALFORMED;
        e->ftm.v[i] = f[i];
        e->ftm.n = i + 1;
    }
    e->ftm.cap = m->nftm;
    e->cdb.cap = m->ncdb;
    for (size_t i = 0; i < m->ncdb; i++) {
        struct cdb_sig *d = &e->cdb.v[i];
        if (c[i].name >= m->names_len || c[i].has_regex > 1 || c[i].encrypted < -1 ||
            c[i].encrypted > 1 || (c[i].has_regex && c[i].re_src >= m->names_len))
            return VIGIL_EMALFORMED;
        d->name = c[i].name;
        d->ctype = c[i].ctype;
        d->encrypted = c[i].encrypted;
        d->csize = c[i].csize;
        d->fsizec = c[i].fsizec;
        d->fsizer = c[i].fsizer;
        d->filepos = c[i].filepos;
        if (c[i].has_regex) {
            d->re_src = c[i].re_src;
            if (regcomp(&d->re, names + c[i].re_src, REG_EXTENDED | REG_NOSUB) != 0)
                return VIGIL_EMALFORMED;
            d->has_regex = 1;
        }
        e->cdb.n = i + 1;
    }
    return VIGIL_OK;
}

vigil_status image_attach(struct vigil_engine *e, struct image *im)
{
    const struct image_meta *m = table(im, IMAGE_META, 1, sizeof *m);
    size_t nlen;
    const char *names = image_table(im, IMAGE_NAMES, &nlen, NULL), *notes;
    vigil_status st = VIGIL_EMALFORMED;

    if (!m || m->names_len != nlen || nlen > UINT32_MAX || (nlen && names[nlen - 1]) ||
        m->any_kinds[0] > 7 || m->any_kinds[1] > 7)
        goto fail;
    if ((st = attach_hashset(e->sigs, im, IMAGE_SIGS_MD5, m, 0, (uint32_t)nlen)) !=
            VIGIL_OK ||
        (st = attach_hashset(e->allow, im, IMAGE_ALLOW_MD5, m, 1, UINT32_MAX)) !=
            VIGIL_OK ||
        (st = attach_ldb(e, im, m)) != VIGIL_OK ||
        (st = attach_pcre(e, im, m)) != VIGIL_OK ||
        (st = attach_tables(e, im, m)) != VIGIL_OK ||
        (st = attach_body(e, im, m)) != VIGIL_OK ||
        (st = attach_plan(e, im, m)) != VIGIL_OK ||
        (st = attach_atoms(e, im, m)) != VIGIL_OK)
        goto fail;
    /* The mapped names: never appended to (loads end with the image). */
    e->names.buf = (char *)(uintptr_t)names;
    e->names.len = e->names.cap = nlen;
    e->nsigs += m->nsigs; /* beside the YARA rules loaded already */
    e->image = im;
    notes = image_table(im, IMAGE_NOTES, &nlen, NULL);
    for (size_t i = 0; i < nlen; i += strlen(notes + i) + 1)
        engine_log(e, VIGIL_LOG_WARNING, "%s", notes + i);
    return VIGIL_OK;
fail:
    e->image = im;
    image_engine_release(e);
    return st == VIGIL_ENOMEM ? st : VIGIL_EMALFORMED;
}

void image_engine_release(struct vigil_engine *e)
{
    struct bodyplan *p = &e->plan;

    if (!e->image)
        return;
    /* Arrays in the map are not the engine's to free; the engine is left
     * empty, as new (hash sets too, unless memory ran out). */
    e->names.buf = NULL;
    e->names.len = e->names.cap = 0;
    p->quick = NULL;
    p->slot = NULL;
    p->need = NULL;
    p->segs = NULL;
    p->nslots = p->nsegs = 0;
    ndb_table_init(&e->body); /* its table was the map's */
    e->image_recs = NULL;
    e->image_blob = NULL;
    e->image_bloblen = 0;
    ldb_table_free(&e->ldb);
    e->sect.v = e->imp.v = NULL; /* the map's */
    sechash_free(&e->sect);
    sechash_free(&e->imp);
    ftm_table_free(&e->ftm);
    cdb_table_free(&e->cdb);
    atoms_free(e->atoms);
    e->atoms = NULL;
    hashset_free(e->sigs);
    hashset_free(e->allow);
    e->sigs = e->allow = NULL;
    if (hashset_new(ENGINE_MAX_HASH_SIGS, &e->sigs) == VIGIL_OK)
        hashset_new(ENGINE_MAX_HASH_SIGS, &e->allow);
    image_close(e->image);
    e->image = NULL;
}
