/* outbuf.h - the output buffer of a decoder: grows by doubling up to a hard
 * maximum set at creation; growing past it is refused, never reallocated. */
#ifndef VIGIL_UNPACK_OUTBUF_H
#define VIGIL_UNPACK_OUTBUF_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

struct outbuf {
    uint8_t *p;
    size_t len, cap, max;
};

/* An empty buffer that will never hold more than max bytes. */
void outbuf_init(struct outbuf *b, size_t max);
void outbuf_free(struct outbuf *b);

/* Makes room for at least want more bytes (fewer if max is near): returns
 * the free space at b->p + b->len in *room (0 when the buffer is full at
 * max). VIGIL_ENOMEM when memory runs out. */
vigil_status outbuf_reserve(struct outbuf *b, size_t want, size_t *room);

/* Lowers the maximum (never below the current length). */
void outbuf_limit(struct outbuf *b, size_t max);

#endif
