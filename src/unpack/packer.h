/* packer.h - small helpers shared by the PE unpackers of yC, WWPack and
 * Petite: little-endian readers and writers, ClamAV's CLI_ISCONTAINED on
 * offsets, and the entry-point buffer cli_scanpe looks at. */
#ifndef VIGIL_UNPACK_PACKER_H
#define VIGIL_UNPACK_PACKER_H

#include <stddef.h>
#include <stdint.h>

#include "scan/pe.h"

/* cli_scanpe reads up to this many bytes at the entry point; with fewer
 * than PK_EP_MIN it stops before Petite and every packer after it. */
#define PK_EP_MAX 4096u
#define PK_EP_MIN 200u

static inline uint32_t pk_rd16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static inline uint32_t pk_rd32(const uint8_t *p)
{
    return pk_rd16(p) | pk_rd16(p + 2) << 16;
}

static inline void pk_wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* CLI_ISCONTAINED on offsets: n (> 0) bytes at off inside size bytes. */
static inline int pk_inside(int64_t size, int64_t off, int64_t n)
{
    return size > 0 && n > 0 && n <= size && off >= 0 && off <= size - n;
}

/* The bytes at the entry point that cli_scanpe compares (at most
 * PK_EP_MAX); NULL, with *n 0, when fewer than PK_EP_MIN are there or
 * the file is a PE32+ (cli_scanpe unpacks PE32 files only). */
static inline const uint8_t *pk_epbuf(const uint8_t *buf, size_t len, const struct pe_info *pe,
                                      size_t *n)
{
    *n = 0;
    if (pe->pe32plus || pe->ep >= len || len - pe->ep < PK_EP_MIN)
        return NULL;
    *n = len - pe->ep < PK_EP_MAX ? len - pe->ep : PK_EP_MAX;
    return buf + pe->ep;
}

#endif
