/* mspack.c - libmspack's mspack_system over memory (see mspack.h).
 * Limits: reads are bounded by the object; writes stop at the scan
 * layer's budget (unpack_budget: size, ratio, time), reported as a cut. */
#include "unpack/mspack.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct msp_file {
    struct msp_sys *m;
    const struct msp_name *name;
    size_t off; /* input position */
};

static struct mspack_file *msp_open(struct mspack_system *self, const char *filename,
                                    int mode)
{
    struct msp_sys *m = (struct msp_sys *)self;
    const struct msp_name *n = (const struct msp_name *)(const void *)filename;
    struct msp_file *f;

    if (!n || (mode == MSPACK_SYS_OPEN_READ) == n->output)
        return NULL;
    if (mode != MSPACK_SYS_OPEN_READ && mode != MSPACK_SYS_OPEN_WRITE)
        return NULL;
    f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->m = m;
    f->name = n;
    return (struct mspack_file *)f;
}

static void msp_close(struct mspack_file *file)
{
    free(file);
}

static int msp_read(struct mspack_file *file, void *buf, int bytes)
{
    struct msp_file *f = (struct msp_file *)file;
    struct unpack *u = f->m->u;
    size_t n;

    if (bytes < 0 || f->name->output)
        return -1;
    n = u->len - f->off;
    if (n > (size_t)bytes)
        n = (size_t)bytes;
    memcpy(buf, u->data + f->off, n);
    f->off += n;
    f->m->in_read += n;
    return (int)n;
}

static int msp_write(struct mspack_file *file, void *buf, int bytes)
{
    struct msp_file *f = (struct msp_file *)file;
    struct msp_sys *m = f->m;
    struct outbuf *b = f->name->out;
    size_t room;

    if (bytes < 0 || !f->name->output)
        return -1;
    outbuf_limit(b, unpack_budget(m->u, b->len + (size_t)bytes,
                                  m->in_read - m->out_read_mark, &m->stop));
    if (m->stop)
        return -1;
    if (outbuf_reserve(b, (size_t)bytes, &room) != VIGIL_OK)
        return -1;
    if (room < (size_t)bytes) {
        memcpy(b->p + b->len, buf, room);
        b->len += room;
        m->cut = 1;
        return -1;
    }
    memcpy(b->p + b->len, buf, (size_t)bytes);
    b->len += (size_t)bytes;
    return bytes;
}

static int msp_seek(struct mspack_file *file, off_t off, int mode)
{
    struct msp_file *f = (struct msp_file *)file;
    size_t len = f->m->u->len;
    off_t base = mode == MSPACK_SYS_SEEK_START ? 0
                 : mode == MSPACK_SYS_SEEK_CUR ? (off_t)f->off
                                               : (off_t)len;

    if (f->name->output || off < -base || off > (off_t)len - base)
        return -1;
    f->off = (size_t)(base + off);
    return 0;
}

static off_t msp_tell(struct mspack_file *file)
{
    return (off_t)((struct msp_file *)file)->off;
}

static void msp_message(struct mspack_file *file, const char *fmt, ...)
{
    (void)file;
    (void)fmt; /* the library never prints */
}

static void *msp_alloc(struct mspack_system *self, size_t bytes)
{
    (void)self;
    return malloc(bytes);
}

static void msp_free(void *p)
{
    free(p);
}

static void msp_copy(void *src, void *dst, size_t bytes)
{
    memmove(dst, src, bytes);
}

void msp_sys_init(struct msp_sys *m, struct unpack *u)
{
    memset(m, 0, sizeof *m);
    m->sys = (struct mspack_system){
        .open = msp_open,   .close = msp_close, .read = msp_read,
        .write = msp_write, .seek = msp_seek,   .tell = msp_tell,
        .message = msp_message, .alloc = msp_alloc, .free = msp_free,
        .copy = msp_copy,   .null_ptr = NULL};
    m->u = u;
    m->in.output = 0;
}

const char *msp_in_name(struct msp_sys *m)
{
    return (const char *)(const void *)&m->in;
}

int msp_child(struct msp_sys *m, const char *name,
              int (*extract)(void *ctx, const char *out_name), void *ctx,
              vigil_status *st)
{
    struct outbuf b;
    struct msp_name out = {1, &b};
    int err, stop;

    *st = VIGIL_OK;
    outbuf_init(&b, 0);
    m->cut = 0;
    m->out_read_mark = m->in_read;
    err = extract(ctx, (const char *)(const void *)&out);
    if (m->cut)
        unpack_too_big(m->u, name);
    else if (err && !m->stop)
        unpack_damaged(m->u);
    stop = unpack_child(m->u, b.p ? b.p : (const uint8_t *)"", b.len, name,
                        m->in_read - m->out_read_mark, st);
    outbuf_free(&b);
    return stop || m->stop;
}
