/* source.c - bounded byte sources over files and memory. Files are read with
 * pread rather than mapped: a file truncated under a mapping raises SIGBUS,
 * a file truncated under pread is a short read we can report. */
#include "io/source.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

vigil_status source_from_fd(struct source *s, int fd)
{
    struct stat sb;

    if (fd < 0 || fstat(fd, &sb) != 0)
        return VIGIL_EREAD;
    if (sb.st_size < 0)
        return VIGIL_EREAD;
    s->fd = fd;
    s->mem = NULL;
    s->size = (uint64_t)sb.st_size;
    return VIGIL_OK;
}

void source_from_memory(struct source *s, const void *data, size_t len)
{
    s->fd = -1;
    s->mem = data;
    s->size = len;
}

vigil_status source_read(const struct source *s, uint64_t off, void *buf,
                         size_t len, size_t *got)
{
    size_t done = 0;

    *got = 0;
    if (off >= s->size && s->mem)
        return VIGIL_OK;
    if (s->mem) {
        uint64_t left = s->size - off;
        done = len < left ? len : (size_t)left;
        memcpy(buf, s->mem + off, done);
        *got = done;
        return VIGIL_OK;
    }
    while (done < len) {
        ssize_t r = pread(s->fd, (uint8_t *)buf + done, len - done,
                          (off_t)(off + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return VIGIL_EREAD;
        if (r == 0)
            break;
        done += (size_t)r;
    }
    *got = done;
    return VIGIL_OK;
}
