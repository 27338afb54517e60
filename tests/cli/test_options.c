/* test_options.c - vigil scan's command line: clamscan's grammar (bundled
 * short flags, attached arguments, unique prefixes, "--"), its =yes/no forms,
 * its number rules (K/M/G, octal, too high), first-value-wins for strings
 * and numbers, last-wins for flags, and its error texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cli/options.h"

/* Parses a NULL-terminated list of words after "scan"; returns the code. */
static int parse(struct scan_options *o, char *err, size_t errlen, ...)
{
    char *argv[64];
    int argc = 0;
    va_list ap;

    argv[argc++] = "scan";
    va_start(ap, errlen);
    while ((argv[argc] = va_arg(ap, char *)) != NULL)
        argc++;
    va_end(ap);
    return options_parse(o, argc, argv, err, errlen);
}

#define PARSE_OK(o, ...)                                                                 \
    do {                                                                                 \
        char e_[512];                                                                    \
        int rc_ = parse(o, e_, sizeof e_, __VA_ARGS__, (char *)NULL);                    \
        if (rc_)                                                                         \
            fail_msg("unexpected error: %s", e_);                                        \
    } while (0)

static void test_defaults(void **state)
{
    struct scan_options o;
    struct vigil_limits d;
    (void)state;
    vigil_limits_default(&d);
    PARSE_OK(&o, "file");
    assert_false(o.recursive);
    assert_true(o.cross_fs);
    assert_int_equal(o.follow_dir, FOLLOW_DIRECT);
    assert_int_equal(o.follow_file, FOLLOW_DIRECT);
    assert_int_equal(o.max_dir_recursion, 15);
    assert_int_equal(o.progress, PROGRESS_AUTO);
    assert_int_equal(o.jobs, 0);
    assert_int_equal(o.limits.max_filesize, d.max_filesize);
    assert_int_equal(o.limits.max_scansize, d.max_scansize);
    assert_int_equal(o.limits.max_files, d.max_files);
    assert_int_equal(o.limits.max_recursion, d.max_recursion);
    assert_int_equal(o.limits.max_scantime_ms, d.max_scantime_ms);
    assert_int_equal(o.paths.n, 1);
    assert_string_equal(o.paths.v[0], "file");
    assert_int_equal(o.warnings.n, 0);
    options_free(&o);
}

static void test_short_bundles_and_args(void **state)
{
    struct scan_options o;
    (void)state;
    PARSE_OK(&o, "-rio", "-dA.hdb", "-d", "B.hdb", "-zj4", "x", "-l", "log", "y");
    assert_true(o.recursive);
    assert_true(o.infected_only);
    assert_true(o.suppress_ok);
    assert_true(o.allmatch);
    assert_int_equal(o.jobs, 4);
    assert_int_equal(o.databases.n, 2);
    assert_string_equal(o.databases.v[0], "A.hdb");
    assert_string_equal(o.databases.v[1], "B.hdb");
    assert_string_equal(o.log_file, "log");
    assert_int_equal(o.paths.n, 2);
    assert_string_equal(o.paths.v[0], "x");
    assert_string_equal(o.paths.v[1], "y");
    options_free(&o);
}

static void test_long_forms(void **state)
{
    struct scan_options o;
    (void)state;
    PARSE_OK(&o, "--database=a", "--database", "b", "--recur", "--exclude=x$",
             "--exclude", "y", "--include-dir=^d", "--move=q", "--cross-fs=no",
             "--follow-dir-symlinks=2", "--follow-file-symlinks=0", "--json",
             "--progress=no", "--no-builtin", "-", "--", "-r", "--bogus");
    assert_int_equal(o.databases.n, 2);
    assert_true(o.recursive);
    assert_int_equal(o.exclude.n, 2);
    assert_string_equal(o.exclude.v[1], "y");
    assert_int_equal(o.include_dir.n, 1);
    assert_string_equal(o.move_dir, "q");
    assert_false(o.cross_fs);
    assert_int_equal(o.follow_dir, FOLLOW_ALWAYS);
    assert_int_equal(o.follow_file, FOLLOW_NEVER);
    assert_true(o.json);
    assert_int_equal(o.progress, PROGRESS_OFF);
    assert_true(o.no_builtin);
    /* "-" is an operand, and after "--" everything is. */
    assert_int_equal(o.paths.n, 3);
    assert_string_equal(o.paths.v[0], "-");
    assert_string_equal(o.paths.v[1], "-r");
    assert_string_equal(o.paths.v[2], "--bogus");
    options_free(&o);
}

static void test_yes_no(void **state)
{
    struct scan_options o;
    bool b;
    (void)state;
    PARSE_OK(&o, "--recursive=YES", "--infected=true", "--no-summary=1", "--quiet=no",
             "--stdout=False", "--allmatch=0", "--progress=yes");
    assert_true(o.recursive);
    assert_true(o.infected_only);
    assert_true(o.no_summary);
    assert_false(o.quiet);
    assert_false(o.to_stdout);
    assert_false(o.allmatch);
    assert_int_equal(o.progress, PROGRESS_ON);
    options_free(&o);
    /* Flags keep their last value. */
    PARSE_OK(&o, "-r", "--recursive=no");
    assert_false(o.recursive);
    options_free(&o);
    PARSE_OK(&o, "--recursive=no", "-r");
    assert_true(o.recursive);
    options_free(&o);
    assert_int_equal(options_bool("on", &b), -1);
    assert_int_equal(options_bool("y", &b), -1);
    assert_int_equal(options_bool("", &b), -1);
    assert_int_equal(options_bool("2", &b), -1);
}

static void test_numbers(void **state)
{
    int64_t v;
    (void)state;
    assert_int_equal(options_number("3000", true, &v), 0);
    assert_int_equal(v, 3000);
    assert_int_equal(options_number("2K", true, &v), 0);
    assert_int_equal(v, 2048);
    assert_int_equal(options_number("2k", true, &v), 0);
    assert_int_equal(v, 2048);
    assert_int_equal(options_number("1M", true, &v), 0);
    assert_int_equal(v, 1048576);
    assert_int_equal(options_number("3g", true, &v), 0);
    assert_int_equal(v, 3LL << 30);
    assert_int_equal(options_number("0", true, &v), 0);
    assert_int_equal(v, 0);
    /* clamscan reads a leading 0 as octal. */
    assert_int_equal(options_number("03000", true, &v), 0);
    assert_int_equal(v, 1536);
    assert_int_equal(options_number("02999", true, &v), -2);
    /* Shapes clamscan refuses. */
    assert_int_equal(options_number("10KB", true, &v), -1);
    assert_int_equal(options_number("1.5K", true, &v), -1);
    assert_int_equal(options_number("-1", true, &v), -1);
    assert_int_equal(options_number(" 5", true, &v), -1);
    assert_int_equal(options_number("0x10", true, &v), -1);
    assert_int_equal(options_number("1T", true, &v), -1);
    assert_int_equal(options_number("", true, &v), -1);
    assert_int_equal(options_number("3K", false, &v), -1);
    /* Too high: saturates at INT64_MAX and says so. */
    assert_int_equal(options_number("9223372036854775807", true, &v), 0);
    assert_int_equal(v, INT64_MAX);
    assert_int_equal(options_number("9223372036854775808", true, &v), 1);
    assert_int_equal(v, INT64_MAX);
    assert_int_equal(options_number("99999999999999999999", true, &v), 1);
    assert_int_equal(options_number("9999999999999G", true, &v), 1);
    assert_int_equal(v, INT64_MAX);
}

static void test_limits(void **state)
{
    struct scan_options o;
    (void)state;
    PARSE_OK(&o, "--max-filesize=2K", "--max-scansize=1M", "--max-files=7",
             "--max-recursion=3", "--max-scantime=1500", "--max-dir-recursion=2",
             "--max-filesize=99");
    assert_int_equal(o.limits.max_filesize, 2048); /* the first value wins */
    assert_int_equal(o.limits.max_scansize, 1048576);
    assert_int_equal(o.limits.max_files, 7);
    assert_int_equal(o.limits.max_recursion, 3);
    assert_int_equal(o.limits.max_scantime_ms, 1500);
    assert_int_equal(o.max_dir_recursion, 2);
    options_free(&o);
    PARSE_OK(&o, "--max-files=99999999999");
    assert_int_equal(o.limits.max_files, UINT32_MAX);
    options_free(&o);
    PARSE_OK(&o, "--max-filesize=99999999999999999999");
    assert_int_equal(o.limits.max_filesize, (uint64_t)INT64_MAX);
    assert_int_equal(o.warnings.n, 1);
    assert_string_equal(o.warnings.v[0], "Numerical value for option max-filesize too "
                                         "high, resetting to 9223372036854775807");
    options_free(&o);
}

static void test_first_string_wins(void **state)
{
    struct scan_options o;
    (void)state;
    PARSE_OK(&o, "--log=a", "-l", "b", "--copy=q1", "--copy=q2", "-f", "l1", "-fl2");
    assert_string_equal(o.log_file, "a");
    assert_string_equal(o.copy_dir, "q1");
    assert_string_equal(o.file_list, "l1");
    options_free(&o);
}

static void test_executable_options(void **state)
{
    struct scan_options o;
    (void)state;
    PARSE_OK(&o, "--scan-pe=no", "--scan-elf=no", "--alert-broken", "file");
    assert_int_equal(o.warnings.n, 0);
    assert_false(o.scan_pe);
    assert_false(o.scan_elf);
    assert_true(o.alert_broken);
    options_free(&o);
}

static void test_ignored_options(void **state)
{
    struct scan_options o;
    (void)state;
    PARSE_OK(&o, "--scan-swf=no", "--scan-swf", "--detect-pua", "--bytecode-timeout=5",
             "--leave-temps", "-a", "--max-embeddedpe", "10M", "file");
    /* One warning per option, however often it is given. */
    assert_int_equal(o.warnings.n, 5);
    assert_string_equal(o.warnings.v[0],
                        "Ignoring option --scan-swf: it has no effect in vigil yet");
    assert_string_equal(
        o.warnings.v[3],
        "Ignoring option --leave-temps: it has no effect in vigil yet");
    assert_true(o.archive_verbose); /* -a is a real option */
    assert_true(o.scan_pe);         /* so are --scan-pe, --scan-elf, --alert-broken */
    assert_true(o.scan_elf);
    assert_false(o.alert_broken);
    /* Their arguments are taken, not left as paths. */
    assert_int_equal(o.paths.n, 1);
    assert_string_equal(o.paths.v[0], "file");
    options_free(&o);
}

/* Runs a failing parse and checks its exact message. */
static void expect_error(const char *want, ...)
{
    struct scan_options o;
    char err[512];
    char *argv[16];
    int argc = 0;
    va_list ap;

    argv[argc++] = "scan";
    va_start(ap, want);
    while ((argv[argc] = va_arg(ap, char *)) != NULL)
        argc++;
    va_end(ap);
    assert_int_equal(options_parse(&o, argc, argv, err, sizeof err), -1);
    assert_string_equal(err, want);
    options_free(&o);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("vigil: unrecognized option `--bogus'\nERROR: Unknown option passed",
                 "--bogus", NULL);
    expect_error("vigil: unrecognized option `--bogus=1'\nERROR: Unknown option passed",
                 "--bogus=1", NULL);
    expect_error("vigil: illegal option -- Q\nERROR: Unknown option passed", "-rQ", NULL);
    expect_error("vigil: illegal option -- =\nERROR: Unknown option passed", "-r=no",
                 NULL);
    expect_error("vigil: option `--max' is ambiguous\nERROR: Unknown option passed",
                 "--max=1", NULL);
    expect_error("vigil: option requires an argument -- d\n"
                 "ERROR: Incomplete option passed (missing argument)",
                 "-d", NULL);
    expect_error("vigil: option `--database' requires an argument\n"
                 "ERROR: Incomplete option passed (missing argument)",
                 "--database", NULL);
    expect_error("ERROR: Option --database (-d) requires a non-empty string argument",
                 "--database=", NULL);
    expect_error("ERROR: Option --move requires a non-empty string argument",
                 "--move=", NULL);
    expect_error("ERROR: Incorrect argument format for option --recursive (-r)",
                 "--recursive=maybe", NULL);
    expect_error("ERROR: Incorrect argument format for option --cross-fs",
                 "--cross-fs=on", NULL);
    expect_error("ERROR: Incorrect argument format for option --max-filesize",
                 "--max-filesize=abc", NULL);
    expect_error("ERROR: Incorrect argument format for option --max-recursion",
                 "--max-recursion=3K", NULL);
    expect_error("ERROR: Can't parse numerical argument for option --max-filesize",
                 "--max-filesize=09", NULL);
    expect_error("ERROR: Incorrect argument format for option --follow-dir-symlinks",
                 "--follow-dir-symlinks=x", NULL);
    expect_error("ERROR: --follow-file-symlinks: Invalid argument",
                 "--follow-file-symlinks=3", NULL);
    expect_error("ERROR: --jobs: Invalid argument (use 1 to 256)", "-j0", NULL);
    expect_error("ERROR: --jobs: Invalid argument (use 1 to 256)", "--jobs=257", NULL);
    expect_error("ERROR: Incorrect argument format for option --jobs (-j)", "-j", "x",
                 NULL);
}

/* An option that takes an argument swallows the next word, even one that
 * looks like a path, as clamscan's getopt does. */
static void test_argument_swallows_next_word(void **state)
{
    struct scan_options o;
    (void)state;
    PARSE_OK(&o, "--max-files", "5", "dir");
    assert_int_equal(o.limits.max_files, 5);
    assert_int_equal(o.paths.n, 1);
    options_free(&o);
    expect_error("ERROR: Incorrect argument format for option --max-filesize",
                 "--max-filesize", "dir", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_short_bundles_and_args),
        cmocka_unit_test(test_long_forms),
        cmocka_unit_test(test_yes_no),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_first_string_wins),
        cmocka_unit_test(test_executable_options),
        cmocka_unit_test(test_ignored_options),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_argument_swallows_next_word),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
