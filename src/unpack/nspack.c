/* nspack.c - NsPack-packed PE files, unpacked and rebuilt as clamscan 1.4
 * does (libclamav pe.c cli_scanpe's NsPack branch, unsp.c unspack), so
 * that the child scanned is the same object clamscan scans and hash
 * signatures agree.
 *
 * Recognition (cli_scanpe): the loader "pushf; pusha; call $+5; pop ebp;
 * mov eax, 7" at the entry point, or behind a "jmp" there. A dword 0x54 -
 * [loader+17] bytes before it gives, relative to the loader, the packed
 * block: (after an optional zero dword) the LZMA properties byte, the
 * packed and unpacked sizes at +5 and +9, the stream at +13. The unpacked
 * size must be the first section's virtual size; the original entry point
 * is the target of the "jmp" 0x27a bytes into the loader.
 * Decompression: the stream is real LZMA1 (ClamAV's very_real_unpack keeps
 * its tables apart from the output), so liblzma's raw LZMA1 decoder does
 * it, with the properties byte's lc, lp and pb. The output is rebuilt as
 * one section at the first section's address (pe_rebuild, ClamAV's
 * cli_rebuildpe).
 * Differences: ClamAV accepts lc + lp up to 12, liblzma up to 4 (NsPack
 * writes lc 3, lp 0); a stream that ends with its end marker before the
 * unpacked size leaves the rest of ClamAV's buffer uninitialised, vigil's
 * zero; a damaged stream whose last symbol reads past the end of the
 * packed data is completed by ClamAV with 0xff bytes (it only fails at the
 * next symbol) and refused by liblzma, so vigil rebuilds no image there.
 * Limits: the unpacked size at most NSPACK_MAX_IMAGE bytes and the scan
 * layer's budget; every read of the file is bounded in 64 bits; liblzma
 * writes at most the unpacked size. */
#include "unpack/nspack.h"

#include <lzma.h>
#include <stdlib.h>
#include <string.h>

#include "scan/pe.h"
#include "unpack/rebuildpe.h"

/* Largest unpacked image vigil makes. */
#define NSPACK_MAX_IMAGE ((uint32_t)256 << 20)

static const uint8_t nsp_loader[13] = {0x9c, 0x60, 0xe8, 0x00, 0x00, 0x00, 0x00,
                                       0x5d, 0xb8, 0x07, 0x00, 0x00, 0x00};

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static int in_file(size_t len, uint64_t off, uint64_t n)
{
    return n <= len && off <= len - n;
}

/* unspack's decoding: props byte, sizes, the stream; 0 or -1 (-2: no
 * memory). dst holds dsize bytes. */
static int nsp_decode(const uint8_t *blk, uint32_t ssize, uint8_t *dst, uint32_t dsize)
{
    uint32_t c = blk[0], lc, lp, pb;
    lzma_options_lzma opt;
    lzma_filter filters[2];
    lzma_stream s = LZMA_STREAM_INIT;
    lzma_ret ret;

    if (c >= 0xe1 || ssize <= 13)
        return -1;
    pb = c / 45;
    lp = c % 45 / 9;
    lc = c % 9;
    if (lc + lp > 4)
        return -1; /* ClamAV goes on; liblzma cannot */
    memset(&opt, 0, sizeof opt);
    opt.dict_size = dsize < LZMA_DICT_SIZE_MIN ? LZMA_DICT_SIZE_MIN : dsize;
    opt.lc = lc;
    opt.lp = lp;
    opt.pb = pb;
    filters[0] = (lzma_filter){LZMA_FILTER_LZMA1, &opt};
    filters[1] = (lzma_filter){LZMA_VLI_UNKNOWN, NULL};
    if ((ret = lzma_raw_decoder(&s, filters)) != LZMA_OK)
        return ret == LZMA_MEM_ERROR ? -2 : -1;
    s.next_in = blk + 13;
    s.avail_in = ssize - 13;
    s.next_out = dst;
    s.avail_out = dsize;
    ret = lzma_code(&s, LZMA_RUN);
    if (ret == LZMA_OK && s.avail_out && s.avail_in == 0)
        ret = lzma_code(&s, LZMA_FINISH);
    lzma_end(&s);
    if (ret == LZMA_MEM_ERROR)
        return -2;
    /* Done: the output is full, or the stream's end marker came first. */
    if (ret == LZMA_STREAM_END || (ret == LZMA_OK && s.avail_out == 0))
        return 0;
    return -1;
}

/* cli_scanpe's walk from the loader to the packed block and the original
 * entry point; fills *blk (the block's offset), *eprva. 0 when it is not
 * NsPack as ClamAV reads it. */
static int nsp_find(const uint8_t *buf, size_t len, const struct pe_info *pe,
                    uint32_t *blk, uint32_t *eprva)
{
    uint32_t rep = pe->ep, start, nowinldr;
    const uint8_t *ld = buf + pe->ep;

    *eprva = pe->vep;
    if (ld[0] == 0xe9) {
        *eprva = rd32(ld + 1) + pe->vep + 5;
        if (pe_rawaddr(pe, len, *eprva, &rep) < 0 || !in_file(len, rep, 24))
            return 0;
        ld = buf + rep;
    }
    if (memcmp(ld, nsp_loader, sizeof nsp_loader) != 0)
        return 0;
    nowinldr = 0x54 - rd32(ld + 17);
    if (!in_file(len, (uint32_t)(rep - nowinldr), 4))
        return 0;
    start = rep + rd32(buf + (uint32_t)(rep - nowinldr));
    if (!in_file(len, start, 20))
        return 0;
    if (!rd32(buf + start))
        start += 4;
    *blk = start;
    *eprva += 0x27a;
    return 1;
}

int nspack_unpack(const uint8_t *buf, size_t len, const struct pe_info *pe, size_t max,
                  uint8_t **out, size_t *outlen)
{
    struct pe_rebuild_sect s;
    uint32_t blk, eprva, ssize, dsize, at;
    uint8_t *dst;
    int rc;

    *out = NULL;
    *outlen = 0;
    /* cli_scanpe gets this far only with 200 bytes at the entry point. */
    if (pe->pe32plus || !pe->nsect || pe->ep >= len || len - pe->ep < 200 ||
        !nsp_find(buf, len, pe, &blk, &eprva))
        return 0;
    /* The 20 bytes at the block were read from its start, before the
     * optional zero dword: the sizes are there. */
    if (!in_file(len, blk, 13))
        return 0;
    ssize = rd32(buf + blk + 5) | 0xff;
    dsize = rd32(buf + blk + 9);
    if (ssize > max || dsize > max || dsize > NSPACK_MAX_IMAGE || !dsize ||
        dsize != pe->sect[0].vsz || !in_file(len, blk, ssize))
        return 0;
    if (pe_rawaddr(pe, len, eprva, &at) < 0 || !in_file(len, at, 5))
        return 0;
    eprva = eprva + 5 + rd32(buf + at + 1);
    if (!(dst = calloc(dsize, 1)))
        return -1;
    rc = nsp_decode(buf + blk, rd32(buf + blk + 5), dst, dsize);
    if (rc == 0) {
        s = (struct pe_rebuild_sect){pe->sect[0].rva, dsize, 0, dsize};
        rc = pe_rebuild(dst, dsize, &s, 1, pe->imagebase, eprva, 0, 0, 0, max, out,
                        outlen);
    } else {
        rc = rc == -2 ? -1 : 0;
    }
    free(dst);
    return rc;
}
