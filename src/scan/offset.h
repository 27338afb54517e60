/* offset.h - where a body signature may start: ClamAV's offset field.
 *   *        anywhere
 *   n        at n              EOF-n    at size - n
 *   EP+n     entry point + n   EP-n     entry point - n
 *   Sx+n     section x + n     SEx      anywhere inside section x
 *   SL+n     last section + n
 *   $g       member of macro group g (0-31) of logical signatures: anywhere,
 *            never a detection of its own (see lsig.c)
 *   VI       where the key of a PE's version information string starts
 *            (scan/pe_vinfo.c); anything after "VI" is ignored
 * Every form but * may float: "FORM,m" allows a start from FORM to FORM + m.
 * EP, section and VI forms need an executable's layout (PE, ELF, Mach-O). */
#ifndef VIGIL_SCAN_OFFSET_H
#define VIGIL_SCAN_OFFSET_H

#include <stddef.h>
#include <stdint.h>

enum offset_kind {
    OFF_ANY,
    OFF_ABS,
    OFF_EOF,     /* size - n */
    OFF_EP_PLUS, /* ep + n */
    OFF_EP_MINUS,
    OFF_SECT,      /* section x + n */
    OFF_SECT_WHOLE, /* inside section x */
    OFF_SECT_LAST, /* last section + n */
    OFF_MACRO,     /* macro group n */
    OFF_VERSION,   /* VI: the key of a PE version information string */
};

struct offset_spec {
    uint8_t kind;
    uint32_t section;
    uint64_t n;
    uint64_t shift; /* floating: start may be up to shift bytes later */
};

/* An executable's layout as far as offsets need it; valid == 0 when the
 * object is not an executable vigil can read. */
struct exe_layout {
    int valid;
    uint64_t ep;      /* file offset of the entry point */
    uint32_t nsect;
    const uint64_t *sect_off, *sect_size; /* file offset and raw size */
    const uint32_t *vinfo; /* VI offsets, sorted (PE only) */
    uint32_t nvinfo;
};

/* Parses an offset field. Returns NULL, or ClamAV's reason it is invalid;
 * exe_ok says whether EP/section forms are allowed (target 1, 6, 9). */
const char *offset_parse(const char *s, size_t n, int exe_ok, struct offset_spec *out);

/* Computes the window [*lo, *hi] of allowed match starts in an object of
 * size bytes. Returns 0 when the signature cannot match here at all. */
int offset_window(const struct offset_spec *o, uint64_t size,
                  const struct exe_layout *exe, uint64_t *lo, uint64_t *hi);

#endif
