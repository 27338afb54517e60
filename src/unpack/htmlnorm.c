/* htmlnorm.c - HTML normalisation as clamscan 1.4 does it (libclamav
 * htmlnorm.c, cli_html_normalise; entconv.c for references), checked
 * against the files clamscan --leave-temps writes:
 *   - nocomment: the HTML lower-cased, whitespace runs one space (none
 *     inside scripts), comments removed, attributes rewritten `name=value`
 *     with quotes as '"', character references decoded (a code point below
 *     256 is that byte, above it "&#x...;"; unknown names stay "&name;");
 *     scripts stay, with ' as ";
 *   - notags: the text between tags, one space for each run of whitespace,
 *     tag or reference, plus the href of <a> and the src of <img>;
 *   - javascript: each script normalised (jsnorm.c), "<script>...</script>";
 *   - data: URIs (RFC 2397) in attribute values, with their media type;
 *   - <script language="jscript.encode"> (or vbscript.encode) is decoded
 *     (screnc.c) and normalised as the script it hides.
 * ClamAV reads the file in 8 KiB chunks cut at whitespace and resets some
 * state at each; vigil reads it as one chunk, so results differ only for
 * constructs cut by ClamAV's chunk boundaries. Not done: ASP blocks with
 * "<%@ language=...encode %>".
 * Limits: names, values and references of HTML_STR bytes (as ClamAV),
 * HN_MAX_ARGS attributes per tag, outputs of `max` bytes each,
 * HTMLNORM_MAX_DATA data: URIs; one pass over a copy of the input, every
 * state consumes a byte or changes state. */
#include "unpack/htmlnorm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unpack/jsnorm.h"
#include "unpack/screnc.h"

#define HTML_STR 1024
#define HN_MAX_ARGS 64

enum hn_state {
    S_NORM, S_8BIT, S_COMMENT, S_CHAR_REF, S_ENTITY_DECODE, S_SKIP_WS, S_TRIM_WS, S_TAG,
    S_TAG_ARG, S_TAG_ARG_VAL, S_TAG_ARG_EQUAL, S_PROCESS_TAG, S_CHAR_REF_DECODE,
    S_JSDECODE, S_JSDECODE_LENGTH, S_JSDECODE_DECRYPT, S_RFC2397_TYPE, S_RFC2397_INIT,
    S_RFC2397_DATA, S_RFC2397_FINISH, S_RFC2397_ESC, S_ESCAPE_CHAR, S_BAD
};

enum { NOT_QUOTED, SINGLE_QUOTED, DOUBLE_QUOTED };

struct hn_arg {
    char name[HTML_STR + 1];
    char value[HTML_STR + 1];
    int has_value;
};

struct hn {
    struct htmlnorm *h;
    uint8_t *s; /* the input, NUL bytes removed, NUL-terminated */
    size_t len, p;
    enum hn_state state, next;
    int in_script, text_space, binary, escape, quoted, hex, in_screnc;
    int64_t value;
    unsigned length;
    uint32_t mbchar, mbchar2, screnc_left;
    char tag[HTML_STR + 1], arg[HTML_STR + 1], val[HTML_STR + 1], ent[HTML_STR + 1];
    size_t tag_len, arg_len, val_len, ent_len;
    struct hn_arg args[HN_MAX_ARGS];
    size_t nargs;
    struct htmlnorm_data *data; /* the data: URI being read */
    int js;                     /* a script is being collected */
    size_t js_begin;
    struct outbuf js_src;
    vigil_status st;
};

static int hn_space(uint8_t c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0d);
}

static uint8_t hn_lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static int hn_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static int hn_xdigit(uint8_t c)
{
    return hn_digit(c) || (hn_lower(c) >= 'a' && hn_lower(c) <= 'f');
}

static int hn_alnum(uint8_t c)
{
    return hn_digit(c) || (hn_lower(c) >= 'a' && hn_lower(c) <= 'z');
}

static void put(struct hn *n, struct outbuf *b, uint8_t c)
{
    size_t room;

    if (!b || n->st != VIGIL_OK)
        return;
    if (b->len == b->cap && ((n->st = outbuf_reserve(b, 1, &room)) != VIGIL_OK || room == 0))
        return;
    b->p[b->len++] = c;
}

static void puts_n(struct hn *n, struct outbuf *b, const void *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        put(n, b, ((const uint8_t *)s)[i]);
}

#define O2(n) (&(n)->h->nocomment)
#define TXT(n) (&(n)->h->notags)
#define DATA(n) ((n)->data ? &(n)->data->data : NULL)

/* Appends to a bounded name/value buffer. */
static void str_add(char *buf, size_t *len, uint8_t c)
{
    if (*len < HTML_STR)
        buf[(*len)++] = (char)c;
}

/* The Latin-1 entity names, code points 160..255 in order. */
static const char *const latin1[96] = {
    "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy",
    "ordf", "laquo", "not", "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute",
    "micro", "para", "middot", "cedil", "sup1", "ordm", "raquo", "frac14", "frac12",
    "frac34", "iquest", "Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig",
    "Ccedil", "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml",
    "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times", "Oslash",
    "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN", "szlig", "agrave", "aacute",
    "acirc", "atilde", "auml", "aring", "aelig", "ccedil", "egrave", "eacute", "ecirc",
    "euml", "igrave", "iacute", "icirc", "iuml", "eth", "ntilde", "ograve", "oacute",
    "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave", "uacute", "ucirc", "uuml",
    "yacute", "thorn", "yuml",
};

/* The code point of a named reference (names are case-sensitive), -1. */
static long entity_code(const char *name)
{
    static const struct {
        const char *name;
        long code;
    } t[] = {{"quot", '"'}, {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"apos", '\''},
             {"euro", 0x20ac},
             {"ndash", 0x2013}, {"mdash", 0x2014}, {"lsquo", 0x2018}, {"rsquo", 0x2019},
             {"ldquo", 0x201c}, {"rdquo", 0x201d}, {"bull", 0x2022}, {"hellip", 0x2026},
             {"trade", 0x2122}};

    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(t[i].name, name) == 0)
            return t[i].code;
    for (size_t i = 0; i < 96; i++)
        if (strcmp(latin1[i], name) == 0)
            return 160 + (long)i;
    return -1;
}

/* Writes code point v as ClamAV's entity conversion does: one byte below
 * 256, "&#x...;" up to 0x10ffff, nothing above (measured). */
static void put_code(struct hn *n, struct outbuf *b, long v, int lower)
{
    char tmp[32];
    int k;

    if (v < 0x80) {
        put(n, b, lower ? hn_lower((uint8_t)v) : (uint8_t)v);
    } else if (v < 0x100) {
        put(n, b, (uint8_t)v);
    } else if (v <= 0x10ffff) {
        k = snprintf(tmp, sizeof tmp, "&#x%lx;", v);
        puts_n(n, b, tmp, k > 0 ? (size_t)k : 0);
    }
}

static void args_free(struct hn *n)
{
    n->nargs = 0;
}

/* ClamAV's html_tag_arg_add: a quoted value loses its quotes. */
static void args_add(struct hn *n, const char *name, const char *value)
{
    struct hn_arg *a;
    size_t l;

    if (n->nargs == HN_MAX_ARGS)
        return;
    a = &n->args[n->nargs++];
    snprintf(a->name, sizeof a->name, "%s", name);
    a->has_value = value != NULL;
    a->value[0] = '\0';
    if (!value)
        return;
    if (value[0] == '"') {
        snprintf(a->value, sizeof a->value, "%s", value + 1);
        l = strlen(a->value);
        if (l > 0)
            a->value[l - 1] = '\0';
    } else {
        snprintf(a->value, sizeof a->value, "%s", value);
    }
}

static struct hn_arg *args_get(struct hn *n, const char *name)
{
    for (size_t i = 0; i < n->nargs; i++)
        if (strcmp(n->args[i].name, name) == 0)
            return &n->args[i];
    return NULL;
}

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (hn_lower((uint8_t)*a) != hn_lower((uint8_t)*b))
            return 0;
    return *a == *b;
}

/* The normalised script so far, from the collected source. */
static void js_flush(struct hn *n)
{
    vigil_status st;

    if (!n->js)
        return;
    st = jsnorm_script(n->js_src.p, n->js_src.len, &n->h->js);
    if (st != VIGIL_OK)
        n->st = st;
    n->js_src.len = 0;
    n->js = 0;
}

/* Adds s[js_begin..end) to the script being collected. */
static void js_take(struct hn *n, size_t end)
{
    if (n->js && end > n->js_begin)
        puts_n(n, &n->js_src, n->s + n->js_begin, end - n->js_begin);
}

/* Writes the pending multibyte character mb (ClamAV's HTML_8BIT):
 * certain full stops become '.', else its bytes. to_text: also to notags
 * (ClamAV writes the middle byte there in place of the last). */
static int put_mb(struct hn *n, uint32_t mb, uint8_t next, int to_text, char *val,
                  size_t *val_len)
{
    uint8_t c0 = (uint8_t)(mb >> 16), c1 = (uint8_t)(mb >> 8), c2 = (uint8_t)mb;

    if (mb == 0xE38082 || mb == 0xEFBC8E || mb == 0xEFB992 ||
        (mb == 0xA1 && (next == 0x43 || next == 0x44 || next == 0x4F))) {
        put(n, O2(n), '.');
        if (to_text)
            put(n, TXT(n), '.');
        if (val)
            str_add(val, val_len, '.');
        return mb == 0xA1;
    }
    if (c0) {
        put(n, O2(n), c0);
        if (to_text)
            put(n, TXT(n), c0);
        if (val)
            str_add(val, val_len, c0);
    }
    if (c0 || c1) {
        put(n, O2(n), c1);
        if (to_text)
            put(n, TXT(n), c1);
        if (val)
            str_add(val, val_len, c1);
    }
    put(n, O2(n), c2);
    if (to_text)
        put(n, TXT(n), c1);
    if (val)
        str_add(val, val_len, c2);
    return 0;
}

static void go(struct hn *n, enum hn_state state, enum hn_state next)
{
    n->state = state;
    n->next = next;
}

static void st_norm(struct hn *n, uint8_t c)
{
    if (c == '<') {
        put(n, O2(n), '<');
        if (!n->in_script && !n->text_space) {
            put(n, TXT(n), ' ');
            n->text_space = 1;
        }
        n->p++;
        n->tag_len = 0;
        go(n, S_SKIP_WS, S_TAG);
    } else if (hn_space(c)) {
        if (!n->text_space && !n->in_script) {
            put(n, TXT(n), ' ');
            n->text_space = 1;
        }
        go(n, S_TRIM_WS, S_NORM);
    } else if (c == '&') {
        if (!n->text_space && !n->in_script) {
            put(n, TXT(n), ' ');
            n->text_space = 1;
        }
        go(n, S_CHAR_REF, S_NORM);
        n->p++;
    } else if (c >= 0x80) {
        go(n, S_8BIT, S_NORM);
        n->mbchar = c;
        n->p++;
    } else {
        uint8_t l = hn_lower(c);
        if (n->in_script && l == '\'')
            l = '"';
        put(n, O2(n), l);
        if (!n->in_script) {
            if (c < 0x20) {
                if (!n->text_space) {
                    put(n, TXT(n), ' ');
                    n->text_space = 1;
                }
            } else {
                put(n, TXT(n), l);
                n->text_space = 0;
            }
        }
        n->p++;
    }
}

static void st_tag(struct hn *n, uint8_t c)
{
    if (n->tag_len == 0 && c == '!') {
        if (n->in_script)
            put(n, O2(n), '!');
        else if (O2(n)->len > 0)
            O2(n)->len--; /* take the '<' back */
        go(n, S_COMMENT, S_BAD);
        n->p++;
    } else if (c == '>') {
        put(n, O2(n), '>');
        n->p++;
        n->tag[n->tag_len] = '\0';
        go(n, S_SKIP_WS, S_PROCESS_TAG);
    } else if (!hn_space(c)) {
        put(n, O2(n), hn_lower(c));
        if (n->in_script && n->tag_len == 0 && c != '/')
            n->state = S_NORM; /* inside a script only </script> counts */
        str_add(n->tag, &n->tag_len, hn_lower(c));
        n->p++;
    } else {
        n->tag[n->tag_len] = '\0';
        n->arg_len = 0;
        go(n, S_SKIP_WS, n->in_script ? S_PROCESS_TAG : S_TAG_ARG);
    }
}

static void st_tag_arg(struct hn *n, uint8_t c)
{
    if (c == '=') {
        put(n, O2(n), '=');
        n->arg[n->arg_len] = '\0';
        n->p++;
        n->escape = 0;
        n->quoted = NOT_QUOTED;
        n->val_len = 0;
        go(n, S_SKIP_WS, S_TAG_ARG_VAL);
    } else if (hn_space(c)) {
        n->p++;
        n->arg[n->arg_len] = '\0';
        go(n, S_SKIP_WS, S_TAG_ARG_EQUAL);
    } else if (c == '>') {
        put(n, O2(n), '>');
        if (n->arg_len > 0) {
            n->arg[n->arg_len] = '\0';
            args_add(n, n->arg, NULL);
        }
        n->p++;
        go(n, S_PROCESS_TAG, S_BAD);
    } else {
        if (n->arg_len == 0)
            put(n, O2(n), ' ');
        put(n, O2(n), hn_lower(c));
        str_add(n->arg, &n->arg_len, hn_lower(c));
        n->p++;
    }
}

static void st_tag_arg_equal(struct hn *n, uint8_t c)
{
    if (c == '=') {
        put(n, O2(n), '=');
        n->p++;
        n->escape = 0;
        n->quoted = NOT_QUOTED;
        n->val_len = 0;
        go(n, S_SKIP_WS, S_TAG_ARG_VAL);
        return;
    }
    if (n->arg_len > 0) {
        n->arg[n->arg_len] = '\0';
        args_add(n, n->arg, NULL);
    }
    n->arg_len = 0;
    go(n, S_TAG_ARG, S_BAD);
}

/* A quote in an attribute value (q: the quoting it would close). */
static void val_quote(struct hn *n, int q)
{
    put(n, O2(n), '"');
    str_add(n->val, &n->val_len, '"');
    n->p++;
    if (n->val_len == 1) {
        n->quoted = q;
    } else if (!n->escape && n->quoted == q) {
        n->val[n->val_len] = '\0';
        args_add(n, n->arg, n->val);
        n->arg_len = 0;
        go(n, S_SKIP_WS, S_TAG_ARG);
    }
}

static void st_tag_arg_val(struct hn *n, uint8_t c)
{
    if ((n->val_len == 5 && memcmp(n->val, "data:", 5) == 0) ||
        (n->val_len == 6 && memcmp(n->val, "\"data:", 6) == 0)) {
        /* RFC 2397 inline data */
        if (O2(n)->len > 0)
            O2(n)->len--;
        if (n->quoted != NOT_QUOTED)
            put(n, O2(n), '"');
        n->val_len = 0;
        go(n, S_RFC2397_TYPE, S_TAG_ARG);
    } else if (c == '&') {
        go(n, S_CHAR_REF, S_TAG_ARG_VAL);
        n->p++;
    } else if (c == '\'') {
        val_quote(n, SINGLE_QUOTED);
    } else if (c == '"') {
        val_quote(n, DOUBLE_QUOTED);
    } else if (hn_space(c) || c == '>') {
        if (n->quoted == NOT_QUOTED) {
            n->val[n->val_len] = '\0';
            args_add(n, n->arg, n->val);
            n->arg_len = 0;
            go(n, S_SKIP_WS, S_TAG_ARG);
        } else {
            put(n, O2(n), c);
            str_add(n->val, &n->val_len, hn_space(c) ? ' ' : '>');
            n->escape = 0;
            n->quoted = NOT_QUOTED;
            go(n, S_SKIP_WS, S_TAG_ARG_VAL);
            n->p++;
        }
    } else {
        if (n->mbchar2 && (c < 0x80 || n->mbchar2 >= 0x10000)) {
            if (put_mb(n, n->mbchar2, c, 0, n->val, &n->val_len)) {
                n->p++;
                n->mbchar2 = 0;
                return;
            }
            n->mbchar2 = 0;
        }
        if (c >= 0x80) {
            n->mbchar2 = n->mbchar2 << 8 | c;
        } else {
            put(n, O2(n), hn_lower(c));
            str_add(n->val, &n->val_len, c);
        }
        n->p++;
    }
}

/* A script tag: JScript.Encode / VBScript.Encode start decoding; every
 * script starts collecting its source. */
static void tag_script(struct hn *n)
{
    struct hn_arg *a = args_get(n, "language");

    if (a && a->has_value && (ieq(a->value, "jscript.encode") || ieq(a->value, "vbscript.encode"))) {
        snprintf(a->value, sizeof a->value, "%s",
                 ieq(a->value, "jscript.encode") ? "javascript" : "vbscript");
        go(n, S_SKIP_WS, S_JSDECODE);
        /* the old tag is out already; ClamAV writes the new one after it */
        put(n, O2(n), '<');
        puts_n(n, O2(n), n->tag, strlen(n->tag));
        for (size_t i = 0; i < n->nargs; i++) {
            put(n, O2(n), ' ');
            puts_n(n, O2(n), n->args[i].name, strlen(n->args[i].name));
            if (n->args[i].has_value) {
                puts_n(n, O2(n), "=\"", 2);
                for (const char *v = n->args[i].value; *v; v++)
                    put(n, O2(n), hn_lower((uint8_t)*v));
                put(n, O2(n), '"');
            }
        }
        put(n, O2(n), '>');
    }
    n->in_script = 1;
    if (!n->js) {
        n->js = 1;
        n->js_begin = n->p;
    }
}

/* A tag's argument value into notags (the href of <a>, the src of <img>). */
static void tag_text_arg(struct hn *n, const char *name)
{
    struct hn_arg *a = args_get(n, name);

    if (a && a->has_value && a->value[0]) {
        puts_n(n, TXT(n), a->value, strlen(a->value));
        put(n, TXT(n), ' ');
        n->text_space = 1;
    }
}

static void st_process_tag(struct hn *n)
{
    go(n, S_SKIP_WS, S_NORM);
    if (n->tag[0] == '/') {
        if (strcmp(n->tag, "/script") == 0) {
            n->in_script = 0;
            js_take(n, n->p);
            js_flush(n);
        }
    } else if (strcmp(n->tag, "script") == 0) {
        tag_script(n);
    } else if (strcmp(n->tag, "a") == 0) {
        tag_text_arg(n, "href");
    } else if (strcmp(n->tag, "img") == 0) {
        tag_text_arg(n, "src");
    }
    args_free(n);
}

static void st_entity_decode(struct hn *n, uint8_t c)
{
    int in_val = n->next == S_TAG_ARG_VAL;

    if (c == ';') {
        long code;
        n->ent[n->ent_len] = '\0';
        code = entity_code(n->ent);
        if (code >= 0) {
            put_code(n, O2(n), code, 0);
            if (in_val)
                str_add(n->val, &n->val_len, code < 0x100 ? (uint8_t)code : '?');
        } else {
            put(n, O2(n), '&');
            if (in_val)
                str_add(n->val, &n->val_len, '&');
            for (size_t i = 0; i < n->ent_len; i++) {
                put(n, O2(n), hn_lower((uint8_t)n->ent[i]));
                if (in_val)
                    str_add(n->val, &n->val_len, hn_lower((uint8_t)n->ent[i]));
            }
            if (in_val)
                str_add(n->val, &n->val_len, ';');
            put(n, O2(n), ';');
        }
        n->ent_len = 0;
        go(n, n->next, S_BAD);
        n->p++;
    } else if ((hn_alnum(c) || c == '_' || c == ':' || c == '-') && n->ent_len < HTML_STR) {
        n->ent[n->ent_len++] = (char)c;
        n->p++;
    } else {
        /* too long or not a name: written as it came */
        if (in_val)
            str_add(n->val, &n->val_len, '&');
        put(n, O2(n), '&');
        for (size_t i = 0; i < n->ent_len; i++) {
            put(n, O2(n), hn_lower((uint8_t)n->ent[i]));
            if (in_val)
                str_add(n->val, &n->val_len, hn_lower((uint8_t)n->ent[i]));
        }
        go(n, n->next, S_BAD);
        n->ent_len = 0;
    }
}

static void st_char_ref_decode(struct hn *n, uint8_t c)
{
    if (n->value == 0 && (c == 'x' || c == 'X')) {
        n->hex = 1;
        n->p++;
    } else if (c == ';') {
        if (n->next == S_TAG_ARG_VAL)
            str_add(n->val, &n->val_len, (uint8_t)n->value);
        put_code(n, O2(n), (long)(n->value > 0x110000 ? 0x110000 : n->value), 1);
        go(n, n->next, S_BAD);
        n->p++;
    } else if (hn_digit(c) || (n->hex && hn_xdigit(c))) {
        int64_t inc = hn_digit(c) ? c - '0' : hn_lower(c) - 'a' + 10;
        if (n->value > (INT64_MAX - inc) / 16) {
            put(n, O2(n), (uint8_t)n->value);
            go(n, n->next, S_BAD);
            n->p++;
            return;
        }
        n->value = n->value * (n->hex ? 16 : 10) + inc;
        n->p++;
    } else {
        put(n, O2(n), (uint8_t)n->value);
        go(n, n->next, S_BAD);
    }
}

static void st_rfc2397_type(struct hn *n, uint8_t c)
{
    if (c == '\'' || c == '"') {
        int q = c == '\'' ? SINGLE_QUOTED : DOUBLE_QUOTED;
        n->p++;
        if (!n->escape && n->quoted == q) {
            n->arg_len = 0; /* ends before its data: nothing to scan */
            go(n, S_SKIP_WS, S_TAG_ARG);
        } else {
            str_add(n->val, &n->val_len, '"');
        }
    } else if (hn_space(c) || c == '>') {
        if (n->quoted == NOT_QUOTED) {
            n->arg_len = 0;
            go(n, S_SKIP_WS, S_TAG_ARG);
        } else {
            str_add(n->val, &n->val_len, hn_space(c) ? ' ' : '>');
            n->escape = 0;
            n->quoted = NOT_QUOTED;
            go(n, S_SKIP_WS, S_RFC2397_TYPE);
            n->p++;
        }
    } else if (c == ',') {
        n->val[n->val_len] = '\0';
        n->escape = 0;
        go(n, S_RFC2397_INIT, S_BAD);
        n->p++;
    } else {
        str_add(n->val, &n->val_len, hn_lower(c));
        n->p++;
    }
    n->escape = n->s[n->p] == '\\';
}

static void st_rfc2397_init(struct hn *n)
{
    struct htmlnorm_data *d = NULL;

    if (n->h->ndata < HTMLNORM_MAX_DATA) {
        d = &n->h->data[n->h->ndata++];
        outbuf_init(&d->type, HTML_STR);
        outbuf_init(&d->data, n->h->nocomment.max);
        puts_n(n, &d->type, n->val, n->val_len);
        d->base64 = strstr(n->val, ";base64") != NULL;
    }
    n->data = d;
    n->state = S_RFC2397_DATA;
    n->binary = 1;
}

static void st_rfc2397_data(struct hn *n, uint8_t c)
{
    if (c == '&') {
        /* ClamAV decodes the reference into nocomment, not the data */
        go(n, S_CHAR_REF, S_RFC2397_DATA);
        n->p++;
    } else if (c == '%') {
        n->length = 0;
        n->value = 0;
        go(n, S_ESCAPE_CHAR, S_RFC2397_ESC);
        n->p++;
    } else if ((c == '\'' && n->quoted == SINGLE_QUOTED && !n->escape) ||
               (c == '"' && n->quoted == DOUBLE_QUOTED && !n->escape) ||
               ((hn_space(c) || c == '>') && n->quoted == NOT_QUOTED)) {
        n->state = S_RFC2397_FINISH;
        n->p++;
    } else {
        put(n, DATA(n), c);
        n->p++;
    }
    n->escape = n->s[n->p] == '\\';
}

static void st_escape_char(struct hn *n, uint8_t c)
{
    n->value *= 16;
    n->length++;
    if (hn_xdigit(c))
        n->value += hn_digit(c) ? c - '0' : hn_lower(c) - 'a' + 10;
    else
        n->state = n->next;
    if (n->length == 2)
        n->state = n->next;
    n->p++;
}

static void st_rfc2397_esc(struct hn *n)
{
    if (n->length == 2) {
        put(n, DATA(n), (uint8_t)n->value);
    } else if (n->length == 1) {
        put(n, DATA(n), '%');
        put(n, DATA(n), (uint8_t)(n->value + '0'));
    } else {
        put(n, DATA(n), '%');
    }
    n->state = S_RFC2397_DATA;
}

static void st_jsdecode(struct hn *n, uint8_t c)
{
    if (n->len - n->p >= 4 && memcmp(n->s + n->p, "#@~^", 4) == 0) {
        n->s[n->p] = '/';
        n->s[n->p + 1] = '/';
        n->p += 4;
        go(n, S_JSDECODE_LENGTH, S_BAD);
    } else {
        put(n, O2(n), hn_lower(c));
        n->p++;
    }
}

static void st_jsdecode_length(struct hn *n)
{
    if (n->len - n->p < 8) {
        n->h->damaged = 1;
        go(n, S_NORM, S_BAD);
        return;
    }
    n->screnc_left = screnc_length(n->s + n->p);
    n->s[n->p + 7] = '\n'; /* for the script normaliser */
    n->p += 8;
    n->in_screnc = 1;
    go(n, S_JSDECODE_DECRYPT, S_BAD);
}

static void st_jsdecode_decrypt(struct hn *n)
{
    n->len = n->p + screnc_decode(n->s + n->p, n->len - n->p, &n->screnc_left);
    if (n->screnc_left)
        n->h->damaged = 1; /* the input ended inside the block */
    n->in_screnc = 0;
    go(n, S_NORM, S_BAD);
}

/* One step of the machine on the byte at n->p (never the final NUL). The
 * one place every state is dispatched: a long switch by design. */
static void hn_step(struct hn *n)
{
    uint8_t c = n->s[n->p];

    switch (n->state) {
    case S_SKIP_WS:
    case S_TRIM_WS:
        if (hn_space(c)) {
            n->p++;
        } else {
            if (n->state == S_TRIM_WS && !n->in_script)
                put(n, O2(n), ' ');
            go(n, n->next, S_BAD);
        }
        break;
    case S_8BIT:
        if (c < 0x80 || n->mbchar >= 0x10000) {
            int skip = put_mb(n, n->mbchar, c, 1, NULL, NULL);
            n->mbchar = 0;
            if (skip) {
                n->p++;
            } else {
                go(n, n->next, S_NORM);
            }
        } else {
            n->mbchar = n->mbchar << 8 | c;
            n->p++;
        }
        break;
    case S_NORM: st_norm(n, c); break;
    case S_TAG: st_tag(n, c); break;
    case S_TAG_ARG: st_tag_arg(n, c); break;
    case S_TAG_ARG_EQUAL: st_tag_arg_equal(n, c); break;
    case S_TAG_ARG_VAL:
        st_tag_arg_val(n, c);
        n->escape = n->s[n->p] == '\\';
        break;
    case S_COMMENT:
        if (n->in_script && !hn_space(c))
            put(n, O2(n), c == '\'' ? '"' : hn_lower(c));
        if (c == '>')
            go(n, S_SKIP_WS, S_NORM);
        n->p++;
        break;
    case S_PROCESS_TAG: st_process_tag(n); break;
    case S_CHAR_REF:
        if (c == '#') {
            n->value = 0;
            n->hex = 0;
            n->state = S_CHAR_REF_DECODE;
            n->p++;
        } else {
            n->state = S_ENTITY_DECODE;
        }
        break;
    case S_ENTITY_DECODE: st_entity_decode(n, c); break;
    case S_CHAR_REF_DECODE: st_char_ref_decode(n, c); break;
    case S_JSDECODE: st_jsdecode(n, c); break;
    case S_JSDECODE_LENGTH: st_jsdecode_length(n); break;
    case S_JSDECODE_DECRYPT: st_jsdecode_decrypt(n); break;
    case S_RFC2397_TYPE: st_rfc2397_type(n, c); break;
    case S_RFC2397_INIT: st_rfc2397_init(n); break;
    case S_RFC2397_DATA: st_rfc2397_data(n, c); break;
    case S_RFC2397_FINISH:
        n->data = NULL;
        n->escape = 0;
        n->quoted = NOT_QUOTED;
        n->binary = 0;
        go(n, S_SKIP_WS, S_TAG_ARG);
        break;
    case S_RFC2397_ESC: st_rfc2397_esc(n); break;
    case S_ESCAPE_CHAR: st_escape_char(n, c); break;
    default:
        n->p = n->len; /* ClamAV's "engine error": stop */
        break;
    }
}

/* The states that read no byte must not alternate for ever: a step that
 * reads nothing either changes the state or ends within a few steps, but a
 * bound is cheap. */
#define HN_MAX_IDLE 16

static void hn_run(struct hn *n)
{
    unsigned idle = 0;

    while (n->p < n->len && n->st == VIGIL_OK) {
        size_t at = n->p;
        if (!n->binary && n->s[n->p] == '\n') {
            n->s[n->p] = ' ';
            continue;
        }
        if (!n->binary && n->s[n->p] == '\r') {
            n->p++;
            continue;
        }
        hn_step(n);
        if (n->p != at)
            idle = 0;
        else if (++idle > HN_MAX_IDLE)
            n->p++;
    }
}

vigil_status htmlnorm_run(const uint8_t *in, size_t len, size_t max, struct htmlnorm *h)
{
    struct hn *n = NULL;
    vigil_status st = VIGIL_ENOMEM;

    memset(h, 0, sizeof *h);
    outbuf_init(&h->nocomment, max);
    outbuf_init(&h->notags, max);
    outbuf_init(&h->js, max);
    if (len == SIZE_MAX || !(n = calloc(1, sizeof *n)) || !(n->s = malloc(len + 1)))
        goto out;
    n->h = h;
    for (size_t i = 0; i < len; i++)
        if (in[i])
            n->s[n->len++] = in[i];
    n->s[n->len] = '\0';
    outbuf_init(&n->js_src, max);
    go(n, S_NORM, S_BAD);
    while (n->p < n->len && hn_space(n->s[n->p]))
        n->p++;
    n->st = VIGIL_OK;
    hn_run(n);
    if (n->ent_len) { /* an unfinished reference */
        put(n, O2(n), '&');
        for (size_t i = 0; i < n->ent_len; i++)
            put(n, O2(n), hn_lower((uint8_t)n->ent[i]));
    }
    if (n->data)
        h->damaged = 1;
    js_take(n, n->p);
    js_flush(n);
    st = n->st;
out:
    if (n) {
        outbuf_free(&n->js_src);
        free(n->s);
    }
    free(n);
    return st;
}

void htmlnorm_free(struct htmlnorm *h)
{
    outbuf_free(&h->nocomment);
    outbuf_free(&h->notags);
    outbuf_free(&h->js);
    for (size_t i = 0; i < h->ndata; i++) {
        outbuf_free(&h->data[i].type);
        outbuf_free(&h->data[i].data);
    }
    h->ndata = 0;
}
