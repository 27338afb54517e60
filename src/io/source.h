/* source.h - a bounded byte source: a file descriptor read with pread, or a
 * buffer in memory. Parsers and matchers read objects only through this. */
#ifndef VIGIL_IO_SOURCE_H
#define VIGIL_IO_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

struct source {
    int fd;              /* -1 for memory */
    const uint8_t *mem;  /* NULL for a file */
    uint64_t size;       /* size when the scan started */
};

/* Sets up a source over fd, whose size is taken from fstat now. */
vigil_status source_from_fd(struct source *s, int fd);

/* Sets up a source over len bytes at data (not copied; must outlive s). */
void source_from_memory(struct source *s, const void *data, size_t len);

/* Reads up to len bytes at off into buf; *got is how many were read, fewer
 * only at the end of the object. VIGIL_EREAD on an I/O error. */
vigil_status source_read(const struct source *s, uint64_t off, void *buf,
                         size_t len, size_t *got);

#endif
