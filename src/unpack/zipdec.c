/* zipdec.c - the two zip compression methods no Debian library decodes:
 * Deflate64 (method 9) and implode (method 6). libarchive, zlib and
 * libzip all refuse them, and clamscan decodes both (clam.d64.zip and
 * clam.impl.zip of clamav-testfiles), so vigil has its own, small and
 * strict, decoders.
 *
 * Deflate64: RFC 1951 with a 64 KiB window, length code 285 meaning 3 plus
 * 16 extra bits, and distance codes 30 and 31 (32769 and 49153, 14 extra
 * bits each); PKWARE APPNOTE 6.3.10, section 4.4.5 (method 9).
 * Implode: APPNOTE section 5.3 ("Imploding"): Shannon-Fano coded literals
 * (optional), lengths and distances, a 4 or 8 KiB dictionary; the trees are
 * sent as run-length coded bit lengths, and their codes are the canonical
 * codes of those lengths with every bit inverted, so one canonical decoder
 * serves both methods.
 *
 * Both decode into a caller's buffer of out_len bytes (the member's size
 * cut to the scan layer's budget) and stop there; a distance before the
 * start of the output is corrupt for Deflate64 and reads zeros for
 * implode, as PKWARE's and Info-ZIP's explode do. Every input read is
 * bounds-checked by the bit reader; every loop ends with the input or
 * the output. */
#include "unpack/zipdec.h"

#include <string.h>

#define MAXBITS 16 /* implode's longest code; Deflate64's is 15 */

struct bits {
    const uint8_t *in;
    size_t len, pos;
    uint64_t buf;
    unsigned cnt;
    int over; /* read past the end of the input */
};

/* Returns the next n (0..24) bits, first bit lowest. Past the end of the
 * input it returns zeros and sets over. */
static uint32_t need(struct bits *b, unsigned n)
{
    uint32_t v;

    while (b->cnt < n) {
        if (b->pos < b->len)
            b->buf |= (uint64_t)b->in[b->pos++] << b->cnt;
        else
            b->over = 1;
        b->cnt += 8;
    }
    v = (uint32_t)(b->buf & ((1u << n) - 1));
    b->buf >>= n;
    b->cnt -= n;
    return v;
}

/* A canonical code: how many codes of each length, and the symbols in
 * code order. */
struct huff {
    uint16_t count[MAXBITS + 1];
    uint16_t sym[320];
};

/* Builds h from lengths[0..n). Returns 0, or -1 for an over-subscribed
 * set (an incomplete one is kept: decoding fails if an unused code
 * comes). */
static int huff_build(struct huff *h, const uint8_t *lengths, unsigned n)
{
    uint16_t offs[MAXBITS + 1];
    int left = 1;

    memset(h->count, 0, sizeof h->count);
    for (unsigned i = 0; i < n; i++)
        h->count[lengths[i]]++;
    if (h->count[0] == n)
        return 0; /* no codes: any use fails */
    for (unsigned len = 1; len <= MAXBITS; len++) {
        left = 2 * left - h->count[len];
        if (left < 0)
            return -1;
    }
    offs[1] = 0;
    for (unsigned len = 1; len < MAXBITS; len++)
        offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
    for (unsigned i = 0; i < n; i++)
        if (lengths[i])
            h->sym[offs[lengths[i]]++] = (uint16_t)i;
    return 0;
}

/* Decodes one symbol; inv inverts every bit read (implode). Returns the
 * symbol or -1. */
static int huff_decode(struct bits *b, const struct huff *h, unsigned inv)
{
    int code = 0, first = 0, index = 0;

    for (unsigned len = 1; len <= MAXBITS; len++) {
        int count = h->count[len];
        code |= (int)(need(b, 1) ^ inv);
        if (code - count < first)
            return h->sym[index + (code - first)];
        index += count;
        first = (first + count) << 1;
        code <<= 1;
    }
    return -1;
}

/* ---- Deflate64 ---- */

static const uint16_t d64_lbase[29] = {3,  4,  5,  6,  7,  8,  9,  10,  11,  13,
                                       15, 17, 19, 23, 27, 31, 35, 43,  51,  59,
                                       67, 83, 99, 115, 131, 163, 195, 227, 3};
static const uint8_t d64_lext[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                     2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 16};
static const uint16_t d64_dbase[32] = {
    1,    2,    3,    4,    5,    7,     9,     13,    17,    25,    33,
    49,   65,   97,   129,  193,  257,   385,   513,   769,   1025,  1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577, 32769, 49153};
static const uint8_t d64_dext[32] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,  6,
                                     7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14};

struct out {
    uint8_t *p;
    size_t len, cap;
};

/* Returns 1 when the output is full. */
static int put(struct out *o, uint8_t c)
{
    if (o->len == o->cap)
        return 1;
    o->p[o->len++] = c;
    return 0;
}

/* 0: block done; 1: output full; -1: corrupt. */
static int d64_codes(struct bits *b, struct out *o, const struct huff *lit,
                     const struct huff *dist)
{
    for (;;) {
        int sym = huff_decode(b, lit, 0);
        size_t len, d;
        if (sym < 0 || b->over)
            return -1;
        if (sym < 256) {
            if (put(o, (uint8_t)sym))
                return 1;
            continue;
        }
        if (sym == 256)
            return 0;
        sym -= 257;
        if (sym >= 29)
            return -1;
        len = d64_lbase[sym] + need(b, d64_lext[sym]);
        sym = huff_decode(b, dist, 0);
        if (sym < 0 || sym >= 32 || b->over)
            return -1;
        d = d64_dbase[sym] + need(b, d64_dext[sym]);
        if (d > o->len)
            return -1;
        while (len--)
            if (put(o, o->p[o->len - d]))
                return 1;
    }
}

static int d64_stored(struct bits *b, struct out *o)
{
    unsigned len, nlen;

    b->buf = 0; /* to a byte boundary: whole bytes stay in the reader */
    b->pos -= b->cnt / 8;
    b->cnt = 0;
    if (b->len - b->pos < 4)
        return -1;
    len = b->in[b->pos] | (unsigned)b->in[b->pos + 1] << 8;
    nlen = b->in[b->pos + 2] | (unsigned)b->in[b->pos + 3] << 8;
    b->pos += 4;
    if (len != (~nlen & 0xFFFF))
        return -1;
    if (b->len - b->pos < len)
        return -1;
    for (unsigned i = 0; i < len; i++)
        if (put(o, b->in[b->pos + i]))
            return 1;
    b->pos += len;
    return 0;
}

static int d64_fixed(struct bits *b, struct out *o)
{
    uint8_t l[288];
    struct huff hl, hd;
    unsigned i;

    for (i = 0; i < 144; i++)
        l[i] = 8;
    for (; i < 256; i++)
        l[i] = 9;
    for (; i < 280; i++)
        l[i] = 7;
    for (; i < 288; i++)
        l[i] = 8;
    (void)huff_build(&hl, l, 288); /* complete sets: cannot fail */
    for (i = 0; i < 32; i++)
        l[i] = 5;
    (void)huff_build(&hd, l, 32);
    return d64_codes(b, o, &hl, &hd);
}

static int d64_dynamic(struct bits *b, struct out *o)
{
    static const uint8_t order[19] = {16, 17, 18, 0, 8, 7, 9,  6, 10, 5,
                                      11, 4,  12, 3, 13, 2, 14, 1, 15};
    uint8_t lengths[320] = {0};
    unsigned nlen = need(b, 5) + 257, ndist = need(b, 5) + 1, ncode = need(b, 4) + 4;
    struct huff hc, hl, hd;
    unsigned i = 0;

    if (nlen > 288 || ndist > 32)
        return -1;
    for (unsigned k = 0; k < ncode; k++)
        lengths[order[k]] = (uint8_t)need(b, 3);
    if (huff_build(&hc, lengths, 19) < 0)
        return -1;
    memset(lengths, 0, sizeof lengths);
    while (i < nlen + ndist) {
        int sym = huff_decode(b, &hc, 0);
        unsigned rep, val = 0;
        if (sym < 0 || b->over)
            return -1;
        if (sym < 16) {
            lengths[i++] = (uint8_t)sym;
            continue;
        }
        if (sym == 16) {
            if (i == 0)
                return -1;
            val = lengths[i - 1];
            rep = 3 + need(b, 2);
        } else if (sym == 17) {
            rep = 3 + need(b, 3);
        } else {
            rep = 11 + need(b, 7);
        }
        if (i + rep > nlen + ndist)
            return -1;
        while (rep--)
            lengths[i++] = (uint8_t)val;
    }
    if (lengths[256] == 0)
        return -1; /* no end-of-block code */
    if (huff_build(&hl, lengths, nlen) < 0 || huff_build(&hd, lengths + nlen, ndist) < 0)
        return -1;
    return d64_codes(b, o, &hl, &hd);
}

int zipdec_inflate64(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len,
                     size_t *made)
{
    struct bits b = {in, in_len, 0, 0, 0, 0};
    struct out o = {out, 0, out_len};
    int last, rc = 0;

    do {
        last = (int)need(&b, 1);
        switch (need(&b, 2)) {
        case 0:
            rc = d64_stored(&b, &o);
            break;
        case 1:
            rc = d64_fixed(&b, &o);
            break;
        case 2:
            rc = d64_dynamic(&b, &o);
            break;
        default:
            rc = -1;
        }
        if (b.over)
            rc = -1;
    } while (rc == 0 && !last);
    *made = o.len;
    return rc < 0 ? -1 : 0;
}

/* ---- implode ---- */

/* Reads one Shannon-Fano tree of n codes: its run-length coded bit
 * lengths. Returns 0 or -1. */
static int sf_tree(struct bits *b, struct huff *h, unsigned n)
{
    uint8_t lengths[256];
    unsigned bytes = need(b, 8) + 1, i = 0;

    while (bytes--) {
        unsigned v = need(b, 8), len = (v & 0x0F) + 1, rep = (v >> 4) + 1;
        if (i + rep > n)
            return -1;
        while (rep--)
            lengths[i++] = (uint8_t)len;
    }
    if (i != n || b->over)
        return -1;
    return huff_build(h, lengths, n);
}

int zipdec_explode(const uint8_t *in, size_t in_len, unsigned flags, uint8_t *out,
                   size_t out_len, size_t *made)
{
    struct bits b = {in, in_len, 0, 0, 0, 0};
    struct out o = {out, 0, out_len};
    struct huff lit, len, dist;
    int has_lit = (flags & 4) != 0, rc = 0;
    unsigned dbits = (flags & 2) ? 7 : 6, minlen = has_lit ? 3 : 2;

    *made = 0;
    if ((has_lit && sf_tree(&b, &lit, 256) < 0) || sf_tree(&b, &len, 64) < 0 ||
        sf_tree(&b, &dist, 64) < 0)
        return -1;
    while (o.len < o.cap) {
        if (need(&b, 1)) {
            int c = has_lit ? huff_decode(&b, &lit, 1) : (int)need(&b, 8);
            if (c < 0 || b.over) {
                rc = -1;
                break;
            }
            put(&o, (uint8_t)c);
            continue;
        }
        size_t d = need(&b, dbits);
        int hi = huff_decode(&b, &dist, 1), l = huff_decode(&b, &len, 1);
        size_t n;
        if (hi < 0 || l < 0) {
            rc = -1;
            break;
        }
        d = ((size_t)hi << dbits | d) + 1;
        n = (size_t)l;
        if (n == 63)
            n += need(&b, 8);
        n += minlen;
        if (b.over) {
            rc = -1;
            break;
        }
        while (n-- && o.len < o.cap) /* before the output: zeros */
            put(&o, d > o.len ? 0 : o.p[o.len - d]);
    }
    *made = o.len;
    return rc;
}
