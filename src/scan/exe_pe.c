/* exe_pe.c - the layout of a PE (PE32 and PE32+) for EP and section
 * offsets, as clamscan 1.4.6 computes it (libclamav pe.c cli_peheader and
 * cli_rawaddr). Field positions follow the Microsoft PE/COFF specification
 * ("COFF File Header", "Optional Header", "Section Table"); the rules are
 * ClamAV's, all in 32-bit arithmetic as ClamAV does them:
 *   - VirtualAddress and PointerToRawData are aligned down, SizeOfHeaders
 *     and SizeOfRawData up, to SectionAlignment and FileAlignment (an
 *     alignment of 0 leaves the value as it is);
 *   - FileAlignment falls back to 0x200 when a section with raw data has a
 *     PointerToRawData that is a multiple of 0x200 but not of FileAlignment;
 *   - a section starting at or past the end of the object gets raw size 0,
 *     one running past the end is cut there;
 *   - an entry point below the aligned SizeOfHeaders is a file offset
 *     itself; otherwise the last section holding it maps it; if none does,
 *     the headers are unusable.
 * Limits: NumberOfSections up to 65535 (ClamAV has no smaller limit), the
 * section table must lie inside the object; at most 16 data directories. */
#include "scan/exe_int.h"

#include <string.h>

#define PE_FILE_HDR 24 /* "PE\0\0" and the COFF file header */
#define PE_OPT32 96    /* optional header without data directories */
#define PE_OPT64 112
#define PE_SECT_HDR 40
#define PE_MAX_DIRS 16

struct pe_hdr {
    uint32_t nsect;
    uint32_t vep;      /* AddressOfEntryPoint */
    uint32_t hdr_size; /* SizeOfHeaders, aligned up */
    uint32_t salign, falign;
    uint64_t sect_at; /* file offset of the section table */
};

struct pe_sect {
    uint32_t rva, raw, rsz;
};

static uint32_t align_down(uint32_t v, uint32_t a)
{
    return a ? v / a * a : v;
}

/* Wraps modulo 2^32 exactly as ClamAV's PESALIGN does. */
static uint32_t align_up(uint32_t v, uint32_t a)
{
    return a ? (v / a + (v % a != 0)) * a : v;
}

/* The DOS stub and the "PE\0\0" header it points to; returns the offset of
 * the optional header, or 0. */
static uint64_t pe_file_header(const struct exe_in *in, struct pe_hdr *h,
                               uint32_t *opt_size)
{
    uint16_t mz;
    uint32_t lfanew;

    if (!exe_fits(in, 0, 64))
        return 0;
    mz = exe_u16(in, 0);
    if (mz != 0x5a4d && mz != 0x4d5a) /* "MZ", or ClamAV's old "ZM" */
        return 0;
    lfanew = exe_u32(in, 0x3c);
    if (lfanew == 0 || !exe_fits(in, lfanew, PE_FILE_HDR) ||
        memcmp(in->buf + lfanew, "PE\0\0", 4) != 0)
        return 0;
    h->nsect = exe_u16(in, (uint64_t)lfanew + 6);
    *opt_size = exe_u16(in, (uint64_t)lfanew + 20);
    return h->nsect ? (uint64_t)lfanew + PE_FILE_HDR : 0;
}

/* The optional header up to the data directories, which must be present as
 * far as NumberOfRvaAndSizes (at most 16) says. */
static int pe_optional_header(const struct exe_in *in, uint64_t opt,
                              uint32_t opt_size, struct pe_hdr *h)
{
    uint32_t fixed = PE_OPT32, ndirs;

    if (opt_size < PE_OPT32 || !exe_fits(in, opt, PE_OPT32))
        return -1;
    if (exe_u16(in, opt) == 0x20b) { /* PE32+; any other magic reads as PE32 */
        fixed = PE_OPT64;
        if (opt_size < PE_OPT64 || !exe_fits(in, opt, PE_OPT64))
            return -1;
    }
    h->vep = exe_u32(in, opt + 16);
    h->salign = exe_u32(in, opt + 32);
    h->falign = exe_u32(in, opt + 36);
    h->hdr_size = align_up(exe_u32(in, opt + 60), h->salign);
    ndirs = exe_u32(in, opt + fixed - 4);
    if (ndirs > PE_MAX_DIRS)
        ndirs = PE_MAX_DIRS;
    if (opt_size < fixed + 8 * ndirs || !exe_fits(in, opt + fixed, 8 * ndirs))
        return -1;
    h->sect_at = opt + opt_size;
    return 0;
}

/* ClamAV's "file alignment fallback mode". */
static void pe_falign_fallback(const struct exe_in *in, struct pe_hdr *h)
{
    for (uint32_t i = 0; h->falign != 0x200 && i < h->nsect; i++) {
        uint64_t s = h->sect_at + (uint64_t)PE_SECT_HDR * i;
        uint32_t raw_size = exe_u32(in, s + 16), ptr = exe_u32(in, s + 20);

        if (h->falign && raw_size && ptr % h->falign && !(ptr % 0x200))
            h->falign = 0x200;
    }
}

static int pe_header(const struct exe_in *in, struct pe_hdr *h)
{
    uint32_t opt_size = 0;
    uint64_t opt = pe_file_header(in, h, &opt_size);

    if (opt == 0 || pe_optional_header(in, opt, opt_size, h) != 0)
        return -1;
    if (!exe_fits(in, h->sect_at, (uint64_t)PE_SECT_HDR * h->nsect))
        return -1;
    pe_falign_fallback(in, h);
    return 0;
}

/* Section i as ClamAV sees it; -1 when a field has its sign bit set, which
 * makes ClamAV refuse the whole header. */
static int pe_section(const struct exe_in *in, const struct pe_hdr *h, uint32_t i,
                      struct pe_sect *s)
{
    uint64_t at = h->sect_at + (uint64_t)PE_SECT_HDR * i;
    uint32_t vsize = exe_u32(in, at + 8), va = exe_u32(in, at + 12);
    uint32_t raw_size = exe_u32(in, at + 16), ptr = exe_u32(in, at + 20);

    s->rva = align_down(va, h->salign);
    s->raw = align_down(ptr, h->falign);
    s->rsz = align_up(raw_size, h->falign);
    if (s->rsz) {
        if (s->raw >= in->len || ptr >= in->len) {
            s->rsz = 0;
            raw_size = 0;
        } else {
            if (s->rsz > in->len - s->raw)
                s->rsz = (uint32_t)(in->len - s->raw);
            if (raw_size > in->len - ptr)
                raw_size = (uint32_t)(in->len - ptr);
        }
    }
    if (va >> 31 || vsize >> 31 || (s->rsz && ptr >> 31) || raw_size >> 31)
        return -1;
    return 0;
}

/* cli_rawaddr: the file offset of the entry point. */
static int pe_entry(const struct exe_in *in, const struct pe_hdr *h, uint32_t *ep)
{
    struct pe_sect s;

    if (h->vep < h->hdr_size) {
        *ep = h->vep;
        return h->vep < in->len ? 0 : -1;
    }
    for (uint32_t i = h->nsect; i-- > 0;) {
        pe_section(in, h, i, &s);
        if (s.rsz && s.rva <= h->vep && s.rsz > h->vep - s.rva) {
            *ep = h->vep - s.rva + s.raw;
            return 0;
        }
    }
    return -1;
}

int exe_pe_read(const struct exe_in *in, struct exe_info *info)
{
    struct pe_hdr h;
    struct pe_sect s;
    uint32_t ep = 0;

    memset(&h, 0, sizeof h);
    if (pe_header(in, &h) != 0)
        return -1;
    for (uint32_t i = 0; i < h.nsect; i++) {
        if (pe_section(in, &h, i, &s) != 0)
            return -1;
        exe_sect_put(info, i, h.nsect, s.raw, s.rsz);
    }
    if (pe_entry(in, &h, &ep) != 0)
        return -1;
    info->layout.ep = ep;
    return 0;
}
