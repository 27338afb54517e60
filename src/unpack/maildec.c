/* maildec.c - decoders of mail's text encodings (see maildec.h).
 * Specs: RFC 2045 6.7 (quoted-printable) and 6.8 (base64); POSIX
 * uuencode (each line: a length character, then groups of 4 characters
 * (c - 0x20) & 0x3f making 3 bytes); RFC 1741 (BinHex 4.0).
 * Limits: every loop advances through its input once; output never past
 * out_cap. */
#include "unpack/maildec.h"

#include <string.h>

int maildec_b64digit(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

size_t maildec_base64(const uint8_t *in, size_t n, uint8_t *out, size_t out_cap)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;

    for (size_t i = 0; i < n && o < out_cap; i++) {
        int v = maildec_b64digit(in[i]);
        if (in[i] == '=')
            break;
        if (v < 0)
            continue;
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    return o;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

size_t maildec_qp(const uint8_t *in, size_t n, uint8_t *out, size_t out_cap)
{
    size_t o = 0, i = 0;

    while (i < n && o < out_cap) {
        uint8_t c = in[i];
        if (c == '=' && i + 1 < n && (in[i + 1] == '\n' || in[i + 1] == '\r')) {
            i += 2; /* soft line break */
            if (in[i - 1] == '\r' && i < n && in[i] == '\n')
                i++;
            continue;
        }
        if (c == '=' && i + 2 < n && hexval(in[i + 1]) >= 0 && hexval(in[i + 2]) >= 0) {
            out[o++] = (uint8_t)(hexval(in[i + 1]) << 4 | hexval(in[i + 2]));
            i += 3;
            continue;
        }
        if (c == '\r' && i + 1 < n && in[i + 1] == '\n') {
            i++;
            continue; /* CRLF becomes LF */
        }
        out[o++] = c;
        i++;
    }
    return o;
}

int maildec_uu_begin(const uint8_t *line, size_t n)
{
    size_t i = 6, digits = 0;

    if (n < 8 || memcmp(line, "begin ", 6) != 0)
        return 0;
    while (i < n && line[i] >= '0' && line[i] <= '7') {
        i++;
        digits++;
    }
    return digits > 0 && digits <= 4 && i < n && line[i] == ' ';
}

/* The length of the line at in[0..n), without its line end. */
static size_t line_len(const uint8_t *in, size_t n, size_t *next)
{
    const uint8_t *nl = memchr(in, '\n', n);
    size_t len = nl ? (size_t)(nl - in) : n;

    *next = nl ? len + 1 : n;
    if (len && in[len - 1] == '\r')
        len--;
    return len;
}

#define UU(c) (((c)-0x20) & 0x3f)

size_t maildec_uu(const uint8_t *in, size_t n, uint8_t *out, size_t out_cap, size_t *used,
                  int *damaged)
{
    size_t pos = 0, o = 0;

    *damaged = 0;
    while (pos < n) {
        size_t next, len = line_len(in + pos, n - pos, &next);
        const uint8_t *l = in + pos;
        size_t want, k;

        pos += next;
        if (len >= 3 && memcmp(l, "end", 3) == 0) {
            *used = pos;
            return o;
        }
        if (len == 0)
            continue;
        want = UU(l[0]);
        if (want == 0)
            continue; /* the "`" or " " line before "end" */
        if ((len - 1) * 3 / 4 < want) {
            *damaged = 1;
            want = (len - 1) * 3 / 4;
        }
        for (k = 0; k < want && o < out_cap; k++) {
            size_t g = 1 + k / 3 * 4;
            uint32_t v = (uint32_t)UU(l[g]) << 18 | (uint32_t)UU(l[g + 1]) << 12 |
                         (uint32_t)(g + 2 < len ? UU(l[g + 2]) : 0) << 6 |
                         (uint32_t)(g + 3 < len ? UU(l[g + 3]) : 0);
            out[o++] = (uint8_t)(v >> (16 - 8 * (k % 3)));
        }
        if (o == out_cap)
            break;
    }
    *used = pos;
    *damaged = 1; /* no "end" line */
    return o;
}

static const char binhex_alphabet[] =
    "!\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr";

static int binhex_val(uint8_t c)
{
    const char *p = c ? strchr(binhex_alphabet, c) : NULL;

    return p ? (int)(p - binhex_alphabet) : -1;
}

size_t maildec_binhex(const uint8_t *in, size_t n, uint8_t *out, size_t out_cap,
                      int *damaged, int *cut)
{
    uint32_t acc = 0;
    int bits = 0, rle = 0, have_last = 0;
    uint8_t last = 0;
    size_t o = 0;

    *damaged = 1;
    *cut = 0;
    for (size_t i = 0; i < n; i++) {
        int v;
        uint8_t b;
        if (in[i] == ':') {
            *damaged = 0;
            break;
        }
        if (in[i] == '\n' || in[i] == '\r' || in[i] == ' ' || in[i] == '\t')
            continue;
        if ((v = binhex_val(in[i])) < 0)
            break;
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits < 8)
            continue;
        bits -= 8;
        b = (uint8_t)(acc >> bits);
        if (rle) { /* the count after 0x90: 0 is a literal 0x90 */
            rle = 0;
            if (b == 0) {
                last = 0x90;
                have_last = 1;
                b = 0x90;
            } else {
                for (unsigned k = 1; k < b && have_last; k++) {
                    if (o == out_cap) {
                        *cut = 1;
                        return o;
                    }
                    if (out)
                        out[o] = last;
                    o++;
                }
                continue;
            }
        } else if (b == 0x90) {
            rle = 1;
            continue;
        }
        if (o == out_cap) {
            *cut = 1;
            return o;
        }
        if (out)
            out[o] = b;
        o++;
        last = b;
        have_last = 1;
    }
    return o;
}
