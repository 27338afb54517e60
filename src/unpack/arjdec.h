/* arjdec.h - ARJ's decoders (methods 1-3 and 4), see arjdec.c. */
#ifndef VIGIL_UNPACK_ARJDEC_H
#define VIGIL_UNPACK_ARJDEC_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

/* Decodes in[0..in_len), compressed with ARJ method `method` (1, 2, 3: the
 * LZ77 + Huffman coder; 4: the fast coder), into out[0..out_len): at most
 * out_len bytes are produced (the caller passes the smaller of the
 * original size and its budget). *made is how many were. Returns 0, or -1
 * when the data is corrupt (*made is still what was produced before). */
int arjdec_run(int method, const uint8_t *in, size_t in_len, uint8_t *out,
               size_t out_len, size_t *made);

#endif
