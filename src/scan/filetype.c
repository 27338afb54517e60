/* filetype.c - typing by magic bytes, a static table plus the few checks a
 * table cannot express (a PE header behind MZ, Mach-O fat vs Java class).
 * Reads only within buf[0..len). */
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
    return TARGET_ANY;
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
