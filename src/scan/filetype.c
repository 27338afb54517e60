/* filetype.c - typing by magic bytes, a static table plus the few checks a
 * table cannot express (a PE header behind MZ, Mach-O fat vs Java class),
 * then text, HTML and mail as clamscan 1.4 types them (libclamav
 * filetypes_int.h for the magic, textdet.c for text).
 * Reads only within buf[0..len); the HTML search is one pass over the
 * object. */
#include "scan/filetype.h"

#include <string.h>

static const struct {
    const char *magic;
    size_t len;
    enum target_type type;
} magic_table[] = {
    {"\x7f" "ELF", 4, TARGET_ELF},
    {"\xfe\xed\xfa\xce", 4, TARGET_MACHO}, {"\xce\xfa\xed\xfe", 4, TARGET_MACHO},
    {"\xfe\xed\xfa\xcf", 4, TARGET_MACHO}, {"\xcf\xfa\xed\xfe", 4, TARGET_MACHO},
    {"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8, TARGET_OLE2},
    {"%PDF-", 5, TARGET_PDF},
    {"FWS", 3, TARGET_FLASH}, {"CWS", 3, TARGET_FLASH}, {"ZWS", 3, TARGET_FLASH},
    {"GIF87a", 6, TARGET_GRAPHICS}, {"GIF89a", 6, TARGET_GRAPHICS},
    {"\x89PNG\r\n\x1a\n", 8, TARGET_GRAPHICS}, {"\xff\xd8\xff", 3, TARGET_GRAPHICS},
    {"II*\0", 4, TARGET_GRAPHICS}, {"MM\0*", 4, TARGET_GRAPHICS},
};

/* ClamAV's type-0 magics that make an object CL_TYPE_MAIL (filetypes_int.h:
 * "Mail", "MBox", "Raw mail", "Maildir", ...), all at offset 0. */
static const char *const mail_magic[] = {
    ">From ", "Date: ", "Delivered-To: ", "Delivery-date: ", "Envelope-to: ",
    "For: ", "From ", "From: ", "Hi. This is the qmail-send", "Message-ID: ",
    "Message-Id: ", "Received: ", "Return-Path: ", "Return-path: ", "Subject: ",
    "To: ", "X-Apparently-To: ", "X-EVS", "X-Envelope-From: ", "X-Original-To: ",
    "X-Real-To: ", "X-Sieve: ", "X-Symantec-", "X-UIDL: ", "v:\nReceived: ",
    "v:\r\nReceived: ", "Received-SPF: ",
};

/* ClamAV's type-0 magics of printable bytes that type an object as
 * something other than text (so it is neither TEXT nor HTML): RTF,
 * uuencode, BinHex, PostScript, Script Encoder, mIRC ini, BMP, TIFF, ... */
static const char *const other_magic[] = {
    "{\\rt", "begin ", "(This file must be converted with BinHex 4.0)",
    "%!PS-Adobe-", "#@~^", "[aliases]", "BM", "MM", "GIF", "ID3", "ITSF", "RIFF",
    "RIFX", "Rar!", "SZDD", "OggS", ".RMF", "070701", "070702", "070707", "xar!",
    "SIP-HIT (SIP/H", "EGGA", "BZh",
};

/* The tags of ClamAV's type-1 "HTML data" magic, each found anywhere after
 * a '<' ("<a " ... "href" is checked apart). */
static const char *const html_tags[] = {
    "HEAD>", "HTML>", "Head>", "Html>", "IFRAME", "IMG", "Img", "OBJECT", "Object",
    "SCRIPT", "Script", "TABLE", "head>", "html>", "iframe", "img", "object",
    "script", "table",
};

/* textdet.c's classes: F never in text, T plain ASCII text, I ISO-8859,
 * X other extended ASCII. */
enum { TC_F, TC_T, TC_I, TC_X };

static int text_class(uint8_t c)
{
    if (c >= 0xa0)
        return TC_I;
    if (c >= 0x80)
        return c == 0x85 ? TC_T : TC_X;
    if (c == 0x7f)
        return TC_F;
    if (c >= 0x20 || (c >= 0x07 && c <= 0x0a) || c == 0x0c || c == 0x0d || c == 0x1b)
        return TC_T;
    return TC_F;
}

static int prefix(const uint8_t *buf, size_t len, const char *m)
{
    size_t n = strlen(m);

    return len >= n && memcmp(buf, m, n) == 0;
}

static int in_list(const uint8_t *buf, size_t len, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (prefix(buf, len, v[i]))
            return 1;
    return 0;
}

/* textdet.c td_isutf16: 1 little-endian, 2 big-endian, 0 not UTF-16. */
static int text_utf16(const uint8_t *buf, size_t len)
{
    int be = 1, nobom = 0;
    size_t bad = 0;

    if (len < 2)
        return 0;
    if (buf[0] == 0xff && buf[1] == 0xfe)
        be = 0;
    else if (!(buf[0] == 0xfe && buf[1] == 0xff))
        nobom = 1;
    for (size_t i = 2; i + 1 < len; i += 2) {
        unsigned c = be ? (unsigned)buf[i + 1] + 256u * buf[i]
                        : (unsigned)buf[i] + 256u * buf[i + 1];
        if (c == 0xfffe)
            return 0;
        if (c < 128 && text_class((uint8_t)c) != TC_T) {
            if (nobom)
                return 0;
            bad++;
        }
    }
    if (!nobom && bad >= len / 2)
        return 0;
    return 1 + be;
}

enum text_kind filetype_text(const uint8_t *buf, size_t len)
{
    size_t i;
    int u;

    if (len > FILETYPE_TEXT_PEEK)
        len = FILETYPE_TEXT_PEEK;
    if (len == 0)
        return TEXT_NONE;
    for (i = 0; i < len && text_class(buf[i]) != TC_F; i++)
        ;
    if (i == len)
        return TEXT_ASCII;
    /* UTF-8 text (td_isutf8) cannot get here: every byte it accepts is
     * already ASCII-class above. */
    u = text_utf16(buf, len);
    return u == 1 ? TEXT_UTF16LE : u == 2 ? TEXT_UTF16BE : TEXT_NONE;
}

/* Whether "<a " or "<A " is followed anywhere by [hH][rR](EF|ef). */
static int html_ahref(const uint8_t *buf, size_t len, size_t from)
{
    for (size_t i = from; i + 4 <= len; i++) {
        if ((buf[i] | 0x20) != 'h' || (buf[i + 1] | 0x20) != 'r')
            continue;
        if ((buf[i + 2] == 'E' && buf[i + 3] == 'F') ||
            (buf[i + 2] == 'e' && buf[i + 3] == 'f'))
            return 1;
    }
    return 0;
}

/* Whether the tag t follows buf[i] when NUL bytes are skipped (UTF-16
 * text of ASCII characters). Returns the offset after it, or 0. */
static size_t tag_wide(const uint8_t *buf, size_t len, size_t i, const char *t)
{
    for (; *t; t++) {
        while (i < len && buf[i] == 0)
            i++;
        if (i >= len || buf[i] != (uint8_t)*t)
            return 0;
        i++;
    }
    return i;
}

/* [hH][rR](EF|ef) at buf[i], NUL bytes skipped. */
static int href_wide(const uint8_t *buf, size_t len, size_t i)
{
    uint8_t c[4];

    for (size_t k = 0; k < 4; k++) {
        while (i < len && buf[i] == 0)
            i++;
        if (i >= len)
            return 0;
        c[k] = buf[i++];
    }
    return (c[0] | 0x20) == 'h' && (c[1] | 0x20) == 'r' &&
           ((c[2] == 'E' && c[3] == 'F') || (c[2] == 'e' && c[3] == 'f'));
}

/* The HTML magic in UTF-16 text: clamscan finds it there too (measured:
 * "<html>" in UTF-16LE or UTF-16BE is HTML, scanned without its NULs). */
static int is_html_wide(const uint8_t *buf, size_t len)
{
    size_t ahref = SIZE_MAX, end;
    const uint8_t *p = buf;

    while ((p = memchr(p, '<', len - (size_t)(p - buf))) != NULL) {
        size_t at = (size_t)(p - buf) + 1;
        p++;
        for (size_t k = 0; k < sizeof html_tags / sizeof html_tags[0]; k++)
            if (tag_wide(buf, len, at, html_tags[k]))
                return 1;
        if (ahref == SIZE_MAX &&
            ((end = tag_wide(buf, len, at, "a ")) || (end = tag_wide(buf, len, at, "A "))))
            ahref = end;
        if ((size_t)(p - buf) >= len)
            break;
    }
    for (size_t i = ahref; ahref != SIZE_MAX && i < len; i++)
        if (buf[i] && href_wide(buf, len, i))
            return 1;
    return 0;
}

/* ClamAV's "HTML data" magic anywhere in the object, or "<% LANGUAGE ="
 * at its start. */
static int is_html(const uint8_t *buf, size_t len)
{
    const uint8_t *p = buf, *end = buf + len;
    size_t ahref = SIZE_MAX;

    if (prefix(buf, len, "<% LANGUAGE ="))
        return 1;
    while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        size_t left = (size_t)(end - p) - 1;
        p++;
        if (in_list(p, left, html_tags, sizeof html_tags / sizeof html_tags[0]))
            return 1;
        if (ahref == SIZE_MAX && left >= 2 && (p[0] == 'a' || p[0] == 'A') && p[1] == ' ')
            ahref = (size_t)(p - buf) + 2;
    }
    return ahref != SIZE_MAX && html_ahref(buf, len, ahref);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* clamscan 1.4.6 types every object starting with "MZ" as PE, whether or not
 * a PE header follows (measured: a target-1 `*` signature matches "MZxx...");
 * an unusable header then only means there is no layout. */
static int is_pe(const uint8_t *buf, size_t len)
{
    return len >= 2 && buf[0] == 'M' && buf[1] == 'Z';
}

/* CAFEBABE is both a Mach-O universal binary (a small count of
 * architectures follows) and a Java class (a version >= 45 follows). */
static enum target_type cafebabe(const uint8_t *buf, size_t len)
{
    if (len < 8 || be32(buf) != 0xcafebabeu)
        return TARGET_ANY;
    return be32(buf + 4) < 45 ? TARGET_MACHO : TARGET_JAVA;
}

/* ClamAV types a PDF by "%PDF-" anywhere in the first 1024 bytes
 * (measured: 300 bytes of text before it still make a target-10 signature
 * match; unpack/pdf.c walks such a file too). */
static int pdf_within(const uint8_t *buf, size_t len)
{
    /* measured: "%PDF-" at offset 1017 is typed, at 1018 not */
    for (size_t i = 0; i + 5 <= len && i + 7 <= 1024; i++)
        if (buf[i] == '%' && memcmp(buf + i, "%PDF-", 5) == 0)
            return 1;
    return 0;
}

enum target_type filetype_target(const uint8_t *buf, size_t len)
{
    enum target_type t;

    if (is_pe(buf, len))
        return TARGET_PE;
    if ((t = cafebabe(buf, len)) != TARGET_ANY)
        return t;
    for (size_t i = 0; i < sizeof magic_table / sizeof magic_table[0]; i++)
        if (len >= magic_table[i].len &&
            memcmp(buf, magic_table[i].magic, magic_table[i].len) == 0)
            return magic_table[i].type;
    if (pdf_within(buf, len))
        return TARGET_PDF;
    if (in_list(buf, len, mail_magic, sizeof mail_magic / sizeof mail_magic[0]))
        return TARGET_MAIL;
    if (in_list(buf, len, other_magic, sizeof other_magic / sizeof other_magic[0]))
        return TARGET_ANY;
    /* clamscan retypes any object its magic did not type, text or binary
     * data, as HTML when the HTML magic is in it (measured: "\0\0\0\1"
     * then "<html>" is "binary data", then HTML) */
    if (is_html(buf, len))
        return TARGET_HTML;
    switch (filetype_text(buf, len)) {
    case TEXT_NONE:
        return TARGET_ANY;
    case TEXT_UTF16LE:
    case TEXT_UTF16BE:
        return is_html_wide(buf, len) ? TARGET_HTML : TARGET_TEXT;
    default:
        return TARGET_TEXT;
    }
}

const char *filetype_name(enum target_type t)
{
    static const char *const names[] = {
        [TARGET_ANY] = "DATA",      [TARGET_PE] = "PE",       [TARGET_OLE2] = "OLE2",
        [TARGET_HTML] = "HTML",     [TARGET_MAIL] = "MAIL",   [TARGET_GRAPHICS] = "GRAPHICS",
        [TARGET_ELF] = "ELF",       [TARGET_TEXT] = "TEXT",   [TARGET_MACHO] = "MACHO",
        [TARGET_PDF] = "PDF",       [TARGET_FLASH] = "FLASH", [TARGET_JAVA] = "JAVA",
    };

    if ((unsigned)t >= sizeof names / sizeof names[0] || !names[t])
        return "DATA";
    return names[t];
}
