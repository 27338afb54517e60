/* test_yara_gate.c - the YARA pre-filter's reading of rule sources
 * (db/yara_gate.c): which conditions need one of the rule's strings, which
 * strings have atoms, and sources it does not follow. The end-to-end check
 * against `yara` is tests/yara/prefilter.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "db/yara_gate.h"

/* 1 if the one rule "rule r { strings: STRINGS condition: COND }" is gated. */
static int gated(const char *strings, const char *cond)
{
    char text[1024];
    size_t n = 0;
    int rc;

    snprintf(text, sizeof text, "rule r { strings: %s condition: %s }\n", strings, cond);
    rc = yara_gate_source_all(text, strlen(text), &n);
    assert_int_equal(n, 1);
    assert_int_not_equal(rc, -1);
    return rc;
}

static void test_conditions_gated(void **state)
{
    static const char *const yes[] = {
        "$a",
        "$a and filesize < 10",
        "uint16(0) == 0x5a4d and $a",
        "$a or #b > 2",
        "($a or $b) and not $c",
        "any of them",
        "all of them",
        "2 of them",
        "any of ($a, $b)",
        "1 of ($a*)",
        "#a > 0",
        "#a >= 1",
        "#a == 3",
        "#a != 0",
        "$a at 0",
        "$a at pe.entry_point + 4",
        "$a in (0..filesize)",
        "(($a))",
        "$a and ($b or ($c and true))",
        "#a > 0x10",
        "#b >= 1KB",
    };
    (void)state;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (gated("$a = \"aaa\" $b = \"bbb\" $c = \"ccc\"", yes[i]) != 1)
            fail_msg("not gated: %s", yes[i]);
}

static void test_conditions_not_gated(void **state)
{
    static const char *const no[] = {
        "not $a",
        "not ($a)",
        "$a or filesize < 10",
        "#a == 0",
        "#a >= 0",
        "#a < 2",
        "0 of them",
        "filesize < 10",
        "uint16(0) == 0x5a4d",
        "true",
        "for any i in (0..#a) : (i == 0)",
        "(#a + #b) == 0",
        "$a == $b",
        "($a or true)",
        "not $a and not $b",
        "any of ($a, $b) or not $c",
        "#a > -1",
        "#a > 1.5",
        "$a or",
        "r2",
        "$a at 0 == 1",
        "for all of them : ($ at 0)",
    };
    (void)state;
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (gated("$a = \"aaa\" $b = \"bbb\" $c = \"ccc\"", no[i]) != 0)
            fail_msg("gated: %s", no[i]);
}

static void test_strings(void **state)
{
    (void)state;
    assert_int_equal(
        gated("$a = \"x\\x41\\\"\\\\\\t\" nocase wide ascii fullword private", "$a"), 1);
    assert_int_equal(gated("$h = { 4D 5A ?? [2-4] ( 01 | 02 ) 1? 33 }", "$h"), 1);
    assert_int_equal(gated("$h = { DE AD /* } */ BE EF // }\n }", "$h"), 1);
    assert_int_equal(gated("$h = { ?? ?? ( 01 | 02 ) }", "$h"), 0); /* no fixed run */
    assert_int_equal(gated("$h = { 4D ~5A }", "$h"), 0);            /* not understood */
    assert_int_equal(gated("$r = /abc/", "$r"), 0);
    assert_int_equal(gated("$a = \"abc\" xor", "$a"), 0);
    assert_int_equal(gated("$a = \"abc\" xor(1-3)", "$a"), 0);
    assert_int_equal(gated("$a = \"abc\" base64", "$a"), 0);
    assert_int_equal(gated("$a = \"abc\" $r = /x+/", "any of them"), 0);
    assert_int_equal(gated("$a = \"a\\q\"", "$a"), 0); /* an unknown escape */
}

static void test_sources(void **state)
{
    static const char ok[] =
        "import \"pe\"\n// comment { rule x\n/* rule y { */\n"
        "private rule p { condition: filesize > 0 }\n"
        "global private rule g { condition: true }\n"
        "rule a : t1 t2 { meta: s = \"}\" n = -1 b = false strings: $a = \"}{\" "
        "condition: $a and p }\n";
    static const char bad[] = "rule a { strings: $a = \"abc condition: $a }\n";
    size_t n = 0;

    (void)state;
    assert_int_equal(yara_gate_source_all(ok, sizeof ok - 1, &n), 1);
    assert_int_equal(n, 3);
    assert_int_equal(yara_gate_source_all(bad, sizeof bad - 1, &n), -1);
    assert_int_equal(yara_gate_source_all("rule", 4, &n), -1);
    assert_int_equal(yara_gate_source_all("", 0, &n), 1);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conditions_gated),
        cmocka_unit_test(test_conditions_not_gated),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_sources),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
