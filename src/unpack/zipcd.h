/* zipcd.h - ClamAV's overlapping-entry check of zip archives (zipcd.c). */
#ifndef VIGIL_UNPACK_ZIPCD_H
#define VIGIL_UNPACK_ZIPCD_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

/* Sets *bomb when the zip in b[0..len) has overlapping entries as ClamAV
 * counts them (Heuristics.Zip.OverlappingFiles); last receives the name of
 * the last central directory record read (NUL-terminated, cut to
 * last_cap), which is what clamscan names in the alert's layer path. */
vigil_status zipcd_check(const uint8_t *b, size_t len, int *bomb, char *last,
                         size_t last_cap);

#endif
