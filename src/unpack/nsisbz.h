/* nsisbz.h - NSIS's bzip2 through libbz2. NSIS writes bzip2 without the
 * stream header, the 48-bit block and end magics (a block starts with the
 * byte 0x31, the end is the byte 0x17, both at any bit position), the
 * block and stream CRCs and the randomised bit. nsisbz rebuilds each
 * block as a standard one-block stream for libbz2 (see nsisbz.c). */
#ifndef VIGIL_UNPACK_NSISBZ_H
#define VIGIL_UNPACK_NSISBZ_H

#include <stddef.h>
#include <stdint.h>

struct nsisbz;

enum nsisbz_rc { NSISBZ_MORE, NSISBZ_END, NSISBZ_ERROR, NSISBZ_NOMEM };

/* A decoder of the NSIS bzip2 data in[0..len) (kept, not copied). Returns
 * NULL when out of memory. */
struct nsisbz *nsisbz_new(const uint8_t *in, size_t len);

/* Decodes up to cap bytes into out (*made of them); *used is how many
 * input bytes were consumed since the last call. NSISBZ_END after the
 * end marker, NSISBZ_ERROR on damaged data (what came before is good). */
enum nsisbz_rc nsisbz_read(struct nsisbz *z, uint8_t *out, size_t cap, size_t *made,
                           size_t *used);

void nsisbz_free(struct nsisbz *z);

#endif
