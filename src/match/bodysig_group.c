/* bodysig_group.c - the groups "(...)" of a ClamAV body signature: (B),
 * (L), (W) as boundary checks or bytes, single-byte and fixed-length
 * alternatives (negatable), and generic alternatives (different lengths,
 * wildcards, nested groups), which are expanded into plain strings the way
 * libclamav's ac_special_altstr/ac_special_altexpand do.
 *
 * Limits: BS_MAX_NEST '(' inside one group, BS_MAX_ALTS strings and
 * BS_MAX_ALT_CHARS characters per expanded group, BS_MAX_POOL alternative
 * bytes per signature. Reads stay inside the NUL-terminated part text. */
#include "match/bodysig_int.h"

#include <stdlib.h>
#include <string.h>

#include "db/hex.h"

/* Finds the ')' closing a group whose text starts at s. Returns how many
 * '(' the group holds (ClamAV's nesting count); *end is NULL if none. */
static size_t paren_end(char *s, char **end)
{
    size_t nest = 0, level = 0;

    *end = NULL;
    for (; *s; s++) {
        if (*s == '(') {
            nest++;
            level++;
        } else if (*s == ')') {
            if (!level) {
                *end = s;
                break;
            }
            level--;
        }
    }
    return nest;
}

static vigil_status add_class(struct bs_parse *p, const uint8_t cls[32],
                              struct bs_elem *e)
{
    struct bodysig *sig = p->sig;
    vigil_status rc = bodysig_parse_grow(p, (void **)&sig->classes, &sig->cap_classes,
                                         sig->nclasses + 1, 32, BS_MAX_TEXT, "classes");

    if (rc != VIGIL_OK)
        return rc;
    memcpy(sig->classes[sig->nclasses], cls, 32);
    e->kind = BS_CLASS;
    e->ref = sig->nclasses++;
    return VIGIL_OK;
}

static int ascii_alnum(unsigned b)
{
    return (b >= '0' && b <= '9') || ((b | 0x20) >= 'a' && (b | 0x20) <= 'z');
}

/* (B), (L), (W) inside a part consume bytes: a boundary byte, a line end,
 * a non-alphanumeric byte; negated, a byte that is none of those. */
static vigil_status mid_class(struct bs_parse *p, char c, int neg, struct bs_elem *e)
{
    uint8_t cls[32] = {0};
    int in;

    if (c == 'L') {
        e->kind = neg ? BS_NOTLINE : BS_LINE;
        return VIGIL_OK;
    }
    for (unsigned b = 0; b < 256; b++) {
        in = c == 'B' ? bodysig_boundary[b] != 0 : !ascii_alnum(b);
        if (in != neg)
            cls[b / 8] |= (uint8_t)(1u << (b % 8));
    }
    return add_class(p, cls, e);
}

/* ClamAV's ac_analyze_expr: how many alternatives a group has, whether
 * they are "fixed" (no nested group, no '?', all as long as the first
 * non-empty one) and the longest, in characters. */
static void analyze(const char *s, int *num, int *fixed, size_t *slen)
{
    size_t level = 0, len = 0, sl = 0;
    int n = 1, fx = 1;

    for (;; s++) {
        int sep = *s == '\0' || (!level && *s == '|');
        if (sep) {
            if (!sl)
                sl = len;
            else if (len != sl) {
                fx = 0;
                sl = len > sl ? len : sl;
            }
            if (!*s)
                break;
            len = 0;
            n++;
            continue;
        }
        if (*s == '(')
            fx = 0, level++;
        else if (*s == ')')
            level--;
        else if (*s == '?')
            fx = 0;
        len++;
    }
    *num = n;
    *fixed = fx;
    *slen = sl;
}

static vigil_status add_group(struct bs_parse *p, struct bs_elem *e, int kind)
{
    struct bodysig *sig = p->sig;
    vigil_status rc =
        bodysig_parse_grow(p, (void **)&sig->groups, &sig->cap_groups, sig->ngroups + 1,
                           sizeof *sig->groups, BS_MAX_TEXT, "groups");

    if (rc != VIGIL_OK)
        return rc;
    memset(&sig->groups[sig->ngroups], 0, sizeof *sig->groups);
    sig->groups[sig->ngroups].first = sig->nalts;
    e->kind = (uint8_t)kind;
    e->ref = sig->ngroups++;
    return VIGIL_OK;
}

/* Appends an alternative of n hex pairs (or, fixed, plain hex bytes) at h
 * to the last group. */
static vigil_status add_alt(struct bs_parse *p, const char *h, size_t n, int fixed)
{
    struct bodysig *sig = p->sig;
    struct bs_group *g = &sig->groups[sig->ngroups - 1];
    uint32_t len = (uint32_t)(n / 2);
    vigil_status rc;

    if (n % 2)
        return bodysig_parse_fail(p, "Malformed hexstring: %.*s (length: %zu)", (int)n, h,
                                  n);
    rc = bodysig_parse_grow(p, (void **)&sig->alts, &sig->cap_alts, sig->nalts + 1,
                            sizeof *sig->alts, BS_MAX_POOL, "alternatives");
    if (rc == VIGIL_OK)
        rc = bodysig_parse_grow(p, (void **)&sig->pool, &sig->cap_pool,
                                sig->npool + 2 * len, 1, 2 * BS_MAX_POOL,
                                "alternative bytes");
    if (rc != VIGIL_OK)
        return rc;
    for (uint32_t i = 0; i < len; i++) {
        uint8_t *vm = sig->pool + sig->npool + 2 * i;
        if (bodysig_parse_pair(h + 2 * i, &vm[0], &vm[1]) < 0 || (fixed && vm[1] != 0xFF))
            return bodysig_parse_fail(p, "Malformed hexstring: %.*s", (int)n, h);
    }
    sig->alts[sig->nalts].off = sig->npool / 2;
    sig->alts[sig->nalts++].len = len;
    sig->npool += 2 * len;
    if (g->count++ == 0 || len < g->minlen)
        g->minlen = len;
    g->maxlen = len > g->maxlen ? len : g->maxlen;
    return VIGIL_OK;
}

/* ClamAV reads the alternatives of a fixed group with cli_strtok, which
 * never yields an empty one. */
static vigil_status fixed_fields(struct bs_parse *p, const char *g)
{
    const char *s = g, *bar;

    for (;;) {
        bar = strchr(s, '|');
        if ((bar ? (size_t)(bar - s) : strlen(s)) == 0)
            return bodysig_parse_fail(p, "empty alternative in fixed group (%s)", g);
        if (!bar)
            return VIGIL_OK;
        s = bar + 1;
    }
}

/* (aa|bb|..) matches one byte of the set, !(aa|bb|..) one byte outside. */
static vigil_status fixed_class(struct bs_parse *p, const char *g, int neg,
                                struct bs_elem *e)
{
    uint8_t cls[32], val, mask;

    memset(cls, neg ? 0xFF : 0, sizeof cls);
    for (const char *s = g;; s += 3) {
        if (bodysig_parse_pair(s, &val, &mask) < 0 || mask != 0xFF)
            return bodysig_parse_fail(p, "Malformed hexstring in (%s)", g);
        if (neg)
            cls[val / 8] &= (uint8_t) ~(1u << (val % 8));
        else
            cls[val / 8] |= (uint8_t)(1u << (val % 8));
        if (s[2] != '|')
            break;
    }
    return add_class(p, cls, e);
}

/* (aabb|ccdd|..): n bytes equal to one of the strings; negated, n bytes
 * equal to none of them. */
static vigil_status fixed_strings(struct bs_parse *p, const char *g, int neg,
                                  struct bs_elem *e)
{
    vigil_status rc = add_group(p, e, BS_FIXED);
    const char *s = g, *bar;

    e->neg = (uint8_t)neg;
    while (rc == VIGIL_OK) {
        bar = strchr(s, '|');
        rc = add_alt(p, s, bar ? (size_t)(bar - s) : strlen(s), 1);
        if (!bar)
            break;
        s = bar + 1;
    }
    return rc;
}

/* Strings a generic group expands to, back to back in buf. */
struct sl_item {
    uint32_t off, len;
};

struct slist {
    char *buf;
    struct sl_item *item;
    uint32_t n, ncap, used, cap;
};

static void sl_free(struct slist *l)
{
    free(l->buf);
    free(l->item);
    memset(l, 0, sizeof *l);
}

/* Appends a[0..an) followed by b[0..bn) as one string. */
static vigil_status sl_push(struct bs_parse *p, struct slist *l, const char *a, size_t an,
                            const char *b, size_t bn)
{
    vigil_status rc;

    if (an + bn > BS_MAX_ALT_CHARS - l->used)
        return bodysig_parse_fail(p, "a generic group expands to more than %u characters",
                                  BS_MAX_ALT_CHARS);
    rc =
        bodysig_grow((void **)&l->item, &l->ncap, l->n + 1, sizeof *l->item, BS_MAX_ALTS);
    if (rc == VIGIL_EMALFORMED)
        return bodysig_parse_fail(p, "a generic group expands to more than %u strings",
                                  BS_MAX_ALTS);
    if (rc == VIGIL_OK)
        rc = bodysig_grow((void **)&l->buf, &l->cap, (uint32_t)(l->used + an + bn + 1), 1,
                          BS_MAX_ALT_CHARS + 1);
    if (rc != VIGIL_OK)
        return rc;
    memcpy(l->buf + l->used, a, an);
    memcpy(l->buf + l->used + an, b, bn);
    l->item[l->n].off = l->used;
    l->item[l->n++].len = (uint32_t)(an + bn);
    l->used += (uint32_t)(an + bn);
    return VIGIL_OK;
}

/* Replaces *cur by every string of *cur followed by every string of add. */
static vigil_status sl_product(struct bs_parse *p, struct slist *cur,
                               const struct slist *add)
{
    struct slist out = {0};
    vigil_status rc = VIGIL_OK;

    for (uint32_t i = 0; rc == VIGIL_OK && i < cur->n; i++)
        for (uint32_t j = 0; rc == VIGIL_OK && j < add->n; j++)
            rc = sl_push(p, &out, cur->buf + cur->item[i].off, cur->item[i].len,
                         add->buf + add->item[j].off, add->item[j].len);
    sl_free(cur);
    *cur = out;
    return rc;
}

static vigil_status alt_expand(struct bs_parse *p, const char *s, size_t n,
                               struct slist *out);

/* Index of the ')' closing the '(' at s[0]; the group text is balanced. */
static size_t close_of(const char *s, size_t n)
{
    size_t level = 0, i;

    for (i = 0; i < n; i++) {
        if (s[i] == '(')
            level++;
        else if (s[i] == ')' && --level == 0)
            break;
    }
    return i;
}

/* Expands one alternative: literal text and nested groups, concatenated
 * as text (so "4(1|2)" is 41 or 42, as in ClamAV). */
static vigil_status seq_expand(struct bs_parse *p, const char *s, size_t n,
                               struct slist *out)
{
    struct slist cur = {0}, piece;
    vigil_status rc = sl_push(p, &cur, "", 0, "", 0);
    size_t i = 0, j;

    while (rc == VIGIL_OK && i < n) {
        memset(&piece, 0, sizeof piece);
        if (s[i] == '(') {
            j = close_of(s + i, n - i);
            rc = alt_expand(p, s + i + 1, j - 1, &piece);
            i += j + 1;
        } else {
            for (j = i; j < n && s[j] != '('; j++)
                ;
            rc = sl_push(p, &piece, s + i, j - i, "", 0);
            i = j;
        }
        if (rc == VIGIL_OK)
            rc = sl_product(p, &cur, &piece);
        sl_free(&piece);
    }
    for (uint32_t k = 0; rc == VIGIL_OK && k < cur.n; k++)
        rc = sl_push(p, out, cur.buf + cur.item[k].off, cur.item[k].len, "", 0);
    sl_free(&cur);
    return rc;
}

/* Expands the '|'-separated alternatives of s[0..n) into out. */
static vigil_status alt_expand(struct bs_parse *p, const char *s, size_t n,
                               struct slist *out)
{
    size_t level = 0, from = 0;
    vigil_status rc = VIGIL_OK;

    for (size_t i = 0; rc == VIGIL_OK && i <= n; i++) {
        if (i < n && s[i] == '(')
            level++;
        else if (i < n && s[i] == ')')
            level--;
        else if (i == n || (s[i] == '|' && level == 0)) {
            rc = seq_expand(p, s + from, i - from, out);
            from = i + 1;
        }
    }
    return rc;
}

/* (alt1|alt2|..) with wildcards, nested groups or different lengths. */
static vigil_status generic(struct bs_parse *p, const char *g, struct bs_elem *e)
{
    struct slist all = {0};
    vigil_status rc;

    for (const char *s = strchr(g, '('); s; s = strchr(s + 1, '('))
        if (s > g && s[-1] == '!')
            return bodysig_parse_fail(p, "Generic alternates cannot contain negations");
    rc = alt_expand(p, g, strlen(g), &all);
    if (rc == VIGIL_OK)
        rc = add_group(p, e, BS_ALT);
    for (uint32_t i = 0; rc == VIGIL_OK && i < all.n; i++)
        rc = add_alt(p, all.buf + all.item[i].off, all.item[i].len, 0);
    sl_free(&all);
    return rc;
}

/* A group that is not a boundary class: ClamAV's ac_special_altstr. */
static vigil_status alternatives(struct bs_parse *p, const char *g, int neg,
                                 struct bs_elem *e)
{
    int num, fixed;
    size_t slen;
    vigil_status rc;

    analyze(g, &num, &fixed, &slen);
    if (!fixed) {
        if (neg)
            return bodysig_parse_fail(p,
                                      "Can't apply negation operation to generic "
                                      "alternate strings: !(%s)",
                                      g);
        return generic(p, g, e);
    }
    rc = fixed_fields(p, g);
    if (rc != VIGIL_OK)
        return rc;
    if (slen == 2)
        return fixed_class(p, g, neg, e);
    return fixed_strings(p, g, neg, e);
}

static uint8_t edge_of(char c)
{
    return c == 'B' ? BS_EDGE_B : c == 'L' ? BS_EDGE_L : BS_EDGE_W;
}

/* One group g of a part. (B), (L), (W) last in the part or first in it are
 * zero-width boundary checks of the part's side; anywhere else they, and
 * every other group, become an element (*spec set). */
static vigil_status group(struct bs_parse *p, const char *g, int neg, int first, int last,
                          struct bs_part *part, struct bs_elem *e, int *spec)
{
    struct bs_side *side = last ? &part->right : first ? &part->left : NULL;

    *spec = 1;
    if (!(g[0] == 'B' || g[0] == 'L' || g[0] == 'W') || g[1])
        return alternatives(p, g, neg, e);
    if (!side)
        return mid_class(p, g[0], neg, e);
    side->edge = edge_of(g[0]);
    side->edge_neg = (uint8_t)neg;
    *spec = 0;
    return VIGIL_OK;
}

static void out_append(struct bs_groups *o, const char *s)
{
    size_t n = strlen(s);

    memcpy(o->hex + o->hexlen, s, n + 1);
    o->hexlen += n;
}

static vigil_status groups_init(struct bs_groups *o, const char *main)
{
    size_t n = 1;

    for (const char *s = strchr(main, '('); s; s = strchr(s + 1, '('))
        n++;
    memset(o, 0, sizeof *o);
    o->hex = malloc(strlen(main) + 1);
    o->spec = calloc(n, sizeof *o->spec);
    return o->hex && o->spec ? VIGIL_OK : VIGIL_ENOMEM;
}

/* Reads the group whose '(' is at pt in main and moves *start past it.
 * The '(' (and a '!' before it) are cut off *start's text, which goes to
 * o->hex first. */
static vigil_status one_group(struct bs_parse *p, char *main, char *pt, char **start,
                              struct bs_part *part, struct bs_groups *o)
{
    char *end;
    int neg, spec;
    size_t nest;
    vigil_status rc;

    *pt++ = '\0';
    neg = pt >= main + 2 && pt[-2] == '!';
    if (neg)
        pt[-2] = '\0';
    out_append(o, *start);
    nest = paren_end(pt, &end);
    if (!end)
        return bodysig_parse_fail(p, "Missing closing parenthesis");
    *end = '\0';
    *start = end + 1;
    if (!*pt)
        return bodysig_parse_fail(p, "Empty block ()");
    if (nest > BS_MAX_NEST)
        return bodysig_parse_fail(p,
                                  "Expression exceeds maximum alternate "
                                  "nesting limit (%u)",
                                  BS_MAX_NEST);
    memset(&o->spec[o->nspec], 0, sizeof o->spec[0]);
    rc = group(p, pt, neg, pt - 1 == main, !**start, part, &o->spec[o->nspec], &spec);
    if (rc == VIGIL_OK && spec) {
        o->nspec++;
        out_append(o, "()");
    }
    return rc;
}

/* ClamAV's group loop of cli_ac_addsig: each top-level "(...)" or "!(...)"
 * of main becomes "()" in o->hex and an element in o->spec, or a boundary
 * check of the part; main is cut up in place. */
vigil_status bodysig_group_parse(struct bs_parse *p, char *main, struct bs_part *part,
                                 struct bs_groups *o)
{
    char *start = main, *pt;
    vigil_status rc = groups_init(o, main);

    while (rc == VIGIL_OK && (pt = strchr(start, '(')))
        rc = one_group(p, main, pt, &start, part, o);
    if (rc == VIGIL_OK)
        out_append(o, start);
    return rc;
}
