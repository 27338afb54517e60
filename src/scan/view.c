/* view.c - normalised views of an object: buffers derived from the object
 * being scanned (its HTML without comments, its text lower-cased, a script
 * decoded, ...) that clamscan 1.4 matches with the body and logical
 * signatures of one target type and of target 0. What a view matches is a
 * detection of the object itself, with the object's layer path: a view is
 * no child (no depth, no file count, no hash).
 *
 * Measured with clamscan 1.4.6 (.ndb of targets 0, 3 and 7, --allmatch):
 * a text file's raw bytes are matched by target-0 signatures only, then
 * its normalised text by target 7 and target 0 (each view lists its typed
 * matches before the target-0 ones); an HTML file's raw bytes by nothing
 * (ClamAV's HTMLSKIPRAW), its views by target 3 and 0 (see
 * unpack/html.c). Limits: views of text objects larger than max_scriptnormalize
 * are not built, as clamscan's MaxScriptNormalize. */
#include <stdlib.h>

#include "core/engine.h"
#include "match/hashset.h"
#include "scan/filetype.h"
#include "scan/scanner.h"
#include "unpack/format.h"
#include "unpack/textnorm.h"

/* A view's body signatures, then (hashed) its hash signatures, then its
 * logical ones: clamscan's order for the files it writes of its views. */
static vigil_status view_scan(struct vigil_scanner *s, const uint8_t *buf, size_t len,
                              unsigned target, int hashed)
{
    int all = (s->walk.o->flags & VIGIL_SCAN_ALLMATCH) != 0;
    size_t at = s->result.n;
    vigil_status st = VIGIL_OK;

    if (len == 0 || (s->e->body.n == 0 && s->e->ldb.n == 0 &&
                     !(hashed && hashset_kinds_for_size(s->e->sigs, len))))
        return VIGIL_OK;
    if (!all && (s->result.n || s->walk.stop))
        return VIGIL_OK;
    lsig_drop(&s->body.lsig);
    scan_lsig_layers(s);
    if (s->e->body.n || s->e->ldb.n)
        st = body_scan(s->e, &s->body, buf, len, target, all, &s->result);
    if (st == VIGIL_OK && hashed)
        st = scan_buffer_hashes(s, buf, len);
    if (st == VIGIL_OK)
        st = lsig_report(s->e, &s->body.lsig, all, &s->result);
    if (st == VIGIL_OK)
        st = walk_set_layers(s, at, NULL, NULL);
    return st;
}

vigil_status scan_view(struct vigil_scanner *s, const uint8_t *buf, size_t len,
                       unsigned target)
{
    return view_scan(s, buf, len, target, 0);
}

int unpack_view(struct unpack *u, const void *data, size_t len, unsigned target,
                vigil_status *st)
{
    struct vigil_scanner *s = u->s;

    *st = view_scan(s, data, len, target, 1);
    if (s->result.n > 0 && !(s->walk.o->flags & VIGIL_SCAN_ALLMATCH))
        s->walk.stop = 1;
    return s->walk.stop || *st != VIGIL_OK;
}

vigil_status scan_text_view(struct vigil_scanner *s, const uint8_t *data, size_t len)
{
    enum text_kind k = filetype_text(data, len);
    uint8_t *norm;
    size_t n;
    vigil_status st;

    uint64_t max = s->walk.o->limits.max_scriptnormalize;

    if ((max != 0 && len > max) || k == TEXT_NONE ||
        (s->e->body.n == 0 && s->e->ldb.n == 0))
        return VIGIL_OK;
    if (!(norm = malloc(len)))
        return VIGIL_ENOMEM;
    if (k == TEXT_ASCII)
        n = textnorm(data, len, norm, len);
    else
        n = textnorm_utf16(data, len, k == TEXT_UTF16BE, norm, len);
    st = scan_view(s, norm, n, TARGET_TEXT);
    free(norm);
    return st;
}
