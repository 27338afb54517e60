/* jsnorm.c - JavaScript normalisation after ClamAV 1.4's js-norm.c
 * (libclamav/jsparse), measured with clamscan --leave-temps: for
 *   var abc = "Hel" + "lo"; function foo(x, y) { var z = x + y; return z; }
 *   foo(1, 0x10); document.write(abc);
 * ClamAV writes
 *   <script>var n000="hello";function n001(n002,n003){var n004=n002+n003;
 *   return n004;}foo(1,0 x10);document.write(n000);</script>
 * (one line). As ClamAV's tokenizer and scope tracker do:
 *   - tokens are written lower-cased, a space only between two
 *     alphanumerics; whitespace, comments ("//" ends at a space or a
 *     newline: the HTML normaliser has turned newlines into spaces) and
 *     characters of no token class (non-ASCII, '#', '@', '`') vanish;
 *   - names declared by "var" (and by a comma while the initialiser is at
 *     the top level of its scope), a function's name and its parameters are
 *     numbered n000, n001, ... in order of declaration (a name declared again
 *     gets a new number); a function's name and parameters belong to its own
 *     scope; a name after '.' is never renamed;
 *   - strings are double-quoted with their escapes decoded; "a" + "b" is
 *     one string; unescape("...") is decoded; eval("...") is replaced by the
 *     tokens of its string (a name or number that ends it is lost, as in
 *     ClamAV, whose tokenizer waits for more input);
 *   - integers are written in decimal (atoi: "0x10" is 0 and the name x10),
 *     others with %g; open parentheses are closed at the end.
 *   - Dean Edwards' packer (a function whose parameters start "p,a,c,":
 *     measured, see de_params) has the arguments of its call replaced by the decoded
 *     text's tokens; dF("...") is removed and the tokens of its decoded
 *     text appended at the end (ClamAV's decode_de, handle_df);
 * Limits: JSNORM_MAX_TOKENS tokens, JSNORM_MAX_SCOPES scopes,
 * JSNORM_MAX_NAMES names, tokens of JSNORM_MAX_TEXT bytes, one level of
 * eval, JSNORM_MAX_DECODES packer decodings of at most 16 *
 * JSNORM_MAX_TEXT bytes each; no recursion. */
#include "unpack/jsnorm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSNORM_MAX_SCOPES 1024
#define JSNORM_MAX_TEXT 65536
#define JSNORM_MAX_NAMES 4096
#define JSNORM_MAX_DECODES 64

enum js_kind { JS_NAME, JS_KEYWORD, JS_STRING, JS_INT, JS_FLOAT, JS_PUNCT };

/* ClamAV's tokenizer states of one scope (fsm_state). */
enum js_fsm { F_BASE, F_VAR, F_INIT, F_WAIT_NAME, F_WAIT_PARAMS, F_DECL };

struct js_tok {
    enum js_kind kind;
    uint8_t member; /* a name after '.': never renamed */
    uint32_t off, len; /* text in the arena */
    uint32_t scope;
    double num;
};

struct js_toks {
    struct js_tok *v;
    size_t n;
};

struct js_scope {
    uint32_t parent;
    enum js_fsm fsm;
    int last_punct; /* the last token of the scope was '.' */
    unsigned brackets, blocks;
};

struct js_name {
    uint32_t scope, off, len, id;
};

struct js {
    struct outbuf text; /* token texts */
    struct js_scope scope[JSNORM_MAX_SCOPES];
    uint32_t nscopes, cur, ids;
    struct js_name *names;
    size_t nnames;
    vigil_status st;
};

static const char *const js_keywords[] = {
    "break", "case", "catch", "continue", "default", "delete", "do", "else", "false",
    "finally", "for", "function", "if", "in", "instanceof", "new", "null", "return",
    "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with",
    "abstract", "boolean", "byte", "char", "class", "const", "debugger", "double", "enum",
    "export", "extends", "final", "float", "goto", "implements", "import", "int",
    "interface", "long", "native", "package", "private", "protected", "public", "short",
    "static", "super", "synchronized", "throws", "transient", "volatile",
};

static int is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static int is_idstart(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}

static int is_space(uint8_t c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0b) || c == 0x0d;
}

static int is_op(uint8_t c)
{
    return c != 0 && strchr("!%&*+-:<=>?^|~/", c) != NULL;
}

static int is_special(uint8_t c)
{
    return c != 0 && strchr("[],{}();.", c) != NULL;
}

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static int hexval(uint8_t c)
{
    if (is_digit(c))
        return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void text_put(struct js *j, uint8_t c)
{
    size_t room;

    if (j->st != VIGIL_OK)
        return;
    if (j->text.len == j->text.cap &&
        ((j->st = outbuf_reserve(&j->text, 1, &room)) != VIGIL_OK || room == 0))
        return;
    j->text.p[j->text.len++] = c;
}

static const uint8_t *tok_text(const struct js *j, const struct js_tok *t)
{
    return j->text.p ? j->text.p + t->off : (const uint8_t *)"";
}

static int tok_is(const struct js *j, const struct js_tok *t, const char *s)
{
    size_t n = strlen(s);

    return t->len == n && memcmp(tok_text(j, t), s, n) == 0;
}

static struct js_tok *toks_add(struct js *j, struct js_toks *v)
{
    struct js_tok *t;

    if (j->st != VIGIL_OK || v->n >= JSNORM_MAX_TOKENS)
        return NULL;
    if ((v->n & 1023) == 0) {
        t = realloc(v->v, (v->n + 1024) * sizeof *t);
        if (!t) {
            j->st = VIGIL_ENOMEM;
            return NULL;
        }
        v->v = t;
    }
    t = &v->v[v->n++];
    memset(t, 0, sizeof *t);
    return t;
}

/* Declares the name of token t in scope sc: a new number, even when the
 * name is declared there already (ClamAV's hash insert does so). */
static void js_declare(struct js *j, const struct js_tok *t, uint32_t sc)
{
    struct js_name *v;

    for (size_t i = 0; i < j->nnames; i++)
        if (j->names[i].scope == sc && j->names[i].len == t->len &&
            memcmp(j->text.p + j->names[i].off, j->text.p + t->off, t->len) == 0) {
            j->names[i].id = j->ids++;
            return;
        }
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
    j->names[j->nnames++] = (struct js_name){sc, t->off, t->len, j->ids++};
}

/* ClamAV's cli_js_process_buffer for one token: the scope tracker, then
 * "a" + "b" folding. The token is the last one of v. */
static void js_track(struct js *j, struct js_toks *v)
{
    struct js_tok *t = &v->v[v->n - 1];
    struct js_scope *s = &j->scope[j->cur];
    int dot;

    t->scope = j->cur;
    if (t->kind == JS_KEYWORD && tok_is(j, t, "var")) {
        s->fsm = F_VAR;
    } else if (t->kind == JS_KEYWORD && tok_is(j, t, "function")) {
        if (j->nscopes < JSNORM_MAX_SCOPES) {
            j->scope[j->nscopes] = (struct js_scope){j->cur, F_WAIT_NAME, 0, 0, 0};
            j->cur = j->nscopes++;
            t->scope = j->cur;
            s = &j->scope[j->cur];
        }
    } else if (t->kind == JS_NAME) {
        if (s->last_punct)
            t->member = 1;
        else if (s->fsm == F_VAR || s->fsm == F_DECL) {
            js_declare(j, t, j->cur);
            s->fsm = F_INIT;
            s->brackets = 0;
        } else if (s->fsm == F_WAIT_NAME) {
            js_declare(j, t, j->cur);
            s->fsm = F_WAIT_PARAMS;
        }
    } else if (t->kind == JS_PUNCT && t->len == 1) {
        switch (tok_text(j, t)[0]) {
        case '(':
            if (s->fsm == F_WAIT_NAME || s->fsm == F_WAIT_PARAMS)
                s->fsm = F_DECL;
            break;
        case ')':
            if (s->fsm == F_WAIT_PARAMS)
                s->fsm = F_BASE;
            break;
        case '{':
            if (s->fsm == F_WAIT_NAME || s->fsm == F_WAIT_PARAMS || s->fsm == F_DECL)
                s->fsm = F_BASE;
            s->blocks++;
            break;
        case '}':
            if (s->blocks > 0)
                s->blocks--;
            if (!s->blocks && j->cur != 0)
                j->cur = s->parent; /* the function ends */
            break;
        case '[':
            s->brackets++;
            break;
        case ']':
            if (s->brackets > 0)
                s->brackets--;
            break;
        case ',':
            if (s->fsm == F_INIT && s->brackets == 0 && s->blocks == 0)
                s->fsm = F_VAR;
            break;
        case ';':
            if (s->brackets == 0 && s->blocks == 0)
                s->fsm = F_BASE;
            break;
        }
    } else if (t->kind == JS_STRING && v->n >= 3 && v->v[v->n - 2].kind == JS_PUNCT &&
               tok_is(j, &v->v[v->n - 2], "+") && v->v[v->n - 3].kind == JS_STRING &&
               v->v[v->n - 3].off + v->v[v->n - 3].len == v->v[v->n - 2].off) {
        /* fold: the texts are adjacent in the arena ("+" is one byte) */
        struct js_tok *prev = &v->v[v->n - 3];
        memmove(j->text.p + prev->off + prev->len, j->text.p + t->off, t->len);
        prev->len += t->len;
        j->text.len = prev->off + prev->len;
        v->n -= 2;
        return;
    }
    dot = t->kind == JS_PUNCT && tok_is(j, t, ".");
    j->scope[t->scope].last_punct = dot;
    if (j->cur != t->scope)
        j->scope[j->cur].last_punct = 0;
}

/* Reads the escape after a backslash at s[*i]; returns its character. */
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

/* A string literal whose opening quote is s[*i]: it ends at the first
 * quote not preceded by a backslash (or at the end of the script). */
static void lex_string(struct js *j, struct js_toks *v, const uint8_t *s, size_t len,
                       size_t *i)
{
    uint8_t q = s[(*i)++];
    size_t off = j->text.len, start = *i, end = *i;
    struct js_tok *t;

    while (end < len && !(s[end] == q && (end == start || s[end - 1] != '\\')))
        end++;
    for (size_t k = start; k < end && j->text.len - off < JSNORM_MAX_TEXT;) {
        unsigned c = s[k++];
        if (c == '\\' && k < end)
            c = js_escape(s, end, &k);
        text_put(j, c < 0x100 ? (uint8_t)c : '?');
    }
    *i = end < len ? end + 1 : len;
    if ((t = toks_add(j, v)) != NULL) {
        *t = (struct js_tok){JS_STRING, 0, (uint32_t)off, (uint32_t)(j->text.len - off), 0, 0};
        js_track(j, v);
    }
}

/* A number at s[*i]; none when it runs to the end of the script. */
static void lex_number(struct js *j, struct js_toks *v, const uint8_t *s, size_t len,
                       size_t *i)
{
    char num[64];
    size_t n = 0;
    int fl = 0;
    struct js_tok *t;

    while (*i < len) {
        uint8_t c = s[*i];
        if (is_digit(c) || (c == '.' && !fl) ||
            ((c == 'e' || c == 'E') && fl)) {
            fl |= c == '.';
            if (n < sizeof num - 1)
                num[n++] = (char)c;
            (*i)++;
            if ((c == 'e' || c == 'E') && *i < len &&
                (s[*i] == '+' || s[*i] == '-' || is_digit(s[*i]))) {
                if (n < sizeof num - 1)
                    num[n++] = (char)s[*i];
                (*i)++;
            }
            continue;
        }
        break;
    }
    if (*i >= len)
        return; /* ClamAV's tokenizer waits for more input */
    num[n] = '\0';
    if ((t = toks_add(j, v)) != NULL) {
        *t = (struct js_tok){fl ? JS_FLOAT : JS_INT, 0, (uint32_t)j->text.len, 0, 0,
                             fl ? strtod(num, NULL) : (double)(int)strtol(num, NULL, 10)};
        js_track(j, v);
    }
}

static void lex_name(struct js *j, struct js_toks *v, const uint8_t *s, size_t len,
                     size_t *i)
{
    size_t off = j->text.len, start = *i;
    struct js_tok *t;
    enum js_kind kind = JS_NAME;

    while (*i < len && (is_idstart(s[*i]) || is_digit(s[*i])))
        (*i)++;
    if (*i >= len)
        return; /* waits for more input: lost */
    for (size_t k = start; k < *i && k - start < JSNORM_MAX_TEXT; k++)
        text_put(j, s[k]);
    for (size_t k = 0; k < sizeof js_keywords / sizeof js_keywords[0]; k++)
        if (strlen(js_keywords[k]) == j->text.len - off &&
            memcmp(js_keywords[k], j->text.p + off, j->text.len - off) == 0)
            kind = JS_KEYWORD;
    if ((t = toks_add(j, v)) != NULL) {
        *t = (struct js_tok){kind, 0, (uint32_t)off, (uint32_t)(j->text.len - off), 0, 0};
        js_track(j, v);
    }
}

/* Operators, longest first among the few that matter ("+" alone folds
 * strings); the rest one character at a time (they are written joined). */
static void lex_punct(struct js *j, struct js_toks *v, const uint8_t *s, size_t len,
                      size_t *i)
{
    static const char *const two[] = {"++", "+=", "--", "==", "!=", "<=", ">=", "&&",
                                      "||", "-=", "*=", "/=", "<<", ">>"};
    size_t off = j->text.len, n = 1;
    struct js_tok *t;

    for (size_t k = 0; *i + 1 < len && k < sizeof two / sizeof two[0]; k++)
        if (s[*i] == (uint8_t)two[k][0] && s[*i + 1] == (uint8_t)two[k][1])
            n = 2;
    for (size_t k = 0; k < n; k++)
        text_put(j, s[*i + k]);
    *i += n;
    if ((t = toks_add(j, v)) != NULL) {
        *t = (struct js_tok){JS_PUNCT, 0, (uint32_t)off, (uint32_t)n, 0, 0};
        js_track(j, v);
    }
}

/* ClamAV's tokenizer over s[0..len), appending to v. */
static void js_lex(struct js *j, struct js_toks *v, const uint8_t *s, size_t len)
{
    size_t i = 0;

    while (i < len && j->st == VIGIL_OK && v->n < JSNORM_MAX_TOKENS) {
        uint8_t c = s[i];
        if (c == '/' && i + 1 < len && s[i + 1] == '*') {
            const uint8_t *e = i + 2 < len ? memmem(s + i + 2, len - i - 2, "*/", 2) : NULL;
            i = e ? (size_t)(e - s) + 2 : len;
        } else if (c == '/' && i + 1 < len && s[i + 1] == '/') {
            for (i += 2; i < len && s[i] != '\n' && s[i] != ' '; i++)
                ;
        } else if (c == '"' || c == '\'') {
            lex_string(j, v, s, len, &i);
        } else if (is_digit(c)) {
            lex_number(j, v, s, len, &i);
        } else if (is_idstart(c)) {
            lex_name(j, v, s, len, &i);
        } else if (is_op(c) || is_special(c)) {
            lex_punct(j, v, s, len, &i);
        } else {
            i++; /* whitespace and characters of no class */
        }
    }
}

/* ClamAV's cli_unescape: %XX and %uXXXX, in place in p[0..len); returns
 * the new length. */
static size_t unescape_buf(uint8_t *p, size_t len)
{
    size_t o = 0;

    for (size_t i = 0; i < len;) {
        if (p[i] == '%' && i + 5 < len && p[i + 1] == 'u' && hexval(p[i + 2]) >= 0 &&
            hexval(p[i + 3]) >= 0 && hexval(p[i + 4]) >= 0 && hexval(p[i + 5]) >= 0) {
            unsigned v = (unsigned)(hexval(p[i + 2]) << 12 | hexval(p[i + 3]) << 8 |
                                    hexval(p[i + 4]) << 4 | hexval(p[i + 5]));
            p[o++] = v < 0x100 ? (uint8_t)v : '?';
            i += 6;
        } else if (p[i] == '%' && i + 2 < len + 0 && hexval(p[i + 1]) >= 0 &&
                   hexval(p[i + 2]) >= 0) {
            p[o++] = (uint8_t)(hexval(p[i + 1]) << 4 | hexval(p[i + 2]));
            i += 3;
        } else {
            p[o++] = p[i++];
        }
    }
    return o;
}

/* cli_unescape in place in the token's text. */
static void js_unescape(struct js *j, struct js_tok *t)
{
    t->len = (uint32_t)unescape_buf(j->text.p + t->off, t->len);
}

static int is_call(const struct js *j, const struct js_toks *v, size_t k, const char *fn)
{
    return k + 3 < v->n + 1 && k + 2 < v->n && v->v[k].kind == JS_NAME &&
           tok_is(j, &v->v[k], fn) && v->v[k + 1].kind == JS_PUNCT &&
           tok_is(j, &v->v[k + 1], "(") && v->v[k + 2].kind == JS_STRING;
}

/* unescape("...") becomes the decoded string (ClamAV's run_folders). */
static void js_fold_unescape(struct js *j, struct js_toks *v)
{
    for (size_t k = 0; k + 3 < v->n; k++) {
        if (!is_call(j, v, k, "unescape"))
            continue;
        js_unescape(j, &v->v[k + 2]);
        v->v[k] = v->v[k + 2];
        /* ClamAV replaces "unescape ( str )": four tokens, one string */
        memmove(&v->v[k + 1], &v->v[k + 4], (v->n - k - 4) * sizeof v->v[0]);
        v->n -= 3;
    }
}

/* eval("...") [;] becomes the tokens of its string, one level deep
 * (ClamAV's run_decoders, handle_eval). */
static void js_eval(struct js *j, struct js_toks *v)
{
    for (size_t k = 0; k + 3 < v->n && j->st == VIGIL_OK; k++) {
        struct js_toks in = {NULL, 0};
        struct js_tok code;
        size_t end = k + 4, left;
        struct js_tok *nv;
        if (!is_call(j, v, k, "eval") || !tok_is(j, &v->v[k + 3], ")"))
            continue;
        code = v->v[k + 2];
        if (end < v->n && tok_is(j, &v->v[end], ";"))
            end++;
        /* the string's text is copied: lexing appends to the arena */
        {
            uint8_t *copy = malloc(code.len + 1);
            if (!copy) {
                j->st = VIGIL_ENOMEM;
                return;
            }
            memcpy(copy, tok_text(j, &code), code.len);
            js_lex(j, &in, copy, code.len);
            free(copy);
        }
        left = v->n - end;
        if (j->st == VIGIL_OK && k + in.n + left <= JSNORM_MAX_TOKENS &&
            (nv = realloc(v->v, ((k + in.n + left) / 1024 + 1) * 1024 * sizeof *nv)) != NULL) {
            v->v = nv;
            memmove(&v->v[k + in.n], &v->v[end], left * sizeof *nv);
            if (in.n)
                memcpy(&v->v[k], in.v, in.n * sizeof *nv);
            v->n = k + in.n + left;
            k += in.n ? in.n - 1 : 0;
        }
        free(in.v);
    }
}

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
        sc = j->scope[sc].parent;
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
    o->b->p[o->b->len++] = is_space(c) || c == '\n' || c == '\f' ? ' ' : lower(c);
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

/* Writes one token; first is its character class for the spacing rule,
 * last what it leaves as the last character. */
static void out_tok(struct js_out *o, const uint8_t *s, size_t n, uint8_t first,
                    uint8_t last)
{
    if (alnum(o->last) && alnum(first))
        out_c(o, ' ');
    out_s(o, s, n);
    o->last = last;
}

/* Replaces v[b..e) with the tokens of in (appended at the end instead
 * when append is set). Returns 0 when the result would pass
 * JSNORM_MAX_TOKENS (v is then unchanged), else 1. */
static int toks_splice(struct js *j, struct js_toks *v, size_t b, size_t e,
                       const struct js_toks *in, int append)
{
    size_t n = v->n - (e - b) + in->n;
    struct js_tok *nv;

    if (n > JSNORM_MAX_TOKENS)
        return 0;
    if (!(nv = realloc(v->v, (n / 1024 + 1) * 1024 * sizeof *nv))) {
        j->st = VIGIL_ENOMEM;
        return 0;
    }
    v->v = nv;
    if (append) {
        memmove(&nv[b], &nv[e], (v->n - e) * sizeof *nv);
        b = v->n - (e - b);
    } else {
        memmove(&nv[b + in->n], &nv[e], (v->n - e) * sizeof *nv);
    }
    if (in->n)
        memcpy(&nv[b], in->v, in->n * sizeof *nv);
    v->n = n;
    return 1;
}

/* Lexes s[0..n) (a copy: lexing appends to the arena s may live in) into
 * *in, in the scope the lexer is in. */
static void js_relex(struct js *j, struct js_toks *in, const uint8_t *s, size_t n)
{
    uint8_t *copy = malloc(n + 1);

    if (!copy) {
        j->st = VIGIL_ENOMEM;
        return;
    }
    memcpy(copy, s, n);
    js_lex(j, in, copy, n);
    free(copy);
}

static int is_punct(const struct js *j, const struct js_tok *t, const char *s)
{
    return t->kind == JS_PUNCT && tok_is(j, t, s);
}

/* The parameters of Dean Edwards' packer at v[i]. ClamAV's source asks
 * for "(p,a,c,k,e,r)" or "(p,a,c,k,e,d)"; measured, clamscan 1.4 decodes
 * every function whose parameters start "(p,a,c," (p,a,c,x,e,d and
 * p,a,c,k,e and p,a,c,1,e,d too; not p,a,c) nor p,a,x,k,e,d). */
static int de_params(const struct js *j, const struct js_toks *v, size_t i)
{
    static const char names[] = "pac";

    if (i + 13 > v->n || !is_punct(j, &v->v[i], "("))
        return 0;
    for (size_t k = 0; k < 3; k++) {
        const struct js_tok *t = &v->v[i + 1 + 2 * k];
        if (t->kind != JS_NAME || t->member || t->len != 1 ||
            tok_text(j, t)[0] != (uint8_t)names[k] || !is_punct(j, &v->v[i + 2 + 2 * k], ","))
            return 0;
    }
    return 1;
}

/* The six arguments of a call whose "(" is v[i - 1]: the first token of
 * each (ClamAV looks for the next "," and, for the last, ")", ignoring
 * nesting); *next is where the search ended. Returns 1 when all six
 * were found. */
static int de_args(const struct js *j, const struct js_toks *v, size_t i, size_t arg[6],
                   size_t *next)
{
    size_t a = 0;

    for (; a < 6 && i < v->n; a++) {
        arg[a] = i++;
        while (i < v->n && !is_punct(j, &v->v[i], a < 5 ? "," : ")"))
            i++;
        i++;
    }
    *next = i;
    return a == 6;
}

/* Appends s[0..n) to out, cut at its maximum. Returns 0 when out is full. */
static int out_put(struct outbuf *out, const uint8_t *s, size_t n, vigil_status *st)
{
    size_t room = 0;

    if (n && (*st = outbuf_reserve(out, n, &room)) == VIGIL_OK) {
        memcpy(out->p + out->len, s, n < room ? n : room);
        out->len += n < room ? n : room;
    }
    return *st == VIGIL_OK && room >= n;
}

/* ClamAV's decode_de: the words (alphanumeric runs) of p, read as numbers
 * in base radix, replaced by that word of the '|'-separated list k when
 * it is there and not empty; a backslash before a quote dropped. Both end
 * at a NUL, as C strings. The words of k are indexed first (at most
 * klen + 1 of them), so each word of p costs one lookup. */
static void de_decode(const uint8_t *p, size_t plen, long radix, const uint8_t *k,
                      size_t klen, struct outbuf *out, vigil_status *st)
{
    const uint8_t *z;
    size_t i = 0, nw = 1, *at;

    if ((z = memchr(p, 0, plen)) != NULL)
        plen = (size_t)(z - p);
    if ((z = memchr(k, 0, klen)) != NULL)
        klen = (size_t)(z - k);
    for (size_t c = 0; c < klen; c++)
        nw += k[c] == '|';
    if (!(at = malloc((nw + 1) * sizeof *at))) {
        *st = VIGIL_ENOMEM;
        return;
    }
    at[0] = 0;
    for (size_t c = 0, w = 1; c < klen; c++)
        if (k[c] == '|')
            at[w++] = c + 1;
    at[nw] = klen + 1; /* word w is k[at[w] .. at[w + 1] - 1) */
    while (i < plen) {
        size_t w = i;
        uint32_t val = 0;
        int more;
        if (!alnum(p[i])) {
            if (p[i] == '\\' && i + 1 < plen && (p[i + 1] == '\'' || p[i + 1] == '"'))
                more = 1;
            else
                more = out_put(out, p + i, 1, st);
            i++;
        } else {
            while (i < plen && alnum(p[i])) {
                uint8_t c = p[i++];
                uint32_t x = c >= 'a' ? 10u + c - 'a' : c >= 'A' ? 36u + c - 'A' : (uint32_t)c - '0';
                val = (uint32_t)((uint64_t)val * (uint64_t)radix + x);
            }
            if (val < nw && at[val + 1] - 1 > at[val])
                more = out_put(out, k + at[val], at[val + 1] - 1 - at[val], st);
            else
                more = out_put(out, p + w, i - w, st);
        }
        if (!more)
            break;
    }
    free(at);
}

static int in_scope(const struct js *j, uint32_t sc, uint32_t top)
{
    for (unsigned hop = 0; hop < JSNORM_MAX_SCOPES; hop++) {
        if (sc == top)
            return 1;
        if (sc == 0)
            return 0;
        sc = j->scope[sc].parent;
    }
    return 0;
}

/* Where ClamAV replaces a decoded call's arguments: from the first to the
 * sixth's first token and one more (three for "[])"), and a ";" after.
 * Returns 0 when the range runs past the tokens. */
static int de_range(const struct js *j, const struct js_toks *v, const size_t arg[6],
                    size_t *b, size_t *e)
{
    *b = arg[0];
    *e = arg[5] + 1;
    if (*e + 2 < v->n && is_punct(j, &v->v[*e], "[") && is_punct(j, &v->v[*e + 1], "]") &&
        is_punct(j, &v->v[*e + 2], ")"))
        *e += 3;
    else
        (*e)++;
    if (*e < v->n && is_punct(j, &v->v[*e], ";"))
        (*e)++;
    return *e <= v->n;
}

/* Dean Edwards' packer at the keyword "function" v[f] (ClamAV's
 * run_decoders and handle_de): the call of the function (anonymous: the
 * first "(" after it; named: its last call by name) has its six arguments
 * replaced by the tokens of the decoded text. Returns 1 when it did. */
static int js_dean_edwards(struct js *j, struct js_toks *v, size_t f)
{
    size_t i = f + 1, e, arg[6], b, end, next;
    const struct js_tok *name = NULL, *p, *k;
    struct js_toks in = {NULL, 0};
    struct outbuf text;
    int found = 0;

    if (f + 13 >= v->n)
        return 0;
    if (v->v[i].kind == JS_NAME && !v->v[i].member)
        name = &v->v[i++];
    if (!de_params(j, v, i))
        return 0;
    for (e = f + 1; e < v->n && in_scope(j, v->v[e].scope, v->v[f].scope); e++)
        ;
    if (e >= v->n)
        return 0; /* the function does not end */
    if (!name) {
        while (e < v->n && !is_punct(j, &v->v[e], "("))
            e++;
        found = e + 1 < v->n && de_args(j, v, e + 1, arg, &next);
    } else {
        for (i = e; i + 2 < v->n; i++) {
            if (v->v[i].kind != JS_NAME || v->v[i].member || v->v[i].len != name->len ||
                memcmp(tok_text(j, &v->v[i]), tok_text(j, name), name->len) != 0 ||
                !is_punct(j, &v->v[i + 1], "("))
                continue;
            if (de_args(j, v, i + 2, arg, &next))
                found = 1;
            i = next > i ? next - 1 : i;
        }
    }
    if (!found || !de_range(j, v, arg, &b, &end))
        return 0;
    p = &v->v[arg[0]];
    k = &v->v[arg[3]];
    outbuf_init(&text, (size_t)JSNORM_MAX_TEXT * 16);
    /* p as ClamAV's cstring (not a number, not "function"); k only a string */
    if (p->kind != JS_INT && p->kind != JS_FLOAT && !tok_is(j, p, "function") &&
        (k->kind == JS_STRING || (k->kind == JS_NAME && k->member)))
        de_decode(tok_text(j, p), p->len, v->v[arg[1]].kind == JS_INT ? (long)v->v[arg[1]].num : -1,
                  tok_text(j, k), k->len, &text, &j->st);
    if (j->st == VIGIL_OK)
        js_relex(j, &in, text.p ? text.p : (const uint8_t *)"", text.len);
    if (j->st == VIGIL_OK)
        toks_splice(j, v, b, end, &in, 0);
    outbuf_free(&text);
    free(in.v);
    return 1;
}

/* dF('...') (the encoder of scriptasylum.com; ClamAV's handle_df): the
 * string's last character is a digit d; the rest, %-unescaped, has d
 * subtracted from each byte and is %-unescaped again. The call (and a ";"
 * after it) is removed and the decoded tokens go to the end. Returns 1
 * when it did. */
static int js_df(struct js *j, struct js_toks *v, size_t k)
{
    const struct js_tok *t = &v->v[k + 2];
    struct js_toks in = {NULL, 0};
    const uint8_t *z;
    uint8_t *s, last;
    size_t len = t->len, end = k + 4;

    if (t->kind != JS_STRING || end > v->n)
        return 0;
    if ((z = memchr(tok_text(j, t), 0, len)) != NULL)
        len = (size_t)(z - tok_text(j, t));
    if (len == 0)
        return 0;
    if (!(s = malloc(len))) {
        j->st = VIGIL_ENOMEM;
        return 0;
    }
    memcpy(s, tok_text(j, t), len);
    last = (uint8_t)(s[len - 1] - '0');
    len = unescape_buf(s, len - 1);
    for (size_t i = 0; i < len; i++)
        s[i] = (uint8_t)(s[i] - last);
    if ((z = memchr(s, 0, len)) != NULL)
        len = (size_t)(z - s);
    len = unescape_buf(s, len);
    if (end < v->n && is_punct(j, &v->v[end], ";"))
        end++;
    js_relex(j, &in, s, len);
    if (j->st == VIGIL_OK)
        toks_splice(j, v, k, end, &in, 1);
    free(s);
    free(in.v);
    return 1;
}

/* The decoders of ClamAV's run_decoders other than eval, left to right;
 * decoded tokens are visited too (a packer inside a packer), at most
 * JSNORM_MAX_DECODES decodings. */
static void js_unpack(struct js *j, struct js_toks *v)
{
    unsigned done = 0;

    for (size_t k = 0; k < v->n && j->st == VIGIL_OK && done < JSNORM_MAX_DECODES; k++) {
        const struct js_tok *t = &v->v[k];
        if (t->kind == JS_KEYWORD && tok_is(j, t, "function"))
            done += (unsigned)js_dean_edwards(j, v, k);
        else if (k + 2 < v->n && t->kind == JS_NAME && !t->member && tok_is(j, t, "dF") &&
                 is_punct(j, &v->v[k + 1], "("))
            done += (unsigned)js_df(j, v, k);
    }
}

static void js_output(struct js *j, const struct js_toks *v, struct outbuf *b,
                      vigil_status *st)
{
    struct js_out o = {b, 0, VIGIL_OK};
    char num[64];
    size_t par = 0, room;

    if (b->len && outbuf_reserve(b, 1, &room) == VIGIL_OK && room > 0)
        b->p[b->len++] = '\n'; /* scripts are separated by a newline */
    out_s(&o, (const uint8_t *)"<script>", 8);
    o.last = '>';
    for (size_t k = 0; k < v->n && o.st == VIGIL_OK; k++) {
        const struct js_tok *t = &v->v[k];
        const uint8_t *s = tok_text(j, t);
        long id;
        int n;
        switch (t->kind) {
        case JS_STRING:
            out_tok(&o, (const uint8_t *)"\"", 1, '"', '"');
            out_s(&o, s, t->len);
            out_c(&o, '"');
            break;
        case JS_INT:
        case JS_FLOAT:
            n = t->kind == JS_INT ? snprintf(num, sizeof num, "%ld", (long)t->num)
                                  : snprintf(num, sizeof num, "%g", t->num);
            out_tok(&o, (const uint8_t *)num, n > 0 ? (size_t)n : 0, '0', '0');
            break;
        case JS_NAME:
            if (!t->member && (id = js_lookup(j, t)) >= 0) {
                n = snprintf(num, sizeof num, "n%03ld", id);
                out_tok(&o, (const uint8_t *)num, (size_t)n, 'a', 'a');
                break;
            }
            out_tok(&o, s, t->len, 'a', 'a');
            break;
        default:
            if (t->kind == JS_PUNCT && tok_is(j, t, "("))
                par++;
            else if (t->kind == JS_PUNCT && tok_is(j, t, ")") && par > 0)
                par--;
            out_tok(&o, s, t->len, t->len ? s[0] : 0, t->len ? s[t->len - 1] : o.last);
        }
    }
    while (par-- > 0 && o.st == VIGIL_OK)
        out_tok(&o, (const uint8_t *)")", 1, ')', ')');
    if (o.st == VIGIL_OK && (b->len < 9 || memcmp(b->p + b->len - 9, "</script>", 9) != 0))
        out_s(&o, (const uint8_t *)"</script>", 9);
    *st = o.st;
}

vigil_status jsnorm_script(const uint8_t *src, size_t len, struct outbuf *out)
{
    struct js *j = calloc(1, sizeof *j);
    struct js_toks v = {NULL, 0};
    vigil_status st = VIGIL_OK;

    if (!j)
        return VIGIL_ENOMEM;
    outbuf_init(&j->text, (size_t)JSNORM_MAX_TOKENS * 32 + 2 * len);
    j->nscopes = 1;
    js_lex(j, &v, src, len);
    if (j->st == VIGIL_OK)
        js_fold_unescape(j, &v);
    if (j->st == VIGIL_OK)
        js_unpack(j, &v);
    if (j->st == VIGIL_OK)
        js_eval(j, &v);
    if (j->st == VIGIL_OK)
        js_output(j, &v, out, &st);
    else
        st = j->st;
    free(v.v);
    free(j->names);
    outbuf_free(&j->text);
    free(j);
    return st;
}
