/* pdflex.c - PDF tokens (ISO 32000-1 section 7.2 lexical conventions,
 * 7.3 objects) and top-level dictionary lookups for the PDF walker.
 * Limits: every read within the caller's buffer; each call makes one pass
 * over the bytes it is given, nesting counted (never recursed). */
#include "unpack/pdf.h"

#include <string.h>

static int is_space(uint8_t c)
{
    return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static int is_delim(uint8_t c)
{
    return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' ||
           c == '{' || c == '}' || c == '/' || c == '%';
}

static size_t skip_space(const uint8_t *b, size_t len, size_t i)
{
    while (i < len) {
        if (b[i] == '%') {
            while (i < len && b[i] != '\r' && b[i] != '\n')
                i++;
        } else if (is_space(b[i])) {
            i++;
        } else {
            break;
        }
    }
    return i;
}

/* The end of a literal string opened at b[i] == '(' (just past the ')'). */
static size_t literal_end(const uint8_t *b, size_t len, size_t i)
{
    size_t depth = 0;

    for (; i < len; i++) {
        if (b[i] == '\\')
            i++;
        else if (b[i] == '(')
            depth++;
        else if (b[i] == ')' && --depth == 0)
            return i + 1;
    }
    return len;
}

static size_t word_end(const uint8_t *b, size_t len, size_t i)
{
    while (i < len && !is_space(b[i]) && !is_delim(b[i]))
        i++;
    return i;
}

static void set(struct pdf_token *tk, enum pdf_tok t, const uint8_t *p, size_t n,
                size_t end)
{
    tk->t = t;
    tk->p = p;
    tk->n = n;
    tk->end = end;
}

void pdflex_next(const uint8_t *b, size_t len, size_t pos, struct pdf_token *tk)
{
    size_t i = skip_space(b, len, pos), e;
    uint8_t c;

    if (i >= len) {
        set(tk, PDF_T_END, b + len, 0, len);
        return;
    }
    c = b[i];
    if (c == '(') {
        e = literal_end(b, len, i);
        set(tk, PDF_T_STR, b + i + 1, (e > i + 1 && b[e - 1] == ')' ? e - 1 : e) - i - 1,
            e);
    } else if (c == '<' && i + 1 < len && b[i + 1] == '<') {
        set(tk, PDF_T_DICT, b + i, 2, i + 2);
    } else if (c == '<') {
        const uint8_t *gt = memchr(b + i + 1, '>', len - i - 1);
        e = gt ? (size_t)(gt - b) : len;
        set(tk, PDF_T_HEX, b + i + 1, e - i - 1, e < len ? e + 1 : len);
    } else if (c == '>' && i + 1 < len && b[i + 1] == '>') {
        set(tk, PDF_T_DICTEND, b + i, 2, i + 2);
    } else if (c == '[' || c == ']') {
        set(tk, c == '[' ? PDF_T_ARR : PDF_T_ARREND, b + i, 1, i + 1);
    } else if (c == '/') {
        e = word_end(b, len, i + 1);
        set(tk, PDF_T_NAME, b + i + 1, e - i - 1, e);
    } else if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
        e = word_end(b, len, i + 1);
        set(tk, PDF_T_NUM, b + i, e - i, e);
    } else if (is_delim(c)) { /* a stray ')', '>', '{' or '}' */
        set(tk, PDF_T_WORD, b + i, 1, i + 1);
    } else {
        e = word_end(b, len, i);
        set(tk, PDF_T_WORD, b + i, e - i, e);
    }
}

static int64_t parse_int(const uint8_t *p, size_t n)
{
    int64_t v = 0;
    size_t i = 0;
    int neg = 0;

    if (i < n && (p[i] == '+' || p[i] == '-'))
        neg = p[i++] == '-';
    for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
        if (v < INT64_MAX / 16)
            v = v * 10 + (p[i] - '0');
    return neg ? -v : v;
}

static int is_uint(const struct pdf_token *tk)
{
    if (tk->t != PDF_T_NUM || tk->n == 0)
        return 0;
    for (size_t i = 0; i < tk->n; i++)
        if (tk->p[i] < '0' || tk->p[i] > '9')
            return 0;
    return 1;
}

/* Reads the complete value at or after b[pos]; returns the offset after it. */
static size_t value_at(const uint8_t *b, size_t len, size_t pos, struct pdf_val *v)
{
    struct pdf_token tk, t2, t3;
    size_t depth, start;

    pdflex_next(b, len, pos, &tk);
    memset(v, 0, sizeof *v);
    v->t = tk.t;
    v->p = tk.p;
    v->n = tk.n;
    if (tk.t == PDF_T_DICT || tk.t == PDF_T_ARR) {
        start = (size_t)(tk.p - b);
        depth = 1;
        while (depth > 0 && depth <= PDFLEX_MAX_NEST) {
            pdflex_next(b, len, tk.end, &tk);
            if (tk.t == PDF_T_END)
                break;
            if (tk.t == PDF_T_DICT || tk.t == PDF_T_ARR)
                depth++;
            else if (tk.t == PDF_T_DICTEND || tk.t == PDF_T_ARREND)
                depth--;
        }
        v->n = tk.end - start;
        return tk.end;
    }
    if (is_uint(&tk)) {
        pdflex_next(b, len, tk.end, &t2);
        if (is_uint(&t2)) {
            pdflex_next(b, len, t2.end, &t3);
            if (t3.t == PDF_T_WORD && t3.n == 1 && t3.p[0] == 'R') {
                v->ref = 1;
                v->num = parse_int(tk.p, tk.n);
                v->gen = (uint32_t)parse_int(t2.p, t2.n);
                v->t = PDF_T_WORD;
                return t3.end;
            }
        }
    }
    return tk.end;
}

int pdflex_dict_get(const uint8_t *b, size_t len, const char *key, struct pdf_val *v)
{
    struct pdf_token tk;
    size_t klen = strlen(key), pos;

    pdflex_next(b, len, 0, &tk);
    if (tk.t != PDF_T_DICT)
        return 0;
    pos = tk.end;
    for (;;) {
        pdflex_next(b, len, pos, &tk);
        if (tk.t == PDF_T_END || tk.t == PDF_T_DICTEND)
            return 0;
        if (tk.t != PDF_T_NAME) { /* not a key: skip this value */
            pos = value_at(b, len, pos, v);
            continue;
        }
        pos = value_at(b, len, tk.end, v);
        if (v->t == PDF_T_END || v->t == PDF_T_DICTEND)
            return 0;
        if (tk.n == klen && memcmp(tk.p, key, klen) == 0)
            return 1;
    }
}

int pdflex_array_get(const struct pdf_val *a, size_t i, struct pdf_val *v)
{
    struct pdf_token tk;
    size_t pos;

    if (a->t != PDF_T_ARR) {
        if (i != 0 || a->t == PDF_T_END)
            return 0;
        *v = *a;
        return 1;
    }
    pos = 1;
    for (size_t k = 0;; k++) {
        pdflex_next(a->p, a->n, pos, &tk);
        if (tk.t == PDF_T_END || tk.t == PDF_T_ARREND)
            return 0;
        pos = value_at(a->p, a->n, pos, v);
        if (k == i)
            return 1;
    }
}

int64_t pdflex_int(const struct pdf_val *v)
{
    return v->t == PDF_T_NUM ? parse_int(v->p, v->n) : 0;
}

int pdflex_name_is(const struct pdf_val *v, const char *name)
{
    size_t n = strlen(name);

    return v->t == PDF_T_NAME && v->n == n && memcmp(v->p, name, n) == 0;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static size_t hex_string(const uint8_t *p, size_t n, uint8_t *out, size_t cap)
{
    size_t o = 0;
    int hi = -1, d;

    for (size_t i = 0; i < n && o < cap; i++) {
        if ((d = hexval(p[i])) < 0)
            continue;
        if (hi < 0) {
            hi = d;
        } else {
            out[o++] = (uint8_t)(hi << 4 | d);
            hi = -1;
        }
    }
    if (hi >= 0 && o < cap)
        out[o++] = (uint8_t)(hi << 4);
    return o;
}

/* One escape after a backslash at p[i]; returns the index of its last byte. */
static size_t escape(const uint8_t *p, size_t n, size_t i, uint8_t *c, int *skip)
{
    static const char from[] = "nrtbf", to[] = "\n\r\t\b\f";
    const char *k;
    unsigned v = 0;
    size_t j;

    *skip = 0;
    if (p[i] >= '0' && p[i] <= '7') {
        for (j = i; j < n && j < i + 3 && p[j] >= '0' && p[j] <= '7'; j++)
            v = v * 8 + (p[j] - '0');
        *c = (uint8_t)v;
        return j - 1;
    }
    if (p[i] == '\r' || p[i] == '\n') { /* a line continuation */
        *skip = 1;
        return p[i] == '\r' && i + 1 < n && p[i + 1] == '\n' ? i + 1 : i;
    }
    k = strchr(from, p[i]);
    *c = k && p[i] ? (uint8_t)to[k - from] : p[i];
    return i;
}

size_t pdflex_string(const struct pdf_val *v, uint8_t *out, size_t cap)
{
    size_t o = 0;
    uint8_t c;
    int skip;

    if (v->t == PDF_T_HEX)
        return hex_string(v->p, v->n, out, cap);
    if (v->t != PDF_T_STR)
        return 0;
    for (size_t i = 0; i < v->n && o < cap; i++) {
        c = v->p[i];
        if (c == '\\' && i + 1 < v->n) {
            i = escape(v->p, v->n, i + 1, &c, &skip);
            if (skip)
                continue;
        }
        out[o++] = c;
    }
    return o;
}
