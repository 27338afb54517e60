/* screnc.h - the decoder of Microsoft's Script Encoder (JScript.Encode,
 * VBScript.Encode: "#@~^" length data checksum "^#~@"). */
#ifndef VIGIL_UNPACK_SCRENC_H
#define VIGIL_UNPACK_SCRENC_H

#include <stddef.h>
#include <stdint.h>

/* The length field of an encoded block: the 8 bytes after "#@~^", of
 * which the first 6 are base64-like digits (ClamAV's reading of them).
 * p must hold 8 bytes. */
uint32_t screnc_length(const uint8_t *p);

/*
 * Decodes, in place, the encoded text starting at buf[0] (after the length
 * field) of a NUL-terminated buffer of len bytes (buf[len] == 0): at most
 * *left encoded characters (CR and LF are skipped, "@!" "@#" "@$" "@&" "@*"
 * are the escapes of < CR @ LF >); then, if the block ended, its 8-byte
 * checksum and "^#~@" are dropped and the rest moved up. Returns the new
 * length of the buffer; *left is what remains to decode (0: the block
 * ended).
 */
size_t screnc_decode(uint8_t *buf, size_t len, uint32_t *left);

#endif
