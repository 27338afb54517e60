/* exe_int.h - what the executable layout readers share: bounded reads of
 * little- and big-endian fields of the object, and the recording of
 * sections. Only exe.c, exe_pe.c, exe_elf.c and exe_macho.c include it. */
#ifndef VIGIL_SCAN_EXE_INT_H
#define VIGIL_SCAN_EXE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "scan/exe.h"

/* The object being read. */
struct exe_in {
    const uint8_t *buf;
    size_t len;
    int be; /* multi-byte fields are big-endian */
};

/* Returns 1 when the n bytes at off lie inside the object, else 0. The one
 * bounds check of the readers; it cannot overflow. */
int exe_fits(const struct exe_in *in, uint64_t off, uint64_t n);

/* Read a field at off in the object's byte order. A field that does not fit
 * reads as 0, so a missed check can never read outside the object; callers
 * still check with exe_fits() to decide whether the header is usable. */
uint16_t exe_u16(const struct exe_in *in, uint64_t off);
uint32_t exe_u32(const struct exe_in *in, uint64_t off);
uint64_t exe_u64(const struct exe_in *in, uint64_t off);

/* Records section i of n (file offset and raw size) in info. The layout
 * keeps EXE_MAX_SECTIONS; when n is larger, the first EXE_MAX_SECTIONS - 1
 * keep their index and the last section takes the final slot, so that SL+n
 * (common in real signatures) stays exact and only Sx for x >= 95 differs
 * from clamscan. Call with i ascending; sets info->layout.nsect. */
void exe_sect_put(struct exe_info *info, uint32_t i, uint32_t n, uint64_t off,
                  uint64_t size);

/* Each reader fills info->layout.ep and the sections of one format and
 * returns 0, or returns -1 when clamscan would find the headers unusable
 * (it then ignores every EP, section and EOF offset of the object). */
int exe_pe_read(const struct exe_in *in, struct exe_info *info);
int exe_elf_read(const struct exe_in *in, struct exe_info *info);
int exe_macho_read(const struct exe_in *in, struct exe_info *info);

#endif
