/* test_xlm.c - the XLM disassembly (xlm.c): what clamscan scans (its
 * header and whole 4096-byte blocks), the renderings of its quirks (an
 * 8-bit ptgStr copied from its token byte, sign-extended integers, the
 * byte past a formula), NAME and BOUNDSHEET records, and the workbooks it
 * gives up on (a record cut short, a record over 8228 bytes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "unpack/xlm.h"

#define HEADER_LEN 117

struct wb {
    uint8_t b[65536];
    size_t n;
};

static void rec(struct wb *w, unsigned type, const void *data, size_t len)
{
    w->b[w->n++] = (uint8_t)type;
    w->b[w->n++] = (uint8_t)(type >> 8);
    w->b[w->n++] = (uint8_t)len;
    w->b[w->n++] = (uint8_t)(len >> 8);
    memcpy(w->b + w->n, data, len);
    w->n += len;
}

/* A FORMULA record at row 0, column 0 with the tokens rgce (and a NUL
 * token after them, inside the record). */
static void formula(struct wb *w, const void *rgce, size_t len)
{
    uint8_t d[256] = {0};

    d[20] = (uint8_t)len;
    memcpy(d + 22, rgce, len);
    rec(w, 0x0006, d, 22 + len + 1);
}

static void fillers(struct wb *w, int n)
{
    for (int i = 0; i < n; i++)
        rec(w, 0, "", 0);
}

/* Renders w; returns the text (NUL-terminated copy) and *scan. */
static char *render(const struct wb *w, int *scan, size_t *len)
{
    struct outbuf o;
    int full;
    char *s;

    outbuf_init(&o, 1 << 20);
    assert_int_equal(xlm_text(w->b, w->n, &o, scan, &full), VIGIL_OK);
    assert_int_equal(full, 0);
    s = calloc(1, o.len + 1);
    assert_non_null(s);
    memcpy(s, o.p, o.len);
    *len = o.len;
    outbuf_free(&o);
    return s;
}

static void test_blocks(void **state)
{
    static struct wb w;
    size_t len;
    int scan;
    char *s;

    (void)state;
    w.n = 0;
    fillers(&w, 10); /* 240 bytes of text: only the header is scanned */
    s = render(&w, &scan, &len);
    assert_int_equal(scan, 1);
    assert_int_equal(len, HEADER_LEN);
    assert_memory_equal(s, "-- BIFF content extracted and disassembled from CL_TYPE_MSXL", 58);
    free(s);
    fillers(&w, 400); /* 410 lines of 24 bytes: two whole blocks */
    s = render(&w, &scan, &len);
    assert_int_equal(len, HEADER_LEN + 2 * 4096);
    assert_memory_equal(s + HEADER_LEN, "0000      0   <unknown>\n0000", 28);
    free(s);
}

static void test_tokens(void **state)
{
    static struct wb w;
    static const uint8_t str[] = {0x17, 4, 0, 'c', 'a', 'l', 'c', 0x42, 1, 0x6e, 0x00};
    static const uint8_t num[] = {0x1e, 0xff, 0x80, 0x1e, 0x34, 0x12, 0x21, 0x95, 0x00};
    static const uint8_t name[] = {0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    static const uint8_t sheet[] = {0, 0, 0, 0, 2, 1, 1, 0, 'M'};
    size_t len;
    int scan;
    char *s;

    (void)state;
    w.n = 0;
    rec(&w, 0x0085, sheet, sizeof sheet);
    rec(&w, 0x0018, name, sizeof name);
    formula(&w, str, sizeof str);
    formula(&w, num, sizeof num);
    fillers(&w, 200);
    s = render(&w, &scan, &len);
    assert_int_equal(scan, 1);
    assert_non_null(strstr(s, "0085      9   BOUNDSHEET : Sheet Information - Excel 4.0 macro "
                              "sheet, very hidden\n"));
    assert_non_null(strstr(s, "0018     16   LABEL : Cell Value, String Constant - built-in-name 1 auto_open\n"));
    /* the string is copied from its token byte, cut at its length */
    assert_non_null(strstr(s, " - R1C1 len=11  ptgStr\x17\x04"));
    assert_non_null(memmem(s, len, "ptgStr\x17\x04\x00" "c ptgFuncVarV args 1 func EXEC (0x006e) (null)\n",
                           56));
    /* bytes joined sign-extended: ff 80 is -1; 0x95 alone is 0xff95 */
    assert_non_null(memmem(s, len, " ptgInt -1 ptgInt 4660 ptgFunc <unknown function> (0xff95)",
                           strlen(" ptgInt -1 ptgInt 4660 ptgFunc <unknown function> (0xff95)")));
    free(s);
}

static void test_gives_up(void **state)
{
    static struct wb w;
    uint8_t big[9000] = {0};
    size_t len;
    int scan;
    char *s;

    (void)state;
    w.n = 0;
    fillers(&w, 300);
    rec(&w, 0x0006, big, 40);
    w.n -= 5; /* the last record cut short */
    s = render(&w, &scan, &len);
    assert_int_equal(scan, 0);
    free(s);
    w.n = 0;
    fillers(&w, 300);
    rec(&w, 0x003c, big, sizeof big);
    s = render(&w, &scan, &len);
    assert_int_equal(scan, 0);
    free(s);
    w.n = 0;
    fillers(&w, 300);
    w.b[w.n++] = 0x06; /* a header cut short ends the text normally */
    s = render(&w, &scan, &len);
    assert_int_equal(scan, 1);
    assert_int_equal(len, HEADER_LEN + 4096);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_gives_up),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
