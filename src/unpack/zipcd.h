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

/* One member as its central directory record describes it. */
struct zipcd_entry {
    uint64_t csize, usize, crc;
    unsigned flags, method; /* general purpose flags, compression method */
    uint64_t data; /* offset of its data after the local header, or
                    * UINT64_MAX when the local header is not there */
};

/* If the next central directory record is named name, fills *m, advances
 * and returns 1; else returns 0. */
int zipcd_iter_next(struct zipcd_iter *it, const char *name, struct zipcd_entry *m);

#endif
