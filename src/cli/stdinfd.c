/* stdinfd.c - standard input as a scannable descriptor (see stdinfd.h). */
#include "cli/stdinfd.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes all of buf to fd; returns 0 or an errno. */
static int write_all(int fd, const char *buf, size_t len)
{
    ssize_t n;

    while (len) {
        n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Copies in to out, keeping at most keep bytes (0: all). */
static int copy_stream(int in, int out, uint64_t keep)
{
    char buf[65536];
    uint64_t total = 0;
    size_t take;
    ssize_t n;
    int err;

    for (;;) {
        n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno;
        if (n == 0)
            return 0;
        take = (size_t)n;
        if (keep && total + take > keep)
            take = total >= keep ? 0 : (size_t)(keep - total);
        if (take && (err = write_all(out, buf, take)))
            return err;
        total += (uint64_t)n;
    }
}

int stdinfd_open(int in, uint64_t max, int *out)
{
    struct stat st;
    int fd, err;

    *out = -1;
    if (fstat(in, &st) == 0 && S_ISREG(st.st_mode) && lseek(in, 0, SEEK_CUR) == 0) {
        fd = fcntl(in, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
            return errno;
        /* The input counts as read: a second "-" finds it at its end, as
         * it would a pipe. */
        lseek(in, 0, SEEK_END);
        *out = fd;
        return 0;
    }
    fd = memfd_create("vigil-stdin", MFD_CLOEXEC);
    if (fd < 0)
        return errno;
    err = copy_stream(in, fd, max ? max + 1 : 0);
    if (err) {
        close(fd);
        return err;
    }
    *out = fd;
    return 0;
}
