/* test_sechash.c - the section/import hash tables: sizes, exact and
 * any-size matches, kinds, the duplicate rule measured on clamscan 1.4.6
 * (of equal hashes A B the last loaded, of A B C the last too, of C A B
 * the last), rollback, and many entries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// clang-format off
#include <cmocka.h>
// clang-format on
#include <string.h>

#include "match/sechash.h"

static void digest_of(uint8_t *d, uint32_t seed)
{
    for (unsigned i = 0; i < 32; i++)
        d[i] = (uint8_t)((seed * 2654435761u) >> (i % 4 * 8)) ^ (uint8_t)(i * 7);
}

static void test_sizes_and_kinds(void **state)
{
    struct sechash_table t;
    uint8_t d[32], e[32];
    uint32_t exact = 0, any = 0;
    (void)state;
    sechash_init(&t);
    digest_of(d, 1);
    digest_of(e, 2);
    assert_int_equal(sechash_add(&t, HASH_MD5, d, 512, 10), VIGIL_OK);
    assert_int_equal(sechash_add(&t, HASH_SHA256, e, SECHASH_ANY_SIZE, 11), VIGIL_OK);
    assert_int_equal(sechash_has_size(&t, HASH_MD5, 512), 0); /* not sorted yet */
    sechash_sort(&t);
    assert_int_equal(sechash_has_size(&t, HASH_MD5, 512), 1);
    assert_int_equal(sechash_has_size(&t, HASH_MD5, 513), 0);
    assert_int_equal(sechash_has_size(&t, HASH_SHA1, 512), 0);
    assert_int_equal(sechash_has_size(&t, HASH_SHA256, 77), 1); /* any size */
    assert_int_equal(sechash_find(&t, HASH_MD5, d, 512, &exact, &any), SECHASH_EXACT);
    assert_int_equal(exact, 10);
    assert_int_equal(sechash_find(&t, HASH_MD5, d, 1024, &exact, &any), 0);
    assert_int_equal(sechash_find(&t, HASH_MD5, e, 512, &exact, &any), 0);
    assert_int_equal(sechash_find(&t, HASH_SHA256, e, 99, &exact, &any), SECHASH_ANY);
    assert_int_equal(any, 11);
    sechash_free(&t);
}

/* Loads names in order for one hash and returns the name reported. */
static uint32_t winner(const uint32_t *names, size_t n)
{
    struct sechash_table t;
    uint8_t d[32];
    uint32_t exact = 0, any = 0;

    sechash_init(&t);
    digest_of(d, 5);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(sechash_add(&t, HASH_MD5, d, 512, names[i]), VIGIL_OK);
    sechash_sort(&t);
    assert_int_equal(sechash_find(&t, HASH_MD5, d, 512, &exact, &any), SECHASH_EXACT);
    sechash_free(&t);
    return exact;
}

static void test_duplicates(void **state)
{
    static const uint32_t ab[] = {1, 2}, ba[] = {2, 1}, abc[] = {1, 2, 3},
                          cab[] = {3, 1, 2};
    (void)state;
    assert_int_equal(winner(ab, 2), 2);
    assert_int_equal(winner(ba, 2), 1);
    assert_int_equal(winner(abc, 3), 3);
    assert_int_equal(winner(cab, 3), 2);
}

static void test_many_and_truncate(void **state)
{
    struct sechash_table t;
    uint8_t d[32];
    uint32_t exact = 0, any = 0;
    (void)state;
    sechash_init(&t);
    for (uint32_t i = 0; i < 5000; i++) {
        digest_of(d, i);
        assert_int_equal(sechash_add(&t, (enum hash_kind)(i % 3), d, 100 + i % 7, i),
                         VIGIL_OK);
    }
    sechash_truncate(&t, 4000);
    sechash_sort(&t);
    for (uint32_t i = 0; i < 5000; i += 37) {
        digest_of(d, i);
        unsigned f =
            sechash_find(&t, (enum hash_kind)(i % 3), d, 100 + i % 7, &exact, &any);
        if (i < 4000) {
            assert_int_equal(f, SECHASH_EXACT);
            assert_int_equal(exact, i);
        } else {
            assert_int_equal(f, 0);
        }
    }
    sechash_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes_and_kinds),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_many_and_truncate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
