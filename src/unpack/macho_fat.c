/* macho_fat.c - Mach-O universal ("fat") binaries: each architecture's
 * slice is a child, unnamed, as clamscan 1.4.6 scans it (libclamav
 * macho.c cli_scanmacho_unibin, measured: a slice holding clam.exe is
 * reported as "fat!(1)").
 * Format: Apple's <mach-o/fat.h>: a big-endian header {0xcafebabe,
 * nfat_arch} and nfat_arch records {cputype, cpusubtype, offset, size,
 * align}. ClamAV's rules: a count whose low 16 bits are 39 or more is a
 * Java class, not a fat binary; more than 32 architectures is refused; a
 * slice that does not fit is skipped (damaged), a record that does not
 * fit ends the walk.
 * Limits: at most 32 slices, each inside the object. */
#include <string.h>

#include "unpack/format.h"

#define FAT_MAX_ARCHS 32
#define FAT_ARCH_SIZE 20

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int fat_detect(const uint8_t *buf, size_t len)
{
    uint32_t n;

    if (len < 8 || be32(buf) != 0xcafebabeu)
        return 0;
    n = be32(buf + 4);
    return (n & 0xffff) < 39 && n > 0 && n <= FAT_MAX_ARCHS;
}

static vigil_status fat_walk(struct unpack *u)
{
    uint32_t n;
    vigil_status st = VIGIL_OK;

    if (u->len < 8) { /* the walk never trusts the detector */
        unpack_damaged(u);
        return VIGIL_OK;
    }
    n = be32(u->data + 4);
    if (n > FAT_MAX_ARCHS)
        n = FAT_MAX_ARCHS;

    for (uint32_t i = 0; i < n; i++) {
        uint64_t at = 8 + (uint64_t)i * FAT_ARCH_SIZE, off, size;
        if (at + FAT_ARCH_SIZE > u->len) {
            unpack_damaged(u);
            break;
        }
        off = be32(u->data + at + 8);
        size = be32(u->data + at + 12);
        if (off > u->len || size > u->len - off) {
            unpack_damaged(u); /* ClamAV goes on with the next slice */
            continue;
        }
        if (size && unpack_child(u, u->data + off, (size_t)size, NULL, size, &st))
            break;
    }
    return st;
}

const struct vigil_format format_macho_fat = {
    .name = "MACHO_UNIBIN",
    .detect = fat_detect,
    .walk = fat_walk,
};
