/* test_bodysig.c - ClamAV body signatures: what parses (and what ClamAV 1.4
 * also loads), every rule that refuses a signature with its reason, the
 * hard limits, the atom and the match lengths. Matching is in
 * test_bodysig_match.c, the comparison with clamscan in
 * test_bodysig_clamav.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/bodysig.h"

static struct bodysig *parse_ok(const char *hex)
{
    struct bodysig *sig = NULL;
    char why[256] = "";

    if (bodysig_parse(hex, strlen(hex), &sig, why, sizeof why) != VIGIL_OK)
        fail_msg("\"%s\" refused: %s", hex, why);
    return sig;
}

/* Checks hex is refused with a reason containing `reason`. */
static void refused(const char *hex, size_t len, const char *reason)
{
    struct bodysig *sig = (struct bodysig *)1;
    char why[256] = "";
    vigil_status rc = bodysig_parse(hex, len, &sig, why, sizeof why);

    if (rc != VIGIL_EMALFORMED)
        fail_msg("\"%.80s\" accepted (rc %d)", hex, rc);
    assert_null(sig);
    if (!strstr(why, reason))
        fail_msg("\"%.80s\": reason \"%s\", want \"%s\"", hex, why, reason);
}

static void refuse(const char *hex, const char *reason)
{
    refused(hex, strlen(hex), reason);
}

/* Signatures ClamAV 1.4.6 loads (checked with clamscan, target 3 where its
 * target-0 pre-filter or Boyer-Moore rules would interfere). */
static void test_accepts_clamav_grammar(void **state)
{
    static const char *ok[] = {
        "414243",
        "4142??43",
        "41424?43",
        "4142?343",
        "aBcDeF",
        "4142*4344",
        "{5}41424344",
        "41424344{5}",
        "4142{0}4344",
        "4142{200}4344",
        "4142{5-6}4344{3}4546",
        "4142(43|44)",
        "4142!(43|44)",
        "4142!(4344|4546)",
        "4142(4?|44)",
        "4142(43|4445)",
        "4142(43|)",
        "4142(43||44)",
        "4142(41(42|43)|44)45",
        "4142((41|42)|44)",
        "4142((41))",
        "4142(41)",
        "4142(4142)",
        "4142(4(1|2))4344",
        "4142((41|42)(43|44))4546",
        "4142(|41|4243)",
        "4142((((((((((((((((41))))))))))))))))",
        "4142(B)4344",
        "(B)41424344(B)",
        "!(B)41424344!(B)",
        "(L)4142(L)",
        "(W)4142(W)",
        "4142(B)(L)",
        "(B)(L)4142",
        "??[1-2]41424344",
        "AA[1-2]BBCC",
        "AA[0-2]BBCC",
        "AA[32]BBCC",
        "AA[1-32]BBCC",
        "AA[1-]BBCC",
        "BBCC[1-2]AA",
        "AA[1-2]BBCC[1-2]DD",
        "AA[1-2](B)BBCC",
        "BBCC(B)[1-2]AA",
        "A?[1-2]BBCC",
        "AA[1-2]BBCC*DDEE*FFAA[1-2]BB",
        "AA[1-2]BBCC{3-4}DDEE",
        "4142{127}4344",
        "{127}4142",
        "4142{1}",
        "4142*{5}4344",
        "4142{-5}4344",
        "4142{5-}4344",
        "4142{0-0}4344",
        "4142{5-0}4344",
        "4142!(41)",
        "AA[1-2]!(B)BBCC",
        "4142(41|41)",
        "41424344(41|42|41)",
        "4142{5-6}(B)4344",
        "4142(41{5}|42)",
        "4142{5}(41{5}|42)",
        "41{00003}4243",
        "4142{05-06}4344",
    };
    (void)state;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        bodysig_free(parse_ok(ok[i]));
}

static void test_refuses_hex_errors(void **state)
{
    (void)state;
    refused("", 0, "empty signature");
    refused("41\0"
            "4243",
            6, "bad character 0x00 at offset 2");
    refuse("41 42 43", "bad character 0x20 at offset 2");
    refuse("gg4142", "bad character 0x67 at offset 0");
    refuse("41424", "Malformed hexstring");
    refuse("414243)", "Malformed hexstring");
    refuse("41L24344", "Malformed hexstring");
    refuse("4142!!(43|44)", "Malformed hexstring");
    refuse("4142?\?4", "Malformed hexstring: 4142??4 (length: 7)");
    refuse("4?4?4?", "Can't find a static subpattern of length 2");
    refuse("41??42", "Can't find a static subpattern of length 2");
    refuse("41{3}42", "Can't find a static subpattern of length 2");
    refuse("41(42)43", "Can't find a static subpattern of length 2");
    refuse("41", "Signature is too short");
}

static void test_refuses_gaps(void **state)
{
    (void)state;
    refuse("*41424344", "Can't extract part 1 of partial signature");
    refuse("41424344*", "Can't extract part 2 of partial signature");
    refuse("4142**4344", "Can't extract part 2 of partial signature");
    refuse("{5-6}41424344", "part 1: empty");
    refuse("41424344{5-6}", "part 2: empty");
    refuse("4142{200}", "part 2: empty");
    refuse("4142*{5-6}4344", "part 2: empty");
    refuse("4142{5-6-7}4344", "malformed gap {5-6-7}");
    refuse("4142{5-6", "missing '}' after '{5-6'");
    refuse("4142{2147483648}4344", "larger than 2147483647");
    refuse("4142{5-6}43{3}44", "part 2: Signature is too short");
    refuse("4142{5-6}43??44", "part 2: Can't find a static subpattern");
    refuse("4142(41{5-6}|42)", "Alternative match contains unsupported ranged");
    refuse("4142(*)", "Alternative match cannot contain unbounded");
    refuse("41)42*4344", "Alternative match cannot contain unbounded");
}

static void test_refuses_groups(void **state)
{
    (void)state;
    refuse("4142()", "Empty block");
    refuse("4142(43", "Missing closing parenthesis");
    refuse("4142*43(44", "part 2: Missing closing parenthesis");
    refuse("4142!(43|4445)", "Can't apply negation operation to generic");
    refuse("4142!(4?|44)", "Can't apply negation operation to generic");
    refuse("4142!(41|42|)", "Can't apply negation operation to generic");
    refuse("4142(!(41|42)|44)", "Generic alternates cannot contain negations");
    refuse("4142((41)(41)(41)(41)(41)(41)(41)(41)(41)(41)(41)(41)(41)(41)"
           "(41)(41))",
           "maximum alternate nesting limit (15)");
    refuse("4142(|43)", "empty alternative in fixed group");
    refuse("4142(|)", "empty alternative in fixed group");
    refuse("4142(414|424)", "Malformed hexstring: 414");
    refuse("4142(4)", "Malformed hexstring: 4 (length: 1)");
    refuse("4142(41|4?4)", "Malformed hexstring: 4?4");
    refuse("4142(4(1|2)4)4344", "Malformed hexstring: 414");
    refuse("4142(41(B)|44)", "Malformed hexstring: 41B");
    refuse("4142(41|4L)", "Malformed hexstring");
}

static void test_refuses_anchors(void **state)
{
    (void)state;
    refuse("AA[1-2]BB", "shorter than the minimum depth of the AC trie. (1 < 2)");
    refuse("AA[2-1]BBCC", "incorrect range inside square brackets");
    refuse("AA[33]BBCC", "incorrect range inside square brackets");
    refuse("AA[-1]BBCC", "incorrect range inside square brackets");
    refuse("AA[]BBCC", "incorrect range inside square brackets");
    refuse("AA[1-2BBCC", "missing closing square bracket");
    refuse("AA[1-2]BB[3-4]CCDD", "a second [n-m] must anchor a byte after");
    refuse("AABB[1-2]CCDD", "needs a single anchored byte on one side");
    refuse("(B)AA[1-2]BBCC", "needs a single anchored byte on one side");
    refuse("4142[1-2]", "needs a single anchored byte on one side");
    refuse("A(B)[1-2]BBCC", "needs a single anchored byte"); /* "A(B)" is 4 */
}

/* Deliberate differences: ClamAV 1.4.6 loads these. */
static void test_refuses_what_clamav_misreads(void **state)
{
    (void)state;
    /* ClamAV reads an empty gap, or a maximum of 0, as "no maximum": {} and
     * {-} are `*` there. We refuse the empty ones (a maximum of 0 written
     * as a number keeps ClamAV's meaning: {0}, {0-0}, {5-0}). */
    refuse("4142{}4344", "malformed gap {} after part 1");
    refuse("4142{-}4344", "malformed gap {-}");
    /* ClamAV's strtok merges the dashes of {5--6} into {5-6}. */
    refuse("4142{5--6}4344", "malformed gap {5--6}");
    /* ClamAV loads {n-m} with n > m, and it never matches. */
    refuse("4142{6-5}4344", "gap {6-5} after part 1 has n > m");
    /* ClamAV's hex decoder takes '(' as its "special" flag: an anchored
     * byte written "(B" loads and then matches nonsense. */
    refuse("(B[1-2]BBCC", "Malformed hexstring: (B (anchored byte)");
    /* ClamAV's sscanf would also take "[ 1]", "[1-2x]", "{+5}", "{ 5}". */
    refuse("AA[ 1]BBCC", "bad character 0x20");
    refuse("4142{+5}4344", "bad character 0x2b");
}

static void test_limits(void **state)
{
    char *big = malloc(200000);
    size_t n = 0;

    (void)state;
    assert_non_null(big);
    /* Text longer than the limit. */
    memset(big, 'a', 40000);
    refused(big, 40000, "longer than 32768 characters");
    /* {n} spelt out past the expanded limit. */
    for (n = 0; n < 600; n++)
        memcpy(big + 5 * n, "{127}", 5);
    memcpy(big + 5 * n, "4142", 5);
    refuse(big, "once {n} gaps are spelt out");
    /* More parts than the limit. */
    for (n = 0; n < 300; n++)
        memcpy(big + 5 * n, "4142*", 5);
    memcpy(big + 5 * n - 1, "", 1);
    refuse(big, "more than 256 parts");
    /* A generic group expanding to 2^11 strings. */
    strcpy(big, "4142(");
    for (n = 0; n < 11; n++)
        strcat(big, "(41|42)");
    strcat(big, ")");
    refuse(big, "expands to more than 1024 strings");
    /* A part whose length may vary by more than BS_MAX_VAR. */
    strcpy(big, "4142(41|");
    for (n = 0; n < 1100; n++)
        strcat(big, "??");
    strcat(big, ")");
    refuse(big, "vary by more than 1024 bytes");
    free(big);
}

/* why may be NULL or short; the reason is cut, never overflowed. */
static void test_reason_buffer(void **state)
{
    struct bodysig *sig;
    char why[8];

    (void)state;
    assert_int_equal(bodysig_parse("41", 2, &sig, NULL, 0), VIGIL_EMALFORMED);
    memset(why, 'x', sizeof why);
    assert_int_equal(bodysig_parse("4142{5-6}43{3}44", 16, &sig, why, sizeof why),
                     VIGIL_EMALFORMED);
    assert_int_equal(why[7], '\0');
    assert_string_equal(why, "part 2:");
}

static void atom_is(const char *hex, const char *want)
{
    struct bodysig *sig = parse_ok(hex);
    const struct bodysig_atom *a = bodysig_atom(sig);
    char got[2 * BODYSIG_MAX_ATOM + 1] = "";

    for (size_t i = 0; i < a->len; i++)
        sprintf(got + 2 * i, "%02x", a->bytes[i]);
    if (strcmp(got, want))
        fail_msg("\"%s\": atom %s, want %s", hex, got, want);
    assert_true(a->len >= 1 && a->len <= BODYSIG_MAX_ATOM);
    bodysig_free(sig);
}

static void test_atom(void **state)
{
    (void)state;
    /* The longest informative run, in whichever part it is. */
    atom_is("4142*5152535455565758", "5152535455565758");
    atom_is("41424344{5-9}5152??53", "41424344");
    /* Runs of 00, FF, 90, CC and repeats weigh little. */
    atom_is("000000000000000000??41424344", "41424344");
    atom_is("9090909090909090??4d5a", "4d5a");
    atom_is("41414141414141??5a5b5c", "5a5b5c");
    /* The last part with a selective run (3 informative bytes) holds it,
     * even when an earlier part has a better one. */
    atom_is("41424344*515253", "515253");
    atom_is("41424344*5152", "41424344");
    /* 00 bytes may start it (ClamAV loads signatures like 0000??, so all
     * of their bytes can be an atom); at most BODYSIG_MAX_ATOM bytes. */
    atom_is("0041", "0041");
    atom_is("0000??", "0000");
    atom_is("00000041??00", "00000041");
    atom_is("4142434445464748494a4b4c4d4e4f505152", "4142434445464748494a4b4c4d4e4f505152");
    atom_is("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021",
            "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
    /* Nibbles, groups and anchors are not part of a run. */
    atom_is("4?41(43|44)4546", "4546");
    atom_is("AA[1-2]BBCC", "bbcc");
}

static void quick_is(const char *hex, uint64_t lval, uint64_t lmask, uint64_t rval,
                     uint64_t rmask)
{
    struct bodysig *sig = parse_ok(hex);
    struct bodysig_quick q;

    bodysig_quick(sig, &q);
    if (q.lval != lval || q.lmask != lmask || q.rval != rval || q.rmask != rmask)
        fail_msg("\"%s\": quick %016llx/%016llx %016llx/%016llx", hex,
                 (unsigned long long)q.lval, (unsigned long long)q.lmask,
                 (unsigned long long)q.rval, (unsigned long long)q.rmask);
    bodysig_free(sig);
}

/* The quick test holds the bytes at fixed distances around the atom: byte
 * i of the left word is 8 - i bytes before the atom, byte i of the right
 * word i bytes after it; what a variable element hides is not tested. */
static void test_quick(void **state)
{
    (void)state;
    /* Atom 41424344 (the 16-weight 0000 and 00 lose), 01 after ?? after it. */
    quick_is("41424344??0100", 0, 0, 0x000100, 0xFFFF00);
    /* A nibble and a byte before the atom "414243". */
    quick_is("a?5?414243", 0x50a0000000000000ull, 0xF0F0000000000000ull, 0, 0);
    /* A variable group ends the test; a fixed one is skipped. */
    quick_is("5a(01|0203)414243(04|05)06", 0, 0, 0x0600, 0xFF00);
    /* Beyond 8 bytes nothing is tested. */
    quick_is("414243??????????????????77", 0, 0, 0, 0);
}

static void lens_are(const char *hex, size_t lo, size_t hi)
{
    struct bodysig *sig = parse_ok(hex);

    assert_int_equal(bodysig_min_len(sig), lo);
    assert_int_equal(bodysig_max_len(sig), hi);
    bodysig_free(sig);
}

static void test_lengths(void **state)
{
    (void)state;
    lens_are("41424344", 4, 4);
    lens_are("4142?\?(43|4445)", 4, 5);
    lens_are("4142(L)4344", 5, 6);
    lens_are("4142{2-5}4344", 6, 9);
    lens_are("{5}4142{-3}4344(4546|4748)", 11, 14);
    lens_are("4142{200}4344", 204, 204);
    lens_are("4142*4344", 4, SIZE_MAX);
    lens_are("4142{0}4344", 4, SIZE_MAX);
    lens_are("4142{3-}4344", 7, SIZE_MAX);
    /* Anchored bytes and boundaries are outside the match. */
    lens_are("AA[1-2](B)BBCC(W)", 2, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts_clamav_grammar),
        cmocka_unit_test(test_refuses_hex_errors),
        cmocka_unit_test(test_refuses_gaps),
        cmocka_unit_test(test_refuses_groups),
        cmocka_unit_test(test_refuses_anchors),
        cmocka_unit_test(test_refuses_what_clamav_misreads),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_reason_buffer),
        cmocka_unit_test(test_atom),
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_quick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
