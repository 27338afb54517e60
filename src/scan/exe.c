/* exe.c - executable layouts for EP and section offsets: the dispatch by
 * target type and the bounded field readers the format readers share.
 * The formats live in exe_pe.c, exe_elf.c and exe_macho.c; each follows
 * clamscan 1.4.6 (libclamav pe.c, elf.c, macho.c), whose quirks decide
 * which signatures match, rather than the format specifications.
 * Limits: every read is checked by exe_fits(); at most EXE_MAX_SECTIONS
 * sections are recorded. */
#include "scan/exe_int.h"

#include <string.h>

int exe_fits(const struct exe_in *in, uint64_t off, uint64_t n)
{
    return off <= in->len && n <= in->len - off;
}

/* Reads an n-byte unsigned field at off, or 0 when it does not fit. */
static uint64_t exe_field(const struct exe_in *in, uint64_t off, unsigned n)
{
    const uint8_t *p;
    uint64_t v = 0;

    if (!exe_fits(in, off, n))
        return 0;
    p = in->buf + off;
    for (unsigned i = 0; i < n; i++) {
        unsigned at = in->be ? i : n - 1 - i;
        v = v << 8 | p[at];
    }
    return v;
}

uint16_t exe_u16(const struct exe_in *in, uint64_t off)
{
    return (uint16_t)exe_field(in, off, 2);
}

uint32_t exe_u32(const struct exe_in *in, uint64_t off)
{
    return (uint32_t)exe_field(in, off, 4);
}

uint64_t exe_u64(const struct exe_in *in, uint64_t off)
{
    return exe_field(in, off, 8);
}

void exe_sect_put(struct exe_info *info, uint32_t i, uint32_t n, uint64_t off,
                  uint64_t size)
{
    uint32_t slot = i;

    if (n > EXE_MAX_SECTIONS) {
        if (i == n - 1)
            slot = EXE_MAX_SECTIONS - 1;
        else if (i >= EXE_MAX_SECTIONS - 1)
            return;
    }
    if (slot >= EXE_MAX_SECTIONS)
        return;
    info->sect_off[slot] = off;
    info->sect_size[slot] = size;
    info->layout.nsect = n > EXE_MAX_SECTIONS ? EXE_MAX_SECTIONS : n;
}

void exe_layout_read(const uint8_t *buf, size_t len, enum target_type type,
                     struct exe_info *info)
{
    struct exe_in in = {buf, len, 0};
    int rc = -1;

    memset(&info->layout, 0, sizeof info->layout);
    info->layout.sect_off = info->sect_off;
    info->layout.sect_size = info->sect_size;
    if (type == TARGET_PE)
        rc = exe_pe_read(&in, info);
    else if (type == TARGET_ELF)
        rc = exe_elf_read(&in, info);
    else if (type == TARGET_MACHO)
        rc = exe_macho_read(&in, info);
    if (rc != 0) {
        info->layout.ep = 0;
        info->layout.nsect = 0;
        info->layout.nvinfo = 0;
        return;
    }
    info->layout.valid = 1;
}
