/* pe.h - a PE (PE32 and PE32+) as clamscan 1.4.6 sees it: headers,
 * sections with ClamAV's alignment and truncation rules, the entry point,
 * the data directories. Shared by the EP/section offsets (exe_pe.c), the
 * section and import hashes (pe_hash.c) and the UPX unpacker (upx.c). */
#ifndef VIGIL_SCAN_PE_H
#define VIGIL_SCAN_PE_H

#include <stddef.h>
#include <stdint.h>

/* Most sections parsed; ClamAV has no smaller limit than the 16-bit count. */
#define PE_MAX_SECTIONS 65535
#define PE_MAX_DIRS 16

/* One section, as ClamAV's cli_exe_section holds it. */
struct pe_sect {
    uint32_t rva, vsz; /* aligned to SectionAlignment (down / up) */
    uint32_t raw, rsz; /* aligned to FileAlignment, cut at the end of file */
    uint32_t urva, uvsz, uraw, ursz; /* as the header says (ursz cut too) */
    uint32_t chr;                    /* Characteristics */
    char name[9];
};

struct pe_info {
    int pe32plus;
    uint32_t lfanew;
    uint16_t machine;
    uint16_t opt_size;  /* SizeOfOptionalHeader */
    uint16_t file_chr;  /* COFF Characteristics */
    uint32_t vep;       /* AddressOfEntryPoint */
    uint32_t ep;        /* its file offset */
    uint32_t imagebase; /* low 32 bits (ClamAV's PE32 view) */
    uint32_t salign, falign;
    uint32_t hdr_size; /* SizeOfHeaders, aligned up to SectionAlignment */
    uint32_t ndirs;
    uint32_t dir_rva[PE_MAX_DIRS], dir_size[PE_MAX_DIRS];
    uint32_t nsect;
    struct pe_sect *sect; /* nsect entries, owned (pe_free) */
};

/* Results of pe_parse. */
enum pe_parse_result {
    PE_OK = 0,
    PE_NOT_PE = 1, /* no MZ/PE header: not an executable ClamAV would parse */
    PE_BROKEN = 2, /* a PE whose headers clamscan refuses (cli_peheader's
                    * CL_EFORMAT): no layout; Heuristics.Broken.Executable
                    * under --alert-broken */
    PE_NOMEM = 3,
};

/* Parses buf[0..len) into *pe (zeroed first). Every read is bounded by
 * exe_fits(). On PE_OK the caller owns pe->sect and frees it with pe_free;
 * on any other result nothing is left to free. */
enum pe_parse_result pe_parse(const uint8_t *buf, size_t len, struct pe_info *pe);

/* As pe_parse, for the scan of the PE itself (cli_scanpe): sections that
 * lie wholly past the end are removed, and strict (--alert-broken) adds
 * cli_peheader's STRICT_ON_PE_ERRORS checks. */
enum pe_parse_result pe_parse_scan(const uint8_t *buf, size_t len, struct pe_info *pe,
                                   int strict);

/* Frees what pe_parse allocated. */
void pe_free(struct pe_info *pe);

/* ClamAV's cli_rawaddr: the file offset of rva, or -1 when no section holds
 * it (a rva below the aligned SizeOfHeaders maps to itself). len is the
 * object's size. */
int pe_rawaddr(const struct pe_info *pe, size_t len, uint32_t rva, uint32_t *off);

#endif
