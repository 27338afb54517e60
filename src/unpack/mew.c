/* mew.c - MEW 11 SE packed PE files, unpacked and rebuilt as clamscan
 * 1.4 does (libclamav pe.c cli_scanpe's MEW branch, mew.c unmew11,
 * packlibs.c unmew), so that the child scanned is the same object clamscan
 * scans and hash signatures agree.
 *
 * Recognition (cli_scanpe): a section without raw data but with a virtual
 * size followed by one with both; the entry point a "jmp" (0xe9) landing
 * at file offset 0x154 or 0x158 (the loader in the PE header), whose
 * "mov esi, imm32" points into the second section. The packed stream
 * starts 12 bytes past that; the image is the two sections' virtual sizes
 * back to back, the packed section read behind the first's size.
 * Decompression: a chain of aPLib-style blocks (mew_unpack_nrv, ClamAV's
 * unmew), each ending with the address of the next block's destination,
 * unpacked in place in the one buffer as ClamAV does; the sections of the
 * rebuilt PE are the 0x1000-aligned ends of the blocks. When the loader
 * calls an LZMA routine (a "call" at loader+0x7b), the stream is MEW's
 * LZMA (real LZMA1, lc 4 lp 0 pb 2), whose probability tables live inside
 * the image being unpacked (and so end up in the rebuilt PE): liblzma
 * cannot reproduce that, so it is decoded by mew_lzma (mewlzma.c), then
 * rebuilt as one section.
 * Rebuild: pe_rebuild with 0x1000 alignment (cli_rebuildpe_align).
 * Limits: the image (both sections) at most MEW_MAX_IMAGE bytes and the
 * scan layer's budget; every read and write is checked against the
 * buffer with 64-bit offsets; each decoding loop writes a byte or fails;
 * at most MEW_MAX_BLOCKS blocks, writing at most the image's size in all
 * (ClamAV has neither limit). */
#include "unpack/mew.h"

#include <stdlib.h>
#include <string.h>

#include "scan/pe.h"
#include "unpack/mewlzma.h"
#include "unpack/rebuildpe.h"

/* Largest image (both sections) vigil unpacks. */
#define MEW_MAX_IMAGE ((uint32_t)256 << 20)
/* Most blocks followed: more than a rebuilt PE may hold sections is a
 * failure in ClamAV too (cli_rebuildpe refuses); the LZMA form, whose
 * blocks are not sections, gets more. */
#define MEW_MAX_BLOCKS 1024u

#define PESALIGN(o, a) ((a) ? ((o) / (a) + ((o) % (a) != 0)) * (a) : (o))

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* CLI_ISCONTAINED on offsets: n bytes at off inside [base, base+size). */
static int contained(int64_t base, int64_t size, int64_t off, int64_t n)
{
    return size > 0 && n > 0 && n <= size && off >= base && off + n <= base + size;
}

/* The decompressor's bit reader (ClamAV's doubledl): a tag byte refilled
 * from the source, never from its last byte. Returns the bit or -1. */
static int nrv_bit(const uint8_t *b, uint64_t *cur, uint64_t sbeg, uint64_t send,
                   uint8_t *tag)
{
    uint8_t old = *tag;

    *tag = (uint8_t)(old * 2);
    if (!(old & 0x7f)) {
        if (*cur < sbeg || *cur + 1 >= send)
            return -1;
        old = b[(*cur)++];
        *tag = (uint8_t)(old * 2 + 1);
    }
    return (old >> 7) & 1;
}

/* An Elias-gamma number (at least 2); -1 when the data ends or overflows. */
static int nrv_gamma(const uint8_t *b, uint64_t *cur, uint64_t sbeg, uint64_t send,
                     uint8_t *tag, uint32_t *v)
{
    uint64_t n = 1;
    int bit;

    do {
        if ((bit = nrv_bit(b, cur, sbeg, send, tag)) < 0)
            return -1;
        n = n * 2 + (uint64_t)bit;
        if (n > UINT32_MAX)
            return -1;
        if ((bit = nrv_bit(b, cur, sbeg, send, tag)) < 0)
            return -1;
    } while (bit);
    *v = (uint32_t)n;
    return 0;
}

int mew_unpack_nrv(uint8_t *b, uint64_t blen, uint64_t src, uint64_t ssize, uint64_t dst,
                   uint64_t dsize, uint64_t *send, uint64_t *dend)
{
    uint64_t cs = src, cd = dst, se = src + ssize, de = dst + dsize;
    uint32_t len, back = 0, oldback = 0, hi;
    uint8_t tag = 0x80;
    int bit, lostbit = 1;

    if (!ssize || !dsize || se > blen || de > blen)
        return -1;
    b[cd++] = b[cs++];
    for (;;) {
        if ((bit = nrv_bit(b, &cs, src, se, &tag)) < 0)
            return -1;
        if (!bit) { /* a literal */
            if (cd >= de || cs >= se)
                return -1;
            b[cd++] = b[cs++];
            lostbit = 1;
            continue;
        }
        if ((bit = nrv_bit(b, &cs, src, se, &tag)) < 0)
            return -1;
        if (!bit) { /* a gamma-coded match */
            if (nrv_gamma(b, &cs, src, se, &tag, &hi) < 0)
                return -1;
            if (hi - 1 - (uint32_t)lostbit == 0) { /* the previous offset */
                if (nrv_gamma(b, &cs, src, se, &tag, &len) < 0)
                    return -1;
                back = oldback;
            } else {
                if (cs >= se)
                    return -1;
                if ((uint64_t)b[cs] + ((uint64_t)(hi - 2 - (uint32_t)lostbit) << 8) >
                    UINT32_MAX)
                    return -1;
                back = b[cs++] + ((hi - 2 - (uint32_t)lostbit) << 8);
                if (nrv_gamma(b, &cs, src, se, &tag, &len) < 0)
                    return -1;
                len += (back >= 0x7d00) + (back >= 0x500) + 2 * (back <= 0x7f);
                oldback = back;
            }
            lostbit = 0;
        } else if ((bit = nrv_bit(b, &cs, src, se, &tag)) < 0) {
            return -1;
        } else if (bit) { /* a one-byte match at a 4-bit offset, or a zero */
            back = 0x10;
            lostbit = 1;
            len = 1;
            while (back < 0x100) {
                if ((bit = nrv_bit(b, &cs, src, se, &tag)) < 0)
                    return -1;
                back = back * 2 + (uint32_t)bit;
            }
            back &= 0xff;
            if (!back) {
                if (cd >= de)
                    return -1;
                b[cd++] = 0;
                continue;
            }
        } else { /* a short match: 7-bit offset and 1-bit length, or the end */
            if (cs >= se)
                return -1;
            len = 2 + (b[cs] & 1u);
            back = b[cs++] >> 1;
            if (!back)
                break;
            oldback = back;
            lostbit = 0;
        }
        if (cd + len > de || cd < dst + back)
            return -1;
        for (uint32_t k = 0; k < len; k++, cd++)
            b[cd] = b[cd - back];
    }
    *send = cs;
    *dend = cd;
    return 0;
}

/* The MEW image: the buffer (dsize bytes of the first section's space,
 * then the packed section) and where the loader's data are. */
struct mew_job {
    uint8_t *b;
    uint32_t ssize, dsize, size; /* size = ssize + dsize */
    uint32_t off;                /* the packed data's offset in the section */
    uint32_t base, vadd, uselzma;
};

/* unmew11: follows the chain of blocks, then rebuilds. Returns 1, 0 when
 * it fails, -1 when out of memory. */
static int mew_blocks(const struct mew_job *j, size_t max, uint8_t **out, size_t *outlen)
{
    struct pe_rebuild_sect sect[PE_REBUILD_MAX_SECTIONS + 2];
    uint64_t vma = (uint64_t)j->base + j->vadd, lesi, ledi, f1 = 0, f2 = 0, src, made = 0;
    uint32_t entry, loc_ss, loc_ds, t, i = 0;

    if (vma > UINT32_MAX || !contained(0, j->size, j->off, 12))
        return 0;
    src = (uint64_t)j->dsize + j->off;
    entry = rd32(j->b + src + 4);
    t = rd32(j->b + src + 8) - (uint32_t)vma;
    lesi = src + 12;
    ledi = t;
    loc_ds = j->size - t;
    loc_ss = j->ssize - 12 - j->off;
    for (;;) {
        if (!contained(0, j->size, (int64_t)lesi, loc_ss) ||
            !contained(0, j->size, (int64_t)ledi, loc_ds) || loc_ss > INT32_MAX ||
            loc_ds > INT32_MAX)
            return 0;
        if (mew_unpack_nrv(j->b, j->size, lesi, loc_ss, ledi, loc_ds, &f1, &f2) < 0 ||
            !contained(0, j->size, (int64_t)f1, 4))
            return 0;
        /* The blocks fill distinct parts of the image: more output than
         * the image holds is a loop made to waste time. */
        if ((made += f2 - ledi) > j->size)
            return 0;
        loc_ss -= (uint32_t)(f1 + 4 - lesi);
        lesi = f1 + 4;
        t = rd32(j->b + f1) - (uint32_t)vma;
        ledi = t;
        loc_ds = j->size - t;
        if (!j->uselzma) {
            uint32_t val = (uint32_t)PESALIGN(f2, 0x1000u);
            if (i && val < sect[i].raw)
                return 0;
            sect[0].raw = 0;
            sect[0].rva = j->vadd;
            sect[i + 1].raw = val;
            sect[i + 1].rva = val + j->vadd;
            sect[i].rsz = sect[i].vsz = i ? val - sect[i].raw : val;
            if ((uint64_t)sect[i].raw + sect[i].rsz > j->dsize)
                return 0;
        }
        i++;
        if (!rd32(j->b + f1))
            break;
        /* ClamAV goes on, but its rebuild then refuses so many sections. */
        if (!j->uselzma ? i > PE_REBUILD_MAX_SECTIONS : i >= MEW_MAX_BLOCKS)
            return 0;
    }
    if (j->uselzma) {
        if (!contained(0, j->size, (int64_t)j->uselzma + 8, 1) ||
            !contained(0, j->size, (int64_t)f1 + 4, 20 + 4 + 5))
            return 0;
        if (mew_lzma(j->b, j->size, f1 + 4, (uint32_t)vma,
                     j->b[j->uselzma + 8] == 0x50) != 0)
            return 0;
        i = 1;
        sect[0] = (struct pe_rebuild_sect){j->vadd, j->dsize, 0, j->dsize};
    }
    return pe_rebuild(j->b, j->size, sect, i, j->base, entry - j->base, 0, 0, 0x1000, max,
                      out, outlen);
}

/* cli_scanpe's checks on the loader at file offset fo (0x154 or 0x158),
 * the buffer it reads the packed section into, then unmew11. */
static int mew_loader(const uint8_t *buf, size_t len, const struct pe_info *pe, int i,
                      uint32_t fo, size_t max, uint8_t **out, size_t *outlen)
{
    const struct pe_sect *s0 = &pe->sect[i], *s1 = &pe->sect[i + 1];
    const uint8_t *tb = buf + fo;
    struct mew_job j;
    uint32_t offdiff;
    int rc;

    if ((uint64_t)fo + 0xb0 > len)
        return 0;
    offdiff = rd32(tb + 1) - pe->imagebase;
    if (offdiff <= s1->rva || offdiff >= s1->rva + s1->raw - 4)
        return 0;
    offdiff -= s1->rva;
    if (!s1->rsz)
        return 0;
    memset(&j, 0, sizeof j);
    j.ssize = s1->vsz;
    j.dsize = s0->vsz;
    if ((uint64_t)j.ssize + j.dsize > UINT32_MAX || offdiff >= j.ssize + j.dsize)
        return 0;
    j.size = j.ssize + j.dsize;
    if (j.size > MEW_MAX_IMAGE || j.size > max || s1->rsz > max)
        return 0;
    if (s1->rsz < (uint64_t)offdiff + 12 || s1->rsz > j.ssize ||
        (uint64_t)s1->raw + s1->rsz > len)
        return 0;
    if (tb[0x7b] == 0xe8) {
        uint32_t at = rd32(tb + 0x7c) + fo + 0x80;
        if (!contained(pe->sect[1].rva, pe->sect[1].vsz, at, 4))
            return 0;
        j.uselzma = rd32(tb + 0x7c) - (pe->sect[0].rva - fo - 0x80);
    }
    j.off = offdiff;
    j.base = pe->imagebase;
    j.vadd = pe->sect[0].rva;
    if (!(j.b = calloc(j.size, 1)))
        return -1;
    memcpy(j.b + j.dsize, buf + s1->raw, s1->rsz);
    rc = mew_blocks(&j, max, out, outlen);
    free(j.b);
    return rc;
}

int mew_unpack(const uint8_t *buf, size_t len, const struct pe_info *pe, size_t max,
               uint8_t **out, size_t *outlen)
{
    size_t epsize;
    uint32_t fo;
    int i = -1;

    *out = NULL;
    *outlen = 0;
    if (pe->pe32plus || pe->ep >= len)
        return 0;
    for (uint32_t k = 0; k + 1 < pe->nsect; k++)
        if (!pe->sect[k].rsz && pe->sect[k].vsz && pe->sect[k + 1].rsz &&
            pe->sect[k + 1].vsz) {
            i = (int)k;
            break;
        }
    epsize = len - pe->ep < 4096 ? len - pe->ep : 4096;
    if (i < 0 || epsize < 16 || buf[pe->ep] != 0xe9)
        return 0;
    fo = pe->vep + rd32(buf + pe->ep + 1) + 5;
    if (fo != 0x154 && fo != 0x158)
        return 0;
    return mew_loader(buf, len, pe, i, fo, max, out, outlen);
}
