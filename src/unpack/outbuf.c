/* outbuf.c - bounded decoder output buffers (see outbuf.h). */
#include "unpack/outbuf.h"

#include <stdlib.h>

void outbuf_init(struct outbuf *b, size_t max)
{
    b->p = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

void outbuf_free(struct outbuf *b)
{
    free(b->p);
    outbuf_init(b, 0);
}

void outbuf_limit(struct outbuf *b, size_t max)
{
    b->max = max < b->len ? b->len : max;
}

vigil_status outbuf_reserve(struct outbuf *b, size_t want, size_t *room)
{
    size_t cap = b->cap ? b->cap : 64 * 1024;
    uint8_t *p;

    if (b->cap - b->len >= want || b->cap >= b->max) {
        *room = (b->cap < b->max ? b->cap : b->max) - b->len;
        return VIGIL_OK;
    }
    while (cap - b->len < want && cap < b->max)
        cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
    if (cap > b->max)
        cap = b->max;
    p = realloc(b->p, cap);
    if (!p)
        return VIGIL_ENOMEM;
    b->p = p;
    b->cap = cap;
    *room = cap - b->len;
    return VIGIL_OK;
}
