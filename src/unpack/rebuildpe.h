/* rebuildpe.h - the PE that ClamAV's unpackers write around unpacked
 * sections (libclamav rebuildpe.c cli_rebuildpe / cli_rebuildpe_align), so
 * that the child vigil scans is the object clamscan scans and hash
 * signatures on it agree. */
#ifndef VIGIL_UNPACK_REBUILDPE_H
#define VIGIL_UNPACK_REBUILDPE_H

#include <stddef.h>
#include <stdint.h>

/* ClamAV's DOS header and stub ("This file was created by ClamAV for
 * internal use ..."), the first 0xd0 bytes of every PE it rebuilds, the
 * UPX rebuild's included. */
#define PE_REBUILD_STUB 0xd0
extern const uint8_t pe_rebuild_stub[PE_REBUILD_STUB];

/* At most this many sections (a "ghost" section included), as ClamAV. */
#define PE_REBUILD_MAX_SECTIONS 96

/* One unpacked section: where it goes in the image (rva, vsz) and where
 * its bytes are in the unpacker's buffer (raw, rsz). */
struct pe_rebuild_sect {
    uint32_t rva, vsz, raw, rsz;
};

/* Writes into *out (malloc'd, *outlen bytes, the caller's) the PE ClamAV
 * builds from buf[0..buflen) and its n sections: the stub, a PE32 header
 * with ImageBase base, entry point ep and the resource directory
 * (res_rva, res_size), one ".clamNN" section header per section (a leading
 * "empty" one when the first section starts past the headers), and the
 * sections' bytes at 0x200-aligned offsets. align, when not 0, rounds every
 * section's rva and sizes up as cli_rebuildpe_align does. Returns 1 on
 * success; 0 when ClamAV would refuse (no section, too many sections) or
 * when a section's bytes lie outside buf or the image would be over max
 * bytes; -1 when out of memory. */
int pe_rebuild(const uint8_t *buf, size_t buflen, const struct pe_rebuild_sect *s,
               unsigned n, uint32_t base, uint32_t ep, uint32_t res_rva,
               uint32_t res_size, uint32_t align, size_t max, uint8_t **out,
               size_t *outlen);

#endif
