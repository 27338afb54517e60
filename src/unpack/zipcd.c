/* zipcd.c - the overlapping-entry check of zip archives (Fifield's
 * non-recursive zip bomb, 2019), as ClamAV 1.4 does it before unzipping:
 * the central directory's records are sorted by local header offset, and
 * when more than ZIPCD_MAX_OVERLAPS consecutive pairs overlap (by more
 * than ZIPCD_FUDGE bytes; exact duplicates count but never alert) the
 * archive is Heuristics.Zip.OverlappingFiles and is not unpacked.
 * Spec: PKWARE APPNOTE.TXT 6.3.10, sections 4.3.7 (local file header),
 * 4.3.12 (central directory header), 4.3.16 (end of central directory).
 * Limits: the EOCD is searched in the last 22 + 65535 bytes; at most
 * ZIPCD_MAX_RECORDS records are read; every field is bounds-checked. */
#include <stdlib.h>
#include <string.h>

#include "unpack/zipcd.h"

#define ZIPCD_MAX_RECORDS 65536
#define ZIPCD_MAX_OVERLAPS 5
#define ZIPCD_FUDGE 2
#define ZIPCD_EOCD_LEN 22
#define ZIPCD_CDH_LEN 46
#define ZIPCD_LFH_LEN 30

struct zipcd_rec {
    uint64_t off, hdr, csize;
};

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return le16(p) | le16(p + 2) << 16;
}

/* Offset of the end-of-central-directory record, or SIZE_MAX. */
static size_t zipcd_eocd(const uint8_t *b, size_t len)
{
    size_t lo;

    if (len < ZIPCD_EOCD_LEN)
        return SIZE_MAX;
    lo = len - ZIPCD_EOCD_LEN > 65535 ? len - ZIPCD_EOCD_LEN - 65535 : 0;
    for (size_t i = len - ZIPCD_EOCD_LEN + 1; i-- > lo;)
        if (memcmp(b + i, "PK\5\6", 4) == 0)
            return i;
    return SIZE_MAX;
}

/* Reads one central directory record at *pos into r (local header size
 * from the local header itself); advances *pos. Returns 0 at the end. */
static int zipcd_next(const uint8_t *b, size_t len, size_t *pos, struct zipcd_rec *r,
                      const uint8_t **name, size_t *nlen)
{
    const uint8_t *c = b + *pos;
    size_t n, end;
    uint64_t off;

    if (len - *pos < ZIPCD_CDH_LEN || memcmp(c, "PK\1\2", 4) != 0)
        return 0;
    n = le16(c + 28);
    end = ZIPCD_CDH_LEN + n + le16(c + 30) + le16(c + 32);
    if (len - *pos < end)
        return 0;
    off = le32(c + 42);
    r->off = off;
    r->csize = le32(c + 20);
    r->hdr = ZIPCD_LFH_LEN;
    if (off <= len - ZIPCD_LFH_LEN && memcmp(b + off, "PK\3\4", 4) == 0)
        r->hdr += le16(b + off + 26) + le16(b + off + 28);
    *name = c + ZIPCD_CDH_LEN;
    *nlen = n;
    *pos += end;
    return 1;
}

static int zipcd_cmp(const void *x, const void *y)
{
    const struct zipcd_rec *a = x, *b = y;

    return a->off < b->off ? -1 : a->off > b->off;
}

/* ClamAV's count over the sorted records; returns 1 for a bomb. */
static int zipcd_overlaps(const struct zipcd_rec *v, size_t n)
{
    unsigned count = 0;

    for (size_t i = 1; i < n; i++) {
        const struct zipcd_rec *p = &v[i - 1], *c = &v[i];
        uint64_t pend = p->off + p->hdr + p->csize;
        if (c->off + ZIPCD_FUDGE >= pend)
            continue;
        count++;
        if (c->off == p->off && c->hdr == p->hdr && c->csize == p->csize)
            continue; /* a duplicate entry: counted, never alerted on */
        if (count > ZIPCD_MAX_OVERLAPS)
            return 1;
    }
    return 0;
}

void zipcd_iter_init(struct zipcd_iter *it, const uint8_t *b, size_t len)
{
    size_t eocd = zipcd_eocd(b, len);

    it->b = b;
    it->len = len;
    it->pos = eocd == SIZE_MAX ? len : le32(b + eocd + 16);
    it->ok = eocd != SIZE_MAX && it->pos < len;
}

int zipcd_iter_next(struct zipcd_iter *it, const char *name, struct zipcd_entry *m)
{
    struct zipcd_rec r;
    const uint8_t *n = NULL, *c;
    size_t nlen = 0, pos = it->pos;

    if (!it->ok || !zipcd_next(it->b, it->len, &pos, &r, &n, &nlen))
        return 0;
    if (nlen != strlen(name) || memcmp(n, name, nlen) != 0)
        return 0;
    c = it->b + it->pos;
    m->csize = r.csize;
    m->usize = le32(c + 24);
    m->crc = le32(c + 16);
    m->flags = le16(c + 8);
    m->method = le16(c + 10);
    m->data = UINT64_MAX;
    if (r.off <= it->len - ZIPCD_LFH_LEN && memcmp(it->b + r.off, "PK\3\4", 4) == 0 &&
        r.hdr <= it->len - r.off)
        m->data = r.off + r.hdr;
    it->pos = pos;
    return 1;
}

vigil_status zipcd_check(const uint8_t *b, size_t len, int *bomb, char *last,
                         size_t last_cap)
{
    struct zipcd_rec *v = NULL;
    size_t eocd = zipcd_eocd(b, len), pos, n = 0, want, nlen = 0;
    const uint8_t *name = NULL;

    *bomb = 0;
    if (last_cap)
        last[0] = '\0';
    if (eocd == SIZE_MAX)
        return VIGIL_OK;
    want = le16(b + eocd + 10);
    pos = le32(b + eocd + 16);
    if (want < 2 || pos >= len)
        return VIGIL_OK;
    if (want > ZIPCD_MAX_RECORDS)
        want = ZIPCD_MAX_RECORDS;
    v = malloc(want * sizeof *v);
    if (!v)
        return VIGIL_ENOMEM;
    while (n < want && zipcd_next(b, len, &pos, &v[n], &name, &nlen))
        n++;
    if (name && last_cap) {
        size_t k = nlen < last_cap - 1 ? nlen : last_cap - 1;
        memcpy(last, name, k);
        last[k] = '\0';
    }
    qsort(v, n, sizeof *v, zipcd_cmp);
    *bomb = zipcd_overlaps(v, n);
    free(v);
    return VIGIL_OK;
}
