/* binhex.c - BinHex 4.0 files (ClamAV's CL_TYPE_BINHEX), written for
 * vigil: no Debian library decodes BinHex. Spec: RFC 1741 (the text from
 * a ':' at the start of a line to the next ':' in a 64-character alphabet,
 * run-length coded with 0x90; then a header: name length, name, a NUL,
 * type, creator, flags, data fork length and resource fork length (32-bit
 * big-endian), a CRC; the data fork, its CRC, the resource fork, its CRC).
 * The forks go to the scan layer unnamed, as clamscan 1.4.6 reports them
 * (measured: "clam.exe.binhex!(1)"); CRCs are not checked.
 * Limits: the decoded size is counted first and bounded by unpack_budget();
 * every field read within the decoded bytes; damage (a bad character, no
 * closing ':', forks longer than the data) is reported. */
#include <stdlib.h>
#include <string.h>

#include "unpack/format.h"
#include "unpack/maildec.h"

static const char binhex_magic[] = "(This file must be converted with BinHex";

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int binhex_detect(const uint8_t *buf, size_t len)
{
    return len >= sizeof binhex_magic - 1 &&
           memcmp(buf, binhex_magic, sizeof binhex_magic - 1) == 0;
}

/* Where the encoded text starts: after a ':' that begins a line. */
static size_t binhex_start(const uint8_t *b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (b[i] == ':' && (i == 0 || b[i - 1] == '\n' || b[i - 1] == '\r'))
            return i + 1;
    return len;
}

/* Scans the forks of the decoded file d[0..n). Returns 1 to stop. */
static int binhex_forks(struct unpack *u, const uint8_t *d, size_t n, vigil_status *st)
{
    size_t hdr, at;
    uint32_t len[2];

    if (n < 1 || n - 1 < (size_t)d[0] + 1 + 4 + 4 + 2 + 4 + 4 + 2) {
        unpack_damaged(u);
        return 0;
    }
    hdr = 1 + (size_t)d[0] + 1 + 4 + 4 + 2;
    len[0] = be32(d + hdr);
    len[1] = be32(d + hdr + 4);
    at = hdr + 8 + 2;
    for (int f = 0; f < 2; f++) {
        size_t take = len[f] < n - at ? len[f] : n - at;
        if (take < len[f])
            unpack_damaged(u);
        if ((take || f == 0) && unpack_child(u, d + at, take, NULL, 0, st))
            return 1;
        at += take;
        at += n - at < 2 ? n - at : 2; /* the fork's CRC */
    }
    return 0;
}

static vigil_status binhex_walk(struct unpack *u)
{
    size_t start = binhex_start(u->data, u->len), n = u->len - start, max, made;
    int damaged, cut, stop = 0;
    vigil_status st = VIGIL_OK;
    uint8_t *out;

    if (start == u->len) {
        unpack_damaged(u);
        return VIGIL_OK;
    }
    max = unpack_budget(u, 0, n, &stop);
    if (stop)
        return VIGIL_OK;
    /* first count what the run-length code makes, then decode */
    made = maildec_binhex(u->data + start, n, NULL, max, &damaged, &cut);
    if (cut)
        unpack_too_big(u, NULL);
    if (made && (max = unpack_budget(u, made, n, &stop), stop))
        return VIGIL_OK;
    if (!(out = malloc(made ? made : 1)))
        return VIGIL_ENOMEM;
    made = maildec_binhex(u->data + start, n, out, made, &damaged, &cut);
    if (damaged)
        unpack_damaged(u);
    (void)binhex_forks(u, out, made, &st);
    free(out);
    return st;
}

const struct vigil_format format_binhex = {
    .name = "BINHEX",
    .detect = binhex_detect,
    .walk = binhex_walk,
};
