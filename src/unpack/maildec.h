/* maildec.h - the text encodings of mail, decoded from a buffer into a
 * caller's buffer of known size: base64 and quoted-printable (RFC 2045
 * sections 6.7 and 6.8), uuencode (POSIX uuencode), BinHex 4.0's 6-bit
 * alphabet and run-length code (RFC 1741). No decoder reads past its
 * input or writes past out_cap; each returns how many bytes it made. */
#ifndef VIGIL_UNPACK_MAILDEC_H
#define VIGIL_UNPACK_MAILDEC_H

#include <stddef.h>
#include <stdint.h>

/* The value of a base64 digit (A-Z a-z 0-9 + /), -1 for other bytes. */
int maildec_b64digit(uint8_t c);

/* Decodes base64 in[0..n), skipping bytes outside the alphabet, ending at
 * the first '=' padding. Never makes more than n bytes. */
size_t maildec_base64(const uint8_t *in, size_t n, uint8_t *out, size_t out_cap);

/* Decodes quoted-printable in[0..n): "=XX" escapes, "=" at the end of a
 * line joins it to the next; a bad escape is kept as it is (as mail
 * readers do). Line ends become "\n". Never makes more than n bytes. */
size_t maildec_qp(const uint8_t *in, size_t n, uint8_t *out, size_t out_cap);

/* Decodes the uuencoded lines of in[0..n), which starts after a "begin"
 * line, until an "end" line or the end of the input; *used is set to the
 * bytes consumed (up to and including "end"). *damaged is set when a line
 * is malformed or "end" never comes. Never makes more than n bytes. */
size_t maildec_uu(const uint8_t *in, size_t n, uint8_t *out, size_t out_cap, size_t *used,
                  int *damaged);

/* Returns 1 if line[0..n) is a uuencode "begin" line ("begin", a mode of
 * octal digits, a name). */
int maildec_uu_begin(const uint8_t *line, size_t n);

/* Decodes BinHex 4.0 text in[0..n) (the part after the opening ':')
 * through its 6-bit alphabet and its run-length code (0x90) until the
 * closing ':'. Returns the bytes made; *damaged is set when an invalid
 * character or the end of the input came before the closing ':', or the
 * output was cut at out_cap (*cut then). With out NULL, only counts the
 * bytes it would make (at most out_cap). */
size_t maildec_binhex(const uint8_t *in, size_t n, uint8_t *out, size_t out_cap,
                      int *damaged, int *cut);

#endif
