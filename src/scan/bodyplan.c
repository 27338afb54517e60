/* bodyplan.c - the atoms and segments of the body signatures (see
 * bodyplan.h for why segments exist). */
#include "scan/bodyplan.h"

#include <stdlib.h>
#include <string.h>

#include "db/ndb.h"
#include "match/atoms.h"
#include "match/bodysig.h"

/* The parts of sig before its atom's part whose best run is selective
 * enough to be looked for (a weak one, like a lone 00 00, would hit
 * everywhere and filter nothing). */
static uint64_t plan_parts(const struct bodysig *sig)
{
    uint32_t ap = bodysig_atom_part(sig);
    struct bodysig_atom a;
    uint64_t need = 0;

    for (uint32_t k = 0; k < ap && k < BODYPLAN_MAX_PARTS; k++)
        if (bodysig_part_atom(sig, k, &a) >= BODYSIG_GOOD_WEIGHT)
            need |= (uint64_t)1 << k;
    return need;
}

static vigil_status plan_grow(void **v, size_t *cap, size_t need, size_t size)
{
    void *n;
    size_t c = *cap ? *cap : 64;

    if (need <= *cap)
        return VIGIL_OK;
    while (c < need)
        c *= 2;
    if (!(n = realloc(*v, c * size)))
        return VIGIL_ENOMEM;
    *v = n;
    *cap = c;
    return VIGIL_OK;
}

/* Gives signature i a slot and adds its segments' atoms. */
static vigil_status plan_segments(struct bodyplan *p, struct atoms *a,
                                  const struct ndb_sig *s, uint32_t i, uint64_t need,
                                  size_t *cap_need, size_t *cap_segs)
{
    unsigned flags = (s->flags & NDB_F_NOCASE) ? ATOMS_CASELESS : 0;
    struct bodysig_atom at;
    vigil_status st;

    if ((st = plan_grow((void **)&p->need, cap_need, p->nslots + 1, sizeof *p->need)))
        return st;
    p->slot[i] = p->nslots;
    p->need[p->nslots] = need;
    for (uint32_t k = 0; k < BODYPLAN_MAX_PARTS; k++) {
        if (!(need & ((uint64_t)1 << k)))
            continue;
        if (p->nsegs >= BODYPLAN_SEG - 1)
            return VIGIL_ENOMEM;
        if ((st = plan_grow((void **)&p->segs, cap_segs, p->nsegs + 1, sizeof *p->segs)))
            return st;
        bodysig_part_atom(s->sig, k, &at);
        st = atoms_add(a, s->target, at.bytes, at.len, BODYPLAN_SEG | p->nsegs, flags);
        if (st != VIGIL_OK)
            return st;
        p->segs[p->nsegs++] = (struct bodyplan_seg){p->nslots, k};
    }
    p->nslots++;
    return VIGIL_OK;
}

vigil_status bodyplan_build(struct bodyplan *p, struct atoms *a, const struct ndb_table *t,
                            uint32_t *bad)
{
    size_t cap_need = 0, cap_segs = 0;
    vigil_status st = VIGIL_OK;

    memset(p, 0, sizeof *p);
    *bad = BODYPLAN_NONE;
    if (t->n >= BODYPLAN_SEG)
        return VIGIL_ENOMEM;
    p->slot = malloc((t->n ? t->n : 1) * sizeof *p->slot);
    p->quick = calloc(t->n ? t->n : 1, sizeof *p->quick);
    if (!p->slot || !p->quick)
        return VIGIL_ENOMEM;
    for (size_t i = 0; i < t->n && st == VIGIL_OK; i++) {
        const struct ndb_sig *s = &t->v[i];
        const struct bodysig_atom *at = bodysig_atom(s->sig);
        uint64_t need = plan_parts(s->sig);

        p->slot[i] = BODYPLAN_NONE;
        p->quick[i].atom_len = (uint32_t)at->len;
        /* ::i signatures are verified on the folded object: no quick test
         * on the raw bytes. */
        if (!(s->flags & NDB_F_NOCASE))
            bodysig_quick(s->sig, &p->quick[i].q);
        st = atoms_add(a, s->target, at->bytes, at->len, (uint32_t)i,
                       (s->flags & NDB_F_NOCASE) ? ATOMS_CASELESS : 0);
        if (st == VIGIL_OK && need)
            st = plan_segments(p, a, s, (uint32_t)i, need, &cap_need, &cap_segs);
        if (st != VIGIL_OK)
            *bad = (uint32_t)i;
    }
    return st;
}

/* Reads the 8 bytes at buf + off (off may lie partly outside [0, len): those
 * bytes read as 0 and their bits are cleared in *have). */
static uint64_t load8(const uint8_t *buf, size_t len, int64_t off, uint64_t *have)
{
    uint64_t v = 0;

    *have = 0;
    for (int i = 0; i < 8; i++) {
        int64_t o = off + i;
        if (o >= 0 && (uint64_t)o < len) {
            v |= (uint64_t)buf[o] << (8 * i);
            *have |= (uint64_t)0xFF << (8 * i);
        }
    }
    return v;
}

/* Does the word of 8 bytes at off pass (val, mask)? Bytes the signature
 * needs that lie outside the buffer fail it. */
static int word_pass(const uint8_t *buf, size_t len, int64_t off, uint64_t val,
                     uint64_t mask)
{
    uint64_t v, have;

    if (!mask)
        return 1;
    if (off >= 0 && (uint64_t)off + 8 <= len) {
        memcpy(&v, buf + off, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        v = __builtin_bswap64(v);
#endif
        return (v & mask) == val;
    }
    v = load8(buf, len, off, &have);
    return (mask & ~have) == 0 && (v & mask) == val;
}

int bodyplan_quick_pass(const struct bodyplan *p, uint32_t sig, const uint8_t *buf,
                        size_t len, size_t at)
{
    const struct bodyplan_quick *q = &p->quick[sig];

    return word_pass(buf, len, (int64_t)at + q->atom_len, q->q.rval, q->q.rmask) &&
           word_pass(buf, len, (int64_t)at - 8, q->q.lval, q->q.lmask);
}

void bodyplan_free(struct bodyplan *p)
{
    free(p->quick);
    free(p->slot);
    free(p->need);
    free(p->segs);
    memset(p, 0, sizeof *p);
}
