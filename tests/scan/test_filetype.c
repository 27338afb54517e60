/* test_filetype.c - typing by magic bytes into ClamAV target types. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "scan/filetype.h"

static void test_magic(void **state)
{
    uint8_t pe[0x100] = {'M', 'Z'};
    uint8_t fat[8] = {0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2};
    uint8_t java[8] = {0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52};
    (void)state;
    pe[0x3c] = 0x80;
    memcpy(pe + 0x80, "PE\0\0", 4);
    assert_int_equal(filetype_target(pe, sizeof pe), TARGET_PE);
    /* e_lfanew outside the object: still PE to clamscan, without a layout. */
    pe[0x3c] = 0xfe;
    assert_int_equal(filetype_target(pe, sizeof pe), TARGET_PE);
    assert_int_equal(filetype_target((const uint8_t *)"ZMxxxx", 6), TARGET_ANY);
    assert_int_equal(filetype_target((const uint8_t *)"\x7f" "ELF\x02\x01", 6), TARGET_ELF);
    assert_int_equal(filetype_target(fat, 8), TARGET_MACHO);
    assert_int_equal(filetype_target(java, 8), TARGET_JAVA);
    assert_int_equal(filetype_target((const uint8_t *)"%PDF-1.7\n", 9), TARGET_PDF);
    assert_int_equal(filetype_target((const uint8_t *)"GIF89a..", 8), TARGET_GRAPHICS);
    assert_int_equal(filetype_target((const uint8_t *)"hello world", 11), TARGET_TEXT);
    assert_int_equal(filetype_target((const uint8_t *)"MZ", 2), TARGET_PE);
    assert_int_equal(filetype_target((const uint8_t *)"M", 1), TARGET_ANY);
    assert_int_equal(filetype_target((const uint8_t *)"", 0), TARGET_ANY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_magic)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
