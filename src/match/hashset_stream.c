/* hashset_stream.c - a spilled hash set's image tables, written in passes
 * whose memory does not grow with the number of entries.
 *
 * The records of a kind are partitioned by their digest's leading bits
 * into buckets of about HS_BUCKET records: one pass counts them, a second
 * scatters them (stably) into the image's records table through a shared
 * mapping whose pages are given back every HS_CHUNK bytes; then each bucket
 * in turn is read, sorted by digest (ties in load order) and written back.
 * A home slot is the digest's leading bits, so homes come in order and
 * linear probing is a cursor: a record goes to max(home, cursor), and the
 * slots are written through a window that only moves forward. Records
 * pushed past the last slot wrap to the first empty slots of the table, as
 * a probe from their home would find them. The sizes table is built the
 * same way, partitioned by home slot through a temporary file, equal sizes
 * merged. Memory: a bucket (bounded for uniform digests; digests are
 * uniform, a database of many equal ones makes one large bucket), the
 * bucket counts (at most HS_MAX_BUCKETS), two windows and HS_CHUNK of
 * mapped pages. Every count read back is checked against the tables'
 * sizes: a short read or a damaged spill is an error, never a bad table. */
#include "match/hashset_stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/spill.h"
#include "io/pio.h"

#define HS_BUCKET 8192
#define HS_MAX_BUCKETS (1u << 16)
#define HS_CHUNK ((size_t)1 << 20)
#define HS_WINDOW 16384 /* slots */

/* A shared writable map of fd[off..off+len), from the page below off. */
struct region {
    uint8_t *map, *p;
    size_t maplen;
};

static int region_map(struct region *r, int fd, uint64_t off, size_t len)
{
    long ps = sysconf(_SC_PAGESIZE);
    uint64_t lo = off & ~(uint64_t)((ps > 0 ? ps : 4096) - 1);
    void *m;

    r->maplen = (size_t)(off - lo) + len;
    m = mmap(NULL, r->maplen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)lo);
    if (m == MAP_FAILED)
        return -1;
    r->map = m;
    r->p = r->map + (off - lo);
    return 0;
}

static void region_unmap(struct region *r)
{
    if (r->map)
        munmap(r->map, r->maplen);
    r->map = NULL;
}

/* Slots written in increasing order through a window; kinds (u8) beside
 * them when k_off is set. */
struct slotw {
    int fd;
    uint64_t v_off, k_off;
    size_t base, used;
    uint32_t v[HS_WINDOW];
    uint8_t k[HS_WINDOW];
};

static int slotw_flush(struct slotw *w)
{
    if (w->used && pwrite_all(w->fd, w->v, w->used * 4, w->v_off + (uint64_t)w->base * 4))
        return -1;
    if (w->used && w->k_off && pwrite_all(w->fd, w->k, w->used, w->k_off + w->base))
        return -1;
    w->used = 0;
    return 0;
}

static int slotw_put(struct slotw *w, size_t slot, uint32_t v, uint8_t k)
{
    if (slot >= w->base + HS_WINDOW) {
        if (slotw_flush(w) != 0)
            return -1;
        memset(w->v, 0, sizeof w->v);
        memset(w->k, 0, sizeof w->k);
        w->base = slot;
    }
    w->v[slot - w->base] = v;
    w->k[slot - w->base] = k;
    if (slot - w->base + 1 > w->used)
        w->used = slot - w->base + 1;
    return 0;
}

/* Puts values (with kind bits when k_off) into the first empty slots of
 * the table from slot 0: where entries pushed past the last slot wrap. */
static int wrap_place(struct slotw *w, size_t nslots, const uint32_t *v, const uint8_t *k,
                      uint32_t first_v, size_t n)
{
    size_t done = 0;

    for (size_t base = 0; base < nslots && done < n; base += HS_WINDOW) {
        size_t m = nslots - base < HS_WINDOW ? nslots - base : HS_WINDOW;
        if (pread_all(w->fd, w->v, m * 4, w->v_off + (uint64_t)base * 4) != 0 ||
            (w->k_off && pread_all(w->fd, w->k, m, w->k_off + base) != 0))
            return -1;
        for (size_t i = 0; i < m && done < n; i++) {
            if (w->v[i])
                continue;
            w->v[i] = v ? v[done] : first_v + (uint32_t)done;
            w->k[i] = k ? k[done] : 0;
            done++;
        }
        w->base = base;
        w->used = m;
        if (slotw_flush(w) != 0)
            return -1;
    }
    if (done < n) {
        errno = EIO; /* a full table: cannot happen at load <= 1/2 */
        return -1;
    }
    return 0;
}

static size_t buckets_for(size_t n, size_t max)
{
    size_t nb = 1;

    while (nb < HS_MAX_BUCKETS && nb < max && n / nb > HS_BUCKET)
        nb *= 2;
    return nb;
}

/* Counts items per bucket, then copies them (stably) to out in bucket
 * order; start[b] is where bucket b begins. in is read, out written, and
 * both given back every HS_CHUNK bytes. */
static void scatter(struct spill *in, size_t n, size_t w, uint8_t *out,
                    size_t (*bucket)(const uint8_t *, const void *), const void *arg,
                    size_t nb, size_t *start)
{
    size_t sum = 0;

    memset(start, 0, (nb + 1) * sizeof *start);
    for (size_t i = 0; i < n; i++) {
        start[bucket(in->p + i * w, arg) + 1]++;
        if ((i + 1) * w % HS_CHUNK < w)
            spill_drop(in, 0, (i + 1) * w);
    }
    for (size_t b = 0; b < nb; b++) {
        sum += start[b + 1];
        start[b + 1] = sum;
    }
    /* start[b + 1] is bucket b's end; use start[b] .. as cursors, then
     * shift them back. */
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = in->p + i * w;
        size_t b = bucket(p, arg);
        memcpy(out + start[b] * w, p, w);
        start[b]++;
        if ((i + 1) * w % HS_CHUNK < w) {
            spill_drop(in, 0, (i + 1) * w);
            spill_drop_map(out, n * w);
        }
    }
    for (size_t b = nb; b > 0; b--)
        start[b] = start[b - 1];
    start[0] = 0;
    spill_drop(in, 0, n * w);
    spill_drop_map(out, n * w);
}

/* --- digests --------------------------------------------------------- */

struct dsort {
    const uint8_t *buf;
    size_t stride;
    unsigned dlen;
};

static int digest_cmp(const void *a, const void *b, void *arg)
{
    const struct dsort *s = arg;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    int c =
        memcmp(s->buf + (size_t)i * s->stride, s->buf + (size_t)j * s->stride, s->dlen);

    return c ? c : (i > j) - (i < j);
}

static size_t digest_bucket(const uint8_t *rec, const void *arg)
{
    return hashset_digest_home(rec, *(const size_t *)arg);
}

/* Sorts one bucket (at recs, cnt records) in place and gives its records
 * their slots. */
static int kind_bucket(const struct hstream_kind *k, uint8_t *recs, size_t first,
                       size_t cnt, uint8_t **buf, uint32_t **idx, size_t *cap,
                       struct slotw *w, size_t *cursor, size_t *wrap_first, size_t *nwrap)
{
    size_t stride = k->dlen + 8u;
    struct dsort s;

    if (cnt > *cap) {
        uint8_t *nb = realloc(*buf, cnt * stride);
        uint32_t *ni;
        if (!nb)
            return -1;
        *buf = nb;
        if (!(ni = realloc(*idx, cnt * sizeof *ni)))
            return -1;
        *idx = ni;
        *cap = cnt;
    }
    memcpy(*buf, recs, cnt * stride);
    for (size_t j = 0; j < cnt; j++)
        (*idx)[j] = (uint32_t)j;
    s = (struct dsort){*buf, stride, k->dlen};
    qsort_r(*idx, cnt, sizeof **idx, digest_cmp, &s);
    for (size_t j = 0; j < cnt; j++) {
        const uint8_t *rec = *buf + (size_t)(*idx)[j] * stride;
        size_t home = hashset_digest_home(rec, k->nslots);
        size_t slot = home > *cursor ? home : *cursor;
        memcpy(recs + j * stride, rec, stride);
        if (slot >= k->nslots) {
            if ((*nwrap)++ == 0)
                *wrap_first = first + j;
        } else if (slotw_put(w, slot, (uint32_t)(first + j + 1), 0) != 0) {
            return -1;
        }
        *cursor = slot + 1;
    }
    return 0;
}

int hstream_write_kind(int fd, const struct hstream_kind *k)
{
    size_t stride = k->dlen + 8u, nb, *start = NULL, cursor = 0, wrap_first = 0,
           nwrap = 0;
    size_t cap = 0;
    struct region r = {0};
    struct slotw *w = NULL;
    uint8_t *buf = NULL;
    uint32_t *idx = NULL;
    int rc = -1;

    if (k->n == 0)
        return 0;
    if (k->n >= k->nslots || k->n >= UINT32_MAX || !k->sp || k->sp->cap / stride < k->n) {
        errno = EINVAL;
        return -1;
    }
    nb = buckets_for(k->n, k->nslots);
    if (!(start = calloc(nb + 1, sizeof *start)) || !(w = calloc(1, sizeof *w)) ||
        region_map(&r, fd, k->recs_off, k->n * stride) != 0)
        goto out;
    w->fd = fd;
    w->v_off = k->slots_off;
    scatter(k->sp, k->n, stride, r.p, digest_bucket, &nb, nb, start);
    for (size_t b = 0; b < nb; b++) {
        size_t cnt = start[b + 1] - start[b];
        if (kind_bucket(k, r.p + start[b] * stride, start[b], cnt, &buf, &idx, &cap, w,
                        &cursor, &wrap_first, &nwrap) != 0)
            goto out;
        spill_drop_map(r.p, k->n * stride);
    }
    if (slotw_flush(w) != 0 ||
        (nwrap && wrap_place(w, k->nslots, NULL, NULL, (uint32_t)wrap_first + 1, nwrap)))
        goto out;
    rc = 0;
out:
    region_unmap(&r);
    free(start);
    free(w);
    free(buf);
    free(idx);
    return rc;
}

/* --- sizes ------------------------------------------------------------ */

struct szarg {
    size_t nsizes, nb;
};

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static size_t size_bucket(const uint8_t *item, const void *arg)
{
    const struct szarg *a = arg;

    return hashset_size_home(get32(item), a->nsizes) / (a->nsizes / a->nb);
}

static int size_cmp(const void *a, const void *b, void *arg)
{
    size_t ns = *(const size_t *)arg;
    uint32_t x = get32(a), y = get32(b);
    size_t hx = hashset_size_home(x, ns), hy = hashset_size_home(y, ns);

    if (hx != hy)
        return hx < hy ? -1 : 1;
    return (x > y) - (x < y);
}

/* Entries pushed past the last slot, to wrap. */
struct szwrap {
    uint32_t *v;
    uint8_t *k;
    size_t n, cap;
};

static int szwrap_add(struct szwrap *z, uint32_t v, uint8_t k)
{
    if (z->n == z->cap) {
        size_t cap = z->cap ? 2 * z->cap : 64;
        uint32_t *nv = realloc(z->v, cap * sizeof *nv);
        uint8_t *nk;
        if (!nv)
            return -1;
        z->v = nv;
        if (!(nk = realloc(z->k, cap)))
            return -1;
        z->k = nk;
        z->cap = cap;
    }
    z->v[z->n] = v;
    z->k[z->n++] = k;
    return 0;
}

/* Sorts a bucket of items by (home, size), merges equal sizes and places
 * each distinct size. */
static int size_bucket_place(uint8_t *items, size_t cnt, size_t nsizes, struct slotw *w,
                             size_t *cursor, struct szwrap *z)
{
    qsort_r(items, cnt, 8, size_cmp, &nsizes);
    for (size_t j = 0; j < cnt;) {
        uint32_t size = get32(items + j * 8), kinds = 0;
        size_t home = hashset_size_home(size, nsizes), slot;
        for (; j < cnt && get32(items + j * 8) == size; j++)
            kinds |= get32(items + j * 8 + 4);
        if (size == 0 || kinds == 0 || kinds > 7) {
            errno = EIO; /* not what hashset_add spilled */
            return -1;
        }
        slot = home > *cursor ? home : *cursor;
        if (slot >= nsizes) {
            if (szwrap_add(z, size, (uint8_t)kinds) != 0)
                return -1;
        } else if (slotw_put(w, slot, size, (uint8_t)kinds) != 0) {
            return -1;
        }
        *cursor = slot + 1;
    }
    return 0;
}

int hstream_write_sizes(int fd, struct spill *sp, size_t n, size_t nsizes,
                        uint64_t sizes_off, uint64_t kinds_off, const char *tmpdir)
{
    struct szarg a = {nsizes, 0};
    struct spill *tmp = NULL;
    struct slotw *w = NULL;
    struct szwrap z = {0};
    size_t *start = NULL, cursor = 0, cap = 0;
    uint8_t *buf = NULL;
    int rc = -1;

    if (n == 0)
        return 0;
    if (n >= nsizes || !sp || sp->cap / 8 < n) {
        errno = EINVAL;
        return -1;
    }
    a.nb = buckets_for(n, nsizes);
    if (!(start = calloc(a.nb + 1, sizeof *start)) || !(w = calloc(1, sizeof *w)) ||
        spill_new(tmpdir, &tmp) != VIGIL_OK || spill_reserve(tmp, n * 8) != VIGIL_OK)
        goto out;
    w->fd = fd;
    w->v_off = sizes_off;
    w->k_off = kinds_off;
    scatter(sp, n, 8, tmp->p, size_bucket, &a, a.nb, start);
    for (size_t b = 0; b < a.nb; b++) {
        size_t cnt = start[b + 1] - start[b];
        if (cnt > cap) {
            uint8_t *nbuf = realloc(buf, cnt * 8);
            if (!nbuf)
                goto out;
            buf = nbuf;
            cap = cnt;
        }
        memcpy(buf, tmp->p + start[b] * 8, cnt * 8);
        if (size_bucket_place(buf, cnt, nsizes, w, &cursor, &z) != 0)
            goto out;
        spill_drop(tmp, 0, n * 8);
    }
    if (slotw_flush(w) != 0 || (z.n && wrap_place(w, nsizes, z.v, z.k, 0, z.n) != 0))
        goto out;
    rc = 0;
out:
    spill_free(tmp);
    free(start);
    free(w);
    free(buf);
    free(z.v);
    free(z.k);
    return rc;
}
