/* aspack.c - ASPack-packed PE files (ASPack 2.12, 2.2x-2.3x, 2.42),
 * unpacked and rebuilt as clamscan 1.4 does (libclamav pe.c cli_scanpe's
 * ASPack branch, aspack.c unaspack), so that the child scanned is the
 * object clamscan scans and hash signatures on it agree.
 *
 * Recognition (cli_scanpe): a PE32 whose entry point code starts
 * "pusha; call $+8; jmp ..." (60 e8 03 00 00 00 e9 eb), with at least
 * 0x3bf bytes of it in the file and "push 0; ret" (68 00000000 c3) at
 * 0x3b9 (2.12), 0x41f (2.2x-2.3x) or 0x42b (2.42) bytes into it.
 * The sections are laid out at their RVAs in an image as large as the
 * highest section end; from the loader (at RVA ep = EP - 1) the unpacker
 * reads the table of compressed blocks (RVA and unpacked size, 8 bytes
 * apart in 2.12, 12 in the others, until a zero RVA), the 58 distance
 * widths and the length tables ("stuff", 0x72 bytes) of the decoder, the
 * byte that marks relative call/jmp targets to unscramble in the first
 * block, and the original entry point.
 * Decoder: each block is an LZ77 stream coded with four canonical Huffman
 * tables (literal/length 721 symbols, long lengths 28, low distance bits
 * 8, the code-length code 19), read MSB first through a 24-bit window;
 * symbol 720 and above rebuilds the tables from the stream; the last
 * three distances are remembered. Every table index, shift and copy is
 * bounded here; shift counts over 31 are taken modulo 32 as the x86 code
 * ClamAV compiles to does.
 * Rebuild (cli_rebuildpe): every section, its bytes being its whole
 * virtual size in the image, the loader's two sections dropped when the
 * entry point is at the start of the second last and the last has no raw
 * data; when the rebuild is refused the bare image is scanned, as ClamAV.
 * Limits: the image is at most max bytes (the scan layer's budget); the
 * decoder stops at the end of each block's input and output; the blocks
 * decoded add up to at most ASP_MAX_WORK bytes (ClamAV has no such limit:
 * a table of blocks overlapping over and over would run for hours). */
#include "unpack/aspack.h"

#include <stdlib.h>
#include <string.h>

#include "scan/pe.h"
#include "unpack/rebuildpe.h"

/* Where things are in the loader, per version (offsets from ep = EP-1,
 * except sig, which is from the entry point itself). */
struct asp_layout {
    uint32_t sig, blocks, widths, stuff, mark, oep, step;
};

static const struct asp_layout asp_layouts[] = {
    {0x3b9, 0x57c, 0x70e, 0x6d6, 0x148, 0x39b, 8},  /* 2.12 */
    {0x41f, 0x5d8, 0x76a, 0x732, 0x13a, 0x401, 12}, /* 2.2x - 2.3x */
    {0x42b, 0x5e4, 0x776, 0x73e, 0x148, 0x40d, 12}, /* 2.42 */
};

#define ASP_EP_MIN 0x3bf    /* entry point bytes cli_scanpe needs */
#define ASP_EP_SPAN 0x748   /* 58 + 0x70e: the file must go past EP + this */
#define ASP_STUFF 0x72      /* bytes of the length tables */
#define ASP_PAD 0x10e       /* zeros behind each block's input */
#define ASP_NSYM 757        /* code lengths in the dictionaries */
#define ASP_TABLES 4
/* Most block bytes decoded per image (the blocks of a real file do not
 * overlap, so add up to at most the image). */
#define ASP_MAX_WORK(size) (4 * (uint64_t)(size) + ((uint64_t)1 << 24))

/* Symbols per table: literal/length, long lengths, distance bits, code
 * lengths. */
static const uint32_t asp_tsize[ASP_TABLES] = {721, 28, 8, 19};

struct asp_table {
    uint32_t starts[721]; /* symbol by canonical code index */
    uint8_t ends[256];    /* code length by the top 8 bits, for short codes */
    uint32_t limit[24];   /* first code (left-aligned, 24 bits) of each length */
    uint32_t base[24];    /* index in starts of each length's first code */
};

struct asp {
    const uint8_t *in; /* the block's bytes and ASP_PAD zeros */
    size_t inpos, inlen;
    uint32_t bitpos, window;
    uint32_t dist_base[58];
    const uint8_t *stuff; /* ASP_STUFF bytes */
    struct asp_table t[ASP_TABLES];
    uint8_t prev[ASP_NSYM]; /* the last dictionaries' code lengths */
    uint8_t lens[ASP_NSYM + 1];
    uint8_t clens[19];
    int dist_coded; /* low distance bits Huffman coded */
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

/* Whether [off, off+n) is a non-empty part of [0, size). */
static int asp_within(uint64_t off, uint64_t n, uint64_t size)
{
    return n > 0 && n <= size && off <= size - n;
}

/* Shifts in the window until fewer than 8 bits are consumed; 0 at the end
 * of the input. */
static int asp_fill(struct asp *a)
{
    while (a->bitpos >= 8) {
        if (a->inpos >= a->inlen)
            return 0;
        a->window = a->window << 8 | a->in[a->inpos++];
        a->bitpos -= 8;
    }
    return 1;
}

/* The next 24 bits of the stream. */
static uint32_t asp_peek(const struct asp *a)
{
    return (a->window >> (8 - a->bitpos)) & 0xffffff;
}

/* The next n bits (n may be anything: the shift is taken modulo 32, as
 * on x86). Returns 0 at the end of the input. */
static int asp_bits(struct asp *a, uint32_t n, uint32_t *v)
{
    if (!asp_fill(a))
        return 0;
    *v = asp_peek(a) >> ((24u - n) & 31u);
    a->bitpos += n;
    return 1;
}

/* The next symbol of table w. Returns 0 on a bad code or the input's end. */
static int asp_sym(struct asp *a, unsigned w, uint32_t *sym)
{
    const struct asp_table *t = &a->t[w];
    uint32_t code, len, idx;

    if (!asp_fill(a))
        return 0;
    code = asp_peek(a) & 0xfffe00;
    if (code < t->limit[8]) {
        len = t->ends[code >> 16];
        if (len == 0 || len >= 24)
            return 0;
    } else {
        for (len = 9; len < 15 && code >= t->limit[len]; len++)
            ;
    }
    a->bitpos += len;
    idx = ((code - t->limit[len - 1]) >> (24 - len)) + t->base[len];
    if (idx >= asp_tsize[w])
        return 0;
    *sym = t->starts[idx];
    return 1;
}

/* Builds table w from its code lengths lens[0..size). 0 if they are not a
 * complete code of lengths up to 17. */
static int asp_table_build(struct asp *a, const uint8_t *lens, unsigned w)
{
    struct asp_table *t = &a->t[w];
    uint32_t count[18] = {0}, next[18] = {0}, sum = 0, end = 0, size = asp_tsize[w];

    for (uint32_t i = 0; i < size; i++) {
        if (lens[i] > 17)
            return 0;
        count[lens[i]]++;
    }
    t->limit[0] = 0;
    t->base[0] = 0;
    for (uint32_t i = 0, shift = 23; shift >= 9; i++, shift--) {
        sum += count[i + 1] << shift;
        if (sum > 0x1000000)
            return 0;
        t->limit[i + 1] = sum;
        t->base[i + 1] = next[i + 1] = count[i] + t->base[i];
        if (shift >= 16) {
            uint32_t old = end;
            end = sum >> 16;
            if (end < old) /* the sum wrapped */
                return 0;
            memset(t->ends + old, (int)(i + 1), end - old); /* end <= 0x100 */
        }
    }
    if (sum != 0x1000000)
        return 0;
    for (uint32_t i = 0; i < size; i++) {
        if (!lens[i])
            continue;
        if (next[lens[i]] >= size)
            return 0;
        t->starts[next[lens[i]]++] = i;
    }
    return 1;
}

/* Reads new code lengths from the stream and rebuilds the three tables of
 * the data. 0 when the stream ends or a table is not a code. */
static int asp_dicts(struct asp *a)
{
    uint32_t v, sym, n, i = 0;

    if (!asp_bits(a, 1, &v))
        return 0;
    if (!v)
        memset(a->prev, 0, sizeof a->prev);
    for (unsigned k = 0; k < sizeof a->clens; k++) {
        if (!asp_bits(a, 4, &v))
            return 0;
        a->clens[k] = (uint8_t)v;
    }
    if (!asp_table_build(a, a->clens, 3))
        return 0;
    while (i < ASP_NSYM) {
        if (!asp_sym(a, 3, &sym))
            return 0;
        if (sym < 16) {
            a->lens[1 + i] = (uint8_t)((a->prev[i] + sym) & 0xf);
            i++;
            continue;
        }
        if (sym == 16) { /* repeat the previous length 3-6 times */
            if (!asp_bits(a, 2, &n))
                return 0;
            for (n += 3; n && i < ASP_NSYM; n--, i++)
                a->lens[1 + i] = a->lens[i];
            continue;
        }
        if (!asp_bits(a, sym == 17 ? 3 : 7, &n)) /* zeros, 3-10 or 11-138 */
            return 0;
        for (n += sym == 17 ? 3 : 11; n && i < ASP_NSYM; n--, i++)
            a->lens[1 + i] = 0;
    }
    if (!asp_table_build(a, a->lens + 1, 0) || !asp_table_build(a, a->lens + 722, 1) ||
        !asp_table_build(a, a->lens + 750, 2))
        return 0;
    a->dist_coded = 0;
    for (i = 0; i < 8; i++)
        if (a->lens[750 + i] != 3)
            a->dist_coded = 1;
    memcpy(a->prev, a->lens + 1, ASP_NSYM);
    return 1;
}

/* The length of a match from symbol sym (256..719); 0 on error. */
static int asp_length(struct asp *a, uint32_t sym, uint32_t *len)
{
    uint32_t ext, v;
    uint8_t w;

    *len = ((sym - 256) & 7) + 2;
    if (*len != 9)
        return 1;
    if (!asp_sym(a, 1, &ext) || ext >= 0x56 || !asp_fill(a))
        return 0;
    w = a->stuff[ext + 0x1c];
    v = asp_peek(a) >> ((0x18u - w) & 31u);
    a->bitpos += w;
    *len += a->stuff[ext] + v;
    return 1;
}

/* The distance code of a match from symbol sym; 0 on error. */
static int asp_distance(struct asp *a, uint32_t sym, uint32_t *d)
{
    uint32_t slot = (sym - 256) >> 3, w, v;

    if (slot >= 58)
        return 0;
    *d = a->dist_base[slot];
    w = a->stuff[slot + 0x38];
    if (!a->dist_coded || w < 3) {
        if (!asp_fill(a))
            return 0;
        *d += asp_peek(a) >> ((24u - w) & 31u);
        a->bitpos += w;
        return 1;
    }
    w -= 3;
    if (!asp_fill(a))
        return 0;
    *d += (asp_peek(a) >> ((24u - w) & 31u)) * 8;
    a->bitpos += w;
    if (!asp_sym(a, 2, &v))
        return 0;
    *d += v;
    return 1;
}

/* Decodes one block of size bytes into out. 0 on any error. */
static int asp_block(struct asp *a, uint8_t *out, uint32_t size)
{
    uint32_t n = 0, sym, len, d, back, hist[4] = {0};

    for (unsigned w = 0; w < ASP_TABLES; w++) {
        memset(a->t[w].limit, 0, sizeof a->t[w].limit);
        memset(a->t[w].base, 0, sizeof a->t[w].base);
    }
    memset(a->prev, 0, sizeof a->prev);
    a->bitpos = 0x20;
    if (!asp_dicts(a))
        return 0;
    while (n < size) {
        if (!asp_sym(a, 0, &sym))
            return 0;
        if (sym < 256) {
            out[n++] = (uint8_t)sym;
            continue;
        }
        if (sym >= 720) {
            if (!asp_dicts(a))
                return 0;
            continue;
        }
        if ((sym - 256) >> 3 >= 58 || !asp_length(a, sym, &len) ||
            !asp_distance(a, sym, &d))
            return 0;
        if (d < 3) {
            back = hist[d];
            if (d) {
                hist[d] = hist[0];
                hist[0] = back;
            }
        } else {
            hist[2] = hist[1];
            hist[1] = hist[0];
            hist[0] = back = d - 3;
        }
        back++;
        if (!back || back > n || len > size - n)
            return 0;
        for (; len; len--, n++)
            out[n] = out[n - back];
    }
    return 1;
}

/* Unscrambles the relative call/jmp targets of the first block as the
 * loader does: a 0xe8/0xe9 followed by the marker byte holds a target
 * stored byte-rotated and absolute. *i keeps ClamAV's position counter,
 * which makes this happen for the first block longer than 7 bytes. */
static void asp_calls(uint8_t *blk, uint32_t size, const uint8_t *mark, uint32_t *i)
{
    if (*i != 0 || size <= 7)
        return;
    while (*i < size - 6) {
        uint8_t *p = blk + *i + 1;

        if ((blk[*i] == 0xe8 || blk[*i] == 0xe9) && *p == *mark) {
            uint32_t t = rd32(p) & 0xffffff00u;
            t = t << 24 | t >> 8;
            wr32(p, t - *i);
            *i += 4;
        }
        (*i)++;
    }
}

/* Decompresses every block of the image in place. 1 when the table ends
 * with a zero RVA; 0 on any failure; -1 when out of memory. */
static int asp_blocks(struct asp *a, uint8_t *img, uint32_t size, uint32_t ep,
                      const struct asp_layout *l)
{
    uint64_t blocks = (uint64_t)ep + l->blocks;
    uint32_t rva = 1, bsize, pos = 0, j = 0;
    uint64_t work = 0;
    uint8_t *in;

    for (uint32_t i = 0; i < 58; i++) {
        uint32_t at = ep + i + l->widths; /* 32-bit, as ClamAV's */
        a->dist_base[i] = j;
        if (at < size)
            j += (uint32_t)1 << (img[at] & 31);
    }
    if (!(in = malloc((size_t)size + ASP_PAD)))
        return -1;
    a->in = in;
    while (asp_within(blocks, 8, size) && (rva = rd32(img + blocks)) != 0 &&
           (bsize = rd32(img + blocks + 4)) != 0 && asp_within(rva, bsize, size)) {
        if ((work += bsize) > ASP_MAX_WORK(size))
            break; /* blocks overlapping over and over: never ASPack's */
        memcpy(in, img + rva, bsize);
        memset(in + bsize, 0, ASP_PAD);
        a->inpos = 0;
        a->inlen = (size_t)bsize + ASP_PAD;
        if (!asp_block(a, img + rva, bsize))
            break;
        asp_calls(img + rva, bsize, img + ep + l->mark, &pos);
        blocks += l->step;
        if (l->step == 8)
            continue;
        /* ClamAV skips entries whose size is 0xfffffef2. */
        while (asp_within(blocks + 4, 4, size) &&
               ((rd32(img + blocks + 4) + ASP_PAD) & 0xffffffffu) == 0)
            blocks += l->step;
    }
    free(in);
    return rva == 0;
}

/* Writes the rebuilt PE (or, when ClamAV's rebuild refuses, the image as
 * it stands) to *out. Takes img. 1, or -1 when out of memory. */
static int asp_rebuild(uint8_t *img, uint32_t size, const struct pe_info *pe, uint32_t ep,
                       uint32_t oep, size_t max, uint8_t **out, size_t *outlen)
{
    struct pe_rebuild_sect s[PE_REBUILD_MAX_SECTIONS];
    uint32_t n = pe->nsect;
    int rc = 0;

    if (n > 2 && ep == pe->sect[n - 2].rva && !pe->sect[n - 1].rsz)
        n -= 2;
    if (n <= PE_REBUILD_MAX_SECTIONS) {
        for (uint32_t i = 0; i < n; i++) {
            s[i].rva = s[i].raw = pe->sect[i].rva;
            s[i].vsz = s[i].rsz = pe->sect[i].vsz;
        }
        rc = pe_rebuild(img, size, s, (unsigned)n, pe->imagebase, oep, 0, 0, 0, max, out,
                        outlen);
    }
    if (rc != 0) {
        free(img);
        return rc;
    }
    *out = img;
    *outlen = size;
    return 1;
}

/* Which loader the entry point code is; NULL when none. */
static const struct asp_layout *asp_detect(const uint8_t *buf, size_t len,
                                           const struct pe_info *pe)
{
    static const uint8_t start[8] = {0x60, 0xe8, 0x03, 0x00, 0x00, 0x00, 0xe9, 0xeb};
    static const uint8_t pushret[6] = {0x68, 0x00, 0x00, 0x00, 0x00, 0xc3};
    const uint8_t *ep;
    size_t epn;

    if (pe->pe32plus || pe->ep >= len || (uint64_t)pe->ep + ASP_EP_SPAN >= len)
        return NULL;
    ep = buf + pe->ep;
    epn = len - pe->ep < 4096 ? len - pe->ep : 4096;
    if (epn < ASP_EP_MIN || memcmp(ep, start, sizeof start) != 0)
        return NULL;
    for (unsigned v = 0; v < sizeof asp_layouts / sizeof asp_layouts[0]; v++)
        if (asp_layouts[v].sig + sizeof pushret <= epn &&
            memcmp(ep + asp_layouts[v].sig, pushret, sizeof pushret) == 0)
            return &asp_layouts[v];
    return NULL;
}

int aspack_unpack(const uint8_t *buf, size_t len, const struct pe_info *pe, size_t max,
                  uint8_t **out, size_t *outlen)
{
    const struct asp_layout *l = asp_detect(buf, len, pe);
    uint32_t size = 0, ep = pe->vep - 1;
    uint8_t *img = NULL;
    struct asp *a = NULL;
    int rc;

    *out = NULL;
    *outlen = 0;
    if (!l)
        return 0;
    for (uint32_t i = 0; i < pe->nsect; i++)
        if (size < pe->sect[i].rva + pe->sect[i].vsz) /* 32-bit, as ClamAV's */
            size = pe->sect[i].rva + pe->sect[i].vsz;
    /* The loader's tables must lie in the image (ClamAV reads them
     * unchecked). */
    if (!size || size > max || !asp_within((uint64_t)ep + l->stuff, ASP_STUFF, size) ||
        !asp_within((uint64_t)ep + l->mark, 1, size) ||
        !asp_within((uint64_t)ep + l->oep, 4, size))
        return 0;
    if (!(img = calloc(1, size)) || !(a = calloc(1, sizeof *a))) {
        free(img);
        return -1;
    }
    for (uint32_t i = 0; i < pe->nsect; i++) {
        const struct pe_sect *s = &pe->sect[i];
        if (!s->rsz)
            continue;
        if (!asp_within(s->rva, s->rsz, size) || !asp_within(s->raw, s->rsz, len)) {
            rc = 0;
            goto out;
        }
        memcpy(img + s->rva, buf + s->raw, s->rsz);
    }
    a->window = 0x10000;
    a->stuff = img + ep + l->stuff;
    rc = asp_blocks(a, img, size, ep, l);
    if (rc == 1) {
        rc = asp_rebuild(img, size, pe, ep, rd32(img + ep + l->oep), max, out, outlen);
        img = NULL;
    }
out:
    free(a);
    free(img);
    return rc;
}
