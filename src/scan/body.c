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
#include "core/image_engine.h"
#include "match/atoms.h"
#include "match/bodysig.h"
#include "match/bodysig_image.h"
#include "scan/exe.h"
#include "scan/filetype.h"
#include "scan/offset.h"
#include "scan/result.h"
#include "unpack/format.h"


/* Matches kept per object; allmatch on a hostile file stays bounded. */
#define BODY_MAX_HITS 4096

/* Atom hits put aside until the segments they wait for may have been seen;
 * past this many, hits are verified at once (slower, same answer). */
#define BODY_MAX_PENDING 65536

vigil_status body_scratch_init(struct body_scratch *b, const struct vigil_engine *e)
{
    vigil_status st;

    memset(b, 0, sizeof *b);
    if ((st = lsig_scratch_init(&b->lsig, e)) != VIGIL_OK || e->body.n == 0)
        return st;
    b->seen = calloc((e->body.n + 7) / 8, 1);
    if (!b->seen || bodysig_memo_new(&b->memo) != VIGIL_OK)
        return VIGIL_ENOMEM;
    if (e->plan.nslots &&
        !(b->slots = calloc(e->plan.nslots, sizeof *b->slots)))
        return VIGIL_ENOMEM;
    if (!(b->full = calloc(BODY_FULL_SLOTS, sizeof *b->full)) ||
        !(b->enum_gen = calloc(e->body.n, sizeof *b->enum_gen)) ||
        !(b->view = bodysig_views_new(1)))
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
    free(b->slots);
    free(b->enum_gen);
    free(b->pending);
    for (size_t i = 0; b->full && i < BODY_FULL_SLOTS; i++)
        bodysig_free(b->full[i].sig);
    free(b->full);
    bodysig_views_free(b->view);
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

/* Whether clamscan gives the signature to its Boyer-Moore matcher, which
 * scans a buffer before Aho-Corasick does, so that its matches are reported
 * first: a pattern of plain bytes (libclamav readdb.c: no "?([*{!"), of
 * target 0, or of target 1 at a fixed offset that does not float (the rule
 * measured for ndb.c's "too short" check). */
static int body_bm(const struct body_ctx *c, uint32_t id)
{
    const struct ndb_sig *s = &c->e->body.v[id];
    const struct bodysig *sig = image_engine_body_sig(c->e, id, c->b->view);

    if (s->lsig != NDB_NO_LSIG || !sig || !bodysig_literal(sig))
        return 0;
    return s->target == 0 || (s->target == 1 && s->off.kind != OFF_ANY && s->off.shift == 0);
}

static int body_hit_add(struct body_ctx *c, uint32_t sig, size_t start, size_t end)
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
    b->hits[b->nhits++] = (struct body_hit){
        sig, start, end, c->e->body.v[sig].target == 0, !body_bm(c, sig)};
    b->seen[sig / 8] |= (uint8_t)(1u << (sig % 8));
    return 0;
}

/* The parts of signature slot seen in this object. */
static uint64_t *slot_bits(struct body_scratch *b, uint32_t slot)
{
    struct body_slot *sl = &b->slots[slot];

    if (sl->gen != b->gen) {
        sl->gen = b->gen;
        sl->bits = 0;
    }
    return &sl->bits;
}

/* Puts an atom hit aside until the end of the pass; 0 if there is no room. */
static int body_defer(struct body_ctx *c, uint32_t sig, size_t at)
{
    struct body_scratch *b = c->b;

    if (b->npending == BODY_MAX_PENDING)
        return 0;
    if (b->npending == b->cap_pending) {
        size_t cap = b->cap_pending ? b->cap_pending * 2 : 64;
        struct body_pending *p = realloc(b->pending, cap * sizeof *p);
        if (!p)
            return 0;
        b->pending = p;
        b->cap_pending = cap;
    }
    b->pending[b->npending++] = (struct body_pending){sig, at};
    return 1;
}

static int body_verify(struct body_ctx *c, uint32_t sig, size_t at);

/* Called by the pre-filter for each hit. A segment hit marks its part as
 * seen. An atom hit is verified if every segment of its signature has been
 * seen; if not, it waits for the end of the pass, because Vectorscan does not
 * promise to report hits in the order of their offsets. */
static int body_on_atom(void *arg, uint32_t id, size_t at)
{
    struct body_ctx *c = arg;
    const struct bodyplan *p = &c->e->plan;
    uint32_t slot;

    /* Ids are below the plan's counts (the pre-filter checks them); slots
     * and bits are checked here, as an image's plan is not at attach. */
    if (id & BODYPLAN_SEG) {
        const struct bodyplan_seg *g = &p->segs[id & ~BODYPLAN_SEG];
        if (g->slot < p->nslots && g->bit < 64)
            *slot_bits(c->b, g->slot) |= (uint64_t)1 << g->bit;
        return 0;
    }
    if (!bodyplan_quick_pass(p, id, c->buf, c->len, at))
        return 0;
    slot = p->slot[id];
    if (slot != BODYPLAN_NONE && slot >= p->nslots)
        return 0;
    if (slot != BODYPLAN_NONE && (*slot_bits(c->b, slot) & p->need[slot]) != p->need[slot] &&
        body_defer(c, id, at))
        return 0;
    return body_verify(c, id, at);
}

/* Verifies the atom hits put aside during a pass whose segments have all
 * been seen by its end. */
static int body_flush(struct body_ctx *c)
{
    struct body_scratch *b = c->b;
    const struct bodyplan *p = &c->e->plan;
    int stop = 0;

    for (size_t i = 0; i < b->npending && !stop; i++) {
        uint32_t sig = b->pending[i].sig, slot = p->slot[sig];
        if ((*slot_bits(b, slot) & p->need[slot]) == p->need[slot])
            stop = body_verify(c, sig, b->pending[i].at);
    }
    b->npending = 0;
    return stop;
}

/* The full form of signature id, parsed again from slim (the engine's
 * slim one) unless a recent verification left it in the scratch. NULL if
 * out of memory. */
static const struct bodysig *body_full_sig(struct body_ctx *c, uint32_t id,
                                           const struct bodysig *slim)
{
    struct body_full *f = &c->b->full[id % BODY_FULL_SLOTS];
    struct bodysig *sig = NULL;

    if (f->sig && f->id == id)
        return f->sig;
    if (bodysig_expand(slim, &sig) != VIGIL_OK)
        return NULL;
    bodysig_free(f->sig);
    f->sig = sig;
    f->id = id;
    return sig;
}

/* Reports one match of signature sig: a macro group member only tells
 * logical signatures where the group last matched (ClamAV's
 * macro_lastmatch) and is never reported; a subsignature is counted; any
 * other signature is a hit. Returns nonzero to stop the scan. */
static int body_report(struct body_ctx *c, uint32_t sig, size_t start, size_t end)
{
    const struct ndb_sig *s = &c->e->body.v[sig];

    if (s->off.kind == OFF_MACRO) {
        lsig_macro_hit(&c->b->lsig, (unsigned)s->off.n, start);
        return 0;
    }
    if (s->lsig != NDB_NO_LSIG) {
        c->st = lsig_hit(&c->b->lsig, c->e, s, start, end);
        return c->st != VIGIL_OK;
    }
    return body_hit_add(c, sig, start, end);
}

/* A signature of several parts matched ([start, end) from an atom hit).
 * clamscan reports such a signature once per place its last part ends (with
 * allmatch; and counts it so for logical signatures): every occurrence of
 * the last part's needle in the object is tried, once per object. */
static int body_every_end(struct body_ctx *c, uint32_t sig, const struct bodysig *full,
                          const uint8_t *buf, size_t lo, size_t hi, size_t start,
                          size_t end)
{
    const uint8_t *needle, *p = buf, *stop = buf + c->len;
    size_t nl = bodysig_last_needle(full, &needle), s, e;
    int found = 0;

    if (c->b->enum_gen[sig] == c->b->gen)
        return 0; /* every end was reported when it first matched */
    c->b->enum_gen[sig] = c->b->gen;
    while (nl && (p = memmem(p, (size_t)(stop - p), needle, nl)) != NULL) {
        if (bodysig_verify_last(full, c->b->memo, sig, buf, c->len, (size_t)(p - buf), lo,
                                hi, &s, &e)) {
            found = 1;
            if (body_report(c, sig, s, e))
                return 1;
        }
        p++;
    }
    return found ? 0 : body_report(c, sig, start, end);
}

/* Verifies the whole signature around an atom hit, its start in [lo, hi]. A
 * subsignature of a logical signature is counted there (every occurrence),
 * not reported; ::i ones are verified on the folded object. */
static int body_verify_in(struct body_ctx *c, uint32_t sig, size_t at, uint64_t lo,
                          uint64_t hi)
{
    const struct ndb_sig *s = &c->e->body.v[sig];
    const struct bodysig *full, *slim = image_engine_body_sig(c->e, sig, c->b->view);
    const uint8_t *buf = c->buf;
    size_t start, end;

    if (!slim)
        return 0; /* a damaged image's record: never matches */
    if (hi >= c->len)
        hi = c->len - 1;
    if ((s->flags & NDB_F_NOCASE) && !(buf = lsig_folded(&c->b->lsig, c->buf, c->len))) {
        c->st = VIGIL_ENOMEM;
        return 1;
    }
    if (bodysig_literal(slim) && !(s->flags & NDB_F_NOCASE)) {
        /* The pre-filter matched all of it; only the offset is left. */
        if (at < lo || at > hi)
            return 0;
        start = at;
        end = at + bodysig_atom(slim)->len;
    } else if (!(full = body_full_sig(c, sig, slim))) {
        c->st = VIGIL_ENOMEM;
        return 1;
    } else if (!bodysig_verify_memo(full, c->b->memo, sig, buf, c->len, at, (size_t)lo,
                                    (size_t)hi, &start, &end)) {
        return 0;
    } else if (bodysig_nparts(full) > 1 && s->off.kind != OFF_MACRO &&
               (c->allmatch || s->lsig != NDB_NO_LSIG)) {
        return body_every_end(c, sig, full, buf, (size_t)lo, (size_t)hi, start, end);
    }
    return body_report(c, sig, start, end);
}

/* Verifies signature sig around an atom hit at `at`. A VI signature must
 * start exactly at one of the PE's version information offsets (clamscan's
 * vinfo set; none outside a PE), each tried as its own window. */
static int body_verify(struct body_ctx *c, uint32_t sig, size_t at)
{
    const struct ndb_sig *s = &c->e->body.v[sig];
    uint64_t lo, hi;

    if (!image_engine_body_ok(c->e, sig))
        return 0; /* a damaged image's entry: never matches */
    if (s->lsig == NDB_NO_LSIG && !c->allmatch &&
        (c->b->seen[sig / 8] & (1u << (sig % 8))))
        return 0;
    if (s->off.kind == OFF_VERSION) {
        if (!c->exe || !c->exe->valid)
            return 0;
        for (uint32_t i = 0; i < c->exe->nvinfo && c->exe->vinfo[i] <= at; i++)
            if (c->exe->vinfo[i] < c->len &&
                body_verify_in(c, sig, at, c->exe->vinfo[i], c->exe->vinfo[i]))
                return 1;
        return 0;
    }
    if (!offset_window(&s->off, c->len, c->exe, &lo, &hi))
        return 0;
    return body_verify_in(c, sig, at, lo, hi);
}

static int hit_cmp(const void *a, const void *b)
{
    const struct body_hit *x = a, *y = b;

    /* clamscan lists the matches of the object's own target type before
     * those of target 0 (measured on PE files). */
    if (x->any_target != y->any_target)
        return x->any_target ? 1 : -1;
    /* Each of clamscan's matchers scans the buffer before the next. Its
     * Boyer-Moore matcher reports by where patterns start, newest pattern
     * first among equal ones (each is pushed on its hash bucket's list);
     * Aho-Corasick by where they end. */
    if (x->ac != y->ac)
        return x->ac ? 1 : -1;
    if (!x->ac) {
        if (x->start != y->start)
            return x->start < y->start ? -1 : 1;
        if (x->sig != y->sig)
            return x->sig > y->sig ? -1 : 1;
    }
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return x->sig < y->sig ? -1 : x->sig > y->sig;
}

vigil_status body_scan(const struct vigil_engine *e, struct body_scratch *b,
                       const uint8_t *buf, size_t len, unsigned type, int allmatch,
                       struct vigil_result *r)
{
    struct body_ctx c = {e, b, buf, len, allmatch, VIGIL_OK, NULL, 0};
    vigil_status st;

    if ((e->body.n == 0 && e->ldb.n == 0) || len == 0)
        return VIGIL_OK;
    b->nhits = 0;
    b->npending = 0;
    if (++b->gen == 0) { /* wrapped: forget every slot for real */
        if (e->plan.nslots)
            memset(b->slots, 0, e->plan.nslots * sizeof *b->slots);
        memset(b->enum_gen, 0, e->body.n * sizeof *b->enum_gen);
        b->gen = 1;
    } /* every slot's seen parts now start empty */
    if (b->memo)
        bodysig_memo_reset(b->memo);
    lsig_reset(&b->lsig);
    if (type == TARGET_PE || type == TARGET_ELF || type == TARGET_MACHO) {
        exe_layout_read(buf, len, type, &b->exe);
        c.exe = &b->exe.layout;
    }
    st = atoms_scan(e->atoms, b->atoms, TARGET_ANY, buf, len, body_on_atom, &c);
    if (st == VIGIL_OK && c.st == VIGIL_OK)
        body_flush(&c);
    if (st == VIGIL_OK && c.st == VIGIL_OK && type != TARGET_ANY) {
        st = atoms_scan(e->atoms, b->atoms, type, buf, len, body_on_atom, &c);
        if (st == VIGIL_OK && c.st == VIGIL_OK)
            body_flush(&c);
    }
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
