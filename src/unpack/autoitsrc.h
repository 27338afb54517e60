/* autoitsrc.h - the text of a compiled AutoIt EA06 script: its token stream
 * turned back into source as clamscan 1.4.6 does before it scans the script
 * (libclamav autoit.c ea06()). */
#ifndef VIGIL_UNPACK_AUTOITSRC_H
#define VIGIL_UNPACK_AUTOITSRC_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

/* Whether the record's encrypted name enc[0..2*chars) (chars UTF-16 units)
 * is ">>>AUTOIT SCRIPT<<<", the mark of the script. */
int autoit_ea06_is_script(const uint8_t *enc, uint32_t chars);

/* Turns the decompressed tokens tok[0..len) into text, at most max bytes,
 * in a fresh buffer (*out, *out_len; NULL when nothing was made). *damaged
 * is set when the stream was cut or had an unknown token (the text until
 * then is kept, as clamscan keeps it), *cut when max stopped it. Returns
 * VIGIL_OK or VIGIL_ENOMEM. */
vigil_status autoit_ea06_text(const uint8_t *tok, size_t len, size_t max, uint8_t **out,
                              size_t *out_len, int *damaged, int *cut);

#endif
