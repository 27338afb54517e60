/* bodysig_image.h - a slim body signature (bodysig_slim) as a flat record of
 * the engine image (core/image.h), and slim signatures made from such
 * records when a hit needs one: their text and segment runs stay in the
 * mapped file.
 *
 * A record holds what a slim signature keeps: the atom, its quick test, the
 * part count and lengths, and where its text and segment runs lie in a blob
 * table of the image. */
#ifndef VIGIL_MATCH_BODYSIG_IMAGE_H
#define VIGIL_MATCH_BODYSIG_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "match/bodysig.h"
#include "vigil/vigil.h"

struct bodysig_rec {
    uint8_t atom[BODYSIG_MAX_ATOM];
    uint32_t atom_len, nparts, atom_part, atom_elem;
    uint64_t text_off, segs_off; /* in the blob */
    uint32_t textlen, nsegbytes;
    uint32_t literal, pad;
    struct bodysig_quick quick;
    uint64_t min_len, max_len;
};

/* Fills *r from slim signature sig, whose text and segment bytes the caller
 * puts at text_off and segs_off of the blob; *text, *seg and their lengths
 * say which bytes those are. */
void bodysig_rec_make(const struct bodysig *sig, uint64_t text_off, uint64_t segs_off,
                      struct bodysig_rec *r, const char **text, const uint8_t **segs);

/* A block of n slim signatures to be made from records (bodysig_view_set):
 * a scanner keeps one and remakes it for each hit of an image's signature
 * (core/image_engine.h image_engine_body_sig). They borrow the blob;
 * bodysig_free must not be called on them: bodysig_views_free frees the
 * block. */
struct bodysig *bodysig_views_new(size_t n);
void bodysig_views_free(struct bodysig *views);

/* Makes *sig (a view) the slim signature record r describes, its text and
 * segments in blob[0..bloblen). Checks every length and offset: returns
 * VIGIL_EMALFORMED if r is not what bodysig_rec_make writes. */
vigil_status bodysig_view_set(struct bodysig *sig, const struct bodysig_rec *r,
                              const uint8_t *blob, size_t bloblen);

#endif
