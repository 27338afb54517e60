/* autoitdec.h - the decoders of compiled AutoIt scripts (autoitdec.c): the
 * two keystreams and the "JB" LZSS decompression. No library has them. */
#ifndef VIGIL_UNPACK_AUTOITDEC_H
#define VIGIL_UNPACK_AUTOITDEC_H

#include <stddef.h>
#include <stdint.h>

/* XORs buf[0..len) with the EA05 keystream (a Mersenne Twister) seeded
 * with seed. */
void autoit_mt_decrypt(uint8_t *buf, size_t len, uint32_t seed);

/* XORs buf[0..len) with the EA06 keystream (a lagged-Fibonacci generator
 * of rotated words) seeded with seed. */
void autoit_lame_decrypt(uint8_t *buf, size_t len, uint32_t seed);

/* Decompresses a "JB" stream in[0..in_len) (the 8-byte "EA05"/"EA06" +
 * size header already skipped) into out[0..out_len), which the caller
 * zeroed; ea06 selects the EA06 flag sense. Sets *made to the bytes
 * produced. Returns 0 when out was filled, -1 when the input was damaged
 * (what was decoded until then is in out[0..*made)). */
int autoit_jb_decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len,
                     int ea06, size_t *made);

#endif
