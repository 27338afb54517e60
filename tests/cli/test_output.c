/* test_output.c - vigil scan's text: clamscan's result lines and SCAN
 * SUMMARY byte for byte (fixed counts and times), the JSON lines and their
 * string escaping, the progress line, and the output buffer's maximum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/json.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "cli/strbuf.h"
#include "vigil/vigil.h"

static struct strbuf sb;

static int setup(void **state)
{
    (void)state;
    /* The summary's dates are local time: pin the zone. */
    setenv("TZ", "UTC", 1);
    tzset();
    strbuf_init(&sb, 1 << 20);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    strbuf_free(&sb);
    return 0;
}

static void test_lines(void **state)
{
    (void)state;
    strbuf_reset(&sb);
    output_line(&sb, "d/a b.txt", "OK");
    output_line(&sb, "d/empty", "Empty file");
    output_found(&sb, "d/e.com", "Win.Test.EICAR_HDB-1");
    output_scan_error(&sb, "d/x", "can't read file");
    assert_string_equal(strbuf_str(&sb), "d/a b.txt: OK\n"
                                         "d/empty: Empty file\n"
                                         "d/e.com: Win.Test.EICAR_HDB-1 FOUND\n"
                                         "d/x: can't read file ERROR\n");
}

static void test_actions(void **state)
{
    (void)state;
    strbuf_reset(&sb);
    output_action(&sb, "/q/a", "/q/a", "moved to", "/z/a");
    output_action(&sb, "a", "/q/a", "copied to", "/z/a.001");
    output_action(&sb, "a", "/q/a", "Removed.", NULL);
    output_action(&sb, "/q/a", NULL, "Removed.", NULL);
    assert_string_equal(strbuf_str(&sb), "/q/a: moved to '/z/a'\n"
                                         "a (real path: '/q/a'): copied to '/z/a.001'\n"
                                         "a (real path: '/q/a'): Removed.\n"
                                         "/q/a: Removed.\n");
}

static struct summary base_summary(void)
{
    struct summary s = {
        .known_viruses = 8712345,
        .engine_version = "0.1.0",
        .dirs = 2,
        .files = 3,
        .infected = 1,
        .bytes_scanned = 50000,
        .read_blocks = 10,
        .start = {.tv_sec = 1700000000, .tv_nsec = 900000000},
        .end = {.tv_sec = 1700000125, .tv_nsec = 7000000},
    };
    return s;
}

static void test_summary(void **state)
{
    struct summary s = base_summary();
    (void)state;
    strbuf_reset(&sb);
    output_summary(&sb, &s);
    /* 50000 bytes are 12 whole blocks (0.05 MB), 10 blocks are 0.04 MB, and
     * 12/10 is clamscan's ratio; 125.007 - 0.9 s is 124.107 s. */
    assert_string_equal(strbuf_str(&sb), "\n"
                                         "----------- SCAN SUMMARY -----------\n"
                                         "Known viruses: 8712345\n"
                                         "Engine version: 0.1.0\n"
                                         "Scanned directories: 2\n"
                                         "Scanned files: 3\n"
                                         "Infected files: 1\n"
                                         "Data scanned: 0.05 MB\n"
                                         "Data read: 0.04 MB (ratio 1.20:1)\n"
                                         "Time: 124.107 sec (2 m 4 s)\n"
                                         "Start Date: 2023:11:14 22:13:20\n"
                                         "End Date:   2023:11:14 22:15:25\n");
}

static void test_summary_optional_lines(void **state)
{
    struct summary s = base_summary();
    const char *t;
    (void)state;
    s.errors = 3;
    s.limits = 2;
    s.not_removed = 1;
    s.not_moved = 4;
    s.copy_mode = true;
    s.bytes_scanned = 0;
    s.read_blocks = 0;
    strbuf_reset(&sb);
    output_summary(&sb, &s);
    t = strbuf_str(&sb);
    assert_non_null(strstr(t, "Infected files: 1\n"
                              "Total errors: 3\n"
                              "Limits exceeded: 2\n"
                              "Not removed: 1\n"
                              "Not copied: 4\n"
                              "Data scanned: 0.00 MB\n"
                              "Data read: 0.00 MB (ratio 0.00:1)\n"));
    s.copy_mode = false;
    strbuf_reset(&sb);
    output_summary(&sb, &s);
    assert_non_null(strstr(strbuf_str(&sb), "Not moved: 4\n"));
}

static void test_time_and_mb(void **state)
{
    struct timespec a = {10, 999999999}, b = {11, 0}, c = {3671, 500000000};
    (void)state;
    strbuf_reset(&sb);
    output_time(&sb, &a, &b);
    output_time(&sb, &b, &c);
    output_time(&sb, &c, &a); /* a clock that went backwards */
    output_mb(&sb, 8994816);
    assert_string_equal(strbuf_str(&sb), "Time: 0.000 sec (0 m 0 s)\n"
                                         "Time: 3660.500 sec (61 m 0 s)\n"
                                         "Time: 0.000 sec (0 m 0 s)\n"
                                         "8.58 MB");
}

static const char *json_of(const char *s, bool *invalid)
{
    strbuf_reset(&sb);
    *invalid = json_string(&sb, s);
    return strbuf_str(&sb);
}

static void test_json_escaping(void **state)
{
    bool inv;
    (void)state;
    assert_string_equal(json_of("plain/path.txt", &inv), "\"plain/path.txt\"");
    assert_false(inv);
    assert_string_equal(json_of("q\"b\\s/", &inv), "\"q\\\"b\\\\s/\"");
    assert_string_equal(json_of("\b\f\n\r\t", &inv), "\"\\b\\f\\n\\r\\t\"");
    assert_string_equal(json_of("\x01\x1f\x7f", &inv), "\"\\u0001\\u001f\\u007f\"");
    assert_false(inv);
    /* Valid UTF-8 passes through: 2, 3 and 4 byte forms. */
    assert_string_equal(json_of("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", &inv),
                        "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    assert_false(inv);
    /* Invalid bytes become U+FFFD, one per byte. */
    assert_string_equal(json_of("a\xff"
                                "b",
                                &inv),
                        "\"a\\ufffdb\"");
    assert_true(inv);
    assert_string_equal(json_of("\xc3", &inv), "\"\\ufffd\"");            /* truncated */
    assert_string_equal(json_of("\xc0\xaf", &inv), "\"\\ufffd\\ufffd\""); /* overlong */
    assert_string_equal(json_of("\xed\xa0\x80", &inv),                    /* surrogate */
                        "\"\\ufffd\\ufffd\\ufffd\"");
    assert_string_equal(json_of("\xf4\x90\x80\x80", &inv), /* > U+10FFFF */
                        "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
    assert_string_equal(json_of("\xe2\x82", &inv), "\"\\ufffd\\ufffd\"");
    assert_true(inv);
}

static void test_json_file(void **state)
{
    struct json_detection det[] = {{"Win.Test.EICAR_HDB-1", "", NULL, 0},
                                   {"Clamav.Test.File-6", "(1)ZIP:clam.exe", NULL, 1}};
    struct json_file f = {.path = "d/e\xff.com",
                          .result = JR_FOUND,
                          .det = det,
                          .ndet = 2,
                          .scanned = true,
                          .size = 544,
                          .bytes_read = 544,
                          .limits = VIGIL_LIMIT_FILESIZE | VIGIL_LIMIT_RECURSION,
                          .action = "move",
                          .action_target = "/q/e.com"};
    (void)state;
    strbuf_reset(&sb);
    json_file(&sb, &f);
    assert_string_equal(strbuf_str(&sb),
                        "{\"path\":\"d/e\\ufffd.com\",\"path_hex\":\"642f65ff2e636f6d\","
                        "\"result\":\"FOUND\",\"detections\":[{\"name\":"
                        "\"Win.Test.EICAR_HDB-1\",\"layer\":\"\",\"depth\":0},{\"name\":"
                        "\"Clamav.Test.File-6\",\"layer\":\"(1)ZIP:clam.exe\",\"depth\":1}],"
                        "\"size\":544,\"bytes_read\":544,\"limits\":[\"MaxFileSize\","
                        "\"MaxRecursion\"],\"notes\":[],\"action\":{\"type\":\"move\",\"ok\":true,"
                        "\"target\":\"/q/e.com\"}}\n");
}

static void test_json_notes(void **state)
{
    struct json_file e = {.path = "x", .result = JR_ERROR, .text = "Access denied"};
    struct json_file k = {.path = "y", .result = JR_SKIPPED, .text = "Excluded"};
    struct json_file m = {.path = "z", .result = JR_EMPTY};
    (void)state;
    strbuf_reset(&sb);
    json_file(&sb, &e);
    json_file(&sb, &k);
    json_file(&sb, &m);
    assert_string_equal(
        strbuf_str(&sb),
        "{\"path\":\"x\",\"result\":\"ERROR\",\"error\":\"Access denied\","
        "\"detections\":[]}\n"
        "{\"path\":\"y\",\"result\":\"SKIPPED\",\"reason\":\"Excluded\","
        "\"detections\":[]}\n"
        "{\"path\":\"z\",\"result\":\"EMPTY\",\"detections\":[]}\n");
}

static void test_json_summary(void **state)
{
    struct summary s = base_summary();
    (void)state;
    s.errors = 2;
    s.bytes_files = 1234;
    strbuf_reset(&sb);
    json_summary(&sb, &s);
    assert_string_equal(
        strbuf_str(&sb),
        "{\"summary\":{\"known_viruses\":8712345,\"engine_version\":\"0.1.0\","
        "\"scanned_directories\":2,\"scanned_files\":3,\"infected_files\":1,"
        "\"total_errors\":2,\"limits_exceeded\":0,\"not_removed\":0,"
        "\"not_moved\":0,\"bytes_scanned\":50000,\"bytes_in_files\":1234,"
        "\"time_ms\":124107,\"start_date\":\"2023-11-14T22:13:20+0000\","
        "\"end_date\":\"2023-11-14T22:15:25+0000\"}}\n");
}

static void test_progress_format(void **state)
{
    (void)state;
    strbuf_reset(&sb);
    progress_format(&sb, 12, 3 * 1048576, 2.0, "dir/file", 80);
    assert_string_equal(strbuf_str(&sb),
                        "Scanning: 12 files, 3.0 MB, 1.5 MB/s: dir/file");
    /* A long path keeps its end and the line stays under the width. */
    strbuf_reset(&sb);
    progress_format(&sb, 1, 0, 0, "/a/very/long/path/to/some/deeply/nested/file.bin", 50);
    assert_string_equal(strbuf_str(&sb),
                        "Scanning: 1 files, 0.0 MB, 0.0 MB/s: .../file.bin");
    assert_int_equal(strlen(strbuf_str(&sb)), 49);
    /* Control characters in a name cannot reach the terminal. */
    strbuf_reset(&sb);
    progress_format(&sb, 0, 0, 1, "a\033[2Jb\n", 80);
    assert_string_equal(strbuf_str(&sb), "Scanning: 0 files, 0.0 MB, 0.0 MB/s: a?[2Jb?");
    /* Too narrow for the path: the counts are cut, never wrapped. */
    strbuf_reset(&sb);
    progress_format(&sb, 0, 0, 1, "x", 21);
    assert_int_equal(strlen(strbuf_str(&sb)), 20);
}

static void test_strbuf_maximum(void **state)
{
    struct strbuf b;
    (void)state;
    strbuf_init(&b, 8); /* seven characters and the NUL */
    assert_true(strbuf_adds(&b, "abcd"));
    assert_true(strbuf_adds(&b, "efg"));
    assert_false(b.overflow);
    assert_false(strbuf_addc(&b, 'h'));
    assert_true(b.overflow);
    assert_string_equal(strbuf_str(&b), "abcdefg");
    strbuf_reset(&b);
    assert_false(b.overflow);
    assert_false(strbuf_addf(&b, "%s", "0123456789"));
    assert_string_equal(strbuf_str(&b), "");
    assert_true(strbuf_addf(&b, "%d-%s", 42, "ab"));
    assert_string_equal(strbuf_str(&b), "42-ab");
    strbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_actions),
        cmocka_unit_test(test_summary),
        cmocka_unit_test(test_summary_optional_lines),
        cmocka_unit_test(test_time_and_mb),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_json_file),
        cmocka_unit_test(test_json_notes),
        cmocka_unit_test(test_json_summary),
        cmocka_unit_test(test_progress_format),
        cmocka_unit_test(test_strbuf_maximum),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
