/* stream.c - decode a compressed stream into one bounded child buffer.
 * Limits: the buffer never grows past what unpack_budget() allows (file
 * size, scan size left); decoding stops when the scan layer's ratio or
 * time limit says so. Decoders are given all the input left but consume
 * only what the output room needs, so the consumed-input figure behind the
 * ratio stays close. */
#include "unpack/stream.h"

#include "unpack/outbuf.h"

#define STREAM_OUT_STEP ((size_t)1 << 20)

struct stream_run {
    struct unpack *u;
    const struct stream_codec *codec;
    void *state;
    struct outbuf out;
    size_t in_off;
    int cut; /* stopped at the budget: the child is incomplete */
};

/* One decode step; returns the codec's verdict, STREAM_END when the budget
 * ended decoding. */
static enum stream_step stream_once(struct stream_run *r)
{
    struct unpack *u = r->u;
    size_t in_len = u->len - r->in_off, used = 0, made = 0, room, max;
    int stop = 0;
    enum stream_step rc;

    max = unpack_budget(u, r->out.len, r->in_off, &stop);
    if (stop)
        return STREAM_END;
    outbuf_limit(&r->out, max);
    if (outbuf_reserve(&r->out, STREAM_OUT_STEP, &room) != VIGIL_OK)
        return STREAM_NOMEM;
    if (room == 0) {
        r->cut = 1;
        return STREAM_END;
    }
    rc = r->codec->step(r->state, u->data + r->in_off, in_len, &used,
                        r->out.p + r->out.len, room, &made);
    r->in_off += used;
    r->out.len += made;
    if (rc == STREAM_MORE && used == 0 && made == 0)
        rc = STREAM_ERROR; /* no progress: input ended before the stream did */
    return rc;
}

vigil_status stream_walk(struct unpack *u, const struct stream_codec *codec)
{
    struct stream_run r = {.u = u, .codec = codec};
    enum stream_step rc = STREAM_MORE;
    vigil_status st = VIGIL_OK;

    outbuf_init(&r.out, 0);
    if (codec->init(&r.state) != VIGIL_OK)
        return VIGIL_ENOMEM;
    while (rc == STREAM_MORE)
        rc = stream_once(&r);
    codec->end(r.state);
    if (rc == STREAM_NOMEM) {
        st = VIGIL_ENOMEM;
        goto out;
    }
    if (rc == STREAM_ERROR)
        unpack_damaged(u);
    if (r.cut)
        unpack_too_big(u, NULL);
    if (r.out.len > 0)
        (void)unpack_child(u, r.out.p, r.out.len, NULL, r.in_off, &st);
out:
    outbuf_free(&r.out);
    return st;
}
