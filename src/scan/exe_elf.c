/* exe_elf.c - the layout of an ELF (32/64-bit, either byte order) for EP
 * and section offsets, as clamscan 1.4.6 computes it (libclamav elf.c
 * cli_elfheader). Field positions follow the System V ABI, "ELF Header",
 * "Program Header" and "Sections"; the rules are ClamAV's:
 *   - EI_DATA 1 is little-endian, any other value big-endian; EI_CLASS
 *     must be 1 or 2;
 *   - the entry point maps through the first program header, of any type,
 *     with p_vaddr <= e_entry < p_vaddr + p_memsz (sums wrap at the class's
 *     width); an entry of 0, or no program headers, gives EP 0 without
 *     reading them;
 *   - the "sections" are the section headers (sh_offset, sh_size), even
 *     SHT_NULL and SHT_NOBITS ones;
 *   - EP and section values are kept to 32 bits, as ClamAV stores them.
 * Limits: at most 128 program headers and 256 section headers (ClamAV's);
 * every header read must lie inside the object. */
#include "scan/exe_int.h"

#include <string.h>

#define ELF_MAX_PHNUM 128
#define ELF_MAX_SHNUM 256

struct elf_hdr {
    int is64;
    uint64_t entry, phoff, shoff;
    uint32_t phentsize, phnum, shentsize, shnum;
};

/* The file header; sets in->be. */
static int elf_header(struct exe_in *in, struct elf_hdr *h)
{
    if (!exe_fits(in, 0, 52) || memcmp(in->buf, "\x7f" "ELF", 4) != 0)
        return -1;
    if (in->buf[4] != 1 && in->buf[4] != 2)
        return -1;
    h->is64 = in->buf[4] == 2;
    in->be = in->buf[5] != 1;
    if (h->is64 && !exe_fits(in, 0, 64))
        return -1;
    h->entry = h->is64 ? exe_u64(in, 24) : exe_u32(in, 24);
    h->phoff = h->is64 ? exe_u64(in, 32) : exe_u32(in, 28);
    h->shoff = h->is64 ? exe_u64(in, 40) : exe_u32(in, 32);
    h->phentsize = exe_u16(in, h->is64 ? 54 : 42);
    h->phnum = exe_u16(in, h->is64 ? 56 : 44);
    h->shentsize = exe_u16(in, h->is64 ? 58 : 46);
    h->shnum = exe_u16(in, h->is64 ? 60 : 48);
    return 0;
}

/* Where table entry i starts; a 32-bit ELF's offsets wrap at 32 bits. */
static uint64_t elf_entry_at(const struct elf_hdr *h, uint64_t off, uint32_t size,
                             uint32_t i)
{
    uint64_t at = off + (uint64_t)size * i;
    return h->is64 ? at : (uint32_t)at;
}

/* Maps e_entry through program header i; returns 1 when it holds it. */
static int elf_ph_maps(const struct exe_in *in, const struct elf_hdr *h,
                       uint64_t at, uint32_t *ep)
{
    if (h->is64) {
        uint64_t off = exe_u64(in, at + 8), va = exe_u64(in, at + 16);
        uint64_t memsz = exe_u64(in, at + 40);
        if (va <= h->entry && va + memsz > h->entry) {
            *ep = (uint32_t)(h->entry - va + off);
            return 1;
        }
    } else {
        uint32_t off = exe_u32(in, at + 4), va = exe_u32(in, at + 8);
        uint32_t memsz = exe_u32(in, at + 20), entry = (uint32_t)h->entry;
        if (va <= entry && (uint32_t)(va + memsz) > entry) {
            *ep = entry - va + off;
            return 1;
        }
    }
    return 0;
}

static int elf_entry(const struct exe_in *in, const struct elf_hdr *h, uint32_t *ep)
{
    uint32_t size = h->is64 ? 56 : 32;

    *ep = 0;
    if (h->phnum > ELF_MAX_PHNUM)
        return -1;
    if (h->phnum == 0 || h->entry == 0)
        return 0;
    if (h->phentsize != size)
        return -1;
    /* ClamAV reads every program header before it looks for the entry. */
    for (uint32_t i = 0; i < h->phnum; i++)
        if (!exe_fits(in, elf_entry_at(h, h->phoff, size, i), size))
            return -1;
    for (uint32_t i = 0; i < h->phnum; i++)
        if (elf_ph_maps(in, h, elf_entry_at(h, h->phoff, size, i), ep))
            return 0;
    return -1;
}

static int elf_sections(const struct exe_in *in, const struct elf_hdr *h,
                        struct exe_info *info)
{
    uint32_t size = h->is64 ? 64 : 40;

    if (h->shnum > ELF_MAX_SHNUM || h->shentsize != size)
        return -1;
    for (uint32_t i = 0; i < h->shnum; i++)
        if (!exe_fits(in, elf_entry_at(h, h->shoff, size, i), size))
            return -1;
    for (uint32_t i = 0; i < h->shnum; i++) {
        uint64_t at = elf_entry_at(h, h->shoff, size, i);
        uint32_t off = (uint32_t)(h->is64 ? exe_u64(in, at + 24) : exe_u32(in, at + 16));
        uint32_t sz = (uint32_t)(h->is64 ? exe_u64(in, at + 32) : exe_u32(in, at + 20));
        exe_sect_put(info, i, h->shnum, off, sz);
    }
    return 0;
}

int exe_elf_read(const struct exe_in *in, struct exe_info *info)
{
    struct exe_in e = *in;
    struct elf_hdr h;
    uint32_t ep = 0;

    memset(&h, 0, sizeof h);
    if (elf_header(&e, &h) != 0 || elf_entry(&e, &h, &ep) != 0)
        return -1;
    if (elf_sections(&e, &h, info) != 0)
        return -1;
    info->layout.ep = ep;
    return 0;
}
