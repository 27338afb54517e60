/* zipdec.h - zip's Deflate64 and implode decoders (zipdec.c). */
#ifndef VIGIL_UNPACK_ZIPDEC_H
#define VIGIL_UNPACK_ZIPDEC_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the Deflate64 stream in[0..in_len) into out[0..out_len): at
 * most out_len bytes are produced, *made says how many. Returns 0 (the
 * stream ended or out is full), or -1 when the data is corrupt (*made is
 * still what came before). */
int zipdec_inflate64(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len,
                     size_t *made);

/* Decodes the imploded member in[0..in_len), whose general purpose flags
 * are flags (bit 1: 8 KiB dictionary; bit 2: a literal tree), into
 * out[0..out_len): implode has no end code, so out_len is the member's
 * uncompressed size (or less, to cut it). Returns as zipdec_inflate64. */
int zipdec_explode(const uint8_t *in, size_t in_len, unsigned flags, uint8_t *out,
                   size_t out_len, size_t *made);

#endif
