/* lsig.c - logical signatures in the scan of one object.
 *
 * Spec: ClamAV matcher-ac.c lsig_sub_matched / cli_ac_chkmacro /
 * cli_ac_chklsig, matcher.c lsig_eval / cli_exp_eval, matcher-pcre.c and
 * matcher-byte-comp.c, measured against clamscan 1.4.6:
 *   - a subsignature's match counts when it starts after the start of the
 *     last counted one (at or after, for patterns ClamAV matches in parts),
 *     so overlapping occurrences count ("AA" in "AAAA" is 3 matches);
 *   - after the body pass, per logical signature: byte compares (when their
 *     reference matched, from the start of its last counted match, as they
 *     fare on clamscan's first 128 KiB buffer: LSIG_BCOMP_WINDOW), then
 *     PCREs whose trigger holds, then the macro checks, then the
 *     expression, then the target description block;
 *   - logical signatures of the object's own target come first, then those
 *     of target 0, each in load order; without allmatch the first match
 *     ends the evaluation; clamscan reports them after body and hash
 *     matches.
 * Container and Intermediates are compared with the object's place in its
 * containers, which the scan layer sets (lsig_scratch.container/inter).
 * Not honoured yet: HandlerType (vigil reports nothing for such a
 * signature). Measured on clamscan 1.4.6 with a zip whose first two bytes
 * were changed and Handler.Zip;...,HandlerType:CL_TYPE_ZIP;0;0:5859: the
 * object is scanned again as that type in a new layer; there the same
 * signature matches again (the object's hash is already marked, so no
 * third scan) and is reported as a detection, and with -a the layer path
 * names the last member the retyped walk met ("bad.zip!(1)ZIP:clam.exe").
 * IconGroup (needs .idb, which
 * vigil does not load: never matches, as in clamscan without one). Macro
 * groups are filled by body signatures with a $n offset (scan/body.c calls
 * lsig_macro_hit with where each member starts); as in clamscan 1.4.6 the
 * macro subsignature itself is never counted, so it only cancels counts of
 * the subsignature before it (tests/compat/macro.sh).
 * Limits: per-object state is bounded by the engine (one slot of nsubs
 * counters per logical signature). */
#include "scan/lsig.h"

#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "match/bcomp.h"
#include "match/lexpr.h"
#include "match/lpcre.h"
#include "scan/result.h"

#define LSIG_NONE UINT64_MAX
/* A folded copy larger than this is given back after the object. */
#define LSIG_KEEP_FOLD ((size_t)16 << 20)

static const uint32_t lsig_zero[LDB_MAX_SUBSIGS];

vigil_status lsig_scratch_init(struct lsig_scratch *s, const struct vigil_engine *e)
{
    const struct ldb_table *t = &e->ldb;
    vigil_status st;

    memset(s, 0, sizeof *s);
    for (int g = 0; g < 32; g++)
        s->macro_last[g] = LSIG_NONE;
    if (t->n == 0)
        return VIGIL_OK;
    s->max = (size_t)t->nsubs_total;
    s->slot_of = malloc(t->n * sizeof *s->slot_of);
    s->touched = malloc(t->n * sizeof *s->touched);
    s->always = malloc(t->n * sizeof *s->always);
    s->cand = malloc(t->n * sizeof *s->cand);
    s->found = malloc(t->n * sizeof *s->found);
    if (!s->slot_of || !s->touched || !s->always || !s->cand || !s->found)
        return VIGIL_ENOMEM;
    for (size_t i = 0; i < t->n; i++) {
        s->slot_of[i] = UINT32_MAX;
        if (t->v[i].flags & LDB_F_ALWAYS)
            s->always[s->nalways++] = (uint32_t)i;
    }
    st = t->npcre ? lpcre_scratch_new(&s->pcre) : VIGIL_OK;
    return st;
}

void lsig_scratch_free(struct lsig_scratch *s)
{
    free(s->slot_of);
    free(s->touched);
    free(s->cnt);
    free(s->pos);
    free(s->always);
    free(s->cand);
    free(s->found);
    free(s->fold);
    lpcre_scratch_free(s->pcre);
    memset(s, 0, sizeof *s);
}

void lsig_reset(struct lsig_scratch *s)
{
    for (size_t i = 0; i < s->ntouched; i++)
        s->slot_of[s->touched[i]] = UINT32_MAX;
    s->ntouched = 0;
    s->used = 0;
    s->nfound = 0;
    s->folded = 0;
    for (int g = 0; g < 32; g++)
        s->macro_last[g] = LSIG_NONE;
    if (s->fold_cap > LSIG_KEEP_FOLD) {
        free(s->fold);
        s->fold = NULL;
        s->fold_cap = 0;
    }
}

/* Returns the slot (counts, last starts) of logical signature l, creating
 * it; UINT32_MAX when out of memory. */
static uint32_t lsig_slot(struct lsig_scratch *s, const struct vigil_engine *e,
                          uint32_t l)
{
    unsigned n = e->ldb.v[l].nsubs;
    uint32_t slot;

    if (s->slot_of[l] != UINT32_MAX)
        return s->slot_of[l];
    if (s->used + n > s->cap) {
        size_t cap = s->cap ? s->cap : 256;
        uint32_t *c;
        struct lsig_pos *z;
        while (cap < s->used + n)
            cap *= 2;
        if (cap > s->max)
            cap = s->max;
        c = realloc(s->cnt, cap * sizeof *c);
        if (c)
            s->cnt = c;
        z = c ? realloc(s->pos, cap * sizeof *z) : NULL;
        if (!z)
            return UINT32_MAX;
        s->pos = z;
        s->cap = cap;
    }
    slot = (uint32_t)s->used;
    s->used += n;
    memset(s->cnt + slot, 0, n * sizeof *s->cnt);
    for (unsigned i = 0; i < n; i++)
        s->pos[slot + i] = (struct lsig_pos){LSIG_NONE, LSIG_NONE, LSIG_NONE};
    s->slot_of[l] = slot;
    s->touched[s->ntouched++] = l;
    return slot;
}

/* The macro that follows subsignature j of l, if any. */
static const struct ldb_macro *lsig_macro(const struct vigil_engine *e, uint32_t l,
                                          unsigned j)
{
    const struct ldb_sig *ls = &e->ldb.v[l];

    for (uint32_t i = 0; i < ls->nmacro; i++)
        if (e->ldb.macro[ls->macro + i].subsig == j)
            return &e->ldb.macro[ls->macro + i];
    return NULL;
}

/* ClamAV's lsig_sub_matched: count a match [realoff, end) of subsignature
 * j (realoff LSIG_NONE: only the macro check, at the end of the object). A
 * pattern matched in parts counts again at the same start for a new end;
 * the same match found twice (through two atom hits) counts once. */
static void lsig_count(struct lsig_scratch *s, const struct vigil_engine *e,
                       uint32_t l, uint32_t slot, unsigned j, uint64_t realoff,
                       uint64_t end, int partial)
{
    uint32_t *cnt = s->cnt + slot;
    struct lsig_pos *pos = s->pos + slot;
    const struct ldb_macro *m = e->ldb.v[l].nmacro ? lsig_macro(e, l, j) : NULL;
    uint64_t lm, prev;

    if (realoff != LSIG_NONE) {
        if (pos[j].last != LSIG_NONE &&
            (partial ? realoff < pos[j].last ||
                           (realoff == pos[j].last && end <= pos[j].lend)
                     : realoff <= pos[j].last))
            return;
        if (cnt[j] < UINT32_MAX)
            cnt[j]++;
        pos[j].lend = end;
        if (end <= LSIG_BCOMP_WINDOW)
            pos[j].win = realoff;
        if (cnt[j] <= 1 || !m)
            pos[j].last = realoff;
    }
    if (!m || cnt[j] <= 1)
        return;
    /* Each later match must have the previous one followed by a macro group
     * match min..max bytes on; otherwise the previous one is withdrawn. */
    lm = s->macro_last[m->group];
    prev = pos[j].last;
    if (lm == LSIG_NONE || prev == LSIG_NONE || prev + m->min > lm || prev + m->max < lm) {
        cnt[j]--;
        pos[j].last = realoff;
    } else {
        cnt[j + 1]++;
        pos[j + 1].last = lm;
    }
}

vigil_status lsig_hit(struct lsig_scratch *s, const struct vigil_engine *e,
                      const struct ndb_sig *sig, size_t start, size_t end)
{
    uint32_t slot = lsig_slot(s, e, sig->lsig);

    if (slot == UINT32_MAX)
        return VIGIL_ENOMEM;
    lsig_count(s, e, sig->lsig, slot, sig->subsig, start, end,
               (sig->flags & NDB_F_PARTIAL) != 0);
    return VIGIL_OK;
}

void lsig_macro_hit(struct lsig_scratch *s, unsigned group, uint64_t start)
{
    if (group < 32)
        s->macro_last[group] = start;
}

const uint8_t *lsig_folded(struct lsig_scratch *s, const uint8_t *buf, size_t len)
{
    if (s->folded)
        return s->fold;
    if (len > s->fold_cap) {
        uint8_t *p = realloc(s->fold, len);
        if (!p)
            return NULL;
        s->fold = p;
        s->fold_cap = len;
    }
    for (size_t i = 0; i < len; i++)
        s->fold[i] = buf[i] >= 'A' && buf[i] <= 'Z' ? (uint8_t)(buf[i] + 32) : buf[i];
    s->folded = 1;
    return s->fold;
}

/* ---- the end of the object ---------------------------------------------- */

/* What one logical signature's evaluation needs. */
struct lsig_eval {
    const struct vigil_engine *e;
    struct lsig_scratch *s;
    const uint8_t *buf;
    size_t len;
    const struct exe_layout *exe;
    uint32_t l, slot;
    unsigned subsig;
};

static int lsig_on_pcre(void *ctx, uint64_t start)
{
    struct lsig_eval *v = ctx;

    lsig_count(v->s, v->e, v->l, v->slot, v->subsig, start, start, 0);
    return 0;
}

/* Byte compares, then PCREs, then the macro checks (ClamAV's order). */
static vigil_status lsig_extras(struct lsig_eval *v)
{
    const struct ldb_sig *ls = &v->e->ldb.v[v->l];
    uint32_t *cnt = v->s->cnt + v->slot;
    size_t win = v->len < LSIG_BCOMP_WINDOW ? v->len : LSIG_BCOMP_WINDOW;
    vigil_status st = VIGIL_OK;

    for (uint32_t i = 0; i < ls->nbcomp; i++) {
        const struct bcomp *b = &v->e->ldb.bcomp[ls->bcomp + i];
        uint64_t base;
        if (b->ref < 0 || b->ref >= ls->nsubs)
            continue;
        base = v->s->pos[v->slot + (unsigned)b->ref].win;
        if (base != LSIG_NONE && bcomp_check(b, v->buf, win, base) &&
            cnt[b->subsig] < UINT32_MAX)
            cnt[b->subsig]++;
    }
    for (uint32_t i = 0; i < ls->npcre && st == VIGIL_OK; i++) {
        const struct lpcre *re = v->e->ldb.pcre[ls->pcre + i];
        const struct lexpr *tr = lpcre_trigger(re);
        if (tr && !lexpr_eval(tr, cnt))
            continue;
        v->subsig = lpcre_subsig(re);
        st = lpcre_scan(re, v->s->pcre, v->buf, v->len, v->exe, lsig_on_pcre, v);
    }
    for (uint32_t i = 0; i < ls->nmacro; i++)
        lsig_count(v->s, v->e, v->l, v->slot, v->e->ldb.macro[ls->macro + i].subsig,
                   LSIG_NONE, LSIG_NONE, 0);
    return st;
}

/* Intermediates X1>...>Xn: the n containers nearest the object, Xn its
 * own container (measured with clamscan 1.4.6 on clam.tar.gz: GZ>POSIX_TAR,
 * POSIX_TAR and GZ alone all hold for an object inside the tar or the gz;
 * on a gzip in a zip in a tar.gz: POSIX_TAR>ZIP>GZ and ANY>ZIP>GZ hold). */
static int lsig_inter_ok(const struct ldb_tdb *t, const struct lsig_scratch *s)
{
    if (t->ninter > s->ninter)
        return 0;
    for (unsigned i = 0; i < t->ninter; i++) {
        uint16_t want = t->inter[t->ninter - 1 - i];
        if (want != 0 && want != s->inter[s->ninter - 1 - i])
            return 0; /* CL_TYPE_ANY stands for any container (measured) */
    }
    return 1;
}

/* The target description block against this object. */
static int lsig_tdb_ok(const struct ldb_tdb *t, const struct lsig_scratch *s, size_t len,
                       const struct exe_layout *exe)
{
    if ((t->have & LDB_TDB_CONTAINER) && t->container != s->container)
        return 0; /* CL_TYPE_ANY: the top level only (measured) */
    if ((t->have & LDB_TDB_INTERMEDIATES) && !lsig_inter_ok(t, s))
        return 0;
    if ((t->have & LDB_TDB_FILESIZE) && (t->filesize[0] > len || t->filesize[1] < len))
        return 0;
    if (t->have & (LDB_TDB_EP | LDB_TDB_NOS)) {
        if (!exe || !exe->valid)
            return 0;
        if ((t->have & LDB_TDB_EP) && (t->ep[0] > exe->ep || t->ep[1] < exe->ep))
            return 0;
        if ((t->have & LDB_TDB_NOS) && (t->nos[0] > exe->nsect || t->nos[1] < exe->nsect))
            return 0;
    }
    if (t->have & (LDB_TDB_ICON | LDB_TDB_HANDLER))
        return 0; /* not honoured yet; see the file comment */
    return 1;
}

/* Evaluates logical signature l; *hit is set when it matched. */
static vigil_status lsig_one(struct lsig_eval *v, uint32_t l, int *hit)
{
    const struct ldb_sig *ls = &v->e->ldb.v[l];
    const uint32_t *cnt = lsig_zero;
    vigil_status st = VIGIL_OK;

    *hit = 0;
    v->l = l;
    v->slot = v->s->slot_of[l];
    if (ls->npcre || ls->nbcomp || ls->nmacro || v->slot != UINT32_MAX) {
        v->slot = lsig_slot(v->s, v->e, l);
        if (v->slot == UINT32_MAX)
            return VIGIL_ENOMEM;
        st = lsig_extras(v);
        cnt = v->s->cnt + v->slot;
    }
    if (st == VIGIL_OK && lexpr_eval(ls->expr, cnt) && lsig_tdb_ok(&ls->tdb, v->s, v->len, v->exe))
        *hit = 1;
    return st;
}

static int lsig_cand_cmp(const void *a, const void *b, void *arg)
{
    const struct vigil_engine *e = arg;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int tx = e->ldb.v[x].target == 0, ty = e->ldb.v[y].target == 0;

    if (tx != ty)
        return tx - ty;
    return x < y ? -1 : x > y;
}

/* The candidates: touched ones and those that may hold without a match,
 * of this target or target 0, without duplicates, in evaluation order. */
static size_t lsig_candidates(const struct vigil_engine *e, struct lsig_scratch *s,
                              unsigned type)
{
    size_t n = 0;

    for (size_t i = 0; i < s->ntouched; i++)
        s->cand[n++] = s->touched[i];
    for (size_t i = 0; i < s->nalways; i++) {
        uint32_t l = s->always[i];
        unsigned t = e->ldb.v[l].target;
        if ((t == 0 || t == type) && s->slot_of[l] == UINT32_MAX)
            s->cand[n++] = l;
    }
    qsort_r(s->cand, n, sizeof *s->cand, lsig_cand_cmp, (void *)(uintptr_t)e);
    return n;
}

vigil_status lsig_finish(const struct vigil_engine *e, struct lsig_scratch *s,
                         const uint8_t *buf, size_t len, unsigned type,
                         const struct exe_layout *exe, int allmatch)
{
    struct lsig_eval v = {e, s, buf, len, exe, 0, 0, 0};
    size_t n;
    int hit;
    vigil_status st = VIGIL_OK;

    s->nfound = 0;
    if (e->ldb.n == 0)
        return VIGIL_OK;
    n = lsig_candidates(e, s, type);
    for (size_t i = 0; i < n && st == VIGIL_OK; i++) {
        st = lsig_one(&v, s->cand[i], &hit);
        if (st == VIGIL_OK && hit) {
            s->found[s->nfound++] = s->cand[i];
            if (!allmatch)
                break;
        }
    }
    return st;
}

size_t lsig_pending(const struct lsig_scratch *s)
{
    return s->nfound;
}

vigil_status lsig_report(const struct vigil_engine *e, struct lsig_scratch *s,
                         int allmatch, struct vigil_result *r)
{
    vigil_status st = VIGIL_OK;

    if (!allmatch && r->n)
        s->nfound = 0;
    for (size_t i = 0; i < s->nfound && st == VIGIL_OK; i++)
        st = result_add(r, strtab_get(&e->names, e->ldb.v[s->found[i]].name), "", 0);
    s->nfound = 0;
    return st;
}

void lsig_drop(struct lsig_scratch *s)
{
    s->nfound = 0;
}
