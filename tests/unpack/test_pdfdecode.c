/* test_pdfdecode.c - the PDF walker's hand-written pieces on known inputs:
 * stream filters (the LZW example of ISO 32000-1 7.4.4.2, ASCII85 and
 * ASCIIHex with their end markers, RunLength, Flate cut short), the PNG
 * and TIFF predictors, the output maximum, and dictionary lookups and
 * string decoding (7.3.4, 7.3.7). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "unpack/pdf.h"

static const struct pdf_parms plain = {1, 1, 8, 1, 1};

/* Decodes text with f into a buffer of at most max bytes. */
static enum pdf_dec dec(enum pdf_filter f, const struct pdf_parms *pp, const void *in,
                        size_t len, size_t max, struct outbuf *out)
{
    outbuf_init(out, max);
    return pdfdecode_run(f, pp, in, len, out);
}

static void expect(enum pdf_filter f, const char *in, const char *want, enum pdf_dec rc)
{
    struct outbuf o;

    assert_int_equal(dec(f, &plain, in, strlen(in), 1 << 20, &o), rc);
    assert_int_equal(o.len, strlen(want));
    assert_memory_equal(o.p, want, o.len);
    outbuf_free(&o);
}

static void test_ascii(void **state)
{
    (void)state;
    expect(PDF_F_AHEX, "48 65\n6C6c6F>ignored", "Hello", PDF_DEC_OK);
    expect(PDF_F_AHEX, "414>", "A@", PDF_DEC_OK); /* an odd digit: a 0 follows */
    expect(PDF_F_AHEX, "41x42>", "AB", PDF_DEC_DAMAGED);
    expect(PDF_F_A85, "87cURD]j7BEbo7~>", "Hello world", PDF_DEC_OK);
    expect(PDF_F_A85, "<~87cURD]j7BEbo7~>", "Hello world", PDF_DEC_OK);
    struct outbuf o;
    assert_int_equal(dec(PDF_F_A85, &plain, "z!!~>", 5, 1 << 20, &o), PDF_DEC_OK);
    assert_int_equal(o.len, 5); /* z is four zero bytes, "!!" one */
    assert_memory_equal(o.p, "\0\0\0\0\0", 5);
    outbuf_free(&o);
    expect(PDF_F_A85, "87cUR\x80", "Hell", PDF_DEC_DAMAGED);
    expect(PDF_F_A85, "s8W-\"", "", PDF_DEC_DAMAGED); /* more than 2^32 - 1 */
}

static void test_lzw_rl(void **state)
{
    static const uint8_t spec[] = {0x80, 0x0b, 0x60, 0x50, 0x22, 0x0c, 0x0c, 0x85, 0x01};
    static const uint8_t rl[] = {2, 'a', 'b', 'c', 254, 'x', 128, 0, 'z'};
    struct outbuf o;

    (void)state;
    assert_int_equal(dec(PDF_F_LZW, &plain, spec, sizeof spec, 1 << 20, &o), PDF_DEC_OK);
    assert_int_equal(o.len, 10);
    assert_memory_equal(o.p, "-----A---B", 10);
    outbuf_free(&o);
    /* a code past the table is damage, what came before stays */
    static const uint8_t bad[] = {0x80, 0x0b, 0x7f, 0xf0};
    assert_int_equal(dec(PDF_F_LZW, &plain, bad, sizeof bad, 1 << 20, &o),
                     PDF_DEC_DAMAGED);
    assert_int_equal(o.len, 1);
    outbuf_free(&o);
    assert_int_equal(dec(PDF_F_RL, &plain, rl, sizeof rl, 1 << 20, &o), PDF_DEC_OK);
    assert_int_equal(o.len, 6);
    assert_memory_equal(o.p, "abcxxx", 6);
    outbuf_free(&o);
    assert_int_equal(dec(PDF_F_RL, &plain, rl, 3, 1 << 20, &o), PDF_DEC_DAMAGED);
    assert_memory_equal(o.p, "ab", 2);
    outbuf_free(&o);
}

static void test_flate_limits(void **state)
{
    uint8_t z[64];
    uLongf zn = sizeof z;
    struct outbuf o;

    (void)state;
    assert_int_equal(compress(z, &zn, (const Bytef *)"hello, hello, hello", 19), Z_OK);
    assert_int_equal(dec(PDF_F_FLATE, &plain, z, zn, 1 << 20, &o), PDF_DEC_OK);
    assert_int_equal(o.len, 19);
    outbuf_free(&o);
    assert_int_equal(dec(PDF_F_FLATE, &plain, z, zn - 4, 1 << 20, &o), PDF_DEC_DAMAGED);
    outbuf_free(&o);
    /* raw deflate (no zlib header), as some writers leave it */
    assert_int_equal(dec(PDF_F_FLATE, &plain, z + 2, zn - 6, 1 << 20, &o), PDF_DEC_OK);
    assert_int_equal(o.len, 19);
    outbuf_free(&o);
    /* the maximum holds */
    assert_int_equal(dec(PDF_F_FLATE, &plain, z, zn, 5, &o), PDF_DEC_FULL);
    assert_int_equal(o.len, 5);
    outbuf_free(&o);
    assert_int_equal(dec(PDF_F_AHEX, &plain, "4142434445>", 11, 3, &o), PDF_DEC_FULL);
    assert_int_equal(o.len, 3);
    outbuf_free(&o);
}

static void test_predictors(void **state)
{
    /* PNG rows of 3 bytes: None, Sub, Up, Average, Paeth (1 byte/pixel) */
    static const uint8_t rows[] = {0, 1, 2, 3, 1, 1, 1, 1, 2, 1,
                                   1, 1, 3, 1, 1, 1, 4, 0, 0, 0};
    static const uint8_t want[] = {1, 2, 3, 1, 2, 3, 2, 3, 4, 2, 3, 4, 2, 3, 4};
    struct pdf_parms png = {12, 1, 8, 3, 1}, tiff = {2, 1, 8, 3, 1};
    uint8_t z[64];
    uLongf zn = sizeof z;
    struct outbuf o;

    (void)state;
    assert_int_equal(compress(z, &zn, rows, sizeof rows), Z_OK);
    assert_int_equal(dec(PDF_F_FLATE, &png, z, zn, 1 << 20, &o), PDF_DEC_OK);
    assert_int_equal(o.len, sizeof want);
    assert_memory_equal(o.p, want, sizeof want);
    outbuf_free(&o);
    zn = sizeof z;
    assert_int_equal(compress(z, &zn, (const Bytef *)"\1\1\1\5\5\5", 6), Z_OK);
    assert_int_equal(dec(PDF_F_FLATE, &tiff, z, zn, 1 << 20, &o), PDF_DEC_OK);
    assert_memory_equal(o.p, "\1\2\3\5\12\17", 6);
    outbuf_free(&o);
}

static void test_lex(void **state)
{
    static const char d[] =
        "<< /Type /XObject /Length 12 0 R /Filter [/AHx /Fl] % a comment\n"
        "/DecodeParms [null << /Predictor 12 /Columns 4 >>] /S (a\\(b\\)\\101\\\nc\\n)"
        " /H <41 4>/Nested << /Length 5 >> >> /After 1";
    struct pdf_val v, e;
    uint8_t s[32];

    (void)state;
    assert_true(pdflex_dict_get((const uint8_t *)d, sizeof d - 1, "Length", &v));
    assert_true(v.ref);
    assert_int_equal(v.num, 12);
    assert_true(pdflex_dict_get((const uint8_t *)d, sizeof d - 1, "Filter", &v));
    assert_true(pdflex_array_get(&v, 1, &e));
    assert_int_equal(pdfdecode_filter(&e), PDF_F_FLATE);
    assert_false(pdflex_array_get(&v, 2, &e));
    assert_true(pdflex_dict_get((const uint8_t *)d, sizeof d - 1, "DecodeParms", &v));
    assert_true(pdflex_array_get(&v, 1, &e));
    struct pdf_parms pp;
    pdfdecode_parms(&e, &pp);
    assert_int_equal(pp.predictor, 12);
    assert_int_equal(pp.columns, 4);
    assert_true(pdflex_dict_get((const uint8_t *)d, sizeof d - 1, "S", &v));
    assert_int_equal(pdflex_string(&v, s, sizeof s), 7);
    assert_memory_equal(s, "a(b)Ac\n", 7);
    assert_true(pdflex_dict_get((const uint8_t *)d, sizeof d - 1, "H", &v));
    assert_int_equal(pdflex_string(&v, s, sizeof s), 2);
    assert_memory_equal(s, "A@", 2);
    /* keys of a nested dictionary, and after the end, are not found */
    assert_true(pdflex_dict_get((const uint8_t *)d, sizeof d - 1, "Nested", &v));
    assert_false(pdflex_dict_get((const uint8_t *)d, sizeof d - 1, "After", &v));
    assert_true(pdflex_dict_get(v.p, v.n, "Length", &e));
    assert_int_equal(pdflex_int(&e), 5);
    /* unterminated input ends the lookup */
    assert_false(pdflex_dict_get((const uint8_t *)"<< /A (x", 8, "B", &v));
    assert_false(pdflex_dict_get((const uint8_t *)"<< /A", 5, "A", &v));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii),        cmocka_unit_test(test_lzw_rl),
        cmocka_unit_test(test_flate_limits), cmocka_unit_test(test_predictors),
        cmocka_unit_test(test_lex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
