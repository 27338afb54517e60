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

/* Returns the target type of buf[0..len), TARGET_ANY when it is none of the
 * types typed so far. HTML, mail and text are not typed yet: signatures for
 * them match normalised views, which the documents issue builds. */
enum target_type filetype_target(const uint8_t *buf, size_t len);

/* vigil's name for a type ("PE", "ELF", "MACHO", "OLE2", "PDF", "FLASH",
 * "GRAPHICS", "JAVA", ...; "DATA" for an untyped object), static. YARA rules
 * see it as the external variable filetype. */
const char *filetype_name(enum target_type t);

#endif
