/* xz.c - .xz streams through liblzma (concatenated streams and padding, as
 * xz -d accepts them). Limits: output bounded by the scan layer
 * (stream.c); the decoder's memory use is capped at XZ_MEMLIMIT. */
#include <lzma.h>
#include <stdlib.h>

#include "unpack/stream.h"

/* liblzma refuses streams whose dictionary needs more than this. */
#define XZ_MEMLIMIT ((uint64_t)128 << 20)

static int xz_detect(const uint8_t *buf, size_t len)
{
    static const uint8_t magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0};

    for (size_t i = 0; i < 6; i++)
        if (i >= len || buf[i] != magic[i])
            return 0;
    return 1;
}

static vigil_status xz_init(void **state)
{
    lzma_stream *z = malloc(sizeof *z);
    lzma_stream init = LZMA_STREAM_INIT;

    if (!z)
        return VIGIL_ENOMEM;
    *z = init;
    if (lzma_stream_decoder(z, XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK) {
        free(z);
        return VIGIL_ENOMEM;
    }
    *state = z;
    return VIGIL_OK;
}

/* The step shared with lzma.c: run the decoder, finishing at end of input. */
enum stream_step xz_step(void *state, const uint8_t *in, size_t in_len,
                         size_t *in_used, uint8_t *out, size_t out_len,
                         size_t *out_made);

enum stream_step xz_step(void *state, const uint8_t *in, size_t in_len,
                         size_t *in_used, uint8_t *out, size_t out_len,
                         size_t *out_made)
{
    lzma_stream *z = state;
    lzma_ret rc;

    z->next_in = in;
    z->avail_in = in_len;
    z->next_out = out;
    z->avail_out = out_len;
    rc = lzma_code(z, in_len ? LZMA_RUN : LZMA_FINISH);
    *in_used = in_len - z->avail_in;
    *out_made = out_len - z->avail_out;
    if (rc == LZMA_STREAM_END)
        return STREAM_END;
    if (rc == LZMA_MEM_ERROR)
        return STREAM_NOMEM;
    if (rc == LZMA_OK)
        return STREAM_MORE;
    return STREAM_ERROR;
}

/* Frees a decoder made by xz_init or lzma.c. */
void xz_end(void *state);

void xz_end(void *state)
{
    lzma_stream *z = state;

    lzma_end(z);
    free(z);
}

static const struct stream_codec xz_codec = {.init = xz_init, .step = xz_step, .end = xz_end};

static vigil_status xz_walk(struct unpack *u)
{
    return stream_walk(u, &xz_codec);
}

const struct vigil_format format_xz = {
    .name = "XZ",
    .detect = xz_detect,
    .walk = xz_walk,
};
