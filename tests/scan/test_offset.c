/* test_offset.c - ClamAV offset fields: parsing (with clamscan 1.4.6's
 * verdicts on validity) and the start windows they give. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "scan/offset.h"

static const char *parse(const char *s, int exe_ok, struct offset_spec *o)
{
    return offset_parse(s, strlen(s), exe_ok, o);
}

static void test_valid_forms(void **state)
{
    static const char *const ok[] = {"*",      "0",     "4",      "2,2",   "EOF-14",
                                     "EOF-0,3", "EP+0", "EP-16,4", "S0+10", "S3+0,100",
                                     "SE2",    "SL+4",  "SL+0,8", "",   "4,"};
    struct offset_spec o;
    (void)state;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (parse(ok[i], 1, &o))
            fail_msg("'%s' refused: %s", ok[i], parse(ok[i], 1, &o));
}

static void test_invalid_forms(void **state)
{
    /* Each refused by clamscan 1.4.6 ("Invalid offset value" / type). */
    static const char *const bad[] = {"x", "*,3", "EOF-", "EOF+4", "-4", ",4",
                                      "S+4", "S1", "SE", "SE1,x", "EP*4", "4x"};
    struct offset_spec o;
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (!parse(bad[i], 1, &o))
            fail_msg("'%s' accepted", bad[i]);
    /* EP and section forms need an executable target (1, 6, 9). */
    assert_non_null(parse("EP+0", 0, &o));
    assert_non_null(parse("SL+0", 0, &o));
    assert_null(parse("EOF-3", 0, &o));
}

static void test_windows(void **state)
{
    struct offset_spec o;
    uint64_t lo, hi;
    (void)state;
    /* "xxxxHELLOWORLDyyyy" (18 bytes): HELLO at 4. */
    assert_null(parse("4", 0, &o));
    assert_true(offset_window(&o, 18, NULL, &lo, &hi));
    assert_true(lo == 4 && hi == 4);
    assert_null(parse("2,2", 0, &o));
    assert_true(offset_window(&o, 18, NULL, &lo, &hi));
    assert_true(lo == 2 && hi == 4);
    assert_null(parse("EOF-14", 0, &o));
    assert_true(offset_window(&o, 18, NULL, &lo, &hi));
    assert_true(lo == 4 && hi == 4);
    assert_null(parse("EOF-19", 0, &o));
    assert_false(offset_window(&o, 18, NULL, &lo, &hi)); /* before the start */
    assert_null(parse("18", 0, &o));
    assert_false(offset_window(&o, 18, NULL, &lo, &hi)); /* past the end */
    assert_null(parse("*", 0, &o));
    assert_true(offset_window(&o, 18, NULL, &lo, &hi));
    assert_true(lo == 0 && hi == 17);
}

/* VI (cli_caloff: strncmp "VI") loads for executable targets only,
 * whatever follows it (measured: clamscan refuses it for target 0). */
static void test_version_form(void **state)
{
    struct offset_spec o;
    uint64_t lo, hi;
    (void)state;
    assert_non_null(parse("VI", 0, &o));
    assert_null(parse("VI", 1, &o));
    assert_int_equal(o.kind, OFF_VERSION);
    assert_null(parse("VIjunk", 1, &o));
    assert_int_equal(o.kind, OFF_VERSION);
    assert_true(offset_window(&o, 10, NULL, &lo, &hi));
    assert_true(lo == 0 && hi == 9);
}

static void test_executable_windows(void **state)
{
    static const uint64_t off[] = {0x400, 0x1000}, size[] = {0x200, 0x100};
    struct exe_layout exe = {1, 0x450, 2, off, size, NULL, 0};
    struct offset_spec o;
    uint64_t lo, hi;
    (void)state;
    assert_null(parse("EP+0", 1, &o));
    assert_false(offset_window(&o, 0x2000, NULL, &lo, &hi)); /* not an executable */
    assert_true(offset_window(&o, 0x2000, &exe, &lo, &hi));
    assert_true(lo == 0x450 && hi == 0x450);
    assert_non_null(parse("EP-0x", 1, &o));
    assert_null(parse("EP-16,4", 1, &o));
    assert_true(offset_window(&o, 0x2000, &exe, &lo, &hi));
    assert_true(lo == 0x440 && hi == 0x444);
    assert_null(parse("SE1", 1, &o));
    assert_true(offset_window(&o, 0x2000, &exe, &lo, &hi));
    assert_true(lo == 0x1000 && hi == 0x1100); /* end inclusive, as clamscan */
    assert_null(parse("SE1,4", 1, &o));
    assert_true(offset_window(&o, 0x2000, &exe, &lo, &hi));
    assert_true(lo == 0x1000 && hi == 0x1104);
    /* Broken executable headers: no EOF offsets (clamscan 1.4.6). */
    exe.valid = 0;
    assert_null(parse("EOF-16", 0, &o));
    assert_false(offset_window(&o, 0x2000, &exe, &lo, &hi));
    assert_true(offset_window(&o, 0x2000, NULL, &lo, &hi));
    exe.valid = 1;
    assert_null(parse("SL+8", 1, &o));
    assert_true(offset_window(&o, 0x2000, &exe, &lo, &hi));
    assert_true(lo == 0x1008);
    assert_null(parse("S2+0", 1, &o));
    assert_false(offset_window(&o, 0x2000, &exe, &lo, &hi)); /* no section 2 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_forms),
        cmocka_unit_test(test_invalid_forms),
        cmocka_unit_test(test_windows),
        cmocka_unit_test(test_executable_windows),
        cmocka_unit_test(test_version_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
