/* pe.c - the PE (PE32 and PE32+) header parser: clamscan 1.4.6's
 * cli_peheader and cli_rawaddr rules on top of the Microsoft PE/COFF
 * specification ("MS-DOS Stub", "COFF File Header", "Optional Header",
 * "Section Table"). ClamAV's quirks decide which signatures match, so they
 * are followed, all in 32-bit arithmetic as ClamAV does them:
 *   - VirtualAddress and PointerToRawData are aligned down, VirtualSize,
 *     SizeOfRawData and SizeOfHeaders up (an alignment of 0 leaves the value);
 *   - FileAlignment falls back to 0x200 when a section with raw data has a
 *     PointerToRawData that is a multiple of 0x200 but not of FileAlignment;
 *   - a section starting at or past the end of the object gets raw size 0
 *     (or, for the scan of the PE itself, is removed), one running past the
 *     end is cut there;
 *   - a field with its sign bit set, a short optional header, an unreadable
 *     section table or an entry point no section maps make the PE broken;
 *     under --alert-broken (strict) so do bad alignments, a first section
 *     that does not follow the headers and sections with holes between them.
 * Limits: every read goes through exe_fits(); at most PE_MAX_SECTIONS
 * sections (the 16-bit count), 16 data directories. */
#include "scan/pe.h"

#include <stdlib.h>
#include <string.h>

#include "scan/exe_int.h"

#define PE_FILE_HDR 24 /* "PE\0\0" and the COFF file header */
#define PE_OPT32 96    /* optional header without data directories */
#define PE_OPT64 112
#define PE_SECT_HDR 40

static uint32_t align_down(uint32_t v, uint32_t a)
{
    return a ? v / a * a : v;
}

/* Wraps modulo 2^32 exactly as ClamAV's PESALIGN does. */
static uint32_t align_up(uint32_t v, uint32_t a)
{
    return a ? (v / a + (v % a != 0)) * a : v;
}

/* The DOS stub and the COFF header. */
static enum pe_parse_result pe_file_header(const struct exe_in *in, struct pe_info *pe)
{
    uint16_t mz;

    if (!exe_fits(in, 0, 2))
        return PE_NOT_PE;
    mz = exe_u16(in, 0);
    if (mz != 0x5a4d && mz != 0x4d5a) /* "MZ", or ClamAV's old "ZM" */
        return PE_NOT_PE;
    if (!exe_fits(in, 0x3c, 4))
        return PE_BROKEN; /* ClamAV: "Unable to read e_lfanew" */
    pe->lfanew = exe_u32(in, 0x3c);
    if (pe->lfanew == 0 || !exe_fits(in, pe->lfanew, PE_FILE_HDR) ||
        memcmp(in->buf + pe->lfanew, "PE\0\0", 4) != 0)
        return PE_NOT_PE;
    pe->machine = exe_u16(in, (uint64_t)pe->lfanew + 4);
    pe->nsect = exe_u16(in, (uint64_t)pe->lfanew + 6);
    pe->opt_size = exe_u16(in, (uint64_t)pe->lfanew + 20);
    pe->file_chr = exe_u16(in, (uint64_t)pe->lfanew + 22);
    return pe->nsect == 0 ? PE_BROKEN : PE_OK;
}

/* The optional header and the data directories. */
static enum pe_parse_result pe_optional(const struct exe_in *in, struct pe_info *pe,
                                        int strict, uint64_t *sect_at)
{
    uint64_t opt = (uint64_t)pe->lfanew + PE_FILE_HDR;
    uint32_t fixed = PE_OPT32, sub;

    if (pe->opt_size < PE_OPT32 || !exe_fits(in, opt, PE_OPT32))
        return PE_BROKEN;
    if (exe_u16(in, opt) == 0x20b) { /* PE32+; any other magic reads as PE32 */
        fixed = PE_OPT64;
        pe->pe32plus = 1;
        if (pe->opt_size < PE_OPT64 || !exe_fits(in, opt, PE_OPT64))
            return PE_BROKEN;
        pe->imagebase = exe_u32(in, opt + 24);
    } else {
        pe->imagebase = exe_u32(in, opt + 28);
    }
    pe->vep = exe_u32(in, opt + 16);
    pe->salign = exe_u32(in, opt + 32);
    pe->falign = exe_u32(in, opt + 36);
    sub = exe_u16(in, opt + 68);
    if (strict && sub != 1 &&
        (!pe->salign || pe->salign % 0x1000 || !pe->falign || pe->falign % 0x200))
        return PE_BROKEN;
    pe->hdr_size = align_up(exe_u32(in, opt + 60), pe->salign);
    pe->ndirs = exe_u32(in, opt + fixed - 4);
    if (pe->ndirs > PE_MAX_DIRS)
        pe->ndirs = PE_MAX_DIRS;
    if (pe->opt_size < fixed + 8 * pe->ndirs)
        return PE_BROKEN;
    if (!exe_fits(in, opt + fixed, 8 * pe->ndirs))
        return PE_NOT_PE; /* ClamAV: a generic error, not a broken PE */
    for (uint32_t i = 0; i < pe->ndirs; i++) {
        pe->dir_rva[i] = exe_u32(in, opt + fixed + 8 * i);
        pe->dir_size[i] = exe_u32(in, opt + fixed + 8 * i + 4);
    }
    *sect_at = opt + pe->opt_size;
    return PE_OK;
}

/* ClamAV's "file alignment fallback mode". */
static void pe_falign_fallback(const struct exe_in *in, struct pe_info *pe, uint64_t at)
{
    for (uint32_t i = 0; pe->falign != 0x200 && i < pe->nsect; i++) {
        uint64_t s = at + (uint64_t)PE_SECT_HDR * i;
        uint32_t raw_size = exe_u32(in, s + 16), ptr = exe_u32(in, s + 20);

        if (pe->falign && raw_size && ptr % pe->falign && !(ptr % 0x200))
            pe->falign = 0x200;
    }
}

/* Reads section header i into s; returns 1 when the section lies wholly
 * past the end of the object (raw size set to 0). */
static int pe_section(const struct exe_in *in, const struct pe_info *pe, uint64_t at,
                      struct pe_sect *s)
{
    memcpy(s->name, in->buf + at, 8);
    s->name[8] = '\0';
    s->uvsz = exe_u32(in, at + 8);
    s->urva = exe_u32(in, at + 12);
    s->ursz = exe_u32(in, at + 16);
    s->uraw = exe_u32(in, at + 20);
    s->chr = exe_u32(in, at + 36);
    s->rva = align_down(s->urva, pe->salign);
    s->vsz = align_up(s->uvsz, pe->salign);
    s->raw = align_down(s->uraw, pe->falign);
    s->rsz = align_up(s->ursz, pe->falign);
    if (s->rsz) {
        if (s->raw >= in->len || s->uraw >= in->len) {
            s->rsz = 0;
            s->ursz = 0;
            return 1;
        }
        if (s->rsz > in->len - s->raw)
            s->rsz = (uint32_t)(in->len - s->raw);
        if (s->ursz > in->len - s->uraw)
            s->ursz = (uint32_t)(in->len - s->uraw);
    }
    if (!s->vsz && s->rsz)
        s->vsz = align_up(s->ursz, pe->salign);
    return 0;
}

/* The checks cli_peheader makes on each section. */
static enum pe_parse_result pe_section_check(const struct pe_info *pe, uint32_t i,
                                             const struct pe_sect *s, int strict)
{
    if (strict && (!pe->salign || s->urva % pe->salign))
        return PE_BROKEN;
    if (s->urva >> 31 || s->uvsz >> 31 || (s->rsz && s->uraw >> 31) || s->ursz >> 31)
        return PE_BROKEN;
    if (strict && i == 0 && s->urva != pe->hdr_size)
        return PE_BROKEN;
    if (strict && i > 0 && s->urva - pe->sect[i - 1].urva != pe->sect[i - 1].vsz)
        return PE_BROKEN;
    return PE_OK;
}

static enum pe_parse_result pe_sections(const struct exe_in *in, struct pe_info *pe,
                                        uint64_t at, int strict, int remove)
{
    uint32_t n = pe->nsect, kept = 0;
    enum pe_parse_result r;

    if (!exe_fits(in, at, (uint64_t)PE_SECT_HDR * n))
        return PE_BROKEN;
    pe_falign_fallback(in, pe, at);
    pe->sect = calloc(n, sizeof *pe->sect);
    if (!pe->sect)
        return PE_NOMEM;
    for (uint32_t i = 0; i < n; i++) {
        struct pe_sect *s = &pe->sect[kept];
        if (pe_section(in, pe, at + (uint64_t)PE_SECT_HDR * i, s) && remove) {
            if (n == 1)
                return PE_BROKEN;
            continue; /* ClamAV's REMOVE_MISSING_SECTIONS */
        }
        pe->nsect = kept + 1;
        if ((r = pe_section_check(pe, kept, s, strict)) != PE_OK)
            return r;
        kept++;
    }
    pe->nsect = kept;
    return PE_OK;
}

int pe_rawaddr(const struct pe_info *pe, size_t len, uint32_t rva, uint32_t *off)
{
    if (rva < pe->hdr_size) {
        *off = rva;
        return rva < len ? 0 : -1;
    }
    for (uint32_t i = pe->nsect; i-- > 0;) {
        const struct pe_sect *s = &pe->sect[i];
        if (s->rsz && s->rva <= rva && s->rsz > rva - s->rva) {
            *off = rva - s->rva + s->raw;
            return 0;
        }
    }
    return -1;
}

static enum pe_parse_result pe_parse_opts(const uint8_t *buf, size_t len,
                                          struct pe_info *pe, int strict, int remove)
{
    struct exe_in in = {buf, len, 0};
    uint64_t sect_at = 0;
    enum pe_parse_result r;

    memset(pe, 0, sizeof *pe);
    if ((r = pe_file_header(&in, pe)) == PE_OK &&
        (r = pe_optional(&in, pe, strict, &sect_at)) == PE_OK &&
        (r = pe_sections(&in, pe, sect_at, strict, remove)) == PE_OK &&
        pe_rawaddr(pe, len, pe->vep, &pe->ep) != 0)
        r = PE_BROKEN;
    if (r != PE_OK)
        pe_free(pe);
    return r;
}

enum pe_parse_result pe_parse(const uint8_t *buf, size_t len, struct pe_info *pe)
{
    return pe_parse_opts(buf, len, pe, 0, 0);
}

enum pe_parse_result pe_parse_scan(const uint8_t *buf, size_t len, struct pe_info *pe,
                                   int strict)
{
    return pe_parse_opts(buf, len, pe, strict, 1);
}

void pe_free(struct pe_info *pe)
{
    free(pe->sect);
    pe->sect = NULL;
    pe->nsect = 0;
}
