/* html.c - the HTML walker: clamscan 1.4's cli_scanhtml (libclamav
 * scanners.c) on the views htmlnorm.c builds. Measured with clamscan
 * 1.4.6: its views are matched in this order, each by the signatures of
 * target 3 (HTML) and target 0: nocomment, notags (objects up to
 * --max-htmlnotags), the normalised scripts, which are matched once more as
 * target 7 (text). A data: URI is written as a MIME message and scanned as
 * mail; its one part, named "attachment", is base64-decoded when the media
 * type says ";base64", else it is the data and a newline. clamscan names
 * it "(2)HTML:attachment" under -a (the message itself is a layer it does
 * not name): clam.exe.html's clam.exe is found so. vigil decodes the part
 * here instead of handing the message to the mail walker, so the message's
 * own bytes are not matched.
 * Limits: views of at most 4 bytes per input byte (and the scan layer's
 * budget); HTMLNORM_MAX_DATA data: URIs; each decoded part within the
 * budget. */
#include "unpack/html.h"

#include <stdlib.h>
#include <string.h>

#include "scan/filetype.h"
#include "unpack/htmlnorm.h"
#include "unpack/maildec.h"

/* Hands the part of one data: URI to the scan layer. */
static int html_data(struct unpack *u, const struct htmlnorm_data *d, vigil_status *st)
{
    const struct outbuf *b = &d->data;
    uint8_t *part;
    size_t n;
    int stop;

    *st = VIGIL_OK;
    if (!(part = malloc(b->len + 4))) {
        *st = VIGIL_ENOMEM;
        return 1;
    }
    if (d->base64) {
        n = maildec_base64(b->p, b->len, part, b->len + 4); /* as mail */
    } else {
        if (b->len)
            memcpy(part, b->p, b->len);
        n = b->len;
        part[n++] = '\n';
    }
    stop = unpack_child_under(u, 1, part, n, "attachment", b->len, st);
    free(part);
    return stop;
}

vigil_status html_walk(struct unpack *u)
{
    struct htmlnorm h;
    size_t max;
    int stop = 0, cut;
    vigil_status st;

    max = unpack_budget(u, 0, 0, &stop);
    if (stop)
        return VIGIL_OK;
    if (u->len < SIZE_MAX / 8 && max > u->len * 4 + 65536)
        max = u->len * 4 + 65536;
    st = htmlnorm_run(u->data, u->len, max, &h);
    if (st != VIGIL_OK)
        goto out;
    if (h.damaged)
        unpack_damaged(u);
    stop = unpack_view(u, h.nocomment.p, h.nocomment.len, TARGET_HTML, &st);
    if (!stop && (unpack_options(u)->limits.max_htmlnotags == 0 ||
                  u->len <= unpack_options(u)->limits.max_htmlnotags))
        stop = unpack_view(u, h.notags.p, h.notags.len, TARGET_HTML, &st);
    if (!stop)
        stop = unpack_view(u, h.js.p, h.js.len, TARGET_HTML, &st);
    if (!stop)
        stop = unpack_view(u, h.js.p, h.js.len, TARGET_TEXT, &st);
    for (size_t i = 0; i < h.ndata && !stop; i++)
        stop = html_data(u, &h.data[i], &st);
    cut = h.nocomment.len == max || h.notags.len == max || h.js.len == max;
    if (cut && st == VIGIL_OK)
        unpack_too_big(u, NULL);
out:
    htmlnorm_free(&h);
    return st;
}
