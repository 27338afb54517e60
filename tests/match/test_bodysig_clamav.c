/* test_bodysig_clamav.c - bodysig against the real clamscan.
 *
 * Generates (seeded) a few hundred body signatures that use every feature
 * of the grammar, and for each a handful of files holding planted matches,
 * near-misses (one element, gap, boundary or anchor violated) and matches
 * at the file's edges; writes all signatures to one .ndb, runs clamscan
 * once over all files (-z: every match), and requires that for every
 * (file, signature) pair bodysig agrees: some atom hit verifies with the
 * start window [0, len - 1] iff clamscan reports the signature.
 *
 * The generator keeps away from where ClamAV 1.4 is known to be wrong and
 * bodysig deliberately differs (test_bodysig.c pins each difference):
 * generic alternatives whose lengths can differ at one position (ClamAV
 * trusts a broken uniqueness test and keeps only the first part boundary it
 * finds), (L) inside the bytes ClamAV matches backwards (it misses CRLF
 * there), nibble-high anchored bytes (ClamAV ignores them), empty
 * alternatives, and matches at a file's edges for parts holding specials
 * ClamAV counts as zero bytes (it reads past its pattern there, or crashes).
 * Files carry a 00 01 code unit so that ClamAV types them as binary data and
 * does not add a normalised text scan.
 *
 * Skipped when clamscan is not installed. VIGIL_BODYSIG_SEED and
 * VIGIL_BODYSIG_SIGS override the seed and the number of signatures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "match/bodysig.h"
#include "vigil/vigil.h"

#define MAXE 24 /* elements per part */
#define MAXP 5  /* parts per signature */
#define MAXA 6  /* alternatives per group */
#define MAXAL 4 /* bytes per alternative */
#define FMAX 4096
#define FILES_PER_SIG 5
#define UNB 0xFFFFFFFFu

/* ---- random numbers ------------------------------------------------------ */

static uint64_t rng_state;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static uint32_t below(uint32_t n)
{
    return n ? rnd() % n : 0;
}

static int chance(unsigned pct)
{
    return below(100) < pct;
}

/* ---- the model of a signature -------------------------------------------- */

enum gk { K_BYTE, K_NIBH, K_NIBL, K_ANY, K_CLASS, K_FIXED, K_GENERIC, K_MID };

struct galt {
    int len;
    uint8_t v[MAXAL + 2], m[MAXAL + 2];
};

struct gelem {
    int kind, neg;
    uint8_t v;
    char mid; /* K_MID: 'B', 'L' or 'W' */
    int nalt;
    struct galt alt[MAXA];
    char text[160]; /* K_GENERIC as written */
};

struct gside {
    char edge; /* 0, 'B', 'L', 'W' */
    int edge_neg, anchored;
    uint8_t av, am;
    int dmin, dmax;
};

struct gpart {
    int n;
    struct gelem e[MAXE];
    struct gside left, right;
    unsigned gmin, gmax; /* gap before the part; gmax UNB: none */
    char gtext[24];
    int ppos, depth; /* ClamAV's split of the part for its trie */
};

struct gsig {
    int np;
    struct gpart p[MAXP];
    char text[2048];
    int safe_start, safe_end;
};

static const char left_b[] = " -./<@_";      /* boundary bytes before a word */
static const char right_b[] = "\n \"'-/=>_"; /* after one (no CR: see above) */

static int alnum(unsigned b)
{
    return (b >= '0' && b <= '9') || ((b | 0x20) >= 'a' && (b | 0x20) <= 'z');
}

static int bound_any(unsigned b)
{
    return strchr(left_b, (int)b) || strchr(right_b, (int)b) || b == '\r';
}

/* A static byte of a signature: never a line byte (see the file comment),
 * sometimes 00, letters or punctuation so boundaries have work to do. */
static uint8_t sbyte(void)
{
    uint8_t b;

    if (chance(8))
        return 0;
    if (chance(20))
        return (uint8_t)("AbCdEfGh-_ ./xyz09"[below(18)]);
    do
        b = (uint8_t)rnd();
    while (b == '\n' || b == '\r');
    return b;
}

/* A byte of filler: anything but line bytes. */
static uint8_t fbyte(void)
{
    uint8_t b;

    do
        b = (uint8_t)rnd();
    while (b == '\n' || b == '\r');
    return b;
}

/* Can some byte string match both alternatives, b shifted by off? */
static int alts_compatible(const struct galt *a, const struct galt *b, int off)
{
    for (int i = 0; i < b->len; i++) {
        int j = i + off;
        uint8_t both = a->m[j] & b->m[i];
        if ((a->v[j] & both) != (b->v[i] & both))
            return 0;
    }
    return 1;
}

/* Alternatives of different lengths must not both fit at one start or one
 * end: then ClamAV's answer does not depend on its uniqueness test. */
static int alts_ok(const struct gelem *e)
{
    for (int i = 0; i < e->nalt; i++)
        for (int j = 0; j < e->nalt; j++) {
            const struct galt *a = &e->alt[i], *b = &e->alt[j];
            if (a->len <= b->len)
                continue;
            if (alts_compatible(a, b, 0) || alts_compatible(a, b, a->len - b->len))
                return 0;
        }
    return 1;
}

static void gen_altbyte(struct galt *a, int i, int allow_wild)
{
    unsigned k = allow_wild ? below(10) : 0;

    a->v[i] = sbyte();
    a->m[i] = 0xFF;
    if (k == 7)
        a->v[i] = 0, a->m[i] = 0;
    else if (k == 8)
        a->v[i] &= 0xF0, a->m[i] = 0xF0;
    else if (k == 9)
        a->v[i] &= 0x0F, a->m[i] = 0x0F;
}

static void put_hex(char **o, uint8_t v, uint8_t m)
{
    static const char *dig[2] = {"0123456789abcdef", "0123456789ABCDEF"};
    const char *d = dig[below(2)];

    *(*o)++ = m & 0xF0 ? d[v >> 4] : '?';
    *(*o)++ = m & 0x0F ? d[v & 15] : '?';
}

static void alt_text(char **o, const struct galt *a)
{
    for (int i = 0; i < a->len; i++)
        put_hex(o, a->v[i], a->m[i]);
}

/* A flat generic group: 2-4 alternatives, 1-3 bytes each (one length when
 * the signature has several parts). */
static void gen_flat(struct gelem *e, int fixlen)
{
    char *o = e->text;

    e->nalt = 2 + (int)below(3);
    for (int i = 0; i < e->nalt; i++) {
        e->alt[i].len = fixlen ? fixlen : 1 + (int)below(3);
        for (int k = 0; k < e->alt[i].len; k++)
            gen_altbyte(&e->alt[i], k, 1);
    }
    *o++ = '(';
    for (int i = 0; i < e->nalt; i++) {
        if (i)
            *o++ = '|';
        alt_text(&o, &e->alt[i]);
    }
    *o++ = ')';
    *o = '\0';
}

/* The two alternatives P X S of a nested group "(P(X1|X2)S|Y)"; with nib,
 * the nibble-split "(h(l1|l2)|Y)" whose alternatives are bytes hl1, hl2. */
static void nested_pair(struct gelem *e, int nib, uint8_t p, uint8_t x1, uint8_t x2,
                        int slen, uint8_t s)
{
    for (int i = 0; i < 2; i++) {
        struct galt *a = &e->alt[i];
        a->len = 0;
        if (!nib)
            a->v[a->len] = p, a->m[a->len++] = 0xFF;
        a->v[a->len] = i ? x2 : x1, a->m[a->len++] = 0xFF;
        if (slen)
            a->v[a->len] = s, a->m[a->len++] = 0xFF;
    }
}

static void gen_nested(struct gelem *e, int fixlen)
{
    int nib = chance(30), slen = !nib && chance(50);
    uint8_t p = sbyte(), x1 = sbyte(), x2 = sbyte(), s = sbyte();
    char *o = e->text;

    if (nib)
        x2 = (uint8_t)((x1 & 0xF0) | ((x1 + 1 + below(15)) & 0x0F));
    while (x2 == x1)
        x2 = sbyte();
    nested_pair(e, nib, p, x1, x2, slen, s);
    e->nalt = 3;
    e->alt[2].len = fixlen ? e->alt[0].len : 1 + (int)below(3);
    for (int k = 0; k < e->alt[2].len; k++)
        gen_altbyte(&e->alt[2], k, 1);
    if (nib)
        o += sprintf(o, "(%x(%x|%x)|", x1 >> 4, x1 & 15, x2 & 15);
    else if (slen)
        o += sprintf(o, "(%02x(%02x|%02x)%02x|", p, x1, x2, s);
    else
        o += sprintf(o, "(%02x(%02x|%02x)|", p, x1, x2);
    alt_text(&o, &e->alt[2]);
    *o++ = ')';
    *o = '\0';
}

static void gen_generic(struct gelem *e, int multi)
{
    for (int tries = 0; tries < 40; tries++) {
        int fixlen = multi ? 1 + (int)below(3) : 0;
        if (chance(35))
            gen_nested(e, multi);
        else
            gen_flat(e, fixlen);
        if (multi) {
            int same = 1;
            for (int i = 1; i < e->nalt; i++)
                same &= e->alt[i].len == e->alt[0].len;
            if (!same)
                continue;
        }
        if (alts_ok(e))
            return;
    }
    e->kind = K_BYTE;
    e->v = sbyte();
}

/* Distinct static alternatives, n bytes each. */
static void gen_static_alts(struct gelem *e, int n, int len)
{
    e->nalt = n;
    for (int i = 0; i < n; i++) {
        int dup;
        do {
            e->alt[i].len = len;
            for (int k = 0; k < len; k++)
                e->alt[i].v[k] = sbyte(), e->alt[i].m[k] = 0xFF;
            dup = 0;
            for (int j = 0; j < i; j++)
                dup |= !memcmp(e->alt[i].v, e->alt[j].v, (size_t)len);
        } while (dup);
    }
}

static void gen_elem(struct gelem *e, int multi)
{
    unsigned k = below(20);

    memset(e, 0, sizeof *e);
    e->v = sbyte();
    if (k < 6) {
        e->kind = K_BYTE;
    } else if (k < 8) {
        e->kind = K_ANY;
    } else if (k < 10) {
        e->kind = k == 8 ? K_NIBH : K_NIBL;
        e->v &= k == 8 ? 0xF0 : 0x0F;
    } else if (k < 12) {
        e->kind = K_CLASS;
        e->neg = chance(30);
        gen_static_alts(e, 1 + (int)below(4), 1);
    } else if (k < 14) {
        e->kind = K_FIXED;
        e->neg = chance(30);
        gen_static_alts(e, 1 + (int)below(3), 2 + (int)below(2));
    } else if (k < 17) {
        e->kind = K_GENERIC;
        gen_generic(e, multi);
    } else {
        e->kind = K_MID;
        e->mid = multi ? "BW"[below(2)] : "BLW"[below(3)];
        e->neg = chance(40);
    }
}

static void gen_side(struct gside *s, int right)
{
    memset(s, 0, sizeof *s);
    if (chance(25)) {
        s->edge = "BLW"[below(3)];
        s->edge_neg = right && chance(30);
    }
    if (chance(18)) {
        unsigned k = below(10);
        s->anchored = 1;
        s->av = sbyte();
        s->am = k < 7 ? 0xFF : k < 8 ? 0 : 0x0F;
        s->av &= s->am;
        s->dmin = (int)below(4);
        s->dmax = s->dmin + (int)(chance(10) ? below(33 - s->dmin) : below(4));
    }
}

/* ClamAV's choice (cli_ac_addsig) of where a part's trie pattern starts:
 * the bytes before ppos are matched backwards, the rest forwards. */
static void clam_split(struct gpart *p)
{
    uint16_t pat[MAXE];
    int n = p->n, wprefix = 0, zprefix = 1, plen = 0, ppos = 0, nzplen = 0, nzpos = 0;

    for (int i = 0; i < n; i++)
        pat[i] = p->e[i].kind == K_BYTE  ? p->e[i].v
                 : p->e[i].kind <= K_ANY ? 0x100
                                         : 0x200;
    for (int i = 0; i < 3 && i < n; i++) {
        if (pat[i] & 0xFF00) {
            wprefix = 1;
            break;
        }
        if (zprefix && pat[i])
            zprefix = 0;
    }
    if (wprefix || zprefix) {
        for (int i = 0; i < n - 1; i++) {
            for (int j = i; j < i + 3 && j < n; j++) {
                if (pat[j] & 0xFF00)
                    break;
                if (j - i + 1 >= plen)
                    plen = j - i + 1, ppos = i;
                if (pat[ppos] || (n > ppos + 1 && pat[ppos + 1])) {
                    if (plen >= 3)
                        break;
                    if (plen >= 2 && plen > nzplen)
                        nzplen = plen, nzpos = ppos;
                }
            }
            if (plen >= 3 && (pat[ppos] || pat[ppos + 1]))
                break;
        }
        if (nzplen && n > ppos + 1 && !pat[ppos] && !pat[ppos + 1])
            ppos = nzpos;
    }
    p->ppos = ppos;
    for (p->depth = 0;
         p->depth < 3 && ppos + p->depth < n && p->e[ppos + p->depth].kind == K_BYTE;
         p->depth++)
        ;
}

/* Is element e fixed-length and free of specials ClamAV counts as zero? */
static int edge_safe(const struct gelem *e)
{
    return e->kind <= K_CLASS || (e->kind == K_FIXED && !e->neg);
}

/* Does ClamAV's pre-filter take element e (a byte, ??, a nibble or a
 * single-byte group)? A generic group without '?', nesting or different
 * lengths is one ClamAV calls fixed, single-byte when its alternatives are. */
static int filterable(const struct gelem *e)
{
    if (e->kind <= K_CLASS)
        return 1;
    if (e->kind != K_GENERIC || strchr(e->text + 1, '(') || strchr(e->text, '?'))
        return 0;
    for (int i = 0; i < e->nalt; i++)
        if (e->alt[i].len != 1)
            return 0;
    return 1;
}

/* ClamAV 1.4 refuses a signature when the pre-filter of a trie that has
 * one (target 0 has) cannot take a part: after the groups and (B)/(L)/(W)
 * that begin it, it needs two filterable elements in a row, not all of
 * them ?? pairs. */
static int filter_ok(const struct gpart *p)
{
    int i = 0, k = 0, all_any = 1;

    while (i < p->n && !filterable(&p->e[i]))
        i++;
    for (; i < p->n && filterable(&p->e[i]); i++, k++)
        if (k && !(p->e[i - 1].kind == K_ANY && p->e[i].kind == K_ANY))
            all_any = 0;
    return k >= 2 && !all_any;
}

static void gen_part_once(struct gpart *p, int multi)
{
    int before = (int)below(4), run = 2 + (int)below(5), after = (int)below(4);

    memset(p, 0, sizeof *p);
    gen_side(&p->left, 0);
    gen_side(&p->right, 1);
    for (int i = 0; i < before; i++)
        gen_elem(&p->e[p->n++], multi);
    for (int i = 0; i < run; i++) {
        memset(&p->e[p->n], 0, sizeof p->e[0]);
        p->e[p->n].kind = K_BYTE;
        p->e[p->n++].v = sbyte();
    }
    for (int i = 0; i < after; i++)
        gen_elem(&p->e[p->n++], multi);
    /* ClamAV reads (B) first or last in a part as a boundary check. */
    if (p->e[0].kind == K_MID && !p->left.edge)
        p->e[0].neg = 1;
    if (p->e[p->n - 1].kind == K_MID && !p->right.edge) {
        p->e[p->n - 1].kind = K_BYTE;
        p->e[p->n - 1].v = sbyte();
    }
    clam_split(p);
}

static void gen_part(struct gpart *p, int multi)
{
    do
        gen_part_once(p, multi);
    while (!filter_ok(p));
}

/* The gap before a part, written as ClamAV reads it: a {n} below 128 is
 * only a gap once a '{' that is not such a {n} came before it (*braced). */
static void gen_gap(struct gpart *p, int *braced)
{
    unsigned k = below(12), a = below(8), b;
    int was = *braced;

    p->gmin = 0;
    p->gmax = UNB;
    if (k < 3) {
        strcpy(p->gtext, "*");
        return;
    }
    *braced = 1;
    if (k < 6) {
        b = a + 1 + below(12);
        sprintf(p->gtext, "{%u-%u}", a, b);
        p->gmin = a, p->gmax = b;
    } else if (k < 8) {
        b = 1 + below(12);
        sprintf(p->gtext, "{-%u}", b);
        p->gmax = b;
    } else if (k < 10) {
        sprintf(p->gtext, "{%u-}", a);
        p->gmin = a;
    } else if (k < 11) {
        strcpy(p->gtext, "{0}");
    } else {
        b = was ? 1 + below(20) : 128 + below(40);
        sprintf(p->gtext, "{%u}", b);
        p->gmin = p->gmax = b;
    }
}

/* ---- writing a signature ------------------------------------------------- */

static void render_side_anchor(char **o, const struct gside *s, int right)
{
    char r[16];

    if (s->dmin == s->dmax && chance(50))
        sprintf(r, "[%d]", s->dmin);
    else
        sprintf(r, "[%d-%d]", s->dmin, s->dmax);
    if (right) {
        *o += sprintf(*o, "%s", r);
        put_hex(o, s->av, s->am);
    } else {
        put_hex(o, s->av, s->am);
        *o += sprintf(*o, "%s", r);
    }
}

static void render_alts(char **o, const struct gelem *e)
{
    if (e->neg)
        *(*o)++ = '!';
    *(*o)++ = '(';
    for (int i = 0; i < e->nalt; i++) {
        if (i)
            *(*o)++ = '|';
        alt_text(o, &e->alt[i]);
    }
    *(*o)++ = ')';
}

/* Writes elements from i on; returns the index after what it wrote. A run
 * of ?? may be written {n} while no other '{' came before (braced). */
static int render_elem(char **o, const struct gpart *p, int i, int braced)
{
    const struct gelem *e = &p->e[i];
    int k = i;

    switch (e->kind) {
    case K_ANY:
        while (k < p->n && p->e[k].kind == K_ANY)
            k++;
        if (k - i >= 2 && !braced && chance(50))
            *o += sprintf(*o, "{%d}", k - i);
        else
            for (int j = i; j < k; j++)
                *o += sprintf(*o, "??");
        return k;
    case K_BYTE:
    case K_NIBH:
    case K_NIBL:
        put_hex(o, e->v, e->kind == K_BYTE ? 0xFF : e->kind == K_NIBH ? 0xF0 : 0x0F);
        break;
    case K_CLASS:
    case K_FIXED:
        render_alts(o, e);
        break;
    case K_GENERIC:
        *o += sprintf(*o, "%s", e->text);
        break;
    default:
        *o += sprintf(*o, "%s(%c)", e->neg ? "!" : "", e->mid);
    }
    return i + 1;
}

static void render_part(char **o, const struct gpart *p, int braced)
{
    if (p->left.anchored)
        render_side_anchor(o, &p->left, 0);
    if (p->left.edge)
        *o += sprintf(*o, "(%c)", p->left.edge);
    for (int i = 0; i < p->n;)
        i = render_elem(o, p, i, braced);
    if (p->right.edge)
        *o += sprintf(*o, "%s(%c)", p->right.edge_neg ? "!" : "", p->right.edge);
    if (p->right.anchored)
        render_side_anchor(o, &p->right, 1);
}

/* ClamAV 1.4 hands a target-0 signature without `?([{*` to its
 * Boyer-Moore matcher, which wants 3 bytes. */
static int bm_ok(const struct gsig *g)
{
    return strpbrk(g->text, "?([{*") || strlen(g->text) >= 6;
}

static void gen_sig_once(struct gsig *g)
{
    int braced = 0;
    char *o = g->text;

    memset(g, 0, sizeof *g);
    g->np = chance(45) ? 2 + (int)below(MAXP - 1) : 1;
    for (int i = 0; i < g->np; i++) {
        gen_part(&g->p[i], g->np > 1);
        if (i)
            gen_gap(&g->p[i], &braced);
    }
    braced = 0;
    for (int i = 0; i < g->np; i++) {
        if (i) {
            o += sprintf(o, "%s", g->p[i].gtext);
            braced |= g->p[i].gtext[0] == '{';
        }
        render_part(&o, &g->p[i], braced);
    }
    g->safe_start = g->safe_end = 1;
    for (int i = 0; i < g->p[0].ppos; i++)
        g->safe_start &= edge_safe(&g->p[0].e[i]);
    for (int i = g->p[g->np - 1].ppos; i < g->p[g->np - 1].n; i++)
        g->safe_end &= edge_safe(&g->p[g->np - 1].e[i]);
}

static void gen_sig(struct gsig *g)
{
    do
        gen_sig_once(g);
    while (!bm_ok(g));
}

/* ---- files ----------------------------------------------------------------- */

struct gfile {
    uint8_t b[FMAX], fx[FMAX];
    size_t len;
    int drop;
};

/* Near-misses: a placement makes numbered decisions of four kinds; one of
 * them, chosen kind first, is made wrong. */
enum { D_ELEM, D_GAP, D_EDGE, D_ANCHOR, D_KINDS };
static int viol_at = -1, viol_n, viol_kind[1024];

static int bad_here(int kind)
{
    if (viol_n < 1024)
        viol_kind[viol_n] = kind;
    return viol_n++ == viol_at;
}

static void put(struct gfile *f, long pos, uint8_t v)
{
    if (pos < 0 || pos >= FMAX || f->fx[pos])
        return;
    f->b[pos] = v;
    f->fx[pos] = 1;
    if ((size_t)pos + 1 > f->len)
        f->len = (size_t)pos + 1;
}

static int in_class(const struct gelem *e, uint8_t b)
{
    for (int i = 0; i < e->nalt; i++)
        if (e->alt[i].v[0] == b)
            return 1;
    return 0;
}

/* A byte of a kind of class ('B' boundary, 'W' non-alphanumeric, 'L'
 * line feed), or, with !want, outside it. */
static uint8_t class_byte(char c, int want)
{
    static const char bnd[] = " -./<@_\"'=>";
    uint8_t b;

    if (want && c == 'B')
        return (uint8_t)bnd[below(sizeof bnd - 1)];
    if (want && c == 'L')
        return '\n';
    do
        b = fbyte();
    while ((c == 'B' && bound_any(b) != want) || (c == 'W' && alnum(b) == want) ||
           (c == 'L' && b == '\n') || (!want && b > 0x7F && chance(70)));
    return b;
}

static int inst_alt(struct gfile *f, long pos, const struct galt *a, int bad)
{
    int flip = bad ? (int)below((uint32_t)a->len + 1) : -1;

    for (int i = 0; i < a->len; i++) {
        uint8_t v = (uint8_t)((a->v[i] & a->m[i]) | (fbyte() & ~a->m[i]));
        if (i == flip && a->m[i])
            v ^= (uint8_t)(a->m[i] & (1 + below(255)));
        put(f, pos + i, v);
    }
    return a->len;
}

/* A string of the fixed group's length equal to none of its strings. */
static int inst_not_fixed(struct gfile *f, long pos, const struct gelem *e)
{
    struct galt a = e->alt[below((uint32_t)e->nalt)];
    int same;

    do {
        a.v[below((uint32_t)a.len)] = fbyte();
        same = 0;
        for (int i = 0; i < e->nalt; i++)
            same |= !memcmp(a.v, e->alt[i].v, (size_t)a.len);
    } while (same);
    return inst_alt(f, pos, &a, 0);
}

static int inst_mid(struct gfile *f, long pos, const struct gelem *e, int bad, int rev)
{
    int want = !e->neg ^ bad;

    if (e->mid == 'L' && !e->neg && want && !rev && chance(50)) {
        put(f, pos, '\r');
        put(f, pos + 1, '\n');
        return 2;
    }
    if (e->mid == 'L' && e->neg) {
        put(f, pos, want ? class_byte('L', 0) : '\n');
        return 1;
    }
    put(f, pos, class_byte(e->mid, want));
    return 1;
}

/* Writes element e at pos (rev: ClamAV matches it backwards); returns the
 * bytes used. */
static int inst_elem(struct gfile *f, long pos, const struct gelem *e, int rev)
{
    int bad = bad_here(D_ELEM);
    uint8_t b;

    switch (e->kind) {
    case K_BYTE:
        put(f, pos, bad ? (uint8_t)(e->v ^ (1 + below(255))) : e->v);
        return 1;
    case K_NIBH:
    case K_NIBL: {
        uint8_t m = e->kind == K_NIBH ? 0xF0 : 0x0F;
        b = (uint8_t)((e->v & m) | (fbyte() & ~m));
        put(f, pos, bad ? (uint8_t)(b ^ (m & (1 + below(255)))) : b);
        return 1;
    }
    case K_ANY:
        return 1;
    case K_CLASS:
        do
            b = !e->neg ^ bad ? e->alt[below((uint32_t)e->nalt)].v[0] : fbyte();
        while (!(!e->neg ^ bad) && in_class(e, b));
        put(f, pos, b);
        return 1;
    case K_FIXED:
        if (!e->neg ^ bad)
            return inst_alt(f, pos, &e->alt[below((uint32_t)e->nalt)], 0);
        return inst_not_fixed(f, pos, e);
    case K_GENERIC:
        return inst_alt(f, pos, &e->alt[below((uint32_t)e->nalt)], bad);
    default:
        return inst_mid(f, pos, e, bad, rev);
    }
}

/* Gap lengths: inside [gmin, gmax], or, violated, just outside. */
static unsigned inst_gap(const struct gpart *p)
{
    int bad = bad_here(D_GAP);
    unsigned span = p->gmax == UNB ? 16 : p->gmax - p->gmin + 1;

    if (bad && p->gmin && (p->gmax == UNB || chance(50)))
        return p->gmin - 1;
    if (bad && p->gmax != UNB)
        return p->gmax + 1 + below(3);
    return p->gmin + below(span);
}

static void inst_edge(struct gfile *f, const struct gside *s, long pos, int right)
{
    int want;
    uint8_t b;

    if (!s->edge || pos < 0)
        return;
    want = !s->edge_neg ^ bad_here(D_EDGE);
    if (s->edge == 'B' && want)
        b = (uint8_t)(right ? right_b : left_b)[below(right ? 9 : 7)];
    else if (s->edge == 'B') /* bytes that bound a word on the other side only */
        b = (uint8_t)(right ? "AZaz09\xfe.<@"
                            : "AZaz09\xfe\n\"'=>")[below(right ? 10 : 12)];
    else if (s->edge == 'L')
        b = want ? '\n' : class_byte('L', 0);
    else
        b = class_byte('W', want);
    if (s->edge == 'L' && want && right && chance(40)) {
        put(f, pos, '\r');
        put(f, pos + 1, '\n');
        return;
    }
    put(f, pos, b);
}

static void inst_anchor(struct gfile *f, const struct gside *s, long pos, int dir)
{
    int bad;
    uint8_t v;

    if (!s->anchored || !s->am)
        return;
    bad = bad_here(D_ANCHOR);
    if (!bad) {
        long d = s->dmin + (long)below((uint32_t)(s->dmax - s->dmin + 1));
        put(f, pos + dir * d, (uint8_t)(s->av | (fbyte() & ~s->am)));
        return;
    }
    for (long d = s->dmin; d <= s->dmax; d++) {
        do
            v = fbyte();
        while ((v & s->am) == s->av);
        put(f, pos + dir * d, v);
    }
}

/* Writes one placement of g at pos: elements and gaps first, then the
 * zero-width contexts (which never overwrite a byte of the match). Returns
 * the end of the last part. */
static long inst_sig(struct gfile *f, const struct gsig *g, long pos)
{
    long st[MAXP], en[MAXP];

    for (int i = 0; i < g->np; i++) {
        const struct gpart *p = &g->p[i];
        if (i)
            pos += (long)inst_gap(p);
        st[i] = pos;
        for (int k = 0; k < p->n; k++)
            pos += inst_elem(f, pos, &p->e[k], k < p->ppos);
        en[i] = pos;
    }
    for (int i = 0; i < g->np; i++) {
        const struct gpart *p = &g->p[i];
        inst_edge(f, &p->left, st[i] - 1, 0);
        inst_edge(f, &p->right, en[i], 1);
        inst_anchor(f, &p->left, st[i] - 1, -1);
        inst_anchor(f, &p->right, en[i], 1);
    }
    return en[g->np - 1];
}

/* One placement, right or with one decision (chosen at random) wrong. */
static long place(struct gfile *f, const struct gsig *g, long pos, int bad)
{
    struct gfile dry;

    viol_at = -1;
    viol_n = 0;
    if (bad) {
        int kind = (int)below(D_KINDS), n = 0;
        memset(&dry, 0, sizeof dry);
        inst_sig(&dry, g, pos);
        for (int i = 0; i < viol_n && i < 1024; i++)
            n += viol_kind[i] == kind;
        for (int i = 0, k = (int)below((uint32_t)n); i < viol_n && i < 1024; i++)
            if (viol_kind[i] == kind && k-- == 0)
                viol_at = i;
        if (viol_at < 0)
            viol_at = (int)below((uint32_t)viol_n);
        viol_n = 0;
    }
    pos = inst_sig(f, g, pos);
    viol_at = -1;
    return pos;
}

/* Sets a 00 01 code unit at an even offset, so ClamAV sees binary data. */
static void mark_binary(struct gfile *f)
{
    for (size_t i = 2; i + 1 < f->len && i < 1000; i += 2)
        if (!f->fx[i] && !f->fx[i + 1]) {
            put(f, (long)i, 0);
            put(f, (long)i + 1, 1);
            return;
        }
    f->drop = 1;
}

/* variant 0: a match; 1: a near-miss; 2: near-miss then match; 3: two
 * matches; 4: a match at the file's start or end where ClamAV is exact. */
static void make_file(struct gfile *f, const struct gsig *g, int variant)
{
    int at_start = variant == 4 && g->safe_start && chance(50);
    int at_end = variant == 4 && !at_start && g->safe_end;
    long pos, end;

    memset(f, 0, sizeof *f);
    if (!at_start) {
        put(f, 0, 0xA5);
        put(f, 1, 0x5A);
        put(f, 2, 0);
        put(f, 3, 1);
    }
    pos = at_start ? 0 : 4 + (long)below(24);
    end = place(f, g, pos,
                variant == 1 || variant == 2 || (variant == 4 && !at_start && !at_end));
    if (variant == 2 || variant == 3)
        end = place(f, g, end + 4 + (long)below(30), 0);
    if (at_end)
        f->len = (size_t)end;
    else if (f->len < (size_t)end + 8 + below(24))
        f->len = (size_t)end + 8 + below(24);
    if (f->len > FMAX)
        f->drop = 1, f->len = FMAX;
    if (at_start)
        mark_binary(f);
    for (size_t i = 0; i < f->len; i++)
        if (!f->fx[i])
            f->b[i] = fbyte();
}

/* Longest a run of elements can be. */
static int max_len(const struct gpart *p, int from, int to)
{
    int n = 0;

    for (int i = from; i < to; i++) {
        const struct gelem *e = &p->e[i];
        int m = e->kind == K_MID ? 2 : 1;
        for (int k = 0; (e->kind == K_FIXED || e->kind == K_GENERIC) && k < e->nalt; k++)
            m = e->alt[k].len > m ? e->alt[k].len : m;
        n += m;
    }
    return n;
}

static int unsafe(const struct gpart *p, int from, int to)
{
    for (int i = from; i < to; i++)
        if (!edge_safe(&p->e[i]))
            return 1;
    return 0;
}

/* Where ClamAV's trie pattern of part p sits in f too close to an edge for
 * the specials ClamAV counts as zero bytes (it reads past its pattern
 * there, or before the buffer and crashes): returns that position or -1. */
static long edge_risk(const struct gfile *f, const struct gpart *p)
{
    int pre = unsafe(p, 0, p->ppos) ? max_len(p, 0, p->ppos) : -1;
    int fwd = unsafe(p, p->ppos, p->n) ? max_len(p, p->ppos, p->n) : -1;
    const uint8_t *pat;

    for (long at = 0; at + p->depth <= (long)f->len; at++) {
        if (at > pre && at + fwd < (long)f->len)
            continue;
        pat = f->b + at;
        int same = 1;
        for (int k = 0; k < p->depth && same; k++)
            same = pat[k] == p->e[p->ppos + k].v;
        if (same)
            return at;
    }
    return -1;
}

/* Re-draws filler until no part of any signature is at risk near an edge
 * of f. Returns 0 if a risk lies in bytes a placement fixed. */
static int edges_safe(struct gfile *f, const struct gsig *sigs, int nsigs)
{
    for (int tries = 0; tries < 64; tries++) {
        long at = -1;
        for (int s = 0; s < nsigs && at < 0; s++)
            for (int i = 0; i < sigs[s].np && at < 0; i++)
                at = edge_risk(f, &sigs[s].p[i]);
        if (at < 0)
            return 1;
        if (f->fx[at])
            return 0;
        f->b[at] = fbyte();
    }
    return 0;
}

/* ---- running both ---------------------------------------------------------- */

struct run {
    int nsigs, nfiles;
    struct gsig *sigs;
    struct bodysig **bs;
    struct gfile *files;
    int *owner;    /* signature a file was made for */
    uint8_t *clam; /* [file * nsigs + sig]: clamscan found it */
    char dir[64];
};

static int ours(const struct run *r, int file, int sig)
{
    const struct gfile *f = &r->files[file];
    const struct bodysig_atom *a = bodysig_atom(r->bs[sig]);
    size_t start, end;

    for (size_t at = 0; at + a->len <= f->len; at++)
        if (!memcmp(f->b + at, a->bytes, a->len) &&
            bodysig_verify(r->bs[sig], f->b, f->len, at, 0, f->len - 1, &start, &end))
            return 1;
    return 0;
}

static void write_inputs(struct run *r)
{
    char path[128];
    FILE *db, *list, *fp;

    snprintf(path, sizeof path, "%s/x.ndb", r->dir);
    assert_non_null(db = fopen(path, "w"));
    for (int s = 0; s < r->nsigs; s++)
        fprintf(db, "S%d:0:*:%s\n", s, r->sigs[s].text);
    fclose(db);
    snprintf(path, sizeof path, "%s/list", r->dir);
    assert_non_null(list = fopen(path, "w"));
    for (int i = 0; i < r->nfiles; i++) {
        if (r->files[i].drop)
            continue;
        snprintf(path, sizeof path, "%s/f%05d", r->dir, i);
        assert_non_null(fp = fopen(path, "wb"));
        assert_int_equal(fwrite(r->files[i].b, 1, r->files[i].len, fp), r->files[i].len);
        fclose(fp);
        fprintf(list, "%s\n", path);
    }
    fclose(list);
}

/* Runs clamscan once and records which signatures it found in which file.
 * Returns 0 if clamscan failed. */
static int run_clamscan(struct run *r)
{
    char cmd[512], line[512];
    int file, sig, status;
    FILE *p;

    snprintf(cmd, sizeof cmd,
             "clamscan --no-summary -i -z -d %s/x.ndb --file-list=%s/list 2>&1", r->dir,
             r->dir);
    if (!(p = popen(cmd, "r")))
        return 0;
    while (fgets(line, sizeof line, p)) {
        char *f = strstr(line, "/f"), *s = strstr(line, ": S");
        if (f && s && strstr(line, " FOUND") && sscanf(f, "/f%d", &file) == 1 &&
            sscanf(s, ": S%d.", &sig) == 1 && file >= 0 && file < r->nfiles && sig >= 0 &&
            sig < r->nsigs)
            r->clam[(size_t)file * (size_t)r->nsigs + (size_t)sig] = 1;
        else if (!strstr(line, " FOUND"))
            fprintf(stderr, "clamscan: %s", line);
    }
    status = pclose(p);
    return WIFEXITED(status) && WEXITSTATUS(status) <= 1;
}

static void report(const struct run *r, int file, int sig, int o, int c)
{
    const struct gfile *f = &r->files[file];

    fprintf(stderr,
            "MISMATCH sig S%d \"%s\" file f%05d (made for S%d, variant "
            "%d): bodysig %d, clamscan %d\n  ",
            sig, r->sigs[sig].text, file, r->owner[file], file % FILES_PER_SIG, o, c);
    for (size_t i = 0; i < f->len && i < 400; i++)
        fprintf(stderr, "%02x", f->b[i]);
    fprintf(stderr, "\n");
}

static void cleanup(const struct run *r)
{
    char path[128];

    for (int i = 0; i < r->nfiles; i++) {
        snprintf(path, sizeof path, "%s/f%05d", r->dir, i);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/x.ndb", r->dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/list", r->dir);
    unlink(path);
    rmdir(r->dir);
}

static void generate(struct run *r)
{
    char why[256];

    for (int s = 0; s < r->nsigs; s++) {
        gen_sig(&r->sigs[s]);
        if (bodysig_parse(r->sigs[s].text, strlen(r->sigs[s].text), &r->bs[s], why,
                          sizeof why) != VIGIL_OK)
            fail_msg("S%d \"%s\": %s", s, r->sigs[s].text, why);
        for (int v = 0; v < FILES_PER_SIG; v++) {
            int i = s * FILES_PER_SIG + v;
            make_file(&r->files[i], &r->sigs[s], v);
            r->owner[i] = s;
        }
    }
    for (int i = 0; i < r->nfiles; i++)
        if (!r->files[i].drop && !edges_safe(&r->files[i], r->sigs, r->nsigs))
            r->files[i].drop = 1;
}

/* Compares every pair; returns the number of disagreements. */
static int compare(const struct run *r, int *positives)
{
    int bad = 0;

    *positives = 0;
    for (int i = 0; i < r->nfiles; i++) {
        if (r->files[i].drop)
            continue;
        for (int s = 0; s < r->nsigs; s++) {
            int c = r->clam[(size_t)i * (size_t)r->nsigs + (size_t)s];
            int o = ours(r, i, s);
            *positives += c;
            if (o != c && bad++ < 25)
                report(r, i, s, o, c);
        }
    }
    return bad;
}

/* The whole engine (pre-filter atoms, segments, quick tests, verifier) on
 * every kept file, allmatch: the set of signatures it reports must be
 * clamscan's. Returns the number of disagreements. */
static int compare_engine(const struct run *r)
{
    struct vigil_scan_options o;
    vigil_engine *e = NULL;
    vigil_scanner *sc = NULL;
    uint8_t *got = calloc((size_t)r->nsigs, 1);
    char path[128];
    int bad = 0, sig;

    snprintf(path, sizeof path, "%s/x.ndb", r->dir);
    assert_non_null(got);
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(vigil_engine_load(e, path, 0), VIGIL_OK);
    assert_int_equal(vigil_engine_compile(e), VIGIL_OK);
    assert_int_equal(vigil_scanner_new(e, &sc), VIGIL_OK);
    vigil_scan_options_default(&o);
    o.flags |= VIGIL_SCAN_ALLMATCH;
    for (int i = 0; i < r->nfiles; i++) {
        const vigil_result *res;
        if (r->files[i].drop)
            continue;
        assert_int_equal(vigil_scan_buffer(sc, r->files[i].b, r->files[i].len, NULL, &o, &res),
                         VIGIL_OK);
        memset(got, 0, (size_t)r->nsigs);
        for (size_t d = 0; d < vigil_result_count(res); d++)
            if (sscanf(vigil_result_detection(res, d)->name, "S%d.", &sig) == 1 && sig >= 0 &&
                sig < r->nsigs)
                got[sig] = 1;
        for (int s = 0; s < r->nsigs; s++) {
            int c = r->clam[(size_t)i * (size_t)r->nsigs + (size_t)s];
            if (got[s] != c && bad++ < 25)
                report(r, i, s, got[s], c);
        }
    }
    vigil_scanner_free(sc);
    vigil_engine_free(e);
    free(got);
    return bad;
}

static void test_against_clamscan(void **state)
{
    const char *seed = getenv("VIGIL_BODYSIG_SEED"), *n = getenv("VIGIL_BODYSIG_SIGS");
    struct run r = {0};
    int positives = 0, bad = 0, ran, dropped = 0, ebad = 0;

    (void)state;
    if (system("command -v clamscan >/dev/null 2>&1") != 0)
        skip();
    rng_state = seed ? strtoull(seed, NULL, 0) : 0x5EED0B0D15ULL;
    r.nsigs = n ? atoi(n) : 300;
    r.nfiles = r.nsigs * FILES_PER_SIG;
    r.sigs = calloc((size_t)r.nsigs, sizeof *r.sigs);
    r.bs = calloc((size_t)r.nsigs, sizeof *r.bs);
    r.files = calloc((size_t)r.nfiles, sizeof *r.files);
    r.owner = calloc((size_t)r.nfiles, sizeof *r.owner);
    r.clam = calloc((size_t)r.nfiles * (size_t)r.nsigs, 1);
    assert_true(r.sigs && r.bs && r.files && r.owner && r.clam);
    strcpy(r.dir, "/tmp/vigil-bodysig.XXXXXX");
    assert_non_null(mkdtemp(r.dir));
    generate(&r);
    write_inputs(&r);
    ran = run_clamscan(&r);
    if (ran) {
        bad = compare(&r, &positives);
        ebad = compare_engine(&r);
    }
    for (int i = 0; i < r.nfiles; i++)
        dropped += r.files[i].drop;
    fprintf(stderr,
            "bodysig vs clamscan: %d signatures, %d files (%d left out), "
            "%d matching pairs, %d disagreements (%d through the engine)\n",
            r.nsigs, r.nfiles, dropped, positives, bad, ebad);
    cleanup(&r);
    for (int s = 0; s < r.nsigs; s++)
        bodysig_free(r.bs[s]);
    free(r.sigs), free(r.bs), free(r.files), free(r.owner), free(r.clam);
    assert_true(ran);
    assert_int_equal(bad, 0);
    assert_int_equal(ebad, 0);
    assert_true(positives >= r.nsigs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_clamscan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
