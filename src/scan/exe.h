/* exe.h - the layout of an executable as signature offsets need it: the file
 * offset of the entry point and of each section (PE, ELF, Mach-O). */
#ifndef VIGIL_SCAN_EXE_H
#define VIGIL_SCAN_EXE_H

#include <stddef.h>
#include <stdint.h>

#include "scan/filetype.h"
#include "scan/offset.h"

/* Most sections recorded. clamscan 1.4.6 keeps every section; vigil keeps
 * sections 0..94 and the last one in slot 95, so EP and SL+n stay exact and
 * only Sx for x >= 95 differs (a known gap, tests/compat/epoffset.sh). */
#define EXE_MAX_SECTIONS 96

/* Most VI offsets kept (scan/pe_vinfo.c); clamscan keeps every one, and
 * a real file has a few dozen. */
#define EXE_MAX_VINFO 4096

/* Storage for one layout (no allocation per scan). */
struct exe_info {
    struct exe_layout layout; /* points into the arrays below */
    uint64_t sect_off[EXE_MAX_SECTIONS];
    uint64_t sect_size[EXE_MAX_SECTIONS];
    uint32_t vinfo[EXE_MAX_VINFO];
};

/* Reads the layout of buf[0..len), typed as type, into *info, exactly as
 * clamscan computes EP and section offsets. info->layout.valid is 0 when the
 * object is not an executable or its headers are unusable. Never reads
 * outside buf. */
void exe_layout_read(const uint8_t *buf, size_t len, enum target_type type,
                     struct exe_info *info);

#endif
