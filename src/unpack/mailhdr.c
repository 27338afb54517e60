/* mailhdr.c - header fields and parameters of mail (see mailhdr.h).
 * Specs: RFC 5322 section 2.2 (fields, folding), RFC 2045 section 5.1
 * (Content-Type parameters), RFC 2231 sections 3-4 (continuations,
 * charset and %XX encoding).
 * Limits: MAILHDR_MAX bytes kept per field; parameters parsed within the
 * kept bytes; at most MAILHDR_SEGS continuation segments. */
#include "unpack/mailhdr.h"

#include <string.h>

#include "unpack/maildec.h"

#define MAILHDR_SEGS 32

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

int mailhdr_prefix(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (lower((unsigned char)*s) != lower((unsigned char)*prefix))
            return 0;
    return 1;
}

size_t mailhdr_line(const uint8_t *b, size_t pos, size_t end, size_t *next)
{
    const uint8_t *nl = memchr(b + pos, '\n', end - pos);
    size_t len = nl ? (size_t)(nl - (b + pos)) : end - pos;

    *next = nl ? pos + len + 1 : end;
    if (len && b[pos + len - 1] == '\r')
        len--;
    return len;
}

/* Appends l[0..n) to the field f (of capacity cap, *have bytes used),
 * cutting at cap. */
static void field_add(char *f, size_t cap, size_t *have, const uint8_t *l, size_t n)
{
    if (*have + 1 >= cap)
        return;
    if (n > cap - 1 - *have)
        n = cap - 1 - *have;
    for (size_t i = 0; i < n; i++)
        f[*have + i] = l[i] ? (char)l[i] : ' ';
    *have += n;
    f[*have] = '\0';
}

/* The field name of line l[0..colon) without comments and blanks,
 * lowercased, into out. */
static void field_name(const uint8_t *l, size_t colon, char *out, size_t cap)
{
    size_t o = 0;
    int depth = 0;

    for (size_t i = 0; i < colon && o + 1 < cap; i++) {
        if (l[i] == '(' && depth < 1000)
            depth++;
        else if (l[i] == ')' && depth)
            depth--;
        else if (!depth && l[i] != ' ' && l[i] != '\t')
            out[o++] = (char)lower(l[i]);
    }
    out[o] = '\0';
}

/* Remembers the Content-Type read so far when it names a multipart: a
 * later duplicate Content-Type must not hide the parts. */
static void keep_multipart(struct mailhdr *h)
{
    char type[16];

    mailhdr_type(h->ctype, type, sizeof type);
    if (mailhdr_prefix(type, "multipart/"))
        memcpy(h->multipart, h->ctype, sizeof h->multipart);
}

void mailhdr_parse(const uint8_t *b, size_t start, size_t end, struct mailhdr *h)
{
    size_t pos = start, next, len;
    char name[64];
    char *cur = NULL;
    size_t curcap = 0, curlen = 0;

    h->ctype[0] = h->multipart[0] = h->disp[0] = h->cte[0] = '\0';
    len = pos < end ? mailhdr_line(b, pos, end, &next) : 0;
    if (len >= 5 &&
        (memcmp(b + pos, "From ", 5) == 0 || memcmp(b + pos, ">From", 5) == 0))
        pos = next;
    while (pos < end) {
        const uint8_t *l = b + pos;
        const uint8_t *colon;
        len = mailhdr_line(b, pos, end, &next);
        if (len == 0) {
            pos = next;
            break;
        }
        if (l[0] == ' ' || l[0] == '\t') {
            if (cur)
                field_add(cur, curcap, &curlen, l, len);
            pos = next;
            continue;
        }
        if (!(colon = memchr(l, ':', len)))
            break; /* not a field: the body starts here */
        pos = next;
        field_name(l, (size_t)(colon - l), name, sizeof name);
        cur = NULL;
        if (strcmp(name, "content-type") == 0)
            cur = h->ctype, curcap = sizeof h->ctype;
        else if (strcmp(name, "content-disposition") == 0)
            cur = h->disp, curcap = sizeof h->disp;
        else if (strcmp(name, "content-transfer-encoding") == 0)
            cur = h->cte, curcap = sizeof h->cte;
        if (!cur)
            continue;
        keep_multipart(h);
        cur[0] = '\0'; /* a repeated field: the last one counts */
        curlen = 0;
        colon++;
        field_add(cur, curcap, &curlen, colon, len - (size_t)(colon - l));
    }
    keep_multipart(h);
    h->body = pos;
}

void mailhdr_type(const char *value, char *out, size_t cap)
{
    size_t o = 0;

    while (*value == ' ' || *value == '\t')
        value++;
    for (; *value && *value != ';' && *value != ' ' && *value != '\t' && o + 1 < cap;
         value++)
        if (*value != '"')
            out[o++] = (char)lower((unsigned char)*value);
    out[o] = '\0';
}

static int hexv(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Appends v[0..n) to out (*o bytes used of cap), %XX-decoded when enc. */
static void put_value(char *out, size_t cap, size_t *o, const char *v, size_t n, int enc)
{
    for (size_t i = 0; i < n && *o + 1 < cap; i++) {
        if (enc && v[i] == '%' && n - i >= 3 && hexv((unsigned char)v[i + 1]) >= 0 &&
            hexv((unsigned char)v[i + 2]) >= 0) {
            out[(*o)++] = (char)(hexv((unsigned char)v[i + 1]) << 4 |
                                 hexv((unsigned char)v[i + 2]));
            i += 2;
        } else {
            out[(*o)++] = v[i];
        }
    }
    out[*o] = '\0';
}

/* One parameter as found in a field value. */
struct param {
    const char *attr, *val;
    size_t alen, vlen;
    int quoted;
};

/* Reads the parameter at *p (after a ';'); returns 0 at the end. */
static int next_param(const char **p, struct param *pm)
{
    const char *s = *p;

    while (*s && (*s == ';' || *s == ' ' || *s == '\t'))
        s++;
    if (!*s)
        return 0;
    pm->attr = s;
    while (*s && *s != '=' && *s != ';' && *s != ' ' && *s != '\t')
        s++;
    pm->alen = (size_t)(s - pm->attr);
    while (*s == ' ' || *s == '\t')
        s++;
    pm->val = s;
    pm->vlen = 0;
    pm->quoted = 0;
    if (*s == '=') {
        s++;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '"') {
            pm->quoted = 1;
            pm->val = ++s;
            while (*s && *s != '"')
                s += (*s == '\\' && s[1]) ? 2 : 1;
            pm->vlen = (size_t)(s - pm->val);
            if (*s == '"')
                s++;
        } else {
            pm->val = s;
            while (*s && *s != ';' && *s != ' ' && *s != '\t')
                s++;
            pm->vlen = (size_t)(s - pm->val);
        }
    }
    while (*s && *s != ';') /* anything else up to the next parameter */
        s++;
    *p = s;
    return 1;
}

/* Copies a quoted string's content without its backslashes. */
static void put_quoted(char *out, size_t cap, size_t *o, const char *v, size_t n)
{
    for (size_t i = 0; i < n && *o + 1 < cap; i++) {
        if (v[i] == '\\' && i + 1 < n)
            i++;
        out[(*o)++] = v[i];
    }
    out[*o] = '\0';
}

/* Skips the charset'language' prefix of an RFC 2231 extended value. */
static void skip_charset(const char **v, size_t *n)
{
    const char *q1 = memchr(*v, '\'', *n), *q2;

    if (!q1 || !(q2 = memchr(q1 + 1, '\'', *n - (size_t)(q1 + 1 - *v))))
        return;
    *n -= (size_t)(q2 + 1 - *v);
    *v = q2 + 1;
}

int mailhdr_param(const char *value, const char *key, char *out, size_t cap)
{
    const char *p = strchr(value, ';');
    size_t klen = strlen(key), o = 0;
    struct param seg[MAILHDR_SEGS], plain = {0}, ext = {0};
    int have_plain = 0, have_ext = 0, nseg = 0;
    struct param pm;

    if (cap == 0)
        return 0;
    out[0] = '\0';
    memset(seg, 0, sizeof seg);
    while (p && next_param(&p, &pm)) {
        const char *a;
        size_t rest;
        unsigned idx = 0;
        if (pm.alen < klen || !mailhdr_prefix(pm.attr, key))
            continue;
        a = pm.attr + klen;
        rest = pm.alen - klen;
        if (rest == 0) {
            if (!have_plain)
                plain = pm, have_plain = 1;
        } else if (rest == 1 && a[0] == '*') {
            ext = pm, have_ext = 1;
        } else if (a[0] == '*' && a[1] >= '0' && a[1] <= '9') {
            size_t k = 1;
            while (k < rest && a[k] >= '0' && a[k] <= '9' && idx < 1000)
                idx = idx * 10 + (unsigned)(a[k++] - '0');
            if (idx < MAILHDR_SEGS && (k == rest || (k + 1 == rest && a[k] == '*'))) {
                seg[idx] = pm;
                nseg = nseg > (int)idx + 1 ? nseg : (int)idx + 1;
            }
        }
    }
    if (have_ext) {
        const char *v = ext.val;
        size_t n = ext.vlen;
        skip_charset(&v, &n);
        put_value(out, cap, &o, v, n, 1);
        return 1;
    }
    if (nseg && seg[0].attr) {
        for (int i = 0; i < nseg && seg[i].attr; i++) {
            const char *v = seg[i].val;
            size_t n = seg[i].vlen;
            int enc = seg[i].attr[seg[i].alen - 1] == '*';
            if (enc && i == 0)
                skip_charset(&v, &n);
            if (seg[i].quoted && !enc)
                put_quoted(out, cap, &o, v, n);
            else
                put_value(out, cap, &o, v, n, enc);
        }
        return 1;
    }
    if (!have_plain)
        return 0;
    if (plain.quoted)
        put_quoted(out, cap, &o, plain.val, plain.vlen);
    else
        put_value(out, cap, &o, plain.val, plain.vlen, 0);
    return 1;
}

/* Decodes the encoded word at s ("=?cs?E?text?="), writing to out; returns
 * the length of the word read (0 if s starts no valid word) and sets *made. */
static size_t word(const char *s, char *out, size_t *made)
{
    const char *cs = s + 2, *enc, *text, *end;
    size_t n, o = 0;

    if (s[0] != '=' || s[1] != '?' || !(enc = strchr(cs, '?')) || !enc[1] ||
        enc[2] != '?')
        return 0;
    text = enc + 3;
    if (!(end = strstr(text, "?=")))
        return 0;
    n = (size_t)(end - text);
    if (enc[1] == 'B' || enc[1] == 'b') {
        o = maildec_base64((const uint8_t *)text, n, (uint8_t *)out, n);
    } else if (enc[1] == 'Q' || enc[1] == 'q') {
        for (size_t i = 0; i < n; i++) {
            if (text[i] == '_') {
                out[o++] = ' ';
            } else if (text[i] == '=' && n - i >= 3 &&
                       hexv((unsigned char)text[i + 1]) >= 0 &&
                       hexv((unsigned char)text[i + 2]) >= 0) {
                out[o++] = (char)(hexv((unsigned char)text[i + 1]) << 4 |
                                  hexv((unsigned char)text[i + 2]));
                i += 2;
            } else {
                out[o++] = text[i];
            }
        }
    } else {
        return 0;
    }
    *made = o;
    return (size_t)(end + 2 - s);
}

void mailhdr_words(char *s)
{
    char *w = s;

    /* Written behind what is read: a word of n bytes makes fewer than n.
     * Blanks between two words stay, as clamscan keeps them (measured). */
    while (*s) {
        size_t made, len;
        if (s[0] == '=' && s[1] == '?' && (len = word(s, w, &made)) != 0) {
            w += made;
            s += len;
            continue;
        }
        *w++ = *s++;
    }
    *w = '\0';
}
