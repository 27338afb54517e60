/* body.c - body-signature matching: Vectorscan finds atoms, the verifier
 * decides each candidate against the whole pattern and its offset window,
 * and the matches are reported by the offset where each ends, then by load
 * order. With allmatch, clamscan 1.4 reports a signature once per occurrence
 * (measured: "HELLO" three times in a file gives three FOUND lines), so
 * matches are kept per (signature, end offset); without it the first
 * verified match of a signature ends its search. */
#include "scan/body.h"

#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "match/atoms.h"
#include "match/bodysig.h"
#include "scan/exe.h"
#include "scan/filetype.h"
#include "scan/offset.h"
#include "scan/result.h"

/* Matches kept per object; allmatch on a hostile file stays bounded. */
#define BODY_MAX_HITS 4096

vigil_status body_scratch_init(struct body_scratch *b, const struct vigil_engine *e)
{
    vigil_status st;

    memset(b, 0, sizeof *b);
    if ((st = lsig_scratch_init(&b->lsig, e)) != VIGIL_OK || e->body.n == 0)
        return st;
    b->seen = calloc((e->body.n + 7) / 8, 1);
    if (!b->seen || bodysig_memo_new(&b->memo) != VIGIL_OK)
        return VIGIL_ENOMEM;
    return atoms_scratch_new(e->atoms, &b->atoms);
}

void body_scratch_free(struct body_scratch *b)
{
    atoms_scratch_free(b->atoms);
    bodysig_memo_free(b->memo);
    lsig_scratch_free(&b->lsig);
    free(b->seen);
    free(b->hits);
    memset(b, 0, sizeof *b);
}

struct body_ctx {
    const struct vigil_engine *e;
    struct body_scratch *b;
    const uint8_t *buf;
    size_t len;
    int allmatch;
    vigil_status st;
    const struct exe_layout *exe;
    int limited; /* BODY_MAX_HITS reached */
};

static int body_hit_add(struct body_ctx *c, uint32_t sig, size_t end)
{
    struct body_scratch *b = c->b;

    if (b->nhits == BODY_MAX_HITS) {
        c->limited = 1; /* the result says so: VIGIL_LIMIT_DETECTIONS */
        return 1;
    }
    if (b->nhits == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        struct body_hit *h = realloc(b->hits, cap * sizeof *h);
        if (!h) {
            c->st = VIGIL_ENOMEM;
            return 1;
        }
        b->hits = h;
        b->cap = cap;
    }
    b->hits[b->nhits++] = (struct body_hit){sig, end, c->e->body.v[sig].target == 0};
    b->seen[sig / 8] |= (uint8_t)(1u << (sig % 8));
    return 0;
}

/* Called by the pre-filter for each atom hit: verify the whole signature.
 * A subsignature of a logical signature is counted there (every
 * occurrence), not reported; ::i ones are verified on the folded object. */
static int body_on_atom(void *arg, uint32_t sig, size_t at)
{
    struct body_ctx *c = arg;
    const struct ndb_sig *s = &c->e->body.v[sig];
    const uint8_t *buf = c->buf;
    uint64_t lo, hi;
    size_t start, end;

    if (s->lsig == NDB_NO_LSIG && !c->allmatch &&
        (c->b->seen[sig / 8] & (1u << (sig % 8))))
        return 0;
    if (!offset_window(&s->off, c->len, c->exe, &lo, &hi))
        return 0;
    if (hi >= c->len)
        hi = c->len - 1;
    if ((s->flags & NDB_F_NOCASE) && !(buf = lsig_folded(&c->b->lsig, c->buf, c->len))) {
        c->st = VIGIL_ENOMEM;
        return 1;
    }
    if (!bodysig_verify_memo(s->sig, c->b->memo, sig, buf, c->len, at, (size_t)lo,
                             (size_t)hi, &start, &end))
        return 0;
    if (s->lsig != NDB_NO_LSIG) {
        c->st = lsig_hit(&c->b->lsig, c->e, s, start, end);
        return c->st != VIGIL_OK;
    }
    return body_hit_add(c, sig, end);
}

static int hit_cmp(const void *a, const void *b)
{
    const struct body_hit *x = a, *y = b;

    /* clamscan lists the matches of the object's own target type before
     * those of target 0 (measured on PE files). */
    if (x->any_target != y->any_target)
        return x->any_target ? 1 : -1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return x->sig < y->sig ? -1 : x->sig > y->sig;
}

vigil_status body_scan(const struct vigil_engine *e, struct body_scratch *b,
                       const uint8_t *buf, size_t len, int allmatch,
                       struct vigil_result *r)
{
    struct body_ctx c = {e, b, buf, len, allmatch, VIGIL_OK, NULL, 0};
    unsigned type;
    vigil_status st;

    if ((e->body.n == 0 && e->ldb.n == 0) || len == 0)
        return VIGIL_OK;
    b->nhits = 0;
    if (b->memo)
        bodysig_memo_reset(b->memo);
    lsig_reset(&b->lsig);
    type = filetype_target(buf, len);
    if (type == TARGET_PE || type == TARGET_ELF || type == TARGET_MACHO) {
        exe_layout_read(buf, len, type, &b->exe);
        c.exe = &b->exe.layout;
    }
    st = atoms_scan(e->atoms, b->atoms, TARGET_ANY, buf, len, body_on_atom, &c);
    if (st == VIGIL_OK && type != TARGET_ANY)
        st = atoms_scan(e->atoms, b->atoms, type, buf, len, body_on_atom, &c);
    if (st == VIGIL_OK)
        st = c.st;
    if (c.limited)
        r->limits |= VIGIL_LIMIT_DETECTIONS;
    if (st == VIGIL_OK && (allmatch || b->nhits == 0))
        st = lsig_finish(e, &b->lsig, buf, len, type, c.exe, allmatch);
    if (b->nhits > 1)
        qsort(b->hits, b->nhits, sizeof *b->hits, hit_cmp);
    for (size_t i = 0; i < b->nhits; i++) {
        uint32_t sig = b->hits[i].sig;
        b->seen[sig / 8] = 0; /* clear for the next object */
        if (i > 0 && sig == b->hits[i - 1].sig && b->hits[i].end == b->hits[i - 1].end)
            continue; /* the same occurrence, found through another atom hit */
        if (st == VIGIL_OK && (allmatch || i == 0))
            st = result_add(r, strtab_get(&e->names, e->body.v[sig].name), "", 0);
    }
    return st;
}
