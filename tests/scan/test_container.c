/* test_container.c - layer path text (clamscan -a's rules), container
 * detection by magic, the outbuf maximum, and the recursion limits through
 * the public API on archives built in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <zlib.h>

#include "scan/layer.h"
#include "unpack/format.h"
#include "unpack/outbuf.h"
#include "vigil/vigil.h"

static void test_layer_text(void **state)
{
    struct scan_layer v[10] = {{NULL, NULL}};
    char out[512];
    (void)state;
    layer_path(out, sizeof out, 8, v, 0, 0);
    assert_string_equal(out, "(0)");
    v[0] = (struct scan_layer){"ZIP", "clam.exe"};
    layer_path(out, sizeof out, 8, v, 1, 1);
    assert_string_equal(out, "(1)ZIP:clam.exe");
    /* An unnamed stream layer is not listed; the depth still counts it. */
    v[0] = (struct scan_layer){"GZ", NULL};
    v[1] = (struct scan_layer){"POSIX_TAR", "clam.exe"};
    layer_path(out, sizeof out, 8, v, 2, 2);
    assert_string_equal(out, "(2)POSIX_TAR:clam.exe");
    /* The deepest named layer comes last even below an unnamed one. */
    v[0] = (struct scan_layer){"ZIP", "c.exe.gz"};
    v[1] = (struct scan_layer){"GZ", NULL};
    layer_path(out, sizeof out, 6, v, 2, 2);
    assert_string_equal(out, "(2)ZIP:c.exe.gz");
}

static void test_layer_width(void **state)
{
    static const char *names[] = {"s7.tar", "s6.tar", "s5.tar", "s4.tar",
                                  "s3.tar", "s2.tar", "s1.tar", "clam.exe"};
    struct scan_layer v[8];
    char out[512];
    (void)state;
    for (int i = 0; i < 8; i++)
        v[i] = (struct scan_layer){"POSIX_TAR", names[i]};
    /* Measured with clamscan 1.4.6: a 7-character path keeps all seven
     * 16-character ancestors (7 + 7 * 17 = 126), an 8-character one six. */
    layer_path(out, sizeof out, 7, v, 8, 9);
    assert_string_equal(out, "POSIX_TAR:s7.tar!POSIX_TAR:s6.tar!POSIX_TAR:s5.tar!"
                             "POSIX_TAR:s4.tar!POSIX_TAR:s3.tar!POSIX_TAR:s2.tar!"
                             "POSIX_TAR:s1.tar!(9)POSIX_TAR:clam.exe");
    layer_path(out, sizeof out, 8, v, 8, 9);
    assert_string_equal(out, "POSIX_TAR:s7.tar!POSIX_TAR:s6.tar!POSIX_TAR:s5.tar!"
                             "POSIX_TAR:s4.tar!POSIX_TAR:s3.tar!POSIX_TAR:s2.tar!"
                             "...!(9)POSIX_TAR:clam.exe");
    /* A short buffer is cut, never overrun. */
    layer_path(out, 10, 8, v, 8, 9);
    assert_int_equal(strlen(out), 9);
}

static void test_detect(void **state)
{
    uint8_t tar[512] = "a.txt";
    (void)state;
    memcpy(tar + 257, "ustar", 5);
    assert_string_equal(format_find((const uint8_t *)"\x1f\x8b\x08\0\0\0\0\0\0\3", 10)->name,
                        "GZ");
    assert_string_equal(format_find((const uint8_t *)"BZh91AY&SYxxxx", 14)->name, "BZ");
    assert_string_equal(format_find((const uint8_t *)"MSCF\0\0\0\0" "0123456789012345678901234567890", 36)->name,
                        "MSCAB");
    assert_non_null(format_find(tar, sizeof tar));
    assert_true(archive_is_tar(tar, sizeof tar));
    assert_null(format_find((const uint8_t *)"hello world", 11));
    assert_null(format_find((const uint8_t *)"\x1f", 1));
    assert_string_equal(format_for_cltype("CL_TYPE_MSCHM")->name, "MSCHM");
    assert_null(format_for_cltype("CL_TYPE_TEXT_ASCII"));
    assert_string_equal(format_for_cltype("CL_TYPE_PDF")->name, "PDF");
    assert_string_equal(format_find((const uint8_t *)"junk\n%PDF-1.4", 13)->name, "PDF");
    assert_string_equal(format_find((const uint8_t *)"{\\rtf1 x}", 9)->name, "RTF");
}

static void test_outbuf(void **state)
{
    struct outbuf b;
    size_t room;
    (void)state;
    outbuf_init(&b, 100000);
    assert_int_equal(outbuf_reserve(&b, 1 << 20, &room), VIGIL_OK);
    assert_int_equal(room, 100000); /* never past the maximum */
    b.len = 100000;
    assert_int_equal(outbuf_reserve(&b, 1, &room), VIGIL_OK);
    assert_int_equal(room, 0);
    outbuf_limit(&b, 10); /* never below what it holds */
    assert_int_equal(b.max, 100000);
    outbuf_free(&b);
}

/* gzip of data, n times over. */
static size_t gzip_n(uint8_t *out, size_t cap, const uint8_t *data, size_t len, int n)
{
    static uint8_t tmp[8192];
    memcpy(tmp, data, len);
    for (int i = 0; i < n; i++) {
        z_stream z = {0};
        deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY);
        z.next_in = tmp;
        z.avail_in = (uInt)len;
        z.next_out = out;
        z.avail_out = (uInt)cap;
        deflate(&z, Z_FINISH);
        len = z.total_out;
        deflateEnd(&z);
        memcpy(tmp, out, len);
    }
    return len;
}

static void test_recursion(void **state)
{
    static const char body[] = "Nested.Body:0:*:766967696c2d6e6573746564\n"; /* vigil-nested */
    static const uint8_t inner[] = "xxxx vigil-nested xxxx";
    vigil_engine *e = NULL;
    vigil_scanner *s = NULL;
    struct vigil_scan_options o;
    const vigil_result *r;
    uint8_t buf[8192];
    size_t len;
    (void)state;
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(vigil_engine_load_memory(e, "n.ndb", body, sizeof body - 1, 0), VIGIL_OK);
    assert_int_equal(vigil_engine_compile(e), VIGIL_OK);
    assert_int_equal(vigil_scanner_new(e, &s), VIGIL_OK);
    vigil_scan_options_default(&o);
    len = gzip_n(buf, sizeof buf, inner, sizeof inner - 1, 5);
    assert_int_equal(vigil_scan_buffer(s, buf, len, "n.gz", &o, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 1);
    assert_string_equal(vigil_result_detection(r, 0)->layer_path, "(5)");
    assert_int_equal(vigil_result_detection(r, 0)->depth, 5);
    o.limits.max_recursion = 5; /* depth 5 is not < 5: refused */
    assert_int_equal(vigil_scan_buffer(s, buf, len, "n.gz", &o, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 0);
    assert_int_equal(vigil_result_limits(r), VIGIL_LIMIT_RECURSION);
    o.flags = VIGIL_SCAN_ALERT_EXCEEDS_MAX;
    assert_int_equal(vigil_scan_buffer(s, buf, len, "n.gz", &o, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 1);
    assert_string_equal(vigil_result_detection(r, 0)->name,
                        "Heuristics.Limits.Exceeded.MaxRecursion");
    assert_string_equal(vigil_result_detection(r, 0)->layer_path, "(4)");
    o.limits.max_recursion = 17;
    o.limits.max_files = 3; /* the fourth child is refused */
    assert_int_equal(vigil_scan_buffer(s, buf, len, "n.gz", &o, &r), VIGIL_OK);
    assert_int_equal(vigil_result_limits(r), VIGIL_LIMIT_FILES);
    vigil_scanner_free(s);
    vigil_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layer_text), cmocka_unit_test(test_layer_width),
        cmocka_unit_test(test_detect),     cmocka_unit_test(test_outbuf),
        cmocka_unit_test(test_recursion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
