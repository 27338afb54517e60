/* lzma.c - legacy .lzma ("LZMA_Alone") streams through liblzma. The header
 * is 13 bytes: properties (lc/lp/pb < 225), a dictionary size, and the
 * uncompressed size (all ones when unknown). Limits: output bounded by the
 * scan layer (stream.c); decoder memory capped at LZMA_MEMLIMIT. */
#include <lzma.h>
#include <stdlib.h>

#include "unpack/stream.h"

#define LZMA_MEMLIMIT ((uint64_t)128 << 20)

enum stream_step xz_step(void *state, const uint8_t *in, size_t in_len,
                         size_t *in_used, uint8_t *out, size_t out_len,
                         size_t *out_made);
void xz_end(void *state);

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* As file(1) and ClamAV type it: the common property byte 0x5d and a
 * power-of-two-ish dictionary size, then either an unknown size or one
 * below 2^40. */
static int lzma_detect(const uint8_t *buf, size_t len)
{
    uint32_t dict;

    if (len < 13 || buf[0] != 0x5d)
        return 0;
    dict = le32(buf + 1);
    if (dict < 4096 || (dict & (dict - 1)) != 0)
        return 0;
    if (le32(buf + 5) == UINT32_MAX && le32(buf + 9) == UINT32_MAX)
        return 1;
    return buf[10] == 0 && buf[11] == 0 && buf[12] == 0;
}

static vigil_status lzma_init(void **state)
{
    lzma_stream *z = malloc(sizeof *z);
    lzma_stream init = LZMA_STREAM_INIT;

    if (!z)
        return VIGIL_ENOMEM;
    *z = init;
    if (lzma_alone_decoder(z, LZMA_MEMLIMIT) != LZMA_OK) {
        free(z);
        return VIGIL_ENOMEM;
    }
    *state = z;
    return VIGIL_OK;
}

static const struct stream_codec lzma_codec = {
    .init = lzma_init, .step = xz_step, .end = xz_end};

static vigil_status lzma_walk(struct unpack *u)
{
    return stream_walk(u, &lzma_codec);
}

const struct vigil_format format_lzma = {
    .name = "LZMA",
    .detect = lzma_detect,
    .walk = lzma_walk,
};
