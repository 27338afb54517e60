/* test_strtab.c - the string table: offsets stay valid across growth, the
 * suffix is appended, and the hard maximum is enforced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/strtab.h"

static void test_add_and_get(void **state)
{
    struct strtab t;
    uint32_t off[1000];
    char want[32];
    (void)state;
    strtab_init(&t, 1 << 20);
    for (int i = 0; i < 1000; i++) {
        snprintf(want, sizeof want, "Name-%d", i);
        assert_int_equal(strtab_add(&t, want, strlen(want), i % 2 ? ".UNOFFICIAL" : NULL,
                                    &off[i]),
                         VIGIL_OK);
    }
    for (int i = 0; i < 1000; i++) {
        snprintf(want, sizeof want, "Name-%d%s", i, i % 2 ? ".UNOFFICIAL" : "");
        assert_string_equal(strtab_get(&t, off[i]), want);
    }
    strtab_free(&t);
}

static void test_maximum(void **state)
{
    struct strtab t;
    uint32_t off;
    (void)state;
    strtab_init(&t, 10);
    assert_int_equal(strtab_add(&t, "abcd", 4, NULL, &off), VIGIL_OK);   /* 5 bytes */
    assert_int_equal(strtab_add(&t, "abcd", 4, NULL, &off), VIGIL_OK);   /* 10 */
    assert_int_equal(strtab_add(&t, "a", 1, NULL, &off), VIGIL_ENOMEM);  /* 12 > 10 */
    assert_int_equal(strtab_add(&t, "a", 1, "b", &off), VIGIL_ENOMEM);
    strtab_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_and_get),
        cmocka_unit_test(test_maximum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
