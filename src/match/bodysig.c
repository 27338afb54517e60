/* bodysig.c - ClamAV body signatures: parse, choose the atom the pre-filter
 * indexes and the needle each part is searched by, free.
 *
 * Reading the text is in bodysig_parse.c (parts, gaps, anchored bytes) and
 * bodysig_group.c ("(...)" groups); placing one part in bodysig_part.c, the
 * whole verification in bodysig_match.c.
 *
 * An atom is a window of at most BODYSIG_MAX_ATOM plain bytes of one part (so every
 * match contains it), chosen for selectivity: each byte weighs 8, a padding byte (00,
 * FF, 90, CC) 2, a byte repeating the one before 1; the window of most weight wins.
 * Every part has such a best window; the signature's atom is that of its last part
 * whose window is good enough (BODYSIG_GOOD_WEIGHT), so that the atoms of the parts
 * before it can be required to have been seen when it is (see scan/body.c); failing
 * that, the best window of any part. */
#include "match/bodysig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/bodysig_int.h"

/* ClamAV's boundary table (matcher-ac.c): 1 may precede a word, 2 may
 * follow one, 3 both. */
const uint8_t bodysig_boundary[256] = {
    ['\n'] = 2, ['\r'] = 2, [' '] = 3, ['"'] = 2, ['\''] = 2, ['-'] = 3, ['.'] = 1,
    ['/'] = 3,  ['<'] = 1,  ['='] = 2, ['>'] = 2, ['@'] = 1,  ['_'] = 3,
};

vigil_status bodysig_grow(void **arr, uint32_t *cap, uint32_t need, size_t elsize,
                          uint32_t max)
{
    uint32_t ncap;
    void *n;

    if (need <= *cap)
        return VIGIL_OK;
    if (need > max)
        return VIGIL_EMALFORMED;
    ncap = *cap ? *cap : 8;
    while (ncap < need)
        ncap = ncap > max / 2 ? max : ncap * 2;
    n = realloc(*arr, (size_t)ncap * elsize);
    if (!n)
        return VIGIL_ENOMEM;
    *arr = n;
    *cap = ncap;
    return VIGIL_OK;
}

uint32_t bodysig_elem_min(const struct bodysig *sig, const struct bs_elem *e)
{
    if (e->kind == BS_FIXED || e->kind == BS_ALT)
        return sig->groups[e->ref].minlen;
    return 1;
}

uint32_t bodysig_elem_max(const struct bodysig *sig, const struct bs_elem *e)
{
    if (e->kind == BS_FIXED || e->kind == BS_ALT)
        return sig->groups[e->ref].maxlen;
    return e->kind == BS_LINE ? 2 : 1;
}

/* A window of plain bytes: elements [elem, elem + len) of a part. */
struct window {
    uint32_t part, elem, len;
    unsigned weight;
};

static int plain(const struct bs_elem *e)
{
    return e->kind == BS_BYTE && e->mask == 0xFF;
}

static unsigned byte_weight(uint8_t b, int repeat)
{
    if (repeat)
        return 1;
    if (b == 0x00 || b == 0xFF || b == 0x90 || b == 0xCC)
        return 2;
    return 8;
}

/* The best window starting at element i of a run ending before element
 * end. */
static struct window window_at(const struct bs_elem *e, uint32_t i, uint32_t end)
{
    struct window w = {0, i, 0, 0};

    for (w.len = 0; w.len < BODYSIG_MAX_ATOM && i + w.len < end; w.len++)
        w.weight += byte_weight(e[i + w.len].val,
                                w.len && e[i + w.len].val == e[i + w.len - 1].val);
    return w;
}

/* The best window of part pi (weight 0 if it has no plain byte). */
static struct window best_in_part(const struct bodysig *sig, uint32_t pi)
{
    const struct bs_part *p = &sig->parts[pi];
    const struct bs_elem *e = sig->elems + p->first;
    struct window best = {pi, 0, 0, 0}, w;
    uint32_t end;

    for (uint32_t i = 0; i < p->count;) {
        if (!plain(&e[i])) {
            i++;
            continue;
        }
        for (end = i; end < p->count && plain(&e[end]); end++)
            ;
        for (; i < end; i++) {
            w = window_at(e, i, end);
            if (w.weight > best.weight) {
                best = w;
                best.part = pi;
            }
        }
    }
    return best;
}

/* Length of part p's elements [from, to), shortest and longest. */
static void span(const struct bodysig *sig, const struct bs_part *p, uint32_t from,
                 uint32_t to, size_t *lo, size_t *hi)
{
    *lo = *hi = 0;
    for (uint32_t i = from; i < to; i++) {
        *lo += bodysig_elem_min(sig, &sig->elems[p->first + i]);
        *hi += bodysig_elem_max(sig, &sig->elems[p->first + i]);
    }
}

/* Gives part pi the needle it is searched by when it is not the atom's. */
static vigil_status set_needle(struct bodysig *sig, uint32_t pi)
{
    struct bs_part *p = &sig->parts[pi];
    struct window w = best_in_part(sig, pi);
    vigil_status rc;

    rc = bodysig_grow((void **)&sig->needles, &sig->cap_needles, sig->nneedles + w.len, 1,
                      BS_MAX_PARTS * BODYSIG_MAX_ATOM);
    if (rc != VIGIL_OK)
        return rc;
    p->run = w.elem;
    p->runlen = w.len;
    p->needle = sig->nneedles;
    for (uint32_t i = 0; i < w.len; i++)
        sig->needles[sig->nneedles++] = sig->elems[p->first + w.elem + i].val;
    span(sig, p, 0, w.elem, &p->pre_min, &p->pre_max);
    span(sig, p, w.elem, p->count, &p->post_min, &p->post_max);
    return VIGIL_OK;
}

static size_t sat_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* Chooses the atom and the needles, and sums the match lengths. */
static vigil_status finish(struct bodysig *sig, char *why, size_t whylen)
{
    struct window best = {0, 0, 0, 0}, last = {0, 0, 0, 0}, w;
    vigil_status rc = VIGIL_OK;

    for (uint32_t i = 0; i < sig->nparts && rc == VIGIL_OK; i++) {
        w = best_in_part(sig, i);
        if (w.weight > best.weight)
            best = w;
        if (w.weight >= BODYSIG_GOOD_WEIGHT)
            last = w;
        rc = set_needle(sig, i);
        sig->min_len = sat_add(sig->min_len, sig->parts[i].minlen);
        sig->max_len = sat_add(sig->max_len, sig->parts[i].maxlen);
        if (i) {
            sig->min_len = sat_add(sig->min_len, sig->parts[i].gap_min);
            sig->max_len = sat_add(sig->max_len, sig->parts[i].gap_max);
        }
    }
    if (rc == VIGIL_OK && best.weight == 0) {
        if (why && whylen)
            snprintf(why, whylen, "no usable atom: the signature has no plain byte");
        return VIGIL_EMALFORMED;
    }
    if (last.weight)
        best = last;
    sig->atom_part = best.part;
    sig->atom_elem = best.elem;
    sig->atom.len = best.len;
    for (uint32_t i = 0; i < best.len; i++)
        sig->atom.bytes[i] = sig->elems[sig->parts[best.part].first + best.elem + i].val;
    return rc;
}

/* Moves n items of size bytes from *arr into the block at *at (8-byte
 * aligned), freeing the old array. */
static void pack_one(void **arr, size_t n, size_t size, uint8_t **at)
{
    if (n)
        memcpy(*at, *arr, n * size);
    free(*arr);
    *arr = n ? *at : NULL;
    *at += (n * size + 7) & ~(size_t)7;
}

/* The arrays grow by doubling while the text is read; a database keeps
 * hundreds of thousands of signatures, so each is moved into one block of
 * exactly its size. On failure to allocate it the signature stays as it is. */
static void pack(struct bodysig *sig)
{
    size_t sz[7] = {
        (size_t)sig->nparts * sizeof *sig->parts, (size_t)sig->nelems * sizeof *sig->elems,
        (size_t)sig->nclasses * sizeof *sig->classes,
        (size_t)sig->ngroups * sizeof *sig->groups, (size_t)sig->nalts * sizeof *sig->alts,
        sig->npool, sig->nneedles};
    size_t total = 0;
    uint8_t *block, *at;

    for (int i = 0; i < 7; i++)
        total += (sz[i] + 7) & ~(size_t)7;
    if (!total || !(block = malloc(total)))
        return;
    at = block;
    pack_one((void **)&sig->parts, sig->nparts, sizeof *sig->parts, &at);
    pack_one((void **)&sig->elems, sig->nelems, sizeof *sig->elems, &at);
    pack_one((void **)&sig->classes, sig->nclasses, sizeof *sig->classes, &at);
    pack_one((void **)&sig->groups, sig->ngroups, sizeof *sig->groups, &at);
    pack_one((void **)&sig->alts, sig->nalts, sizeof *sig->alts, &at);
    pack_one((void **)&sig->pool, sig->npool, 1, &at);
    pack_one((void **)&sig->needles, sig->nneedles, 1, &at);
    sig->block = block;
}

/* The best run of a part of a full signature. */
static unsigned part_atom_full(const struct bodysig *sig, uint32_t part,
                               struct bodysig_atom *out)
{
    struct window w;

    out->len = 0;
    if (part >= sig->nparts || sig->slim)
        return 0;
    w = best_in_part(sig, part);
    out->len = w.len;
    for (uint32_t i = 0; i < w.len; i++)
        out->bytes[i] = sig->elems[sig->parts[part].first + w.elem + i].val;
    return w.weight;
}

/* Whether element e always consumes the same number of bytes, and how many. */
static int fixed_len(const struct bodysig *sig, const struct bs_elem *e, uint32_t *n)
{
    *n = bodysig_elem_min(sig, e);
    return *n == bodysig_elem_max(sig, e);
}

/* The quick test of a full signature's atom. */
static void quick_full(const struct bodysig *sig, struct bodysig_quick *q)
{
    const struct bs_part *p = &sig->parts[sig->atom_part];
    const struct bs_elem *e = sig->elems + p->first;
    uint32_t k, n, d;

    memset(q, 0, sizeof *q);
    if (sig->slim)
        return;
    /* Right of the atom: element k starts d bytes after its end. */
    for (k = sig->atom_elem + (uint32_t)sig->atom.len, d = 0; k < p->count && d < 8; k++) {
        if (!fixed_len(sig, &e[k], &n))
            break;
        if (e[k].kind == BS_BYTE) {
            q->rval |= (uint64_t)e[k].val << (8 * d);
            q->rmask |= (uint64_t)e[k].mask << (8 * d);
        }
        d += n;
    }
    /* Left of it: element k ends d bytes before its start. */
    for (k = sig->atom_elem, d = 0; k-- > 0 && d < 8;) {
        if (!fixed_len(sig, &e[k], &n))
            break;
        d += n;
        if (e[k].kind == BS_BYTE && d <= 8) {
            q->lval |= (uint64_t)e[k].val << (8 * (8 - d));
            q->lmask |= (uint64_t)e[k].mask << (8 * (8 - d));
        }
    }
}

/* What the pre-filter needs besides the atom, kept for slim signatures: the
 * quick test, and the selective runs of the parts before the atom's part
 * (the segments), as records of u16 part, u16 weight, u8 len, len bytes. */
static vigil_status keep_plan(struct bodysig *sig)
{
    struct bodysig_atom a;
    uint8_t rec[5 + BODYSIG_MAX_ATOM];
    size_t n = 0, cap = 0;
    uint8_t *v = NULL, *nv;

    quick_full(sig, &sig->quick);
    sig->literal = sig->nparts == 1 && sig->atom.len == sig->nelems &&
                   sig->parts[0].left.edge == BS_EDGE_NONE && !sig->parts[0].left.anchored &&
                   sig->parts[0].right.edge == BS_EDGE_NONE && !sig->parts[0].right.anchored;
    for (uint32_t k = 0; k < sig->atom_part; k++) {
        unsigned w = part_atom_full(sig, k, &a);
        if (w < BODYSIG_GOOD_WEIGHT)
            continue;
        rec[0] = (uint8_t)k, rec[1] = (uint8_t)(k >> 8);
        rec[2] = (uint8_t)w, rec[3] = (uint8_t)(w >> 8);
        rec[4] = (uint8_t)a.len;
        memcpy(rec + 5, a.bytes, a.len);
        if (n + 5 + a.len > cap) {
            cap = cap ? 2 * cap : 64;
            if (!(nv = realloc(v, cap))) {
                free(v);
                return VIGIL_ENOMEM;
            }
            v = nv;
        }
        memcpy(v + n, rec, 5 + a.len);
        n += 5 + a.len;
    }
    sig->segs = v;
    sig->nsegbytes = (uint32_t)n;
    return VIGIL_OK;
}

unsigned bodysig_part_atom(const struct bodysig *sig, uint32_t part,
                           struct bodysig_atom *out)
{
    out->len = 0;
    for (uint32_t i = 0; i + 5 <= sig->nsegbytes; i += 5 + sig->segs[i + 4]) {
        const uint8_t *r = sig->segs + i;
        if ((uint32_t)(r[0] | r[1] << 8) != part)
            continue;
        out->len = r[4];
        memcpy(out->bytes, r + 5, r[4]);
        return (unsigned)(r[2] | r[3] << 8);
    }
    return 0;
}

int bodysig_literal(const struct bodysig *sig)
{
    return sig->literal;
}

void bodysig_quick(const struct bodysig *sig, struct bodysig_quick *q)
{
    *q = sig->quick;
}

vigil_status bodysig_parse(const char *hex, size_t len, struct bodysig **out, char *why,
                           size_t whylen)
{
    struct bodysig *sig = calloc(1, sizeof *sig);
    vigil_status rc;

    *out = NULL;
    if (!sig)
        return VIGIL_ENOMEM;
    rc = bodysig_parse_text(sig, hex, len, why, whylen);
    if (rc == VIGIL_OK)
        rc = finish(sig, why, whylen);
    if (rc != VIGIL_OK) {
        bodysig_free(sig);
        return rc;
    }
    pack(sig);
    if (keep_plan(sig) != VIGIL_OK || !(sig->text = malloc(len + 1))) {
        bodysig_free(sig);
        return VIGIL_ENOMEM;
    }
    memcpy(sig->text, hex, len);
    sig->text[len] = '\0';
    sig->textlen = (uint32_t)len;
    *out = sig;
    return VIGIL_OK;
}

/* Frees the arrays of a signature that is not packed. */
static void free_arrays(struct bodysig *sig)
{
    free(sig->parts);
    free(sig->elems);
    free(sig->classes);
    free(sig->groups);
    free(sig->alts);
    free(sig->pool);
    free(sig->needles);
}

void bodysig_free(struct bodysig *sig)
{
    if (!sig)
        return;
    free(sig->text);
    free(sig->segs);
    if (sig->block || sig->slim) { /* packed: every array lives in it */
        free(sig->block);
        free(sig);
        return;
    }
    free_arrays(sig);
    free(sig);
}

void bodysig_slim(struct bodysig *sig)
{
    if (sig->slim)
        return;
    if (!sig->block) /* pack() could not allocate its block */
        free_arrays(sig);
    free(sig->block);
    sig->block = NULL;
    sig->parts = NULL;
    sig->elems = NULL;
    sig->classes = NULL;
    sig->groups = NULL;
    sig->alts = NULL;
    sig->pool = NULL;
    sig->needles = NULL;
    sig->slim = 1;
}

vigil_status bodysig_expand(const struct bodysig *sig, struct bodysig **out)
{
    char why[8];

    return bodysig_parse(sig->text, sig->textlen, out, why, sizeof why);
}

const struct bodysig_atom *bodysig_atom(const struct bodysig *sig)
{
    return &sig->atom;
}

uint32_t bodysig_nparts(const struct bodysig *sig)
{
    return sig->nparts;
}

uint32_t bodysig_atom_part(const struct bodysig *sig)
{
    return sig->atom_part;
}

size_t bodysig_min_len(const struct bodysig *sig)
{
    return sig->min_len;
}

size_t bodysig_max_len(const struct bodysig *sig)
{
    return sig->max_len;
}
