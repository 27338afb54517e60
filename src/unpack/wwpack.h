/* wwpack.h - WWPack32-packed PE files unpacked as clamscan does. */
#ifndef VIGIL_UNPACK_WWPACK_H
#define VIGIL_UNPACK_WWPACK_H

#include <stddef.h>
#include <stdint.h>

struct pe_info;

/* If buf[0..len) (parsed into pe) is a WWPack32 PE clamscan would unpack,
 * decompresses its blocks into an image of its sections, fixes the
 * headers as clamscan does and returns 1 with the image in *out
 * (malloc'd, *outlen bytes, owned by the caller). Returns 0 when it is
 * not WWPack, the image would be over max bytes or the data is damaged;
 * -1 when out of memory. */
int wwpack_unpack(const uint8_t *buf, size_t len, const struct pe_info *pe, size_t max,
                  uint8_t **out, size_t *outlen);

#endif
