/* zstd.c - Zstandard frames (RFC 8878) through libzstd, concatenated
 * frames too; skippable frames are passed over by the library. Limits:
 * output bounded by the scan layer (stream.c); windows larger than
 * ZSTD_MAX_WINDOW_LOG are refused (decoder memory). */
#include <stdlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "unpack/stream.h"

#define ZSTD_MAX_WINDOW_LOG 27 /* 128 MiB */

static int zstd_detect(const uint8_t *buf, size_t len)
{
    return len >= 6 && buf[0] == 0x28 && buf[1] == 0xb5 && buf[2] == 0x2f &&
           buf[3] == 0xfd;
}

static vigil_status zstd_init(void **state)
{
    ZSTD_DCtx *z = ZSTD_createDCtx();

    if (!z)
        return VIGIL_ENOMEM;
    if (ZSTD_isError(ZSTD_DCtx_setParameter(z, ZSTD_d_windowLogMax, ZSTD_MAX_WINDOW_LOG))) {
        ZSTD_freeDCtx(z);
        return VIGIL_ENOMEM;
    }
    *state = z;
    return VIGIL_OK;
}

static enum stream_step zstd_step(void *state, const uint8_t *in, size_t in_len,
                                  size_t *in_used, uint8_t *out, size_t out_len,
                                  size_t *out_made)
{
    ZSTD_inBuffer ib = {in, in_len, 0};
    ZSTD_outBuffer ob = {out, out_len, 0};
    size_t rc = ZSTD_decompressStream(state, &ob, &ib);

    *in_used = ib.pos;
    *out_made = ob.pos;
    if (ZSTD_isError(rc))
        return ZSTD_getErrorCode(rc) == ZSTD_error_memory_allocation ? STREAM_NOMEM
                                                                     : STREAM_ERROR;
    if (rc == 0 && ib.pos == in_len)
        return STREAM_END; /* a frame ended with the input */
    return STREAM_MORE;
}

static void zstd_end(void *state)
{
    ZSTD_freeDCtx(state);
}

static const struct stream_codec zstd_codec = {
    .init = zstd_init, .step = zstd_step, .end = zstd_end};

static vigil_status zstd_walk(struct unpack *u)
{
    return stream_walk(u, &zstd_codec);
}

const struct vigil_format format_zstd = {
    .name = "ZSTD",
    .detect = zstd_detect,
    .walk = zstd_walk,
};
