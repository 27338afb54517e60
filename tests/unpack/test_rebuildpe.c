/* test_rebuildpe.c - the PE ClamAV writes around unpacked sections
 * (src/unpack/rebuildpe.c): the header fields cli_rebuildpe_align sets, the
 * section table and data at 0x200-aligned offsets, the "empty" section in
 * front of a first section that starts past the headers, and the cases it
 * refuses. (Hash parity of whole rebuilt images with clamscan's is checked
 * by each packer's compat test.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unpack/rebuildpe.h"

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static void test_two_sections(void **state)
{
    static uint8_t buf[0x300];
    struct pe_rebuild_sect s[2] = {{0x1000, 0x1800, 0, 0x100},
                                   {0x3000, 0x10, 0x100, 0x1ff}};
    uint8_t *f;
    size_t n;
    (void)state;
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 3 + 1);
    assert_int_equal(pe_rebuild(buf, sizeof buf, s, 2, 0x400000, 0x1234, 0x3000, 0x10, 0,
                                1 << 20, &f, &n),
                     1);
    /* headers 0x1c8 + 2 * 0x28 -> 0x400; data 0x200 + 0x400 */
    assert_int_equal(n, 0x400 + 0x200 + 0x200);
    assert_memory_equal(f, "MZ", 2);
    assert_int_equal(rd32(f + 0x3c), 0xd0);
    assert_memory_equal(f + 0xd0, "PE\0\0", 4);
    assert_int_equal(rd16(f + 0xd6), 2);
    assert_memory_equal(f + 0xd8, "CLAM", 4);
    assert_int_equal(rd32(f + 0xd0 + 0x28), 0x1234);
    assert_int_equal(rd32(f + 0xd0 + 0x34), 0x400000);
    assert_int_equal(rd32(f + 0xd0 + 0x54), 0x400);
    /* SizeOfImage: 0x1000 of headers + 0x2000 + 0x1000 */
    assert_int_equal(rd32(f + 0xd0 + 0x50), 0x4000);
    assert_int_equal(rd32(f + 0x148 + 0x10), 0x3000);
    assert_int_equal(rd32(f + 0x148 + 0x14), 0x10);
    assert_memory_equal(f + 0x1c8, ".clam01", 8);
    assert_int_equal(rd32(f + 0x1c8 + 8), 0x1800);
    assert_int_equal(rd32(f + 0x1c8 + 12), 0x1000);
    assert_int_equal(rd32(f + 0x1c8 + 16), 0x100);
    assert_int_equal(rd32(f + 0x1c8 + 20), 0x400);
    assert_int_equal(rd32(f + 0x1c8 + 0x24), 0xffffffffu);
    assert_memory_equal(f + 0x1f0, ".clam02", 8);
    assert_int_equal(rd32(f + 0x1f0 + 20), 0x600);
    assert_memory_equal(f + 0x400, buf, 0x100);
    assert_memory_equal(f + 0x600, buf + 0x100, 0x1ff);
    assert_int_equal(f[0x7ff], 0);
    free(f);
}

static void test_ghost_and_align(void **state)
{
    static uint8_t buf[0x40];
    struct pe_rebuild_sect s[1] = {{0x5000, 0x10, 0, 0x40}};
    uint8_t *f;
    size_t n;
    (void)state;
    assert_int_equal(
        pe_rebuild(buf, sizeof buf, s, 1, 0, 0, 0, 0, 0x100, 1 << 20, &f, &n), 1);
    assert_int_equal(rd16(f + 0xd6), 2);
    assert_memory_equal(f + 0x1c8, "empty", 6);
    assert_int_equal(rd32(f + 0x1c8 + 8), 0x4000);  /* vsize: up to the first section */
    assert_int_equal(rd32(f + 0x1c8 + 12), 0x1000); /* rva: behind the headers */
    assert_memory_equal(f + 0x1f0, ".clam01", 8);
    assert_int_equal(rd32(f + 0x1f0 + 8), 0x100);  /* vsz aligned to 0x100 */
    assert_int_equal(rd32(f + 0x1f0 + 16), 0x100); /* rsz too */
    assert_int_equal(n, 0x400 + 0x200);
    assert_int_equal(rd32(f + 0xd0 + 0x50), 0x6000);
    free(f);
}

static void test_refused(void **state)
{
    static uint8_t buf[0x40];
    static struct pe_rebuild_sect many[PE_REBUILD_MAX_SECTIONS + 1];
    struct pe_rebuild_sect out_of_buf = {0x1000, 0x10, 0x20, 0x21};
    uint8_t *f = (uint8_t *)buf;
    size_t n = 1;
    (void)state;
    assert_int_equal(pe_rebuild(buf, sizeof buf, many, 0, 0, 0, 0, 0, 0, 1 << 20, &f, &n),
                     0);
    assert_null(f);
    assert_int_equal(n, 0);
    assert_int_equal(pe_rebuild(buf, sizeof buf, many, PE_REBUILD_MAX_SECTIONS + 1, 0, 0,
                                0, 0, 0, 1 << 20, &f, &n),
                     0);
    assert_int_equal(
        pe_rebuild(buf, sizeof buf, &out_of_buf, 1, 0, 0, 0, 0, 0, 1 << 20, &f, &n), 0);
    /* one section: headers 0x1c8 + 0x28 -> 0x200, data 0x200 */
    out_of_buf.rsz = 0x20;
    assert_int_equal(
        pe_rebuild(buf, sizeof buf, &out_of_buf, 1, 0, 0, 0, 0, 0, 0x3ff, &f, &n), 0);
    assert_int_equal(
        pe_rebuild(buf, sizeof buf, &out_of_buf, 1, 0, 0, 0, 0, 0, 0x400, &f, &n), 1);
    assert_int_equal(n, 0x400);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_sections),
        cmocka_unit_test(test_ghost_and_align),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
