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

/* A copy of a compiled set's tables, attached as an image's are. */
struct flat_copy {
    struct hashset_flat f;
    uint8_t *recs;
    uint32_t *slots, *sizes;
    uint8_t *kinds;
};

static void flat_copy_of(const struct hashset *src, struct flat_copy *c)
{
    hashset_export(src, &c->f);
    c->recs = malloc(c->f.n[HASH_MD5] * 24);
    c->slots = malloc(c->f.nslots[HASH_MD5] * 4);
    c->sizes = malloc(c->f.nsizes * 4);
    c->kinds = malloc(c->f.nsizes);
    assert_non_null(c->recs);
    assert_non_null(c->slots);
    assert_non_null(c->sizes);
    assert_non_null(c->kinds);
    memcpy(c->recs, c->f.recs[HASH_MD5], c->f.n[HASH_MD5] * 24);
    memcpy(c->slots, c->f.slots[HASH_MD5], c->f.nslots[HASH_MD5] * 4);
    memcpy(c->sizes, c->f.sizes, c->f.nsizes * 4);
    memcpy(c->kinds, c->f.size_kinds, c->f.nsizes);
    c->f.recs[HASH_MD5] = c->recs;
    c->f.slots[HASH_MD5] = c->slots;
    c->f.sizes = c->sizes;
    c->f.size_kinds = c->kinds;
}

static void flat_copy_free(struct flat_copy *c)
{
    free(c->recs);
    free(c->slots);
    free(c->sizes);
    free(c->kinds);
}

/* Attaching checks only the tables' shapes; what is in them is checked by
 * the lookups: a slot past the records, a value out of range, a table
 * without an empty slot (probes would never stop) cost a match at most,
 * never a read outside the arrays or an endless probe. */
static void test_attach_checked_by_lookups(void **state)
{
    struct hashset *src, *hs;
    struct flat_copy c;
    uint8_t d[16], other[16];
    uint32_t v = 0, a = 0;
    uint64_t max[HASH_KINDS];
    size_t slot = SIZE_MAX;
    (void)state;
    assert_int_equal(hashset_new(100, &src), VIGIL_OK);
    for (uint32_t i = 0; i < 10; i++) {
        digest_of(d, 16, 100 + i);
        assert_int_equal(hashset_add(src, HASH_MD5, d, 40 + i, i), VIGIL_OK);
    }
    assert_int_equal(hashset_compile(src), VIGIL_OK);
    digest_of(d, 16, 103);
    digest_of(other, 16, 999);

    /* Intact: the same answers as the set it came from. */
    flat_copy_of(src, &c);
    assert_int_equal(hashset_new(100, &hs), VIGIL_OK);
    assert_int_equal(hashset_attach(hs, &c.f, 10), VIGIL_OK);
    assert_int_equal(hashset_find(hs, HASH_MD5, d, 43, &v, &a), HASHSET_EXACT);
    assert_int_equal(v, 3);
    hashset_max_sizes(hs, max);
    assert_int_equal(max[HASH_MD5], 49);
    assert_int_equal(max[HASH_SHA1], 0);
    hashset_free(hs);

    /* A value out of range is no match. */
    assert_int_equal(hashset_new(100, &hs), VIGIL_OK);
    assert_int_equal(hashset_attach(hs, &c.f, 3), VIGIL_OK);
    assert_int_equal(hashset_find(hs, HASH_MD5, d, 43, &v, &a), 0);
    hashset_free(hs);

    /* A slot naming a record past the end is skipped. */
    for (size_t i = 0; i < c.f.nslots[HASH_MD5]; i++)
        if (c.slots[i] == 4)
            slot = i;
    assert_true(slot != SIZE_MAX);
    c.slots[slot] = 0xFFFFFFu;
    assert_int_equal(hashset_new(100, &hs), VIGIL_OK);
    assert_int_equal(hashset_attach(hs, &c.f, 10), VIGIL_OK);
    assert_int_equal(hashset_find(hs, HASH_MD5, d, 43, &v, &a), 0);
    hashset_free(hs);

    /* No empty slot anywhere, in the digests' and the sizes' tables:
     * lookups of what is absent stop after one lap. */
    for (size_t i = 0; i < c.f.nslots[HASH_MD5]; i++)
        c.slots[i] = 1 + (uint32_t)(i % 10);
    for (size_t i = 0; i < c.f.nsizes; i++) {
        c.sizes[i] = 7;
        c.kinds[i] = 0xFF;
    }
    assert_int_equal(hashset_new(100, &hs), VIGIL_OK);
    assert_int_equal(hashset_attach(hs, &c.f, 10), VIGIL_OK);
    assert_int_equal(hashset_find(hs, HASH_MD5, other, 43, &v, &a), 0);
    assert_int_equal(hashset_find(hs, HASH_MD5, d, 43, &v, &a), HASHSET_EXACT);
    assert_int_equal(hashset_kinds_for_size(hs, 43), 0);
    assert_int_equal(hashset_kinds_for_size(hs, 7), 7);
    hashset_free(hs);

    /* Shapes are still checked at attach. */
    c.f.nslots[HASH_MD5] = 12;
    assert_int_equal(hashset_new(100, &hs), VIGIL_OK);
    assert_int_equal(hashset_attach(hs, &c.f, 10), VIGIL_EMALFORMED);
    hashset_free(hs);
    flat_copy_free(&c);
    hashset_free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_for_size),
        cmocka_unit_test(test_find_exact_and_any),
        cmocka_unit_test(test_colliding_prefixes),
        cmocka_unit_test(test_rollback_and_max),
        cmocka_unit_test(test_many_entries),
        cmocka_unit_test(test_attach_checked_by_lookups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
