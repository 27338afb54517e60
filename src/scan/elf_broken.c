/* elf_broken.c - which ELF files clamscan 1.4.6 calls broken under
 * --alert-broken (libclamav elf.c cli_elfheader and its program and
 * section header readers, with a scan context): an EI_CLASS other than 1
 * or 2 (an EI_DATA other than 1 reads big-endian, measured), more than 128
 * program headers, a
 * wrong e_phentsize or e_shentsize, a program or section header table that
 * runs past the end of the file, or an entry point no program header
 * maps. A file too short for its ELF header is not an ELF file at all;
 * more than 2048 section headers stop the check without a verdict.
 * Program headers are read only when there are some and the entry point
 * is not 0, as exe_elf.c reads them for offsets. Field positions follow
 * the System V ABI "ELF Header". Limits: every read through exe_fits(). */
#include "scan/elf_broken.h"

#include <string.h>

#include "scan/exe_int.h"

struct elf_fields {
    int is64;
    uint64_t entry, phoff, shoff;
    uint32_t phentsize, phnum, shentsize, shnum;
};

static void elf_fields(const struct exe_in *in, struct elf_fields *f)
{
    if (f->is64) {
        f->entry = exe_u64(in, 24);
        f->phoff = exe_u64(in, 32);
        f->shoff = exe_u64(in, 40);
        f->phentsize = exe_u16(in, 54);
        f->phnum = exe_u16(in, 56);
        f->shentsize = exe_u16(in, 58);
        f->shnum = exe_u16(in, 60);
    } else {
        f->entry = exe_u32(in, 24);
        f->phoff = exe_u32(in, 28);
        f->shoff = exe_u32(in, 32);
        f->phentsize = exe_u16(in, 42);
        f->phnum = exe_u16(in, 44);
        f->shentsize = exe_u16(in, 46);
        f->shnum = exe_u16(in, 48);
    }
}

/* The entry point must fall in a program header's memory image (the first
 * one that holds it; sums wrap at the class's width). */
static int elf_entry_mapped(const struct exe_in *in, const struct elf_fields *f)
{
    uint64_t mask = f->is64 ? UINT64_MAX : UINT32_MAX;

    for (uint32_t i = 0; i < f->phnum; i++) {
        uint64_t at = f->phoff + (uint64_t)i * f->phentsize, va, memsz;
        if (f->is64) {
            va = exe_u64(in, at + 16);
            memsz = exe_u64(in, at + 40);
        } else {
            va = exe_u32(in, at + 8);
            memsz = exe_u32(in, at + 20);
        }
        if (va <= f->entry && ((va + memsz) & mask) > f->entry)
            return 1;
    }
    return 0;
}

static int elf_table_fits(const struct exe_in *in, uint64_t off, uint32_t n,
                          uint32_t size)
{
    for (uint32_t i = 0; i < n; i++) {
        if (off > UINT64_MAX - (uint64_t)i * size)
            return 0;
        if (!exe_fits(in, off + (uint64_t)i * size, size))
            return 0;
    }
    return 1;
}

int elf_broken(const uint8_t *buf, size_t len)
{
    struct exe_in in = {buf, len, 0};
    struct elf_fields f;

    if (len < 5 || memcmp(buf,
                          "\x7f"
                          "ELF",
                          4) != 0)
        return 0;
    if (buf[4] != 1 && buf[4] != 2)
        return 1;
    memset(&f, 0, sizeof f);
    f.is64 = buf[4] == 2;
    if (!exe_fits(&in, 0, f.is64 ? 64 : 52))
        return 0;        /* "Can't read file header": not an ELF file */
    in.be = buf[5] != 1; /* ClamAV 1.4.6: any EI_DATA but 1 is big-endian */
    elf_fields(&in, &f);
    if (f.phnum > 128)
        return 1;
    if (f.phnum && f.entry) {
        if (f.phentsize != (f.is64 ? 56u : 32u) ||
            !elf_table_fits(&in, f.phoff, f.phnum, f.phentsize) ||
            !elf_entry_mapped(&in, &f))
            return 1;
    }
    if (f.shnum > 2048)
        return 0;
    if (f.shentsize != (f.is64 ? 64u : 40u))
        return 1;
    return f.shnum && !elf_table_fits(&in, f.shoff, f.shnum, f.shentsize);
}
