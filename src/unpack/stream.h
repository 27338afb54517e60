/* stream.h - the loop shared by the compressed-stream walkers (gzip, bzip2,
 * xz, lzma, zstd): decode the whole object into one bounded buffer in
 * steps, asking the scan layer after each step how far it may grow (file
 * size, scan size, ratio and time limits), then hand it over as the one
 * unnamed child. */
#ifndef VIGIL_UNPACK_STREAM_H
#define VIGIL_UNPACK_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "unpack/format.h"

enum stream_step {
    STREAM_MORE,  /* call again */
    STREAM_END,   /* the stream (all members) ended cleanly */
    STREAM_ERROR, /* corrupt or truncated input: keep what was decoded */
    STREAM_NOMEM
};

/* One decoder. step decodes from in[0..in_len) into out[0..out_len),
 * reporting what it consumed and produced; it is called with out_len 0
 * never, and with in_len 0 when all input was given (to flush). */
struct stream_codec {
    vigil_status (*init)(void **state);
    enum stream_step (*step)(void *state, const uint8_t *in, size_t in_len,
                             size_t *in_used, uint8_t *out, size_t out_len,
                             size_t *out_made);
    void (*end)(void *state);
};

/* Decodes u's object with codec and scans the result as its child. */
vigil_status stream_walk(struct unpack *u, const struct stream_codec *codec);

#endif
