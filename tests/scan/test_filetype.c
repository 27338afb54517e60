/* test_filetype.c - typing by magic bytes into ClamAV target types. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "scan/filetype.h"

static void test_magic(void **state)
{
    uint8_t pe[0x100] = {'M', 'Z'};
    uint8_t fat[8] = {0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2};
    uint8_t java[8] = {0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52};
    (void)state;
    pe[0x3c] = 0x80;
    memcpy(pe + 0x80, "PE\0\0", 4);
    assert_int_equal(filetype_target(pe, sizeof pe), TARGET_PE);
    /* e_lfanew outside the object: still PE to clamscan, without a layout. */
    pe[0x3c] = 0xfe;
    assert_int_equal(filetype_target(pe, sizeof pe), TARGET_PE);
    assert_int_equal(filetype_target((const uint8_t *)"ZMxxxx", 6), TARGET_TEXT);
    assert_int_equal(filetype_target((const uint8_t *)"ZM\0\1xx", 6), TARGET_ANY);
    assert_int_equal(filetype_target((const uint8_t *)"\x7f" "ELF\x02\x01", 6), TARGET_ELF);
    assert_int_equal(filetype_target(fat, 8), TARGET_MACHO);
    assert_int_equal(filetype_target(java, 8), TARGET_JAVA);
    assert_int_equal(filetype_target((const uint8_t *)"%PDF-1.7\n", 9), TARGET_PDF);
    assert_int_equal(filetype_target((const uint8_t *)"GIF89a..", 8), TARGET_GRAPHICS);
    assert_int_equal(filetype_target((const uint8_t *)"hello world", 11), TARGET_TEXT);
    assert_int_equal(filetype_target((const uint8_t *)"MZ", 2), TARGET_PE);
    assert_int_equal(filetype_target((const uint8_t *)"M", 1), TARGET_TEXT);
    assert_int_equal(filetype_target((const uint8_t *)"", 0), TARGET_ANY);
}

/* clamscan's text, HTML and mail typing (textdet.c, filetypes_int.h). */
static void test_text(void **state)
{
    static const uint8_t u16[] = {0xff, 0xfe, 'h', 0, 'i', 0, '\n', 0};
    static const uint8_t u16bad[] = {'h', 0, 0, 1};
    uint8_t big[3000];
    (void)state;
#define T(s, want) assert_int_equal(filetype_target((const uint8_t *)(s), strlen(s)), (want))
    T("plain text\r\n\twith \x1b escapes and \xe9 8-bit", TARGET_TEXT);
    /* not ASCII, but UTF-16BE to clamscan: no code unit below 0x80 is a
     * control character (measured: "Recognized UTF-16BE character data") */
    T("text with a \x1c control", TARGET_TEXT);
    T("<html><body>x</body></html>", TARGET_HTML);
    T("text then <SCRIPT>", TARGET_HTML);
    T("<Html> is no tag of the magic, <Script is", TARGET_HTML);
    T("<HtMl>", TARGET_TEXT);
    T("<body>only</body>", TARGET_TEXT);
    T("see <a class=x HREF=y>", TARGET_HTML);
    T("see <a class=x HrEf=y>", TARGET_TEXT);
    T("<% LANGUAGE = x", TARGET_HTML);
    T("From someone\n", TARGET_MAIL);
    T("Subject: hi\n\n<html>", TARGET_MAIL);
    T("Received: x\n", TARGET_MAIL);
    T("{\\rtf1 <html>", TARGET_ANY);
    T("begin 644 x\n", TARGET_ANY);
#undef T
    assert_int_equal(filetype_target(u16, sizeof u16), TARGET_TEXT);
    assert_int_equal(filetype_text(u16, sizeof u16), TEXT_UTF16LE);
    assert_int_equal(filetype_text(u16bad, sizeof u16bad), TEXT_NONE);
    assert_int_equal(filetype_target((const uint8_t *)"ab\0\1cd", 6), TARGET_ANY);
    assert_int_equal(filetype_target((const uint8_t *)"\xff\xfe<\0i\0m\0g\0", 10), TARGET_HTML);
    assert_int_equal(filetype_target((const uint8_t *)"\0<\0a\0 \0H\0r\0E\0F", 14),
                     TARGET_HTML);
    assert_int_equal(filetype_target((const uint8_t *)"\0<\0a\0 \0H\0r\0E\0f", 14),
                     TARGET_TEXT);
    /* only the first FILETYPE_TEXT_PEEK bytes decide text; the HTML magic
     * is looked for everywhere */
    memset(big, 'a', sizeof big);
    big[2000] = 0;
    assert_int_equal(filetype_target(big, sizeof big), TARGET_TEXT);
    memcpy(big + 2500, "<img", 4);
    assert_int_equal(filetype_target(big, sizeof big), TARGET_HTML);
    big[10] = 0;
    big[11] = 1;
    assert_int_equal(filetype_target(big, sizeof big), TARGET_HTML); /* binary, HTML */
    big[2500] = 'x';
    assert_int_equal(filetype_target(big, sizeof big), TARGET_ANY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_magic), cmocka_unit_test(test_text)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
