/* test_vba.c - the MS-OVBA decompressor and dir stream reader (vba.c):
 * the worked example of [MS-OVBA] 3.2.3, raw chunks, the bounds of the
 * output, malformed containers, and the module list of a dir stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "unpack/vba.h"

/* [MS-OVBA] 3.2.3: a compressed container with literals and copy tokens. */
static const uint8_t spec_in[] = {
    0x01, 0x2F, 0xB0, 0x00, 0x23, 0x61, 0x61, 0x61, 0x62, 0x63, 0x64, 0x65, 0x82,
    0x66, 0x00, 0x70, 0x61, 0x67, 0x68, 0x69, 0x6A, 0x01, 0x38, 0x08, 0x61, 0x6B,
    0x6C, 0x00, 0x30, 0x6D, 0x6E, 0x6F, 0x70, 0x06, 0x71, 0x02, 0x70, 0x04, 0x10,
    0x72, 0x73, 0x74, 0x75, 0x76, 0x10, 0x77, 0x78, 0x79, 0x7A, 0x00, 0x3C};
static const char spec_out[] = "#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa";

static void test_spec_example(void **state)
{
    uint8_t out[256];
    int damaged, full;
    size_t n;

    (void)state;
    n = vba_decompress(spec_in, sizeof spec_in, out, sizeof out, &damaged, &full);
    assert_int_equal(n, strlen(spec_out));
    assert_memory_equal(out, spec_out, n);
    assert_false(damaged);
    assert_false(full);
}

static void test_bounds(void **state)
{
    uint8_t out[10];
    int damaged, full;
    size_t n;

    (void)state;
    /* the output stops at its capacity, a prefix of the whole */
    n = vba_decompress(spec_in, sizeof spec_in, out, sizeof out, &damaged, &full);
    assert_int_equal(n, sizeof out);
    assert_memory_equal(out, spec_out, n);
    assert_true(full);
    /* cut short: what was decoded stays, and the damage is said */
    n = vba_decompress(spec_in, 20, out, sizeof out, &damaged, &full);
    assert_true(damaged);
    assert_memory_equal(out, spec_out, n < sizeof out ? n : sizeof out);
    /* no signature byte; a chunk header without 0b011 */
    n = vba_decompress((const uint8_t *)"\x02\x2f\xb0", 3, out, sizeof out, &damaged, &full);
    assert_int_equal(n, 0);
    assert_true(damaged);
    n = vba_decompress((const uint8_t *)"\x01\x2f\x80\x00a", 5, out, sizeof out, &damaged,
                       &full);
    assert_int_equal(n, 0);
    assert_true(damaged);
    /* a copy token pointing before the chunk */
    n = vba_decompress((const uint8_t *)"\x01\x03\xb0\x01\x00\x00", 6, out, sizeof out,
                       &damaged, &full);
    assert_int_equal(n, 0);
    assert_true(damaged);
}

static void test_raw_chunk(void **state)
{
    static uint8_t in[3 + 4096], out[5000];
    int damaged, full;
    size_t n;

    (void)state;
    in[0] = 1;
    in[1] = 0xff; /* size 4098, signature 0b011, not compressed */
    in[2] = 0x3f;
    for (size_t i = 0; i < 4096; i++)
        in[3 + i] = (uint8_t)(i * 7);
    n = vba_decompress(in, sizeof in, out, sizeof out, &damaged, &full);
    assert_int_equal(n, 4096);
    assert_memory_equal(out, in + 3, 4096);
    assert_false(damaged);
}

/* A dir stream: PROJECTVERSION (6 bytes after a size of 4), then two
 * modules with their stream names and source offsets. */
static void test_modules(void **state)
{
    static const uint8_t dir[] = {
        0x09, 0x00, 0x04, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5, 6,             /* version */
        0x0f, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00,                   /* count */
        0x19, 0x00, 0x03, 0x00, 0x00, 0x00, 'O', 'n', 'e',                /* name */
        0x1a, 0x00, 0x04, 0x00, 0x00, 0x00, 'S', 't', 'r', '1',           /* stream */
        0x31, 0x00, 0x04, 0x00, 0x00, 0x00, 0x10, 0x02, 0x00, 0x00,       /* offset */
        0x2b, 0x00, 0x00, 0x00, 0x00, 0x00,                               /* end */
        0x19, 0x00, 0x03, 0x00, 0x00, 0x00, 'T', 'w', 'o',
        0x31, 0x00, 0x04, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00,
        0x2b, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x10, 0x00, 0x00, 0x00, 0x00, 0x00};
    struct vba_module m[4];
    int damaged;

    (void)state;
    assert_int_equal(vba_modules(dir, sizeof dir, m, 4, &damaged), 2);
    assert_false(damaged);
    assert_string_equal(m[0].stream, "Str1");
    assert_int_equal(m[0].offset, 0x210);
    assert_string_equal(m[1].stream, "Two"); /* no stream name: the module's */
    assert_int_equal(m[1].offset, 7);
    assert_int_equal(vba_modules(dir, sizeof dir, m, 1, &damaged), 1);
    /* a record running past the end */
    assert_int_equal(vba_modules(dir, 40, m, 4, &damaged), 1);
    assert_true(damaged);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_example),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_raw_chunk),
        cmocka_unit_test(test_modules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
