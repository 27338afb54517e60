/* fsgdec.h - the aPLib-style LZ decoder of FSG, used by ClamAV's PESpin
 * unpacker (libclamav packlibs.c cli_unfsg). */
#ifndef VIGIL_UNPACK_FSGDEC_H
#define VIGIL_UNPACK_FSGDEC_H

#include <stddef.h>
#include <stdint.h>

/* Decodes src[0..slen) into dst[0..dlen) until the stream's end marker.
 * Returns 0 at the end marker (the rest of dst untouched), -1 when the
 * stream runs out, a copy would leave dst or either size is 0. */
int fsgdec_decode(const uint8_t *src, size_t slen, uint8_t *dst, size_t dlen);

#endif
