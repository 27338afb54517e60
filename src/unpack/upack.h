/* upack.h - Upack-packed PE files unpacked and rebuilt as clamscan does. */
#ifndef VIGIL_UNPACK_UPACK_H
#define VIGIL_UNPACK_UPACK_H

#include <stddef.h>
#include <stdint.h>

struct pe_info;

/* If buf[0..len) (parsed into pe) is an Upack (0.39 with 2 or 3 sections,
 * 1.1/1.2) packed PE32 clamscan would unpack, decompresses it and rebuilds
 * a PE into *out (malloc'd, *outlen bytes, owned by the caller) and
 * returns 1. Returns 0 when it is not Upack, would be larger than max
 * bytes, or the unpacking fails; -1 when out of memory. */
int upack_unpack(const uint8_t *buf, size_t len, const struct pe_info *pe, size_t max,
                 uint8_t **out, size_t *outlen);

#endif
