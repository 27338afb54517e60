/* arjdec.c - ARJ's decompressors, written for vigil because no Debian
 * library reads ARJ (libarchive does not).
 * Spec: ARJ's public UNARJ 2.43 (R. Jung, 1990s) DECODE.C, which documents
 * both coders: methods 1-3 are LZ77 with a 26,624-byte window and
 * Huffman-coded literals/lengths (NC = 510 codes) and positions (NP = 17),
 * the code lengths themselves Huffman-coded (NT = 19), in blocks whose
 * size leads them; method 4 is LZ77 with unary-prefixed lengths and
 * positions (no Huffman). The decoding logic follows that description;
 * the code is vigil's own.
 * Limits: all input read through the bit reader, which yields zeros past
 * the end; every table index checked against its table; the output never
 * exceeds out_len; no allocation beyond one state struct. */
#include "unpack/arjdec.h"

#include <stdlib.h>
#include <string.h>

#define DICSIZ 26624
#define THRESHOLD 3
#define MAXMATCH 256
#define NC (255 + MAXMATCH + 2 - THRESHOLD)
#define NP 17
#define NT 19
#define NPT NT
#define CBIT 9
#define PBIT 5
#define TBIT 5
#define CTABLE_BITS 12
#define PTTABLE_BITS 8

struct arjd {
    const uint8_t *in;
    size_t in_len, in_pos;
    uint32_t bitbuf;    /* 16 bits wanted at the top */
    uint32_t sub;       /* the byte being shifted in */
    int bitcount;
    uint8_t *out;
    size_t out_len, made;
    int bad;
    uint16_t left[2 * NC - 1], right[2 * NC - 1];
    uint8_t c_len[NC], pt_len[NPT];
    uint16_t c_table[1 << CTABLE_BITS], pt_table[1 << PTTABLE_BITS];
    unsigned blocksize;
};

static void fillbuf(struct arjd *d, int n)
{
    d->bitbuf = (d->bitbuf << n) & 0xffff;
    while (n > d->bitcount) {
        n -= d->bitcount;
        d->bitbuf |= (d->sub << n) & 0xffff;
        d->sub = d->in_pos < d->in_len ? d->in[d->in_pos++] : 0;
        d->bitcount = 8;
    }
    d->bitcount -= n;
    d->bitbuf |= d->sub >> d->bitcount;
    d->sub &= (1u << d->bitcount) - 1;
}

static unsigned getbits(struct arjd *d, int n)
{
    unsigned x = d->bitbuf >> (16 - n);

    fillbuf(d, n);
    return x;
}

static void init_getbits(struct arjd *d)
{
    d->bitbuf = 0;
    d->sub = 0;
    d->bitcount = 0;
    fillbuf(d, 16);
}

/* Builds a lookup table of tablebits bits for nchar code lengths, with
 * the left/right tree for longer codes. Returns -1 on a bad table. */
static int make_table(struct arjd *d, int nchar, const uint8_t *bitlen, int tablebits,
                      uint16_t *table)
{
    uint16_t count[17] = {0}, weight[17], start[18];
    unsigned avail = (unsigned)nchar, jutbits = 16 - (unsigned)tablebits;

    for (int i = 0; i < nchar; i++)
        if (bitlen[i] > 16)
            return -1;
        else
            count[bitlen[i]]++;
    start[1] = 0;
    for (int i = 1; i <= 16; i++)
        start[i + 1] = (uint16_t)(start[i] + (count[i] << (16 - i)));
    if (start[17] != 0) /* 1 << 16 wrapped: the code is complete */
        return -1;
    for (int i = 1; i <= tablebits; i++) {
        start[i] >>= jutbits;
        weight[i] = (uint16_t)(1u << (tablebits - i));
    }
    for (int i = tablebits + 1; i <= 16; i++)
        weight[i] = (uint16_t)(1u << (16 - i));
    {
        unsigned i = start[tablebits + 1] >> jutbits;
        if (i != 0)
            for (unsigned k = 1u << tablebits; i != k; i++)
                table[i] = 0;
    }
    for (int ch = 0; ch < nchar; ch++) {
        unsigned len = bitlen[ch], nextcode, k;
        uint16_t *p;
        if (len == 0)
            continue;
        nextcode = start[len] + weight[len];
        if (len <= (unsigned)tablebits) {
            if (nextcode > (1u << tablebits))
                return -1;
            for (unsigned i = start[len]; i < nextcode; i++)
                table[i] = (uint16_t)ch;
        } else {
            k = start[len];
            if ((k >> jutbits) >= (1u << tablebits))
                return -1;
            p = &table[k >> jutbits];
            for (unsigned i = len - (unsigned)tablebits; i != 0; i--) {
                if (*p == 0) {
                    if (avail >= 2 * NC - 1)
                        return -1;
                    d->right[avail] = d->left[avail] = 0;
                    *p = (uint16_t)avail++;
                }
                if (*p >= 2 * NC - 1)
                    return -1;
                p = (k & (1u << 15 >> (tablebits))) ? &d->right[*p] : &d->left[*p];
                k <<= 1;
            }
            *p = (uint16_t)ch;
        }
        start[len] = (uint16_t)nextcode;
    }
    return 0;
}

/* Walks the tree below a table entry for a code longer than the table. */
static unsigned tree_walk(struct arjd *d, unsigned j, unsigned limit, unsigned mask)
{
    for (int n = 0; j >= limit && n < 16; n++) {
        if (j >= 2 * NC - 1) {
            d->bad = 1;
            return 0;
        }
        j = (d->bitbuf & mask) ? d->right[j] : d->left[j];
        mask >>= 1;
    }
    if (j >= limit)
        d->bad = 1;
    return j >= limit ? 0 : j;
}

static void read_pt_len(struct arjd *d, int nn, int nbit, int i_special)
{
    int n = (int)getbits(d, nbit), i = 0;

    if (n == 0) {
        unsigned c = getbits(d, nbit);
        memset(d->pt_len, 0, sizeof d->pt_len);
        for (i = 0; i < (1 << PTTABLE_BITS); i++)
            d->pt_table[i] = (uint16_t)c;
        if (c >= (unsigned)nn)
            d->bad = 1;
        return;
    }
    if (n > nn) {
        d->bad = 1;
        return;
    }
    while (i < n) {
        unsigned c = d->bitbuf >> 13;
        if (c == 7) {
            for (unsigned mask = 1u << 12; (mask & d->bitbuf) && c < 16; mask >>= 1)
                c++;
        }
        fillbuf(d, c < 7 ? 3 : (int)c - 3);
        d->pt_len[i++] = (uint8_t)c;
        if (i == i_special) {
            int z = (int)getbits(d, 2);
            while (--z >= 0 && i < nn)
                d->pt_len[i++] = 0;
        }
    }
    while (i < nn)
        d->pt_len[i++] = 0;
    if (make_table(d, nn, d->pt_len, PTTABLE_BITS, d->pt_table) != 0)
        d->bad = 1;
}

static void read_c_len(struct arjd *d)
{
    int n = (int)getbits(d, CBIT), i = 0;

    if (n == 0) {
        unsigned c = getbits(d, CBIT);
        memset(d->c_len, 0, sizeof d->c_len);
        for (i = 0; i < (1 << CTABLE_BITS); i++)
            d->c_table[i] = (uint16_t)c;
        if (c >= NC)
            d->bad = 1;
        return;
    }
    if (n > NC) {
        d->bad = 1;
        return;
    }
    while (i < n && !d->bad) {
        unsigned c = tree_walk(d, d->pt_table[d->bitbuf >> 8], NT, 1u << 7);
        int z;
        fillbuf(d, d->pt_len[c]);
        if (c > 2) {
            d->c_len[i++] = (uint8_t)(c - 2);
            continue;
        }
        z = c == 0 ? 1 : c == 1 ? (int)getbits(d, 4) + 3 : (int)getbits(d, CBIT) + 20;
        while (--z >= 0 && i < NC)
            d->c_len[i++] = 0;
    }
    while (i < NC)
        d->c_len[i++] = 0;
    if (make_table(d, NC, d->c_len, CTABLE_BITS, d->c_table) != 0)
        d->bad = 1;
}

static unsigned decode_c(struct arjd *d)
{
    unsigned j;

    if (d->blocksize == 0) {
        d->blocksize = getbits(d, 16);
        read_pt_len(d, NT, TBIT, 3);
        read_c_len(d);
        read_pt_len(d, NP, PBIT, -1);
        if (d->blocksize == 0)
            d->bad = 1;
    }
    d->blocksize--;
    j = tree_walk(d, d->c_table[d->bitbuf >> 4], NC, 1u << 3);
    fillbuf(d, d->c_len[j]);
    return j;
}

static unsigned decode_p(struct arjd *d)
{
    unsigned j = tree_walk(d, d->pt_table[d->bitbuf >> 8], NP, 1u << 7);

    fillbuf(d, d->pt_len[j]);
    if (j != 0) {
        j--;
        j = (1u << j) + getbits(d, (int)j);
    }
    return j;
}

/* Copies a match of len bytes from dist + 1 bytes back. */
static void copy_match(struct arjd *d, size_t dist, unsigned len)
{
    if (dist >= d->made || dist >= DICSIZ) {
        d->bad = 1;
        return;
    }
    for (unsigned k = 0; k < len && d->made < d->out_len; k++, d->made++)
        d->out[d->made] = d->out[d->made - dist - 1];
}

static void decode_lzh(struct arjd *d)
{
    init_getbits(d);
    d->blocksize = 0;
    while (d->made < d->out_len && !d->bad) {
        unsigned c = decode_c(d);
        if (d->bad)
            break;
        if (c <= 255) {
            d->out[d->made++] = (uint8_t)c;
            continue;
        }
        copy_match(d, decode_p(d), c - (256 - THRESHOLD));
    }
}

/* Method 4: a length then a position, each a unary prefix of up to
 * stop - start bits and then that many plus start bits. */
static unsigned decode_unary(struct arjd *d, int start, int stop)
{
    unsigned plus = 0, pwr = 1u << start, width;

    for (width = (unsigned)start; width < (unsigned)stop; width++) {
        if (!getbits(d, 1))
            break;
        plus += pwr;
        pwr <<= 1;
    }
    return plus + (width ? getbits(d, (int)width) : 0);
}

static void decode_fast(struct arjd *d)
{
    init_getbits(d);
    while (d->made < d->out_len && !d->bad) {
        unsigned c = decode_unary(d, 0, 7);
        if (c == 0) {
            d->out[d->made++] = (uint8_t)getbits(d, 8);
            continue;
        }
        copy_match(d, decode_unary(d, 9, 13), c - 1 + THRESHOLD);
    }
}

int arjdec_run(int method, const uint8_t *in, size_t in_len, uint8_t *out,
               size_t out_len, size_t *made)
{
    struct arjd *d = calloc(1, sizeof *d);
    int rc;

    *made = 0;
    if (!d)
        return -1;
    d->in = in;
    d->in_len = in_len;
    d->out = out;
    d->out_len = out_len;
    if (method >= 1 && method <= 3)
        decode_lzh(d);
    else if (method == 4)
        decode_fast(d);
    else
        d->bad = 1;
    *made = d->made;
    rc = d->bad ? -1 : 0;
    free(d);
    return rc;
}
