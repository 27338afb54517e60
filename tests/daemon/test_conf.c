/* test_conf.c - clamd.conf values: booleans, sizes with suffixes, octal
 * modes, repeated keys, limits, errors with file:line, unknown keys warned
 * once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "daemon/conf.h"

static int warnings;
static char last_warning[512];

static void warn(void *ctx, const char *msg)
{
    (void)ctx;
    warnings++;
    strncpy(last_warning, msg, sizeof(last_warning) - 1);
}

static int parse(struct conf *c, const char *text, char *err)
{
    conf_defaults(c);
    warnings = 0;
    return conf_parse(c, "t.conf", text, strlen(text), warn, NULL, err, 512);
}

static void test_values(void **state)
{
    struct conf c;
    char err[512];
    (void)state;
    assert_int_equal(parse(&c, "LocalSocket /run/v.sock\nlocalsocketmode 660\n"
                               "StreamMaxLength 25M\nMaxScanSize 2G\nMaxFileSize 10k\n"
                               "Foreground TRUE\nLogTime no\nMaxThreads 3\n"
                               "ExcludePath ^/proc/\nExcludePath ^/sys/\n"
                               "  # indented comment\n\nTCPSocket 3310\r\n", err), 0);
    assert_string_equal(c.local_socket, "/run/v.sock");
    assert_int_equal(c.local_socket_mode, 0660);
    assert_true(c.local_socket_mode_set);
    assert_int_equal(c.stream_max_length, 25ull << 20);
    assert_int_equal(c.stream_max_total, 512ull << 20); /* the default */
    assert_int_equal(c.max_scan_size, 2ull << 30);
    assert_int_equal(c.max_file_size, 10240);
    assert_true(c.foreground);
    assert_false(c.log_time);
    assert_int_equal(c.max_threads, 3);
    assert_int_equal(c.exclude_path.n, 2);
    assert_int_equal(c.tcp_port, 3310);
    assert_int_equal(warnings, 0);
    conf_free(&c);
}

static void test_errors(void **state)
{
    struct conf c;
    char err[512];
    (void)state;
    assert_int_equal(parse(&c, "Foreground yes\nMaxThreads -1\n", err), -1);
    assert_string_equal(err, "t.conf:2: invalid value for MaxThreads: -1");
    conf_free(&c);
    assert_int_equal(parse(&c, "MaxThreads 99999999999\n", err), -1);
    conf_free(&c);
    assert_int_equal(parse(&c, "StreamMaxLength 99999999999G\n", err), -1);
    assert_int_equal(parse(&c, "StreamMaxTotal 2G\n", err), 0);
    assert_int_equal(c.stream_max_total, 2ull << 30);
    assert_int_equal(warnings, 0); /* vigild's own key, known */
    conf_free(&c);
    assert_int_equal(parse(&c, "StreamMaxTotal lots\n", err), -1);
    conf_free(&c);
    assert_int_equal(parse(&c, "ScanPE perhaps\n", err), -1); /* ignored keys are checked */
    assert_string_equal(err, "t.conf:1: invalid value for ScanPE: perhaps");
    conf_free(&c);
    assert_int_equal(parse(&c, "LocalSocket a\0b\n", err), 0); /* strlen stops at NUL */
    conf_free(&c);
    conf_defaults(&c);
    assert_int_equal(conf_parse(&c, "t.conf", "PidFile a\0b\n", 12, warn, NULL, err, 512), -1);
    assert_string_equal(err, "t.conf:1: NUL byte in line");
    conf_free(&c);
}

static void test_unknown_once(void **state)
{
    struct conf c;
    char err[512];
    (void)state;
    assert_int_equal(parse(&c, "Bytecode yes\nBytecode no\nbytecode yes\nDetectPUA no\n", err), 0);
    assert_int_equal(warnings, 2);
    assert_string_equal(last_warning, "t.conf:4: ignoring DetectPUA: not an option vigild uses");
    conf_free(&c);
}

static void test_line_limit(void **state)
{
    struct conf c;
    char err[512], text[CONF_LINE_MAX + 32];
    (void)state;
    memset(text, 'a', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    assert_int_equal(parse(&c, text, err), -1);
    assert_string_equal(err, "t.conf:1: line longer than 1024 bytes");
    conf_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_unknown_once),
        cmocka_unit_test(test_line_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
