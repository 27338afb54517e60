/* bodysig_match.c - verify a ClamAV body signature around an atom hit
 * (bodysig_part.c places one part).
 *
 * Semantics are existential: the signature matches if some placement of
 * all its parts fits the buffer, its gaps and its zero-width checks, with
 * the atom where the pre-filter saw it. Within a part, variable elements
 * (generic alternatives, (L)) are followed as sets of positions, never by
 * backtracking. Parts joined by bounded gaps form a block and are followed
 * as sets of positions too; across an unbounded gap only the earliest end
 * (to the right) or the latest start (to the left) of a block matters, so
 * each further block is found by one scan for its needle.
 *
 * Cost of one call, N the buffer length: each part other than the atom's is
 * searched for its needle (memmem, memrchr) over the window its gaps allow:
 * the sum of the bounded gaps' widths, or up to all N bytes across `*` and
 * {n-}. Each needle hit costs one placement of the part: its elements x the
 * bytes of their alternatives x (1 + its length variation, <= BS_MAX_VAR).
 * So a call is O(parts x N x placement) at worst and O(placement) for a
 * signature of one part; nothing is exponential. The caller pays this per
 * atom hit: a file repeating the atom of a signature with `*` whose next
 * part never comes costs O(hits x N). A part matching more than BS_SET_CAP
 * separate times inside one bounded window keeps the first BS_SET_CAP
 * (ClamAV keeps 9). Stack: three sets of BS_SET_CAP intervals. Never reads
 * outside buf[0..len). */
#include "match/bodysig_int.h"

#include <stdlib.h>
#include <string.h>

#define BS_SET_CAP 256

/* ---- sets of positions across parts ------------------------------------ */

struct iv {
    size_t lo, hi;
};

/* Sorted, disjoint intervals of positions once normalised. */
struct ivset {
    uint32_t n;
    struct iv v[BS_SET_CAP];
};

static int iv_cmp(const void *a, const void *b)
{
    const struct iv *x = a, *y = b;

    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void iv_norm(struct ivset *s)
{
    uint32_t o = 0;

    if (s->n < 2)
        return;
    qsort(s->v, s->n, sizeof s->v[0], iv_cmp);
    for (uint32_t i = 1; i < s->n; i++) {
        if (s->v[i].lo <= s->v[o].hi || s->v[i].lo - s->v[o].hi == 1)
            s->v[o].hi = s->v[i].hi > s->v[o].hi ? s->v[i].hi : s->v[o].hi;
        else
            s->v[++o] = s->v[i];
    }
    s->n = o + 1;
}

/* Adds [lo, hi]; when the set is full even once normalised, the new
 * positions are dropped (see the file comment). */
static void iv_add(struct ivset *s, size_t lo, size_t hi)
{
    if (s->n == BS_SET_CAP)
        iv_norm(s);
    if (s->n < BS_SET_CAP)
        s->v[s->n++] = (struct iv){lo, hi};
}

/* Adds the positions of a part's forward (or backward) set. */
static void iv_add_bits(struct ivset *s, const struct bs_bits *b, int backward)
{
    for (uint32_t i = 0; i < b->width; i++) {
        if (!bs_bits_get(b, i))
            continue;
        size_t pos = backward ? b->base - i : b->base + i;
        iv_add(s, pos, pos);
    }
}

static int iv_has(const struct ivset *s, size_t pos)
{
    uint32_t lo = 0, hi = s->n;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (pos < s->v[mid].lo)
            hi = mid;
        else if (pos > s->v[mid].hi)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

/* Does a (forward or backward) set of a part share a position with s? */
static int bits_meet(const struct bs_bits *b, int backward, const struct ivset *s)
{
    for (uint32_t i = 0; i < b->width; i++)
        if (bs_bits_get(b, i) && iv_has(s, backward ? b->base - i : b->base + i))
            return 1;
    return 0;
}

/* Starts the part after a gap [gmin, gmax] may take, from the ends in e. */
static void widen(const struct ivset *e, size_t gmin, size_t gmax, size_t len,
                  struct ivset *out)
{
    out->n = 0;
    for (uint32_t i = 0; i < e->n; i++) {
        size_t lo = e->v[i].lo + gmin, hi = e->v[i].hi + gmax;
        if (lo <= len)
            iv_add(out, lo, hi < len ? hi : len);
    }
    iv_norm(out);
}

/* Ends the part before a gap [gmin, gmax] may take, from the starts in s. */
static void narrow(const struct ivset *s, size_t gmin, size_t gmax, struct ivset *out)
{
    out->n = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        if (s->v[i].hi < gmin)
            continue;
        iv_add(out, s->v[i].lo > gmax ? s->v[i].lo - gmax : 0, s->v[i].hi - gmin);
    }
    iv_norm(out);
}

/* ---- finding a part ---------------------------------------------------- */

static const uint8_t *needle(const struct bs_ctx *c, const struct bs_part *p)
{
    return c->sig->needles + p->needle;
}

/* First occurrence of the part's needle starting in [qa, qb], or SIZE_MAX. */
static size_t find_fwd(const struct bs_ctx *c, const struct bs_part *p, size_t qa,
                       size_t qb)
{
    size_t nl = p->runlen;
    const uint8_t *hit;

    if (nl > c->len || qa > c->len - nl)
        return SIZE_MAX;
    if (qb > c->len - nl)
        qb = c->len - nl;
    if (qa > qb)
        return SIZE_MAX;
    hit = memmem(c->buf + qa, qb - qa + nl, needle(c, p), nl);
    return hit ? (size_t)(hit - c->buf) : SIZE_MAX;
}

/* Last occurrence of the part's needle starting in [qa, qb], or SIZE_MAX. */
static size_t find_back(const struct bs_ctx *c, const struct bs_part *p, size_t qa,
                        size_t qb)
{
    size_t nl = p->runlen;
    const uint8_t *nd = needle(c, p), *hit;

    if (nl > c->len)
        return SIZE_MAX;
    if (qb > c->len - nl)
        qb = c->len - nl;
    while (qa <= qb) {
        hit = memrchr(c->buf + qa, nd[0], qb - qa + 1);
        if (!hit)
            return SIZE_MAX;
        if (!memcmp(hit, nd, nl))
            return (size_t)(hit - c->buf);
        if (hit == c->buf + qa)
            return SIZE_MAX;
        qb = (size_t)(hit - c->buf) - 1;
    }
    return SIZE_MAX;
}

/* Every end of part p over placements starting in allowed, into out. */
static void scan_right(const struct bs_ctx *c, const struct bs_part *p,
                       const struct ivset *allowed, struct ivset *out)
{
    struct bs_bits st, en;
    size_t next = 0, q;

    out->n = 0;
    for (uint32_t i = 0; i < allowed->n; i++) {
        size_t qa = allowed->v[i].lo + p->pre_min;
        size_t qb = allowed->v[i].hi + p->pre_max;
        for (q = find_fwd(c, p, qa > next ? qa : next, qb); q != SIZE_MAX;
             q = find_fwd(c, p, q + 1, qb))
            if (bodysig_part_at(c, p, p->run, q, &st, &en) && bits_meet(&st, 1, allowed))
                iv_add_bits(out, &en, 0);
        next = qb + 1;
    }
    iv_norm(out);
}

/* Every start of part p over placements ending in allowed, into out. */
static void scan_left(const struct bs_ctx *c, const struct bs_part *p,
                      const struct ivset *allowed, struct ivset *out)
{
    struct bs_bits st, en;
    size_t next = 0, q;

    out->n = 0;
    for (uint32_t i = 0; i < allowed->n; i++) {
        size_t lo = allowed->v[i].lo, hi = allowed->v[i].hi;
        size_t qa = lo > p->post_max ? lo - p->post_max : 0;
        if (hi < p->post_min)
            continue;
        size_t qb = hi - p->post_min;
        for (q = find_fwd(c, p, qa > next ? qa : next, qb); q != SIZE_MAX;
             q = find_fwd(c, p, q + 1, qb))
            if (bodysig_part_at(c, p, p->run, q, &st, &en) && bits_meet(&en, 0, allowed))
                iv_add_bits(out, &st, 1);
        next = qb + 1;
    }
    iv_norm(out);
}

static int bounded(const struct bodysig *sig, uint32_t part)
{
    return sig->parts[part].gap_max != BS_UNBOUNDED;
}

/* Follows *ends of part j rightwards through the parts joined to it by
 * bounded gaps; *ends becomes the ends of the block's last part, *last its
 * index. Returns 0 if a part cannot be placed. */
static int block_right(const struct bs_ctx *c, uint32_t j, struct ivset *ends,
                       uint32_t *last)
{
    struct ivset allowed;
    const struct bs_part *p;

    for (j++; j < c->sig->nparts && bounded(c->sig, j); j++) {
        p = &c->sig->parts[j];
        widen(ends, p->gap_min, p->gap_max, c->len, &allowed);
        scan_right(c, p, &allowed, ends);
        if (!ends->n)
            return 0;
    }
    *last = j - 1;
    return 1;
}

/* Follows *starts of part j leftwards through the parts joined to it by
 * bounded gaps; *starts becomes the starts of the block's first part,
 * *first its index. */
static int block_left(const struct bs_ctx *c, uint32_t j, struct ivset *starts,
                      uint32_t *first)
{
    struct ivset allowed;
    const struct bs_part *p;

    for (; j > 0 && bounded(c->sig, j); j--) {
        p = &c->sig->parts[j];
        narrow(starts, p->gap_min, p->gap_max, &allowed);
        scan_left(c, &c->sig->parts[j - 1], &allowed, starts);
        if (!starts->n)
            return 0;
    }
    *first = j;
    return 1;
}

/* ---- blocks across unbounded gaps -------------------------------------- */

static size_t sat_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* Shortest span of parts [a, b]: their lengths and the gaps between. */
static size_t span_min(const struct bodysig *sig, uint32_t a, uint32_t b)
{
    size_t n = sig->parts[a].minlen;

    for (uint32_t i = a + 1; i <= b; i++)
        n = sat_add(n, sat_add(sig->parts[i].minlen, sig->parts[i].gap_min));
    return n;
}

static uint32_t block_last(const struct bodysig *sig, uint32_t a)
{
    while (a + 1 < sig->nparts && bounded(sig, a + 1))
        a++;
    return a;
}

static uint32_t block_first(const struct bodysig *sig, uint32_t b)
{
    while (b > 0 && bounded(sig, b))
        b--;
    return b;
}

/* Smallest position of a forward set; largest of a backward one. */
static size_t bits_edge(const struct bs_bits *s, int backward)
{
    uint32_t i = 0;

    while (i + 1 < s->width && !bs_bits_get(s, i))
        i++;
    return backward ? s->base - i : s->base + i;
}

/* Smallest position of s inside [lo, hi], or SIZE_MAX. */
static size_t iv_first_in(const struct ivset *s, size_t lo, size_t hi)
{
    for (uint32_t i = 0; i < s->n; i++) {
        if (s->v[i].hi < lo)
            continue;
        if (s->v[i].lo > hi)
            break;
        return s->v[i].lo > lo ? s->v[i].lo : lo;
    }
    return SIZE_MAX;
}

/* Places the block whose first part is a at or after `from`, ending as
 * early as possible. Returns that end, or SIZE_MAX. */
/* The memo: a direct-mapped table of (signature, part) -> the smallest
 * `from` for which earliest_end() found nothing. That answer is monotone:
 * nothing after from means nothing after any later from. */
#define MEMO_SLOTS 4096

struct memo_slot {
    uint32_t gen, id, part;
    size_t none_from;
};

struct bodysig_memo {
    uint32_t gen;
    struct memo_slot slot[MEMO_SLOTS];
};

vigil_status bodysig_memo_new(struct bodysig_memo **out)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return VIGIL_ENOMEM;
    (*out)->gen = 1;
    return VIGIL_OK;
}

void bodysig_memo_free(struct bodysig_memo *m)
{
    free(m);
}

void bodysig_memo_reset(struct bodysig_memo *m)
{
    if (++m->gen == 0) { /* wrapped: clear for real once in 4 billion */
        memset(m->slot, 0, sizeof m->slot);
        m->gen = 1;
    }
}

static struct memo_slot *memo_slot(const struct bs_ctx *c, uint32_t part)
{
    uint32_t h = (c->id * 2654435761u) ^ (part * 40503u);
    return &c->memo->slot[h % MEMO_SLOTS];
}

/* Returns 1 if the memo knows that nothing follows from `from` on. */
static int memo_none(const struct bs_ctx *c, uint32_t part, size_t from)
{
    const struct memo_slot *s;

    if (!c->memo)
        return 0;
    s = memo_slot(c, part);
    return s->gen == c->memo->gen && s->id == c->id && s->part == part &&
           from >= s->none_from;
}

static void memo_set_none(const struct bs_ctx *c, uint32_t part, size_t from)
{
    struct memo_slot *s;

    if (!c->memo)
        return;
    s = memo_slot(c, part);
    if (s->gen == c->memo->gen && s->id == c->id && s->part == part &&
        s->none_from <= from)
        return;
    *s = (struct memo_slot){c->memo->gen, c->id, part, from};
}

static size_t earliest_end_search(const struct bs_ctx *c, uint32_t a, size_t from);

static size_t earliest_end(const struct bs_ctx *c, uint32_t a, size_t from)
{
    size_t e;

    if (memo_none(c, a, from))
        return SIZE_MAX;
    e = earliest_end_search(c, a, from);
    if (e == SIZE_MAX)
        memo_set_none(c, a, from);
    return e;
}

static size_t earliest_end_search(const struct bs_ctx *c, uint32_t a, size_t from)
{
    const struct bs_part *p = &c->sig->parts[a];
    size_t best = SIZE_MAX, span = span_min(c->sig, a, block_last(c->sig, a));
    struct ivset ends;
    struct bs_bits st, en;
    uint32_t last;

    for (size_t q = find_fwd(c, p, sat_add(from, p->pre_min), SIZE_MAX); q != SIZE_MAX;
         q = find_fwd(c, p, q + 1, SIZE_MAX)) {
        size_t first_start = q > p->pre_max ? q - p->pre_max : 0;
        if (best != SIZE_MAX && sat_add(first_start, span) >= best)
            break;
        if (!bodysig_part_at(c, p, p->run, q, &st, &en) || bits_edge(&st, 1) < from)
            continue;
        ends.n = 0;
        iv_add_bits(&ends, &en, 0);
        iv_norm(&ends);
        if (block_right(c, a, &ends, &last) && ends.v[0].lo < best)
            best = ends.v[0].lo;
    }
    return best;
}

/* Places the block whose last part is b so that it ends at or before `to`
 * and starts as late as possible; or, for the signature's first block,
 * starts in [lo, hi] (the smallest such start). Returns that start, or
 * SIZE_MAX. */
static size_t latest_start(const struct bs_ctx *c, uint32_t b, size_t to, size_t lo,
                           size_t hi)
{
    const struct bs_part *p = &c->sig->parts[b];
    uint32_t a = block_first(c->sig, b), first;
    size_t best = SIZE_MAX, span = span_min(c->sig, a, b), top;
    struct ivset starts;
    struct bs_bits st, en;

    if (to < p->post_min)
        return SIZE_MAX;
    for (size_t q = find_back(c, p, 0, to - p->post_min); q != SIZE_MAX;
         q = q ? find_back(c, p, 0, q - 1) : SIZE_MAX) {
        top = sat_add(q, p->post_max);
        top = top > span ? top - span : 0;
        if (a == 0 ? top < lo : best != SIZE_MAX && top <= best)
            break;
        if (!bodysig_part_at(c, p, p->run, q, &st, &en) || bits_edge(&en, 0) > to)
            continue;
        starts.n = 0;
        iv_add_bits(&starts, &st, 1);
        iv_norm(&starts);
        if (!block_left(c, b, &starts, &first))
            continue;
        if (a == 0 && iv_first_in(&starts, lo, hi) != SIZE_MAX)
            return iv_first_in(&starts, lo, hi);
        if (a != 0 && (best == SIZE_MAX || starts.v[starts.n - 1].hi > best))
            best = starts.v[starts.n - 1].hi;
    }
    return a == 0 ? SIZE_MAX : best;
}

/* Places the blocks after part `last` in turn, each at its earliest end,
 * from the end e of the block before. Returns the last end or SIZE_MAX. */
static size_t blocks_after(const struct bs_ctx *c, uint32_t last, size_t e)
{
    for (uint32_t n = last + 1; n < c->sig->nparts && e != SIZE_MAX;
         n = block_last(c->sig, n) + 1)
        e = earliest_end(c, n, sat_add(e, c->sig->parts[n].gap_min));
    return e;
}

/* Places the blocks before part `first` in turn, each at its latest start,
 * from the start s of the block after; the first block must start in
 * [lo, hi]. Returns its start or SIZE_MAX. */
static size_t blocks_before(const struct bs_ctx *c, uint32_t first, size_t s, size_t lo,
                            size_t hi)
{
    for (uint32_t n = first; n > 0 && s != SIZE_MAX;) {
        size_t gmin = c->sig->parts[n].gap_min;
        if (s < gmin)
            return SIZE_MAX;
        s = latest_start(c, n - 1, s - gmin, lo, hi);
        n = block_first(c->sig, n - 1);
    }
    return s;
}

/* The whole placement of a signature of several parts, from the atom
 * part's possible starts st and ends en. */
static int chain(const struct bs_ctx *c, uint32_t a, const struct bs_bits *st,
                 const struct bs_bits *en, size_t lo, size_t hi, size_t *start,
                 size_t *end)
{
    struct ivset starts = {0}, ends = {0};
    uint32_t first, last;
    size_t s, e;

    iv_add_bits(&starts, st, 1);
    iv_norm(&starts);
    iv_add_bits(&ends, en, 0);
    iv_norm(&ends);
    if (!block_right(c, a, &ends, &last) || !block_left(c, a, &starts, &first))
        return 0;
    e = blocks_after(c, last, ends.v[0].lo);
    if (e == SIZE_MAX)
        return 0;
    if (first == 0)
        s = iv_first_in(&starts, lo, hi);
    else
        s = blocks_before(c, first, starts.v[starts.n - 1].hi, lo, hi);
    if (s == SIZE_MAX)
        return 0;
    *start = s;
    *end = e;
    return 1;
}

/* A signature of one part: some start in [lo, hi]. */
static int single(const struct bs_bits *st, const struct bs_bits *en, size_t lo,
                  size_t hi, size_t *start, size_t *end)
{
    size_t best = SIZE_MAX;

    for (uint32_t i = 0; i < st->width; i++) {
        size_t pos = st->base - i;
        if (bs_bits_get(st, i) && pos >= lo && pos <= hi)
            best = pos;
    }
    if (best == SIZE_MAX)
        return 0;
    *start = best;
    *end = bits_edge(en, 0);
    return 1;
}

int bodysig_verify(const struct bodysig *sig, const uint8_t *buf, size_t len, size_t at,
                   size_t start_lo, size_t start_hi, size_t *start, size_t *end)
{
    return bodysig_verify_memo(sig, NULL, 0, buf, len, at, start_lo, start_hi, start, end);
}

int bodysig_verify_memo(const struct bodysig *sig, struct bodysig_memo *m, uint32_t id,
                        const uint8_t *buf, size_t len, size_t at, size_t start_lo,
                        size_t start_hi, size_t *start, size_t *end)
{
    struct bs_ctx c = {sig, buf, len, m, id};
    struct bs_bits st, en;
    size_t s, e;

    if (!sig || sig->slim || !buf || start_lo > start_hi || at > len ||
        sig->atom.len > len - at ||
        memcmp(buf + at, sig->atom.bytes, sig->atom.len))
        return 0;
    if (!bodysig_part_at(&c, &sig->parts[sig->atom_part], sig->atom_elem, at, &st, &en))
        return 0;
    if (!(sig->nparts == 1 ? single(&st, &en, start_lo, start_hi, &s, &e)
                           : chain(&c, sig->atom_part, &st, &en, start_lo, start_hi, &s, &e)))
        return 0;
    if (start)
        *start = s;
    if (end)
        *end = e;
    return 1;
}

size_t bodysig_last_needle(const struct bodysig *sig, const uint8_t **needle)
{
    const struct bs_part *p;

    *needle = NULL;
    if (!sig || sig->slim || sig->nparts < 2)
        return 0;
    p = &sig->parts[sig->nparts - 1];
    *needle = sig->needles + p->needle;
    return p->runlen;
}

int bodysig_verify_last(const struct bodysig *sig, struct bodysig_memo *m, uint32_t id,
                        const uint8_t *buf, size_t len, size_t pos, size_t start_lo,
                        size_t start_hi, size_t *start, size_t *end)
{
    struct bs_ctx c = {sig, buf, len, m, id};
    const struct bs_part *p;
    struct bs_bits st, en;
    size_t s, e;

    if (!sig || sig->slim || sig->nparts < 2 || !buf || start_lo > start_hi || pos > len)
        return 0;
    p = &sig->parts[sig->nparts - 1];
    if (!p->runlen || p->runlen > len - pos ||
        memcmp(buf + pos, sig->needles + p->needle, p->runlen))
        return 0;
    if (!bodysig_part_at(&c, p, p->run, pos, &st, &en) ||
        !chain(&c, sig->nparts - 1, &st, &en, start_lo, start_hi, &s, &e))
        return 0;
    *start = s;
    *end = e;
    return 1;
}
