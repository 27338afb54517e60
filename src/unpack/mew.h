/* mew.h - MEW-packed PE files unpacked and rebuilt as clamscan does. */
#ifndef VIGIL_UNPACK_MEW_H
#define VIGIL_UNPACK_MEW_H

#include <stddef.h>
#include <stdint.h>

struct pe_info;

/* If buf[0..len) (parsed into pe) is a MEW 11 packed PE32 clamscan would
 * unpack, decompresses it and rebuilds a PE into *out (malloc'd, *outlen
 * bytes, owned by the caller) and returns 1. Returns 0 when it is not
 * MEW, would be larger than max bytes, or the unpacking fails; -1 when
 * out of memory. */
int mew_unpack(const uint8_t *buf, size_t len, const struct pe_info *pe, size_t max,
               uint8_t **out, size_t *outlen);

/* The aPLib-style decompressor MEW and FSG share (libclamav packlibs.c
 * unmew / cli_unfsg), on one buffer b[0..blen): reads from the window
 * [src, src+ssize), writes into the window [dst, dst+dsize) (the two may
 * overlap: MEW unpacks in place). On success returns 0 and sets *send and
 * *dend to where reading and writing stopped; -1 on bad data. */
int mew_unpack_nrv(uint8_t *b, uint64_t blen, uint64_t src, uint64_t ssize, uint64_t dst,
                   uint64_t dsize, uint64_t *send, uint64_t *dend);

#endif
