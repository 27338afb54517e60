/* textnorm.h - ClamAV's text normalisation (libclamav textnorm.c): the view
 * of a text object that target-type 7 (ASCII text) signatures match. */
#ifndef VIGIL_UNPACK_TEXTNORM_H
#define VIGIL_UNPACK_TEXTNORM_H

#include <stddef.h>
#include <stdint.h>

/* clamscan's default MaxScriptNormalize: larger text objects get no
 * normalised view. */
#define TEXTNORM_MAX ((size_t)20 << 20)

/* Writes the normalised form of in[0..len) to out (at most cap bytes):
 * A-Z lower-cased, each run of whitespace (\t \n \v \f \r space) one space,
 * other control characters and every byte above 0x7f dropped. Returns the
 * bytes written; cap >= len always suffices. */
size_t textnorm(const uint8_t *in, size_t len, uint8_t *out, size_t cap);

/* The same for UTF-16 text (be: big-endian), a leading byte-order mark
 * skipped: each code unit below 0x80 is that character, the others are
 * dropped (normalisation drops them anyway). cap >= len / 2 suffices. */
size_t textnorm_utf16(const uint8_t *in, size_t len, int be, uint8_t *out, size_t cap);

#endif
