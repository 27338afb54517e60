/* aspack.h - ASPack-packed PE files unpacked and rebuilt as clamscan does. */
#ifndef VIGIL_UNPACK_ASPACK_H
#define VIGIL_UNPACK_ASPACK_H

#include <stddef.h>
#include <stdint.h>

struct pe_info;

/* If buf[0..len) (parsed into pe) is an ASPack 2.12, 2.2x-2.3x or 2.42
 * PE32 clamscan would unpack, decompresses its blocks and rebuilds a PE
 * into *out (malloc'd, *outlen bytes, the caller's) and returns 1.
 * Returns 0 when it is not ASPack, its image is larger than max bytes or
 * the decompression fails; -1 when out of memory. */
int aspack_unpack(const uint8_t *buf, size_t len, const struct pe_info *pe, size_t max,
                  uint8_t **out, size_t *outlen);

#endif
