/* test_exe.c - executable layouts for EP and section offsets (PE, ELF,
 * Mach-O), each value as clamscan 1.4.6 computes it (verified against
 * clamscan by tests/compat/epoffset.sh), and malformed headers: cut short,
 * offsets past the end, huge counts, sums that overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "scan/exe.h"

/* ---- building objects ---------------------------------------------------- */

static int g_be; /* byte order of the put* writers */

static void put(uint8_t *b, size_t off, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        unsigned shift = 8 * (g_be ? n - 1 - i : i);
        b[off + i] = (uint8_t)(v >> shift);
    }
}
static void put16(uint8_t *b, size_t off, uint64_t v) { put(b, off, v, 2); }
static void put32(uint8_t *b, size_t off, uint64_t v) { put(b, off, v, 4); }
static void put64(uint8_t *b, size_t off, uint64_t v) { put(b, off, v, 8); }

/* Reads b[0..len) as type; returns the layout (valid 0 when unusable). */
static struct exe_info g_info;
static const struct exe_layout *layout(const uint8_t *b, size_t len, enum target_type t)
{
    exe_layout_read(b, len, t, &g_info);
    assert_ptr_equal(g_info.layout.sect_off, g_info.sect_off);
    assert_ptr_equal(g_info.layout.sect_size, g_info.sect_size);
    return &g_info.layout;
}

static void assert_sect(const struct exe_layout *l, uint32_t i, uint64_t off, uint64_t size)
{
    assert_true(i < l->nsect);
    assert_int_equal(l->sect_off[i], off);
    assert_int_equal(l->sect_size[i], size);
}

/* PE: DOS stub with e_lfanew 0x80, optional header with 16 directories,
 * SectionAlignment 0x1000, FileAlignment 0x200, SizeOfHeaders 0x400. */
#define PE_LFANEW 0x80
#define PE_OPT (PE_LFANEW + 24)

struct pe_spec {
    int plus;
    uint32_t entry, nsect, opt_size, ndirs;
};

/* Writes the headers; returns the offset of the section table. */
static size_t pe_build(uint8_t *b, const struct pe_spec *s)
{
    uint32_t fixed = s->plus ? 112 : 96;
    uint32_t opt_size = s->opt_size ? s->opt_size : fixed + 8 * 16;

    g_be = 0;
    b[0] = 'M';
    b[1] = 'Z';
    put32(b, 0x3c, PE_LFANEW);
    memcpy(b + PE_LFANEW, "PE\0\0", 4);
    put16(b, PE_LFANEW + 4, s->plus ? 0x8664 : 0x14c);
    put16(b, PE_LFANEW + 6, s->nsect);
    put16(b, PE_LFANEW + 20, opt_size);
    put16(b, PE_OPT, s->plus ? 0x20b : 0x10b);
    put32(b, PE_OPT + 16, s->entry);
    put32(b, PE_OPT + 32, 0x1000);
    put32(b, PE_OPT + 36, 0x200);
    put32(b, PE_OPT + 60, 0x400);
    put32(b, PE_OPT + fixed - 4, s->ndirs ? s->ndirs : 16);
    return PE_OPT + opt_size;
}

static void pe_sect(uint8_t *b, size_t table, uint32_t i, uint32_t va, uint32_t vsize,
                    uint32_t ptr, uint32_t raw_size)
{
    size_t h = table + 40 * (size_t)i;
    put32(b, h + 8, vsize);
    put32(b, h + 12, va);
    put32(b, h + 16, raw_size);
    put32(b, h + 20, ptr);
}

/* The usual two-section PE32: .s0 at 0x400 (0x200 bytes), .s1 at 0x600
 * (0x180 bytes, 0x200 aligned). */
static size_t pe_two(uint8_t *b, uint32_t entry, int plus)
{
    struct pe_spec s = {plus, entry, 2, 0, 0};
    size_t t = pe_build(b, &s);
    pe_sect(b, t, 0, 0x1000, 0x300, 0x400, 0x200);
    pe_sect(b, t, 1, 0x2000, 0x180, 0x600, 0x180);
    return t;
}

/* ---- PE ------------------------------------------------------------------- */

static void test_pe_basic(void **state)
{
    uint8_t b[0x1000] = {0};
    const struct exe_layout *l;
    (void)state;

    pe_two(b, 0x1010, 0);
    l = layout(b, sizeof b, TARGET_PE);
    assert_true(l->valid);
    assert_int_equal(l->ep, 0x410);
    assert_int_equal(l->nsect, 2);
    assert_sect(l, 0, 0x400, 0x200);
    assert_sect(l, 1, 0x600, 0x200); /* SizeOfRawData aligned up */

    memset(b, 0, sizeof b);
    pe_two(b, 0x2010, 1); /* PE32+ */
    l = layout(b, sizeof b, TARGET_PE);
    assert_true(l->valid);
    assert_int_equal(l->ep, 0x610);

    /* "ZM" is ClamAV's other DOS signature. */
    b[0] = 'Z';
    b[1] = 'M';
    assert_true(layout(b, sizeof b, TARGET_PE)->valid);
    b[1] = 'Q';
    assert_false(layout(b, sizeof b, TARGET_PE)->valid);
}

static void test_pe_entry(void **state)
{
    uint8_t b[0x2000] = {0};
    size_t t;
    (void)state;

    /* Below SizeOfHeaders, the entry is a file offset itself. */
    pe_two(b, 0x300, 0);
    assert_int_equal(layout(b, sizeof b, TARGET_PE)->ep, 0x300);
    /* SizeOfHeaders 0x200 counts as 0x1000 (aligned to SectionAlignment)... */
    pe_two(b, 0xff0, 0);
    put32(b, PE_OPT + 60, 0x200);
    assert_int_equal(layout(b, sizeof b, TARGET_PE)->ep, 0xff0);
    /* ...but must lie inside the object. */
    assert_false(layout(b, 0xff0, TARGET_PE)->valid);
    assert_true(layout(b, 0xff1, TARGET_PE)->valid);
    /* In no section: unusable. */
    pe_two(b, 0x5000, 0);
    assert_false(layout(b, sizeof b, TARGET_PE)->valid);
    /* The last section holding the entry maps it. */
    t = pe_two(b, 0x2010, 0);
    put16(b, PE_LFANEW + 6, 3);
    pe_sect(b, t, 2, 0x2000, 0x100, 0x800, 0x200);
    assert_int_equal(layout(b, sizeof b, TARGET_PE)->ep, 0x810);
    /* A section with no raw data maps nothing. */
    pe_sect(b, t, 2, 0x2000, 0x100, 0x800, 0);
    assert_int_equal(layout(b, sizeof b, TARGET_PE)->ep, 0x610);
}

static void test_pe_alignment(void **state)
{
    uint8_t b[0x3000] = {0};
    const struct exe_layout *l;
    size_t t;
    (void)state;

    /* PointerToRawData and VirtualAddress down, SizeOfRawData up. */
    t = pe_two(b, 0x1020, 0);
    pe_sect(b, t, 0, 0x1010, 0x300, 0x410, 0x1f0);
    l = layout(b, sizeof b, TARGET_PE);
    assert_int_equal(l->ep, 0x420);
    assert_sect(l, 0, 0x400, 0x200);
    /* Alignments of 0 leave the values alone. */
    put32(b, PE_OPT + 32, 0);
    put32(b, PE_OPT + 36, 0);
    put32(b, PE_OPT + 60, 0x100);
    l = layout(b, sizeof b, TARGET_PE);
    assert_int_equal(l->ep, 0x420);
    assert_sect(l, 0, 0x410, 0x1f0);
    /* FileAlignment 0x1000 with a section at 0x400: fallback to 0x200. */
    t = pe_two(b, 0x1010, 0);
    put32(b, PE_OPT + 36, 0x1000);
    l = layout(b, sizeof b, TARGET_PE);
    assert_sect(l, 0, 0x400, 0x200);
    assert_int_equal(l->ep, 0x410);
    /* No fallback when no section asks for it: 0x1100 is no 0x200 multiple. */
    pe_sect(b, t, 0, 0x1000, 0x300, 0x1100, 0x300);
    pe_sect(b, t, 1, 0x2000, 0x180, 0x2000, 0x180);
    l = layout(b, sizeof b, TARGET_PE);
    assert_sect(l, 0, 0x1000, 0x1000);
    assert_int_equal(l->ep, 0x1010);
    /* SizeOfHeaders aligned up wraps at 32 bits, to 0: no header entry. */
    pe_two(b, 0x300, 0);
    put32(b, PE_OPT + 60, 0xfffff001);
    assert_false(layout(b, sizeof b, TARGET_PE)->valid);
    put32(b, PE_OPT + 16, 0x1010);
    assert_int_equal(layout(b, sizeof b, TARGET_PE)->ep, 0x410);
}

static void test_pe_sections_past_end(void **state)
{
    uint8_t b[0x1000] = {0};
    const struct exe_layout *l;
    size_t t;
    (void)state;

    /* Starting past the end: raw size 0, the offset kept. */
    t = pe_two(b, 0x1010, 0);
    put16(b, PE_LFANEW + 6, 3);
    pe_sect(b, t, 2, 0x3000, 0x100, 0x2000, 0x200);
    l = layout(b, sizeof b, TARGET_PE);
    assert_true(l->valid);
    assert_sect(l, 2, 0x2000, 0);
    /* ...and then it maps no entry. */
    put32(b, PE_OPT + 16, 0x3010);
    assert_false(layout(b, sizeof b, TARGET_PE)->valid);
    /* Running past the end: cut there. */
    pe_two(b, 0x1010, 0);
    pe_sect(b, t, 0, 0x1000, 0x1000, 0x400, 0x1000);
    l = layout(b, 0x900, TARGET_PE);
    assert_true(l->valid);
    assert_sect(l, 0, 0x400, 0x500);
}

static void test_pe_sign_bits(void **state)
{
    uint8_t b[0x1000] = {0};
    size_t t;
    (void)state;

    t = pe_two(b, 0x1010, 0);
    pe_sect(b, t, 1, 0x2000, 0x80000000, 0x600, 0x200);
    assert_false(layout(b, sizeof b, TARGET_PE)->valid);
    pe_sect(b, t, 1, 0x80000000, 0x100, 0x600, 0x200);
    assert_false(layout(b, sizeof b, TARGET_PE)->valid);
    /* A raw pointer with the sign bit is past the end: raw size 0, no error. */
    pe_sect(b, t, 1, 0x2000, 0x100, 0x80000600, 0x200);
    assert_true(layout(b, sizeof b, TARGET_PE)->valid);
    /* A raw size with the sign bit is cut to the object first. */
    pe_sect(b, t, 1, 0x2000, 0x100, 0x600, 0x80000000);
    assert_true(layout(b, sizeof b, TARGET_PE)->valid);
    assert_int_equal(g_info.sect_size[1], 0xa00);
    /* ...unless aligning it wraps to 0, which keeps it whole. */
    pe_sect(b, t, 1, 0x2000, 0x100, 0x600, 0xffffff01);
    assert_false(layout(b, sizeof b, TARGET_PE)->valid);
}

static void test_pe_bad_headers(void **state)
{
    uint8_t b[0x1000] = {0};
    struct pe_spec s = {0, 0x1010, 2, 95, 0};
    size_t t;
    (void)state;

    pe_build(b, &s); /* optional header smaller than PE32's */
    assert_false(layout(b, sizeof b, TARGET_PE)->valid);
    memset(b, 0, sizeof b);
    s = (struct pe_spec){1, 0x1010, 2, 111, 0}; /* ... than PE32+'s */
    pe_build(b, &s);
    assert_false(layout(b, sizeof b, TARGET_PE)->valid);
    memset(b, 0, sizeof b);
    s = (struct pe_spec){0, 0x1010, 2, 96 + 8 * 15, 16}; /* directories past it */
    t = pe_build(b, &s);
    pe_sect(b, t, 0, 0x1000, 0x300, 0x400, 0x200);
    assert_false(layout(b, sizeof b, TARGET_PE)->valid);
    put32(b, PE_OPT + 92, 15);
    assert_true(layout(b, sizeof b, TARGET_PE)->valid);
    /* A huge NumberOfRvaAndSizes counts as 16. */
    memset(b, 0, sizeof b);
    t = pe_two(b, 0x1010, 0);
    put32(b, PE_OPT + 92, 0xffffffff);
    assert_true(layout(b, sizeof b, TARGET_PE)->valid);
    /* Any optional header magic but PE32+'s reads as PE32. */
    put16(b, PE_OPT, 0x107);
    assert_int_equal(layout(b, sizeof b, TARGET_PE)->ep, 0x410);
    /* No sections. */
    put16(b, PE_LFANEW + 6, 0);
    assert_false(layout(b, sizeof b, TARGET_PE)->valid);
    put16(b, PE_LFANEW + 6, 2);
    /* e_lfanew 0, past the end, at the end, huge; no "PE\0\0". */
    put32(b, 0x3c, 0);
    assert_false(layout(b, sizeof b, TARGET_PE)->valid);
    put32(b, 0x3c, sizeof b - 23);
    assert_false(layout(b, sizeof b, TARGET_PE)->valid);
    put32(b, 0x3c, 0xffffffff);
    assert_false(layout(b, sizeof b, TARGET_PE)->valid);
    put32(b, 0x3c, PE_LFANEW);
    b[PE_LFANEW + 2] = 'X';
    assert_false(layout(b, sizeof b, TARGET_PE)->valid);
}

/* Every prefix shorter than the end of the section table is unusable. */
static void test_pe_truncated(void **state)
{
    uint8_t b[0x1000] = {0};
    size_t end = pe_two(b, 0x100, 0) + 2 * 40;
    (void)state;

    for (size_t n = 0; n < end; n++)
        assert_false(layout(b, n, TARGET_PE)->valid);
    assert_true(layout(b, end, TARGET_PE)->valid);
    assert_int_equal(g_info.layout.ep, 0x100);
}

static void test_pe_many_sections(void **state)
{
    size_t len = 0x1000 + 65535 * 40;
    uint8_t *b = calloc(1, len);
    struct pe_spec s = {0, 0x1000 * 101 + 4, 100, 0, 0};
    const struct exe_layout *l;
    size_t t;
    (void)state;

    assert_non_null(b);
    t = pe_build(b, &s);
    for (uint32_t i = 0; i < 100; i++)
        pe_sect(b, t, i, 0x1000 * (i + 2), 0x10, 0x2000 + 0x200 * i, 0x200);
    l = layout(b, len, TARGET_PE);
    assert_true(l->valid);
    /* The entry maps through section 99, past what the layout keeps. */
    assert_int_equal(l->ep, 0x2000 + 0x200 * 99 + 4);
    /* 96 kept: 0..94 as they are, the last (99) in slot 95 for SL+n. */
    assert_int_equal(l->nsect, EXE_MAX_SECTIONS);
    assert_sect(l, 94, 0x2000 + 0x200 * 94, 0x200);
    assert_sect(l, 95, 0x2000 + 0x200 * 99, 0x200);
    /* 65535 sections (the most a PE can say): read, the table fits. */
    memset(b, 0, len);
    s = (struct pe_spec){0, 0x300, 65535, 0, 0};
    t = pe_build(b, &s);
    l = layout(b, len, TARGET_PE);
    assert_true(l->valid);
    assert_int_equal(l->ep, 0x300);
    assert_int_equal(l->nsect, EXE_MAX_SECTIONS);
    /* One byte short of the table: unusable. */
    assert_false(layout(b, t + 65535 * 40 - 1, TARGET_PE)->valid);
    free(b);
}

/* ---- ELF ------------------------------------------------------------------ */

struct elf_spec {
    int is64, be;
    uint64_t entry, phoff, shoff;
    uint32_t phnum, shnum, phentsize, shentsize;
};

static void elf_build(uint8_t *b, const struct elf_spec *s)
{
    int w = s->is64;

    g_be = s->be;
    memcpy(b, "\x7f" "ELF", 4);
    b[4] = w ? 2 : 1;
    b[5] = s->be ? 2 : 1;
    b[6] = 1;
    put16(b, 16, 2);
    put(b, 24, s->entry, w ? 8 : 4);
    put(b, w ? 32 : 28, s->phoff, w ? 8 : 4);
    put(b, w ? 40 : 32, s->shoff, w ? 8 : 4);
    put16(b, w ? 54 : 42, s->phentsize ? s->phentsize : (w ? 56 : 32));
    put16(b, w ? 56 : 44, s->phnum);
    put16(b, w ? 58 : 46, s->shentsize ? s->shentsize : (w ? 64 : 40));
    put16(b, w ? 60 : 48, s->shnum);
}

static void elf_ph(uint8_t *b, const struct elf_spec *s, uint32_t i, uint64_t off,
                   uint64_t va, uint64_t memsz)
{
    size_t at = (size_t)s->phoff + (s->is64 ? 56 : 32) * (size_t)i;
    if (s->is64) {
        put64(b, at + 8, off);
        put64(b, at + 16, va);
        put64(b, at + 40, memsz);
    } else {
        put32(b, at + 4, off);
        put32(b, at + 8, va);
        put32(b, at + 20, memsz);
    }
}

static void elf_sh(uint8_t *b, const struct elf_spec *s, uint32_t i, uint64_t off,
                   uint64_t size)
{
    size_t at = (size_t)s->shoff + (s->is64 ? 64 : 40) * (size_t)i;
    put(b, at + (s->is64 ? 24 : 16), off, s->is64 ? 8 : 4);
    put(b, at + (s->is64 ? 32 : 20), size, s->is64 ? 8 : 4);
}

/* Program header 0 maps 0x401000.. to 0x1000; sections at 0, 0x1000, 0x1800. */
static struct elf_spec elf_std(uint8_t *b, int is64, int be)
{
    struct elf_spec s = {is64, be, 0x401010, 0x40, 0x100, 1, 3, 0, 0};
    elf_build(b, &s);
    elf_ph(b, &s, 0, 0x1000, 0x401000, 0x800);
    elf_sh(b, &s, 1, 0x1000, 0x800);
    elf_sh(b, &s, 2, 0x1800, 0x100);
    return s;
}

static void test_elf_basic(void **state)
{
    (void)state;
    for (int is64 = 0; is64 < 2; is64++) {
        for (int be = 0; be < 2; be++) {
            uint8_t b[0x2000] = {0};
            const struct exe_layout *l;
            elf_std(b, is64, be);
            l = layout(b, sizeof b, TARGET_ELF);
            assert_true(l->valid);
            assert_int_equal(l->ep, 0x1010);
            assert_int_equal(l->nsect, 3);
            assert_sect(l, 0, 0, 0);
            assert_sect(l, 1, 0x1000, 0x800);
            assert_sect(l, 2, 0x1800, 0x100);
            /* Any EI_DATA but 1 reads big-endian. */
            b[5] = be ? 0 : 2;
            assert_int_equal(layout(b, sizeof b, TARGET_ELF)->valid, be);
            b[5] = be ? 3 : 1;
            assert_int_equal(layout(b, sizeof b, TARGET_ELF)->valid, 1);
            b[4] = 3;
            assert_false(layout(b, sizeof b, TARGET_ELF)->valid);
        }
    }
}

static void test_elf_entry(void **state)
{
    uint8_t b[0x2000] = {0};
    struct elf_spec s;
    (void)state;

    /* memsz counts, not filesz; the first holding program header wins. */
    s = elf_std(b, 1, 0);
    s.phnum = 2;
    elf_build(b, &s);
    elf_ph(b, &s, 1, 0x1800, 0x401000, 0x800);
    assert_int_equal(layout(b, sizeof b, TARGET_ELF)->ep, 0x1010);
    put64(b, 24, 0x4017f0);
    assert_int_equal(layout(b, sizeof b, TARGET_ELF)->ep, 0x17f0);
    put64(b, 24, 0x401800); /* past both */
    assert_false(layout(b, sizeof b, TARGET_ELF)->valid);
    /* Entry 0, or no program headers: EP 0, headers never read. */
    s = elf_std(b, 1, 0);
    s.entry = 0;
    s.phentsize = 1;
    elf_build(b, &s);
    assert_true(layout(b, sizeof b, TARGET_ELF)->valid);
    assert_int_equal(g_info.layout.ep, 0);
    s = elf_std(b, 0, 0);
    s.phnum = 0;
    elf_build(b, &s);
    assert_int_equal(layout(b, sizeof b, TARGET_ELF)->ep, 0);
    assert_true(g_info.layout.valid);
    /* A 32-bit vaddr + memsz wraps: the entry is then outside. */
    s = elf_std(b, 0, 0);
    s.entry = 0xfffff010;
    elf_build(b, &s);
    elf_ph(b, &s, 0, 0x1000, 0xfffff000, 0x2000);
    assert_false(layout(b, sizeof b, TARGET_ELF)->valid);
    /* 64-bit values are kept to 32 bits, as clamscan keeps them. */
    memset(b, 0, sizeof b);
    s = elf_std(b, 1, 1);
    elf_ph(b, &s, 0, 0x100001000, 0x401000, 0x800);
    elf_sh(b, &s, 1, 0x100001800, 0x100000100);
    assert_int_equal(layout(b, sizeof b, TARGET_ELF)->ep, 0x1010);
    assert_sect(&g_info.layout, 1, 0x1800, 0x100);
}

static void test_elf_bad_headers(void **state)
{
    uint8_t b[0x2000] = {0};
    struct elf_spec s;
    (void)state;

    for (int is64 = 0; is64 < 2; is64++) {
        memset(b, 0, sizeof b);
        s = elf_std(b, is64, 0);
        /* Cut inside the file header. */
        assert_false(layout(b, is64 ? 63 : 51, TARGET_ELF)->valid);
        /* Program headers: too many, wrong entry size, past the end. */
        s.phnum = 129;
        elf_build(b, &s);
        assert_false(layout(b, sizeof b, TARGET_ELF)->valid);
        s.phnum = 1;
        s.phentsize = is64 ? 32 : 56;
        elf_build(b, &s);
        assert_false(layout(b, sizeof b, TARGET_ELF)->valid);
        s.phentsize = 0;
        s.phoff = sizeof b - 8;
        elf_build(b, &s);
        assert_false(layout(b, sizeof b, TARGET_ELF)->valid);
        s.phoff = is64 ? UINT64_MAX - 8 : UINT32_MAX - 8;
        elf_build(b, &s);
        assert_false(layout(b, sizeof b, TARGET_ELF)->valid);
        /* Sections: too many, wrong entry size even with none, past the end. */
        s = elf_std(b, is64, 0);
        s.shnum = 257;
        elf_build(b, &s);
        assert_false(layout(b, sizeof b, TARGET_ELF)->valid);
        s.shnum = 0;
        elf_build(b, &s);
        assert_true(layout(b, sizeof b, TARGET_ELF)->valid);
        assert_int_equal(g_info.layout.nsect, 0);
        s.shentsize = 3;
        elf_build(b, &s);
        assert_false(layout(b, sizeof b, TARGET_ELF)->valid);
        s = elf_std(b, is64, 0);
        assert_false(layout(b, 0x100 + 3 * (is64 ? 64 : 40) - 1, TARGET_ELF)->valid);
        s.shoff = is64 ? UINT64_MAX - 8 : UINT32_MAX - 8;
        elf_build(b, &s);
        assert_false(layout(b, sizeof b, TARGET_ELF)->valid);
    }
}

static void test_elf_many_sections(void **state)
{
    uint8_t b[0x6000] = {0};
    struct elf_spec s = {0, 0, 0, 0, 0x100, 0, 256, 0, 0};
    const struct exe_layout *l;
    (void)state;

    elf_build(b, &s);
    for (uint32_t i = 0; i < 256; i++)
        elf_sh(b, &s, i, 0x3000 + 0x10 * i, 0x10);
    l = layout(b, sizeof b, TARGET_ELF);
    assert_true(l->valid);
    assert_int_equal(l->nsect, EXE_MAX_SECTIONS);
    assert_sect(l, 94, 0x3000 + 0x10 * 94, 0x10);
    assert_sect(l, 95, 0x3000 + 0x10 * 255, 0x10);
}

/* ---- Mach-O --------------------------------------------------------------- */

struct mo {
    uint8_t *b;
    size_t at; /* next load command */
    int is64;
    uint32_t ncmds;
};

static void mo_begin(struct mo *m, uint8_t *b, int is64, int be, uint32_t cpu)
{
    g_be = be;
    m->b = b;
    m->is64 = is64;
    m->at = is64 ? 32 : 28;
    m->ncmds = 0;
    put32(b, 0, is64 ? 0xfeedfacf : 0xfeedface);
    put32(b, 4, cpu);
    put32(b, 12, 2);
}

static void mo_end(struct mo *m)
{
    put32(m->b, 16, m->ncmds);
}

/* A segment of n sections: addr, size, offset, align per section. */
static void mo_segment(struct mo *m, uint32_t n, const uint64_t (*sect)[4])
{
    size_t seg = m->is64 ? 72 : 56, one = m->is64 ? 80 : 68;

    put32(m->b, m->at, m->is64 ? 0x19 : 0x1);
    put32(m->b, m->at + 4, seg + one * n);
    put32(m->b, m->at + seg - 8, n);
    for (uint32_t j = 0; j < n; j++) {
        size_t s = m->at + seg + one * j;
        if (m->is64) {
            put64(m->b, s + 32, sect[j][0]);
            put64(m->b, s + 40, sect[j][1]);
            put32(m->b, s + 48, sect[j][2]);
            put32(m->b, s + 52, sect[j][3]);
        } else {
            put32(m->b, s + 32, sect[j][0]);
            put32(m->b, s + 36, sect[j][1]);
            put32(m->b, s + 40, sect[j][2]);
            put32(m->b, s + 44, sect[j][3]);
        }
    }
    m->at += seg + one * n;
    m->ncmds++;
}

/* LC_UNIXTHREAD with a state of size bytes whose first word is pc (PowerPC's
 * srr0), or whose eip is pc (i386). */
static void mo_thread(struct mo *m, uint32_t size, uint64_t pc, int i386)
{
    put32(m->b, m->at, 5);
    put32(m->b, m->at + 4, 16 + size);
    if (i386)
        put32(m->b, m->at + 16 + 40, pc);
    else if (size == 312)
        put64(m->b, m->at + 16, pc);
    else
        put32(m->b, m->at + 16, pc);
    m->at += 16 + size;
    m->ncmds++;
}

static void mo_raw(struct mo *m, uint32_t cmd, uint32_t cmdsize)
{
    put32(m->b, m->at, cmd);
    put32(m->b, m->at + 4, cmdsize);
    m->at += cmdsize > 8 ? cmdsize : 8;
    m->ncmds++;
}

static const uint64_t SEC2[2][4] = {{0x1000, 0x200, 0x400, 4}, {0x2000, 0x100, 0x800, 0}};

static void test_macho_basic(void **state)
{
    (void)state;
    for (int is64 = 0; is64 < 2; is64++) {
        for (int be = 0; be < 2; be++) {
            uint8_t b[0x2000] = {0};
            const struct exe_layout *l;
            struct mo m;
            mo_begin(&m, b, is64, be, is64 ? 0x1000012 : 18);
            mo_segment(&m, 2, SEC2);
            mo_thread(&m, is64 ? 312 : 160, 0x2010, 0);
            mo_end(&m);
            l = layout(b, sizeof b, TARGET_MACHO);
            assert_true(l->valid);
            assert_int_equal(l->ep, 0x810);
            assert_int_equal(l->nsect, 2);
            assert_sect(l, 0, 0x400, 0x200);
            assert_sect(l, 1, 0x800, 0x100);
            /* The thread state must be there in full. */
            assert_false(layout(b, m.at - 1, TARGET_MACHO)->valid);
            assert_true(layout(b, m.at, TARGET_MACHO)->valid);
        }
    }
}

static void test_macho_entry(void **state)
{
    uint8_t b[0x2000] = {0};
    struct mo m;
    (void)state;

    /* i386 threads are read but set no entry; x86-64 ones are skipped. */
    mo_begin(&m, b, 0, 0, 7);
    mo_segment(&m, 2, SEC2);
    mo_thread(&m, 64, 0x1010, 1);
    mo_end(&m);
    assert_true(layout(b, sizeof b, TARGET_MACHO)->valid);
    assert_int_equal(g_info.layout.ep, 0);
    assert_false(layout(b, m.at - 1, TARGET_MACHO)->valid);
    memset(b, 0, sizeof b);
    mo_begin(&m, b, 1, 0, 0x1000007);
    mo_segment(&m, 2, SEC2);
    mo_thread(&m, 168, 0x1010, 0);
    mo_end(&m);
    assert_int_equal(layout(b, sizeof b, TARGET_MACHO)->ep, 0);
    /* No sections: the entry stays a virtual address. */
    memset(b, 0, sizeof b);
    mo_begin(&m, b, 0, 1, 18);
    mo_thread(&m, 160, 0x2010, 0);
    mo_end(&m);
    assert_int_equal(layout(b, sizeof b, TARGET_MACHO)->ep, 0x2010);
    assert_int_equal(g_info.layout.nsect, 0);
    /* Thread before the segments, two threads (the last wins). */
    memset(b, 0, sizeof b);
    mo_begin(&m, b, 0, 1, 18);
    mo_thread(&m, 160, 0x1010, 0);
    mo_thread(&m, 160, 0x1020, 0);
    mo_segment(&m, 2, SEC2);
    mo_end(&m);
    assert_int_equal(layout(b, sizeof b, TARGET_MACHO)->ep, 0x420);
    /* In no section: unusable. */
    put32(b, 28 + 176 + 16, 0x10);
    assert_false(layout(b, sizeof b, TARGET_MACHO)->valid);
    /* Overlapping sections: the first holding the entry maps it. */
    {
        const uint64_t overlap[2][4] = {{0x1000, 0x200, 0x400, 0}, {0x1000, 0x200, 0x800, 0}};
        memset(b, 0, sizeof b);
        mo_begin(&m, b, 0, 1, 18);
        mo_segment(&m, 2, overlap);
        mo_thread(&m, 160, 0x1010, 0);
        mo_end(&m);
        assert_int_equal(layout(b, sizeof b, TARGET_MACHO)->ep, 0x410);
    }
}

static void test_macho_wrap_and_truncation(void **state)
{
    uint8_t b[0x2000] = {0};
    const uint64_t wrap[1][4] = {{0xfffff000, 0x2000, 0x400, 0}};
    const uint64_t big[1][4] = {{0x100001000, 0x100, 0x400, 0}};
    struct mo m;
    (void)state;

    /* addr + size wraps at 32 bits: the entry is outside. */
    mo_begin(&m, b, 1, 1, 0x1000012);
    mo_segment(&m, 1, wrap);
    mo_thread(&m, 312, 0xfffff010, 0);
    mo_end(&m);
    assert_false(layout(b, sizeof b, TARGET_MACHO)->valid);
    /* A 64-bit addr and srr0 are kept to 32 bits. */
    memset(b, 0, sizeof b);
    mo_begin(&m, b, 1, 1, 0x1000012);
    mo_segment(&m, 1, big);
    mo_thread(&m, 312, 0x100001010, 0);
    mo_end(&m);
    assert_int_equal(layout(b, sizeof b, TARGET_MACHO)->ep, 0x410);
}

static void test_macho_sections(void **state)
{
    static const struct {
        uint64_t size, align;
        int valid;
        uint64_t rsz;
    } cases[] = {
        {0x100, 31, 1, 0x80000000}, {0x100, 32, 0, 0},      {0xfffffff0, 4, 1, 0xfffffff0},
        {0xfffffff8, 4, 0, 0},      {0x80000001, 31, 0, 0}, {0, 31, 1, 0},
        {0x101, 0, 1, 0x101},       {0x100000000, 0, 0, 0}, {0x100000100, 4, 0, 0},
    };
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int is64 = cases[i].size > UINT32_MAX;
        uint8_t b[0x1000] = {0};
        const uint64_t sect[1][4] = {{0x1000, cases[i].size, 0x400, cases[i].align}};
        struct mo m;
        mo_begin(&m, b, is64, 1, 18);
        mo_segment(&m, 1, sect);
        mo_end(&m);
        assert_int_equal(layout(b, sizeof b, TARGET_MACHO)->valid, cases[i].valid);
        if (cases[i].valid)
            assert_sect(&g_info.layout, 0, 0x400, cases[i].rsz);
    }
}

static void test_macho_bad_headers(void **state)
{
    uint8_t b[0x2000] = {0};
    struct mo m;
    (void)state;

    mo_begin(&m, b, 0, 1, 18);
    mo_segment(&m, 2, SEC2);
    mo_end(&m);
    assert_true(layout(b, sizeof b, TARGET_MACHO)->valid);
    /* Every cut inside the commands. */
    for (size_t n = 0; n < m.at; n++)
        assert_false(layout(b, n, TARGET_MACHO)->valid);
    /* Command counts: 0, 1025; more commands than there are bytes for. */
    put32(b, 16, 0);
    assert_false(layout(b, sizeof b, TARGET_MACHO)->valid);
    put32(b, 16, 1025);
    assert_false(layout(b, sizeof b, TARGET_MACHO)->valid);
    put32(b, 16, 1024);
    assert_false(layout(b, sizeof b, TARGET_MACHO)->valid); /* zeros: cmdsize 0, then off the end */
    /* 256 sections in one segment. */
    put32(b, 16, 1);
    put32(b, 28 + 48, 256);
    assert_false(layout(b, sizeof b, TARGET_MACHO)->valid);
    /* A huge cmdsize sends the next command past the end. */
    memset(b, 0, sizeof b);
    mo_begin(&m, b, 0, 1, 18);
    mo_raw(&m, 0x2, 0xffffffff);
    mo_end(&m);
    put32(b, 16, 2);
    assert_false(layout(b, sizeof b, TARGET_MACHO)->valid);
    /* Fat binaries have no layout of their own. */
    memcpy(b, "\xca\xfe\xba\xbe\0\0\0\x01", 8);
    assert_false(layout(b, sizeof b, TARGET_MACHO)->valid);
}

static void test_macho_command_steps(void **state)
{
    uint8_t b[0x2000] = {0};
    struct mo m;
    (void)state;

    /* Other commands are stepped over by cmdsize; 8 or less steps 8. */
    mo_begin(&m, b, 0, 1, 18);
    mo_raw(&m, 0x2, 24);
    mo_raw(&m, 0x99, 4);
    mo_segment(&m, 2, SEC2);
    mo_thread(&m, 160, 0x2010, 0);
    mo_end(&m);
    assert_int_equal(layout(b, sizeof b, TARGET_MACHO)->ep, 0x810);
    /* A segment is stepped over by what is read of it, not by cmdsize. */
    memset(b, 0, sizeof b);
    mo_begin(&m, b, 0, 1, 18);
    mo_segment(&m, 2, SEC2);
    put32(b, 28 + 4, 0x1000);
    mo_thread(&m, 160, 0x2010, 0);
    mo_end(&m);
    assert_int_equal(layout(b, sizeof b, TARGET_MACHO)->ep, 0x810);
    /* A 64-bit file's LC_SEGMENT (32-bit) is not a segment. */
    memset(b, 0, sizeof b);
    mo_begin(&m, b, 1, 1, 0x1000012);
    put32(b, 32, 0x1);
    put32(b, 36, 56);
    m.at += 56;
    m.ncmds++;
    mo_end(&m);
    assert_true(layout(b, sizeof b, TARGET_MACHO)->valid);
    assert_int_equal(g_info.layout.nsect, 0);
}

static void test_macho_many_sections(void **state)
{
    uint8_t b[0x8000] = {0};
    uint64_t sect[150][4];
    struct mo m;
    const struct exe_layout *l;
    (void)state;

    mo_begin(&m, b, 0, 1, 18);
    for (int s = 0; s < 2; s++) {
        for (uint32_t j = 0; j < 150; j++) {
            uint32_t i = 150 * (uint32_t)s + j;
            sect[j][0] = 0x10000 + 0x10 * i;
            sect[j][1] = 0x10;
            sect[j][2] = 0x6000 + 0x4 * i;
            sect[j][3] = 0;
        }
        mo_segment(&m, 150, (const uint64_t(*)[4])sect);
    }
    mo_thread(&m, 160, 0x10000 + 0x10 * 299 + 4, 0);
    mo_end(&m);
    l = layout(b, sizeof b, TARGET_MACHO);
    assert_true(l->valid);
    assert_int_equal(l->ep, 0x6000 + 0x4 * 299 + 4);
    assert_int_equal(l->nsect, EXE_MAX_SECTIONS);
    assert_sect(l, 94, 0x6000 + 0x4 * 94, 0x10);
    assert_sect(l, 95, 0x6000 + 0x4 * 299, 0x10);
}

/* ClamAV keeps the section count in 16 bits: of 65537 sections only the
 * first counts, and 65536 count as none (but still refuse an entry). */
static void test_macho_section_count_wraps(void **state)
{
    size_t len = 28 + 258 * 56 + 65537 * 68 + 16 + 160;
    uint8_t *b = calloc(1, len);
    uint64_t (*sect)[4] = calloc(255, sizeof *sect);
    struct mo m;
    (void)state;

    assert_non_null(b);
    assert_non_null(sect);
    for (uint32_t j = 0; j < 255; j++) {
        sect[j][0] = 0x1000 + 0x10 * j;
        sect[j][1] = 0x10;
        sect[j][2] = 0x40 + j;
    }
    for (int total = 65536; total <= 65537; total++) {
        memset(b, 0, len);
        mo_begin(&m, b, 0, 1, 18);
        for (int i = 0; i < 257; i++)
            mo_segment(&m, 255, (const uint64_t(*)[4])sect);
        mo_segment(&m, (uint32_t)(total - 257 * 255), (const uint64_t(*)[4])sect);
        mo_thread(&m, 160, 0x1004, 0); /* in section 0 */
        mo_end(&m);
        assert_int_equal(layout(b, len, TARGET_MACHO)->valid, total == 65537);
        assert_int_equal(g_info.layout.nsect, total == 65537 ? 1 : 0);
        if (total == 65537) {
            assert_int_equal(g_info.layout.ep, 0x44);
            /* Section 1 holds 0x1014 but no longer counts. */
            put32(b, m.at - 160, 0x1014);
            assert_false(layout(b, len, TARGET_MACHO)->valid);
        }
        put32(b, m.at - 160, 0);
        assert_true(layout(b, len, TARGET_MACHO)->valid);
    }
    free(sect);
    free(b);
}

/* ---- dispatch -------------------------------------------------------------- */

static void test_other_types(void **state)
{
    uint8_t b[0x1000] = {0};
    (void)state;

    pe_two(b, 0x1010, 0);
    assert_true(layout(b, sizeof b, TARGET_PE)->valid);
    /* Only the type decides which reader runs. */
    assert_false(layout(b, sizeof b, TARGET_ANY)->valid);
    assert_false(layout(b, sizeof b, TARGET_ELF)->valid);
    assert_false(layout(b, sizeof b, TARGET_MACHO)->valid);
    assert_false(layout(b, sizeof b, TARGET_PDF)->valid);
    assert_int_equal(g_info.layout.nsect, 0);
    assert_int_equal(g_info.layout.ep, 0);
    assert_false(layout(NULL, 0, TARGET_PE)->valid);
    assert_false(layout(NULL, 0, TARGET_ELF)->valid);
    assert_false(layout(NULL, 0, TARGET_MACHO)->valid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pe_basic),
        cmocka_unit_test(test_pe_entry),
        cmocka_unit_test(test_pe_alignment),
        cmocka_unit_test(test_pe_sections_past_end),
        cmocka_unit_test(test_pe_sign_bits),
        cmocka_unit_test(test_pe_bad_headers),
        cmocka_unit_test(test_pe_truncated),
        cmocka_unit_test(test_pe_many_sections),
        cmocka_unit_test(test_elf_basic),
        cmocka_unit_test(test_elf_entry),
        cmocka_unit_test(test_elf_bad_headers),
        cmocka_unit_test(test_elf_many_sections),
        cmocka_unit_test(test_macho_basic),
        cmocka_unit_test(test_macho_entry),
        cmocka_unit_test(test_macho_wrap_and_truncation),
        cmocka_unit_test(test_macho_sections),
        cmocka_unit_test(test_macho_bad_headers),
        cmocka_unit_test(test_macho_command_steps),
        cmocka_unit_test(test_macho_many_sections),
        cmocka_unit_test(test_macho_section_count_wraps),
        cmocka_unit_test(test_other_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
