/* lines.c - database line iteration, from memory or streamed from a file
 * through one fixed buffer, so a database of any size costs one buffer. */
#include "db/lines.h"

#include <errno.h>
#include <unistd.h>

void lines_init_mem(struct lines *it, const char *data, size_t len)
{
    it->p = data;
    it->end = data + len;
    it->lineno = 0;
    it->fd = -1;
    it->buf = NULL;
    it->bufsize = 0;
    it->eof = 1;
    it->error = VIGIL_OK;
    it->toolong = 0;
}

void lines_init_fd(struct lines *it, int fd, char *buf, size_t bufsize)
{
    lines_init_mem(it, buf, 0);
    it->fd = fd;
    it->buf = buf;
    it->bufsize = bufsize;
    it->eof = 0;
}

/* Moves the unread bytes to the front of the buffer and reads more after
 * them. Returns 0, or -1 on a read error. */
static int lines_refill(struct lines *it)
{
    size_t keep = (size_t)(it->end - it->p);
    ssize_t r;

    memmove(it->buf, it->p, keep);
    it->p = it->buf;
    it->end = it->buf + keep;
    while (keep < it->bufsize) {
        r = read(it->fd, it->buf + keep, it->bufsize - keep);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            it->error = VIGIL_EREAD;
            return -1;
        }
        if (r == 0) {
            it->eof = 1;
            break;
        }
        keep += (size_t)r;
        it->end = it->buf + keep;
    }
    return 0;
}

int lines_next(struct lines *it, const char **line, size_t *len)
{
    const char *s, *nl;
    size_t n;

    nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
    if (!nl && !it->eof) {
        if (lines_refill(it) != 0)
            return 0;
        nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
    }
    s = it->p;
    if (s >= it->end)
        return 0;
    n = nl ? (size_t)(nl - s) : (size_t)(it->end - s);
    if (!nl && !it->eof) {
        /* No newline in a full buffer: the line is too long. */
        *line = s;
        *len = LINES_MAX_LEN + 1;
        it->toolong = 1;
        it->lineno++;
        it->p = it->end;
        return 1;
    }
    it->p = nl ? nl + 1 : it->end;
    it->toolong = 0;
    while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    it->lineno++;
    *line = s;
    *len = n;
    return 1;
}

size_t lines_split(const char *line, size_t len, char delim, struct field *f,
                   size_t max)
{
    size_t count = 0;
    const char *end = line + len;

    while (count < max) {
        const char *d = memchr(line, delim, (size_t)(end - line));
        f[count].s = line;
        f[count].n = d ? (size_t)(d - line) : (size_t)(end - line);
        count++;
        if (!d)
            break;
        line = d + 1;
    }
    return count;
}
