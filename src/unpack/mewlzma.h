/* mewlzma.h - the LZMA decoder of MEW's LZMA mode, as ClamAV runs it. */
#ifndef VIGIL_UNPACK_MEWLZMA_H
#define VIGIL_UNPACK_MEWLZMA_H

#include <stdint.h>

/* ClamAV's mew_lzma on the image b[0..size): the block list starts at
 * offset at; vma is the image's load address; special the loader's
 * "push eax" variant (one block, then its call/jmp targets fixed up).
 * Decodes in place (the probability tables too live in b). Returns 0 on
 * success, -1 when the data are bad or leave the buffer. */
int mew_lzma(uint8_t *b, uint32_t size, uint64_t at, uint32_t vma, int special);

#endif
