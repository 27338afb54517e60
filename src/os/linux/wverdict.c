/* wverdict.c - a scan result as a WMSG_VERDICT payload, and back (see
 * wproto.h).
 *
 * The payload is a list of fields {u16 tag, u32 length, value}. Scalars are
 * u32 or u64 of exactly that length; texts have no NUL and at most
 * WPROTO_MAX_TEXT bytes. V_ID and V_STATUS are required; every V_ field
 * appears at most once; a detection starts with D_NAME, and its D_LAYER and
 * D_DEPTH (and D_EXTRA, the caller's text about it, e.g. a YARA match as
 * JSON) follow it, each at most once. At most WPROTO_MAX_DETECTIONS.
 */
#include "os/linux/wproto.h"

#include <stdlib.h>
#include <string.h>

enum { V_ID = 1, V_STATUS, V_LIMITS, V_BYTES, V_SIZE, V_NDET_TOTAL, V_NOTES, D_NAME,
       D_LAYER, D_DEPTH, D_EXTRA, V_TAG_END };

/* Value size of each tag: 4 or 8 for scalars, 0 for texts. */
static const unsigned char tag_size[V_TAG_END] = {
    [V_ID] = 8, [V_STATUS] = 4, [V_LIMITS] = 4, [V_BYTES] = 8, [V_SIZE] = 8,
    [V_NDET_TOTAL] = 8, [V_NOTES] = 4, [D_NAME] = 0, [D_LAYER] = 0, [D_DEPTH] = 4, [D_EXTRA] = 0,
};

static void put_field(struct wbuf *b, uint16_t tag, const void *v, size_t n)
{
    uint32_t len = (uint32_t)n;

    wbuf_bytes(b, &tag, sizeof tag);
    wbuf_bytes(b, &len, sizeof len);
    wbuf_bytes(b, v, n);
}

static void put_u32(struct wbuf *b, uint16_t tag, uint32_t v)
{
    put_field(b, tag, &v, sizeof v);
}

static void put_u64(struct wbuf *b, uint16_t tag, uint64_t v)
{
    put_field(b, tag, &v, sizeof v);
}

static void put_text(struct wbuf *b, uint16_t tag, const char *s)
{
    size_t n = s ? strlen(s) : 0;

    put_field(b, tag, s ? s : "", n > WPROTO_MAX_TEXT ? WPROTO_MAX_TEXT : n);
}

void wverdict_encode(struct wbuf *b, uint64_t id, vigil_status status,
                     const vigil_result *r, wverdict_extra_fn extra)
{
    const struct vigil_detection *d;
    size_t k, n;
    char *x;

    put_u64(b, V_ID, id);
    put_u32(b, V_STATUS, (uint32_t)status);
    if (status != VIGIL_OK || !r)
        return;
    n = vigil_result_count(r);
    put_u32(b, V_LIMITS, vigil_result_limits(r));
    put_u64(b, V_BYTES, vigil_result_bytes_read(r));
    put_u64(b, V_SIZE, vigil_result_size(r));
    put_u64(b, V_NDET_TOTAL, n);
    put_u32(b, V_NOTES, vigil_result_notes(r));
    for (k = 0; k < n && k < WPROTO_MAX_DETECTIONS; k++) {
        d = vigil_result_detection(r, k);
        put_text(b, D_NAME, d->name);
        put_text(b, D_LAYER, d->layer_path);
        put_u32(b, D_DEPTH, d->depth);
        /* Extra text is sent whole or not at all (a cut JSON object is
         * worse than none), and only while the verdict stays well inside
         * its maximum. */
        if (extra && (x = extra(r, k)) != NULL) {
            if (strlen(x) <= WPROTO_MAX_EXTRA &&
                b->len + strlen(x) < WPROTO_MAX_PAYLOAD / 2)
                put_field(b, D_EXTRA, x, strlen(x));
            free(x);
        }
    }
}

/* One field at p (left bytes): its tag, value and length. Returns the bytes
 * it takes, or 0 when it does not fit or has the wrong size. */
static size_t next_field(const unsigned char *p, size_t left, uint16_t *tag,
                         const unsigned char **val, uint32_t *len)
{
    if (left < 6)
        return 0;
    memcpy(tag, p, 2);
    memcpy(len, p + 2, 4);
    if (*tag == 0 || *tag >= V_TAG_END || *len > left - 6)
        return 0;
    if (tag_size[*tag] ? *len != tag_size[*tag]
                       : (*len > (*tag == D_EXTRA ? WPROTO_MAX_EXTRA : WPROTO_MAX_TEXT) ||
                          memchr(p + 6, 0, *len)))
        return 0;
    *val = p + 6;
    return 6 + (size_t)*len;
}

/* First pass: checks the structure, counts detections and text bytes. */
static vigil_status measure(const unsigned char *p, size_t len, size_t *ndet,
                            size_t *text)
{
    unsigned seen = 0, det_seen = 0;
    const unsigned char *val = NULL;
    uint16_t tag = 0;
    uint32_t n = 0;
    size_t used;

    *ndet = *text = 0;
    while (len) {
        used = next_field(p, len, &tag, &val, &n);
        if (!used)
            return VIGIL_EMALFORMED;
        if (tag == D_NAME) {
            if (++*ndet > WPROTO_MAX_DETECTIONS)
                return VIGIL_EMALFORMED;
            det_seen = 1u << D_NAME;
        } else if (tag > D_NAME) {
            if (!det_seen || det_seen & (1u << tag))
                return VIGIL_EMALFORMED;
            det_seen |= 1u << tag;
        } else {
            if (seen & (1u << tag) || *ndet)
                return VIGIL_EMALFORMED;
            seen |= 1u << tag;
        }
        if (!tag_size[tag])
            *text += n + 1;
        p += used;
        len -= used;
    }
    if (!(seen & (1u << V_ID)) || !(seen & (1u << V_STATUS)))
        return VIGIL_EMALFORMED;
    return VIGIL_OK;
}

static void store(struct wverdict *v, uint16_t tag, const unsigned char *val, uint32_t n,
                  char **text)
{
    struct wverdict_det *d = v->ndet ? &v->det[v->ndet - 1] : NULL;
    uint32_t u32 = 0;
    uint64_t u64 = 0;

    if (tag_size[tag] == 4)
        memcpy(&u32, val, 4);
    if (tag_size[tag] == 8)
        memcpy(&u64, val, 8);
    switch (tag) {
    case V_ID: v->id = u64; break;
    case V_STATUS: v->status = (vigil_status)u32; break;
    case V_LIMITS: v->limits = u32; break;
    case V_BYTES: v->bytes_read = u64; break;
    case V_SIZE: v->size = u64; break;
    case V_NDET_TOTAL: v->ndet_total = u64; break;
    case V_NOTES: v->notes = u32; break;
    case D_DEPTH: d->depth = u32; break;
    default:
        memcpy(*text, val, n);
        (*text)[n] = '\0';
        if (tag == D_NAME) {
            d = &v->det[v->ndet++];
            d->name = *text;
            d->layer_path = *text + n; /* "" until a D_LAYER */
        } else if (tag == D_EXTRA) {
            d->extra = *text;
        } else {
            d->layer_path = *text;
        }
        *text += n + 1;
    }
}

vigil_status wverdict_decode(const unsigned char *p, size_t len, struct wverdict *v)
{
    const unsigned char *val = NULL;
    size_t ndet, text, used;
    uint16_t tag = 0;
    uint32_t n = 0;
    char *t;
    vigil_status st;

    memset(v, 0, sizeof *v);
    st = measure(p, len, &ndet, &text);
    if (st != VIGIL_OK)
        return st;
    if (ndet) {
        v->det = calloc(1, ndet * sizeof *v->det + text);
        if (!v->det)
            return VIGIL_ENOMEM;
    }
    t = v->det ? (char *)(v->det + ndet) : NULL; /* no text without a detection */
    for (; len; p += used, len -= used) {
        used = next_field(p, len, &tag, &val, &n);
        store(v, tag, val, n, &t);
    }
    if ((unsigned)v->status >= VIGIL_STATUS_COUNT || v->ndet_total < v->ndet ||
        (v->status != VIGIL_OK && v->ndet)) {
        wverdict_free(v);
        return VIGIL_EMALFORMED;
    }
    return VIGIL_OK;
}

void wverdict_free(struct wverdict *v)
{
    free(v->det);
    v->det = NULL;
    v->ndet = 0;
}
