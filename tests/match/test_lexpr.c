/* test_lexpr.c - logical expressions as ClamAV 1.4 reads them (matcher-ac.c
 * cli_ac_chklsig): its split rules, count modifiers, block modifiers, the
 * oddities it accepts and the errors it reports. The expected values were
 * checked against clamscan 1.4.6 (tests/compat/ldb.sh runs them end to
 * end). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "match/lexpr.h"

/* Evaluates expr against counts given as "c0 c1 ..." (missing ones 0);
 * returns -1 when the expression does not parse. */
static int eval(const char *expr, const uint32_t *c, unsigned *maxid)
{
    uint32_t counts[LEXPR_MAX_ID + 1] = {0};
    struct lexpr *x = NULL;
    char why[200];
    unsigned id = 0;
    int r;

    for (int i = 0; c && c[i] != UINT32_MAX; i++)
        counts[i] = c[i];
    if (lexpr_parse(expr, strlen(expr), &x, &id, why, sizeof why) != VIGIL_OK)
        return -1;
    r = lexpr_eval(x, counts);
    if (maxid)
        *maxid = id;
    lexpr_free(x);
    return r;
}

#define C(...) ((const uint32_t[]){__VA_ARGS__, UINT32_MAX})

static void test_and_or(void **state)
{
    (void)state;
    assert_int_equal(eval("0&1", C(1, 1), NULL), 1);
    assert_int_equal(eval("0&1", C(1, 0), NULL), 0);
    assert_int_equal(eval("0|1", C(0, 2), NULL), 1);
    assert_int_equal(eval("0|1", C(0, 0), NULL), 0);
    assert_int_equal(eval("(0)", C(1), NULL), 1);
    assert_int_equal(eval("((0|1)&2)", C(0, 1, 1), NULL), 1);
}

static void test_split_rules(void **state)
{
    (void)state;
    /* The first top-level operator splits: 0&1|2 is 0&(1|2). */
    assert_int_equal(eval("0&1|2", C(0, 0, 1), NULL), 0);
    assert_int_equal(eval("0|1&2", C(1, 0, 0), NULL), 1);
    /* A block splits at its last operator: (0&1|2) is (0&1)|2. */
    assert_int_equal(eval("(0&1|2)", C(0, 0, 1), NULL), 1);
    assert_int_equal(eval("(0|1&2)", C(1, 0, 0), NULL), 0);
}

static void test_count_modifiers(void **state)
{
    (void)state;
    assert_int_equal(eval("0=3", C(3), NULL), 1);
    assert_int_equal(eval("0=3", C(2), NULL), 0);
    assert_int_equal(eval("0>2", C(3), NULL), 1);
    assert_int_equal(eval("0>2", C(2), NULL), 0);
    assert_int_equal(eval("0<2", C(1), NULL), 1);
    /* With a modifier a leaf can hold at count 0. */
    assert_int_equal(eval("0=0", C(0), NULL), 1);
    assert_int_equal(eval("0<1&1", C(0, 1), NULL), 1);
    /* The last modifier character wins, as ClamAV scans for it. */
    assert_int_equal(eval("0>1=2", C(2), NULL), 1);
}

static void test_block_modifiers(void **state)
{
    (void)state;
    /* The counts of the subsignatures that made the block true add up. */
    assert_int_equal(eval("(0|1)>2", C(2, 1), NULL), 1);
    assert_int_equal(eval("(0|1)>2", C(2, 0), NULL), 0);
    assert_int_equal(eval("(0|1)=3", C(2, 1), NULL), 1);
    /* ,Y: at least Y distinct subsignatures among them. */
    assert_int_equal(eval("(0|1|2)>2,2", C(5, 0, 0), NULL), 0);
    assert_int_equal(eval("(0|1|2)>2,2", C(5, 1, 0), NULL), 1);
    /* A false block counts 0: (0|1)=0 holds when neither matched. */
    assert_int_equal(eval("(0|1)=0", C(0, 0), NULL), 1);
    assert_int_equal(eval("(0|1)>1&2", C(1, 1, 1), NULL), 1);
    /* Nested blocks pass their count up but not their ids. */
    assert_int_equal(eval("((0|1)>0|2)>1,2", C(1, 1, 0), NULL), 0);
}

static void test_maxid(void **state)
{
    unsigned id;
    (void)state;
    assert_int_equal(eval("0&(5|2)>1", C(0), &id), 0);
    assert_int_equal(id, 5);
    assert_int_equal(eval("63", C(0), &id), 0);
    assert_int_equal(id, 63);
}

static void test_accepted_oddities(void **state)
{
    (void)state;
    /* sscanf("%u") reading: blanks, a sign and trailing text are accepted. */
    assert_int_equal(eval("0x", C(1), NULL), 1);
    assert_int_equal(eval(" 0", C(1), NULL), 1);
    assert_int_equal(eval("+0", C(1), NULL), 1);
    assert_int_equal(eval("0&1junk", C(1, 1), NULL), 1);
    assert_int_equal(eval("0|0|0", C(1), NULL), 1);
}

static void test_refused(void **state)
{
    static const char *bad[] = {
        "", "&0", "0&", "(0", "0)", "(0|1", "x", "0>", "0&&1", "(0|1)>",
        "64", "0|64", "(0)>1", "()", "(|1)",
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (eval(bad[i], NULL, NULL) != -1)
            fail_msg("'%s' was accepted", bad[i]);
}

static void test_limits(void **state)
{
    static char s[20000];
    struct lexpr *x = NULL;
    char why[200];
    unsigned id;
    size_t n = 0;
    (void)state;
    /* Deep nesting is refused, not recursed into. */
    for (int i = 0; i < 5000; i++)
        s[n++] = '(';
    s[n++] = '0';
    for (int i = 0; i < 5000; i++)
        s[n++] = ')';
    assert_int_equal(lexpr_parse(s, n, &x, &id, why, sizeof why), VIGIL_EMALFORMED);
    /* A long flat chain of operators nests too: refused past the limit. */
    n = 0;
    for (int i = 0; i < 4000; i++) {
        s[n++] = '0';
        s[n++] = '|';
    }
    s[n++] = '0';
    assert_int_equal(lexpr_parse(s, n, &x, &id, why, sizeof why), VIGIL_EMALFORMED);
    /* Within the limit it parses and evaluates. */
    assert_int_equal(eval("0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|1", C(0, 1), NULL), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_and_or),
        cmocka_unit_test(test_split_rules),
        cmocka_unit_test(test_count_modifiers),
        cmocka_unit_test(test_block_modifiers),
        cmocka_unit_test(test_maxid),
        cmocka_unit_test(test_accepted_oddities),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
