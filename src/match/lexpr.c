/* lexpr.c - ClamAV logical expressions: parsing into post-order nodes and
 * evaluating them against match counts.
 *
 * Spec: ClamAV manual "Logical signatures", measured against clamscan 1.4.6,
 * whose reader (matcher-ac.c cli_ac_chklsig) is not a precedence grammar:
 *   - an expression splits at its first & or | outside parentheses, so
 *     "0&1|2" is 0&(1|2);
 *   - a parenthesised block splits at its last operator one level down, so
 *     "(0&1|2)" is (0&1)|2;
 *   - "(...)=X", ">X", "<X" (optionally ",Y") apply to a block that ends the
 *     expression: the matches of the subsignatures that made the block true
 *     are summed and compared with X, and at least Y distinct subsignatures
 *     must be among them;
 *   - "N=X", ">X", "<X" compare subsignature N's match count with X; with a
 *     modifier the leaf holds even at count 0 ("0=0" is true when 0 did not
 *     match).
 * Numbers are read as C's sscanf("%u") reads them (leading blanks, a sign,
 * and text after the digits ignored), from the leaf to the end of the whole
 * expression, because that is what ClamAV accepts. This file reproduces that
 * reading, so that every expression ClamAV loads loads here with the same
 * meaning, and every one it refuses is refused.
 * Limits: LEXPR_MAX_DEPTH nested reads, LEXPR_MAX_NODES nodes, indices up to
 * LEXPR_MAX_ID. */
#include "match/lexpr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum lx_kind { LX_LEAF, LX_AND, LX_OR };

struct lx_node {
    uint8_t kind;
    uint8_t mod;  /* 0, '=', '<', '>' (another character: never holds) */
    uint8_t id;   /* LX_LEAF */
    uint32_t v1;  /* the modifier's X */
    uint32_t v2;  /* the block modifier's Y (0: none) */
};

struct lexpr {
    struct lx_node *nodes;
    uint32_t n;
};

struct lx_parser {
    const char *s;
    size_t n;            /* the whole expression: reads past it see a NUL */
    struct lx_node *nodes;
    uint32_t nn, cap;
    unsigned depth, maxid;
    char *why;
    size_t whylen;
    vigil_status st;
};

static int lx_ch(const struct lx_parser *p, size_t i)
{
    return i < p->n ? (unsigned char)p->s[i] : 0;
}

static int lx_space(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static int lx_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* Reads an unsigned number at s[*i..] as sscanf("%u") does: blanks, an
 * optional sign, digits (strtoul's saturation, then truncation to 32 bits).
 * Returns 0 when there is no number. */
static int lx_number(const struct lx_parser *p, size_t *i, uint32_t *v)
{
    uint64_t x = 0;
    int neg = 0, any = 0;

    while (lx_space(lx_ch(p, *i)))
        (*i)++;
    if (lx_ch(p, *i) == '+' || lx_ch(p, *i) == '-')
        neg = lx_ch(p, (*i)++) == '-';
    while (lx_digit(lx_ch(p, *i))) {
        int d = lx_ch(p, (*i)++) - '0';
        x = x > (UINT64_MAX - (uint64_t)d) / 10 ? UINT64_MAX : x * 10 + (uint64_t)d;
        any = 1;
    }
    if (neg && x != UINT64_MAX)
        x = (uint64_t)0 - x;
    *v = (uint32_t)x;
    return any;
}

static int lx_fail(struct lx_parser *p, const char *why)
{
    if (p->st == VIGIL_OK) {
        snprintf(p->why, p->whylen, "%s", why);
        p->st = VIGIL_EMALFORMED;
    }
    return -1;
}

static int lx_push(struct lx_parser *p, struct lx_node nd)
{
    if (p->nn == LEXPR_MAX_NODES)
        return lx_fail(p, "logical expression too long");
    if (p->nn == p->cap) {
        uint32_t cap = p->cap ? p->cap * 2 : 16;
        struct lx_node *v = realloc(p->nodes, cap * sizeof *v);
        if (!v) {
            p->st = VIGIL_ENOMEM;
            return -1;
        }
        p->nodes = v;
        p->cap = cap;
    }
    /* Field by field into zeroed memory: an engine image holds the nodes,
     * and no stray padding byte should reach a file. */
    memset(&p->nodes[p->nn], 0, sizeof p->nodes[p->nn]);
    p->nodes[p->nn].kind = nd.kind;
    p->nodes[p->nn].mod = nd.mod;
    p->nodes[p->nn].id = nd.id;
    p->nodes[p->nn].v1 = nd.v1;
    p->nodes[p->nn].v2 = nd.v2;
    p->nn++;
    return 0;
}

/* What one pass over a segment found: ClamAV's variables of the same name. */
struct lx_scan {
    char op, op1, mod, blkmod;
    size_t opoff, op1off, modoff, blkend, rend;
    uint32_t modval1, modval2;
};

/* Reads the "X" or "X,Y" after a block's modifier at s[at..]. */
static int lx_blockmod(struct lx_parser *p, size_t at, struct lx_scan *sc)
{
    size_t i = at;
    uint32_t x;

    if (!lx_number(p, &i, &x))
        return lx_fail(p, "missing number after a block's modifier");
    sc->modval1 = x;
    if (lx_ch(p, i) == ',') {
        i++;
        if (lx_number(p, &i, &x))
            sc->modval2 = x;
    }
    return 0;
}

/* The scan of segment [a, b): the first operator outside parentheses, the
 * last one a level down, and a modifier after a block that ends it. */
static int lx_scan(struct lx_parser *p, size_t a, size_t b, struct lx_scan *sc)
{
    size_t len = b - a, pth = 0;

    memset(sc, 0, sizeof *sc);
    sc->rend = b;
    for (size_t i = 0; i < len; i++) {
        char c = p->s[a + i];
        if (c == '(') {
            pth++;
        } else if (c == ')' || c == '>' || c == '<' || c == '=') {
            if (c == ')' && pth-- == 0)
                return lx_fail(p, "missing opening parenthesis");
            sc->mod = c;
            sc->modoff = i;
        } else if (c == '&' || c == '|') {
            if (!pth) {
                sc->op = c;
                sc->opoff = i;
            } else if (pth == 1) {
                sc->op1 = c;
                sc->op1off = i;
            }
        }
        if (sc->op)
            break;
        if (sc->op1 && !pth) {
            int nc = lx_ch(p, a + i + 1);
            sc->blkend = i;
            if (nc == '>' || nc == '<' || nc == '=') {
                sc->blkmod = (char)nc;
                if (lx_blockmod(p, a + i + 2, sc) != 0)
                    return -1;
                for (i += 2; i + 1 < len &&
                             (lx_digit(lx_ch(p, a + i + 1)) || lx_ch(p, a + i + 1) == ',');
                     i++)
                    ;
            }
            if (a + i + 1 == b)
                break;
            sc->blkmod = 0;
        }
    }
    if (pth)
        return lx_fail(p, "missing closing parenthesis");
    return 0;
}

/* A single subsignature index, with its modifier if any. */
static int lx_leaf(struct lx_parser *p, size_t a, const struct lx_scan *sc)
{
    struct lx_node nd = {LX_LEAF, 0, 0, 0, 0};
    size_t i = a;
    uint32_t id;

    if (!lx_number(p, &i, &id))
        return lx_fail(p, "a subsignature index was expected");
    if (id > LEXPR_MAX_ID)
        return lx_fail(p, "subsignature index out of range (0-63)");
    if (sc->mod) {
        i = a + sc->modoff + 1;
        if (!lx_number(p, &i, &nd.v1))
            return lx_fail(p, "missing number after a modifier");
        nd.mod = (uint8_t)sc->mod;
    }
    nd.id = (uint8_t)id;
    if (id > p->maxid)
        p->maxid = id;
    return lx_push(p, nd);
}

static int lx_parse(struct lx_parser *p, size_t a, size_t b);

/* Segment [a, b) split at an operator, in post-order: left, right, op. */
static int lx_split(struct lx_parser *p, size_t a, size_t b, struct lx_scan *sc)
{
    struct lx_node nd = {LX_AND, 0, 0, 0, 0};
    size_t lstart = a;

    if (!sc->op) {
        sc->op = sc->op1;
        sc->opoff = sc->op1off;
        lstart = a + 1;
        sc->rend = a + sc->blkend;
    }
    if (sc->opoff == 0)
        return lx_fail(p, "missing left argument");
    if (sc->opoff + 1 == b - a)
        return lx_fail(p, "missing right argument");
    if (lx_parse(p, lstart, a + sc->opoff) != 0 ||
        lx_parse(p, a + sc->opoff + 1, sc->rend) != 0)
        return -1;
    nd.kind = sc->op == '&' ? LX_AND : LX_OR;
    nd.mod = (uint8_t)sc->blkmod;
    nd.v1 = sc->modval1;
    nd.v2 = sc->blkmod ? sc->modval2 : 0;
    return lx_push(p, nd);
}

/* Parses segment [a, b) (a <= b) into post-order nodes. */
static int lx_parse(struct lx_parser *p, size_t a, size_t b)
{
    struct lx_scan sc;
    int r;

    if (p->depth == LEXPR_MAX_DEPTH)
        return lx_fail(p, "logical expression nested too deeply");
    p->depth++;
    r = lx_scan(p, a, b, &sc);
    if (r == 0 && !sc.op && !sc.op1)
        r = b - a >= 2 && p->s[a] == '(' ? lx_parse(p, a + 1, b - 1)
                                         : lx_leaf(p, a, &sc);
    else if (r == 0)
        r = lx_split(p, a, b, &sc);
    p->depth--;
    return r;
}

vigil_status lexpr_parse(const char *s, size_t n, struct lexpr **out,
                         unsigned *maxid, char *why, size_t whylen)
{
    struct lx_parser p = {s, n, NULL, 0, 0, 0, 0, why, whylen, VIGIL_OK};
    struct lexpr *x = NULL;

    *out = NULL;
    if (n > 65535) {
        snprintf(why, whylen, "logical expression too long");
        return VIGIL_EMALFORMED;
    }
    if (lx_parse(&p, 0, n) != 0)
        goto out;
    x = malloc(sizeof *x);
    if (!x) {
        p.st = VIGIL_ENOMEM;
        goto out;
    }
    x->nodes = p.nodes;
    x->n = p.nn;
    p.nodes = NULL;
    *maxid = p.maxid;
    *out = x;
out:
    free(p.nodes);
    return p.st;
}

void lexpr_free(struct lexpr *x)
{
    if (!x)
        return;
    free(x->nodes);
    free(x);
}

/* One evaluated subexpression: whether it holds, the matches it counts, the
 * subsignatures that contributed. */
struct lx_val {
    int ret;
    uint32_t cnt;
    uint64_t ids;
};

static int lx_cmp(int mod, uint32_t val, uint32_t x)
{
    switch (mod) {
    case '=':
        return val == x;
    case '<':
        return val < x;
    case '>':
        return val > x;
    default:
        return 0;
    }
}

static struct lx_val lx_eval_leaf(const struct lx_node *nd, const uint32_t *counts)
{
    struct lx_val v = {0, 0, 0};
    uint32_t val = counts[nd->id];

    if (nd->mod ? lx_cmp(nd->mod, val, nd->v1) : val != 0) {
        v.ret = 1;
        v.cnt = val;
        v.ids = (uint64_t)1 << nd->id;
    }
    return v;
}

static int lx_popcount(uint64_t x)
{
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

static struct lx_val lx_eval_op(const struct lx_node *nd, struct lx_val l,
                                struct lx_val r)
{
    struct lx_val v = {0, 0, 0};
    int ret = nd->kind == LX_AND ? l.ret && r.ret : l.ret || r.ret;

    if (!nd->mod) {
        if (ret) {
            v.ret = 1;
            v.cnt = l.cnt + r.cnt;
            v.ids = l.ids | r.ids;
        }
        return v;
    }
    /* A block modifier: ClamAV passes the count up but not the ids. */
    v.cnt = ret ? l.cnt + r.cnt : 0;
    if (!lx_cmp(nd->mod, v.cnt, nd->v1) ||
        (nd->v2 && lx_popcount(ret ? l.ids | r.ids : 0) < (int)nd->v2))
        return (struct lx_val){0, 0, 0};
    v.ret = 1;
    return v;
}

int lexpr_eval(const struct lexpr *x, const uint32_t *counts)
{
    struct lx_val stack[LEXPR_MAX_DEPTH + 2];
    size_t sp = 0;

    for (uint32_t i = 0; i < x->n; i++) {
        const struct lx_node *nd = &x->nodes[i];
        if (nd->kind == LX_LEAF) {
            if (sp == LEXPR_MAX_DEPTH + 2)
                return 0;
            stack[sp++] = lx_eval_leaf(nd, counts);
        } else {
            if (sp < 2)
                return 0;
            stack[sp - 2] = lx_eval_op(nd, stack[sp - 2], stack[sp - 1]);
            sp--;
        }
    }
    return sp == 1 && stack[0].ret;
}

const void *lexpr_nodes(const struct lexpr *x, size_t *size)
{
    *size = (size_t)x->n * sizeof *x->nodes;
    return x->nodes;
}

vigil_status lexpr_from_nodes(const void *p, size_t size, unsigned nids,
                              struct lexpr **out)
{
    struct lexpr *x = NULL;
    size_t n = size / sizeof(struct lx_node);

    *out = NULL;
    if (size % sizeof(struct lx_node) || n == 0 || n > LEXPR_MAX_NODES)
        return VIGIL_EMALFORMED;
    if (!(x = malloc(sizeof *x)) || !(x->nodes = malloc(size))) {
        free(x);
        return VIGIL_ENOMEM;
    }
    memcpy(x->nodes, p, size);
    x->n = (uint32_t)n;
    /* lexpr_eval bounds its stack itself; a node only needs a known kind
     * and a leaf an index counts[] has. */
    for (size_t i = 0; i < n; i++)
        if (x->nodes[i].kind > LX_OR ||
            (x->nodes[i].kind == LX_LEAF &&
             (x->nodes[i].id > LEXPR_MAX_ID || x->nodes[i].id >= nids))) {
            lexpr_free(x);
            return VIGIL_EMALFORMED;
        }
    *out = x;
    return VIGIL_OK;
}
