/* jsnorm.c - JavaScript normalisation after ClamAV 1.4's js-norm.c
 * (libclamav/jsparse), measured with clamscan --leave-temps: for
 *   var abc = "Hel" + "lo"; function foo(x, y) { var z = x + y; return z; }
 *   foo(1, 0x10); document.write(abc);
 * ClamAV writes
 *   <script>var n000="hello";function n001(n002,n003){var n004=n002+n003;
 *   return n004;}foo(1,0 x10);document.write(n000);</script>
 * (one line): declared names numbered in order of declaration, a function's
 * name and parameters in the function's own scope, strings double-quoted,
 * lower-cased and joined across "+", decimal integers only ("0x10" is the
 * number 0 and the name x10), a space only between two alphanumerics.
 * Not reproduced: ClamAV's decoders (eval(unescape(...)), Dean Edwards'
 * packer) and the way it reads comments and regular expressions.
 * Limits: JSNORM_MAX_TOKENS tokens, JSNORM_MAX_SCOPES nested functions,
 * names and strings of JSNORM_MAX_TEXT bytes; two passes, no recursion. */
#include "unpack/jsnorm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSNORM_MAX_SCOPES 256
#define JSNORM_MAX_TEXT 4096
#define JSNORM_MAX_NAMES 1024

enum js_kind { JS_NAME, JS_STRING, JS_INT, JS_FLOAT, JS_PUNCT };

struct js_tok {
    enum js_kind kind;
    uint32_t off, len; /* text in the token arena */
    uint32_t scope;    /* scope the token is in */
    double num;
};

/* A declared name: its scope, text and number. */
struct js_name {
    uint32_t scope, off, len, id;
};

struct js {
    struct js_tok *tok;
    size_t ntok;
    struct outbuf text; /* token texts */
    struct js_name *names;
    size_t nnames;
    uint32_t parent[JSNORM_MAX_SCOPES];
    uint32_t nscopes, ids;
    vigil_status st;
};

static int is_alpha(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
           c >= 0x80;
}

static int is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static int is_space(uint8_t c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0d);
}

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static void js_putc(struct js *j, uint8_t c)
{
    size_t room;

    if (j->st != VIGIL_OK)
        return;
    if (j->text.len == j->text.cap &&
        ((j->st = outbuf_reserve(&j->text, 1, &room)) != VIGIL_OK || room == 0))
        return;
    j->text.p[j->text.len++] = c;
}

static int hexval(uint8_t c)
{
    if (is_digit(c))
        return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Reads the escape after a backslash at s[*i] (s[*i] is the character after
 * it); returns the character it stands for. */
static unsigned js_escape(const uint8_t *s, size_t len, size_t *i)
{
    uint8_t c = s[*i];
    unsigned v = 0;
    int n = c == 'x' ? 2 : c == 'u' ? 4 : 0, k;

    (*i)++;
    if (n) {
        for (k = 0; k < n && *i + (size_t)k < len && hexval(s[*i + (size_t)k]) >= 0; k++)
            v = v * 16 + (unsigned)hexval(s[*i + (size_t)k]);
        if (k == n) {
            *i += (size_t)n;
            return v;
        }
        return c;
    }
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'v': return '\v';
    default: return c;
    }
}

static void js_add(struct js *j, enum js_kind kind, size_t off, double num, uint32_t scope)
{
    struct js_tok *t;

    if (j->st != VIGIL_OK || j->ntok >= JSNORM_MAX_TOKENS)
        return;
    if ((j->ntok & 1023) == 0) {
        t = realloc(j->tok, (j->ntok + 1024) * sizeof *t);
        if (!t) {
            j->st = VIGIL_ENOMEM;
            return;
        }
        j->tok = t;
    }
    j->tok[j->ntok++] = (struct js_tok){kind, (uint32_t)off, (uint32_t)(j->text.len - off),
                                        scope, num};
}

/* Reads one string literal starting at the quote s[*i]. */
static void js_string(struct js *j, const uint8_t *s, size_t len, size_t *i)
{
    uint8_t q = s[(*i)++];
    size_t off = j->text.len, n = 0;

    while (*i < len && s[*i] != q) {
        unsigned c = s[(*i)++];
        if (c == '\\' && *i < len)
            c = js_escape(s, len, i);
        if (n++ < JSNORM_MAX_TEXT)
            js_putc(j, c < 0x100 ? (uint8_t)c : '?');
    }
    if (*i < len)
        (*i)++;
    js_add(j, JS_STRING, off, 0, 0);
}

/* Splits the script into tokens (scopes are set by js_scopes). */
static void js_lex(struct js *j, const uint8_t *s, size_t len)
{
    size_t i = 0;

    while (i < len && j->st == VIGIL_OK && j->ntok < JSNORM_MAX_TOKENS) {
        uint8_t c = s[i];
        size_t off = j->text.len, start = i;
        if (is_space(c)) {
            i++;
        } else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
            const uint8_t *e = i + 2 < len ? memmem(s + i + 2, len - i - 2, "*/", 2) : NULL;
            i = e ? (size_t)(e - s) + 2 : len;
        } else if (c == '/' && i + 1 < len && s[i + 1] == '/') {
            while (i < len && s[i] != '\n')
                i++;
        } else if (c == '"' || c == '\'') {
            js_string(j, s, len, &i);
        } else if (is_digit(c) || (c == '.' && i + 1 < len && is_digit(s[i + 1]))) {
            char num[64];
            size_t n = 0;
            int dot = 0;
            while (i < len && (is_digit(s[i]) || (s[i] == '.' && !dot))) {
                dot |= s[i] == '.';
                if (n < sizeof num - 1)
                    num[n++] = (char)s[i];
                i++;
            }
            num[n] = '\0';
            js_add(j, dot ? JS_FLOAT : JS_INT, off, strtod(num, NULL), 0);
        } else if (is_alpha(c)) {
            while (i < len && (is_alpha(s[i]) || is_digit(s[i]))) {
                if (i - start < JSNORM_MAX_TEXT)
                    js_putc(j, lower(s[i]));
                i++;
            }
            js_add(j, JS_NAME, off, 0, 0);
        } else {
            js_putc(j, c);
            js_add(j, JS_PUNCT, off, 0, 0);
            i++;
        }
    }
}

static const uint8_t *tok_text(const struct js *j, const struct js_tok *t)
{
    return j->text.p ? j->text.p + t->off : (const uint8_t *)"";
}

static int tok_is(const struct js *j, size_t k, const char *s)
{
    size_t n = strlen(s);

    return k < j->ntok && j->tok[k].len == n && memcmp(tok_text(j, &j->tok[k]), s, n) == 0;
}

static void js_declare(struct js *j, size_t k, uint32_t scope)
{
    const struct js_tok *t = &j->tok[k];
    struct js_name *v;

    for (size_t i = 0; i < j->nnames; i++)
        if (j->names[i].scope == scope && j->names[i].len == t->len &&
            memcmp(j->text.p + j->names[i].off, j->text.p + t->off, t->len) == 0)
            return;
    if (j->nnames >= JSNORM_MAX_NAMES)
        return;
    if ((j->nnames & 255) == 0) {
        v = realloc(j->names, (j->nnames + 256) * sizeof *v);
        if (!v) {
            j->st = VIGIL_ENOMEM;
            return;
        }
        j->names = v;
    }
    j->names[j->nnames++] = (struct js_name){scope, t->off, t->len, j->ids++};
}

/* Assigns every token its scope and numbers the declared names: "var"
 * names in the current scope; "function", its name and its parameters in
 * a new scope that ends with the function's body. */
static void js_scopes(struct js *j)
{
    uint32_t stack[JSNORM_MAX_SCOPES], depth[JSNORM_MAX_SCOPES];
    uint32_t top = 0, braces = 0;
    int params = 0, want_body = 0;

    stack[0] = 0;
    depth[0] = 0;
    j->nscopes = 1;
    j->parent[0] = 0;
    for (size_t k = 0; k < j->ntok && j->st == VIGIL_OK; k++) {
        struct js_tok *t = &j->tok[k];
        if (t->kind == JS_NAME && tok_is(j, k, "function") && top + 1 < JSNORM_MAX_SCOPES &&
            j->nscopes < JSNORM_MAX_SCOPES) {
            j->parent[j->nscopes] = stack[top];
            stack[++top] = j->nscopes++;
            depth[top] = braces;
            want_body = 1;
            t->scope = stack[top];
            if (k + 1 < j->ntok && j->tok[k + 1].kind == JS_NAME) {
                j->tok[k + 1].scope = stack[top];
                js_declare(j, ++k, stack[top]);
            }
            continue;
        }
        t->scope = stack[top];
        if (t->kind == JS_PUNCT && tok_is(j, k, "(") && want_body && !params) {
            params = 1;
        } else if (t->kind == JS_PUNCT && tok_is(j, k, ")") && params) {
            params = 0;
        } else if (params && t->kind == JS_NAME) {
            js_declare(j, k, stack[top]);
        } else if (t->kind == JS_NAME && tok_is(j, k, "var") && k + 1 < j->ntok &&
                   j->tok[k + 1].kind == JS_NAME) {
            j->tok[k + 1].scope = stack[top];
            js_declare(j, ++k, stack[top]);
        } else if (t->kind == JS_PUNCT && tok_is(j, k, "{")) {
            braces++;
            want_body = 0;
        } else if (t->kind == JS_PUNCT && tok_is(j, k, "}")) {
            if (braces)
                braces--;
            if (top > 0 && braces == depth[top])
                top--;
        }
    }
}

/* The number of the name token t in its scope chain, or -1. */
static long js_lookup(const struct js *j, const struct js_tok *t)
{
    uint32_t sc = t->scope;

    for (unsigned hop = 0; hop < JSNORM_MAX_SCOPES; hop++) {
        for (size_t i = 0; i < j->nnames; i++)
            if (j->names[i].scope == sc && j->names[i].len == t->len &&
                memcmp(j->text.p + j->names[i].off, j->text.p + t->off, t->len) == 0)
                return j->names[i].id;
        if (sc == 0)
            break;
        sc = j->parent[sc];
    }
    return -1;
}

struct js_out {
    struct outbuf *b;
    uint8_t last;
    vigil_status st;
};

static void out_c(struct js_out *o, uint8_t c)
{
    size_t room;

    if (o->st != VIGIL_OK)
        return;
    if (o->b->len == o->b->cap &&
        ((o->st = outbuf_reserve(o->b, 1, &room)) != VIGIL_OK || room == 0))
        return;
    o->b->p[o->b->len++] = is_space(c) ? ' ' : lower(c);
}

static void out_s(struct js_out *o, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out_c(o, s[i]);
}

static int alnum(uint8_t c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Writes one token; first is its first character for the spacing rule. */
static void out_tok(struct js_out *o, const uint8_t *s, size_t n, uint8_t first)
{
    if (alnum(o->last) && alnum(first))
        out_c(o, ' ');
    out_s(o, s, n);
    o->last = n ? s[n - 1] : o->last;
}

/* Writes strings joined across "+" as one. Returns the last token used. */
static size_t out_strings(struct js *j, struct js_out *o, size_t k)
{
    out_tok(o, (const uint8_t *)"\"", 1, '"');
    out_s(o, tok_text(j, &j->tok[k]), j->tok[k].len);
    while (k + 2 < j->ntok && tok_is(j, k + 1, "+") && j->tok[k + 2].kind == JS_STRING &&
           !(k + 3 < j->ntok && (tok_is(j, k + 3, ".") || tok_is(j, k + 3, "[")))) {
        k += 2;
        out_s(o, tok_text(j, &j->tok[k]), j->tok[k].len);
    }
    out_c(o, '"');
    o->last = '"';
    return k;
}

static void js_output(struct js *j, struct outbuf *b, vigil_status *st)
{
    struct js_out o = {b, 0, VIGIL_OK};
    char num[64];

    if (b->len)
        out_c(&o, '\n');
    out_s(&o, (const uint8_t *)"<script>", 8);
    o.last = '>';
    for (size_t k = 0; k < j->ntok && o.st == VIGIL_OK; k++) {
        const struct js_tok *t = &j->tok[k];
        long id;
        int n;
        switch (t->kind) {
        case JS_STRING:
            k = out_strings(j, &o, k);
            break;
        case JS_INT:
        case JS_FLOAT:
            n = t->kind == JS_INT ? snprintf(num, sizeof num, "%.0f", t->num)
                                  : snprintf(num, sizeof num, "%g", t->num);
            out_tok(&o, (const uint8_t *)num, n > 0 ? (size_t)n : 0, '0');
            break;
        case JS_NAME:
            if ((id = js_lookup(j, t)) >= 0) {
                n = snprintf(num, sizeof num, "n%03ld", id);
                out_tok(&o, (const uint8_t *)num, (size_t)n, 'n');
            } else {
                out_tok(&o, tok_text(j, t), t->len, tok_text(j, t)[0]);
            }
            break;
        default:
            out_tok(&o, tok_text(j, t), t->len, tok_text(j, t)[0]);
        }
    }
    if (b->len < 9 || memcmp(b->p + b->len - 9, "</script>", 9) != 0)
        out_s(&o, (const uint8_t *)"</script>", 9);
    *st = o.st;
}

vigil_status jsnorm_script(const uint8_t *src, size_t len, struct outbuf *out)
{
    struct js j;
    vigil_status st = VIGIL_OK;

    memset(&j, 0, sizeof j);
    outbuf_init(&j.text, (size_t)JSNORM_MAX_TOKENS * 16 + len);
    js_lex(&j, src, len);
    if (j.st == VIGIL_OK)
        js_scopes(&j);
    if (j.st == VIGIL_OK)
        js_output(&j, out, &st);
    else
        st = j.st;
    free(j.tok);
    free(j.names);
    outbuf_free(&j.text);
    return st;
}
