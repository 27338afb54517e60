/* petite.c - Petite 2.x-packed PE files unpacked and rebuilt as clamscan
 * 1.4 does (libclamav pe.c cli_scanpe's Petite branch and petite.c
 * petite_inflate2x_1to9), so that the rebuilt PE scanned is the object
 * clamscan scans and hash signatures agree.
 *
 * Recognition (cli_scanpe): "mov eax, imm32" at the entry point naming
 * the last section (Petite 2.2, "version 2") or the one before it
 * ("version 1", the last section then left out), and not the level-zero
 * loader (0x163c988d at EP+0x80). The image is every section with raw
 * data copied to its virtual address, relative to the lowest one.
 *
 * Unpacking (petite_inflate2x_1to9): a table 0x1b8 (version 1: 0x178)
 * bytes into the packer's section lists, until a zero, either a block of
 * packed dwords to move (bit 31 set: count, source and destination ends)
 * or a section to decompress (source rva, size, destination rva) with an
 * NRV-like bit stream (literals XORed with the bytes left). The first
 * section decompressed may start inside an original one; the last holds
 * the packer's own code, which is cut off, and from it the encrypted
 * original entry point and the mangled import table that decrypts it.
 * The sections are then sorted by address, packed one after another and
 * written into ClamAV's rebuilt PE (pe_rebuild, no alignment).
 *
 * Limits: the image is at most PT_MAX_IMAGE bytes (and the scan layer's
 * budget); at most 96 sections, as ClamAV; every read and write is
 * bounded by the image, in 64 bits; the table may make it write at most
 * PT_WORK(image size) bytes and the walk of the import table stops after
 * PT_MAX_IMPORTS entries (clamscan: at its time limit). */
#include "unpack/petite.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "scan/pe.h"
#include "unpack/packer.h"
#include "unpack/rebuildpe.h"

#define PT_MAX_IMAGE ((uint32_t)256 << 20)
#define PT_MAX_SECTIONS 96
#define PT_MAX_IMPORTS ((uint64_t)1 << 24)
/* Bytes the table may make the unpacker write (decompressed or moved) for
 * an image of n bytes: real files write each part of the image once. */
#define PT_WORK(n) (4 * (uint64_t)(n) + ((uint64_t)1 << 20))

/* One unpack: the image buf[0..n) of the sections from minrva on. */
struct pt_job {
    uint8_t *b;
    int64_t n;
    uint32_t minrva;
    const struct pe_info *pe;
    uint32_t nsect; /* the original sections that count (sectcount) */
    int version;
    uint32_t grown, skew;
    struct pe_rebuild_sect us[PT_MAX_SECTIONS];
    int nus;
    uint32_t bottom, enc_ep, irva;
    int mangled, check4res;
    uint64_t work; /* bytes written so far, at most PT_WORK(n) */
};

/* The image offset of rva + adj when len bytes fit there, else -1. */
static int64_t pt_win(const struct pt_job *j, uint32_t rva, int64_t adj, int64_t len)
{
    int64_t off = (int64_t)rva - j->minrva + adj;

    return pk_inside(j->n, off, len) ? off : -1;
}

/* CLI_ISCONTAINED on 32-bit addresses, their sums wrapping as ClamAV's. */
static int pt_contained32(uint32_t bb, uint32_t bbs, uint32_t sb, uint32_t sbs)
{
    return bbs > 0 && sbs > 0 && sbs <= bbs && sb >= bb && sb + sbs <= bb + bbs &&
           sb + sbs > bb && sb < bb + bbs;
}

/* The decoder's bit source (doubledl): one byte at a time from *src. */
struct pt_bits {
    const struct pt_job *j;
    int64_t src;
    uint8_t dl;
};

static int pt_bit(struct pt_bits *s)
{
    uint8_t old = s->dl, dl = (uint8_t)(s->dl << 1);

    if (!(old & 0x7f)) {
        if (s->src < 0 || s->src >= s->j->n - 1)
            return -1;
        old = s->j->b[s->src++];
        dl = (uint8_t)(old << 1 | 1);
    }
    s->dl = dl;
    return old >> 7 & 1;
}

/* v = v * 2 + bit, while the next bit is 1 (the gamma code); -1 on error. */
static int pt_gamma(struct pt_bits *s, int64_t *v)
{
    int b;

    for (;;) {
        if ((b = pt_bit(s)) < 0 || *v >= INT_MAX / 2)
            return -1;
        *v = *v * 2 + b;
        if ((b = pt_bit(s)) < 0)
            return -1;
        if (!b)
            return 0;
    }
}

/* Decompresses size bytes from src to dst (offsets in the image); the
 * end of the output in *end. Returns 0 on success. */
static int pt_inflate(struct pt_job *j, int64_t src, int64_t dst, uint32_t size, int64_t *end)
{
    struct pt_bits s = {j, src, 0};
    uint32_t check1, check2, goback;
    int64_t back = 0, oldback = 0, bsize, add;
    int b;

    if (size < 0x10000) {
        check1 = 0xffffc060u, check2 = 0xfffffc60u, goback = 5;
    } else if (size < 0x40000) {
        check1 = 0xffff8180u, check2 = 0xfffff980u, goback = 7;
    } else {
        check1 = 0xffff8300u, check2 = 0xfffffb00u, goback = 8;
    }
    j->b[dst++] = j->b[s.src++];
    size--;
    while (size > 0) {
        if ((b = pt_bit(&s)) < 0)
            return -1;
        if (!b) {
            if (!pk_inside(j->n, s.src, 1) || !pk_inside(j->n, dst, 1))
                return -1;
            j->b[dst++] = j->b[s.src++] ^ (uint8_t)size;
            size--;
            continue;
        }
        add = 0;
        back++;
        if (pt_gamma(&s, &back) < 0)
            return -1;
        back -= 3;
        if (back >= 0) {
            for (uint32_t k = 0; k < goback; k++) {
                if ((b = pt_bit(&s)) < 0 || back >= INT_MAX / 2)
                    return -1;
                back = back * 2 + b;
            }
            back = -(back + 1); /* back ^ 0xffffffff */
            add += 1 + (back < (int32_t)check2) + (back < (int32_t)check1);
            oldback = back;
            bsize = 0;
        } else {
            bsize = back + 1; /* the last distance again */
            back = oldback;
        }
        for (int k = 0; k < 2; k++) {
            if ((b = pt_bit(&s)) < 0)
                return -1;
            bsize = bsize * 2 + b;
        }
        if (!bsize) {
            bsize = 1;
            if (pt_gamma(&s, &bsize) < 0)
                return -1;
            bsize += 2;
        }
        bsize += add;
        if (bsize > size || !pk_inside(j->n, dst, bsize) || !pk_inside(j->n, dst + back, bsize))
            return -1;
        size -= (uint32_t)bsize;
        for (int64_t k = 0; k < bsize; k++, dst++)
            j->b[dst] = j->b[dst + back];
        back = 0;
    }
    *end = dst;
    return 0;
}

/* Counts n more bytes written; -1 past the budget. */
static int pt_spend(struct pt_job *j, uint64_t n)
{
    j->work += n;
    return j->work > PT_WORK(j->n) ? -1 : 0;
}

/* The packer's code at the end of the last section decompressed: cut it
 * off, and read the encrypted entry point and the import table's rva. */
static void pt_strip(struct pt_job *j, int64_t end)
{
    struct pe_rebuild_sect *u = &j->us[j->nus - 1];
    int64_t m = end - j->grown + 5 + 0x4f, t;
    uint32_t reloc = 0, t1, t2;

    if (u->rsz > j->grown && pk_inside(j->n, m, 8) && pk_rd32(j->b + m) == 0x645ec033 &&
        pk_rd32(j->b + m + 4) == 0x1b8b188b) {
        reloc = 0;
    } else if (u->rsz > j->grown + j->skew && pk_inside(j->n, m - j->skew, 8) &&
               pk_rd32(j->b + m - j->skew) == 0x645ec033 &&
               pk_rd32(j->b + m - j->skew + 4) == 0x1b8b188b) {
        reloc = j->skew; /* the original file had relocations */
    } else {
        return;
    }
    t = end - j->grown + 0x0f - 8 - reloc;
    if (!pk_inside(j->n, t, 8))
        return;
    t1 = pk_rd32(j->b + t) ^ 0x9d6661aa;
    t2 = pk_rd32(j->b + t + 4) ^ 0xe908c483;
    t = end - j->grown + 0x0f - reloc;
    if (t1 == t2 && pk_inside(j->n, t, 0x1c0 - 0x0f + 4)) {
        j->irva = pk_rd32(j->b + t + 0x112);
        j->enc_ep = pk_rd32(j->b + t) ^ t1;
        j->mangled = pk_rd32(j->b + t + 0x1b1) != 0x90909090;
    }
    u->rsz -= j->grown + reloc;
}

/* A table entry naming a section to decompress, at p; 0 on success. */
static int pt_section(struct pt_job *j, int64_t p, uint32_t srva)
{
    uint32_t size = pk_rd32(j->b + p + 4), rva = pk_rd32(j->b + p + 8), q;
    struct pe_rebuild_sect *u;
    int64_t src, dst, end;

    if (j->nus >= PT_MAX_SECTIONS)
        return -1;
    u = &j->us[j->nus];
    u->rva = rva;
    u->rsz = size;
    u->vsz = (int32_t)(j->bottom - rva) > 0 ? j->bottom - rva : size;
    u->raw = 0;
    if (!size) { /* a ghost section */
        j->nus++;
        return 0;
    }
    src = pt_win(j, srva, 0, 1);
    dst = pt_win(j, rva, 0, 1);
    for (q = 0; q < j->nsect; q++) {
        const struct pe_sect *s = &j->pe->sect[q];

        if (!pt_contained32(s->rva, s->vsz, u->rva, u->vsz))
            continue;
        if (!j->check4res) { /* may start inside an original section */
            u->rva = s->rva;
            u->rsz = rva - s->rva + size;
        }
        break;
    }
    if (q == j->nsect || src < 0 || dst < 0)
        return -1;
    j->nus++;
    if (pt_inflate(j, src, dst, size, &end) < 0 || pt_spend(j, (uint64_t)(end - dst)) < 0)
        return -1;
    pt_strip(j, end);
    j->check4res++;
    return 0;
}

/* The original entry point from the encrypted one and the import table
 * into *ep (the first section's address when the table cannot be walked
 * to its end, as clamscan 1.4); -1 when the table is too long. */
static int pt_entry(struct pt_job *j, uint32_t *ep)
{
    uint32_t ib = j->pe->imagebase, va = j->pe->vep + 5 + ib, api;
    uint32_t last = j->pe->sect[j->nsect - 1].rva, enc = j->enc_ep;
    int64_t th = (int64_t)j->irva - j->minrva, im;
    uint64_t steps = 0;
    int rndm = 0, more = 1, done = 0;

    if (j->version != 2)
        done = 1;
    while (j->version == 2 && more && pk_inside(j->n, th, 4)) {
        if (!pk_rd32(j->b + th)) {
            done = 1;
            break;
        }
        im = (int64_t)pk_rd32(j->b + th) - j->minrva; /* outside: no entry read */
        th += 4;
        more = 0;
        while (pk_inside(j->n, im, 4)) {
            if (++steps > PT_MAX_IMPORTS)
                return -1;
            api = pk_rd32(j->b + im);
            im += 4;
            if (!api) {
                more = 1;
                break;
            }
            if (!(api & 0x80000000u) && j->mangled && --rndm < 0) {
                api = va;
                va += 5;
                rndm = va & 7;
            } else {
                api = 0xbff01337u;
            }
            if (last + ib < api)
                enc--;
            if (api < va)
                enc--;
            enc = (enc & 7) << 29 | (enc >> 3 & 0x1fffffff);
        }
    }
    *ep = done ? j->pe->vep + 5 + enc : j->us[0].rva;
    return 0;
}

/* The table done: sort, size and pack the sections, then rebuild. */
static int pt_finish(struct pt_job *j, size_t max, uint8_t **out, size_t *outlen)
{
    uint32_t ep = j->enc_ep;
    int upd = 1, t;

    if (j->nus <= 0)
        return 0;
    while (upd) { /* a bubble sort by rva, as ClamAV's */
        upd = 0;
        for (t = 0; t < j->nus - 1; t++) {
            struct pe_rebuild_sect x = j->us[t];

            if (x.rva <= j->us[t + 1].rva)
                continue;
            j->us[t].rva = j->us[t + 1].rva, j->us[t].rsz = j->us[t + 1].rsz;
            j->us[t].vsz = j->us[t + 1].vsz;
            j->us[t + 1].rva = x.rva, j->us[t + 1].rsz = x.rsz, j->us[t + 1].vsz = x.vsz;
            upd = 1;
        }
    }
    for (t = 0; t < j->nus - 1; t++)
        j->us[t].vsz = j->us[t + 1].rva - j->us[t].rva;
    if (j->enc_ep && pt_entry(j, &ep) < 0)
        return 0;
    for (t = 0; t < j->nus; t++) {
        int64_t src;
        uint64_t raw = t ? (uint64_t)j->us[t - 1].raw + j->us[t - 1].rsz : 0;

        if (raw > UINT32_MAX)
            return 0;
        j->us[t].raw = (uint32_t)raw;
        if (!j->us[t].rsz)
            continue;
        src = pt_win(j, j->us[t].rva, 0, j->us[t].rsz);
        if (src < 0 || !pk_inside(j->n, j->us[t].raw, j->us[t].rsz))
            return 0;
        memmove(j->b + j->us[t].raw, j->b + src, j->us[t].rsz);
    }
    return pe_rebuild(j->b, (size_t)j->n, j->us, (unsigned)j->nus, j->pe->imagebase, ep,
                      j->pe->ndirs > 2 ? j->pe->dir_rva[2] : 0,
                      j->pe->ndirs > 2 ? j->pe->dir_size[2] : 0, 0, max, out, outlen);
}

/* petite_inflate2x_1to9 over the image in j; returns pe_rebuild's result
 * (1 with the rebuilt PE) or 0 when the data is damaged. */
static int pt_unpack(struct pt_job *j, size_t max, uint8_t **out, size_t *outlen)
{
    int64_t p = pt_win(j, j->pe->sect[j->nsect - 1].rva, j->version == 2 ? 0x1b8 : 0x178, 4);

    if (p < 0)
        return 0;
    for (;;) { /* every entry moves p forward inside the image */
        uint32_t srva, size;

        if (!pk_inside(j->n, p, 4))
            return 0;
        if (!(srva = pk_rd32(j->b + p)))
            return pt_finish(j, max, out, outlen);
        if (!pk_inside(j->n, p + 4, 8))
            return 0;
        size = srva & 0x7fffffffu;
        if (srva != size) { /* packed dwords moved to the end of their area */
            int64_t src, dst, n = (int64_t)size * 4;

            j->check4res = 0;
            j->bottom = pk_rd32(j->b + p + 8);
            if (j->bottom > UINT32_MAX - 4 || size == 0)
                return 0;
            j->bottom += 4;
            src = pt_win(j, pk_rd32(j->b + p + 4), -(n - 4), n);
            dst = pt_win(j, pk_rd32(j->b + p + 8), -(n - 4), n);
            if (src < 0 || dst < 0 || pt_spend(j, (uint64_t)n) < 0)
                return 0;
            memmove(j->b + dst, j->b + src, (size_t)n);
            p += 0x0c;
        } else {
            if (pt_section(j, p, srva) < 0)
                return 0;
            p += 0x10;
        }
    }
}

/* Which Petite cli_scanpe sees at the entry point (2, 1) or 0. */
static int pt_version(const uint8_t *ep, const struct pe_info *pe)
{
    uint32_t n = pe->nsect, v;

    if (ep[0] != 0xb8)
        return 0;
    v = pk_rd32(ep + 1);
    if (v == pe->sect[n - 1].rva + pe->imagebase)
        return 2;
    if (n >= 2 && v == pe->sect[n - 2].rva + pe->imagebase)
        return 1;
    return 0;
}

int petite_unpack(const uint8_t *buf, size_t len, const struct pe_info *pe, size_t max,
                  uint8_t **out, size_t *outlen)
{
    struct pt_job *j = NULL;
    const uint8_t *ep;
    size_t epn;
    uint32_t lo = 0, hi = 0, i;
    int version, rc = 0;

    *out = NULL;
    *outlen = 0;
    if (pe->nsect == 0 || !(ep = pk_epbuf(buf, len, pe, &epn)) ||
        !(version = pt_version(ep, pe)) || pk_rd32(ep + 0x80) == 0x163c988d)
        return 0;
    for (i = 0; i < pe->nsect; i++) { /* cli_peheader's min and max */
        const struct pe_sect *s = &pe->sect[i];

        if (!i || s->rva < lo)
            lo = s->rva;
        if (!i || s->rva + s->rsz > hi)
            hi = s->rva + s->rsz;
    }
    if (hi - lo == 0 || hi - lo > PT_MAX_IMAGE || hi - lo > max)
        return 0;
    if (!(j = calloc(1, sizeof *j)))
        return -1;
    j->n = hi - lo;
    j->minrva = lo;
    j->pe = pe;
    j->nsect = pe->nsect - (version == 1);
    j->version = version;
    j->grown = version == 1 ? 0x323 : 0x355;
    j->skew = version == 1 ? 0x34 : 0x35;
    if (!(j->b = calloc((size_t)j->n, 1))) {
        free(j);
        return -1;
    }
    for (i = 0; i < pe->nsect; i++) {
        const struct pe_sect *s = &pe->sect[i];
        int64_t at = (int64_t)s->rva - lo;

        if (!s->raw)
            continue;
        if (!s->rsz || !pk_inside(j->n, at, s->ursz) || s->raw > len || s->ursz > len - s->raw)
            goto out;
        memcpy(j->b + at, buf + s->raw, s->ursz);
    }
    rc = pt_unpack(j, max, out, outlen);
out:
    free(j->b);
    free(j);
    return rc;
}
