/* nsis.c - Nullsoft (NSIS) installers: the data behind the "firstheader"
 * (flags, 0xdeadbeef, "NullsoftInst", header size, archive size) that
 * NSIS appends to its stub. The compressed script header comes first, then
 * every file, each as an unnamed child, as ClamAV's cli_scannulsft()
 * (libclamav/nsis/nulsft.c) extracts them: non-solid archives are a list
 * of (size | 0x80000000 if compressed, data) blocks, solid ones a single
 * compressed stream of (size, data) records.
 * Decoders: NSIS's LZMA is the LZMA SDK's (5 property bytes, then a raw
 * LZMA1 stream: liblzma's raw decoder); its zlib is raw deflate (zlib with
 * -MAX_WBITS). NSIS's bzip2 drops the stream header, the 48-bit block
 * magic, the block and combined CRCs and the randomised bit (a block
 * starts with the byte 0x31, the end with 0x17; see ClamAV's
 * nsis/bzlib.c): nsisbz.c rebuilds each block for libbz2.
 * Limits: every block is checked against the object; each child's output
 * is bounded by unpack_budget(); a decoder that makes no progress for
 * NSIS_MAX_IDLE calls ends the walk; at most NSIS_MAX_FILES blocks. */
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "unpack/format.h"
#include "unpack/nsisbz.h"
#include "unpack/outbuf.h"

#define NSIS_HDR 0x1c
#define NSIS_MAX_IDLE 20
#define NSIS_MAX_FILES 100000
#define NSIS_STEP ((size_t)1 << 16)
#define NSIS_LZMA_MEMLIMIT ((uint64_t)128 << 20)

enum { COMP_BZIP2 = 1, COMP_LZMA, COMP_ZLIB };

/* One decoder over an input held in memory. */
struct nsis_dec {
    int comp;
    int live; /* z or lz is initialised */
    z_stream z;
    lzma_stream lz;
    struct nsisbz *bz;
};

enum dec_rc { DEC_MORE, DEC_END, DEC_ERROR, DEC_NOMEM };

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static int nsis_detect(const uint8_t *buf, size_t len)
{
    return len >= NSIS_HDR && memcmp(buf + 4, "\xef\xbe\xad\xdeNullsoftInst", 16) == 0;
}

/* ClamAV's guess of a block's compression from its first bytes. */
static int nsis_detcomp(const uint8_t *b)
{
    if (b[0] == '1')
        return COMP_BZIP2;
    if ((le32(b) & ~0x80000000u) == 0x5d)
        return COMP_LZMA;
    return COMP_ZLIB;
}

static void dec_end(struct nsis_dec *d)
{
    if (d->live && d->comp == COMP_ZLIB)
        inflateEnd(&d->z);
    if (d->live && d->comp == COMP_LZMA)
        lzma_end(&d->lz);
    if (d->live && d->comp == COMP_BZIP2)
        nsisbz_free(d->bz);
    d->live = 0;
}

/* Starts the decoder on in[0..len); LZMA consumes its 5 property bytes
 * (*used). */
static enum dec_rc dec_start(struct nsis_dec *d, const uint8_t *in, size_t len, size_t *used)
{
    lzma_stream init = LZMA_STREAM_INIT;
    lzma_filter f[2] = {{LZMA_FILTER_LZMA1, NULL}, {LZMA_VLI_UNKNOWN, NULL}};
    lzma_ret lr;

    *used = 0;
    if (d->comp == COMP_BZIP2) {
        if (!(d->bz = nsisbz_new(in, len)))
            return DEC_NOMEM;
        d->live = 1;
        return DEC_MORE;
    }
    if (d->comp == COMP_ZLIB) {
        memset(&d->z, 0, sizeof d->z);
        if (inflateInit2(&d->z, -MAX_WBITS) != Z_OK)
            return DEC_NOMEM;
        d->live = 1;
        return DEC_MORE;
    }
    if (d->comp != COMP_LZMA || len < 5)
        return DEC_ERROR;
    d->lz = init;
    if (lzma_properties_decode(&f[0], NULL, in, 5) != LZMA_OK)
        return DEC_ERROR;
    /* Raw decoders take no memory limit: check the dictionary's cost. */
    if (lzma_raw_decoder_memusage(f) > NSIS_LZMA_MEMLIMIT) {
        free(f[0].options);
        return DEC_ERROR;
    }
    lr = lzma_raw_decoder(&d->lz, f);
    free(f[0].options);
    if (lr != LZMA_OK)
        return lr == LZMA_MEM_ERROR ? DEC_NOMEM : DEC_ERROR;
    d->live = 1;
    *used = 5;
    return DEC_MORE;
}

/* One decoding step from in[0..in_len) into out[0..out_len) (bzip2: from
 * the input given to dec_start, which the decoder keeps). */
static enum dec_rc dec_step(struct nsis_dec *d, const uint8_t *in, size_t in_len,
                            size_t *used, uint8_t *out, size_t out_len, size_t *made)
{
    if (d->comp == COMP_BZIP2) {
        static const enum dec_rc map[] = {DEC_MORE, DEC_END, DEC_ERROR, DEC_NOMEM};
        return map[nsisbz_read(d->bz, out, out_len, made, used)];
    }
    if (d->comp == COMP_ZLIB) {
        int rc;
        d->z.next_in = (Bytef *)(uintptr_t)in;
        d->z.avail_in = (uInt)(in_len > UINT32_MAX ? UINT32_MAX : in_len);
        d->z.next_out = out;
        d->z.avail_out = (uInt)(out_len > UINT32_MAX ? UINT32_MAX : out_len);
        rc = inflate(&d->z, Z_NO_FLUSH);
        *used = (size_t)(d->z.next_in - in);
        *made = (size_t)(d->z.next_out - out);
        if (rc == Z_STREAM_END)
            return DEC_END;
        if (rc == Z_MEM_ERROR)
            return DEC_NOMEM;
        return rc == Z_OK || rc == Z_BUF_ERROR ? DEC_MORE : DEC_ERROR;
    } else {
        lzma_ret rc;
        d->lz.next_in = in;
        d->lz.avail_in = in_len;
        d->lz.next_out = out;
        d->lz.avail_out = out_len;
        rc = lzma_code(&d->lz, LZMA_RUN);
        *used = in_len - d->lz.avail_in;
        *made = out_len - d->lz.avail_out;
        if (rc == LZMA_STREAM_END)
            return DEC_END;
        if (rc == LZMA_MEM_ERROR)
            return DEC_NOMEM;
        return rc == LZMA_OK || rc == LZMA_BUF_ERROR ? DEC_MORE : DEC_ERROR;
    }
}

/* The walk of one installer. */
struct nsis_run {
    struct unpack *u;
    struct nsis_dec d;
    size_t pos;   /* next block (non-solid) or next compressed byte (solid) */
    size_t end;   /* end of the archive data in u->data */
    uint32_t asz; /* archive bytes left, as ClamAV counts them */
    int solid;
};

/* Decodes from the run's input into b until b holds want bytes more, the
 * stream ends or fails, or the budget cuts it (*cut). */
static enum dec_rc nsis_fill(struct nsis_run *r, struct outbuf *b, size_t want, int *cut)
{
    const uint8_t *in = r->u->data;
    size_t goal = b->len + want, idle = 0;

    while (b->len < goal) {
        size_t used = 0, made = 0, room, ask = goal - b->len;
        enum dec_rc rc;
        if (outbuf_reserve(b, ask < NSIS_STEP ? ask : NSIS_STEP, &room) != VIGIL_OK)
            return DEC_NOMEM;
        if (room == 0) {
            *cut = 1;
            return DEC_MORE;
        }
        if (room > ask)
            room = ask;
        rc = dec_step(&r->d, in + r->pos, r->end - r->pos, &used, b->p + b->len, room, &made);
        r->pos += used;
        b->len += made;
        if (rc != DEC_MORE)
            return rc;
        idle = used || made ? 0 : idle + 1;
        if (idle > NSIS_MAX_IDLE)
            return DEC_ERROR;
    }
    return DEC_MORE;
}

/* Hands one decoded file over; returns 1 when the walk must end. */
static int nsis_give(struct nsis_run *r, struct outbuf *b, uint64_t in_bytes, int cut,
                     vigil_status *st)
{
    *st = VIGIL_OK;
    if (cut)
        unpack_too_big(r->u, NULL);
    if (b->len == 0)
        return 0;
    return unpack_child(r->u, b->p, b->len, NULL, in_bytes, st);
}

/* Non-solid: one block. Returns 1 when the walk ends. */
static int nsis_block(struct nsis_run *r, vigil_status *st)
{
    struct unpack *u = r->u;
    struct outbuf b;
    uint32_t raw, size;
    size_t used = 0, start;
    int stop = 0, cut = 0, done;
    enum dec_rc rc;

    if (r->end - r->pos < 4 || r->asz == 4)
        return 1; /* end, or the CRC that ends the archive */
    raw = le32(u->data + r->pos);
    r->pos += 4;
    if ((size = raw & ~0x80000000u) == 0)
        return 0;
    if (r->asz < 4 || size > r->asz - 4 || size > r->end - r->pos) {
        unpack_damaged(u);
        return 1;
    }
    r->asz -= size + 4;
    start = r->pos;
    r->pos += size;
    outbuf_init(&b, unpack_budget(u, 0, size, &stop));
    if (stop)
        return 1;
    if (raw == size) { /* stored */
        if (size > b.max) {
            unpack_too_big(u, NULL);
            return 0;
        }
        return unpack_child(u, u->data + start, size, NULL, size, st);
    }
    {
        struct nsis_run one = {.u = u, .d = {.comp = r->d.comp}, .pos = start,
                               .end = start + size};
        rc = dec_start(&one.d, u->data + start, size, &used);
        one.pos += used;
        if (rc == DEC_MORE)
            rc = nsis_fill(&one, &b, SIZE_MAX - b.len, &cut);
        dec_end(&one.d);
    }
    if (rc == DEC_NOMEM) {
        outbuf_free(&b);
        *st = VIGIL_ENOMEM;
        return 1;
    }
    if (rc == DEC_ERROR)
        unpack_damaged(u);
    done = nsis_give(r, &b, size, cut, st);
    outbuf_free(&b);
    return done;
}

/* Solid: the next (size, data) record of the stream. Returns 1 at the end. */
static int nsis_record(struct nsis_run *r, vigil_status *st)
{
    struct unpack *u = r->u;
    struct outbuf b;
    size_t in0 = r->pos, max;
    uint32_t size;
    int stop = 0, cut = 0, done, short_file;
    enum dec_rc rc;

    if (r->end - r->pos <= 4)
        return 1;
    outbuf_init(&b, 4);
    rc = nsis_fill(r, &b, 4, &cut);
    if (rc == DEC_NOMEM || b.len < 4) {
        if (rc == DEC_NOMEM)
            *st = VIGIL_ENOMEM;
        else if (rc != DEC_END)
            unpack_damaged(u);
        outbuf_free(&b);
        return 1;
    }
    size = le32(b.p);
    outbuf_free(&b);
    if (size == 0)
        return rc != DEC_MORE;
    max = unpack_budget(u, 0, r->pos - in0, &stop);
    if (stop)
        return 1;
    if (size > max) {
        unpack_too_big(u, NULL); /* the stream cannot be skipped: ClamAV stops too */
        return 1;
    }
    outbuf_init(&b, max);
    if (rc == DEC_MORE)
        rc = nsis_fill(r, &b, size, &cut);
    if (rc == DEC_NOMEM) {
        outbuf_free(&b);
        *st = VIGIL_ENOMEM;
        return 1;
    }
    short_file = b.len < size;
    if (rc == DEC_ERROR || (short_file && !cut))
        unpack_damaged(u);
    done = nsis_give(r, &b, r->pos - in0, cut, st);
    outbuf_free(&b);
    return done || rc != DEC_MORE || short_file;
}

/* ClamAV's guess: walking the blocks as non-solid runs past the archive
 * when it is solid; the method is the majority of the compressed blocks'
 * (non-solid) or the first bytes' (solid). */
static void nsis_guess(struct nsis_run *r, int truncated)
{
    const uint8_t *p = r->u->data;
    unsigned comps[4] = {0, 0, 0, 0}, i = 0;
    uint32_t pos = 0;
    uint64_t at = NSIS_HDR;

    r->d.comp = 0;
    for (; pos < r->asz - 4 && i < NSIS_MAX_FILES; i++) {
        uint32_t next;
        if (at > r->u->len || r->u->len - at < 4)
            break;
        next = le32(p + at);
        if (i == 0)
            r->d.comp = nsis_detcomp(p + at);
        at += 4;
        if (next & 0x80000000u) {
            next &= ~0x80000000u;
            if (at > r->u->len || r->u->len - at < 4)
                break;
            comps[nsis_detcomp(p + at)]++;
            next -= 4; /* may wrap below zero as ClamAV's int32 does */
            pos += 4;
            at += 4;
        }
        if ((pos += 4 + next) > r->asz) {
            r->solid = 1;
            break;
        }
        at += (uint64_t)(int64_t)(int32_t)next;
    }
    if (truncated && i >= 2)
        r->solid = 0;
    if (!r->solid)
        r->d.comp = comps[1] < comps[2] ? (comps[2] < comps[3] ? COMP_ZLIB : COMP_LZMA)
                                        : (comps[1] < comps[3] ? COMP_ZLIB : COMP_BZIP2);
}

static vigil_status nsis_walk(struct unpack *u)
{
    struct nsis_run r = {.u = u};
    vigil_status st = VIGIL_OK;
    int truncated = 0;
    size_t used = 0;

    if (!nsis_detect(u->data, u->len))
        return VIGIL_OK;
    r.asz = le32(u->data + 0x18);
    if (u->len < r.asz) {
        r.asz = (uint32_t)(u->len > UINT32_MAX ? UINT32_MAX : u->len);
        truncated = 1;
        unpack_damaged(u);
    }
    if (r.asz < NSIS_HDR + 4) {
        unpack_damaged(u);
        return VIGIL_OK;
    }
    r.asz -= NSIS_HDR;
    nsis_guess(&r, truncated);
    r.pos = NSIS_HDR;
    r.end = NSIS_HDR + (size_t)r.asz;
    if (!r.solid) {
        for (unsigned n = 0; n < NSIS_MAX_FILES && !nsis_block(&r, &st); n++)
            ;
        return st;
    }
    switch (dec_start(&r.d, u->data + r.pos, r.end - r.pos, &used)) {
    case DEC_NOMEM:
        return VIGIL_ENOMEM;
    case DEC_MORE:
        r.pos += used;
        for (unsigned n = 0; n < NSIS_MAX_FILES && !nsis_record(&r, &st); n++)
            ;
        break;
    default:
        unpack_damaged(u);
    }
    dec_end(&r.d);
    return st;
}

const struct vigil_format format_nsis = {
    .name = "NULSFT",
    .detect = nsis_detect,
    .walk = nsis_walk,
};
