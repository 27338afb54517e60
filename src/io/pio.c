/* pio.c - whole positioned reads and writes (pio.h). */
#include "io/pio.h"

#include <errno.h>
#include <unistd.h>

int pwrite_all(int fd, const void *data, size_t n, uint64_t off)
{
    const uint8_t *p = data;

    while (n) {
        ssize_t w = pwrite(fd, p, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        p += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

int pread_all(int fd, void *data, size_t n, uint64_t off)
{
    uint8_t *p = data;

    while (n) {
        ssize_t r = pread(fd, p, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = EIO; /* the file is shorter than it must be */
            return -1;
        }
        p += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return 0;
}
