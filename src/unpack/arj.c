/* arj.c - ARJ archives (written for vigil: no Debian library reads ARJ).
 * Spec: ARJ's TECHNOTE.DOC (R. Jung): a header is 0x60 0xEA, a 16-bit
 * basic header size (0 ends the archive, at most 2600), the basic header,
 * its CRC-32, then extended headers (16-bit size, data, CRC-32) until a
 * size of 0; the basic header holds first_hdr_size, versions, host OS,
 * flags (0x01: garbled, i.e. encrypted), method (0 stored, 1-3 compressed,
 * 4 fastest), file type (0 binary, 1 text, 2 the main header, 3 directory),
 * compressed and original sizes at 12 and 16, then at first_hdr_size the
 * NUL-terminated name. A file's data follows its headers. The first
 * header is the archive's main header.
 * Limits: every field read within the object; ARJ_MAX_HDR header bytes;
 * ARJ_MAX_MEMBERS members; decoded sizes bounded by unpack_budget(). */
#include <stdlib.h>
#include <string.h>

#include "db/cdb.h"
#include "unpack/arjdec.h"
#include "unpack/format.h"

#define ARJ_MAX_HDR 2600
#define ARJ_MAX_MEMBERS 65536
#define ARJ_GARBLED 0x01
#define ARJ_NAME_MAX 512

struct arj_hdr {
    size_t next;          /* where the member's data (or the next header) starts */
    uint32_t csize, osize;
    uint8_t flags, method, type;
    char name[ARJ_NAME_MAX];
};

static uint32_t arj16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t arj32(const uint8_t *p)
{
    return arj16(p) | arj16(p + 2) << 16;
}

static int arj_detect(const uint8_t *buf, size_t len)
{
    uint32_t size;

    if (len < 34 || buf[0] != 0x60 || buf[1] != 0xea)
        return 0;
    size = arj16(buf + 2);
    return size >= 30 && size <= ARJ_MAX_HDR && buf[4] >= 30 && buf[4] <= size &&
           buf[10] == 2; /* the main header's file type */
}

/* Reads the header at pos into h. Returns 1 for a header, 0 at the end
 * marker, -1 when it is damaged. */
static int arj_header(const uint8_t *b, size_t len, size_t pos, struct arj_hdr *h)
{
    const uint8_t *p = b + pos;
    size_t size, first, n, q;

    if (pos > len || len - pos < 4 || p[0] != 0x60 || p[1] != 0xea)
        return -1;
    size = arj16(p + 2);
    if (size == 0)
        return 0;
    if (size < 30 || size > ARJ_MAX_HDR || len - pos - 4 < size + 4)
        return -1;
    first = p[4];
    if (first < 30 || first > size)
        return -1;
    h->flags = p[8];
    h->method = p[9];
    h->type = p[10];
    h->csize = arj32(p + 16);
    h->osize = arj32(p + 20);
    n = strnlen((const char *)p + 4 + first, size - first);
    if (n >= ARJ_NAME_MAX)
        n = ARJ_NAME_MAX - 1;
    memcpy(h->name, p + 4 + first, n);
    h->name[n] = '\0';
    q = pos + 4 + size + 4; /* basic header and its CRC */
    while (q <= len - 2 && arj16(b + q) != 0) { /* extended headers */
        size_t ext = arj16(b + q);
        if (len - q - 2 < ext + 4)
            return -1;
        q += 2 + ext + 4;
    }
    if (q > len - 2)
        return -1;
    h->next = q + 2;
    return 1;
}

/* Decodes (or copies) one member and scans it. Returns 1 to stop. */
static int arj_member(struct unpack *u, const struct arj_hdr *h, uint64_t pos,
                      vigil_status *st)
{
    struct cdb_member m = {h->name, h->csize, h->osize, pos, (h->flags & ARJ_GARBLED) != 0};
    const uint8_t *in = u->data + h->next;
    size_t max, made = 0;
    uint8_t *out;
    int stop = 0;

    if (unpack_meta(u, &m, st))
        return 1;
    if (m.encrypted) {
        unpack_encrypted(u, h->name);
        return 0;
    }
    if (h->method == 0)
        return unpack_child(u, in, h->csize, h->name, h->csize, st);
    max = unpack_budget(u, h->osize, h->csize, &stop);
    if (stop)
        return 1;
    if (h->osize > max)
        unpack_too_big(u, h->name);
    max = h->osize < max ? h->osize : max;
    if (!(out = malloc(max ? max : 1))) {
        *st = VIGIL_ENOMEM;
        return 1;
    }
    if (arjdec_run(h->method, in, h->csize, out, max, &made) != 0)
        unpack_damaged(u);
    stop = unpack_child(u, out, made, h->name, h->csize, st);
    free(out);
    return stop;
}

static vigil_status arj_walk(struct unpack *u)
{
    struct arj_hdr h;
    size_t pos = 0;
    uint64_t n = 0;
    vigil_status st = VIGIL_OK;
    int rc = arj_header(u->data, u->len, 0, &h); /* the main header */

    while (rc == 1 && n < ARJ_MAX_MEMBERS) {
        pos = h.next;
        if (n++ > 0) { /* a member: its data follows its headers */
            if (u->len - h.next < h.csize) {
                unpack_damaged(u);
                return st;
            }
            if ((h.type == 0 || h.type == 1) && arj_member(u, &h, n - 1, &st))
                return st;
            pos += h.csize;
        }
        rc = arj_header(u->data, u->len, pos, &h);
    }
    if (rc < 0)
        unpack_damaged(u);
    return st;
}

const struct vigil_format format_arj = {
    .name = "ARJ",
    .detect = arj_detect,
    .walk = arj_walk,
};
