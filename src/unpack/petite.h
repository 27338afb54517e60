/* petite.h - Petite-packed PE files unpacked and rebuilt as clamscan does. */
#ifndef VIGIL_UNPACK_PETITE_H
#define VIGIL_UNPACK_PETITE_H

#include <stddef.h>
#include <stdint.h>

struct pe_info;

/* If buf[0..len) (parsed into pe) is a Petite 2.x PE clamscan would
 * unpack, decompresses its sections into an image of the file, strips
 * the packer's code, recovers the original entry point where it can and
 * rebuilds a PE (rebuildpe.h) into *out (malloc'd, *outlen bytes, owned
 * by the caller); returns 1. Returns 0 when it is not Petite, the image
 * would be over max bytes, or the data is damaged; -1 when out of
 * memory. */
int petite_unpack(const uint8_t *buf, size_t len, const struct pe_info *pe, size_t max,
                  uint8_t **out, size_t *outlen);

#endif
