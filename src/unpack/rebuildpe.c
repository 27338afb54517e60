/* rebuildpe.c - the PE ClamAV writes around unpacked sections (libclamav
 * rebuildpe.c cli_rebuildpe_align, 1.4): its DOS stub; a PE32 header with
 * "CLAM" as time stamp, every section ".clamNN" with all characteristic
 * bits set and SizeOfHeaders the 0x200-aligned end of the section table;
 * the sections' raw bytes one after the other at 0x200-aligned offsets.
 * When the first section starts past the 0x1000-aligned headers, an
 * "empty" section without data covers the gap ("gotghost").
 *
 * The arithmetic is ClamAV's (32-bit fields) done in 64 bits: a layout that
 * would not fit in 32 bits, or section bytes outside the buffer (ClamAV
 * copies them unchecked), is refused instead. */
#include "unpack/rebuildpe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The 0x78 bytes of PE and optional header ClamAV puts at 0xd0, before the
 * data directories: machine i386, NumberOfSections, "CLAM", optional header
 * size 0xe0, characteristics 0x8f83, PE32 magic, code and data sizes 0x1000,
 * entry point, base of code and data 0x1000, image base, alignments
 * 0x1000/0x200, OS 1.0, subsystem 3.10, image and header sizes, GUI
 * subsystem, stack and heap 1 MiB/4 KiB, 16 data directories. The fields
 * rebuilt per image are set by pe_rebuild. */
#define PEH 0xd0u
#define DIRS (PEH + 0x78u)   /* 0x148: the 16 data directories */
#define SECTS (DIRS + 0x80u) /* 0x1c8: the section table */

static void wr16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
    wr16(p, v & 0xffffu);
    wr16(p + 2, v >> 16);
}

static void put_header(uint8_t *f)
{
    uint8_t *p = f + PEH;

    memcpy(f, pe_rebuild_stub, PE_REBUILD_STUB);
    memcpy(p, "PE\0\0", 4);
    wr16(p + 0x04, 0x14c);       /* Machine */
    memcpy(p + 0x08, "CLAM", 4); /* TimeDateStamp */
    wr16(p + 0x14, 0xe0);        /* SizeOfOptionalHeader */
    wr16(p + 0x16, 0x8f83);      /* Characteristics */
    wr16(p + 0x18, 0x10b);       /* Magic */
    wr32(p + 0x1c, 0x1000);      /* SizeOfCode */
    wr32(p + 0x20, 0x1000);      /* SizeOfInitializedData */
    wr32(p + 0x2c, 0x1000);      /* BaseOfCode */
    wr32(p + 0x30, 0x1000);      /* BaseOfData */
    wr32(p + 0x38, 0x1000);      /* SectionAlignment */
    wr32(p + 0x3c, 0x200);       /* FileAlignment */
    wr16(p + 0x40, 1);           /* MajorOperatingSystemVersion */
    wr16(p + 0x48, 3);           /* MajorSubsystemVersion */
    wr16(p + 0x4a, 10);          /* MinorSubsystemVersion */
    wr16(p + 0x5c, 2);           /* Subsystem */
    wr32(p + 0x60, 0x100000);    /* SizeOfStackReserve */
    wr32(p + 0x64, 0x1000);      /* SizeOfStackCommit */
    wr32(p + 0x68, 0x100000);    /* SizeOfHeapReserve */
    wr32(p + 0x6c, 0x1000);      /* SizeOfHeapCommit */
    wr32(p + 0x74, 16);          /* NumberOfRvaAndSizes */
}

static uint64_t salign(uint64_t o, uint64_t a)
{
    return a ? (o / a + (o % a != 0)) * a : o;
}

/* ClamAV's PESALIGN on its 32-bit image addresses, wrapping as they do. */
static uint32_t salign32(uint32_t o, uint32_t a)
{
    return a ? (uint32_t)((o / a + (o % a != 0)) * a) : o;
}

int pe_rebuild(const uint8_t *buf, size_t buflen, const struct pe_rebuild_sect *s,
               unsigned n, uint32_t base, uint32_t ep, uint32_t res_rva,
               uint32_t res_size, uint32_t align, size_t max, uint8_t **out,
               size_t *outlen)
{
    uint64_t rawbase, size;
    uint32_t vaddr;
    unsigned ghost, i;
    uint8_t *f, *sh;

    *out = NULL;
    *outlen = 0;
    if (n == 0 || n > PE_REBUILD_MAX_SECTIONS)
        return 0;
    rawbase = salign(SECTS + 0x28u * (uint64_t)n, 0x200);
    ghost = s[0].rva > salign(rawbase, 0x1000);
    if (ghost)
        rawbase = salign(SECTS + 0x28u * (uint64_t)(n + 1), 0x200);
    if (n + ghost > PE_REBUILD_MAX_SECTIONS)
        return 0;
    size = rawbase;
    for (i = 0; i < n; i++) {
        if (s[i].raw > buflen || s[i].rsz > buflen - s[i].raw)
            return 0;
        size += salign(align ? salign(s[i].rsz, align) : s[i].rsz, 0x200);
    }
    if (size > UINT32_MAX || size > max)
        return 0;
    if (!(f = calloc(1, (size_t)size)))
        return -1;
    put_header(f);
    wr16(f + PEH + 0x06, n + ghost);         /* NumberOfSections */
    wr32(f + PEH + 0x28, ep);                /* AddressOfEntryPoint */
    wr32(f + PEH + 0x34, base);              /* ImageBase */
    wr32(f + PEH + 0x54, (uint32_t)rawbase); /* SizeOfHeaders */
    wr32(f + DIRS + 0x10, res_rva);          /* the resource directory */
    wr32(f + DIRS + 0x14, res_size);
    sh = f + SECTS;
    vaddr = salign32((uint32_t)rawbase, 0x1000);
    if (ghost) {
        memcpy(sh, "empty", 5);
        wr32(sh + 8, s[0].rva - vaddr);
        wr32(sh + 12, vaddr);
        wr32(sh + 0x24, 0xffffffffu);
        sh += 40;
        vaddr += salign32(s[0].rva - vaddr, 0x1000);
    }
    for (i = 0; i < n; i++) {
        uint32_t vsz = align ? salign32(s[i].vsz, align) : s[i].vsz;
        uint64_t rsz = align ? salign(s[i].rsz, align) : s[i].rsz;
        char name[9];

        snprintf(name, sizeof name, ".clam%.2u", i + 1);
        memcpy(sh, name, 8);
        wr32(sh + 8, vsz);
        wr32(sh + 12, align ? salign32(s[i].rva, align) : s[i].rva);
        wr32(sh + 16, (uint32_t)rsz);
        wr32(sh + 20, (uint32_t)rawbase);
        wr32(sh + 0x24, 0xffffffffu);
        memcpy(f + rawbase, buf + s[i].raw, s[i].rsz);
        sh += 40;
        rawbase += salign(rsz, 0x200);
        vaddr += salign32(vsz, 0x1000);
    }
    wr32(f + PEH + 0x50, vaddr); /* SizeOfImage */
    *out = f;
    *outlen = (size_t)rawbase;
    return 1;
}

const uint8_t pe_rebuild_stub[PE_REBUILD_STUB] = {
    0x4D, 0x5A, 0x90, 0x00, 0x02, 0x00, 0x00, 0x00, 0x04, 0x00, 0x0F, 0x00, 0xFF, 0xFF,
    0x00, 0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x1A, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xD0, 0x00, 0x00, 0x00, 0x0E, 0x1F, 0xB4, 0x09, 0xBA, 0x0D,
    0x00, 0xCD, 0x21, 0xB4, 0x4C, 0xCD, 0x21, 0x54, 0x68, 0x69, 0x73, 0x20, 0x66, 0x69,
    0x6C, 0x65, 0x20, 0x77, 0x61, 0x73, 0x20, 0x63, 0x72, 0x65, 0x61, 0x74, 0x65, 0x64,
    0x20, 0x62, 0x79, 0x20, 0x43, 0x6C, 0x61, 0x6D, 0x41, 0x56, 0x20, 0x66, 0x6F, 0x72,
    0x20, 0x69, 0x6E, 0x74, 0x65, 0x72, 0x6E, 0x61, 0x6C, 0x20, 0x75, 0x73, 0x65, 0x20,
    0x61, 0x6E, 0x64, 0x20, 0x73, 0x68, 0x6F, 0x75, 0x6C, 0x64, 0x20, 0x6E, 0x6F, 0x74,
    0x20, 0x62, 0x65, 0x20, 0x72, 0x75, 0x6E, 0x2E, 0x0D, 0x0A, 0x43, 0x6C, 0x61, 0x6D,
    0x41, 0x56, 0x20, 0x2D, 0x20, 0x41, 0x20, 0x47, 0x50, 0x4C, 0x20, 0x76, 0x69, 0x72,
    0x75, 0x73, 0x20, 0x73, 0x63, 0x61, 0x6E, 0x6E, 0x65, 0x72, 0x20, 0x2D, 0x20, 0x68,
    0x74, 0x74, 0x70, 0x3A, 0x2F, 0x2F, 0x77, 0x77, 0x77, 0x2E, 0x63, 0x6C, 0x61, 0x6D,
    0x61, 0x76, 0x2E, 0x6E, 0x65, 0x74, 0x0D, 0x0A, 0x24, 0x00, 0x00, 0x00,
};
