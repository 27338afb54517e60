/* bodysig_image.c - slim body signatures to and from image records (see
 * bodysig_image.h). The only file besides bodysig*.c that reads
 * bodysig_int.h: a view must be the very struct the matcher reads. */
#include "match/bodysig_image.h"

#include <stdlib.h>
#include <string.h>

#include "match/bodysig_int.h"

void bodysig_rec_make(const struct bodysig *sig, uint64_t text_off, uint64_t segs_off,
                      struct bodysig_rec *r, const char **text, const uint8_t **segs)
{
    memset(r, 0, sizeof *r);
    memcpy(r->atom, sig->atom.bytes, sizeof r->atom);
    r->atom_len = (uint32_t)sig->atom.len;
    r->nparts = sig->nparts;
    r->atom_part = sig->atom_part;
    r->atom_elem = sig->atom_elem;
    r->text_off = text_off;
    r->textlen = sig->textlen;
    r->segs_off = segs_off;
    r->nsegbytes = sig->segs ? sig->nsegbytes : 0;
    r->literal = sig->literal;
    r->quick = sig->quick;
    r->min_len = sig->min_len;
    r->max_len = sig->max_len;
    *text = sig->text;
    *segs = sig->segs;
}

struct bodysig *bodysig_views_new(size_t n)
{
    return calloc(n ? n : 1, sizeof(struct bodysig));
}

void bodysig_views_free(struct bodysig *views)
{
    free(views);
}

/* Segment runs are records (u16 part, u16 weight, u8 len, len bytes) that
 * bodysig_part_atom copies into an atom: each must fit. */
static int segs_valid(const uint8_t *s, uint32_t n)
{
    uint32_t i = 0;

    while (i < n) {
        if (n - i < 5 || s[i + 4] > BODYSIG_MAX_ATOM || n - i - 5 < s[i + 4])
            return 0;
        i += 5 + s[i + 4];
    }
    return 1;
}

vigil_status bodysig_view_set(struct bodysig *sig, const struct bodysig_rec *r,
                              const uint8_t *blob, size_t bloblen)
{
    if (r->atom_len == 0 || r->atom_len > BODYSIG_MAX_ATOM || r->nparts == 0 ||
        r->nparts > BS_MAX_PARTS || r->atom_part >= r->nparts || r->literal > 1 ||
        r->textlen == 0 || r->textlen > BS_MAX_TEXT || r->text_off > bloblen ||
        bloblen - r->text_off < r->textlen || r->segs_off > bloblen ||
        bloblen - r->segs_off < r->nsegbytes || r->min_len > r->max_len ||
        !segs_valid(blob + r->segs_off, r->nsegbytes))
        return VIGIL_EMALFORMED;
    memset(sig, 0, sizeof *sig);
    memcpy(sig->atom.bytes, r->atom, sizeof r->atom);
    sig->atom.len = r->atom_len;
    sig->nparts = r->nparts;
    sig->atom_part = r->atom_part;
    sig->atom_elem = r->atom_elem;
    /* Read-only: a slim signature's text is only parsed again, its
     * segments only read. */
    sig->text = (char *)(uintptr_t)(blob + r->text_off);
    sig->textlen = r->textlen;
    sig->segs = r->nsegbytes ? (uint8_t *)(uintptr_t)(blob + r->segs_off) : NULL;
    sig->nsegbytes = r->nsegbytes;
    sig->literal = (uint8_t)r->literal;
    sig->quick = r->quick;
    sig->min_len = (size_t)r->min_len;
    sig->max_len = r->max_len == UINT64_MAX ? SIZE_MAX : (size_t)r->max_len;
    sig->slim = 1;
    return VIGIL_OK;
}
