/* yara_gate.c - the literal pre-filter in front of libyara (see
 * yara_gate.h for what is decided and why it is exact). The rule sources
 * are lexed as YARA 4.2's lexer does (comments, text strings with escapes,
 * hex strings, regular expressions after `=` and `matches`); anything the
 * lexer does not expect ends the analysis of that source, and libyara then
 * runs for every object. Limits: a parenthesised condition deeper than
 * GATE_MAX_DEPTH is not gated; no recursion; every loop ends at the end of
 * its text. */
#include "db/yara_gate.h"

#include <errno.h>
#include <hs/hs.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yara.h>

#include "core/cache.h"
#include "core/engine.h"
#include "core/image.h"
#include "db/yara.h"

#define GATE_MAX_DEPTH 64
#define GATE_MAX_STRINGS 10000 /* per rule */
/* Atoms are cut to this many bytes: Vectorscan compiles short literals
 * much faster, and 8 bytes rarely occur by chance. */
#define GATE_MAX_ATOM 8

struct yara_gate {
    hs_database_t *db;
    size_t gated, atoms;
};

struct yara_gate_scratch {
    hs_scratch_t *s;
};

/* ---- lexer ------------------------------------------------------------ */

enum tk {
    TK_END,
    TK_ERR,
    TK_ID,
    TK_STRID,
    TK_COUNT,
    TK_OFFSET,
    TK_LENGTH,
    TK_NUM,
    TK_STR,
    TK_RE,
    TK_HEX,
    TK_P
};

struct tok {
    enum tk k;
    const char *p;
    size_t n;
};

struct lex {
    const char *s;
    size_t len, pos;
    struct tok prev;
};

static int is_id(int c, int first)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (!first && c >= '0' && c <= '9');
}

static int tok_is(const struct tok *t, const char *s)
{
    return (t->k == TK_ID || t->k == TK_P) && strlen(s) == t->n && !memcmp(t->p, s, t->n);
}

/* Skips blanks and comments. Returns -1 on an unterminated comment. */
static int skip_blank(struct lex *l)
{
    while (l->pos < l->len) {
        char c = l->s[l->pos];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
            l->pos++;
        } else if (c == '/' && l->pos + 1 < l->len && l->s[l->pos + 1] == '/') {
            while (l->pos < l->len && l->s[l->pos] != '\n')
                l->pos++;
        } else if (c == '/' && l->pos + 1 < l->len && l->s[l->pos + 1] == '*') {
            const char *end = NULL;
            for (size_t i = l->pos + 2; i + 1 < l->len; i++)
                if (l->s[i] == '*' && l->s[i + 1] == '/') {
                    end = l->s + i;
                    break;
                }
            if (!end)
                return -1;
            l->pos = (size_t)(end - l->s) + 2;
        } else {
            break;
        }
    }
    return 0;
}

/* A delimited token from l->pos: "text" or /regex/ (backslash escapes the
 * next byte, no newline inside). Returns its length, 0 if unterminated. */
static size_t delimited(const struct lex *l, char close)
{
    for (size_t i = l->pos + 1; i < l->len; i++) {
        if (l->s[i] == '\n')
            return 0;
        if (l->s[i] == '\\')
            i++;
        else if (l->s[i] == close)
            return i + 1 - l->pos;
    }
    return 0;
}

/* A hex string { ... } with comments inside. Returns its length or 0. */
static size_t hexstring(const struct lex *l)
{
    for (size_t i = l->pos + 1; i < l->len; i++) {
        if (l->s[i] == '}')
            return i + 1 - l->pos;
        if (l->s[i] == '/' && i + 1 < l->len && l->s[i + 1] == '/') {
            while (i < l->len && l->s[i] != '\n')
                i++;
        } else if (l->s[i] == '/' && i + 1 < l->len && l->s[i + 1] == '*') {
            size_t j = i + 2;
            while (j + 1 < l->len && !(l->s[j] == '*' && l->s[j + 1] == '/'))
                j++;
            if (j + 1 >= l->len)
                return 0;
            i = j + 1;
        }
    }
    return 0;
}

static struct tok next(struct lex *l)
{
    static const char *const two[] = {"==", "!=", "<=", ">=", "<<", ">>", ".."};
    struct tok t = {TK_ERR, NULL, 0};
    size_t n = 0, p;
    char c;
    int after_eq = tok_is(&l->prev, "="), after_matches = tok_is(&l->prev, "matches");

    if (skip_blank(l))
        return l->prev = t;
    p = l->pos;
    t.p = l->s + p;
    if (p >= l->len)
        return l->prev = (struct tok){TK_END, t.p, 0};
    c = l->s[p];
    if (is_id((unsigned char)c, 1)) {
        while (p + n < l->len && is_id((unsigned char)l->s[p + n], 0))
            n++;
        t.k = TK_ID;
    } else if (c == '$' || c == '#' || c == '@' ||
               (c == '!' && p + 1 < l->len && is_id((unsigned char)l->s[p + 1], 1))) {
        n = 1;
        while (p + n < l->len && is_id((unsigned char)l->s[p + n], 0))
            n++;
        if (c == '$' && p + n < l->len && l->s[p + n] == '*')
            n++;
        t.k = c == '$'   ? TK_STRID
              : c == '#' ? TK_COUNT
              : c == '@' ? TK_OFFSET
                         : TK_LENGTH;
        if (c != '$' && n == 1)
            t.k = TK_ERR;
    } else if (c >= '0' && c <= '9') {
        while (p + n < l->len && (is_id((unsigned char)l->s[p + n], 0) ||
                                  (l->s[p + n] == '.' && p + n + 1 < l->len &&
                                   l->s[p + n + 1] >= '0' && l->s[p + n + 1] <= '9')))
            n++;
        t.k = TK_NUM;
    } else if (c == '"') {
        n = delimited(l, '"');
        t.k = n ? TK_STR : TK_ERR;
    } else if (c == '/' && (after_eq || after_matches)) {
        n = delimited(l, '/');
        while (n && p + n < l->len && (l->s[p + n] == 'i' || l->s[p + n] == 's'))
            n++;
        t.k = n ? TK_RE : TK_ERR;
    } else if (c == '{' && after_eq) {
        n = hexstring(l);
        t.k = n ? TK_HEX : TK_ERR;
    } else if (strchr("(){}[],:=<>+-*\\%&|^~.!", c)) {
        n = 1;
        for (size_t i = 0; i < sizeof two / sizeof two[0]; i++)
            if (p + 1 < l->len && c == two[i][0] && l->s[p + 1] == two[i][1])
                n = 2;
        t.k = TK_P;
    }
    if (t.k == TK_ERR)
        return l->prev = t;
    t.n = n;
    l->pos = p + n;
    return l->prev = t;
}

/* ---- atoms ------------------------------------------------------------ */

struct atoms_list {
    char **v;
    size_t *len;
    unsigned *flags;
    size_t n, cap;
    int oom;
};

static void atom_add(struct atoms_list *a, const uint8_t *p, size_t n, unsigned flags)
{
    if (a->oom || !n)
        return;
    if (n > GATE_MAX_ATOM)
        n = GATE_MAX_ATOM; /* a part of a required literal is required too */
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 256;
        char **v = realloc(a->v, cap * sizeof *v);
        size_t *len = v ? realloc(a->len, cap * sizeof *len) : NULL;
        unsigned *fl = len ? realloc(a->flags, cap * sizeof *fl) : NULL;
        if (v)
            a->v = v;
        if (len)
            a->len = len;
        if (!v || !len || !fl) {
            a->oom = 1;
            return;
        }
        a->flags = fl;
        a->cap = cap;
    }
    if (!(a->v[a->n] = malloc(n))) {
        a->oom = 1;
        return;
    }
    memcpy(a->v[a->n], p, n);
    a->len[a->n] = n;
    a->flags[a->n++] = flags;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes a text string's body (YARA's escapes: \" \\ \t \n \r \xHH) into
 * out (at least n bytes). Returns its length, or -1 for another escape. */
static long text_decode(const char *s, size_t n, uint8_t *out)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\') {
            out[o++] = (uint8_t)s[i];
            continue;
        }
        if (++i >= n)
            return -1;
        switch (s[i]) {
        case '"':
            out[o++] = '"';
            break;
        case '\\':
            out[o++] = '\\';
            break;
        case 't':
            out[o++] = '\t';
            break;
        case 'n':
            out[o++] = '\n';
            break;
        case 'r':
            out[o++] = '\r';
            break;
        case 'x':
            if (i + 2 >= n || hexval((unsigned char)s[i + 1]) < 0 ||
                hexval((unsigned char)s[i + 2]) < 0)
                return -1;
            out[o++] = (uint8_t)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
            break;
        default:
            return -1;
        }
    }
    return (long)o;
}

/* The longest run of fixed bytes outside alternatives of a hex string's
 * body into out. Returns its length; 0 when there is none or the body has
 * something not understood. */
static size_t hex_run(const char *s, size_t n, uint8_t *out)
{
    size_t best = 0, cur = 0, i = 0;
    int depth = 0, hi = -1;
    uint8_t *run = out + n; /* out holds 2n bytes: best, then current */

    while (i < n) {
        char c = s[i];
        if (c == '/' && i + 1 < n && (s[i + 1] == '/' || s[i + 1] == '*')) {
            if (s[i + 1] == '/')
                while (i < n && s[i] != '\n')
                    i++;
            else {
                i += 2;
                while (i + 1 < n && !(s[i] == '*' && s[i + 1] == '/'))
                    i++;
                i += 2;
            }
            continue;
        }
        i++;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (hexval((unsigned char)c) >= 0 || c == '?') {
            if (hi == -1) {
                hi = c == '?' ? 16 : hexval((unsigned char)c);
                continue;
            }
            if (hi == 16 || c == '?' || depth) {
                cur = 0; /* a wildcard nibble, or inside alternatives */
            } else {
                run[cur++] = (uint8_t)(hi * 16 + hexval((unsigned char)c));
                if (cur > best) {
                    best = cur;
                    memcpy(out, run, cur);
                }
            }
            hi = -1;
            continue;
        }
        if (hi != -1)
            return 0; /* half a byte */
        if (c == '[') {
            while (i < n && s[i] != ']') {
                if (!strchr("0123456789- ", s[i]))
                    return 0;
                i++;
            }
            if (i++ >= n)
                return 0;
            cur = 0;
        } else if (c == '(') {
            depth++;
            cur = 0;
        } else if (c == ')') {
            if (--depth < 0)
                return 0;
            cur = 0;
        } else if (c == '|') {
            if (!depth)
                return 0;
            cur = 0;
        } else {
            return 0; /* `~` and anything newer */
        }
    }
    return hi == -1 && depth == 0 ? best : 0;
}

/* Modifiers of a string declaration. */
enum { M_NOCASE = 1, M_WIDE = 2, M_ASCII = 4, M_OTHER = 8 };

/* Adds the atoms of one string to a. Returns 0, or -1 if it has none. */
static int string_atoms(struct atoms_list *a, const struct tok *v, unsigned mods)
{
    uint8_t *buf = malloc(2 * v->n + 2), *wide;
    long n = 0;
    int rc = -1;

    if (!buf || (mods & M_OTHER))
        goto out;
    if (v->k == TK_HEX) {
        n = (long)hex_run(v->p + 1, v->n - 2, buf);
        if (n > 0 && !(mods & (M_NOCASE | M_WIDE | M_ASCII))) {
            atom_add(a, buf, (size_t)n, 0);
            rc = 0;
        }
        goto out;
    }
    if (v->k != TK_STR || (n = text_decode(v->p + 1, v->n - 2, buf)) <= 0)
        goto out;
    if ((mods & M_ASCII) || !(mods & M_WIDE))
        atom_add(a, buf, (size_t)n, (mods & M_NOCASE) ? HS_FLAG_CASELESS : 0);
    if (mods & M_WIDE) {
        if (!(wide = malloc(2 * (size_t)n)))
            goto out;
        for (long i = 0; i < n; i++) {
            wide[2 * i] = buf[i];
            wide[2 * i + 1] = 0;
        }
        atom_add(a, wide, 2 * (size_t)n, (mods & M_NOCASE) ? HS_FLAG_CASELESS : 0);
        free(wide);
    }
    rc = 0;
out:
    free(buf);
    return rc;
}

/* ---- conditions ------------------------------------------------------- */

static int num_value(const struct tok *t, uint64_t *v)
{
    char buf[32], *end;
    size_t n = t->n;
    uint64_t mul = 1;

    if (t->k != TK_NUM || n >= sizeof buf)
        return -1;
    memcpy(buf, t->p, n);
    buf[n] = '\0';
    if (n > 2 && (!strcmp(buf + n - 2, "KB") || !strcmp(buf + n - 2, "MB"))) {
        mul = buf[n - 2] == 'K' ? 1024 : 1024 * 1024;
        buf[n - 2] = '\0';
    }
    if (strchr(buf, '.') || (buf[0] == '0' && (buf[1] == 'o' || buf[1] == 'O')))
        return -1;
    *v = strtoull(buf, &end, 0) * mul;
    return *end ? -1 : 0;
}

/* Tokens allowed in an offset or range expression after `at` / `in`. */
static int plain_expr(const struct tok *t, size_t n)
{
    static const char *const kw[] = {"and",      "or",        "not",        "of",
                                     "for",      "in",        "at",         "matches",
                                     "contains", "icontains", "startswith", "istartswith",
                                     "endswith", "iendswith", "iequals",    "them",
                                     "all",      "any",       "none",       "defined"};
    int depth = 0;

    for (size_t i = 0; i < n; i++) {
        if (t[i].k == TK_ID)
            for (size_t k = 0; k < sizeof kw / sizeof kw[0]; k++)
                if (tok_is(&t[i], kw[k]))
                    return 0;
        if (t[i].k == TK_P) {
            if (tok_is(&t[i], "(") || tok_is(&t[i], "["))
                depth++;
            else if (tok_is(&t[i], ")") || tok_is(&t[i], "]"))
                depth--;
            else if (!strchr("+-*\\%.", t[i].p[0]) && !tok_is(&t[i], ".."))
                return 0;
            if (depth < 0)
                return 0;
        } else if (t[i].k != TK_ID && t[i].k != TK_NUM && t[i].k != TK_COUNT &&
                   t[i].k != TK_OFFSET && t[i].k != TK_LENGTH) {
            return 0;
        }
    }
    return n > 0 && depth == 0;
}

/* A factor that is not a parenthesised condition: 1 if it cannot be true
 * unless one of the rule's strings matches. */
static int gated_atomic(const struct tok *t, size_t n)
{
    uint64_t v;

    if (n == 1 && t[0].k == TK_STRID && t[0].p[t[0].n - 1] != '*')
        return 1;
    if (n >= 3 && t[0].k == TK_STRID && t[0].p[t[0].n - 1] != '*' && tok_is(&t[1], "at"))
        return plain_expr(t + 2, n - 2);
    if (n >= 4 && t[0].k == TK_STRID && t[0].p[t[0].n - 1] != '*' &&
        tok_is(&t[1], "in") && tok_is(&t[2], "(") && tok_is(&t[n - 1], ")"))
        return plain_expr(t + 2, n - 2);
    if (n == 3 && t[0].k == TK_COUNT && num_value(&t[2], &v) == 0)
        return tok_is(&t[1], ">") ||
               ((tok_is(&t[1], ">=") || tok_is(&t[1], "==")) && v >= 1) ||
               (tok_is(&t[1], "!=") && v == 0);
    if (n >= 3 && tok_is(&t[1], "of") &&
        (tok_is(&t[0], "any") || tok_is(&t[0], "all") ||
         (num_value(&t[0], &v) == 0 && v >= 1))) {
        if (n == 3)
            return tok_is(&t[2], "them");
        if (!tok_is(&t[2], "(") || !tok_is(&t[n - 1], ")") || n % 2 != 1)
            return 0;
        for (size_t i = 3; i < n - 1; i++)
            if ((i % 2 == 1 && t[i].k != TK_STRID) || (i % 2 == 0 && !tok_is(&t[i], ",")))
                return 0;
        return 1;
    }
    return 0;
}

/* The end of the factor starting at t[i]: the next `and`, `or` or
 * unmatched `)` outside parentheses. */
static size_t factor_end(const struct tok *t, size_t n, size_t i)
{
    int depth = 0;

    for (; i < n; i++) {
        if (tok_is(&t[i], "(") || tok_is(&t[i], "["))
            depth++;
        else if (tok_is(&t[i], ")") || tok_is(&t[i], "]")) {
            if (--depth < 0)
                return i;
        } else if (!depth && (tok_is(&t[i], "and") || tok_is(&t[i], "or")))
            return i;
    }
    return n;
}

/* The index of the `)` matching the `(` at t[i], or n. */
static size_t group_end(const struct tok *t, size_t n, size_t i)
{
    int depth = 0;

    for (; i < n; i++) {
        if (tok_is(&t[i], "(") || tok_is(&t[i], "["))
            depth++;
        else if ((tok_is(&t[i], ")") || tok_is(&t[i], "]")) && --depth == 0)
            return tok_is(&t[i], ")") ? i : n;
    }
    return n;
}

/* 1 if condition t[0..n) cannot be true unless a string of the rule
 * matches. Parentheses are a stack of (all-disjuncts-gated, this-conjunction-
 * gated) frames; a `(` opens one when its `)` is followed by `and`, `or`, `)`
 * or the end (else the parentheses are part of an expression factor). */
static int gated_condition(const struct tok *t, size_t n)
{
    struct {
        int all_or, and_acc;
    } st[GATE_MAX_DEPTH + 1];
    int sp = 0;
    size_t i = 0, e;

    st[0].all_or = 1;
    st[0].and_acc = 0;
    while (i < n) {
        if (tok_is(&t[i], "(") && (e = group_end(t, n, i)) < n &&
            (e + 1 == n || tok_is(&t[e + 1], "and") || tok_is(&t[e + 1], "or") ||
             tok_is(&t[e + 1], ")"))) {
            if (sp == GATE_MAX_DEPTH)
                return 0;
            sp++;
            st[sp].all_or = 1;
            st[sp].and_acc = 0;
            i++;
            continue;
        }
        e = factor_end(t, n, i);
        st[sp].and_acc |= gated_atomic(t + i, e - i);
        i = e;
        while (i < n && tok_is(&t[i], ")")) { /* groups that end here */
            int f = st[sp].all_or && st[sp].and_acc;
            if (!sp)
                return 0;
            sp--;
            st[sp].and_acc |= f;
            i++;
        }
        if (i >= n)
            break;
        if (tok_is(&t[i], "or")) {
            st[sp].all_or = st[sp].all_or && st[sp].and_acc;
            st[sp].and_acc = 0;
        } else if (!tok_is(&t[i], "and")) {
            return 0;
        }
        if (++i >= n)
            return 0;
    }
    return sp == 0 && st[0].all_or && st[0].and_acc;
}

/* ---- rule sources ----------------------------------------------------- */

/* One rule as its source says. */
struct prule {
    const char *name;
    size_t nlen;
    int private_, gated;
    struct tok *ids; /* its string identifiers, in order */
    size_t nids;
};

struct psource {
    struct prule *v;
    size_t n, cap;
    int include;
};

static void psource_free(struct psource *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i].ids);
    free(p->v);
    memset(p, 0, sizeof *p);
}

/* A lexer with one token of pushback. */
struct plex {
    struct lex l;
    struct tok back;
    int has_back;
};

static struct tok pnext(struct plex *p)
{
    if (p->has_back) {
        p->has_back = 0;
        return p->back;
    }
    return next(&p->l);
}

static void pback(struct plex *p, struct tok t)
{
    p->back = t;
    p->has_back = 1;
}

static int is_modifier(const struct tok *t, unsigned *mods)
{
    if (tok_is(t, "nocase"))
        *mods |= M_NOCASE;
    else if (tok_is(t, "wide"))
        *mods |= M_WIDE;
    else if (tok_is(t, "ascii"))
        *mods |= M_ASCII;
    else if (tok_is(t, "xor") || tok_is(t, "base64") || tok_is(t, "base64wide"))
        *mods |= M_OTHER;
    else if (!tok_is(t, "fullword") && !tok_is(t, "private"))
        return 0;
    return 1;
}

/* Skips a parenthesised modifier argument if one follows. -1 on error. */
static int skip_args(struct plex *p)
{
    struct tok t = pnext(p);
    int depth = 1;

    if (!tok_is(&t, "(")) {
        pback(p, t);
        return 0;
    }
    while (depth) {
        t = pnext(p);
        if (t.k == TK_END || t.k == TK_ERR)
            return -1;
        depth += tok_is(&t, "(") - tok_is(&t, ")");
    }
    return 0;
}

/* strings: section, up to the next section keyword (pushed back). */
static int parse_strings(struct plex *p, struct prule *r, struct atoms_list *a)
{
    struct tok t, v;
    unsigned mods;

    for (t = pnext(p); t.k == TK_STRID; t = pnext(p)) {
        struct tok *ids;
        if (r->nids == GATE_MAX_STRINGS ||
            !(ids = realloc(r->ids, (r->nids + 1) * sizeof *ids)))
            return -1;
        r->ids = ids;
        r->ids[r->nids++] = t;
        t = pnext(p);
        v = pnext(p);
        if (!tok_is(&t, "=") || (v.k != TK_STR && v.k != TK_HEX && v.k != TK_RE))
            return -1;
        mods = 0;
        for (t = pnext(p); t.k == TK_ID && is_modifier(&t, &mods); t = pnext(p))
            if (skip_args(p))
                return -1;
        pback(p, t);
        if (!r->private_ && string_atoms(a, &v, mods))
            r->gated = 0;
    }
    pback(p, t);
    return 0;
}

/* meta: section, up to the next section keyword, whose ':' it reads;
 * that keyword goes to *sec. */
static int parse_meta(struct plex *p, struct tok *sec)
{
    struct tok t, eq, v;

    for (;;) {
        t = pnext(p);
        eq = pnext(p);
        if (t.k != TK_ID)
            return -1;
        if (tok_is(&eq, ":")) {
            *sec = t;
            return 0;
        }
        v = pnext(p);
        if (tok_is(&v, "-"))
            v = pnext(p);
        if (!tok_is(&eq, "=") || (v.k != TK_STR && v.k != TK_NUM && v.k != TK_ID))
            return -1;
    }
}

/* condition: section up to the rule's closing brace. */
static int parse_condition(struct plex *p, struct prule *r)
{
    struct tok *v = NULL, t;
    size_t n = 0, cap = 0;
    int depth = 0, rc = -1;

    for (t = pnext(p); !(depth == 0 && tok_is(&t, "}")); t = pnext(p)) {
        if (t.k == TK_END || t.k == TK_ERR || tok_is(&t, "{"))
            goto out;
        depth += tok_is(&t, "(") - tok_is(&t, ")");
        if (n == cap) {
            struct tok *nv = realloc(v, (cap = cap ? 2 * cap : 64) * sizeof *v);
            if (!nv)
                goto out;
            v = nv;
        }
        v[n++] = t;
    }
    r->gated = r->gated && r->nids > 0 && gated_condition(v, n);
    rc = 0;
out:
    free(v);
    return rc;
}

/* One rule from after `rule`. */
static int parse_rule(struct plex *p, struct psource *ps, int private_,
                      struct atoms_list *a)
{
    struct prule *r;
    struct tok t = pnext(p), sec, colon;

    if (t.k != TK_ID)
        return -1;
    if (ps->n == ps->cap) {
        struct prule *v =
            realloc(ps->v, (ps->cap = ps->cap ? 2 * ps->cap : 64) * sizeof *v);
        if (!v)
            return -1;
        ps->v = v;
    }
    r = &ps->v[ps->n++];
    *r = (struct prule){t.p, t.n, private_, 1, NULL, 0};
    t = pnext(p);
    if (tok_is(&t, ":"))
        for (t = pnext(p); t.k == TK_ID; t = pnext(p))
            ;
    if (!tok_is(&t, "{"))
        return -1;
    sec = pnext(p);
    colon = pnext(p);
    if (!tok_is(&colon, ":"))
        return -1;
    for (;;) {
        if (tok_is(&sec, "meta")) {
            if (parse_meta(p, &sec))
                return -1;
            continue;
        }
        if (tok_is(&sec, "condition"))
            return parse_condition(p, r);
        if (!tok_is(&sec, "strings") || parse_strings(p, r, a))
            return -1;
        sec = pnext(p);
        colon = pnext(p);
        if (!tok_is(&colon, ":"))
            return -1;
    }
}

/* Lexes one source into ps (atoms of its reportable rules into a).
 * Returns 0, or -1 when the text is not followed. */
static int parse_source(const char *text, size_t len, struct psource *ps,
                        struct atoms_list *a)
{
    struct plex p = {{text, len, 0, {TK_END, NULL, 0}}, {TK_END, NULL, 0}, 0};
    struct tok t;
    int private_ = 0;

    for (t = pnext(&p); t.k != TK_END; t = pnext(&p)) {
        if (tok_is(&t, "import") || tok_is(&t, "include")) {
            ps->include |= tok_is(&t, "include");
            if (pnext(&p).k != TK_STR)
                return -1;
        } else if (tok_is(&t, "private")) {
            private_ = 1;
        } else if (tok_is(&t, "global")) {
            continue;
        } else if (tok_is(&t, "rule")) {
            if (parse_rule(&p, ps, private_, a))
                return -1;
            private_ = 0;
        } else {
            return -1;
        }
    }
    return 0;
}

/* ---- the gate --------------------------------------------------------- */

static int same_name(const char *s, const char *p, size_t n)
{
    return strlen(s) == n && memcmp(s, p, n) == 0;
}

/* 1 if the compiled rule's strings are those the source declares. */
static int same_strings(const YR_RULE *rule, const struct prule *r)
{
    const YR_STRING *s;
    size_t i = 0;

    yr_rule_strings_foreach(rule, s)
    {
        if ((s->flags & STRING_FLAGS_CHAIN_PART) && !(s->flags & STRING_FLAGS_CHAIN_TAIL))
            continue; /* one string of a hex string split at a long jump */
        if (i == r->nids || !same_name(s->identifier, r->ids[i].p, r->ids[i].n))
            return 0;
        i++;
    }
    return i == r->nids;
}

/* Checks the compiled rules [k, end) against source ps. Returns NULL when
 * every reportable one is gated, else the first that is not. */
static const char *check_source(const YR_RULES *rules, uint32_t k, uint32_t end,
                                const struct psource *ps, int parsed)
{
    size_t j = 0;

    for (; k < end; k++) {
        const YR_RULE *rule = &rules->rules_table[k];
        const struct prule *r = parsed && j < ps->n ? &ps->v[j] : NULL;
        if (r && same_name(rule->identifier, r->name, r->nlen)) {
            j++;
            if (!RULE_IS_PRIVATE(rule) &&
                (r->private_ || !r->gated || !same_strings(rule, r)))
                return rule->identifier;
        } else if (!RULE_IS_PRIVATE(rule)) {
            return rule->identifier;
        }
    }
    return parsed && j != ps->n ? "(a rule of the source)" : NULL;
}

static void atoms_list_free(struct atoms_list *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    free(a->len);
    free(a->flags);
}

/* The cache file of patterns pat[0, n) with flags: the SHA-256 of them,
 * the build and Vectorscan's version names it and is its key. */
static int gate_key(const struct vigil_engine *e, char *const *pat, const unsigned *flags,
                    size_t n, uint8_t key[32], char *path, size_t pathlen)
{
    uint8_t build[32];
    unsigned len = 0;
    uint64_t v;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL);

    image_build_id(build);
    if (ok) {
        EVP_DigestUpdate(c, "vigil yara gate", 16);
        EVP_DigestUpdate(c, build, sizeof build);
        EVP_DigestUpdate(c, hs_version(), strlen(hs_version()) + 1);
        v = n;
        EVP_DigestUpdate(c, &v, sizeof v);
        for (size_t i = 0; i < n; i++) {
            EVP_DigestUpdate(c, pat[i], strlen(pat[i]) + 1);
            EVP_DigestUpdate(c, &flags[i], sizeof flags[i]);
        }
        ok = EVP_DigestFinal_ex(c, key, &len) && len == 32;
    }
    EVP_MD_CTX_free(c);
    return ok && cache_key_path(e->cache_dir, key, ".vgg", path, pathlen) == 0 ? 0 : -1;
}

/* Loads the compiled patterns from e's cache directory (a file this build
 * wrote: image checks, key, SHA-256). Returns 1 with g->db, 0 on a miss. */
static int gate_load(struct vigil_engine *e, struct yara_gate *g, const uint8_t key[32],
                     const char *path)
{
    struct image *im = NULL;
    const void *t;
    size_t len;
    vigil_status st = image_open(path, key, &im);

    if (st == VIGIL_OK && (t = image_table(im, IMAGE_YARA, &len, NULL)) &&
        hs_deserialize_database(t, len, &g->db) != HS_SUCCESS)
        g->db = NULL;
    image_close(im);
    if (g->db)
        engine_log(e, VIGIL_LOG_DEBUG, "YARA pre-filter from the cache %s", path);
    else if (!(st == VIGIL_EOPEN && errno == ENOENT))
        engine_log(e, VIGIL_LOG_WARNING, "%s: damaged or not trusted; compiling it again",
                   path);
    return g->db != NULL;
}

static void gate_store(struct vigil_engine *e, const struct yara_gate *g,
                       const uint8_t key[32], const char *path)
{
    char *bytes = NULL;
    size_t len = 0;
    struct image_part part;

    if (hs_serialize_database(g->db, &bytes, &len) != HS_SUCCESS)
        return;
    part = (struct image_part){IMAGE_YARA, bytes, len, 1};
    if (image_write(path, key, &part, 1) == 0)
        engine_log(e, VIGIL_LOG_DEBUG, "wrote the YARA pre-filter to the cache %s", path);
    free(bytes);
}

/* Compiles the atoms as Vectorscan patterns of escaped bytes (the pure
 * literal API refuses literals that begin with a NUL byte), or loads them
 * compiled from the cache directory. */
static vigil_status gate_compile(struct vigil_engine *e, struct yara_gate *g,
                                 struct atoms_list *a)
{
    static const char hex[] = "0123456789abcdef";
    unsigned *ids = NULL;
    char **pat = NULL, path[PATH_MAX];
    uint8_t key[32];
    hs_compile_error_t *err = NULL;
    vigil_status st = VIGIL_ENOMEM;
    int cache;

    g->atoms = a->n;
    if (!a->n)
        return VIGIL_OK; /* no reportable rule at all: nothing can match */
    if (a->n > UINT32_MAX || !(ids = calloc(a->n, sizeof *ids)) ||
        !(pat = calloc(a->n, sizeof *pat)))
        goto out;
    for (size_t i = 0; i < a->n; i++) {
        char *p = pat[i] = malloc(4 * a->len[i] + 1);
        if (!p)
            goto out;
        for (size_t k = 0; k < a->len[i]; k++) {
            uint8_t c = (uint8_t)a->v[i][k];
            *p++ = '\\';
            *p++ = 'x';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        }
        *p = '\0';
        ids[i] = (unsigned)i; /* (one id for all compiles ten times slower) */
    }
    cache = e->cache_dir[0] && cache_dir_trusted(e->cache_dir) &&
            gate_key(e, pat, a->flags, a->n, key, path, sizeof path) == 0;
    if (cache && gate_load(e, g, key, path)) {
        st = VIGIL_OK;
        goto out;
    }
    if (hs_compile_multi((const char *const *)pat, a->flags, ids, (unsigned)a->n,
                         HS_MODE_BLOCK, NULL, &g->db, &err) != HS_SUCCESS) {
        g->db = NULL;
        goto out;
    }
    st = VIGIL_OK;
    if (cache)
        gate_store(e, g, key, path);
out:
    hs_free_compile_error(err);
    for (size_t i = 0; pat && i < a->n; i++)
        free(pat[i]);
    free(pat);
    free(ids);
    return st;
}

vigil_status yara_gate_build(struct vigil_engine *e, struct yara_gate **out)
{
    const struct yara_db *y = &e->yara;
    struct atoms_list a = {0};
    struct yara_gate *g = NULL;
    const char *why = NULL;
    uint32_t begin = 0;
    vigil_status st = VIGIL_OK;

    *out = NULL;
    if (!y->rules)
        return VIGIL_OK;
    for (size_t i = 0; i < y->rules_n && !why; i++) {
        struct psource ps = {0};
        int parsed = parse_source(y->src[i].text, y->src[i].len, &ps, &a) == 0;
        why = check_source(y->rules, begin, y->src[i].rule_end, &ps, parsed);
        if (!why && a.oom)
            st = VIGIL_ENOMEM;
        begin = y->src[i].rule_end;
        psource_free(&ps);
        if (st != VIGIL_OK)
            goto out;
    }
    if (!why && begin != y->nrules)
        why = "(rules of no source)";
    if (why) {
        engine_log(e, VIGIL_LOG_DEBUG,
                   "YARA: rule %s may match without one of its literal strings; "
                   "libyara runs for every object",
                   why);
        goto out;
    }
    if (!(g = calloc(1, sizeof *g)) || (st = gate_compile(e, g, &a)) != VIGIL_OK) {
        st = VIGIL_ENOMEM;
        goto out;
    }
    g->gated = y->nrules;
    engine_log(e, VIGIL_LOG_DEBUG,
               "YARA: every rule needs one of %zu literal atoms; libyara runs only "
               "for objects holding one",
               g->atoms);
    *out = g;
    g = NULL;
out:
    yara_gate_free(g);
    atoms_list_free(&a);
    return st;
}

void yara_gate_free(struct yara_gate *g)
{
    if (!g)
        return;
    hs_free_database(g->db);
    free(g);
}

void yara_gate_counts(const struct yara_gate *g, size_t *gated, size_t *atoms)
{
    *gated = g ? g->gated : 0;
    *atoms = g ? g->atoms : 0;
}

vigil_status yara_gate_scratch_new(const struct yara_gate *g,
                                   struct yara_gate_scratch **out)
{
    struct yara_gate_scratch *s;

    *out = NULL;
    if (!g)
        return VIGIL_OK;
    if (!(s = calloc(1, sizeof *s)))
        return VIGIL_ENOMEM;
    if (g->db && hs_alloc_scratch(g->db, &s->s) != HS_SUCCESS) {
        free(s);
        return VIGIL_ENOMEM;
    }
    *out = s;
    return VIGIL_OK;
}

void yara_gate_scratch_free(struct yara_gate_scratch *s)
{
    if (!s)
        return;
    hs_free_scratch(s->s);
    free(s);
}

static int on_atom(unsigned id, unsigned long long from, unsigned long long to,
                   unsigned flags, void *ud)
{
    (void)id;
    (void)from;
    (void)to;
    (void)flags;
    *(int *)ud = 1;
    return 1; /* one is enough: stop */
}

int yara_gate_needed(const struct yara_gate *g, struct yara_gate_scratch *s,
                     const uint8_t *buf, size_t len)
{
    int hit = 0;
    hs_error_t rc;

    if (!g || !s)
        return 1;
    if (!g->db)
        return 0;
    if (len > UINT32_MAX)
        return 1;
    rc = hs_scan(g->db, (const char *)buf, (unsigned)len, 0, s->s, on_atom, &hit);
    return rc == HS_SCAN_TERMINATED || hit || rc != HS_SUCCESS;
}

int yara_gate_source_all(const char *text, size_t len, size_t *nrules)
{
    struct psource ps = {0};
    struct atoms_list a = {0};
    int rc = parse_source(text, len, &ps, &a) ? -1 : 1;

    for (size_t i = 0; rc == 1 && i < ps.n; i++)
        if (!ps.v[i].private_ && !ps.v[i].gated)
            rc = 0;
    *nrules = ps.n;
    psource_free(&ps);
    atoms_list_free(&a);
    return rc;
}
