/* pespin.h - PESpin 1.1-packed PE files unpacked and rebuilt as clamscan
 * does. */
#ifndef VIGIL_UNPACK_PESPIN_H
#define VIGIL_UNPACK_PESPIN_H

#include <stddef.h>
#include <stdint.h>

struct pe_info;

/* If buf[0..len) (parsed into pe) is a PESpin 1.1 PE32 clamscan would
 * unpack, decrypts and decompresses its sections and rebuilds a PE into
 * *out (malloc'd, *outlen bytes, the caller's) and returns 1. Returns 0
 * when it is not PESpin, it is larger than max bytes or a step fails; -1
 * when out of memory. */
int pespin_unpack(const uint8_t *buf, size_t len, const struct pe_info *pe, size_t max,
                  uint8_t **out, size_t *outlen);

#endif
