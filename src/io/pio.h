/* pio.h - whole positioned reads and writes. */
#ifndef VIGIL_IO_PIO_H
#define VIGIL_IO_PIO_H

#include <stddef.h>
#include <stdint.h>

/* Writes all n bytes of data at off, retrying short writes and EINTR.
 * Returns 0, or -1 with errno set (EIO for a write of nothing). */
int pwrite_all(int fd, const void *data, size_t n, uint64_t off);

/* Reads exactly n bytes at off into data. Returns 0, or -1 with errno set
 * (EIO when the file ends first). */
int pread_all(int fd, void *data, size_t n, uint64_t off);

#endif
