/* test_bodysig_match.c - what a body signature matches: one table per
 * feature (each row checked against clamscan 1.4.6 when it was written),
 * then the places where bodysig deliberately answers differently from
 * ClamAV, then the verifier's contract (atom position, start window,
 * reported span, bounds, cost).
 *
 * Data is written as hex pairs, with 'text' between single quotes; spaces
 * are ignored. A row matches if some hit of the atom verifies with the
 * start window [0, len - 1]. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "match/bodysig.h"

struct row {
    const char *sig, *data;
    int want;
};

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    return (c | 0x20) - 'a' + 10;
}

/* Decodes data into a buffer of exactly its size (so that ASan sees any
 * read past it). */
static uint8_t *decode(const char *d, size_t *len)
{
    uint8_t *b = malloc(strlen(d) + 1);
    size_t n = 0;
    int text = 0;

    assert_non_null(b);
    for (; *d; d++) {
        if (*d == '\'')
            text = !text;
        else if (text)
            b[n++] = (uint8_t)*d;
        else if (*d != ' ')
            b[n++] = (uint8_t)(nibble(d[0]) << 4 | nibble(d[1])), d++;
    }
    uint8_t *exact = malloc(n ? n : 1);
    assert_non_null(exact);
    memcpy(exact, b, n);
    free(b);
    *len = n;
    return exact;
}

static struct bodysig *parse(const char *hex)
{
    struct bodysig *sig = NULL;
    char why[256] = "";

    if (bodysig_parse(hex, strlen(hex), &sig, why, sizeof why) != VIGIL_OK)
        fail_msg("\"%s\" refused: %s", hex, why);
    return sig;
}

/* Does sig match buf anywhere (start window [lo, hi])? */
static int scan(const struct bodysig *sig, const uint8_t *buf, size_t len, size_t lo,
                size_t hi, size_t *start, size_t *end)
{
    const struct bodysig_atom *a = bodysig_atom(sig);

    for (size_t at = 0; at + a->len <= len; at++)
        if (!memcmp(buf + at, a->bytes, a->len) &&
            bodysig_verify(sig, buf, len, at, lo, hi, start, end))
            return 1;
    return 0;
}

static void check_rows(const struct row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct bodysig *sig = parse(rows[i].sig);
        size_t len, s, e;
        uint8_t *buf = decode(rows[i].data, &len);
        int got = scan(sig, buf, len, 0, len ? len - 1 : 0, &s, &e);
        if (got != rows[i].want)
            fail_msg("%s on [%s]: %d, want %d", rows[i].sig, rows[i].data, got,
                     rows[i].want);
        free(buf);
        bodysig_free(sig);
    }
}

#define CHECK(rows) check_rows(rows, sizeof rows / sizeof rows[0])

static void test_bytes_and_wildcards(void **state)
{
    static const struct row rows[] = {
        {"41424344", "00 41424344 00", 1},
        {"41424344", "00 41424345 00", 0},
        {"414243444546", "414243444546", 1}, /* the whole buffer */
        {"41424344", "414243", 0},
        {"aBcDeF", "00 abcdef 00 00", 1},
        {"4142??44", "00 4142ff44 00", 1},
        {"41424?44", "00 41424f44 00", 1}, /* high nibble */
        {"41424?44", "00 41425444 00", 0},
        {"4142?344", "00 4142a344 00", 1}, /* low nibble */
        {"4142?344", "00 4142a444 00", 0},
        {"{3}41424344", "000000 41424344", 1}, /* {n} first: n ?? */
        {"{3}41424344", "0000 41424344 00", 0},
        {"41424344{3}", "00 41424344 0000", 0},
        {"4142{2}4344", "4142 0000 4344", 1},
        {"4142{2}4344", "4142 00 4344 00", 0},
        {"4142{200}4344", "4142 00 4344 00", 0},
    };
    (void)state;
    CHECK(rows);
}

static void test_gaps(void **state)
{
    static const struct row rows[] = {
        {"4142*4344", "00 4142 4344 00", 1},
        {"4142*4344", "4142 00000000 4344", 1},
        {"4142*4344", "00 4344 4142 00", 0}, /* parts keep their order */
        {"4142*4243", "00 414243 0000", 0},  /* and do not overlap */
        {"4142{2-3}4344", "4142 00 4344 00", 0},
        {"4142{2-3}4344", "4142 0000 4344", 1},
        {"4142{2-3}4344", "4142 000000 4344", 1},
        {"4142{2-3}4344", "4142 00000000 4344", 0},
        {"4142{-2}4344", "00 4142 4344 00", 1},
        {"4142{-2}4344", "4142 000000 4344", 0},
        {"4142{2-}4344", "4142 00 4344 00", 0},
        {"4142{2-}4344", "4142 0000000000 4344", 1},
        {"4142{0}4344", "4142 000000 4344", 1}, /* ClamAV: {0} is `*` */
        {"4142{5-0}4344", "4142 00000000000000 4344", 1},
        {"4142{5-6}4344{1}4546", "4142 0000000000 4344 00 4546", 1},
        {"4142{5-6}4344{1}4546", "4142 0000000000 4344 4546", 0},
        {"4142*4344{2-3}4546*4748", "4142 00 4344 0000 4546 00 4748", 1},
        {"4142*4344{2-3}4546*4748", "4142 00 4344 00 4546 00 4748", 0},
        /* The block after a `*` need not use the first occurrence. */
        {"4142*4344{2}4546", "4142 4344 00 4546 4344 0000 4546", 1},
        /* Nor the block before one the last. */
        {"4142{2}4344*4546", "4142 0000 4344 4142 00 4344 4546", 1},
    };
    (void)state;
    CHECK(rows);
}

static void test_alternatives(void **state)
{
    static const struct row rows[] = {
        {"4142(43|44)4546", "4142 44 4546 00", 1},
        {"4142(43|44)4546", "4142 45 4546 00", 0},
        {"4142!(43|44)4546", "4142 45 4546 00", 1},
        {"4142!(43|44)4546", "4142 43 4546 00", 0},
        {"4142(4344|4546)4748", "4142 4546 4748", 1},
        {"4142(4344|4546)4748", "4142 4347 4748", 0},
        {"4142!(4344|4546)4748", "4142 4347 4748", 1},
        {"4142!(4344|4546)4748", "4142 4546 4748", 0},
        {"4142(43|4445)4647", "4142 4445 4647", 1},
        {"4142(43|4445)4647", "4142 43 4647 00", 1},
        {"4142(43|4445)4647", "4142 44 4647 00", 0},
        {"4142(4?|?1)4647", "4142 91 4647 00", 1},
        {"4142(4?|?1)4647", "4142 92 4647 00", 0},
        {"4142(41(42|43)44|45)4647", "4142 414344 4647", 1},
        {"4142(41(42|43)44|45)4647", "4142 45 4647 00", 1},
        {"4142(41(42|43)44|45)4647", "4142 414444 4647", 0},
        {"4142(4(1|2))4344", "4142 42 4344 00", 1}, /* alternatives join as text */
        {"4142(4(1|2))4344", "4142 43 4344 00", 0},
        {"4142((41|42)(43|44))4546", "4142 4244 4546", 1},
        {"4142((41|42)(43|44))4546", "4142 4344 4546", 0},
        /* Backtracking over alternatives that share a start. */
        {"41424344(45|4546)4748", "41424344 4546 4748", 1},
        {"41424344(4546|45)4647", "41424344 45 4647", 1},
    };
    (void)state;
    CHECK(rows);
}

static void test_boundaries(void **state)
{
    static const struct row rows[] = {
        /* (B) before: the file's start or one of " -./<@_". */
        {"(B)4142434445", "4142434445 00", 1},
        {"(B)41424344", "20 41424344 00", 1},
        {"(B)41424344", "2e 41424344 00", 1},
        {"(B)41424344", "0a 41424344 00", 0}, /* \n only ends a word */
        {"(B)41424344", "61 41424344 00", 0},
        /* (B) after: the file's end or one of "\n\r \"'-/=>_". */
        {"4142434445(B)", "00 4142434445", 1},
        {"41424344(B)", "00 41424344 22", 1},
        {"41424344(B)", "00 41424344 2e", 0}, /* '.' only starts a word */
        {"41424344!(B)", "00 41424344 00", 1},
        {"4142434445!(B)", "00 4142434445", 0},
        /* (L): the file's edge, a \n before; \n or \r\n after. */
        {"(L)414243444546(L)", "414243444546", 1},
        {"(L)41424344(L)", "0a 41424344 0d0a", 1},
        {"(L)41424344(L)", "0d 41424344 0a", 0},
        {"(L)41424344(L)", "0a 41424344 0d00", 0},
        /* (W): a non-alphanumeric byte or the file's edge. */
        {"(W)41424344(W)", "20 41424344 ff", 1},
        {"(W)41424344(W)", "61 41424344 20", 0},
        {"(W)41424344(W)", "20 41424344 39", 0},
        /* Inside a part they consume a byte (or \r\n). */
        {"4142(B)4344", "4142 2e 4344 00", 1},
        {"4142(B)4344", "4142 00 4344 00", 0},
        {"4142!(B)4344", "4142 00 4344 00", 1},
        {"414243(L)4445", "414243 0a 4445", 1},
        {"414243(L)4445", "414243 0d0a 4445", 1},
        {"414243(L)4445", "414243 0d 4445", 0},
        {"4142!(L)4344", "4142 0d 4344 00", 1},
        {"4142!(L)4344", "4142 0a 4344 00", 0},
        {"4142(W)4344", "4142 ff 4344 00", 1},
        {"4142!(W)4344", "4142 39 4344 00", 1},
        /* A (B) that is not first or last in its part is one of those. */
        {"41424344(B)(L)", "00 41424344 20", 1},
        {"41424344(B)(L)", "41424344 20 00", 0},
        /* !(B) first in a part is a byte that is no boundary (ClamAV). */
        {"!(B)41424344", "00 41424344 00", 1},
        {"!(B)41424344", "20 41424344 00", 0},
        /* Boundaries look at bytes that may belong to the next part. */
        {"4142(W)*(W)4344", "4142 20 4344 00", 1},
        {"4142*(B)4344", "4142 00 4344 00", 0},
    };
    (void)state;
    CHECK(rows);
}

static void test_anchored_bytes(void **state)
{
    static const struct row rows[] = {
        {"AA[1-2]BBCC", "AA 00 BBCC 00 00", 1},
        {"AA[1-2]BBCC", "AA 0000 BBCC 00", 1},
        {"AA[1-2]BBCC", "AA 000000 BBCC", 0},
        {"AA[1-2]BBCC", "AA BBCC 0000 00", 0},
        {"AA[0-2]BBCC", "AA BBCC 0000 00", 1},
        {"BBCC[1-2]AA", "BBCC 00 AA 00 00", 1},
        {"BBCC[1-2]AA", "BBCC 000000 AA", 0},
        {"BBCC[1-2]AA", "00 BBCC 0000 00", 0},
        {"?A[1-2]BBCC", "BA 00 BBCC 00 00", 1},
        {"?A[1-2]BBCC", "B0 00 BBCC 00 00", 0},
        {"??[1-2]414243444546", "414243444546", 1}, /* ?? checks nothing */
        {"AA[1]BBCCDD[1]EE", "AA 00 BBCCDD 00 EE", 1},
        {"AA[1]BBCCDD[1]EE", "AA 00 BBCCDD 00 00", 0},
        /* The anchored byte is outside the part: the next part may hold it. */
        {"BBCC[1-2]EE*DDEE", "00 BBCC DDEE 00", 1},
    };
    (void)state;
    CHECK(rows);
}

/* Where bodysig deliberately differs from ClamAV 1.4.6 (each ClamAV answer
 * checked with clamscan): ClamAV's answer there depends on how it happens
 * to split the signature for its trie, or reads past its pattern. */
static void test_differs_from_clamav(void **state)
{
    static const struct row rows[] = {
        /* ClamAV misses (uniqueness test of ac_uicmp wrong when both
         * alternatives have a wildcard where the other has a byte; it then
         * keeps the first alternative that fits). */
        {"4142(??43|41??43)4445", "4142 410043 4445", 1},
        {"41424344(??43|41??43)4546", "41424344 414343 4546", 1},
        /* ClamAV misses: it keeps the first end a part can have ("43"),
         * and the gap from there is too long. */
        {"4142(43|4344)????{2-3}4748", "4142 4344 0000 0000 00 4748", 1},
        /* ClamAV misses: matching backwards, its (L) does not see \r\n. */
        {"4142(L)4344", "4142 0d0a 4344", 1},
        /* ClamAV misses: an empty alternative never matches backwards. */
        {"4142(43|)4445", "00 4142 4445 00", 1},
        /* ClamAV matches, reading past its pattern at the end of the file
         * (it counts a (B) inside a part as zero bytes). */
        {"4142(B)43", "000000 4142 20", 0},
        {"41424344(45|4647)48", "00 41424344 4647", 0},
        /* ClamAV ignores a high-nibble anchored byte (its flag test takes
         * CLI_MATCH_NIBBLE_HIGH for CLI_MATCH_IGNORE). */
        {"A?[1-2]BBCC", "BF 00 BBCC 00 00", 0},
        {"A?[1-2]BBCC", "AF 00 BBCC 00 00", 1},
        /* ClamAV crashes (reads before the buffer) on this one. */
        {"!(B)41424344", "41424344 0000", 0},
    };
    (void)state;
    CHECK(rows);
}

/* The atom must be at `at`; at and the window are checked. */
static void test_verify_contract(void **state)
{
    struct bodysig *sig = parse("4142*4344(B)");
    size_t len, s = 99, e = 99;
    uint8_t *buf = decode("00 4142 00 4344 20 4142 4344", &len);

    (void)state;
    assert_int_equal(bodysig_atom(sig)->len, 2);
    assert_true(bodysig_verify(sig, buf, len, 1, 0, len - 1, &s, &e));
    assert_int_equal(s, 1);
    assert_int_equal(e, 6); /* the earliest end */
    assert_false(bodysig_verify(sig, buf, len, 2, 0, len - 1, &s, &e));
    assert_false(bodysig_verify(sig, buf, len, len - 1, 0, len - 1, &s, &e));
    assert_false(bodysig_verify(sig, buf, len, len + 5, 0, SIZE_MAX, &s, &e));
    assert_false(bodysig_verify(sig, buf, len, 1, 2, len - 1, &s, &e));
    assert_false(bodysig_verify(sig, buf, len, 1, 5, 2, &s, &e));
    assert_true(bodysig_verify(sig, buf, len, 1, 1, 1, NULL, NULL));
    /* The second 4142 is at 7; its 4344 ends the buffer. */
    assert_true(bodysig_verify(sig, buf, len, 7, 7, 7, &s, &e));
    assert_int_equal(e, len);
    free(buf);
    bodysig_free(sig);
}

/* The window limits the first part's start, wherever the atom is. */
static void test_start_window(void **state)
{
    struct bodysig *sig = parse("4142??{3-4}51525354");
    size_t len, s, e;
    uint8_t *buf = decode("4142 00 000000 4142 00 000000 51525354", &len);

    (void)state;
    assert_memory_equal(bodysig_atom(sig)->bytes, "\x51\x52\x53\x54", 4);
    assert_true(bodysig_verify(sig, buf, len, 12, 0, len - 1, &s, &e));
    assert_int_equal(s, 6);
    assert_int_equal(e, 16);
    assert_false(bodysig_verify(sig, buf, len, 12, 0, 5, &s, &e));
    assert_true(bodysig_verify(sig, buf, len, 12, 6, 6, &s, &e));
    free(buf);
    bodysig_free(sig);
    /* Across `*`, the first block is searched inside the window. */
    sig = parse("4142*51525354");
    buf = decode("4142 00 4142 00 51525354", &len);
    assert_true(bodysig_verify(sig, buf, len, 6, 3, 3, &s, &e));
    assert_int_equal(s, 3);
    assert_false(bodysig_verify(sig, buf, len, 6, 4, 5, &s, &e));
    assert_true(bodysig_verify(sig, buf, len, 6, 0, 0, &s, &e));
    assert_int_equal(s, 0);
    free(buf);
    bodysig_free(sig);
}

/* Every byte of a match at each edge of an exact-size buffer: ASan checks
 * that nothing past it is read. */
static void test_edges_of_buffer(void **state)
{
    static const char *sigs[] = {
        "(B)(L)(W)",
        "4142(L)",
        "(L)4142",
        "41424344(45|4647|)(L)",
        "(4445|46)41424344",
        "!(L)4142!(L)(B)",
        "AA[0-32]4142[0-32]BB",
        "4142!(4344|4546)",
        "!(4344|4546)4142",
        "4142{-10}4344*4546(W)",
    };
    static const char *datas[] = {
        "4142",      "0a4142",        "41420d",
        "4142 0d0a", "41424344 4546", "4546 41424344",
        "AA 4142",   "4142 BB",       "41 4142 43 4344 4546",
    };
    size_t len, s, e;

    (void)state;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        char why[128];
        struct bodysig *sig = NULL;
        if (bodysig_parse(sigs[i], strlen(sigs[i]), &sig, why, sizeof why))
            continue;
        for (size_t k = 0; k < sizeof datas / sizeof datas[0]; k++) {
            uint8_t *buf = decode(datas[k], &len);
            for (size_t at = 0; at <= len; at++)
                bodysig_verify(sig, buf, len, at, 0, SIZE_MAX, &s, &e);
            free(buf);
        }
        bodysig_free(sig);
    }
}

/* Many alternatives of many lengths and nested gaps stay polynomial: a
 * placement follows sets of positions, never every path. */
static void test_cost_is_bounded(void **state)
{
    char sig[4096] = "41424344";
    size_t len = 1 << 20, s, e;
    uint8_t *buf = malloc(len);
    struct bodysig *bs;
    clock_t t0 = clock();
    int hits = 0;

    (void)state;
    assert_non_null(buf);
    for (int i = 0; i < 40; i++)
        strcat(sig, "(41|4141|414141|41414141)");
    strcat(sig, "5a5b");
    bs = parse(sig);
    memset(buf, 0x41, len);
    memcpy(buf + len - 2, "\x5a\x5c", 2);
    for (size_t at = 0; at < 64 * 1024; at += 16) {
        memcpy(buf + at, "ABCD", 4);
        hits += bodysig_verify(bs, buf, len, at, 0, len - 1, &s, &e);
    }
    bodysig_free(bs);
    /* An unbounded gap: one call searches the rest of the buffer once. */
    bs = parse("41424344*5a5b5a5b");
    for (size_t at = 0; at < 64 * 1024; at += 16)
        hits += bodysig_verify(bs, buf, len, at, 0, len - 1, &s, &e);
    bodysig_free(bs);
    /* Gaps: 64 bounded parts, each of which matches everywhere. */
    strcpy(sig, "41424344");
    for (int i = 0; i < 64; i++)
        strcat(sig, "{0-64}4141");
    strcat(sig, "5a5b");
    bs = parse(sig);
    memcpy(buf, "ABCD", 4);
    hits += bodysig_verify(bs, buf, len, 0, 0, len - 1, &s, &e);
    bodysig_free(bs);
    free(buf);
    assert_int_equal(hits, 0);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes_and_wildcards),
        cmocka_unit_test(test_gaps),
        cmocka_unit_test(test_alternatives),
        cmocka_unit_test(test_boundaries),
        cmocka_unit_test(test_anchored_bytes),
        cmocka_unit_test(test_differs_from_clamav),
        cmocka_unit_test(test_verify_contract),
        cmocka_unit_test(test_start_window),
        cmocka_unit_test(test_edges_of_buffer),
        cmocka_unit_test(test_cost_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
