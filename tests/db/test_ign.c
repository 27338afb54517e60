/* test_ign.c - ignore lists (.ign/.ign2) as ClamAV's cli_loadign and
 * cli_chkign apply them: by name, by name and MD5 of the signature line,
 * the old three-field form, and the order of loading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "vigil/vigil.h"

#define EICAR_MD5 "44d88612fea8a8f36de82e1278abb02f"
static const char eicar[] = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIV"
                            "IRUS-TEST-FILE!$H+H*";

static void load_ok(vigil_engine *e, const char *name, const char *text)
{
    vigil_status st = vigil_engine_load_memory(e, name, text, strlen(text), 0);
    if (st != VIGIL_OK)
        fail_msg("%s: %s", name, vigil_engine_error(e));
}

/* Number of detections for the EICAR bytes after loading ign then db. */
static size_t hits_after(const char *ign, const char *db, uint64_t *nsigs)
{
    vigil_engine *e;
    vigil_scanner *s;
    const vigil_result *r;
    size_t n;
    struct vigil_scan_options o;

    vigil_scan_options_default(&o);
    o.flags |= VIGIL_SCAN_ALLMATCH;
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    load_ok(e, "x.ign2", ign);
    load_ok(e, "x.hdb", db);
    assert_int_equal(vigil_engine_compile(e), VIGIL_OK);
    *nsigs = vigil_engine_signature_count(e);
    assert_int_equal(vigil_scanner_new(e, &s), VIGIL_OK);
    assert_int_equal(vigil_scan_buffer(s, eicar, 68, NULL, &o, &r), VIGIL_OK);
    n = vigil_result_count(r);
    vigil_scanner_free(s);
    vigil_engine_free(e);
    return n;
}

static void test_ignore_by_name(void **state)
{
    uint64_t nsigs;
    (void)state;
    assert_int_equal(hits_after("Other\n", EICAR_MD5 ":68:Eicar\n", &nsigs), 1);
    assert_int_equal(hits_after("Eicar\n", EICAR_MD5 ":68:Eicar\n", &nsigs), 0);
    assert_int_equal(nsigs, 0); /* ignored lines are not counted */
    /* Whole-name comparison: a prefix does not ignore. */
    assert_int_equal(hits_after("Eic\n", EICAR_MD5 ":68:Eicar\n", &nsigs), 1);
    /* The name in the database may carry .UNOFFICIAL already. */
    assert_int_equal(hits_after("Eicar\n", EICAR_MD5 ":68:Eicar.UNOFFICIAL\n", &nsigs), 0);
}

static void test_ignore_by_name_and_line_md5(void **state)
{
    static const char line[] = EICAR_MD5 ":68:Eicar";
    uint8_t md5[16];
    char ign[128], db[256], hex[33];
    uint64_t nsigs;
    (void)state;

    EVP_Digest(line, strlen(line), md5, NULL, EVP_md5(), NULL);
    for (int i = 0; i < 16; i++)
        sprintf(hex + 2 * i, "%02x", md5[i]);
    snprintf(ign, sizeof ign, "Eicar:%s\n", hex);
    /* The line as written (CRLF removed) matches; another line of the same
     * name does not. */
    snprintf(db, sizeof db, "%s\r\n" EICAR_MD5 ":68:Eicar:0\n", line);
    assert_int_equal(hits_after(ign, db, &nsigs), 1);
    assert_int_equal(nsigs, 1);
}

static void test_old_three_field_form(void **state)
{
    uint64_t nsigs;
    (void)state;
    assert_int_equal(hits_after("daily.hdb:10:Eicar\n", EICAR_MD5 ":68:Eicar\n", &nsigs), 0);
}

static void test_malformed_ignore_files(void **state)
{
    static const char *const bad[] = {
        "a:b:c:d\n", "\n", "Name:1234\n", "Name:zz15bcf478d165efd2065190eb473bcb\n",
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vigil_engine *e;
        assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
        assert_int_equal(vigil_engine_load_memory(e, "bad.ign2", bad[i], strlen(bad[i]), 0),
                         VIGIL_EMALFORMED);
        assert_non_null(strstr(vigil_engine_error(e), "bad.ign2"));
        vigil_engine_free(e);
    }
}

static void test_empty_ignore_file_is_fine(void **state)
{
    uint64_t nsigs;
    (void)state;
    /* clamscan 1.4.6 loads an empty .ign2 (its hash reader refuses an empty
     * .hdb, its ignore reader does not). */
    assert_int_equal(hits_after("", EICAR_MD5 ":68:Eicar\n", &nsigs), 1);
}

static void test_ignore_after_db_does_not_apply(void **state)
{
    /* ClamAV applies ignore entries as signatures load: loading the ignore
     * list after the database leaves the signature in. */
    vigil_engine *e;
    (void)state;
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    load_ok(e, "x.hdb", EICAR_MD5 ":68:Eicar\n");
    load_ok(e, "x.ign2", "Eicar\n");
    assert_int_equal(vigil_engine_signature_count(e), 1);
    vigil_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ignore_by_name),
        cmocka_unit_test(test_ignore_by_name_and_line_md5),
        cmocka_unit_test(test_old_three_field_form),
        cmocka_unit_test(test_malformed_ignore_files),
        cmocka_unit_test(test_empty_ignore_file_is_fine),
        cmocka_unit_test(test_ignore_after_db_does_not_apply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
