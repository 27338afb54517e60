/* test_hashset.c - size-bucketed hash sets: the kinds needed per size,
 * exact-size over any-size, collisions, rollback, and a large set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "match/hashset.h"

static void digest_of(uint8_t *d, unsigned len, uint32_t seed)
{
    for (unsigned i = 0; i < len; i++)
        d[i] = (uint8_t)((seed * 2654435761u) >> (i % 4 * 8)) ^ (uint8_t)i;
}

static void test_kinds_for_size(void **state)
{
    struct hashset *hs;
    uint8_t d[32];
    (void)state;
    assert_int_equal(hashset_new(100, &hs), VIGIL_OK);
    digest_of(d, 32, 1);
    assert_int_equal(hashset_add(hs, HASH_MD5, d, 100, 7), VIGIL_OK);
    assert_int_equal(hashset_add(hs, HASH_SHA256, d, 100, 8), VIGIL_OK);
    assert_int_equal(hashset_add(hs, HASH_SHA1, d, 200, 9), VIGIL_OK);
    /* Not usable before compile. */
    assert_int_equal(hashset_kinds_for_size(hs, 100), 0);
    assert_int_equal(hashset_compile(hs), VIGIL_OK);
    assert_int_equal(hashset_kinds_for_size(hs, 100), (1u << HASH_MD5) | (1u << HASH_SHA256));
    assert_int_equal(hashset_kinds_for_size(hs, 200), 1u << HASH_SHA1);
    assert_int_equal(hashset_kinds_for_size(hs, 300), 0);
    assert_int_equal(hashset_kinds_for_size(hs, 0), 0);
    assert_int_equal(hashset_kinds_for_size(hs, 1ull << 40), 0);
    assert_int_equal(hashset_add(hs, HASH_MD5, d, 1, 1), VIGIL_ESTATE);
    hashset_free(hs);
}

static void test_find_exact_and_any(void **state)
{
    struct hashset *hs;
    uint8_t d[16], other[16];
    uint32_t v = 0, a = 0;
    (void)state;
    digest_of(d, 16, 2);
    digest_of(other, 16, 3);
    assert_int_equal(hashset_new(100, &hs), VIGIL_OK);
    assert_int_equal(hashset_add(hs, HASH_MD5, d, HASHSET_ANY_SIZE, 1), VIGIL_OK);
    assert_int_equal(hashset_add(hs, HASH_MD5, d, 50, 2), VIGIL_OK);
    /* Duplicates: the one loaded last is reported, as in ClamAV. */
    assert_int_equal(hashset_add(hs, HASH_MD5, d, 50, 3), VIGIL_OK);
    assert_int_equal(hashset_add(hs, HASH_MD5, d, HASHSET_ANY_SIZE, 4), VIGIL_OK);
    assert_int_equal(hashset_compile(hs), VIGIL_OK);
    assert_int_equal(hashset_kinds_for_size(hs, 12345), 1u << HASH_MD5);
    assert_int_equal(hashset_find(hs, HASH_MD5, d, 50, &v, &a),
                     HASHSET_EXACT | HASHSET_ANY);
    assert_int_equal(v, 3);
    assert_int_equal(a, 4);
    assert_int_equal(hashset_find(hs, HASH_MD5, d, 51, &v, &a), HASHSET_ANY);
    assert_int_equal(a, 4);
    assert_int_equal(hashset_find(hs, HASH_MD5, other, 50, &v, &a), 0);
    assert_int_equal(hashset_find(hs, HASH_SHA1, d, 50, &v, &a), 0);
    hashset_free(hs);
}

static void test_colliding_prefixes(void **state)
{
    /* Digests equal in the bytes used for the slot hash still resolve. */
    struct hashset *hs;
    uint8_t d[64][32];
    uint32_t v, a;
    (void)state;
    assert_int_equal(hashset_new(1000, &hs), VIGIL_OK);
    for (uint32_t i = 0; i < 64; i++) {
        memset(d[i], 0xab, 32);
        d[i][31] = (uint8_t)i;
        assert_int_equal(hashset_add(hs, HASH_SHA256, d[i], 10 + i, i), VIGIL_OK);
    }
    assert_int_equal(hashset_compile(hs), VIGIL_OK);
    for (uint32_t i = 0; i < 64; i++) {
        assert_int_equal(hashset_find(hs, HASH_SHA256, d[i], 10 + i, &v, &a), HASHSET_EXACT);
        assert_int_equal(v, i);
        assert_int_equal(hashset_find(hs, HASH_SHA256, d[i], 11 + i, &v, &a), 0);
    }
    hashset_free(hs);
}

static void test_rollback_and_max(void **state)
{
    struct hashset *hs;
    struct hashset_mark m;
    uint8_t d[16];
    uint32_t v, a;
    (void)state;
    assert_int_equal(hashset_new(3, &hs), VIGIL_OK);
    digest_of(d, 16, 4);
    assert_int_equal(hashset_add(hs, HASH_MD5, d, 5, 1), VIGIL_OK);
    hashset_mark(hs, &m);
    d[0] ^= 1;
    assert_int_equal(hashset_add(hs, HASH_MD5, d, 6, 2), VIGIL_OK);
    assert_int_equal(hashset_add(hs, HASH_MD5, d, 7, 3), VIGIL_OK);
    assert_int_equal(hashset_add(hs, HASH_MD5, d, 8, 4), VIGIL_ENOMEM); /* max 3 */
    hashset_rollback(hs, &m);
    assert_int_equal(hashset_count(hs), 1);
    assert_int_equal(hashset_compile(hs), VIGIL_OK);
    assert_int_equal(hashset_find(hs, HASH_MD5, d, 6, &v, &a), 0);
    hashset_free(hs);
}

static void test_many_entries(void **state)
{
    enum { N = 200000 };
    struct hashset *hs;
    uint8_t d[16];
    uint32_t v, a;
    (void)state;
    assert_int_equal(hashset_new(N, &hs), VIGIL_OK);
    for (uint32_t i = 0; i < N; i++) {
        digest_of(d, 16, i + 1);
        memcpy(d + 12, &i, 4);
        assert_int_equal(hashset_add(hs, HASH_MD5, d, 1000 + i % 5000, i), VIGIL_OK);
    }
    assert_int_equal(hashset_compile(hs), VIGIL_OK);
    for (uint32_t i = 0; i < N; i += 7) {
        digest_of(d, 16, i + 1);
        memcpy(d + 12, &i, 4);
        assert_int_equal(hashset_find(hs, HASH_MD5, d, 1000 + i % 5000, &v, &a),
                         HASHSET_EXACT);
        assert_int_equal(v, i);
    }
    assert_int_equal(hashset_kinds_for_size(hs, 999), 0);
    hashset_free(hs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_for_size),
        cmocka_unit_test(test_find_exact_and_any),
        cmocka_unit_test(test_colliding_prefixes),
        cmocka_unit_test(test_rollback_and_max),
        cmocka_unit_test(test_many_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
