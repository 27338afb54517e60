/* ldb.c - ClamAV logical signatures (.ldb): lines into the engine's tables.
 *
 * Spec: ClamAV manual "Logical signatures", readdb.c cli_loadldb /
 * load_oneldb / cli_sigopts_handler / cli_parse_add, measured against
 * clamscan 1.4.6:
 *   Name;TDB;Expression;Subsig0[;Subsig1...]      (1 to 64 subsignatures)
 * A line splits at ';' except inside /.../ after the second field (PCRE);
 * the expression must name exactly the subsignatures given; the TDB is read
 * by ldb_tdb.c. A subsignature is, in the order ClamAV 1.4 tells them apart
 * (readdb_parse_ldb_subsignature):
 *   ${min-max}group$             macro (the whole field starts with '$')
 *   [Offset:]Trigger/Pattern/Flags  PCRE (any '/'; modifiers are ignored:
 *                                the field splits at ':' and only an
 *                                Offset:Sig pair keeps its offset)
 *   Ref(Offset#Opts#Cmp)         byte compare (a '(' and two '#')
 *   fuzzy_img#hash[#0]           image fuzzy hash (loaded, never matches:
 *                                vigil does not hash images)
 *   [Offset:]Hex[::Modifiers]    body signature (match/bodysig.c)
 * Modifiers i (nocase), w (wide), a (ascii, with w: both), f (fullword)
 * rewrite a hex pattern as ClamAV does, textually: f wraps it in (W)...(W),
 * w puts 00 after every byte, i folds the letters A-Z of its bytes and marks
 * it to be verified against the case-folded object.
 * Empty lines are malformed (ClamAV refuses them); ignore lists apply by
 * name and line.
 * Limits: LDB_MAX_LINE characters per line, LDB_MAX_SUBSIGS subsignatures,
 * LDB_MAX_SIGS logical signatures. */
#include "db/ldb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "db/dbparse.h"
#include "db/lines.h"
#include "match/bodysig.h"
#include "match/lexpr.h"
#include "match/lpcre.h"

#define LDB_TOKENS (LDB_MAX_SUBSIGS + 4) /* ClamAV's LDB_TOKENS + 1 */
#define LDB_SUB_TOKENS 5                 /* SUB_TOKENS + 1 */

enum ldb_mod { MOD_NOCASE = 1, MOD_WIDE = 2, MOD_ASCII = 4, MOD_FULLWORD = 8 };

/* ---- the table ---------------------------------------------------------- */

void ldb_table_init(struct ldb_table *t)
{
    memset(t, 0, sizeof *t);
}

void ldb_table_mark(const struct ldb_table *t, struct ldb_mark *m)
{
    m->n = t->n;
    m->npcre = t->npcre;
    m->nbcomp = t->nbcomp;
    m->nmacro = t->nmacro;
    m->nsubs_total = t->nsubs_total;
}

void ldb_table_rollback(struct ldb_table *t, const struct ldb_mark *m)
{
    while (t->n > m->n)
        lexpr_free(t->v[--t->n].expr);
    while (t->npcre > m->npcre)
        lpcre_free(t->pcre[--t->npcre]);
    t->nbcomp = m->nbcomp;
    t->nmacro = m->nmacro;
    t->nsubs_total = m->nsubs_total;
}

void ldb_table_free(struct ldb_table *t)
{
    struct ldb_mark zero = {0, 0, 0, 0, 0};

    ldb_table_rollback(t, &zero);
    free(t->v);
    free(t->pcre);
    free(t->bcomp);
    free(t->macro);
    ldb_table_init(t);
}

/* Grows *arr (elsize-byte items) so that one more fits. */
static vigil_status ldb_grow(void **arr, size_t n, size_t *cap, size_t elsize)
{
    size_t ncap;
    void *v;

    if (n < *cap)
        return VIGIL_OK;
    ncap = *cap ? *cap * 2 : 64;
    v = realloc(*arr, ncap * elsize);
    if (!v)
        return VIGIL_ENOMEM;
    *arr = v;
    *cap = ncap;
    return VIGIL_OK;
}

/* ---- tokenizing --------------------------------------------------------- */

/* ClamAV's cli_ldbtokenize: fields split at delim, except that after the
 * first `skip` fields an unescaped '/' toggles a PCRE region in which delim
 * does not split (the state carries over to later fields). At most max
 * fields; the last is cut at its delimiter and the rest dropped. */
static size_t ldb_tokenize(const char *s, size_t n, char delim, struct field *f,
                           size_t max, size_t skip)
{
    size_t count = 0, i = 0;
    int in_re = 0;

    while (count < max) {
        size_t start = i;
        for (; i < n; i++) {
            if (!in_re && s[i] == delim)
                break;
            if (count + 1 > skip && s[i] == '/' && (i == start || s[i - 1] != '\\'))
                in_re = !in_re;
        }
        f[count].s = s + start;
        f[count].n = i - start;
        count++;
        if (i >= n)
            break;
        i++;
    }
    return count;
}

/* ---- hex pattern rewriting (modifiers) ---------------------------------- */

/* A growable text with a hard maximum (a rewritten pattern). */
struct ldb_text {
    char *s;
    size_t n, cap;
};

static int text_put(struct ldb_text *t, const char *s, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        char *v;
        while (cap < t->n + n + 1)
            cap *= 2;
        if (cap > 4 * (LDB_MAX_LINE + 16) || !(v = realloc(t->s, cap)))
            return -1;
        t->s = v;
        t->cap = cap;
    }
    memcpy(t->s + t->n, s, n);
    t->n += n;
    t->s[t->n] = '\0';
    return 0;
}

/* ::f: (W)hex(W), with anchored-byte ranges [n-m] made gaps {n-m}, as
 * ClamAV's cli_sigopts_handler does. */
static const char *mod_fullword(const char *h, size_t n, struct ldb_text *out)
{
    int open = 0;

    if (text_put(out, "(W)", 3) != 0)
        return "out of memory";
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        if (c == '[' && !open)
            c = '{', open = 1;
        else if (c == ']' && open)
            c = '}', open = 0;
        if (text_put(out, &c, 1) != 0)
            return "out of memory";
    }
    if (open)
        return "unmatched '[' in a fullword subsignature";
    return text_put(out, "(W)", 3) ? "out of memory" : NULL;
}

/* ::w: every byte followed by 00, ClamAV's character-wise rewrite. */
static const char *mod_wide(const char *h, size_t n, struct ldb_text *out)
{
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        int r = 0;
        if (c == '*' || c == '|' || c == ')') {
            r = text_put(out, &c, 1);
        } else if (c == '[' || c == '{') {
            size_t j = i + 1;
            while (j < n && h[j] != (c == '[' ? ']' : '}'))
                j++;
            r = text_put(out, "{", 1) || text_put(out, h + i + 1, j - i - 1) ||
                text_put(out, "}", 1);
            i = j;
        } else if (c == '!' || c == '(') {
            if (c == '!' && (r = text_put(out, "!", 1)) == 0)
                i++;
            if (i < n && !r)
                r = text_put(out, h + i, 1);
            if (!r && i + 1 < n && (h[i + 1] == 'B' || h[i + 1] == 'L' || h[i + 1] == 'W')) {
                if (i + 2 >= n || h[i + 2] != ')')
                    return "malformed (B), (L) or (W) in a wide subsignature";
                r = text_put(out, h + i + 1, 2);
                i += 2;
            }
        } else if (i + 1 < n) {
            r = text_put(out, h + i, 2) || text_put(out, "00", 2);
            i++;
        } else {
            r = text_put(out, &c, 1);
        }
        if (r)
            return "out of memory";
    }
    return NULL;
}

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int hexval(char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* ::i: the bytes A-Z of the pattern (plain and in alternatives) become
 * a-z; the object is folded the same way before verification. */
static void mod_nocase(char *h, size_t n)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        if (h[i] == '{' || h[i] == '[') {
            char close = h[i] == '{' ? '}' : ']';
            while (i < n && h[i] != close)
                i++;
        } else if (h[i] == '(' && i + 2 < n && h[i + 2] == ')' &&
                   (h[i + 1] == 'B' || h[i + 1] == 'L' || h[i + 1] == 'W')) {
            i += 2;
        } else if (i + 1 < n && is_hex(h[i]) && is_hex(h[i + 1])) {
            int b = hexval(h[i]) << 4 | hexval(h[i + 1]);
            if (b >= 'A' && b <= 'Z') {
                h[i] = digits[(b + 32) >> 4];
                h[i + 1] = digits[(b + 32) & 15];
            }
            i++;
        }
    }
}

/* ClamAV matches a pattern in parts when it holds '*' or a '{' gap other
 * than a plain {n} of 1 to 127 (which it expands to n wildcards). */
static int hex_partial(const char *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t j = i + 1, v = 0;
        if (h[i] == '*')
            return 1;
        if (h[i] != '{')
            continue;
        while (j < n && h[j] >= '0' && h[j] <= '9' && v < 1000)
            v = v * 10 + (size_t)(h[j++] - '0');
        if (j == i + 1 || j >= n || h[j] != '}' || v == 0 || v >= 128)
            return 1;
    }
    return 0;
}

/* ---- subsignatures ------------------------------------------------------ */

/* What one subsignature is being added to. */
struct ldb_ctx {
    struct vigil_engine *e;
    uint32_t lsig;     /* index in e->ldb */
    unsigned target, subsig;
    char *why;
    size_t whylen;
    vigil_status st;
    int official;
};

static const char *ldb_fail_st(struct ldb_ctx *c, vigil_status st)
{
    c->st = st;
    return st == VIGIL_EMALFORMED ? c->why : NULL;
}

/* An offset field; ClamAV reads an empty one as 0. */
static const char *ldb_offset(struct ldb_ctx *c, struct field off,
                              struct offset_spec *spec)
{
    int exe_ok = c->target == 1 || c->target == 6 || c->target == 9;
    const char *bad = off.n ? offset_parse(off.s, off.n, exe_ok, spec)
                            : offset_parse("0", 1, exe_ok, spec);

    if (!bad)
        return NULL;
    snprintf(c->why, c->whylen, "subsignature %u: %s%s", c->subsig, bad,
             strcmp(bad, "Invalid offset type for target") == 0
                 ? " (EP and section offsets need Target 1, 6 or 9)"
                 : "");
    return c->why;
}

/* ${min-max}group$: links subsignature subsig-1 to macro group `group`.
 * h is NUL-terminated at n; read with ClamAV's own sscanf format. */
static const char *ldb_macro(struct ldb_ctx *c, const char *h, size_t n)
{
    struct ldb_table *t = &c->e->ldb;
    unsigned smin, smax, group;

    if (n < 2 || h[n - 1] != '$')
        return "macro subsignature: missing terminating '$'";
    if (sscanf(h, "${%u-%u}%u$", &smin, &smax, &group) != 3)
        return "macro subsignature: want ${min-max}group$";
    if (group >= 32)
        return "macro subsignature: only 32 macro groups (0-31) are supported";
    if (c->subsig == 0)
        return NULL; /* ClamAV links a macro to the subsignature before it */
    if (ldb_grow((void **)&t->macro, t->nmacro, &t->macro_cap, sizeof *t->macro) != VIGIL_OK)
        return ldb_fail_st(c, VIGIL_ENOMEM);
    t->macro[t->nmacro++] = (struct ldb_macro){(uint8_t)(c->subsig - 1), (uint8_t)group,
                                               smin, smax};
    t->v[c->lsig].nmacro++;
    return NULL;
}

/* [Offset:]Trigger/Pattern/Flags; h is the whole field, NUL-terminated. */
static const char *ldb_pcre(struct ldb_ctx *c, const char *h, size_t n)
{
    struct ldb_table *t = &c->e->ldb;
    struct field f[LDB_SUB_TOKENS], off = {"*", 1}, sig;
    size_t nf = ldb_tokenize(h, n, ':', f, LDB_SUB_TOKENS, 0);
    struct offset_spec spec;
    struct lpcre *re = NULL;
    const char *bad;
    vigil_status st;

    if (nf == 2)
        off = f[0];
    sig = nf == 2 ? f[1] : f[0];
    if (h[0] == '/')
        return "PCRE subsignature needs a logical trigger";
    if ((bad = ldb_offset(c, off, &spec)) != NULL)
        return bad;
    st = lpcre_new(sig.s, sig.n, c->subsig, &spec, &re, c->why, c->whylen);
    if (st == VIGIL_OK &&
        (st = ldb_grow((void **)&t->pcre, t->npcre, &t->pcre_cap, sizeof *t->pcre)) != VIGIL_OK)
        lpcre_free(re);
    if (st != VIGIL_OK)
        return ldb_fail_st(c, st);
    t->pcre[t->npcre++] = re;
    t->v[c->lsig].npcre++;
    return NULL;
}

/* fuzzy_img#hash[#distance]: ClamAV 1.4 accepts 16 hex digits and a
 * distance of 0. vigil does not compute image hashes, so the subsignature
 * never matches; it is checked so that what ClamAV refuses is refused. */
static const char *ldb_fuzzy(const char *h, size_t n)
{
    const char *hash = h + 10, *end = h + n, *sep = memchr(hash, '#', (size_t)(end - hash));
    size_t hl = sep ? (size_t)(sep - hash) : (size_t)(end - hash);

    if (hl != 16)
        return "fuzzy hash subsignature: the hash must be 16 hex digits";
    for (size_t i = 0; i < 16; i++)
        if (!is_hex(hash[i]))
            return "fuzzy hash subsignature: the hash must be 16 hex digits";
    if (!sep)
        return NULL;
    sep += sep[1] == '+';
    if (sep + 1 == end || strspn(sep + 1, "0") != (size_t)(end - sep - 1))
        return "fuzzy hash subsignature: only a hamming distance of 0 is supported";
    return NULL;
}

static const char *ldb_bcomp(struct ldb_ctx *c, const char *s, size_t n)
{
    struct ldb_table *t = &c->e->ldb;
    struct bcomp b;
    const char *bad = bcomp_parse(s, n, &b);

    if (bad)
        return bad;
    if (ldb_grow((void **)&t->bcomp, t->nbcomp, &t->bcomp_cap, sizeof *t->bcomp) != VIGIL_OK)
        return ldb_fail_st(c, VIGIL_ENOMEM);
    b.subsig = (uint8_t)c->subsig;
    t->bcomp[t->nbcomp++] = b;
    t->v[c->lsig].nbcomp++;
    return NULL;
}

/* A hex pattern (after any rewriting) into the body table. */
static const char *ldb_body(struct ldb_ctx *c, const struct offset_spec *off,
                            char *h, size_t n, int nocase)
{
    struct ldb_table *t = &c->e->ldb;
    struct bodysig *sig = NULL;
    char why[200];
    unsigned flags = hex_partial(h, n) ? NDB_F_PARTIAL : 0;

    if (nocase) {
        mod_nocase(h, n);
        flags |= NDB_F_NOCASE;
    }
    why[0] = '\0';
    if (bodysig_parse(h, n, &sig, why, sizeof why) != VIGIL_OK) {
        snprintf(c->why, c->whylen, "subsignature %u: %s", c->subsig,
                 why[0] ? why : "malformed hex pattern");
        return c->why;
    }
    c->st = ndb_add_subsig(c->e, sig, t->v[c->lsig].name, c->target, off, c->lsig,
                           c->subsig, flags);
    return NULL;
}

/* The hex variants modifiers ask for: fullword, then wide and/or ascii. */
static const char *ldb_hexmods(struct ldb_ctx *c, const struct offset_spec *off,
                               const char *h, size_t n, unsigned mods)
{
    struct ldb_text base = {NULL, 0, 0}, wide = {NULL, 0, 0};
    const char *bad = NULL;

    if (mods & MOD_FULLWORD)
        bad = mod_fullword(h, n, &base);
    else if (text_put(&base, h, n) != 0)
        bad = "out of memory";
    if (!bad && (mods & MOD_WIDE)) {
        bad = mod_wide(base.s, base.n, &wide);
        if (!bad)
            bad = ldb_body(c, off, wide.s, wide.n, (mods & MOD_NOCASE) != 0);
    }
    if (!bad && c->st == VIGIL_OK && (!(mods & MOD_WIDE) || (mods & MOD_ASCII)))
        bad = ldb_body(c, off, base.s, base.n, (mods & MOD_NOCASE) != 0);
    free(base.s);
    free(wide.s);
    return bad;
}

static const char *ldb_mods(struct field f, unsigned *mods)
{
    *mods = 0;
    for (size_t i = 0; i < f.n; i++) {
        const char *p = f.s[i] ? strchr("iwaf", f.s[i]) : NULL;
        if (!p)
            return "invalid subsignature modifier (want i, w, a, f)";
        *mods |= p[0] == 'i' ? MOD_NOCASE : p[0] == 'w' ? MOD_WIDE
                 : p[0] == 'a' ? MOD_ASCII : MOD_FULLWORD;
    }
    return NULL;
}

/* [Offset:]Hex[::Modifiers]; h is the whole field, NUL-terminated. */
static const char *ldb_content(struct ldb_ctx *c, char *h, size_t n)
{
    struct field f[LDB_SUB_TOKENS], off = {"*", 1}, sig;
    size_t nf = ldb_tokenize(h, n, ':', f, LDB_SUB_TOKENS, 0);
    struct offset_spec spec;
    unsigned mods = 0;
    const char *bad;
    char *body;

    if (nf % 2 == 0)
        off = f[0];
    sig = nf % 2 ? f[0] : f[1];
    if ((nf == 3 || nf == 4) && (bad = ldb_mods(f[nf - 1], &mods)) != NULL)
        return bad;
    if ((bad = ldb_offset(c, off, &spec)) != NULL)
        return bad;
    if (sig.n == 0)
        return "empty subsignature";
    if (mods)
        return ldb_hexmods(c, &spec, sig.s, sig.n, mods);
    body = h + (sig.s - h);
    body[sig.n] = '\0';
    return ldb_body(c, &spec, body, sig.n, 0);
}

/* One subsignature field, told apart as ClamAV 1.4 does. */
static const char *ldb_subsig(struct ldb_ctx *c, struct field f)
{
    const char *bad;
    char *h;

    if (f.n == 0)
        return "empty subsignature";
    if (!(h = malloc(f.n + 1)))
        return ldb_fail_st(c, VIGIL_ENOMEM);
    memcpy(h, f.s, f.n);
    h[f.n] = '\0';
    if (h[0] == '$')
        bad = ldb_macro(c, h, f.n);
    else if (memchr(h, '/', f.n))
        bad = ldb_pcre(c, h, f.n);
    else if (bcomp_is(h, f.n))
        bad = ldb_bcomp(c, h, f.n);
    else if (f.n >= 10 && memcmp(h, "fuzzy_img#", 10) == 0)
        bad = ldb_fuzzy(h, f.n);
    else
        bad = ldb_content(c, h, f.n);
    free(h);
    return bad;
}

/* ---- lines -------------------------------------------------------------- */

/* Whether the logical signature can hold without any body match: its
 * expression holds at zero counts, or a PCRE of it is triggered then. */
static int ldb_always(const struct ldb_table *t, const struct ldb_sig *s)
{
    static const uint32_t zero[LDB_MAX_SUBSIGS];

    if (lexpr_eval(s->expr, zero))
        return 1;
    for (uint32_t i = 0; i < s->npcre; i++) {
        const struct lexpr *tr = lpcre_trigger(t->pcre[s->pcre + i]);
        if (!tr || lexpr_eval(tr, zero))
            return 1;
    }
    return 0;
}

/* Appends the logical signature itself; its subsignatures follow. */
static const char *ldb_new_sig(struct ldb_ctx *c, struct field name, int official,
                               struct lexpr **expr, const struct ldb_tdb *tdb,
                               unsigned nsubs)
{
    struct ldb_table *t = &c->e->ldb;
    const char *cut = memmem(name.s, name.n, " (Clam)", 7);
    size_t n = cut ? (size_t)(cut - name.s) : name.n;
    struct ldb_sig *s;
    vigil_status st;

    if (n == 0)
        return "empty signature name";
    if (t->n >= LDB_MAX_SIGS)
        return ldb_fail_st(c, VIGIL_ENOMEM);
    if ((st = ldb_grow((void **)&t->v, t->n, &t->cap, sizeof *t->v)) != VIGIL_OK)
        return ldb_fail_st(c, st);
    s = &t->v[t->n];
    memset(s, 0, sizeof *s);
    st = strtab_add(&c->e->names, name.s, n, official ? NULL : ".UNOFFICIAL", &s->name);
    if (st != VIGIL_OK)
        return ldb_fail_st(c, st);
    s->expr = *expr;
    *expr = NULL;
    s->tdb = *tdb;
    s->target = (uint8_t)c->target;
    s->nsubs = (uint8_t)nsubs;
    s->pcre = (uint32_t)t->npcre;
    s->bcomp = (uint32_t)t->nbcomp;
    s->macro = (uint32_t)t->nmacro;
    c->lsig = (uint32_t)t->n++;
    t->nsubs_total += nsubs;
    return NULL;
}

/* The expression: it must name exactly the subsignatures given. */
static const char *ldb_expr(struct ldb_ctx *c, struct field f, size_t given,
                            struct lexpr **out)
{
    char inner[200];
    unsigned maxid = 0;
    vigil_status st = lexpr_parse(f.s, f.n, out, &maxid, inner, sizeof inner);

    if (st == VIGIL_EMALFORMED)
        snprintf(c->why, c->whylen, "invalid logical expression: %s", inner);
    if (st != VIGIL_OK)
        return ldb_fail_st(c, st);
    if (maxid + 1 != given)
        snprintf(c->why, c->whylen, "the expression names %u subsignatures, %zu given",
                 maxid + 1, given);
    else if (given > LDB_MAX_SUBSIGS)
        snprintf(c->why, c->whylen, "too many subsignatures (at most %d)",
                 LDB_MAX_SUBSIGS);
    else
        return NULL;
    lexpr_free(*out);
    *out = NULL;
    return c->why;
}

static const char *ldb_line_parse(struct ldb_ctx *c, const char *line, size_t len)
{
    int official = c->official;
    struct field f[LDB_TOKENS];
    size_t nf = ldb_tokenize(line, len, ';', f, LDB_TOKENS, 2);
    struct lexpr *expr = NULL;
    struct ldb_tdb tdb;
    const char *bad;

    if (nf < 4)
        return "wrong number of fields (Name;TargetDescriptionBlock;"
               "LogicalExpression;Subsig0[;Subsig1...])";
    if (ign_check(&c->e->ign, f[0].s, f[0].n, line, len))
        return NULL;
    if ((bad = ldb_expr(c, f[2], nf - 3, &expr)) != NULL)
        return bad;
    bad = ldb_tdb_parse(f[1].s, f[1].n, &tdb, &c->target);
    if (!bad)
        bad = ldb_new_sig(c, f[0], official, &expr, &tdb, (unsigned)(nf - 3));
    lexpr_free(expr);
    if (bad)
        return bad[0] ? bad : NULL; /* "": ClamAV skips the signature */
    for (c->subsig = 0; c->subsig < nf - 3 && c->st == VIGIL_OK; c->subsig++)
        if ((bad = ldb_subsig(c, f[3 + c->subsig])) != NULL)
            return bad;
    if (c->st == VIGIL_OK && ldb_always(&c->e->ldb, &c->e->ldb.v[c->lsig]))
        c->e->ldb.v[c->lsig].flags |= LDB_F_ALWAYS;
    c->e->nsigs++;
    return NULL;
}

/* One line for the shared loop: failures other than syntax come back in
 * c->st from deep inside the parser. */
static const char *ldb_line(void *ctx, const char *line, size_t len, vigil_status *st)
{
    struct ldb_ctx *c = ctx;
    const char *bad;

    c->st = VIGIL_OK;
    c->why[0] = '\0';
    bad = ldb_line_parse(c, line, len);
    *st = c->st;
    return bad;
}

vigil_status ldb_parse(struct vigil_engine *e, const char *dbname, struct lines *it,
                       int official)
{
    static const struct dbparse_rules rules = {LDB_MAX_LINE, 0};
    char why[300];
    struct ldb_ctx c = {e, 0, 0, 0, why, sizeof why, VIGIL_OK, official};

    return dbparse_run(e, dbname, it, &rules, ldb_line, &c);
}
