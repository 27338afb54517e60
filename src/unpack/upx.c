/* upx.c - UPX-packed PE files (UPX 1.x-3.x, NRV2B/2D/2E), unpacked and
 * rebuilt into a PE as clamscan 1.4.6 does (libclamav pe.c cli_scanpe's
 * UPX branch, upx.c pefromupx), so that the child scanned is the same
 * object clamscan scans and hash signatures agree.
 *
 * Recognition (cli_scanpe): a section without raw data but with a virtual
 * size (UPX0) followed by one with both (UPX1); the decompressor is told by
 * the loader's code 0x69 (or 0x71) bytes after the entry point, and tried
 * with the "skew" the loader's first instruction gives, then without; then
 * every other decompressor at the start of UPX1 and 0x15 bytes in. The
 * NRV decompression itself is libucl's (ucl_nrv2?_decompress_safe_le32).
 * Rebuild (pefromupx): the original PE header is found through the
 * loader's import pointer (at one of three fixed offsets in the loader, or
 * by searching for "lea edi,[esi+imports]; mov eax,[edi]"), after the
 * import names; else by searching backwards for a "PE\0\0" header whose
 * section table fits; else a minimal PE header is made around the data.
 * Sections are then laid out one after the other, aligned to the original
 * SectionAlignment, behind ClamAV's own DOS stub. When the rebuild gives up
 * half-way the decompressed image is scanned as it stands, as ClamAV does.
 * LZMA (UPX 3 --lzma): the loader's code at EP+0x2f (or its two halves at
 * EP+0x39/0x45) gives the image size and the properties; liblzma's raw
 * LZMA1 decoder reads the data from 2 bytes into UPX1.
 * Not done: UPX on ELF.
 * Limits: the image is at most UPX_MAX_IMAGE bytes (and what the scan
 * layer's budget allows); every read and write is bounded by the buffers'
 * sizes, computed in 64 bits. */
#include "unpack/upx.h"

#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <ucl/ucl.h>

#include "scan/pe.h"
#include "unpack/rebuildpe.h"

/* Largest decompressed image vigil builds. */
#define UPX_MAX_IMAGE ((uint32_t)256 << 20)
/* Room ClamAV leaves behind the image for the rebuilt headers. */
#define UPX_HEADROOM 8192u

#define PEALIGN(o, a) ((a) ? (o) / (a) * (a) : (o))
#define PESALIGN(o, a) ((a) ? ((o) / (a) + ((o) % (a) != 0)) * (a) : (o))

/* The loader code that tells the decompressor (ClamAV's UPX_NRV2?). */
static const uint8_t sig_2b[24] = {0x11, 0xdb, 0x11, 0xc9, 0x01, 0xdb, 0x75, 0x07,
                                   0x8b, 0x1e, 0x83, 0xee, 0xfc, 0x11, 0xdb, 0x11,
                                   0xc9, 0x11, 0xc9, 0x75, 0x20, 0x41, 0x01, 0xdb};
static const uint8_t sig_2d[24] = {0x83, 0xf0, 0xff, 0x74, 0x78, 0xd1, 0xf8, 0x89,
                                   0xc5, 0xeb, 0x0b, 0x01, 0xdb, 0x75, 0x07, 0x8b,
                                   0x1e, 0x83, 0xee, 0xfc, 0x11, 0xdb, 0x11, 0xc9};
static const uint8_t sig_2e[24] = {0xeb, 0x52, 0x31, 0xc9, 0x83, 0xe8, 0x03, 0x72,
                                   0x11, 0xc1, 0xe0, 0x08, 0x8a, 0x06, 0x46, 0x83,
                                   0xf0, 0xff, 0x74, 0x75, 0xd1, 0xf8, 0x89, 0xc5};

/* The PE header ClamAV's UPX rebuild makes when it finds none (0x120 bytes,
 * one ".clam01" section), as libclamav upx.c defines it; it goes behind
 * the DOS stub every rebuilt PE starts with (pe_rebuild_stub). */
static const uint8_t fake_pe[0x120] = {
    0x50, 0x45, 0x00, 0x00, 0x4C, 0x01, 0x01, 0x00, 0x43, 0x4C, 0x41, 0x4D, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xE0, 0x00, 0x83, 0x8F, 0x0B, 0x01, 0x00, 0x00,
    0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00,
    0x00, 0x10, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x03, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF,
    0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x10, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x10, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2e, 0x63, 0x6c, 0x61,
    0x6d, 0x30, 0x31, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x10, 0x00, 0x00, 0xFF, 0xFF,
    0xFF, 0xFF, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
};

enum upx_method { UPX_2B, UPX_2D, UPX_2E, UPX_METHODS };

/* Where the loader keeps its pointer to the imports, per method. */
static const uint32_t magic_2b[] = {0x108, 0x110, 0xd5, 0};
static const uint32_t magic_2d[] = {0x11c, 0x124, 0};
static const uint32_t magic_2e[] = {0x128, 0x130, 0};
static const uint32_t magic_lzma[] = {0xb16, 0xb1e, 0};

/* The LZMA loader's code at EP+0x2f (UPX 3 --lzma), and its two halves at
 * EP+0x39 and EP+0x45 in the variant that names its own properties. */
static const uint8_t sig_lzma2[20] = {0x56, 0x83, 0xc3, 0x04, 0x53, 0x50, 0xc7,
                                      0x03, 0x03, 0x00, 0x02, 0x00, 0x90, 0x90,
                                      0x90, 0x90, 0x90, 0x55, 0x57, 0x56};
static const uint8_t sig_lzma1a[8] = {0x56, 0x83, 0xc3, 0x04, 0x53, 0x50, 0xc7, 0x03};
static const uint8_t sig_lzma1b[8] = {0x90, 0x90, 0x90, 0x55, 0x57, 0x56, 0x53, 0x83};

/* The decompression at hand: the packed data and the image buffer. */
struct upx_job {
    const uint8_t *src; /* packed data (UPX1 + skew) */
    uint32_t ssize;
    uint8_t *dst;   /* image; cap = dsize + UPX_HEADROOM bytes */
    uint32_t dsize; /* the image size (in: limit; out: size) */
    uint32_t upx0, upx1, ep;
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

/* CLI_ISCONTAINED on offsets: n bytes at off inside a buffer of size. */
static int inside(int64_t size, int64_t off, int64_t n)
{
    return size > 0 && n > 0 && n <= size && off >= 0 && off + n <= size;
}

/* checkpe: a PE header at off in the image whose section table fits;
 * returns the offset of the table or -1, and SectionAlignment and the count. */
static int64_t upx_checkpe(const struct upx_job *j, int64_t off, uint32_t *valign,
                           uint32_t *nsect)
{
    if (!inside(j->dsize, off, 0xf8) || rd32(j->dst + off) != 0x4550)
        return -1;
    if (!(*valign = rd32(j->dst + off + 0x38)))
        return -1;
    *nsect = (uint32_t)j->dst[off + 6] | (uint32_t)j->dst[off + 7] << 8;
    if (!*nsect || !inside(j->dsize, off + 0xf8, (int64_t)*nsect * 0x28))
        return -1;
    return off + 0xf8;
}

/* The loader's pointer to the imports: at a known offset, or searched. */
static uint32_t upx_import_slot(const struct upx_job *j, const uint32_t *magic)
{
    int64_t base = (int64_t)j->ep - j->upx1;
    uint32_t v;

    for (int i = 0; (v = magic[i]) != 0; i++)
        if (inside((int64_t)j->ssize - 5, base + v - 2, 2) &&
            j->src[base + v - 2] == 0x8d && j->src[base + v - 1] == 0xbe)
            return v;
    if (inside((int64_t)j->ssize - 8, base + 0x80, 8)) {
        for (int64_t p = base + 0x80; p + 8 <= (int64_t)j->ssize; p++)
            if (j->src[p] == 0x8d && j->src[p + 1] == 0xbe && j->src[p + 6] == 0x8b &&
                j->src[p + 7] == 0x07)
                return (uint32_t)(p + 2 - base);
    }
    return 0;
}

/* Skips the import names the loader left in front of the PE header. */
static int64_t upx_skip_imports(const struct upx_job *j, int64_t p)
{
    while (inside(j->dsize, p, 8) && rd32(j->dst + p)) {
        p += 8;
        while (inside(j->dsize, p, 2) && j->dst[p]) {
            p++;
            while (inside(j->dsize, p, 2) && j->dst[p])
                p++;
            p++;
        }
        p++;
    }
    return p + 4;
}

/* No header found: ClamAV's made-up PE around the data. */
static int upx_craft(struct upx_job *j, uint32_t dend)
{
    uint32_t rebsz = PESALIGN(dend, 0x1000u);

    memmove(j->dst + 0x200, j->dst, dend);
    memset(j->dst, 0, 0x200);
    memcpy(j->dst, pe_rebuild_stub, sizeof pe_rebuild_stub);
    memcpy(j->dst + 0xd0, fake_pe, sizeof fake_pe);
    wr32(j->dst + 0xd0 + 0x50, rebsz + 0x1000);
    wr32(j->dst + 0xd0 + 0x100, rebsz);
    wr32(j->dst + 0xd0 + 0x108, rebsz);
    j->dsize = rebsz + 0x200;
    return 1;
}

/* Lays the sections out behind the header; 0 when the rebuild gives up. */
static int upx_layout(struct upx_job *j, int64_t pehdr, int64_t sections, uint32_t nsect,
                      uint32_t valign, uint32_t realstuff)
{
    uint32_t foffset = PESALIGN(0xd0u + 0xf8u + 0x28u * nsect, valign);
    uint8_t *img;

    for (uint32_t i = 0; i < nsect; i++) {
        uint8_t *s = j->dst + sections + 0x28 * (int64_t)i;
        uint32_t vsize = PESALIGN(rd32(s + 8), valign),
                 urva = PEALIGN(rd32(s + 12), valign);
        if (!(realstuff > 0 && vsize > 0 && vsize <= realstuff && urva >= j->upx0 &&
              (uint64_t)urva + vsize <= (uint64_t)j->upx0 + realstuff))
            return 0;
        wr32(s + 8, vsize);
        wr32(s + 12, urva);
        wr32(s + 16, vsize);
        wr32(s + 20, foffset);
        if (foffset + vsize < foffset)
            return 0;
        foffset += vsize;
    }
    wr32(j->dst + pehdr + 8, 0x4d414c43);
    wr32(j->dst + pehdr + 0x3c, valign);
    if (!(img = calloc(foffset, 1)))
        return -1;
    memcpy(img, pe_rebuild_stub, sizeof pe_rebuild_stub);
    memcpy(img + 0xd0, j->dst + pehdr, 0xf8 + 0x28 * (size_t)nsect);
    for (uint32_t i = 0; i < nsect; i++) {
        const uint8_t *s = j->dst + sections + 0x28 * (int64_t)i;
        uint32_t o1 = rd32(s + 20), o2 = rd32(s + 16), o3 = rd32(s + 12);
        if (o1 > foffset || o2 > foffset || (uint32_t)(o1 + o2) > foffset ||
            (uint64_t)o1 + o2 > foffset || (uint32_t)(o3 - j->upx0) > j->dsize ||
            (uint64_t)(uint32_t)(o3 - j->upx0) + o2 > (uint64_t)j->dsize + UPX_HEADROOM) {
            free(img);
            return 1; /* ClamAV keeps the image as it stands */
        }
        memcpy(img + o1, j->dst + (o3 - j->upx0), o2);
    }
    if (foffset > j->dsize + UPX_HEADROOM) {
        free(img);
        return 0;
    }
    memcpy(j->dst, img, foffset);
    j->dsize = foffset;
    free(img);
    return 1;
}

/* pefromupx. Returns 1 or 0 (both a success for the caller, as in ClamAV:
 * the image is scanned either way), or -1 when out of memory. */
static int upx_rebuild(struct upx_job *j, const uint32_t *magic, uint32_t dend)
{
    int64_t base = (int64_t)j->ep - j->upx1, pehdr = -1, sections = -1;
    uint32_t valign = upx_import_slot(j, magic), nsect = 0, realstuff = 0;

    if (valign && inside(j->ssize, base + valign, 4)) {
        realstuff = rd32(j->src + base + valign);
        if (realstuff < j->dsize) {
            pehdr = upx_skip_imports(j, realstuff);
            if ((sections = upx_checkpe(j, pehdr, &valign, &nsect)) < 0)
                pehdr = -1;
        }
    }
    if (pehdr < 0 && dend > 0xf8 + 0x28) {
        for (pehdr = (int64_t)dend - 0xf8 - 0x28; pehdr > 0; pehdr--)
            if ((sections = upx_checkpe(j, pehdr, &valign, &nsect)) >= 0)
                break;
        realstuff = (uint32_t)(pehdr > 0 ? pehdr : 0);
        if (realstuff == 0)
            pehdr = -1;
    }
    if (pehdr < 0)
        return upx_craft(j, dend);
    return upx_layout(j, pehdr, sections, nsect, valign, realstuff);
}

/* One decompressor on one start of the data; -1 when it fails. */
static int upx_try(struct upx_job *j, enum upx_method m, uint32_t skew)
{
    static const uint32_t *const magics[UPX_METHODS] = {magic_2b, magic_2d, magic_2e};
    ucl_uint out = j->dsize;
    int rc;

    if (skew >= j->ssize)
        return -1;
    memset(j->dst, 0, (size_t)j->dsize + UPX_HEADROOM);
    if (m == UPX_2B)
        rc = ucl_nrv2b_decompress_safe_le32(j->src + skew, j->ssize - skew, j->dst, &out,
                                            NULL);
    else if (m == UPX_2D)
        rc = ucl_nrv2d_decompress_safe_le32(j->src + skew, j->ssize - skew, j->dst, &out,
                                            NULL);
    else
        rc = ucl_nrv2e_decompress_safe_le32(j->src + skew, j->ssize - skew, j->dst, &out,
                                            NULL);
    if ((rc != UCL_E_OK && rc != UCL_E_INPUT_NOT_CONSUMED) || out > j->dsize)
        return -1;
    {
        struct upx_job k = *j;
        k.src = j->src + skew;
        k.ssize = j->ssize - skew;
        k.ep = j->ep - skew;
        rc = upx_rebuild(&k, magics[m], (uint32_t)out);
        j->dsize = k.dsize;
    }
    return rc < 0 ? -2 : 0;
}

/* ClamAV's upx_inflatelzma: raw LZMA (properties lc, lp, pb in the low
 * three bytes of props) from 2 bytes into the packed data, into `strict`
 * bytes, then the rebuild. A truncated stream is not an error, corrupt
 * data is. Returns 0, -1 when it fails, -2 when out of memory. */
static int upx_lzma(struct upx_job *j, uint32_t strict, uint32_t skew, uint32_t props)
{
    uint32_t lc = props & 0xff, lp = (props >> 8) & 0xff, pb = (props >> 16) & 0xff;
    lzma_options_lzma opt;
    lzma_filter filters[2];
    lzma_stream s = LZMA_STREAM_INIT;
    lzma_ret ret;
    struct upx_job k;
    int rc;

    if (lc >= 9 || lp >= 5 || pb >= 5 || skew >= j->ssize || j->ssize - skew <= 2)
        return -1;
    memset(&opt, 0, sizeof opt);
    opt.dict_size = strict < LZMA_DICT_SIZE_MIN ? LZMA_DICT_SIZE_MIN : strict;
    opt.lc = lc;
    opt.lp = lp;
    opt.pb = pb;
    filters[0] = (lzma_filter){LZMA_FILTER_LZMA1, &opt};
    filters[1] = (lzma_filter){LZMA_VLI_UNKNOWN, NULL};
    if (lzma_raw_decoder(&s, filters) != LZMA_OK)
        return -1;
    memset(j->dst, 0, (size_t)j->dsize + UPX_HEADROOM);
    s.next_in = j->src + skew + 2;
    s.avail_in = j->ssize - skew - 2;
    s.next_out = j->dst;
    s.avail_out = strict;
    ret = lzma_code(&s, LZMA_RUN);
    lzma_end(&s);
    if (ret != LZMA_OK && ret != LZMA_STREAM_END && ret != LZMA_BUF_ERROR)
        return ret == LZMA_MEM_ERROR ? -2 : -1;
    k = *j;
    k.src = j->src + skew;
    k.ssize = j->ssize - skew;
    k.dsize = strict;
    rc = upx_rebuild(&k, magic_lzma, strict);
    return rc < 0 ? -2 : 0;
}

/* The LZMA loaders: clamscan tries them after the NRV decompressors,
 * whatever those gave. Returns 1 when one applies and succeeds, 0 when it
 * fails, -1 when none applies, -2 when out of memory. */
static int upx_run_lzma(struct upx_job *j, const uint8_t *ep, size_t epn,
                        uint32_t imagebase)
{
    uint32_t strict, props, skew = 0;
    int rc;

    if (epn >= 0x2f + 20 && memcmp(ep + 0x2f, sig_lzma2, 20) == 0) {
        strict = rd32(ep + 0x21);
        props = 0x20003;
    } else if (epn >= 0x45 + 8 && memcmp(ep + 0x39, sig_lzma1a, 8) == 0 &&
               memcmp(ep + 0x45, sig_lzma1b, 8) == 0) {
        strict = rd32(ep + 0x2b);
        props = rd32(ep + 0x41);
    } else {
        return -1;
    }
    if (j->ssize > 0x15 && ep[0] == 0x60 && ep[1] == 0xbe &&
        rd32(ep + 2) - j->upx1 - imagebase == 0x15)
        skew = 0x15;
    if (strict > j->dsize)
        return 0;
    rc = upx_lzma(j, strict, skew, props);
    return rc == -2 ? -2 : rc == 0;
}

/* The method the loader's code names, or UPX_METHODS. */
static enum upx_method upx_method(const uint8_t *ep, size_t n)
{
    static const uint8_t *const sigs[UPX_METHODS] = {sig_2b, sig_2d, sig_2e};

    for (int m = 0; m < UPX_METHODS; m++)
        for (size_t at = 0x69; at <= 0x71; at += 8)
            if (at + 13 <= n && memmem(sigs[m], 24, ep + at, 13))
                return (enum upx_method)m;
    return UPX_METHODS;
}

/* The UPX0/UPX1 pair: ClamAV's "empty section found"; -1 if none. */
static int upx_sections(const struct pe_info *pe)
{
    for (uint32_t i = 0; i + 1 < pe->nsect; i++)
        if (!pe->sect[i].rsz && pe->sect[i].vsz && pe->sect[i + 1].rsz &&
            pe->sect[i + 1].vsz)
            return (int)i;
    return -1;
}

/* The NRV decompressors in ClamAV's order. Returns 1 on success, 0, or -1. */
static int upx_run_nrv(struct upx_job *j, const uint8_t *ep, size_t epn,
                       uint32_t imagebase)
{
    enum upx_method pref = upx_method(ep, epn);
    uint32_t dsize = j->dsize;
    int rc;

    if (pref != UPX_METHODS) {
        int64_t skew =
            epn >= 6 ? (int64_t)(int32_t)(rd32(ep + 2) - imagebase - j->upx1) : 0;
        if (epn < 6 || ep[1] != 0xbe || skew <= 0 || skew > 0xfff || skew > j->ssize)
            skew = 0;
        if ((rc = upx_try(j, pref, (uint32_t)skew)) != -1)
            return rc == 0 ? 1 : -1;
        j->dsize = dsize;
        if (skew && (rc = upx_try(j, pref, 0)) != -1)
            return rc == 0 ? 1 : -1;
        j->dsize = dsize;
    }
    for (int m = 0; m < UPX_METHODS; m++) {
        if ((enum upx_method)m == pref)
            continue;
        for (uint32_t skew = 0; skew <= 0x15; skew += 0x15) {
            j->dsize = dsize;
            if ((rc = upx_try(j, (enum upx_method)m, skew)) != -1)
                return rc == 0 ? 1 : -1;
        }
    }
    j->dsize = dsize;
    return 0;
}

/* Every decompressor, as cli_scanpe runs them: the NRV ones, then the
 * LZMA loaders, whose verdict wins when they apply. The image keeps the
 * size the NRV stage left (ClamAV writes that many bytes after LZMA too).
 * Returns 1 on success, 0, or -1 when out of memory. */
static int upx_run(struct upx_job *j, const uint8_t *ep, size_t epn, uint32_t imagebase)
{
    int nrv = upx_run_nrv(j, ep, epn, imagebase), lz;

    if (nrv < 0)
        return -1;
    lz = upx_run_lzma(j, ep, epn, imagebase);
    if (lz == -2)
        return -1;
    return lz >= 0 ? lz : nrv;
}

int upx_unpack(const uint8_t *buf, size_t len, const struct pe_info *pe, size_t max,
               uint8_t **out, size_t *outlen)
{
    struct upx_job j;
    const struct pe_sect *s0, *s1;
    int i = pe->pe32plus ? -1 : upx_sections(pe), rc;
    uint64_t dsize;

    *out = NULL;
    *outlen = 0;
    if (i < 0)
        return 0;
    s0 = &pe->sect[i];
    s1 = &pe->sect[i + 1];
    dsize = (uint64_t)s0->vsz + s1->vsz;
    if (s1->rsz <= 0x19 || dsize <= s1->rsz || dsize > UPX_MAX_IMAGE || dsize > max ||
        s1->raw > len || s1->rsz > len - s1->raw || pe->ep >= len)
        return 0;
    memset(&j, 0, sizeof j);
    j.src = buf + s1->raw;
    j.ssize = s1->rsz;
    j.dsize = (uint32_t)dsize;
    j.upx0 = s0->rva;
    j.upx1 = s1->rva;
    j.ep = pe->vep;
    if (!(j.dst = calloc((size_t)dsize + UPX_HEADROOM, 1)))
        return -1;
    rc = upx_run(&j, buf + pe->ep, len - pe->ep < 4096 ? len - pe->ep : 4096,
                 pe->imagebase);
    if (rc != 1) {
        free(j.dst);
        return rc;
    }
    *out = j.dst;
    *outlen = j.dsize;
    return 1;
}
