/* bcomp.c - byte-compare subsignatures: parsing and the comparison.
 *
 * Spec: ClamAV manual "Byte Compare Subsignatures" and matcher-byte-comp.c
 * (cli_bcomp_addpatt, cli_bcomp_compare_check), measured against clamscan
 * 1.4.6. The format is Ref(Offset#Options#Comparisons):
 *   Offset       >>N or <<N bytes after/before the start of Ref's last
 *                match (strtol base 0), or 0 / empty;
 *   Options      h (hex text), d (decimal text, big endian implied), a (hex
 *                if it starts 0x, else decimal), i (binary integer); l or b
 *                (endianness); e (exact length); then the byte count
 *                (1-8 dividing 8 for i, at most 18 for h);
 *   Comparisons  one or two of <V >V =V separated by a comma (strtoll
 *                base 0).
 * The comparison reproduces ClamAV's reading of text numbers, including its
 * quirks: leading blanks are skipped (and fail "e"), text without digits
 * reads as 0, "h" without "l" or "b" and "a" that resolves to decimal
 * little endian never match, little-endian hex swaps byte pairs, and the
 * read must start after offset 0 (ClamAV requires offset > 0).
 * Limits: at most 18 bytes read as text, 8 as binary. */
#include "match/bcomp.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define BCOMP_MAX_BIN 8
#define BCOMP_MAX_HEX 18
/* Longest little-endian text read ("a" has no limit in ClamAV; beyond this
 * vigil does not match, where ClamAV could only by leading zeros). */
#define BCOMP_MAX_LE 64

int bcomp_is(const char *s, size_t n)
{
    const char *h1 = memchr(s, '#', n), *h2 = NULL;

    for (size_t i = n; i > 0 && !h2; i--)
        if (s[i - 1] == '#')
            h2 = s + i - 1;
    return memchr(s, '(', n) && h1 && h1 != h2;
}

static int bc_space(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static int bc_digit(int c, int base)
{
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'z' ? c - 'a' + 10
            : c >= 'A' && c <= 'Z' ? c - 'A' + 10
                                   : 99;
    return d < base ? d : -1;
}

/* ClamAV's cli_strntol over s[0..n): blanks, a sign (after which no 0x
 * prefix is recognised), 0x for base 0/16, digits. *end is where the
 * digits stopped, or s when there were none; *ovf is set on overflow. */
static int64_t bc_strntol(const char *s, size_t n, int base, size_t *end, int *ovf)
{
    size_t i = 0;
    int neg = 0, any = 0, c;
    uint64_t acc = 0, cutoff;

    *ovf = 0;
    *end = 0;
    while (i < n && bc_space((unsigned char)s[i]))
        i++;
    if (i >= n)
        return 0;
    c = (unsigned char)s[i];
    if (c == '-' || c == '+') {
        neg = c == '-';
        if (++i >= n)
            return 0;
    } else if ((base == 0 || base == 16) && c == '0' && i + 1 < n &&
               (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        if (i + 2 >= n)
            return 0;
        c = s[i + 1];
        i += 2;
        base = 16;
    }
    if (base == 0)
        base = c == '0' ? 8 : 10;
    cutoff = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        int d = bc_digit((unsigned char)s[i], base);
        if (d < 0)
            break;
        if (any < 0 || acc > (cutoff - (uint64_t)d) / (uint64_t)base) {
            any = -1;
        } else {
            any = 1;
            acc = acc * (uint64_t)base + (uint64_t)d;
        }
    }
    *end = any ? i : 0;
    if (any < 0) {
        *ovf = 1;
        return neg ? INT64_MIN : INT64_MAX;
    }
    return neg ? (int64_t)(0 - acc) : (int64_t)acc;
}

/* libc's strtoll(base) over s[0..n), as ClamAV parses the fields (it calls
 * strtol/strtoll on NUL-terminated copies). *used is the count of characters
 * consumed. Returns -1 for a field too long to be a number. */
static int bc_libc(const char *s, size_t n, int base, long long *v, size_t *used)
{
    char tmp[64], *end;

    if (n >= sizeof tmp)
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    *v = strtoll(tmp, &end, base);
    *used = (size_t)(end - tmp);
    return 0;
}

/* The Offset field: >>N, <<N, or anything starting with 0, or empty. */
static const char *bc_offset(const char *s, size_t n, int64_t *out)
{
    long long v;
    size_t used;

    *out = 0;
    if (n == 0 || s[0] == '0')
        return NULL;
    if (n < 2 || (s[0] != '<' && s[0] != '>') || s[1] != s[0])
        return "byte compare: the offset must be >>N or <<N";
    if (bc_libc(s + 2, n - 2, 0, &v, &used) != 0 || used != n - 2)
        return "byte compare: invalid offset";
    *out = s[0] == '<' ? (int64_t)(0 - (uint64_t)v) : (int64_t)v;
    return NULL;
}

/* One option letter, refusing the combinations ClamAV refuses. */
static int bc_option(char c, uint16_t *o)
{
    switch (c) {
    case 'h':
        if (*o & (BCOMP_DEC | BCOMP_BIN | BCOMP_AUTO))
            return -1;
        *o |= BCOMP_HEX;
        return 0;
    case 'd':
        if (*o & (BCOMP_HEX | BCOMP_BIN | BCOMP_AUTO | BCOMP_LE))
            return -1;
        *o |= BCOMP_DEC | BCOMP_BE;
        return 0;
    case 'i':
        if (*o & (BCOMP_HEX | BCOMP_DEC | BCOMP_AUTO))
            return -1;
        *o |= BCOMP_BIN;
        return 0;
    case 'a':
        if (*o & (BCOMP_HEX | BCOMP_DEC | BCOMP_BIN))
            return -1;
        *o |= BCOMP_AUTO;
        return 0;
    case 'l':
        if (*o & (BCOMP_BE | BCOMP_DEC))
            return -1;
        *o |= BCOMP_LE;
        return 0;
    case 'b':
        if (*o & BCOMP_LE)
            return -1;
        *o |= BCOMP_BE;
        return 0;
    case 'e':
        *o |= BCOMP_EXACT;
        return 0;
    default:
        return -1;
    }
}

static const char *bc_options(const char *s, size_t n, struct bcomp *b)
{
    size_t i = 0, used;
    long long len;

    while (i < n && !(s[i] >= '0' && s[i] <= '9'))
        if (bc_option(s[i++], &b->opts) != 0)
            return "byte compare: invalid option";
    if (i == n)
        return "byte compare: invalid option";
    if (bc_libc(s + i, n - i, 0, &len, &used) != 0 || used != n - i || len <= 0 ||
        len > UINT32_MAX)
        return "byte compare: invalid byte count";
    if ((b->opts & BCOMP_BIN) && (len > BCOMP_MAX_BIN || BCOMP_MAX_BIN % len))
        return "byte compare: binary byte count must be 1, 2, 4 or 8";
    if ((b->opts & BCOMP_HEX) && len > BCOMP_MAX_HEX)
        return "byte compare: hex byte count must be at most 18";
    b->len = (uint32_t)len;
    return NULL;
}

static const char *bc_compare(const char *s, size_t n, struct bcomp *b, int k)
{
    long long v;
    size_t used;

    if (n == 0 || (s[0] != '<' && s[0] != '>' && s[0] != '='))
        return "byte compare: comparison must be <V, >V or =V";
    b->sym[k] = s[0];
    if (bc_libc(s + 1, n - 1, 0, &v, &used) != 0 || used != n - 1)
        return "byte compare: invalid comparison value";
    b->val[k] = (int64_t)v;
    return NULL;
}

static const char *bc_comparisons(const char *s, size_t n, struct bcomp *b)
{
    const char *c1 = memchr(s, ',', n), *bad;
    size_t a;

    if (!c1) {
        b->ncomp = 1;
        return bc_compare(s, n, b, 0);
    }
    a = (size_t)(c1 - s);
    if (memchr(c1 + 1, ',', n - a - 1))
        return "byte compare: too many comparisons";
    b->ncomp = 2;
    if ((bad = bc_compare(s, a, b, 0)) != NULL)
        return bad;
    return bc_compare(c1 + 1, n - a - 1, b, 1);
}

const char *bcomp_parse(const char *s, size_t n, struct bcomp *out)
{
    const char *open = memchr(s, '(', n), *close, *h1, *h2, *bad;
    size_t used;
    long long ref;

    memset(out, 0, sizeof *out);
    if (!open || bc_libc(s, (size_t)(open - s), 10, &ref, &used) != 0 ||
        s + used != open)
        return "byte compare: the reference must be a subsignature index";
    out->ref = (int16_t)ref;
    if (out->ref > 64)
        return "byte compare: reference past the last subsignature";
    close = memchr(open, ')', (size_t)(s + n - open));
    if (!close)
        return "byte compare: missing ')'";
    h1 = memchr(open + 1, '#', (size_t)(close - open - 1));
    h2 = h1 ? memchr(h1 + 1, '#', (size_t)(close - h1 - 1)) : NULL;
    if (!h2 || memchr(h2 + 1, '#', (size_t)(close - h2 - 1)))
        return "byte compare: want (Offset#Options#Comparisons)";
    if ((bad = bc_offset(open + 1, (size_t)(h1 - open - 1), &out->offset)) ||
        (bad = bc_options(h1 + 1, (size_t)(h2 - h1 - 1), out)) ||
        (bad = bc_comparisons(h2 + 1, (size_t)(close - h2 - 1), out)))
        return bad;
    return NULL;
}

/* Little-endian hex text: ClamAV's cli_bcomp_normalize_buffer, which swaps
 * the byte pairs of the text (padding odd lengths with a leading 0).
 * len <= BCOMP_MAX_LE; out holds len + 2 characters. */
static void bc_le_hex(const char *in, size_t len, char *out, size_t *outlen)
{
    char hex[BCOMP_MAX_LE + 2];
    size_t norm = len % 2 ? len + 1 : len;
    int x = len >= 3 && in[0] == '0' && (in[1] == 'x' || in[1] == 'X');

    memset(out, '0', norm + 1);
    memset(hex, '0', sizeof hex);
    *outlen = norm;
    if (len == 1) {
        out[0] = in[0];
        return;
    }
    if (norm != len)
        x ? memcpy(hex + 3, in + 2, len - 2) : memcpy(hex + 1, in, len);
    else
        memcpy(hex, in, len);
    if (x)
        hex[0] = 'x';
    for (size_t i = 0; i < norm; i += 2) {
        char a = hex[norm - i - 2], b = hex[norm - i - 1];
        if (!(bc_digit((unsigned char)a, 16) >= 0 || a == 'x' || a == 'X')) {
            memset(out, '0', norm + 1);
            continue;
        }
        out[i] = a;
        if (bc_digit((unsigned char)b, 16) >= 0 || b == 'x' || b == 'X')
            out[i + 1] = b;
        else
            memset(out, '0', norm + 1);
    }
}

/* Reads the value as text; returns 0 when ClamAV's read fails. */
static int bc_text(const struct bcomp *b, const uint8_t *p, int64_t *v)
{
    char txt[BCOMP_MAX_LE + 2];
    size_t pad = 0, len = b->len, n = 0, end;
    uint16_t o = b->opts;
    int ovf, exact = (o & BCOMP_EXACT) != 0;

    while (pad < len && bc_space(p[pad]))
        pad++;
    len -= pad;
    p += pad;
    if ((o & BCOMP_AUTO) && len >= 3)
        o = (uint16_t)((o ^ BCOMP_AUTO) |
                       (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') ? BCOMP_HEX
                                                                   : BCOMP_DEC));
    switch (o & 0xff) {
    case BCOMP_HEX | BCOMP_LE:
        if (len > BCOMP_MAX_LE)
            return 0; /* only "a" reaches here with more; see the header */
        bc_le_hex((const char *)p, len, txt, &n);
        *v = bc_strntol(txt, len == 1 ? 1 : n, 16, &end, &ovf);
        return !ovf && !(exact && (end != len || pad));
    case BCOMP_HEX | BCOMP_BE:
    case BCOMP_DEC | BCOMP_BE:
        *v = bc_strntol((const char *)p, len, (o & BCOMP_HEX) ? 16 : 10, &end, &ovf);
        return !ovf && !(exact && (end != len || pad));
    default:
        return 0;
    }
}

static int bc_binary(const struct bcomp *b, const uint8_t *p, int64_t *v)
{
    uint64_t x = 0;

    if ((b->opts & 0xff) != (BCOMP_BIN | BCOMP_LE) &&
        (b->opts & 0xff) != (BCOMP_BIN | BCOMP_BE))
        return 0;
    for (uint32_t i = 0; i < b->len; i++) {
        uint32_t k = (b->opts & BCOMP_LE) ? b->len - 1 - i : i;
        x = x << 8 | p[k];
    }
    *v = (int64_t)x;
    return 1;
}

int bcomp_check(const struct bcomp *b, const uint8_t *buf, size_t len, uint64_t base)
{
    /* ClamAV passes the base as an int and does the arithmetic signed. */
    int64_t at = (int64_t)(int32_t)(uint32_t)(base == UINT64_MAX ? 0 : base) + b->offset;
    int64_t v;

    if (at <= 0 || at > (int64_t)len || (uint64_t)at + b->len > len)
        return 0;
    if ((b->opts & BCOMP_BIN) ? !bc_binary(b, buf + at, &v) : !bc_text(b, buf + at, &v))
        return 0;
    for (int i = 0; i < b->ncomp; i++) {
        int ok = b->sym[i] == '>' ? v > b->val[i] : b->sym[i] == '<' ? v < b->val[i]
                                                                      : v == b->val[i];
        if (!ok)
            return 0;
    }
    return 1;
}
