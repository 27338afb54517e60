/* vba.h - VBA projects in OLE2 files (MS-OVBA): the decompression of
 * 2.4.1 and the module list of the dir stream (2.3.4.2). (vba.c) */
#ifndef VIGIL_UNPACK_VBA_H
#define VIGIL_UNPACK_VBA_H

#include <stddef.h>
#include <stdint.h>

/* Longest module stream name kept (MODULESTREAMNAME, MBCS). */
#define VBA_NAME_MAX 64
/* Most modules read from one dir stream. */
#define VBA_MAX_MODULES 256

struct vba_module {
    char stream[VBA_NAME_MAX]; /* NUL-terminated, cut at VBA_NAME_MAX - 1 */
    uint32_t offset;           /* where the compressed source starts */
};

/*
 * Decompresses the CompressedContainer in[0..len) (MS-OVBA 2.4.1.3.1) into
 * out[0..cap). Returns the bytes written (never more than cap) and sets
 * *damaged when the container is malformed or cut (what was decoded before
 * stays in out). *full is set when the output stopped at cap.
 */
size_t vba_decompress(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                      int *damaged, int *full);

/*
 * Reads the decompressed dir stream d[0..len): fills m[0..max) with the
 * modules in order and returns how many (0: none, or not a dir stream).
 * Sets *damaged when the records run past the end.
 */
size_t vba_modules(const uint8_t *d, size_t len, struct vba_module *m, size_t max,
                   int *damaged);

#endif
