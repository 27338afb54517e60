/* test_yara.c - YARA rules through the public API: loads that fail leave
 * nothing behind, the detection data accessor, externals per object, first
 * match vs allmatch, the allow list, and one engine with many threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vigil.h"

static const char rules[] =
    "rule first : t1 t2 {\n"
    "  meta: author = \"me\" score = 5 live = true\n"
    "  strings: $a = \"needle\" $b = { 6e 65 [0-2] 64 }\n"
    "  condition: $a and #b >= 1\n"
    "}\n"
    "rule second { strings: $x = \"needle\" wide ascii condition: $x }\n"
    "private rule hidden { condition: filesize > 0 }\n"
    "rule by_name { condition: hidden and filename == \"x.doc\" and extension == \"doc\"\n"
    "  and filepath == \"dir/x.doc\" and depth == 0 }\n"
    "rule by_type { condition: filetype == \"PE\" }\n";

static vigil_engine *engine_with(const char *name, const char *text)
{
    vigil_engine *e;

    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    if (vigil_engine_load_memory(e, name, text, strlen(text), 0) != VIGIL_OK)
        fail_msg("%s", vigil_engine_error(e));
    assert_int_equal(vigil_engine_compile(e), VIGIL_OK);
    return e;
}

static void test_bad_rules_leave_nothing(void **state)
{
    static const char bad[] = "rule ok { condition: true }\n\nrule bad { condition: $nope }\n";
    vigil_engine *e;
    (void)state;
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(vigil_engine_load_memory(e, "a.yar", rules, strlen(rules), 0), VIGIL_OK);
    assert_int_equal(vigil_engine_signature_count(e), 5);
    assert_int_equal(vigil_engine_load_memory(e, "b.yar", bad, strlen(bad), 0),
                     VIGIL_EMALFORMED);
    assert_string_equal(vigil_engine_error(e), "b.yar:3: undefined string \"$nope\"");
    assert_int_equal(vigil_engine_signature_count(e), 5);
    /* A rule name already loaded: the second file fails as a whole. */
    assert_int_equal(vigil_engine_load_memory(e, "c.yar", "rule first { condition: true }",
                                              30, 0),
                     VIGIL_EMALFORMED);
    assert_non_null(strstr(vigil_engine_error(e), "c.yar:1: duplicated identifier"));
    assert_int_equal(vigil_engine_compile(e), VIGIL_OK);
    assert_int_equal(vigil_engine_signature_count(e), 5);
    vigil_engine_free(e);
}

static void test_detection_data(void **state)
{
    vigil_engine *e = engine_with("r.yara", rules);
    vigil_scanner *s;
    const vigil_result *r;
    const struct vigil_yara_match *m;
    static const char obj[] = "hay needle hay";
    struct vigil_scan_options o;
    (void)state;
    vigil_scan_options_default(&o);
    o.flags |= VIGIL_SCAN_ALLMATCH;
    assert_int_equal(vigil_scanner_new(e, &s), VIGIL_OK);
    assert_int_equal(vigil_scan_buffer(s, obj, strlen(obj), NULL, &o, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 2);
    assert_string_equal(vigil_result_detection(r, 0)->name, "YARA.first.UNOFFICIAL");
    assert_string_equal(vigil_result_detection(r, 1)->name, "YARA.second.UNOFFICIAL");
    m = vigil_result_yara(r, 0);
    assert_non_null(m);
    assert_string_equal(m->rule, "first");
    assert_string_equal(m->ns, "default");
    assert_int_equal(m->ntags, 2);
    assert_string_equal(m->tags[1], "t2");
    assert_int_equal(m->nmeta, 3);
    assert_string_equal(m->meta[0].string, "me");
    assert_int_equal(m->meta[1].integer, 5);
    assert_int_equal(m->meta[2].type, VIGIL_YARA_META_BOOLEAN);
    assert_int_equal(m->nstrings, 2);
    assert_int_equal(m->strings_total, 2);
    assert_string_equal(m->strings[0].identifier, "$a");
    assert_int_equal(m->strings[0].offset, 4);
    assert_int_equal(m->strings[0].length, 6);
    assert_memory_equal(m->strings[0].data, "needle", 6);
    assert_null(vigil_result_yara(r, 2));
    /* Without allmatch: the first rule only. */
    assert_int_equal(vigil_scan_buffer(s, obj, strlen(obj), NULL, NULL, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 1);
    assert_string_equal(vigil_result_yara(r, 0)->rule, "first");
    vigil_scanner_free(s);
    vigil_engine_free(e);
}

static void test_externals(void **state)
{
    vigil_engine *e = engine_with("r.yar", rules);
    vigil_scanner *s;
    const vigil_result *r;
    static const char obj[] = "MZ nothing to see";
    (void)state;
    assert_int_equal(vigil_scanner_new(e, &s), VIGIL_OK);
    assert_int_equal(vigil_scan_buffer(s, obj, 6, "dir/x.doc", NULL, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 1);
    assert_string_equal(vigil_result_detection(r, 0)->name, "YARA.by_name.UNOFFICIAL");
    assert_int_equal(vigil_scan_buffer(s, obj, 6, "dir/x.docx", NULL, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 1); /* by_type: "MZ" is PE */
    assert_string_equal(vigil_result_detection(r, 0)->name, "YARA.by_type.UNOFFICIAL");
    assert_int_equal(vigil_scan_buffer(s, obj + 3, 6, "x.doc", NULL, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 0);
    vigil_scanner_free(s);
    vigil_engine_free(e);
}

static void test_allow_list_clears_yara(void **state)
{
    static const char obj[] = "hay needle hay";
    static const char fp[] = "103d2b04efc811e7c448356a34570d66:14:Allowed\n";
    struct vigil_scan_options o;
    vigil_engine *e;
    vigil_scanner *s;
    const vigil_result *r;
    (void)state;
    vigil_scan_options_default(&o);
    o.flags |= VIGIL_SCAN_ALLMATCH;
    assert_int_equal(vigil_engine_new(&e), VIGIL_OK);
    assert_int_equal(vigil_engine_load_memory(e, "r.yar", rules, strlen(rules), 0), VIGIL_OK);
    assert_int_equal(vigil_engine_load_memory(e, "a.fp", fp, strlen(fp), 0), VIGIL_OK);
    assert_int_equal(vigil_engine_compile(e), VIGIL_OK);
    assert_int_equal(vigil_scanner_new(e, &s), VIGIL_OK);
    assert_int_equal(vigil_scan_buffer(s, obj, strlen(obj), NULL, &o, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 0);
    assert_int_equal(vigil_scan_buffer(s, "a needle", 8, NULL, &o, &r), VIGIL_OK);
    assert_int_equal(vigil_result_count(r), 2);
    vigil_scanner_free(s);
    vigil_engine_free(e);
}

struct thread_arg {
    const vigil_engine *e;
    int found;
};

static void *scan_thread(void *p)
{
    struct thread_arg *a = p;
    vigil_scanner *s;
    const vigil_result *r;
    static const char obj[] = "..needle..";

    if (vigil_scanner_new(a->e, &s) != VIGIL_OK)
        return NULL;
    for (int i = 0; i < 200; i++)
        if (vigil_scan_buffer(s, obj, strlen(obj), NULL, NULL, &r) == VIGIL_OK &&
            vigil_result_count(r) == 1 && vigil_result_yara(r, 0))
            a->found++;
    vigil_scanner_free(s);
    return NULL;
}

static void test_many_threads(void **state)
{
    vigil_engine *e = engine_with("r.yar", rules);
    pthread_t t[8];
    struct thread_arg a[8];
    (void)state;
    for (int i = 0; i < 8; i++) {
        a[i] = (struct thread_arg){e, 0};
        assert_int_equal(pthread_create(&t[i], NULL, scan_thread, &a[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(a[i].found, 200);
    }
    vigil_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_rules_leave_nothing),
        cmocka_unit_test(test_detection_data),
        cmocka_unit_test(test_externals),
        cmocka_unit_test(test_allow_list_clears_yara),
        cmocka_unit_test(test_many_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
