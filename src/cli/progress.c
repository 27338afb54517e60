/* progress.c - the self-overwriting status line (see progress.h). */
#include "cli/progress.h"

#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* The line waits this long before it first appears, so quick scans never
 * show it, and is redrawn at most this often. */
#define PROGRESS_DELAY_MS 1000
#define PROGRESS_PERIOD_MS 100
#define PROGRESS_MIN_WIDTH 20u
#define PROGRESS_MAX_WIDTH 1024u

static int64_t ms_between(const struct timespec *a, const struct timespec *b)
{
    return ((int64_t)b->tv_sec - (int64_t)a->tv_sec) * 1000 +
           (b->tv_nsec - a->tv_nsec) / 1000000;
}

void progress_init(struct progress *p, bool enabled, int fd)
{
    memset(p, 0, sizeof *p);
    p->enabled = enabled;
    p->fd = fd;
    clock_gettime(CLOCK_MONOTONIC, &p->start);
}

/* Writes all of buf; the line is cosmetic, so a failed write is dropped. */
static void put(int fd, const char *buf, size_t len)
{
    ssize_t n;

    while (len) {
        n = write(fd, buf, len);
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

static unsigned term_width(int fd)
{
    struct winsize ws;

    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

/* Appends the path as printable ASCII only, so that no name can move the
 * cursor or change the terminal; keeps the last max characters. */
static void add_path(struct strbuf *sb, const char *path, size_t max)
{
    size_t len = strlen(path);
    const char *p = path;

    if (max < 4)
        return;
    if (len > max) {
        strbuf_adds(sb, "...");
        p = path + len - (max - 3);
    }
    for (; *p; p++)
        strbuf_addc(sb, (*p >= 0x20 && *p < 0x7f) ? *p : '?');
}

void progress_format(struct strbuf *sb, uint64_t files, uint64_t bytes, double seconds,
                     const char *path, unsigned width)
{
    double mb = (double)bytes / (1024.0 * 1024.0);
    double rate = seconds > 0 ? mb / seconds : 0;
    size_t base = sb->len, head_len, room;

    if (width > PROGRESS_MAX_WIDTH)
        width = PROGRESS_MAX_WIDTH;
    /* One column stays free: writing the last column wraps some terminals. */
    room = width > 1 ? width - 1 : 0;
    strbuf_addf(sb, "Scanning: %" PRIu64 " files, %.1f MB, %.1f MB/s", files, mb, rate);
    head_len = sb->len - base;
    if (path && *path && head_len + 2 < room) {
        strbuf_adds(sb, ": ");
        add_path(sb, path, room - head_len - 2);
    }
    if (sb->len - base > room && sb->data) {
        sb->len = base + room;
        sb->data[sb->len] = '\0';
    }
}

void progress_update(struct progress *p, uint64_t files, uint64_t bytes, const char *path)
{
    struct timespec now;
    struct strbuf sb;
    unsigned width;

    if (!p->enabled)
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (ms_between(&p->start, &now) < PROGRESS_DELAY_MS)
        return;
    /* Rate-limited even after a wipe, so that a stream of result lines on
     * the same terminal does not redraw the line once per file. */
    if (p->drawn && ms_between(&p->last, &now) < PROGRESS_PERIOD_MS)
        return;
    width = term_width(p->fd);
    if (width < PROGRESS_MIN_WIDTH)
        return;
    strbuf_init(&sb, PROGRESS_MAX_WIDTH + 16);
    strbuf_adds(&sb, "\r\033[K");
    progress_format(&sb, files, bytes, (double)ms_between(&p->start, &now) / 1000.0, path,
                    width);
    put(p->fd, strbuf_str(&sb), sb.len);
    strbuf_free(&sb);
    p->shown = true;
    p->drawn = true;
    p->last = now;
}

void progress_clear(struct progress *p)
{
    if (!p->shown)
        return;
    put(p->fd, "\r\033[K", 4);
    p->shown = false;
}
