/* bodysig_part.c - one part of a body signature placed around a position:
 * its elements followed forwards and backwards as sets of positions (so
 * alternatives of different lengths and (L) cost width, never
 * backtracking), then its zero-width checks: boundaries (B), (L), (W) by
 * ClamAV's tables, and anchored bytes aa[n-m]. Never reads outside the
 * buffer; the sets are at most BS_MAX_VAR + 1 positions wide. */
#include "match/bodysig_int.h"

#include <string.h>

static int alnum(uint8_t b)
{
    return (b >= '0' && b <= '9') || ((b | 0x20) >= 'a' && (b | 0x20) <= 'z');
}

/* Is there a "\r\n" or "\n" at pos? (ClamAV's right (L) test.) */
static int line_at(const uint8_t *buf, size_t len, size_t pos)
{
    return buf[pos] == '\n' ||
           (buf[pos] == '\r' && pos + 1 < len && buf[pos + 1] == '\n');
}

static int anchor_left(const struct bs_side *s, const uint8_t *buf, size_t pos)
{
    if (!s->amask)
        return 1;
    for (size_t d = s->dmin; d <= s->dmax && d < pos; d++)
        if ((buf[pos - 1 - d] & s->amask) == s->aval)
            return 1;
    return 0;
}

static int anchor_right(const struct bs_side *s, const uint8_t *buf, size_t len,
                        size_t pos)
{
    if (!s->amask)
        return 1;
    for (size_t d = s->dmin; d <= s->dmax && pos + d < len; d++)
        if ((buf[pos + d] & s->amask) == s->aval)
            return 1;
    return 0;
}

/* Do the zero-width checks left of a part starting at pos hold? */
static int left_ok(const struct bs_side *s, const uint8_t *buf, size_t pos)
{
    int at = 0;

    if (s->edge == BS_EDGE_B)
        at = pos == 0 || (bodysig_boundary[buf[pos - 1]] & 1);
    else if (s->edge == BS_EDGE_L)
        at = pos == 0 || buf[pos - 1] == '\n';
    else if (s->edge == BS_EDGE_W)
        at = pos == 0 || !alnum(buf[pos - 1]);
    if (s->edge && at == s->edge_neg)
        return 0;
    return !s->anchored || anchor_left(s, buf, pos);
}

/* Do the zero-width checks right of a part ending at pos hold? */
static int right_ok(const struct bs_side *s, const uint8_t *buf, size_t len, size_t pos)
{
    int at = 0;

    if (s->edge == BS_EDGE_B)
        at = pos == len || (bodysig_boundary[buf[pos]] & 2);
    else if (s->edge == BS_EDGE_L)
        at = pos == len || line_at(buf, len, pos);
    else if (s->edge == BS_EDGE_W)
        at = pos == len || !alnum(buf[pos]);
    if (s->edge && at == s->edge_neg)
        return 0;
    return !s->anchored || anchor_right(s, buf, len, pos);
}

/* ---- one element ------------------------------------------------------ */

/* Does alternative a match at buf[p..p + a->len)? The caller checked the
 * bytes are there. */
static int alt_at(const struct bs_ctx *c, const struct bs_alt *a, size_t p)
{
    const uint8_t *vm;

    if (a->len == 0)
        return 1; /* the pool may hold nothing at all */
    vm = c->sig->pool + 2 * (size_t)a->off;
    for (uint32_t i = 0; i < a->len; i++)
        if ((c->buf[p + i] & vm[2 * i + 1]) != vm[2 * i])
            return 0;
    return 1;
}

/* Does the fixed group g (negated or not) match its length at p? */
static int fixed_at(const struct bs_ctx *c, const struct bs_elem *e, size_t p)
{
    const struct bs_group *g = &c->sig->groups[e->ref];

    for (uint32_t i = 0; i < g->count; i++)
        if (alt_at(c, &c->sig->alts[g->first + i], p))
            return !e->neg;
    return e->neg;
}

/* Does a one-byte element match the byte at p (p < len)? */
static int one_at(const struct bs_ctx *c, const struct bs_elem *e, size_t p)
{
    uint8_t b = c->buf[p];

    if (e->kind == BS_BYTE)
        return (b & e->mask) == e->val;
    if (e->kind == BS_CLASS)
        return (c->sig->classes[e->ref][b / 8] >> (b % 8)) & 1;
    return !line_at(c->buf, c->len, p); /* BS_NOTLINE */
}

static void bits_one(struct bs_bits *s, size_t pos)
{
    memset(s, 0, sizeof *s);
    s->base = pos;
    s->width = 1;
    s->w[0] = 1;
}

static void bits_set(struct bs_bits *s, uint32_t i)
{
    s->w[i / 64] |= (uint64_t)1 << (i % 64);
}

static int bits_any(const struct bs_bits *s)
{
    for (uint32_t i = 0; i < (s->width + 63) / 64; i++)
        if (s->w[i])
            return 1;
    return 0;
}

/* Adds to out (forward) every end of element e started at p. */
static void ends_of(const struct bs_ctx *c, const struct bs_elem *e, size_t p,
                    struct bs_bits *out)
{
    const struct bs_group *g;
    size_t avail = c->len - p;

    if (e->kind == BS_ALT || e->kind == BS_FIXED) {
        g = &c->sig->groups[e->ref];
        if (e->kind == BS_FIXED && g->minlen <= avail && fixed_at(c, e, p))
            bits_set(out, (uint32_t)(p + g->minlen - out->base));
        for (uint32_t i = 0; e->kind == BS_ALT && i < g->count; i++) {
            const struct bs_alt *a = &c->sig->alts[g->first + i];
            if (a->len <= avail && alt_at(c, a, p))
                bits_set(out, (uint32_t)(p + a->len - out->base));
        }
    } else if (e->kind == BS_LINE) {
        if (avail >= 1 && c->buf[p] == '\n')
            bits_set(out, (uint32_t)(p + 1 - out->base));
        if (avail >= 2 && c->buf[p] == '\r' && c->buf[p + 1] == '\n')
            bits_set(out, (uint32_t)(p + 2 - out->base));
    } else if (avail >= 1 && one_at(c, e, p)) {
        bits_set(out, (uint32_t)(p + 1 - out->base));
    }
}

/* Adds to out (backward) every start of element e ending at q. */
static void starts_of(const struct bs_ctx *c, const struct bs_elem *e, size_t q,
                      struct bs_bits *out)
{
    const struct bs_group *g;

    if (e->kind == BS_ALT || e->kind == BS_FIXED) {
        g = &c->sig->groups[e->ref];
        if (e->kind == BS_FIXED && g->minlen <= q && fixed_at(c, e, q - g->minlen))
            bits_set(out, (uint32_t)(out->base - (q - g->minlen)));
        for (uint32_t i = 0; e->kind == BS_ALT && i < g->count; i++) {
            const struct bs_alt *a = &c->sig->alts[g->first + i];
            if (a->len <= q && alt_at(c, a, q - a->len))
                bits_set(out, (uint32_t)(out->base - (q - a->len)));
        }
    } else if (e->kind == BS_LINE) {
        if (q >= 1 && c->buf[q - 1] == '\n')
            bits_set(out, (uint32_t)(out->base - (q - 1)));
        if (q >= 2 && c->buf[q - 2] == '\r' && c->buf[q - 1] == '\n')
            bits_set(out, (uint32_t)(out->base - (q - 2)));
    } else if (q >= 1 && one_at(c, e, q - 1)) {
        bits_set(out, (uint32_t)(out->base - (q - 1)));
    }
}

/* Does an element of fixed length n match at p (p + n <= len)? */
static int fixed_len_at(const struct bs_ctx *c, const struct bs_elem *e, size_t p)
{
    const struct bs_group *g;

    if (e->kind == BS_FIXED)
        return fixed_at(c, e, p);
    if (e->kind != BS_ALT)
        return one_at(c, e, p);
    g = &c->sig->groups[e->ref];
    for (uint32_t i = 0; i < g->count; i++)
        if (alt_at(c, &c->sig->alts[g->first + i], p))
            return 1;
    return 0;
}

/* The common case of step(): one position, an element of one length. */
static int step_one(const struct bs_ctx *c, const struct bs_elem *e, int fwd, uint32_t n,
                    struct bs_bits *s)
{
    size_t p = fwd ? s->base : s->base - n;

    if ((fwd && n > c->len - s->base) || !fixed_len_at(c, e, p))
        return 0;
    s->base = fwd ? s->base + n : p;
    return 1;
}

/* Moves the position set *s over element e, forward or backward. Returns 0
 * when no position survives. */
static int step(const struct bs_ctx *c, const struct bs_elem *e, int fwd,
                struct bs_bits *s, struct bs_bits *tmp)
{
    uint32_t lo = bodysig_elem_min(c->sig, e), hi = bodysig_elem_max(c->sig, e);

    if (!fwd && s->base < lo)
        return 0;
    if (s->width == 1 && lo == hi && e->kind != BS_LINE)
        return step_one(c, e, fwd, lo, s);
    memset(tmp, 0, sizeof *tmp);
    tmp->base = fwd ? s->base + lo : s->base - lo;
    tmp->width = s->width + (hi - lo);
    for (uint32_t i = 0; i < s->width; i++) {
        if (!bs_bits_get(s, i))
            continue;
        if (fwd)
            ends_of(c, e, s->base + i, tmp);
        else if (s->base - i >= lo)
            starts_of(c, e, s->base - i, tmp);
    }
    *s = *tmp;
    return bits_any(s);
}

/* Keeps the positions of s whose side checks hold. */
static int sides(const struct bs_ctx *c, const struct bs_side *side, int left,
                 struct bs_bits *s)
{
    for (uint32_t i = 0; i < s->width; i++) {
        size_t pos = left ? s->base - i : s->base + i;
        if (!bs_bits_get(s, i))
            continue;
        if (left ? !left_ok(side, c->buf, pos) : !right_ok(side, c->buf, c->len, pos))
            s->w[i / 64] &= ~((uint64_t)1 << (i % 64));
    }
    return bits_any(s);
}

int bodysig_part_at(const struct bs_ctx *c, const struct bs_part *p, uint32_t k,
                    size_t pos, struct bs_bits *st, struct bs_bits *en)
{
    const struct bs_elem *e = c->sig->elems + p->first;
    struct bs_bits tmp;

    if (pos > c->len)
        return 0;
    bits_one(en, pos);
    for (uint32_t i = k; i < p->count; i++)
        if (!step(c, &e[i], 1, en, &tmp))
            return 0;
    if (!sides(c, &p->right, 0, en))
        return 0;
    bits_one(st, pos);
    for (uint32_t i = k; i > 0; i--)
        if (!step(c, &e[i - 1], 0, st, &tmp))
            return 0;
    return sides(c, &p->left, 1, st);
}
