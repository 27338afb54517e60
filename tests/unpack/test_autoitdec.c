/* test_autoitdec.c - the AutoIt decoders (src/unpack/autoitdec.c): the
 * EA05 keystream is MT19937 (checked against the reference generator's
 * published outputs for seed 5489), and the JB decompressor copies
 * literals and matches in both flag senses and reports damage. (The EA06
 * keystream is checked end to end against clamscan in
 * tests/compat/installers.sh.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "unpack/autoitdec.h"

/* MT19937 with seed 5489 (Matsumoto & Nishimura's mt19937ar.c, C++
 * std::mt19937): outputs 1-3 are 3499211612, 581869302, 3890346734 and
 * output 10000 is 4123659995; a keystream byte is (output >> 1) & 0xff. */
static void test_mt_reference(void **state)
{
    static uint8_t ks[10000];
    (void)state;
    memset(ks, 0, sizeof ks);
    autoit_mt_decrypt(ks, sizeof ks, 5489);
    assert_int_equal(ks[0], (3499211612u >> 1) & 0xff);
    assert_int_equal(ks[1], (581869302u >> 1) & 0xff);
    assert_int_equal(ks[2], (3890346734u >> 1) & 0xff);
    assert_int_equal(ks[9999], (4123659995u >> 1) & 0xff);
}

static void test_xor_roundtrip(void **state)
{
    uint8_t b[64], orig[64];
    (void)state;
    for (int i = 0; i < 64; i++)
        orig[i] = b[i] = (uint8_t)(i * 7);
    autoit_lame_decrypt(b, sizeof b, 0x2477);
    assert_memory_not_equal(b, orig, sizeof b);
    autoit_lame_decrypt(b, sizeof b, 0x2477);
    assert_memory_equal(b, orig, sizeof b);
}

/* Bits, most significant first, into 16-bit big-endian words. */
struct bw {
    uint8_t out[64];
    size_t n;
};

static void put(struct bw *w, uint32_t v, unsigned bits)
{
    while (bits--) {
        if (v >> bits & 1)
            w->out[w->n / 8] |= (uint8_t)(0x80 >> (w->n % 8));
        w->n++;
    }
}

/* "ab" as literals, then a match of 5 at distance 2: "abababa". */
static size_t stream(struct bw *w, int ea06)
{
    memset(w, 0, sizeof *w);
    put(w, ea06 ? 1 : 0, 1);
    put(w, 'a', 8);
    put(w, ea06 ? 1 : 0, 1);
    put(w, 'b', 8);
    put(w, ea06 ? 0 : 1, 1);
    put(w, 2, 15);
    put(w, 2, 2); /* length 2 + 3 */
    return (w->n + 15) / 16 * 2;
}

static void test_jb(void **state)
{
    struct bw w;
    uint8_t out[7];
    size_t made;
    (void)state;
    for (int v = 0; v < 2; v++) {
        size_t len = stream(&w, v);
        memset(out, 0, sizeof out);
        assert_int_equal(autoit_jb_decode(w.out, len, out, sizeof out, v, &made), 0);
        assert_int_equal(made, 7);
        assert_memory_equal(out, "abababa", 7);
        /* The other version's sense reads the bits differently. */
        memset(out, 0, sizeof out);
        (void)autoit_jb_decode(w.out, len, out, sizeof out, !v, &made);
        assert_memory_not_equal(out, "abababa", 7);
    }
}

static void test_jb_damage(void **state)
{
    struct bw w;
    uint8_t out[16];
    size_t made;
    (void)state;
    memset(&w, 0, sizeof w);
    put(&w, 0, 1);
    put(&w, 'x', 8);
    put(&w, 1, 1);
    put(&w, 5, 15); /* distance 5 with one byte out: damage */
    put(&w, 0, 2);
    memset(out, 0, sizeof out);
    assert_int_equal(autoit_jb_decode(w.out, 4, out, sizeof out, 0, &made), -1);
    assert_int_equal(made, 1);
    assert_int_equal(out[0], 'x');
    /* Input ending early: what was decoded stays. */
    assert_int_equal(autoit_jb_decode(w.out, 2, out, sizeof out, 0, &made), -1);
    assert_int_equal(made, 1);
    assert_int_equal(autoit_jb_decode(w.out, 0, out, sizeof out, 0, &made), -1);
    assert_int_equal(made, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mt_reference),
        cmocka_unit_test(test_xor_roundtrip),
        cmocka_unit_test(test_jb),
        cmocka_unit_test(test_jb_damage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
