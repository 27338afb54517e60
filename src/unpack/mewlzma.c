/* mewlzma.c - MEW's LZMA mode (libclamav mew.c mew_lzma and its helpers,
 * 1.4): an LZMA decoder (lc 4, lp 0, pb 2, the LZMA SDK's table layout)
 * whose 16-bit probabilities live in the image being unpacked, at an
 * address the packed data name, so that they are part of the PE ClamAV
 * rebuilds. The stream is real LZMA1, but liblzma cannot leave its
 * tables in the image (nor stop where ClamAV's checks stop), so the
 * decoder is written here, one bounds-checked read or write per step, as
 * ClamAV computes it.
 * Limits: every access is checked against the buffer (64-bit offsets);
 * every loop writes a byte or reads input; the blocks decode at most
 * `size` bytes in all, and at most MEWLZ_MAX_BLOCKS block headers are
 * read (ClamAV has neither limit: a packed file comes nowhere near). */
#include "unpack/mewlzma.h"

#include <string.h>

/* The tables, as byte offsets from their base (LZMA SDK order). */
#define T_ISREP 0x180u
#define T_ISREPG0 0x198u
#define T_ISREPG1 0x1b0u
#define T_ISREPG2 0x1c8u
#define T_POSSLOT 0x360u
#define T_SPECPOS 0x55eu
#define T_ALIGN 0x644u
#define T_LEN 0x664u
#define T_REPLEN 0xa68u
#define T_LIT 0xe6cu
#define T_SIZE 0x6e6cu

/* Most block headers read (each resets 28 KiB of tables); MEW writes one. */
#define MEWLZ_MAX_BLOCKS 256u

struct rc {
    uint8_t *b;
    uint64_t size;
    uint64_t in;          /* the next input byte */
    uint32_t range, code; /* ClamAV's p1, p2 */
};

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static int in_buf(uint64_t size, uint64_t off, uint64_t n)
{
    return n > 0 && n <= size && off <= size - n;
}

/* One bit with the probability at byte offset p (lzma_486248): ClamAV
 * wants 4 bytes there and an input byte ahead. Returns 0, 1 or -1. */
static int rc_bit(struct rc *r, uint64_t p)
{
    uint32_t prob, bound;
    int bit;

    if (!in_buf(r->size, p, 4) || !in_buf(r->size, r->in, 1))
        return -1;
    prob = (uint32_t)r->b[p] | (uint32_t)r->b[p + 1] << 8;
    bound = (r->range >> 11) * prob;
    if (r->code < bound) {
        r->range = bound;
        prob = prob + (uint32_t)((int32_t)(0x800 - prob) >> 5);
        bit = 0;
    } else {
        r->range -= bound;
        r->code -= bound;
        prob = prob - (prob >> 5);
        bit = 1;
    }
    r->b[p] = (uint8_t)prob;
    r->b[p + 1] = (uint8_t)(prob >> 8);
    if (r->range < 0x1000000) {
        r->code = r->code << 8 | r->b[r->in++];
        r->range <<= 8;
    }
    return bit;
}

/* A bit tree of n bits at base (lzma_4862e0); -1 on failure. */
static int64_t rc_tree(struct rc *r, uint64_t base, unsigned n)
{
    uint32_t m = 1;
    int bit;

    for (unsigned k = 0; k < n; k++) {
        if ((bit = rc_bit(r, base + 2 * (uint64_t)m)) < 0)
            return -1;
        m = 2 * m + (uint32_t)bit;
    }
    return m - (1u << n);
}

/* A reversed bit tree of n bits at base (lzma_48631a). */
static int64_t rc_rtree(struct rc *r, uint64_t base, unsigned n)
{
    uint32_t m = 1, v = 0;
    int bit;

    for (unsigned k = 0; k < n; k++) {
        if ((bit = rc_bit(r, base + 2 * (uint64_t)m)) < 0)
            return -1;
        m = 2 * m + (uint32_t)bit;
        v |= (uint32_t)bit << k;
    }
    return v;
}

/* n direct bits (lzma_486204). */
static int64_t rc_direct(struct rc *r, unsigned n)
{
    uint32_t v = 0;

    for (unsigned k = 0; k < n; k++) {
        r->range >>= 1;
        v <<= 1;
        if (r->code >= r->range) {
            r->code -= r->range;
            v |= 1;
        }
        if (r->range < 0x1000000) {
            if (!in_buf(r->size, r->in, 1))
                return -1;
            r->code = r->code << 8 | r->b[r->in++];
            r->range <<= 8;
        }
    }
    return v;
}

/* A length (lzma_4863da) from the coder at base for posState ps. */
static int64_t rc_len(struct rc *r, uint64_t base, uint32_t ps)
{
    int bit;
    int64_t v;

    if ((bit = rc_bit(r, base)) < 0)
        return -1;
    if (!bit)
        return rc_tree(r, base + 4 + ((uint64_t)ps << 4), 3);
    if ((bit = rc_bit(r, base + 2)) < 0)
        return -1;
    if (!bit)
        return (v = rc_tree(r, base + 0x104 + ((uint64_t)ps << 4), 3)) < 0 ? -1 : v + 8;
    return (v = rc_tree(r, base + 0x204, 8)) < 0 ? -1 : v + 0x10;
}

/* A literal, plain or matched against mb (lzma_48635C). */
static int64_t rc_literal(struct rc *r, uint64_t base, int matched, uint8_t mb)
{
    uint32_t sym = 1;
    int bit;

    while (matched && sym < 0x100) {
        uint32_t mbit = (uint32_t)(mb >> 7);
        mb = (uint8_t)(mb << 1);
        if ((bit = rc_bit(r, base + 2 * (((mbit + 1) << 8) + (uint64_t)sym))) < 0)
            return -1;
        sym = 2 * sym + (uint32_t)bit;
        if (mbit != (uint32_t)bit)
            break;
    }
    while (sym < 0x100) {
        if ((bit = rc_bit(r, base + 2 * (uint64_t)sym)) < 0)
            return -1;
        sym = 2 * sym + (uint32_t)bit;
    }
    return sym & 0xff;
}

/* The decoder's state between symbols. */
struct lz {
    uint64_t probs, out; /* the tables' and the output's offsets */
    uint32_t size;       /* bytes to write (var28) */
    uint32_t pos, state, rep0, rep1, rep2, rep3;
    int after_match;
    uint8_t prev; /* the last byte written (var1) */
};

/* The distance of a match (rep0 + 1 afterwards, 0 the end marker). */
static int lz_distance(struct rc *r, struct lz *z, uint32_t len)
{
    uint32_t lenst = len >= 4 ? 3 : len, slot, nd;
    int64_t v;

    if ((v = rc_tree(r, z->probs + T_POSSLOT + ((uint64_t)lenst << 7), 6)) < 0)
        return -1;
    slot = (uint32_t)v;
    if (slot < 4) {
        z->rep0 = slot;
    } else {
        nd = (slot >> 1) - 1;
        z->rep0 = ((slot & 1) | 2) << nd;
        if (slot >= 14) {
            if ((v = rc_direct(r, nd - 4)) < 0)
                return -1;
            z->rep0 += (uint32_t)v << 4;
            v = rc_rtree(r, z->probs + T_ALIGN, 4);
        } else {
            v = rc_rtree(r, z->probs + T_SPECPOS + 2 * (uint64_t)(z->rep0 - slot), nd);
        }
        if (v < 0)
            return -1;
        z->rep0 += (uint32_t)v;
    }
    z->rep0++;
    return 0;
}

/* Copies a match of len bytes from rep0 back: ClamAV wants the whole rest
 * of the block to fit at both ends, whatever len is. */
static int lz_copy(struct lz *z, uint64_t size, uint8_t *b, uint32_t len)
{
    uint32_t from = z->pos - z->rep0, left = z->size - z->pos;

    if ((len < left &&
         (!in_buf(size, z->out + from, len) || !in_buf(size, z->out + z->pos, len))) ||
        !in_buf(size, z->out + from, left) || !in_buf(size, z->out + z->pos, left))
        return -1;
    do {
        z->prev = b[z->out + from++];
        b[z->out + z->pos++] = z->prev;
    } while (--len && z->pos < z->size);
    return 0;
}

/* One symbol; 1 at the end marker, 0 to go on, -1 on failure. */
static int lz_step(struct rc *r, struct lz *z)
{
    uint32_t ps = z->pos & 3, t;
    int64_t v;
    int bit;

    if ((bit = rc_bit(r, z->probs + ((((uint64_t)z->state << 4) + ps) * 2))) < 0)
        return -1;
    if (!bit) {
        uint64_t base = z->probs + T_LIT + (((uint64_t)(z->prev >> 4) * 3) << 9);
        uint8_t mb = 0;
        z->state = z->state < 4 ? 0 : z->state >= 10 ? z->state - 6 : z->state - 3;
        if (z->after_match) {
            if (!in_buf(r->size, z->out + (uint32_t)(z->pos - z->rep0), 1))
                return -1;
            mb = r->b[z->out + (uint32_t)(z->pos - z->rep0)];
        }
        if ((v = rc_literal(r, base, z->after_match, mb)) < 0)
            return -1;
        z->after_match = 0;
        z->prev = (uint8_t)v;
        if (!in_buf(r->size, z->out + z->pos, 1))
            return -1;
        r->b[z->out + z->pos++] = z->prev;
        return 0;
    }
    z->after_match = 1;
    if ((bit = rc_bit(r, z->probs + T_ISREP + 2 * (uint64_t)z->state)) < 0)
        return -1;
    if (!bit) { /* a match */
        z->rep3 = z->rep2;
        z->rep2 = z->rep1;
        z->rep1 = z->rep0;
        z->state = z->state >= 7 ? 10 : 7;
        if ((v = rc_len(r, z->probs + T_LEN, ps)) < 0 ||
            lz_distance(r, z, (uint32_t)v) < 0)
            return -1;
    } else {
        if ((bit = rc_bit(r, z->probs + T_ISREPG0 + 2 * (uint64_t)z->state)) < 0)
            return -1;
        if (!bit) {
            if ((bit = rc_bit(r, z->probs +
                                     2 * ((((uint64_t)z->state + 0xf) << 4) + ps))) < 0)
                return -1;
            if (!bit) { /* a short rep: one byte */
                z->state = z->state >= 7 ? 11 : 9;
                if (!in_buf(r->size, z->out + (uint32_t)(z->pos - z->rep0), 1) ||
                    !in_buf(r->size, z->out + z->pos, 1))
                    return -1;
                z->prev = r->b[z->out + (uint32_t)(z->pos - z->rep0)];
                r->b[z->out + z->pos++] = z->prev;
                return 0;
            }
        } else {
            if ((bit = rc_bit(r, z->probs + T_ISREPG1 + 2 * (uint64_t)z->state)) < 0)
                return -1;
            if (!bit) {
                t = z->rep1;
            } else {
                if ((bit = rc_bit(r, z->probs + T_ISREPG2 + 2 * (uint64_t)z->state)) < 0)
                    return -1;
                if (bit) {
                    t = z->rep3;
                    z->rep3 = z->rep2;
                } else {
                    t = z->rep2;
                }
                z->rep2 = z->rep1;
            }
            z->rep1 = z->rep0;
            z->rep0 = t;
        }
        if ((v = rc_len(r, z->probs + T_REPLEN, ps)) < 0)
            return -1;
        z->state = z->state >= 7 ? 11 : 8;
    }
    if (!z->rep0)
        return 1;
    return lz_copy(z, r->size, r->b, (uint32_t)v + 2);
}

/* Reads one block header at *src (size, destination, packed size, and the
 * packed data 13 bytes in); sets up the tables and the coder. *left counts
 * down the headers read. Returns 1 for a block, 0 at the end of the list,
 * -1 on failure. */
static int lz_block(struct rc *r, struct lz *z, uint64_t *src, uint32_t vma, int special,
                    unsigned *left)
{
    uint64_t data;

    do {
        if (!(*left)-- || !in_buf(r->size, *src, special ? 12 : 16))
            return -1;
        if (!special && rd32(r->b + *src) == 0)
            return 0;
        z->size = rd32(r->b + *src);
        z->out = (uint32_t)(rd32(r->b + *src + 4) - vma);
        data = *src + 13;
        *src = data + rd32(r->b + *src + 8);
        if (!in_buf(r->size, z->probs, T_SIZE))
            return -1;
        for (uint64_t k = 0; k < T_SIZE; k += 4)
            wr32(r->b + z->probs + k, 0x4000400);
        z->pos = z->state = 0;
        z->after_match = 0;
        z->rep0 = z->rep1 = z->rep2 = z->rep3 = 1;
        z->prev = 0;
        if (!in_buf(r->size, data, 5))
            return -1;
        r->code = (uint32_t)r->b[data + 1] << 24 | (uint32_t)r->b[data + 2] << 16 |
                  (uint32_t)r->b[data + 3] << 8 | r->b[data + 4];
        r->range = 0xffffffffu;
        r->in = data + 5;
    } while (z->size == 0);
    return 1;
}

/* The "special" loader's fix-up of call and jmp targets in the output. */
static void lz_fixcalls(uint8_t *b, uint64_t size, uint64_t at, uint32_t n)
{
    if (n < 5 || !in_buf(size, at, n))
        return;
    for (uint32_t k = 0; k < n - 5; k++)
        if (b[at + k] == 0xe8 || b[at + k] == 0xe9) {
            uint8_t *p = b + at + k + 1;
            uint32_t v =
                (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
            wr32(p, v - k - 1);
            k += 4;
        }
}

int mew_lzma(uint8_t *b, uint32_t size, uint64_t at, uint32_t vma, int special)
{
    struct rc r = {b, size, 0, 0, 0};
    struct lz z;
    uint64_t src = at, total = 0;
    uint32_t fix = 0;
    unsigned left = MEWLZ_MAX_BLOCKS;
    int rc;

    memset(&z, 0, sizeof z);
    if (!in_buf(size, at, 8))
        return -1;
    if (special) {
        fix = rd32(b + src);
        src += 4;
    }
    z.probs = (uint32_t)(rd32(b + src) - vma);
    src += 4;
    for (;;) {
        if ((rc = lz_block(&r, &z, &src, vma, special, &left)) <= 0)
            return rc;
        do {
            if (++total > size)
                return -1;
            if ((rc = lz_step(&r, &z)) < 0)
                return -1;
        } while (rc == 0 && z.pos < z.size);
        if (special) {
            lz_fixcalls(b, size, z.out, fix);
            return 0;
        }
    }
}
