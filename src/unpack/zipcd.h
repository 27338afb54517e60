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

/* Walks the central directory in order, for the metadata of each member
 * as a reader that follows it (libarchive's seekable zip reader) returns
 * them. */
struct zipcd_iter {
    const uint8_t *b;
    size_t len, pos;
    int ok; /* 0: no central directory found */
};

void zipcd_iter_init(struct zipcd_iter *it, const uint8_t *b, size_t len);

/* If the next central directory record is named name, fills its
 * compressed size and CRC-32, advances and returns 1; else returns 0. */
int zipcd_iter_next(struct zipcd_iter *it, const char *name, uint64_t *csize,
                    uint64_t *crc);

#endif
