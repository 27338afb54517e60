/* test_hashset_stream.c - a spilled, deferred hash set written by the
 * partitioned pass (match/hashset_stream.c) answers every lookup exactly
 * as the same entries compiled in memory: duplicates (the entry added last
 * wins), any-size entries, digests and sizes whose home slots are the last
 * ones (entries wrap to the start of the table), several buckets, a
 * rollback of a failed load, and more entries after it. The written tables
 * are checked by hashset_attach, as an image's are. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// clang-format off: cmocka needs the headers above first
#include <cmocka.h>
// clang-format on
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "match/hashset.h"
#include "match/hashset_stream.h"

static uint64_t rng = 88172645463325252ull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

struct ent {
    int kind;
    uint8_t d[32];
    uint32_t size, value;
};

/* Entries of one test: random, plus the awkward ones. */
static struct ent *make_entries(size_t n, size_t *out_n)
{
    struct ent *v = calloc(n * 2, sizeof *v);
    size_t m = 0;

    assert_non_null(v);
    for (size_t i = 0; i < n; i++) {
        struct ent *e = &v[m++];
        uint32_t r = rnd();
        e->kind = r % 10 < 7 ? HASH_MD5 : r % 10 < 9 ? HASH_SHA256 : HASH_SHA1;
        for (unsigned j = 0; j < 32; j++)
            e->d[j] = (uint8_t)rnd();
        e->size = r % 50 == 0 ? HASHSET_ANY_SIZE : 1 + rnd() % 5000;
        /* Digests whose home is the last slot: they wrap. */
        if (r % 23 == 0)
            memset(e->d, 0xff, 3);
        if (r % 29 == 0)
            memset(e->d, 0x00, 3);
        e->value = (uint32_t)m;
        /* Duplicates: the same digest again, same or another size. */
        if (r % 7 == 0 && m < 2 * n) {
            v[m] = *e;
            v[m].value = (uint32_t)m + 1;
            if (r % 3 == 0)
                v[m].size = HASHSET_ANY_SIZE;
            m++;
        }
    }
    *out_n = m;
    return v;
}

/* Writes the deferred set into a file laid out as an image would hold it
 * and attaches it to a new set. */
static struct hashset *write_and_attach(struct hashset *def, uint8_t **map,
                                        size_t *maplen)
{
    struct hashset_flat f;
    uint64_t recs[HASH_KINDS], slots[HASH_KINDS], sizes, kinds, off = 64;
    char path[] = "/tmp/vigil-hs-stream.XXXXXX";
    struct hashset *hs;
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    unlink(path);
    hashset_deferred_layout(def, &f);
    for (int k = 0; k < HASH_KINDS; k++) {
        recs[k] = off;
        off = (off + f.n[k] * (hash_len[k] + 8) + 63) & ~63ull;
        slots[k] = off;
        off = (off + f.nslots[k] * 4 + 63) & ~63ull;
    }
    sizes = off;
    off = (off + f.nsizes * 4 + 63) & ~63ull;
    kinds = off;
    off += f.nsizes;
    assert_int_equal(ftruncate(fd, (off_t)off), 0);
    assert_int_equal(hashset_write_tables(def, fd, recs, slots, sizes, kinds), 0);
    *maplen = off;
    *map = mmap(NULL, off, PROT_READ, MAP_SHARED, fd, 0);
    assert_true(*map != MAP_FAILED);
    close(fd);
    for (int k = 0; k < HASH_KINDS; k++) {
        f.recs[k] = f.n[k] ? *map + recs[k] : NULL;
        f.slots[k] = f.nslots[k] ? (const uint32_t *)(*map + slots[k]) : NULL;
    }
    f.sizes = (const uint32_t *)(*map + sizes);
    f.size_kinds = *map + kinds;
    assert_int_equal(hashset_new(1u << 24, &hs), VIGIL_OK);
    assert_int_equal(hashset_attach(hs, &f, UINT32_MAX), VIGIL_OK);
    return hs;
}

static void same_answers(const struct hashset *a, const struct hashset *b,
                         const struct ent *v, size_t n)
{
    uint64_t ma[HASH_KINDS], mb[HASH_KINDS];

    for (size_t i = 0; i < n; i++) {
        const struct ent *e = &v[i];
        uint64_t sizes[3] = {e->size ? e->size : 77, e->size + 1u, 1 + rnd() % 6000};
        for (int s = 0; s < 3; s++) {
            uint32_t xa = 0, ya = 0, xb = 0, yb = 0;
            unsigned fa =
                hashset_find(a, (enum hash_kind)e->kind, e->d, sizes[s], &xa, &ya);
            unsigned fb =
                hashset_find(b, (enum hash_kind)e->kind, e->d, sizes[s], &xb, &yb);
            assert_int_equal(fa, fb);
            if (fa & HASHSET_EXACT)
                assert_int_equal(xa, xb);
            if (fa & HASHSET_ANY)
                assert_int_equal(ya, yb);
            assert_int_equal(hashset_kinds_for_size(a, sizes[s]),
                             hashset_kinds_for_size(b, sizes[s]));
        }
    }
    hashset_max_sizes(a, ma);
    hashset_max_sizes(b, mb);
    for (int k = 0; k < HASH_KINDS; k++)
        assert_int_equal(ma[k], mb[k]);
}

/* Gives some entries sizes whose home is one of the last slots of the
 * sizes table (sized as hashset.c sizes it: 2 slots an entry at least). */
static void wrap_sizes(struct ent *v, size_t nv)
{
    size_t ns = 16, i = 0;
    uint32_t size = 1;

    while (ns < 2 * nv)
        ns *= 2;
    for (; i < nv && i < 40 * 7; i += 7, size++) {
        while (hashset_size_home(size, ns) < ns - 2)
            size++;
        v[i].size = size;
    }
}

static void run_case(size_t n)
{
    char dir[] = "/tmp/vigil-hs-spill.XXXXXX";
    struct hashset *mem, *sp, *att;
    struct hashset_mark mark;
    struct ent *v, *junk;
    size_t nv, nj, half;
    uint8_t *map;
    size_t maplen;

    assert_non_null(mkdtemp(dir));
    v = make_entries(n, &nv);
    junk = make_entries(n / 4 + 1, &nj);
    half = nv / 2;
    wrap_sizes(v, nv);
    assert_int_equal(hashset_new(1u << 24, &mem), VIGIL_OK);
    assert_int_equal(hashset_new(1u << 24, &sp), VIGIL_OK);
    /* A few entries before the spill starts, as a load before it would. */
    for (size_t i = 0; i < 10 && i < half; i++)
        assert_int_equal(
            hashset_add(sp, (enum hash_kind)v[i].kind, v[i].d, v[i].size, v[i].value),
            VIGIL_OK);
    assert_int_equal(hashset_spill(sp, dir), VIGIL_OK);
    assert_true(hashset_spilled(sp));
    for (size_t i = 10; i < half; i++)
        assert_int_equal(
            hashset_add(sp, (enum hash_kind)v[i].kind, v[i].d, v[i].size, v[i].value),
            VIGIL_OK);
    /* A load that fails is rolled back: none of its entries remain. */
    hashset_mark(sp, &mark);
    for (size_t i = 0; i < nj; i++)
        assert_int_equal(hashset_add(sp, (enum hash_kind)junk[i].kind, junk[i].d,
                                     junk[i].size, junk[i].value + 1000000),
                         VIGIL_OK);
    hashset_rollback(sp, &mark);
    for (size_t i = half; i < nv; i++)
        assert_int_equal(
            hashset_add(sp, (enum hash_kind)v[i].kind, v[i].d, v[i].size, v[i].value),
            VIGIL_OK);
    for (size_t i = 0; i < nv; i++)
        assert_int_equal(
            hashset_add(mem, (enum hash_kind)v[i].kind, v[i].d, v[i].size, v[i].value),
            VIGIL_OK);
    assert_int_equal(hashset_compile(mem), VIGIL_OK);
    assert_int_equal(hashset_defer(sp), VIGIL_OK);
    assert_true(hashset_deferred(sp));
    /* A deferred set finds nothing itself. */
    assert_int_equal(hashset_kinds_for_size(sp, v[0].size), 0);
    att = write_and_attach(sp, &map, &maplen);
    same_answers(mem, att, v, nv);
    same_answers(mem, att, junk, nj);
    hashset_free(att);
    munmap(map, maplen);
    hashset_free(sp);
    hashset_free(mem);
    free(v);
    free(junk);
    assert_int_equal(rmdir(dir), 0); /* the spills left nothing behind */
}

static void test_small(void **state)
{
    (void)state;
    run_case(40);
}

static void test_many_buckets(void **state)
{
    (void)state;
    run_case(60000);
}

/* Every digest with the same leading bits: one bucket, long runs that
 * wrap. */
static void test_one_bucket(void **state)
{
    char dir[] = "/tmp/vigil-hs-spill.XXXXXX";
    struct hashset *mem, *sp, *att;
    struct ent *v;
    size_t nv;
    uint8_t *map;
    size_t maplen;
    (void)state;

    assert_non_null(mkdtemp(dir));
    v = make_entries(3000, &nv);
    for (size_t i = 0; i < nv; i++)
        memset(v[i].d, 0xfe, 4);
    assert_int_equal(hashset_new(1u << 24, &mem), VIGIL_OK);
    assert_int_equal(hashset_new(1u << 24, &sp), VIGIL_OK);
    assert_int_equal(hashset_spill(sp, dir), VIGIL_OK);
    for (size_t i = 0; i < nv; i++) {
        assert_int_equal(
            hashset_add(mem, (enum hash_kind)v[i].kind, v[i].d, v[i].size, v[i].value),
            VIGIL_OK);
        assert_int_equal(
            hashset_add(sp, (enum hash_kind)v[i].kind, v[i].d, v[i].size, v[i].value),
            VIGIL_OK);
    }
    assert_int_equal(hashset_compile(mem), VIGIL_OK);
    assert_int_equal(hashset_defer(sp), VIGIL_OK);
    att = write_and_attach(sp, &map, &maplen);
    same_answers(mem, att, v, nv);
    hashset_free(att);
    munmap(map, maplen);
    hashset_free(sp);
    hashset_free(mem);
    free(v);
    assert_int_equal(rmdir(dir), 0);
}

/* A spilled set compiled in memory after all (no image to write). */
static void test_spilled_in_memory(void **state)
{
    char dir[] = "/tmp/vigil-hs-spill.XXXXXX";
    struct hashset *mem, *sp;
    struct ent *v;
    size_t nv;
    (void)state;

    assert_non_null(mkdtemp(dir));
    v = make_entries(5000, &nv);
    assert_int_equal(hashset_new(1u << 24, &mem), VIGIL_OK);
    assert_int_equal(hashset_new(1u << 24, &sp), VIGIL_OK);
    assert_int_equal(hashset_spill(sp, dir), VIGIL_OK);
    for (size_t i = 0; i < nv; i++) {
        assert_int_equal(
            hashset_add(mem, (enum hash_kind)v[i].kind, v[i].d, v[i].size, v[i].value),
            VIGIL_OK);
        assert_int_equal(
            hashset_add(sp, (enum hash_kind)v[i].kind, v[i].d, v[i].size, v[i].value),
            VIGIL_OK);
    }
    assert_int_equal(hashset_compile(mem), VIGIL_OK);
    assert_int_equal(hashset_defer(sp), VIGIL_OK);
    assert_int_equal(hashset_compile(sp), VIGIL_OK);
    same_answers(mem, sp, v, nv);
    hashset_free(sp);
    hashset_free(mem);
    free(v);
    assert_int_equal(rmdir(dir), 0);
}

/* The home slot is the digest's leading bits. */
static void test_home(void **state)
{
    uint8_t d[16] = {0};
    (void)state;
    assert_int_equal(hashset_digest_home(d, 16), 0);
    d[0] = 0xff;
    assert_int_equal(hashset_digest_home(d, 16), 15);
    d[0] = 0x80;
    assert_int_equal(hashset_digest_home(d, 1u << 20), 1u << 19);
    memset(d, 0xff, 4);
    assert_int_equal(hashset_digest_home(d, (size_t)1 << 32), 0xffffffffu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_home),
        cmocka_unit_test(test_small),
        cmocka_unit_test(test_many_buckets),
        cmocka_unit_test(test_one_bucket),
        cmocka_unit_test(test_spilled_in_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
