/* filetype.h - the ClamAV target type of an object, from its first bytes. */
#ifndef VIGIL_SCAN_FILETYPE_H
#define VIGIL_SCAN_FILETYPE_H

#include <stddef.h>
#include <stdint.h>

/* ClamAV target types (signature field TargetType). */
enum target_type {
    TARGET_ANY = 0,
    TARGET_PE = 1,
    TARGET_OLE2 = 2,
    TARGET_HTML = 3,
    TARGET_MAIL = 4,
    TARGET_GRAPHICS = 5,
    TARGET_ELF = 6,
    TARGET_TEXT = 7,
    TARGET_MACHO = 9,
    TARGET_PDF = 10,
    TARGET_FLASH = 11,
    TARGET_JAVA = 12,
};

/* Returns the target type of the whole object buf[0..len), TARGET_ANY when
 * it is none of the types typed. As clamscan 1.4 types them: magic bytes at
 * offset 0 first (mail headers among them: TARGET_MAIL); then an object
 * holding one of ClamAV's HTML tags anywhere (its type-1 "HTML data"
 * magic) is TARGET_HTML, text or not; else one whose first
 * FILETYPE_TEXT_PEEK bytes are text (filetype_text) is TARGET_TEXT. */
enum target_type filetype_target(const uint8_t *buf, size_t len);

/* Bytes clamscan looks at to decide whether an object is text. */
#define FILETYPE_TEXT_PEEK 1024

/* Text encodings, as ClamAV's cli_texttype tells them apart. */
enum text_kind {
    TEXT_NONE = 0, /* binary data */
    TEXT_ASCII,    /* ASCII or 8-bit text (ClamAV's CL_TYPE_TEXT_ASCII) */
    TEXT_UTF16LE,
    TEXT_UTF16BE,
};

/* The text encoding of an object from its first bytes buf[0..len) (at most
 * FILETYPE_TEXT_PEEK are read), ignoring magic bytes. */
enum text_kind filetype_text(const uint8_t *buf, size_t len);

/* vigil's name for a type ("PE", "ELF", "MACHO", "OLE2", "PDF", "FLASH",
 * "GRAPHICS", "JAVA", ...; "DATA" for an untyped object), static. YARA rules
 * see it as the external variable filetype. */
const char *filetype_name(enum target_type t);

#endif
