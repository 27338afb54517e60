/* upacklzma.h - Upack's LZMA decoder, as ClamAV runs it. */
#ifndef VIGIL_UNPACK_UPACKLZMA_H
#define VIGIL_UNPACK_UPACKLZMA_H

#include <stdint.h>

/* The decoder's inputs, offsets into the image b[0..size) as ClamAV's
 * unupack399 takes them as pointers (an offset may be negative: it is
 * then never inside). */
struct upack_lz {
    uint8_t *b;
    uint32_t size;
    uint32_t eax, ecx; /* the state and counter registers at the start */
    int64_t ebx;       /* the coder's block: range, low, 4 distances, tables */
    int64_t edi, end;  /* the output, up to end */
    int64_t in;        /* the packed data */
    uint32_t lc;       /* literal context shift (8 - lc bits) */
};

/* Decodes in place (the probabilities live in b). Returns 0 on success,
 * -1 when the data are bad or leave the buffer. */
int upack_lzma(const struct upack_lz *z);

#endif
