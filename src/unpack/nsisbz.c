/* nsisbz.c - NSIS's bzip2 (libclamav nsis/bzlib.c, NSIS's own copy of
 * bzip2 1.0) decoded by libbz2.
 *
 * An NSIS bzip2 stream is a standard bzip2 bitstream with fields left out:
 * no "BZh9" header; each block starts with the byte 0x31 where bzip2 has
 * the 48-bit magic 0x314159265359, the 32-bit block CRC and the randomised
 * bit; the stream ends with the byte 0x17 where bzip2 has 0x177245385090
 * and the stream CRC. The fields in between (origPtr, the symbol map, the
 * Huffman tables and data) are bzip2's, so each block is given to libbz2
 * as a stream of its own: "BZh9", the magic, a CRC of 0, a 0 randomised
 * bit, then the block's bits, shifted to where they belong (the input is
 * re-aligned a few KiB at a time, never copied whole).
 * libbz2 hands over all of a block's output before it compares the CRC;
 * the mismatch (BZ_DATA_ERROR) then marks the end of the block. libbz2
 * reads its input a byte at a time and only as far as the bits it needs
 * (bzlib.c GET_BITS keeps fewer than 8 unread bits), so the block ended in
 * the last 8 bits it consumed: the next block's 0x31 or the end's 0x17 is
 * looked for there, at the first position that has one. A block that
 * fails before its output is complete (or gives none) is damage.
 * Limits: one block of at most 900 000 bytes in libbz2 at a time; every
 * read of the input is bounds-checked; each block consumes input, so the
 * walk ends. */
#include "unpack/nsisbz.h"

#include <bzlib.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX_BITS 113 /* "BZh9", 48-bit magic, 32-bit CRC, randomised bit */
#define STAGE 4096

struct nsisbz {
    const uint8_t *in;
    uint64_t nbits;    /* bits of input */
    uint64_t blk;      /* input bit where the current block's fields start */
    uint64_t next;     /* next synthesized byte to stage (index in the stream) */
    uint64_t consumed; /* input bytes reported as used */
    bz_stream bz;
    int live;         /* bz is initialised */
    int done;         /* 1: end reached, 2: error */
    size_t block_out; /* output of the current block */
    uint8_t stage[STAGE];
    uint8_t prefix[15];
};

struct nsisbz *nsisbz_new(const uint8_t *in, size_t len)
{
    static const uint8_t head[10] = {'B',  'Z',  'h',  '9',  0x31,
                                     0x41, 0x59, 0x26, 0x53, 0x59};
    struct nsisbz *z = calloc(1, sizeof *z);

    if (!z)
        return NULL;
    z->in = in;
    z->nbits = (uint64_t)len * 8;
    /* The input starts with a block's 0x31 (the caller checked the byte). */
    z->blk = 8;
    memcpy(z->prefix, head, sizeof head); /* then CRC 0, bit 0: all zero */
    if (len == 0 || in[0] != 0x31)
        z->done = 2;
    return z;
}

void nsisbz_free(struct nsisbz *z)
{
    if (!z)
        return;
    if (z->live)
        BZ2_bzDecompressEnd(&z->bz);
    free(z);
}

/* The input byte at bit position q (bits past the end read as 0). */
static uint8_t in_byte_at(const struct nsisbz *z, uint64_t q)
{
    uint64_t i = q >> 3;
    unsigned sh = (unsigned)(q & 7);
    uint64_t nbytes = z->nbits / 8;
    unsigned hi = i < nbytes ? z->in[i] : 0, lo = i + 1 < nbytes ? z->in[i + 1] : 0;

    return (uint8_t)(((hi << 8 | lo) << sh) >> 8);
}

/* Byte k of the synthesized stream of the current block. */
static uint8_t synth_byte(const struct nsisbz *z, uint64_t k)
{
    uint64_t b = k * 8;
    uint8_t v = 0;

    if (b + 8 <= PREFIX_BITS)
        return z->prefix[k];
    if (b >= PREFIX_BITS)
        return in_byte_at(z, z->blk + (b - PREFIX_BITS));
    for (unsigned i = 0; i < 8; i++, b++) { /* the byte holding bit 112 */
        unsigned bit = b < PREFIX_BITS
                           ? (z->prefix[b / 8] >> (7 - b % 8)) & 1
                           : (in_byte_at(z, z->blk + (b - PREFIX_BITS)) >> 7) & 1;
        v = (uint8_t)(v << 1 | bit);
    }
    return v;
}

/* Bytes of the synthesized stream (the last one padded with zeros). */
static uint64_t synth_len(const struct nsisbz *z)
{
    uint64_t bits = PREFIX_BITS + (z->nbits > z->blk ? z->nbits - z->blk : 0);
    return (bits + 7) / 8;
}

static enum nsisbz_rc block_start(struct nsisbz *z)
{
    memset(&z->bz, 0, sizeof z->bz);
    if (BZ2_bzDecompressInit(&z->bz, 0, 0) != BZ_OK)
        return NSISBZ_NOMEM;
    z->live = 1;
    z->next = 0;
    z->block_out = 0;
    return NSISBZ_MORE;
}

/* The current block's output is complete: find what follows it. */
static enum nsisbz_rc block_end(struct nsisbz *z)
{
    uint64_t end_synth = (uint64_t)z->bz.total_in_lo32 | (uint64_t)z->bz.total_in_hi32
                                                             << 32;

    end_synth *= 8;
    BZ2_bzDecompressEnd(&z->bz);
    z->live = 0;
    for (unsigned live = 0; live < 8; live++) {
        uint64_t s = end_synth - live, q;
        uint8_t m;
        if (s < PREFIX_BITS)
            break;
        q = z->blk + (s - PREFIX_BITS);
        if (q + 8 > z->nbits)
            continue;
        m = in_byte_at(z, q);
        if (m == 0x17) {
            z->done = 1;
            return NSISBZ_END;
        }
        if (m == 0x31) {
            z->blk = q + 8;
            return NSISBZ_MORE;
        }
    }
    z->done = 2;
    return NSISBZ_ERROR;
}

enum nsisbz_rc nsisbz_read(struct nsisbz *z, uint8_t *out, size_t cap, size_t *made,
                           size_t *used)
{
    enum nsisbz_rc rc = NSISBZ_MORE;
    uint64_t at;

    *made = 0;
    *used = 0;
    if (z->done)
        return z->done == 1 ? NSISBZ_END : NSISBZ_ERROR;
    if (!z->live && (rc = block_start(z)) != NSISBZ_MORE)
        return rc;
    while (*made < cap) {
        size_t got;
        int r;
        if (z->bz.avail_in == 0) { /* stage the next bytes */
            uint64_t n = synth_len(z) - z->next;
            if (n > STAGE)
                n = STAGE;
            for (uint64_t i = 0; i < n; i++)
                z->stage[i] = synth_byte(z, z->next + i);
            z->next += n;
            z->bz.next_in = (char *)z->stage;
            z->bz.avail_in = (unsigned)n;
        }
        z->bz.next_out = (char *)out + *made;
        z->bz.avail_out = (unsigned)(cap - *made > 1u << 30 ? 1u << 30 : cap - *made);
        r = BZ2_bzDecompress(&z->bz);
        got = (size_t)((uint8_t *)z->bz.next_out - (out + *made));
        *made += got;
        z->block_out += got;
        if (r == BZ_MEM_ERROR)
            return NSISBZ_NOMEM;
        if (r == BZ_DATA_ERROR && z->block_out > 0) {
            rc = block_end(z);
            break;
        }
        if (r != BZ_OK) { /* damage, or a stream end no NSIS data has */
            z->done = 2;
            rc = NSISBZ_ERROR;
            break;
        }
        if (z->bz.avail_in == 0 && z->next >= synth_len(z)) {
            z->done = 2; /* the input ended inside a block */
            rc = NSISBZ_ERROR;
            break;
        }
        rc = NSISBZ_MORE;
    }
    at = (z->blk - 8 + 7) / 8; /* the input up to the current block */
    if (z->done == 1 || z->done == 2)
        at = z->nbits / 8;
    if (at > z->consumed) {
        *used = (size_t)(at - z->consumed);
        z->consumed = at;
    }
    return rc;
}
