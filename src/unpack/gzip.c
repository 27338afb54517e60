/* gzip.c - gzip streams (RFC 1952) through zlib, concatenated members too
 * (each member's output follows the previous one, as gunzip writes them).
 * Limits: output bounded by the scan layer (stream.c); trailing bytes that
 * do not start another member end the stream. */
#include <stdlib.h>
#include <zlib.h>

#include "unpack/stream.h"

static int gzip_detect(const uint8_t *buf, size_t len)
{
    return len >= 10 && buf[0] == 0x1f && buf[1] == 0x8b && buf[2] == 8;
}

static vigil_status gzip_init(void **state)
{
    z_stream *z = calloc(1, sizeof *z);

    if (!z)
        return VIGIL_ENOMEM;
    if (inflateInit2(z, 16 + MAX_WBITS) != Z_OK) {
        free(z);
        return VIGIL_ENOMEM;
    }
    *state = z;
    return VIGIL_OK;
}

static enum stream_step gzip_step(void *state, const uint8_t *in, size_t in_len,
                                  size_t *in_used, uint8_t *out, size_t out_len,
                                  size_t *out_made)
{
    z_stream *z = state;
    int rc;

    z->next_in = (Bytef *)(uintptr_t)in;
    z->avail_in = (uInt)(in_len > UINT32_MAX ? UINT32_MAX : in_len);
    z->next_out = out;
    z->avail_out = (uInt)(out_len > UINT32_MAX ? UINT32_MAX : out_len);
    rc = inflate(z, Z_NO_FLUSH);
    *in_used = (size_t)(z->next_in - in);
    *out_made = (size_t)(z->next_out - out);
    if (rc == Z_MEM_ERROR)
        return STREAM_NOMEM;
    if (rc == Z_STREAM_END) {
        /* Another member follows only if its magic does. */
        size_t left = in_len - *in_used;
        const uint8_t *p = in + *in_used;
        if (left < 2 || p[0] != 0x1f || p[1] != 0x8b)
            return STREAM_END;
        return inflateReset(z) == Z_OK ? STREAM_MORE : STREAM_ERROR;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR)
        return STREAM_ERROR;
    return STREAM_MORE;
}

static void gzip_end(void *state)
{
    z_stream *z = state;

    inflateEnd(z);
    free(z);
}

static const struct stream_codec gzip_codec = {
    .init = gzip_init, .step = gzip_step, .end = gzip_end};

static vigil_status gzip_walk(struct unpack *u)
{
    return stream_walk(u, &gzip_codec);
}

const struct vigil_format format_gzip = {
    .name = "GZ",
    .detect = gzip_detect,
    .walk = gzip_walk,
};
