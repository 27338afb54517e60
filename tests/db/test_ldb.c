/* test_ldb.c - the logical signature reader (.ldb) through the public load
 * and scan API: counting, detection, modifiers, PCRE and byte compares,
 * errors with file:line, rollback of a failed load, long lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vigil.h"

static vigil_status load(vigil_engine *e, const char *name, const char *text)
{
    return vigil_engine_load_memory(e, name, text, strlen(text), 0);
}

/* Scans buf (with allmatch); returns the detections joined by spaces. */
static const char *scan(vigil_engine *e, const void *buf, size_t len)
{
    static char out[1024];
    struct vigil_scan_options o;
    vigil_scanner *s;
    const vigil_result *r;

    vigil_scan_options_default(&o);
    o.flags |= VIGIL_SCAN_ALLMATCH;
    assert_int_equal(vigil_scanner_new(e, &s), VIGIL_OK);
    assert_int_equal(vigil_scan_buffer(s, buf, len, "x", &o, &r), VIGIL_OK);
    out[0] = '\0';
    for (size_t i = 0; i < vigil_result_count(r); i++) {
        size_t n = strlen(out);
        snprintf(out + n, sizeof out - n, "%s%s", n ? " " : "",
                 vigil_result_detection(r, i)->name);
    }
    vigil_scanner_free(s);
    return out;
}

/* An ELF-looking object (target 6) holding text. */
static size_t object(char *buf, size_t cap, const char *text)
{
    size_t n = (size_t)snprintf(buf, cap, "\x7f" "ELF....................%s....", text);
    return n < cap ? n : cap - 1;
}

static void test_counts_and_matches(void **state)
{
    static const char db[] =
        "A.Both;Engine:51-255,Target:0;0&1;414c504841;425241564f\n"
        "A.Twice;Engine:51-255,Target:0;0=2;414c504841\n"
        "A.Elf;Engine:51-255,Target:6;0;414c504841\n"
        "A.Pe;Engine:51-255,Target:1;0;414c504841\n"
        "A.Skip;Engine:250-255,Target:0;0;414c504841\n"
        "A.Zero;Engine:51-255,Target:0;0=0;5a5a5a5a\n";
    vigil_engine *e;
    char buf[256];
    size_t n = object(buf, sizeof buf, "ALPHA..BRAVO..ALPHA");
    (void)state;
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(load(e, "a.ldb", db), VIGIL_OK);
    assert_int_equal(vigil_engine_signature_count(e), 5);
    assert_int_equal(vigil_engine_compile(e), VIGIL_OK);
    /* Target 6 first, then target 0, each in load order. */
    assert_string_equal(scan(e, buf, n),
                        "A.Elf.UNOFFICIAL A.Both.UNOFFICIAL A.Twice.UNOFFICIAL "
                        "A.Zero.UNOFFICIAL");
    n = object(buf, sizeof buf, "nothing");
    assert_string_equal(scan(e, buf, n), "A.Zero.UNOFFICIAL");
    vigil_engine_free(e);
}

static void test_modifiers(void **state)
{
    static const char db[] =
        "M.Nocase;Engine:51-255,Target:0;0;68656c6c6f::i\n"
        "M.Wide;Engine:51-255,Target:0;0;574944::w\n"
        "M.Full;Engine:51-255,Target:0;0;574f5244::f\n"
        "M.FullNo;Engine:51-255,Target:0;0;4f5244::f\n";
    vigil_engine *e;
    char buf[256];
    size_t n;
    (void)state;
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(load(e, "m.ldb", db), VIGIL_OK);
    assert_int_equal(vigil_engine_compile(e), VIGIL_OK);
    n = object(buf, sizeof buf, "HeLLo W.I.D. WORD");
    for (size_t i = 0; i + 6 <= n; i++)
        if (memcmp(buf + i, "W.I.D.", 6) == 0)
            buf[i + 1] = buf[i + 3] = buf[i + 5] = '\0';
    assert_string_equal(scan(e, buf, n),
                        "M.Nocase.UNOFFICIAL M.Wide.UNOFFICIAL M.Full.UNOFFICIAL");
    vigil_engine_free(e);
}

static void test_pcre_and_bcomp(void **state)
{
    static const char db[] =
        "P.Re;Engine:51-255,Target:0;0&1;54524947;0/ba[t]{1}[0-9]+/\n"
        "P.Global;Engine:51-255,Target:0;0&1=2;54524947;0/x[0-9]/g\n"
        "P.Bcomp;Engine:51-255,Target:0;0&1;4e554d3a;0(>>4#de3#>99,<200)\n";
    vigil_engine *e;
    char buf[256];
    size_t n = object(buf, sizeof buf, "TRIG bat42 x1 x2 NUM:150");
    (void)state;
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(load(e, "p.ldb", db), VIGIL_OK);
    assert_int_equal(vigil_engine_compile(e), VIGIL_OK);
    assert_string_equal(scan(e, buf, n),
                        "P.Re.UNOFFICIAL P.Global.UNOFFICIAL P.Bcomp.UNOFFICIAL");
    n = object(buf, sizeof buf, "bat42 x1 NUM:250");
    assert_string_equal(scan(e, buf, n), "");
    vigil_engine_free(e);
}

static void test_errors_roll_back(void **state)
{
    static const char good[] = "G.One;Engine:51-255,Target:0;0;414c504841\n";
    static const char bad[] = "B.One;Engine:51-255,Target:0;0;42524156\n"
                              "B.Two;Engine:51-255,Target:0;0&1;42524156;0/a(/\n";
    vigil_engine *e;
    char buf[256];
    size_t n = object(buf, sizeof buf, "ALPHA BRAV");
    (void)state;
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(load(e, "g.ldb", good), VIGIL_OK);
    assert_int_equal(load(e, "b.ldb", bad), VIGIL_EMALFORMED);
    assert_non_null(strstr(vigil_engine_error(e), "b.ldb:2:"));
    assert_int_equal(vigil_engine_signature_count(e), 1);
    assert_int_equal(vigil_engine_compile(e), VIGIL_OK);
    assert_string_equal(scan(e, buf, n), "G.One.UNOFFICIAL");
    vigil_engine_free(e);
}

static void test_long_lines(void **state)
{
    size_t cap = 40000;
    char *line = malloc(cap + 64);
    vigil_engine *e;
    size_t n;
    (void)state;
    assert_non_null(line);
    /* ClamAV reads .ldb lines of up to 32767 characters. */
    n = (size_t)sprintf(line, "L.Long;Engine:51-255,Target:0;0;");
    while (n < 32700)
        n += (size_t)sprintf(line + n, "41");
    line[n++] = '\n';
    line[n] = '\0';
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(load(e, "l.ldb", line), VIGIL_OK);
    while (n < cap)
        n += (size_t)sprintf(line + n - 1, "41\n") - 1;
    assert_int_equal(load(e, "l2.ldb", line), VIGIL_EMALFORMED);
    assert_non_null(strstr(vigil_engine_error(e), "l2.ldb:1: line too long"));
    vigil_engine_free(e);
    free(line);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_and_matches),
        cmocka_unit_test(test_modifiers),
        cmocka_unit_test(test_pcre_and_bcomp),
        cmocka_unit_test(test_errors_roll_back),
        cmocka_unit_test(test_long_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
