/* bzip2.c - bzip2 streams through libbz2, concatenated streams too.
 * Limits: output bounded by the scan layer (stream.c). */
#include <bzlib.h>
#include <stdlib.h>

#include "unpack/stream.h"

static int bzip2_detect(const uint8_t *buf, size_t len)
{
    return len >= 10 && buf[0] == 'B' && buf[1] == 'Z' && buf[2] == 'h' &&
           buf[3] >= '1' && buf[3] <= '9' && buf[4] == 0x31 && buf[5] == 0x41;
}

static vigil_status bzip2_init(void **state)
{
    bz_stream *z = calloc(1, sizeof *z);

    if (!z)
        return VIGIL_ENOMEM;
    if (BZ2_bzDecompressInit(z, 0, 0) != BZ_OK) {
        free(z);
        return VIGIL_ENOMEM;
    }
    *state = z;
    return VIGIL_OK;
}

static enum stream_step bzip2_step(void *state, const uint8_t *in, size_t in_len,
                                   size_t *in_used, uint8_t *out, size_t out_len,
                                   size_t *out_made)
{
    bz_stream *z = state;
    unsigned ilen = (unsigned)(in_len > UINT32_MAX ? UINT32_MAX : in_len);
    unsigned olen = (unsigned)(out_len > UINT32_MAX ? UINT32_MAX : out_len);
    int rc;

    z->next_in = (char *)(uintptr_t)in;
    z->avail_in = ilen;
    z->next_out = (char *)out;
    z->avail_out = olen;
    rc = BZ2_bzDecompress(z);
    *in_used = ilen - z->avail_in;
    *out_made = olen - z->avail_out;
    if (rc == BZ_MEM_ERROR)
        return STREAM_NOMEM;
    if (rc == BZ_STREAM_END) {
        size_t left = in_len - *in_used;
        if (left < 10 || !bzip2_detect(in + *in_used, left))
            return STREAM_END;
        BZ2_bzDecompressEnd(z);
        return BZ2_bzDecompressInit(z, 0, 0) == BZ_OK ? STREAM_MORE : STREAM_NOMEM;
    }
    return rc == BZ_OK ? STREAM_MORE : STREAM_ERROR;
}

static void bzip2_end(void *state)
{
    bz_stream *z = state;

    BZ2_bzDecompressEnd(z);
    free(z);
}

static const struct stream_codec bzip2_codec = {
    .init = bzip2_init, .step = bzip2_step, .end = bzip2_end};

static vigil_status bzip2_walk(struct unpack *u)
{
    return stream_walk(u, &bzip2_codec);
}

const struct vigil_format format_bzip2 = {
    .name = "BZ",
    .detect = bzip2_detect,
    .walk = bzip2_walk,
};
