/* test_scan.c - the scan of one object: reading only when a signature of
 * the object's size exists, all-match order, limits reported (and alerted),
 * fds, and one engine shared by many threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vigil/vigil.h"

static const char eicar[] = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIV"
                            "IRUS-TEST-FILE!$H+H*";
#define EICAR_MD5 "44d88612fea8a8f36de82e1278abb02f"
#define EICAR_SHA256 "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"

static vigil_engine *engine_with(const char *db)
{
    vigil_engine *e;
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    if (vigil_engine_load_memory(e, "t.hdb", db, strlen(db), 0) != VIGIL_OK)
        fail_msg("%s", vigil_engine_error(e));
    assert_int_equal(vigil_engine_compile(e), VIGIL_OK);
    return e;
}

static void test_reads_only_when_size_matches(void **state)
{
    vigil_engine *e = engine_with(EICAR_MD5 ":68:E\n");
    vigil_scanner *s;
    const vigil_result *r;
    char other[100] = {0};
    (void)state;
    assert_int_equal(vigil_scanner_new(e, &s), VIGIL_OK);
    assert_int_equal(vigil_scan_buffer(s, other, sizeof other, NULL, NULL, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 0);
    assert_int_equal(vigil_result_bytes_read(r), 0);
    assert_int_equal(vigil_result_size(r), 100);
    assert_int_equal(vigil_scan_buffer(s, eicar, 68, NULL, NULL, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 1);
    assert_int_equal(vigil_result_bytes_read(r), 68);
    vigil_scanner_free(s);
    vigil_engine_free(e);
}

static void test_tiny_objects_not_matched(void **state)
{
    /* Measured on clamscan 1.4.6: objects of 5 bytes or less never match,
     * even their own hash; 6 bytes do. */
    vigil_engine *e = engine_with("ab56b4d92b40713acc5af89985d4b786:5:Five\n"
                                  "e80b5017098950fc58aad83c8c14978e:6:Six\n");
    vigil_scanner *s;
    const vigil_result *r;
    (void)state;
    assert_int_equal(vigil_scanner_new(e, &s), VIGIL_OK);
    assert_int_equal(vigil_scan_buffer(s, "abcde", 5, NULL, NULL, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 0);
    assert_int_equal(vigil_scan_buffer(s, "abcdef", 6, NULL, NULL, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 1);
    vigil_scanner_free(s);
    vigil_engine_free(e);
}

static void test_allmatch_reports_each_kind(void **state)
{
    vigil_engine *e = engine_with(EICAR_MD5 ":68:ByMd5\n" EICAR_SHA256 ":68:BySha256\n");
    vigil_scanner *s;
    const vigil_result *r;
    struct vigil_scan_options o;
    (void)state;
    vigil_scan_options_default(&o);
    assert_int_equal(vigil_scanner_new(e, &s), VIGIL_OK);
    assert_int_equal(vigil_scan_buffer(s, eicar, 68, NULL, &o, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 1);
    o.flags |= VIGIL_SCAN_ALLMATCH;
    assert_int_equal(vigil_scan_buffer(s, eicar, 68, NULL, &o, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 2);
    assert_string_equal(vigil_result_detection(r, 0)->name, "ByMd5.UNOFFICIAL");
    assert_string_equal(vigil_result_detection(r, 1)->name, "BySha256.UNOFFICIAL");
    assert_string_equal(vigil_result_detection(r, 1)->layer_path, "");
    assert_null(vigil_result_detection(r, 2));
    vigil_scanner_free(s);
    vigil_engine_free(e);
}

static void test_exact_then_any_size_last_loaded(void **state)
{
    /* Measured on clamscan 1.4.6: duplicates report the one loaded last; with
     * -z the exact-size match comes before the any-size one of the kind. */
    vigil_engine *e = engine_with(EICAR_MD5 ":*:Wild1:73\n" EICAR_MD5 ":68:Ex1\n"
                                  EICAR_MD5 ":68:Ex2\n" EICAR_MD5 ":*:Wild2:73\n");
    vigil_scanner *s;
    const vigil_result *r;
    struct vigil_scan_options o;
    (void)state;
    vigil_scan_options_default(&o);
    assert_int_equal(vigil_scanner_new(e, &s), VIGIL_OK);
    assert_int_equal(vigil_scan_buffer(s, eicar, 68, NULL, &o, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 1);
    assert_string_equal(vigil_result_detection(r, 0)->name, "Ex2.UNOFFICIAL");
    o.flags |= VIGIL_SCAN_ALLMATCH;
    assert_int_equal(vigil_scan_buffer(s, eicar, 68, NULL, &o, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 2);
    assert_string_equal(vigil_result_detection(r, 1)->name, "Wild2.UNOFFICIAL");
    vigil_scanner_free(s);
    vigil_engine_free(e);
}

static void test_limits_reported_and_alerted(void **state)
{
    vigil_engine *e = engine_with(EICAR_MD5 ":68:E\n");
    vigil_scanner *s;
    const vigil_result *r;
    struct vigil_scan_options o;
    (void)state;
    vigil_scan_options_default(&o);
    o.limits.max_filesize = 67;
    assert_int_equal(vigil_scanner_new(e, &s), VIGIL_OK);
    assert_int_equal(vigil_scan_buffer(s, eicar, 68, NULL, &o, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 0);
    assert_int_equal(vigil_result_limits(r), VIGIL_LIMIT_FILESIZE);
    o.flags |= VIGIL_SCAN_ALERT_EXCEEDS_MAX;
    assert_int_equal(vigil_scan_buffer(s, eicar, 68, NULL, &o, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 1);
    assert_string_equal(vigil_result_detection(r, 0)->name,
                        "Heuristics.Limits.Exceeded.MaxFileSize");
    o.limits.max_filesize = 0; /* no limit */
    o.limits.max_scansize = 10;
    assert_int_equal(vigil_scan_buffer(s, eicar, 68, NULL, &o, &r), VIGIL_OK);
    assert_int_equal(vigil_result_limits(r), VIGIL_LIMIT_SCANSIZE);
    assert_string_equal(vigil_limit_name(VIGIL_LIMIT_SCANSIZE), "MaxScanSize");
    assert_string_equal(vigil_limit_name(VIGIL_LIMIT_DETECTIONS), "MaxDetections");
    vigil_scanner_free(s);
    vigil_engine_free(e);
}

static void test_scan_fd(void **state)
{
    vigil_engine *e = engine_with(EICAR_MD5 ":68:E\n");
    vigil_scanner *s;
    const vigil_result *r;
    char path[] = "/tmp/vigil-test-XXXXXX";
    int fd = mkstemp(path);
    (void)state;
    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(write(fd, eicar, 68), 68);
    assert_int_equal(vigil_scanner_new(e, &s), VIGIL_OK);
    assert_int_equal(vigil_scan_fd(s, fd, path, NULL, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 1);
    assert_int_equal(vigil_scan_fd(s, -1, path, NULL, &r), VIGIL_EREAD);
    close(fd);
    vigil_scanner_free(s);
    vigil_engine_free(e);
}

static void test_too_many_detections_is_a_reported_limit(void **state)
{
    /* "AB" 3000 times and a signature for it: under allmatch each occurrence
     * is a detection; past the result's maximum the rest are dropped and
     * the result must say so. */
    vigil_engine *e;
    vigil_scanner *s;
    const vigil_result *r;
    struct vigil_scan_options o;
    static const char db[] = "Many:0:*:414243\n";
    char *buf = malloc(9000);
    (void)state;
    for (int i = 0; i < 9000; i++)
        buf[i] = "ABC"[i % 3];
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(vigil_engine_load_memory(e, "m.ndb", db, strlen(db), 0), VIGIL_OK);
    assert_int_equal(vigil_engine_compile(e), VIGIL_OK);
    assert_int_equal(vigil_scanner_new(e, &s), VIGIL_OK);
    vigil_scan_options_default(&o);
    o.flags |= VIGIL_SCAN_ALLMATCH;
    assert_int_equal(vigil_scan_buffer(s, buf, 9000, NULL, &o, &r), VIGIL_OK);
    assert_true(vigil_result_count(r) > 0);
    assert_true(vigil_result_count(r) < 3000);
    assert_true(vigil_result_limits(r) & VIGIL_LIMIT_DETECTIONS);
    o.flags = 0; /* first match: one detection, no limit */
    assert_int_equal(vigil_scan_buffer(s, buf, 9000, NULL, &o, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 1);
    assert_int_equal(vigil_result_limits(r), 0);
    vigil_scanner_free(s);
    vigil_engine_free(e);
    free(buf);
}

static void test_state_errors(void **state)
{
    vigil_engine *e;
    vigil_scanner *s = NULL;
    (void)state;
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(vigil_scanner_new(e, &s), VIGIL_ESTATE); /* not compiled */
    assert_int_equal(vigil_engine_compile(e), VIGIL_OK);
    assert_int_equal(vigil_engine_load_builtin(e), VIGIL_ESTATE);
    assert_int_equal(vigil_engine_compile(e), VIGIL_ESTATE);
    assert_string_equal(vigil_strerror(VIGIL_EMALFORMED), "malformed database");
    assert_string_equal(vigil_strerror((vigil_status)999), "unknown status");
    vigil_engine_free(e);
}

struct worker {
    const vigil_engine *e;
    int hits;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    vigil_scanner *s;
    const vigil_result *r;
    char clean[68];

    memset(clean, 'A', sizeof clean);
    if (vigil_scanner_new(w->e, &s) != VIGIL_OK)
        return NULL;
    for (int i = 0; i < 2000; i++) {
        if (vigil_scan_buffer(s, i % 2 ? eicar : clean, 68, NULL, NULL, &r) == VIGIL_OK)
            w->hits += (int)vigil_result_count(r);
    }
    vigil_scanner_free(s);
    return NULL;
}

static void test_one_engine_many_threads(void **state)
{
    vigil_engine *e = engine_with(EICAR_MD5 ":68:E\n");
    pthread_t t[4];
    struct worker w[4];
    (void)state;
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){e, 0};
        assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].hits, 1000);
    }
    vigil_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_only_when_size_matches),
        cmocka_unit_test(test_tiny_objects_not_matched),
        cmocka_unit_test(test_allmatch_reports_each_kind),
        cmocka_unit_test(test_exact_then_any_size_last_loaded),
        cmocka_unit_test(test_limits_reported_and_alerted),
        cmocka_unit_test(test_scan_fd),
        cmocka_unit_test(test_too_many_detections_is_a_reported_limit),
        cmocka_unit_test(test_state_errors),
        cmocka_unit_test(test_one_engine_many_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
