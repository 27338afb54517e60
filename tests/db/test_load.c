/* test_load.c - database directories and files on disk: ignore lists first,
 * unsupported ClamAV formats skipped with a warning, other files passed over,
 * streaming of files larger than the read buffer, and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vigil/vigil.h"

#define EICAR_MD5 "44d88612fea8a8f36de82e1278abb02f"

static char dir[64];
static int warnings;
static char last_warning[1024];

static void on_log(void *ctx, enum vigil_log_level level, const char *msg)
{
    (void)ctx;
    if (level == VIGIL_LOG_WARNING) {
        warnings++;
        snprintf(last_warning, sizeof last_warning, "%s", msg);
    }
}

static void put(const char *name, const char *text)
{
    char path[256];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/vigil-load-XXXXXX");
    assert_non_null(mkdtemp(dir));
    warnings = 0;
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static vigil_status load_dir(vigil_engine **e)
{
    assert_int_equal(vigil_engine_new(e), VIGIL_OK);
    vigil_engine_set_log(*e, on_log, NULL, VIGIL_LOG_WARNING);
    return vigil_engine_load(*e, dir, 0);
}

static void test_dir_reads_ignore_lists_first(void **state)
{
    vigil_engine *e;
    (void)state;
    /* "a.hdb" sorts before "z.ign2", but the ignore list still applies. */
    put("a.hdb", EICAR_MD5 ":68:Eicar\n" EICAR_MD5 ":68:Kept\n");
    put("z.ign2", "Eicar\n");
    assert_int_equal(load_dir(&e), VIGIL_OK);
    assert_int_equal(vigil_engine_signature_count(e), 1);
    vigil_engine_free(e);
}

static void test_dir_skips_unsupported_with_warning(void **state)
{
    vigil_engine *e;
    (void)state;
    put("a.hdb", EICAR_MD5 ":68:Eicar\n");
    put("main.ndb", "Sig:0:*:41424344\n");
    put("rules.pdb", "R:example.com\n"); /* phishing list: not read yet */
    put("notes.txt", "not a database\n");
    put("random", "\x01\x02garbage");
    assert_int_equal(load_dir(&e), VIGIL_OK);
    assert_int_equal(warnings, 1);
    assert_non_null(strstr(last_warning, "rules.pdb"));
    assert_int_equal(vigil_engine_signature_count(e), 2); /* .hdb + .ndb */
    vigil_engine_free(e);
}

static void test_dir_with_bad_file_fails_whole(void **state)
{
    vigil_engine *e;
    (void)state;
    put("a.hdb", EICAR_MD5 ":68:Eicar\n");
    put("b.hdb", "\x7f" "ELF\x01\x02 garbage\n");
    assert_int_equal(load_dir(&e), VIGIL_EMALFORMED);
    assert_non_null(strstr(vigil_engine_error(e), "b.hdb:1:"));
    assert_int_equal(vigil_engine_signature_count(e), 0);
    vigil_engine_free(e);
}

static void test_dir_without_databases(void **state)
{
    vigil_engine *e;
    (void)state;
    put("bytecode.cbc", "ClamAV-VDB:garbage");
    assert_int_equal(load_dir(&e), VIGIL_ENODB);
    assert_int_equal(warnings, 1);
    vigil_engine_free(e);
}

static void test_missing_path_and_special_files(void **state)
{
    vigil_engine *e;
    char fifo[128];
    (void)state;
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(vigil_engine_load(e, "/nonexistent/x.hdb", 0), VIGIL_EOPEN);
    assert_non_null(strstr(vigil_engine_error(e), "/nonexistent/x.hdb"));
    snprintf(fifo, sizeof fifo, "%s/pipe.hdb", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    /* A FIFO named like a database must not block the load. */
    assert_int_equal(vigil_engine_load(e, fifo, 0), VIGIL_EOPEN);
    vigil_engine_free(e);
}

static void test_large_file_streams_across_buffers(void **state)
{
    /* 60,000 lines (~3.5 MB) cross the 1 MiB read buffer several times;
     * every line must arrive whole, and the line numbers must stay right. */
    char path[256];
    FILE *f;
    vigil_engine *e;
    (void)state;
    snprintf(path, sizeof path, "%s/big.hdb", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    for (unsigned i = 0; i < 60000; i++)
        fprintf(f, "%032x:%u:Sig.%u\n", i * 2654435761u, 100 + i, i);
    fputs("bad line\n", f);
    fclose(f);
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(vigil_engine_load(e, path, 0), VIGIL_EMALFORMED);
    assert_non_null(strstr(vigil_engine_error(e), "big.hdb:60001:"));
    assert_int_equal(vigil_engine_signature_count(e), 0);
    vigil_engine_free(e);
    /* Without the bad line, all load. */
    f = fopen(path, "w");
    assert_non_null(f);
    for (unsigned i = 0; i < 60000; i++)
        fprintf(f, "%032x:%u:Sig.%u\n", i * 2654435761u, 100 + i, i);
    fclose(f);
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(vigil_engine_load(e, path, 0), VIGIL_OK);
    assert_int_equal(vigil_engine_signature_count(e), 60000);
    vigil_engine_free(e);
}

static void test_overlong_line(void **state)
{
    char *text = malloc(20000);
    vigil_engine *e;
    (void)state;
    memset(text, 'a', 19998);
    text[19998] = '\n';
    text[19999] = '\0';
    put("long.hdb", text);
    free(text);
    assert_int_equal(load_dir(&e), VIGIL_EMALFORMED);
    assert_non_null(strstr(vigil_engine_error(e), "long.hdb:1: line too long"));
    vigil_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dir_reads_ignore_lists_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dir_skips_unsupported_with_warning, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dir_with_bad_file_fails_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dir_without_databases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_path_and_special_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_file_streams_across_buffers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlong_line, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
