/* wwpack.c - WWPack32-packed PE files unpacked as clamscan 1.4 does
 * (libclamav pe.c cli_scanpe's WWPack branch and wwunpack.c), so that the
 * image scanned is the object clamscan scans and hash signatures agree.
 *
 * Recognition (cli_scanpe): two or more sections, the entry point at the
 * start of the last one (the packer's), the loader's code "53 55 8b e8 33
 * db eb" at the entry point and "e8 00 00 00 00 58 2d 6d ..." 0x68 bytes
 * in. The image is the headers and every section but the last copied to
 * their virtual addresses. A table of 17-byte records 0x2a1 bytes into the
 * packer's section names each compressed block (its source delta, size in
 * dwords and end); each block is decoded in place by the bit-stream LZ
 * scheme below until a WORD back-copy with the distance code 0x1ff. Then
 * the PE header loses the packer's section: NumberOfSections, the entry
 * point (from the loader's data at 0x295), SizeOfImage and each section
 * header's sizes are rewritten. The image is not rebuilt further.
 *
 * Limits: the image is at most WW_MAX_IMAGE bytes (and the scan layer's
 * budget); every read and write is bounded by its buffer, in 64 bits; the
 * blocks together may write and read at most WW_WORK(image size) bytes
 * (real files decode disjoint blocks), so that a hostile table cannot make
 * the same data decode again and again. */
#include "unpack/wwpack.h"

#include <stdlib.h>
#include <string.h>

#include "scan/pe.h"
#include "unpack/packer.h"

#define WW_MAX_IMAGE ((uint32_t)256 << 20)
#define WW_WORK(n) (4 * (uint64_t)(n) + 65536)

static const uint8_t ww_ep0[7] = {0x53, 0x55, 0x8b, 0xe8, 0x33, 0xdb, 0xeb};
static const uint8_t ww_ep68[19] = {0xe8, 0x00, 0x00, 0x00, 0x00, 0x58, 0x2d,
                                    0x6d, 0x00, 0x00, 0x00, 0x50, 0x60, 0x33,
                                    0xc9, 0x50, 0x58, 0x50, 0x50};

/* The image being decoded and one block's compressed bits. */
struct ww_job {
    uint8_t *exe; /* the image, exesz bytes */
    int64_t exesz;
    const uint8_t *cd; /* a copy of the block's compressed bytes */
    int64_t cdsz, cc;  /* its size, the read position */
    int64_t uc;        /* the write position in exe */
    uint32_t bt;       /* the bit buffer, next bit at the top */
    unsigned bc;       /* bits left in bt */
    int error;
};

/* Refills the bit buffer with the next dword (RESEED). */
static void ww_reseed(struct ww_job *j)
{
    if (pk_inside(j->cdsz, j->cc, 4)) {
        j->bt = pk_rd32(j->cd + j->cc);
        j->cc += 4;
    } else {
        j->error = 1;
    }
    j->bc = 32;
}

static uint32_t ww_bit(struct ww_job *j)
{
    uint32_t b = j->bt >> 31;

    j->bt <<= 1;
    if (--j->bc == 0)
        ww_reseed(j);
    return b;
}

/* The next n (1..15) bits, across a dword boundary as the loader does. */
static uint32_t ww_bits(struct ww_job *j, unsigned n)
{
    uint32_t b = j->bt >> (32 - n);

    if (j->bc >= n) {
        j->bc -= n;
        j->bt <<= n;
        if (j->bc == 0)
            ww_reseed(j);
    } else if (pk_inside(j->cdsz, j->cc, 4)) {
        j->bt = pk_rd32(j->cd + j->cc);
        j->cc += 4;
        j->bc += 32 - n;
        b |= j->bt >> j->bc;
        j->bt <<= 32 - j->bc;
    } else {
        j->error = 1;
    }
    return b;
}

/* Copies len bytes from dist back, byte by byte (the areas may overlap). */
static void ww_copy(struct ww_job *j, int64_t dist, int64_t len)
{
    int64_t from = j->uc - dist;

    if (!pk_inside(j->exesz, j->uc, len) || !pk_inside(j->exesz, from, len)) {
        j->error = 1;
        return;
    }
    for (int64_t k = 0; k < len; k++)
        j->exe[j->uc + k] = j->exe[from + k];
    j->uc += len;
}

/* A WORD back-copy; returns 1 at the end-of-block code. */
static int ww_word(struct ww_job *j)
{
    uint32_t b = ww_bits(j, 2), shift = b + 5, sub = 31, dist;

    if (b >= 2) {
        shift++;
        sub += 0x80;
    }
    dist = ((uint32_t)1 << shift) - sub;
    b = ww_bits(j, shift);
    if (j->error || b == 0x1ff)
        return 1;
    ww_copy(j, (int64_t)(dist + b), 2);
    return 0;
}

/* The length of a BLOCK back-copy whose first code was 0. */
static uint32_t ww_length(struct ww_job *j)
{
    uint32_t b, cnt = 4, base = 0x0d;

    if (!ww_bit(j))
        return ww_bit(j) + 5;
    if ((b = ww_bits(j, 3)) != 0)
        return b + 6;
    if ((b = ww_bits(j, 4)) != 0)
        return b + 13;
    for (;;) {
        if (cnt == 7) {
            cnt = 0x0e;
            base = 0;
            break;
        }
        base = ((base + 2) << 1) - 1;
        cnt++;
        if (ww_bit(j))
            break;
    }
    return ww_bits(j, cnt) + base;
}

/* A BLOCK back-copy; saved is the 2-bit code read before it (0..2). */
static void ww_block(struct ww_job *j, uint32_t saved)
{
    uint32_t b = ww_bits(j, 3), n, dist;

    if (b < 6) {
        if (b <= 2)
            n = b + 5;
        else if (b == 3)
            n = 8 + ww_bit(j);
        else if (b == 4)
            n = 10 + ww_bit(j);
        else
            n = 12;
        dist = ww_bits(j, n) + ((uint32_t)1 << n) - 31;
    } else if (b == 6) {
        dist = ww_bits(j, 14) + 0x1fe1;
    } else {
        dist = ww_bits(j, 15) + 0x5fe1;
    }
    n = saved ? saved + 2 : ww_length(j);
    if (!j->error)
        ww_copy(j, dist, n);
}

/* Decodes one block into exe at uc until its end code; 0 on success. */
static int ww_decode(struct ww_job *j)
{
    ww_reseed(j);
    while (!j->error) {
        uint32_t b;

        if (!ww_bit(j)) {
            if (j->error || j->cc >= j->cdsz || !pk_inside(j->exesz, j->uc, 1))
                j->error = 1;
            else
                j->exe[j->uc++] = j->cd[j->cc++];
            continue;
        }
        if ((b = ww_bits(j, 2)) == 3) {
            if (ww_word(j))
                break;
            continue;
        }
        ww_block(j, b);
    }
    return j->error;
}

/* Decodes the blocks the packer's table names, in place in exe[0..exesz).
 * ws[0..wsz) is the packer's section, whose rva is rva. Returns 0 on
 * success, 1 when a block is damaged, -1 when out of memory. */
static int ww_blocks(uint8_t *exe, uint32_t exesz, const uint8_t *ws, uint32_t wsz,
                     uint32_t rva)
{
    int64_t s = 0x2a1;
    uint64_t work = 0;
    struct ww_job j;

    for (;;) {
        uint32_t src, szd, end;
        int64_t at;
        uint8_t *copy;

        if (!pk_inside(wsz, s, 17))
            return 0;
        src = rva - pk_rd32(ws + s);
        szd = pk_rd32(ws + s + 8) * 4;
        end = pk_rd32(ws + s + 12);
        s += 16;
        at = (int64_t)src + end + 4 - szd;
        if (!szd || !pk_inside(exesz, at, szd))
            return 0;
        if ((work += (uint64_t)szd * 2) > WW_WORK(exesz))
            return 1;
        if (!(copy = malloc(szd)))
            return -1;
        memcpy(copy, exe + at, szd);
        memset(exe + at, 0xff, szd);
        j = (struct ww_job){exe, exesz, copy, szd, 0, at, 0, 0, 0};
        ww_decode(&j);
        free(copy);
        if (j.error)
            return 1;
        if (!ws[s++])
            return 0;
    }
}

/* The PE header without the packer's section (n sections remain). */
static int ww_fix_header(uint8_t *exe, uint32_t exesz, const uint8_t *ws, uint32_t wsz,
                         const struct pe_info *pe, uint32_t n)
{
    const struct pe_sect *last = &pe->sect[n];
    int64_t h = pe->lfanew, t;

    if (h + 0x54 > exesz)
        return 1;
    exe[h + 6] = (uint8_t)n;
    exe[h + 7] = (uint8_t)(n >> 8);
    if (pk_inside(wsz, 0x295, 4))
        pk_wr32(exe + h + 0x28, pk_rd32(ws + 0x295) + last->rva + 0x299);
    pk_wr32(exe + h + 0x50, pk_rd32(exe + h + 0x50) - last->vsz);
    t = h + 0x18 + (pk_rd32(exe + h + 0x14) & 0xffff);
    for (uint32_t i = 0; i < n; i++, t += 0x28) {
        if (!pk_inside(exesz, t, 0x28))
            return 1;
        pk_wr32(exe + t + 8, pe->sect[i].vsz);
        pk_wr32(exe + t + 12, pe->sect[i].rva);
        pk_wr32(exe + t + 16, pe->sect[i].vsz);
        pk_wr32(exe + t + 20, pe->sect[i].rva);
    }
    if (!pk_inside(exesz, t, 0x28))
        return 1;
    memset(exe + t, 0, 0x28);
    return 0;
}

/* Whether cli_scanpe takes the file for WWPack. */
static int ww_recognise(const uint8_t *buf, size_t len, const struct pe_info *pe)
{
    size_t epn;
    const uint8_t *ep = pk_epbuf(buf, len, pe, &epn);

    return ep && pe->nsect > 1 && pe->vep == pe->sect[pe->nsect - 1].rva &&
           memcmp(ep, ww_ep0, sizeof ww_ep0) == 0 &&
           memcmp(ep + 0x68, ww_ep68, sizeof ww_ep68) == 0;
}

int wwpack_unpack(const uint8_t *buf, size_t len, const struct pe_info *pe, size_t max,
                  uint8_t **out, size_t *outlen)
{
    const struct pe_sect *last;
    uint32_t head, ssize = 0, n, i;
    uint8_t *exe;
    int rc;

    *out = NULL;
    *outlen = 0;
    if (!ww_recognise(buf, len, pe))
        return 0;
    n = pe->nsect - 1;
    last = &pe->sect[n];
    head = last->raw;
    for (i = 0; i < n; i++) {
        if (pe->sect[i].raw < head)
            head = pe->sect[i].raw;
        if (ssize < pe->sect[i].rva + pe->sect[i].vsz) /* 32 bits, as ClamAV */
            ssize = pe->sect[i].rva + pe->sect[i].vsz;
    }
    if (!head || !ssize || head > ssize || ssize > WW_MAX_IMAGE || ssize > max ||
        head > len || !last->rsz || last->raw > len || last->rsz > len - last->raw)
        return 0;
    if (!(exe = calloc(ssize, 1)))
        return -1;
    memcpy(exe, buf, head);
    for (i = 0; i < n; i++) {
        const struct pe_sect *s = &pe->sect[i];

        if (!s->rsz)
            continue;
        if (!pk_inside(ssize, s->rva, s->rsz) || s->raw > len || s->rsz > len - s->raw)
            break;
        memcpy(exe + s->rva, buf + s->raw, s->rsz);
    }
    rc = i == n ? ww_blocks(exe, ssize, buf + last->raw, last->rsz, last->rva) : 1;
    if (rc == 0)
        rc = ww_fix_header(exe, ssize, buf + last->raw, last->rsz, pe, n);
    if (rc != 0) {
        free(exe);
        return rc < 0 ? -1 : 0;
    }
    *out = exe;
    *outlen = ssize;
    return 1;
}
