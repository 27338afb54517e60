/* test_hdb.c - the hash database reader, line by line against ClamAV's rules
 * (readdb.c cli_loadhash), through the public load API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "vigil/vigil.h"

#define EICAR_MD5 "44d88612fea8a8f36de82e1278abb02f"
#define ABCDEF_SHA1 "1f8ac10f23c5b5bc1167bda84b833e5c057a77d2"

/* Loads text as a database called name; returns the status, leaves the
 * engine in *out (compiled when the load worked). */
static vigil_status load(const char *name, const char *text, vigil_engine **out)
{
    vigil_status st;

    assert_int_equal(vigil_engine_new(out), VIGIL_OK);
    st = vigil_engine_load_memory(*out, name, text, strlen(text), 0);
    if (st == VIGIL_OK)
        assert_int_equal(vigil_engine_compile(*out), VIGIL_OK);
    return st;
}

/* Scans buf with a fresh scanner; returns the first detection name or NULL. */
static const char *scan(vigil_engine *e, const void *buf, size_t len, size_t *count)
{
    static char name[256];
    vigil_scanner *s;
    const vigil_result *r;

    assert_int_equal(vigil_scanner_new(e, &s), VIGIL_OK);
    assert_int_equal(vigil_scan_buffer(s, buf, len, "x", NULL, &r), VIGIL_OK);
    if (count)
        *count = vigil_result_count(r);
    name[0] = '\0';
    if (vigil_result_count(r))
        snprintf(name, sizeof name, "%s", vigil_result_detection(r, 0)->name);
    vigil_scanner_free(s);
    return name[0] ? name : NULL;
}

static const char eicar[] = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIV"
                            "IRUS-TEST-FILE!$H+H*";

static void test_md5_detects_with_unofficial(void **state)
{
    vigil_engine *e;
    (void)state;
    assert_int_equal(load("a.hdb", EICAR_MD5 ":68:Test.Eicar\n", &e), VIGIL_OK);
    assert_int_equal(vigil_engine_signature_count(e), 1);
    assert_string_equal(scan(e, eicar, 68, NULL), "Test.Eicar.UNOFFICIAL");
    /* Same bytes, wrong size in the database: no match. */
    vigil_engine_free(e);
    assert_int_equal(load("a.hdb", EICAR_MD5 ":69:Test.Eicar\n", &e), VIGIL_OK);
    assert_null(scan(e, eicar, 68, NULL));
    vigil_engine_free(e);
}

static void test_kind_by_length_not_extension(void **state)
{
    vigil_engine *e;
    (void)state;
    /* A SHA-1 in an .hdb and an MD5 in an .hsb both load, as in ClamAV. */
    assert_int_equal(load("a.hdb", ABCDEF_SHA1 ":*:Abc.Sha1:73\n", &e), VIGIL_OK);
    assert_string_equal(scan(e, "abcdef", 6, NULL), "Abc.Sha1.UNOFFICIAL");
    vigil_engine_free(e);
    assert_int_equal(load("a.hsb", EICAR_MD5 ":68:M\n", &e), VIGIL_OK);
    assert_string_equal(scan(e, eicar, 68, NULL), "M.UNOFFICIAL");
    vigil_engine_free(e);
}

static void test_wildcard_size_needs_flevel_73(void **state)
{
    vigil_engine *e;
    (void)state;
    assert_int_equal(load("w.hdb", EICAR_MD5 ":*:W\n", &e), VIGIL_EMALFORMED);
    assert_non_null(strstr(vigil_engine_error(e), "w.hdb:1:"));
    vigil_engine_free(e);
    assert_int_equal(load("w.hdb", EICAR_MD5 ":*:W:72\n", &e), VIGIL_EMALFORMED);
    vigil_engine_free(e);
    assert_int_equal(load("w.hdb", EICAR_MD5 ":*:W:73\n", &e), VIGIL_OK);
    assert_string_equal(scan(e, eicar, 68, NULL), "W.UNOFFICIAL");
    vigil_engine_free(e);
}

static void test_flevel_window_skips_lines(void **state)
{
    vigil_engine *e;
    (void)state;
    /* ClamAV 1.4 is level 216: MinFL 217 and MaxFL 215 skip the line. */
    assert_int_equal(load("f.hdb",
                          EICAR_MD5 ":68:TooNew:217\n" EICAR_MD5 ":68:TooOld:1:215\n"
                          EICAR_MD5 ":68:Fits:216:216\n",
                          &e),
                     VIGIL_OK);
    assert_int_equal(vigil_engine_signature_count(e), 1);
    assert_string_equal(scan(e, eicar, 68, NULL), "Fits.UNOFFICIAL");
    vigil_engine_free(e);
}

static void test_malformed_lines_name_file_and_line(void **state)
{
    static const struct {
        const char *text;
        const char *where;
    } bad[] = {
        {"# ok\n" EICAR_MD5 ":68\n", "b.hdb:2:"},          /* too few fields */
        {EICAR_MD5 ":68:A:1:300:x\n", "b.hdb:1:"},          /* too many */
        {EICAR_MD5 ":0:A\n", "b.hdb:1:"},                   /* size 0 */
        {EICAR_MD5 ":-5:A\n", "b.hdb:1:"},                  /* negative */
        {EICAR_MD5 ":12x:A\n", "b.hdb:1:"},                 /* trailing junk */
        {EICAR_MD5 ":4294967295:A\n", "b.hdb:1:"},          /* >= 0xffffffff */
        {"44d88612fea8a8f36de82e1278abb02:68:A\n", "b.hdb:1:"}, /* 31 digits */
        {"44d88612fea8a8f36de82e1278abb0zz:68:A\n", "b.hdb:1:"}, /* not hex */
        {EICAR_MD5 ":68: (Clam)\n", "b.hdb:1:"},            /* empty name */
        {EICAR_MD5 ":68:A\n\n", "b.hdb:2:"},                /* blank line */
        {"", "b.hdb: empty database file"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vigil_engine *e;
        assert_int_equal(load("b.hdb", bad[i].text, &e), VIGIL_EMALFORMED);
        if (!strstr(vigil_engine_error(e), bad[i].where))
            fail_msg("case %zu: error '%s' lacks '%s'", i, vigil_engine_error(e),
                     bad[i].where);
        /* Nothing of a failed load stays behind. */
        assert_int_equal(vigil_engine_signature_count(e), 0);
        vigil_engine_free(e);
    }
}

static void test_clam_suffix_and_crlf(void **state)
{
    vigil_engine *e;
    (void)state;
    assert_int_equal(load("c.hdb", EICAR_MD5 ":68:Eicar (Clam) tail\r\n", &e), VIGIL_OK);
    assert_string_equal(scan(e, eicar, 68, NULL), "Eicar.UNOFFICIAL");
    vigil_engine_free(e);
}

static void test_failed_load_rolls_back(void **state)
{
    vigil_engine *e;
    static const char good[] = EICAR_MD5 ":68:Good\n";
    static const char bad[] = ABCDEF_SHA1 ":5:Half\nnot a line\n";
    (void)state;
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(vigil_engine_load_memory(e, "g.hdb", good, strlen(good), 0), VIGIL_OK);
    assert_int_equal(vigil_engine_load_memory(e, "h.hdb", bad, strlen(bad), 0),
                     VIGIL_EMALFORMED);
    assert_int_equal(vigil_engine_signature_count(e), 1);
    assert_int_equal(vigil_engine_compile(e), VIGIL_OK);
    assert_string_equal(scan(e, eicar, 68, NULL), "Good.UNOFFICIAL");
    vigil_engine_free(e);
}

static void test_allow_list_clears_detection(void **state)
{
    vigil_engine *e;
    static const char db[] = EICAR_MD5 ":68:Eicar\n";
    static const char fp[] = EICAR_MD5 ":68:AllowEicar\n";
    size_t n;
    (void)state;
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(vigil_engine_load_memory(e, "a.hdb", db, strlen(db), 0), VIGIL_OK);
    assert_int_equal(vigil_engine_load_memory(e, "a.fp", fp, strlen(fp), 0), VIGIL_OK);
    /* clamscan counts .fp lines in "Known viruses". */
    assert_int_equal(vigil_engine_signature_count(e), 2);
    assert_int_equal(vigil_engine_compile(e), VIGIL_OK);
    assert_null(scan(e, eicar, 68, &n));
    assert_int_equal(n, 0);
    vigil_engine_free(e);
}

static void test_builtin_names_are_official(void **state)
{
    vigil_engine *e;
    (void)state;
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(vigil_engine_load_builtin(e), VIGIL_OK);
    assert_int_equal(vigil_engine_compile(e), VIGIL_OK);
    assert_string_equal(scan(e, eicar, 68, NULL), "Win.Test.EICAR_HDB-1");
    assert_null(scan(e, eicar, 67, NULL));
    vigil_engine_free(e);
}

static void test_unsupported_and_unknown(void **state)
{
    vigil_engine *e;
    (void)state;
    assert_int_equal(load("x.pdb", "R:example.com\n", &e), VIGIL_EUNSUPPORTED);
    vigil_engine_free(e);
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(vigil_engine_load_memory(e, "x.pdb", "A", 1,
                                              VIGIL_LOAD_SKIP_UNSUPPORTED),
                     VIGIL_OK);
    vigil_engine_free(e);
    assert_int_equal(load("x.txt", "A", &e), VIGIL_EUNSUPPORTED);
    vigil_engine_free(e);
    /* PUA databases load only when PUA detection is on, as in ClamAV. */
    assert_int_equal(load("x.hdu", EICAR_MD5 ":68:PUA.X\n", &e), VIGIL_OK);
    assert_int_equal(vigil_engine_signature_count(e), 0);
    vigil_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_md5_detects_with_unofficial),
        cmocka_unit_test(test_kind_by_length_not_extension),
        cmocka_unit_test(test_wildcard_size_needs_flevel_73),
        cmocka_unit_test(test_flevel_window_skips_lines),
        cmocka_unit_test(test_malformed_lines_name_file_and_line),
        cmocka_unit_test(test_clam_suffix_and_crlf),
        cmocka_unit_test(test_failed_load_rolls_back),
        cmocka_unit_test(test_allow_list_clears_detection),
        cmocka_unit_test(test_builtin_names_are_official),
        cmocka_unit_test(test_unsupported_and_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
