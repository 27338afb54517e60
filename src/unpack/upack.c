/* upack.c - Upack-packed PE files (Upack 0.39 in its 3-section and
 * 2-section forms, the 0151477 and 0297729 variants, Upack 1.1/1.2),
 * unpacked and rebuilt as clamscan 1.4 does (libclamav pe.c cli_scanpe's
 * Upack branch, upack.c unupack), so that the child scanned is the same
 * object clamscan scans and hash signatures agree.
 *
 * Recognition (cli_scanpe): an optional header of 0x148 bytes ("upack")
 * with 3 sections and "mov esi; lodsd; push eax" or "mov esi; push [esi]"
 * at the entry point; or any other PE32 with 2 sections, an empty section
 * followed by a full one (as for UPX), and "pusha; call $+9" or
 * "mov esi; lodsd; mov edi, eax" there. The image is the sections laid out
 * as cli_scanpe reads them; the loader's own code in it tells where the
 * LZMA coder's block, the packed data and the output are, and the context
 * bits. The LZMA is Upack's own (upacklzma.c). Then the call/jmp targets
 * the loader would fix are fixed, and the output is rebuilt as one section
 * (pe_rebuild, ClamAV's cli_rebuildpe).
 * Pointer arithmetic is ClamAV's: where it adds a 32-bit value to a
 * pointer the offset wraps at 32 bits, where it adds a signed one it may
 * go negative (and is then never inside the buffer).
 * Limits: the image is at most UPACK_MAX_IMAGE bytes and the scan layer's
 * budget; every access is checked against the buffer in 64 bits; the call
 * fix-up and every copy loop are bounded by the buffer. */
#include "unpack/upack.h"

#include <stdlib.h>
#include <string.h>

#include "scan/pe.h"
#include "unpack/rebuildpe.h"
#include "unpack/upacklzma.h"

/* Largest image vigil unpacks. */
#define UPACK_MAX_IMAGE ((uint32_t)256 << 20)

enum upack_ver { UPACK_399, UPACK_11_12, UPACK_0151477, UPACK_0297729 };

/* The image and what the loader setup found in it. */
struct up {
    uint8_t *b;
    uint32_t size;
    int three; /* the 3-section form ("upack" in ClamAV) */
    enum upack_ver ver;
    uint32_t vma, ep, base, va;
    const uint8_t *epb; /* 168 bytes at the entry point */
    struct upack_lz lz;
    int64_t alvalue, pushed;
    uint32_t save3, oep;
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

/* CLI_ISCONTAINED(dest, dsize, dest + off, n). */
static int ok(const struct up *u, int64_t off, int64_t n)
{
    return n > 0 && n <= (int64_t)u->size && off >= 0 && off <= (int64_t)u->size - n;
}

/* A read ClamAV makes at off, as a signed (int32) or unsigned value. */
static int64_t s32(const struct up *u, int64_t off)
{
    return (int32_t)rd32(u->b + off);
}

/* The coder's block: 6 words then count probabilities of 0x400 (the
 * words as the loader leaves them: range -1, low 0, distances 1). */
static void init_block(struct up *u, int64_t at, uint32_t count)
{
    wr32(u->b + at, 0xffffffffu);
    wr32(u->b + at + 4, 0);
    for (int j = 0; j < 4; j++)
        wr32(u->b + at + 8 + 4 * j, 1);
    for (uint32_t j = 0; j < count; j++)
        wr32(u->b + at + 24 + 4 * (int64_t)j, 0x400);
}

/* The 3-section form's loader, up to the jump into the unpacking code:
 * sets alvalue, the count and the context bits. Returns -1 or 0. */
static int three_loader(struct up *u, int64_t *esi, uint32_t *count, uint32_t *lc)
{
    int64_t al;
    uint32_t lngjmp, shl, aljump = 8, shroff = 24;

    if (u->ver == UPACK_399) {
        if (!ok(u, (int64_t)u->ep + 0xa, 2) || u->b[u->ep + 0xa] != 0xeb)
            return -1;
        *esi = (int8_t)u->b[u->ep + 0xb] + (int64_t)u->ep + 0xc;
        al = *esi + 0x1a;
        if (!ok(u, al, 2) || u->b[al] != 0xeb)
            return -1;
        al++;
        al += u->b[al] + 1 + 0xa;
        lngjmp = 8;
    } else {
        if (!ok(u, (int64_t)u->ep + 7, 5) || u->b[u->ep + 7] != 0xe9)
            return -1;
        *esi = s32(u, (int64_t)u->ep + 8) + u->ep + 0xc;
        al = *esi + 0x25;
        lngjmp = 10;
    }
    if (!ok(u, al, 2) || u->b[al] != 0xb5)
        return -1;
    al++;
    *count = u->b[al];
    if (!ok(u, al, lngjmp + 5) || u->b[al + lngjmp] != 0xe9)
        return -1;
    shl = rd32(u->b + al + lngjmp + 1);
    if (u->ver == UPACK_399)
        shl = (uint32_t)(shl + *esi + (int8_t)u->b[*esi + 0x1b] + 0x1c + 0x18);
    else
        shl = (uint32_t)(shl + *esi + 0x35);
    al = (int64_t)shl + 43;
    if (!ok(u, al - 1, 2) || u->b[al - 1] != 0xe3) {
        al = (int64_t)shl + 46;
        if (!ok(u, al - 1, 2) || u->b[al - 1] != 0xe3)
            return -1;
        if (u->ver != UPACK_0297729)
            u->ver = UPACK_0151477;
        aljump = 7;
        shroff = 26;
    }
    al += u->b[al] + 1;
    if (!ok(u, al, aljump + 5) || u->b[al + aljump] != 0xe9)
        return -1;
    al += (uint32_t)(rd32(u->b + al + aljump + 1) + aljump + 1 + 4 + 27);
    if (u->ver == UPACK_0297729)
        al += 2;
    if (!ok(u, (int64_t)shl + shroff, 3) || u->b[shl + shroff] != 0xc1 ||
        u->b[shl + shroff + 1] != 0xed)
        return -1;
    *lc = u->b[shl + shroff + 2];
    *count *= 0x100;
    if (*lc < 2 || *lc > 8)
        return -1;
    u->alvalue = al;
    return 0;
}

/* unupack's 3-section setup: copies the loader's tables, builds the
 * coder's block and finds the output. Returns -1 or 0. */
static int three_setup(struct up *u)
{
    int64_t esi, edi, lesi;
    uint32_t count, lc, n, span;

    if (u->epb[5] == 0xff && u->epb[6] == 0x36)
        u->ver = UPACK_0297729;
    lesi = (uint32_t)(rd32(u->epb + 1) - u->vma);
    if (!ok(u, lesi, 12))
        return -1;
    u->oep = rd32(u->b + lesi) - u->vma;
    lesi += 8;
    edi = (uint32_t)(rd32(u->b + lesi) - u->vma);
    if (three_loader(u, &esi, &count, &lc) < 0)
        return -1;
    if (u->ver == UPACK_0297729) {
        if (!ok(u, esi + 6, 10) || u->b[esi + 6] != 0xbe || u->b[esi + 11] != 0xbf)
            return -1;
        if (rd32(u->b + esi + 7) < u->base || rd32(u->b + esi + 7) > u->vma)
            return -1;
        edi = (uint32_t)(rd32(u->b + esi + 12) - u->vma);
        esi = (uint32_t)(rd32(u->b + esi + 7) - u->base);
        n = 0x16;
        span = 0x64;
    } else {
        if (!ok(u, esi + 7, 5) || u->b[esi + 7] != 0xbe)
            return -1;
        esi = (uint32_t)(rd32(u->b + esi + 8) - u->vma);
        n = 0x27;
        span = 0x34;
    }
    if (!ok(u, edi, 4 * (int64_t)n + 24 + 4 * (int64_t)count) ||
        !ok(u, esi, 4 * (int64_t)n + span + 4))
        return -1;
    for (uint32_t j = 0; j < n; j++, esi += 4, edi += 4)
        wr32(u->b + edi, rd32(u->b + esi));
    u->save3 = rd32(u->b + esi + 4);
    u->lz.in = (int64_t)rd32(u->b + edi - 4) - u->vma;
    u->lz.ebx = edi;
    init_block(u, edi, count);
    if (u->ver == UPACK_0297729) {
        u->lz.edi = (int64_t)u->vma - u->base;
        u->lz.end = s32(u, esi + 0x64) - u->vma;
        u->save3 = rd32(u->b + esi + 0x40);
    } else {
        u->lz.edi = s32(u, esi + 0xc) - u->vma;
        u->lz.end = s32(u, esi + 0x34) - u->vma;
    }
    u->pushed = u->lz.edi;
    u->lz.lc = lc;
    return u->lz.edi > u->lz.end ? -1 : 0;
}

/* unupack's 2-section Upack 0.39 setup, from the loader at esi. */
static int two_setup_399(struct up *u, int64_t esi, uint32_t count)
{
    int64_t edi, save2, ebx;
    uint32_t ecx, ebx_u, fill;
    int64_t j;

    esi += 4;
    ecx = rd32(u->b + esi + 2);
    wr32(u->b + esi + 2, 0);
    if (!ecx)
        return -1;
    esi -= (uint32_t)(ecx - 2);
    if (!ok(u, esi, 12))
        return -1;
    ebx_u = (uint32_t)(esi - (s32(u, esi) - u->base));
    esi += 4;
    save2 = edi = s32(u, esi) - u->base;
    esi += 4;
    j = s32(u, esi);
    if (j <= 0 || ((uint64_t)count + (uint64_t)j) * 4 > UINT32_MAX)
        return -1;
    esi += 4;
    if (!ok(u, esi, j * 4) || !ok(u, edi, (j + (int64_t)count) * 4))
        return -1;
    for (; j--; edi += 4, esi += 4)
        wr32(u->b + edi, rd32(u->b + esi));
    if (!ok(u, save2, 8))
        return -1;
    ecx = rd32(u->b + save2);
    save2 += 4;
    {
        /* "do esi += ebx_u + 4 while (--ecx)": ecx 0 means 2^32 times. */
        uint64_t times = ecx ? ecx : (uint64_t)1 << 32, step = (uint64_t)ebx_u + 4;
        if (step && times > (uint64_t)INT64_MAX / step)
            return -1;
        if ((uint64_t)save2 + times * step > (uint64_t)INT64_MAX)
            return -1;
        esi = save2 + (int64_t)(times * step);
    }
    if (!ok(u, esi, 4))
        return -1;
    fill = rd32(u->b + esi);
    esi += 4;
    for (uint32_t k = 0; k < count; k++, edi += 4)
        wr32(u->b + edi, fill);
    if (!ok(u, esi + 0x10, 4))
        return -1;
    wr32(u->b + esi + 0x10, rd32(u->b + esi + 0x10) + ebx_u);
    ebx = esi + 0x14;
    esi = save2;
    u->lz.edi = (int64_t)rd32(u->b + esi) - u->base;
    esi += 4;
    if (!ok(u, ebx - 4, 12 + 16) || !ok(u, esi + 0x24, 4) || !ok(u, esi + 0x40, 4))
        return -1;
    u->lz.in = s32(u, ebx - 4) - u->base;
    u->pushed = u->lz.edi;
    u->lz.end = s32(u, esi + 0x24) - u->base;
    fill = rd32(u->b + ebx);
    wr32(u->b + ebx, rd32(u->b + ebx + 4));
    wr32(u->b + ebx + 4, fill);
    u->lz.ebx = ebx;
    u->lz.ecx = u->lz.eax = 0;
    u->save3 = (uint32_t)(esi + 0x40); /* where save3 is read after decoding */
    return 0;
}

/* unupack's Upack 1.1/1.2 setup: the tables at 0x148 of the image. */
static int two_setup_11(struct up *u, uint32_t count)
{
    int64_t edi, ebx;

    if (!ok(u, 0x130, 0x148 + 0x10 - 0x130))
        return -1; /* ClamAV reads there unchecked */
    edi = s32(u, 0x148) - u->base;
    u->lz.in = (int64_t)rd32(u->b + 0x14c) - u->base;
    edi += 4;
    ebx = edi;
    if (((uint64_t)count + 6) * 4 > UINT32_MAX || !ok(u, edi, (6 + (int64_t)count) * 4))
        return -1;
    init_block(u, edi, count);
    u->lz.edi = s32(u, 0x150) - u->base;
    u->pushed = u->lz.edi;
    u->lz.end = s32(u, 0x130) - u->base;
    u->lz.ebx = ebx;
    u->lz.ecx = u->lz.eax = 0;
    return 0;
}

/* unupack's 2-section setup ("alternative begin"). */
static int two_setup(struct up *u)
{
    int64_t esi = (int64_t)u->vma + u->ep;
    uint32_t jmp = 0x217, rsc = 0x3a, cbo = 0x5f, count, lc;

    if (u->epb[0] == 0xbe && u->epb[5] == 0xad && u->epb[6] == 0x8b && u->epb[7] == 0xf8)
        u->ver = UPACK_11_12;
    u->alvalue = esi + 0x1c1;
    if (u->ver == UPACK_11_12) {
        jmp = 0x1a4;
        rsc = 0x1b;
        cbo = 0x41;
        u->alvalue = esi + 0x184;
    }
    if (!ok(u, esi, jmp + 4))
        return -1;
    u->oep = (uint32_t)(esi + jmp + 4) + rd32(u->b + esi + jmp);
    count = u->b[esi + rsc];
    lc = 8u - u->b[esi + cbo];
    if (lc < 2 || lc > 8)
        return -1;
    count *= 0x100;
    u->lz.lc = lc;
    if (u->ver == UPACK_399 ? two_setup_399(u, esi, count) : two_setup_11(u, count))
        return -1;
    return u->lz.edi > u->lz.end ? -1 : 0;
}

/* The loader's fix-up of call and jmp targets: save3 of them, those whose
 * first byte is the search value. Returns -1 or 0. */
static int fix_calls(struct up *u)
{
    uint32_t ecx = 0, left = u->save3;
    uint8_t sv;

    if (!ok(u, u->alvalue, 1))
        return -1;
    sv = u->b[u->alvalue];
    while (left) {
        int64_t at = u->pushed + ecx;
        if (!ok(u, at, 1))
            return -1;
        if (u->b[at] != 0xe8 && u->b[at] != 0xe9) {
            ecx++;
            continue;
        }
        ecx++;
        if (!ok(u, at + 1, 4))
            return -1;
        if (u->b[at + 1] != sv)
            continue;
        {
            uint8_t *p = u->b + at + 1;
            uint32_t v = (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
            wr32(p, v - ecx - 4);
        }
        ecx += 4;
        left--;
    }
    return 0;
}

/* unupack: the setup, the decoder, the fix-up and the rebuild. */
static int upack_run(struct up *u, size_t max, uint8_t **out, size_t *outlen)
{
    struct pe_rebuild_sect s;
    uint32_t rsz;
    int64_t off;

    u->lz.b = u->b;
    u->lz.size = u->size;
    if ((u->three ? three_setup(u) : two_setup(u)) < 0 || upack_lzma(&u->lz) < 0)
        return 0;
    if (!u->three) {
        if (u->ver == UPACK_399) {
            int64_t at = u->save3;
            if (!ok(u, at, 4))
                return 0;
            u->save3 = rd32(u->b + at);
        } else {
            u->save3 = rd32(u->b + (int64_t)u->vma + u->ep + 0x174);
        }
    }
    if (fix_calls(u) < 0)
        return 0;
    rsz = (uint32_t)(u->lz.end - u->lz.edi);
    if ((!u->three && (uint64_t)(uint32_t)(u->va + rsz) > u->size) ||
        (u->three && rsz > u->size))
        return 0;
    off = u->three ? 0 : u->va;
    if (off > u->size)
        return 0;
    s = (struct pe_rebuild_sect){u->va, rsz, 0, rsz};
    return pe_rebuild(u->b + off, u->size - (size_t)off, &s, 1, u->base, u->oep, 0, 0, 0,
                      max, out, outlen);
}

/* cli_scanpe's recognition of the entry point code. */
static int upack_ep(const struct pe_info *pe, const uint8_t *ep, int three, uint32_t min)
{
    uint32_t esi = rd32(ep + 1) - pe->imagebase;

    if (three)
        return pe->nsect == 3 && ep[0] == 0xbe && esi > min &&
               ((ep[5] == 0xad && ep[6] == 0x50) || (ep[5] == 0xff && ep[6] == 0x36));
    return pe->nsect == 2 && ((ep[0] == 0x60 && ep[1] == 0xe8 && rd32(ep + 2) == 9) ||
                              (ep[0] == 0xbe && esi < min && esi > 0 && ep[5] == 0xad &&
                               ep[6] == 0x8b && ep[7] == 0xf8));
}

/* UPX's "empty section followed by a full one", which the 2-section form
 * needs (cli_scanpe's `found`). */
static int upack_found(const struct pe_info *pe)
{
    for (uint32_t i = 0; i + 1 < pe->nsect; i++)
        if (!pe->sect[i].rsz && pe->sect[i].vsz && pe->sect[i + 1].rsz &&
            pe->sect[i + 1].vsz)
            return 1;
    return 0;
}

int upack_unpack(const uint8_t *buf, size_t len, const struct pe_info *pe, size_t max,
                 uint8_t **out, size_t *outlen)
{
    const struct pe_sect *s = pe->sect;
    struct up u;
    uint32_t min = UINT32_MAX, ssize, off, s1at;
    uint64_t dsize;
    int rc;

    *out = NULL;
    *outlen = 0;
    if (pe->pe32plus || pe->ep >= len || len - pe->ep < 168 || pe->nsect < 2)
        return 0;
    memset(&u, 0, sizeof u);
    u.three = pe->opt_size == 0x148;
    if (!u.three && !upack_found(pe))
        return 0;
    for (uint32_t i = 0; i < pe->nsect; i++)
        if (s[i].rva < min)
            min = s[i].rva;
    if (!upack_ep(pe, buf + pe->ep, u.three, min))
        return 0;
    if (u.three) {
        dsize = (uint64_t)s[0].vsz + s[1].vsz + s[2].vsz;
        ssize = s[0].ursz + s[0].uraw;
        off = s[0].rva;
        u.vma = pe->imagebase + s[0].rva;
    } else {
        dsize = (uint64_t)s[0].vsz + s[1].vsz + s[1].rva;
        ssize = s[1].uraw;
        off = 0;
        u.vma = s[1].rva - s[1].uraw;
    }
    dsize &= 0xffffffffu; /* ClamAV adds them as ints */
    if (dsize > UPACK_MAX_IMAGE || dsize > max || ssize > max || s[1].ursz > max)
        return 0;
    s1at = s[1].rva - off;
    if (!s[1].ursz || !dsize || s1at > dsize || s[1].ursz > dsize - s1at || ssize > dsize)
        return 0;
    if (u.three &&
        (!ssize || s[2].rva - s[0].rva > dsize || ssize > dsize - (s[2].rva - s[0].rva)))
        return 0;
    if (ssize > len || s[1].uraw > len || s[1].ursz > len - s[1].uraw)
        return 0;
    if (!(u.b = calloc((size_t)dsize, 1)))
        return -1;
    u.size = (uint32_t)dsize;
    memcpy(u.b, buf, ssize);
    if (u.three)
        memmove(u.b + (s[2].rva - s[0].rva), u.b, ssize);
    memcpy(u.b + s1at, buf + s[1].uraw, s[1].ursz);
    u.ep = pe->ep;
    u.base = pe->imagebase;
    u.va = s[0].rva;
    u.epb = buf + pe->ep;
    rc = upack_run(&u, max, out, outlen);
    free(u.b);
    return rc;
}
