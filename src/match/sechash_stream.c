/* sechash_stream.c - a spilled section/import hash table written in
 * sechash_sort's order without holding it in memory.
 *
 * sechash_sort orders entries by (kind, size, load order), then each
 * (kind, size) bucket by ClamAV's quicksort. Here runs of SS_RUN entries
 * are sorted by the first key into a temporary file, the runs are merged
 * (a heap of run heads; the load order makes the key total, so the merge
 * gives exactly the order of one sort), and each bucket, as the merge
 * completes it, is put in ClamAV's order and written. Memory: one run,
 * one bucket (the entries of one size: bounded by the database, not by
 * its total size), the heap (one slot a run), and SS_CHUNK of mapped
 * pages, given back as the passes go. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/spill.h"
#include "match/sechash.h"

#define SS_RUN 16384
#define SS_CHUNK ((size_t)1 << 20)

static int pwrite_all(int fd, const void *data, size_t n, uint64_t off)
{
    const uint8_t *p = data;

    while (n) {
        ssize_t w = pwrite(fd, p, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        p += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

struct run {
    size_t pos, end;
};

struct merge {
    const struct sechash_entry *v; /* the runs, one after another */
    struct run *runs;
    size_t *heap, nheap;
};

static int head_less(const struct merge *m, size_t a, size_t b)
{
    return sechash_bucket_cmp(&m->v[m->runs[a].pos], &m->v[m->runs[b].pos]) < 0;
}

static void sift_down(struct merge *m, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, s = i, t;
        if (l < m->nheap && head_less(m, m->heap[l], m->heap[s]))
            s = l;
        if (r < m->nheap && head_less(m, m->heap[r], m->heap[s]))
            s = r;
        if (s == i)
            return;
        t = m->heap[i];
        m->heap[i] = m->heap[s];
        m->heap[s] = t;
        i = s;
    }
}

/* The next entry in merged order, or NULL at the end. */
static const struct sechash_entry *merge_next(struct merge *m)
{
    struct run *r;
    const struct sechash_entry *e;

    if (m->nheap == 0)
        return NULL;
    r = &m->runs[m->heap[0]];
    e = &m->v[r->pos++];
    if (r->pos == r->end)
        m->heap[0] = m->heap[--m->nheap];
    sift_down(m, 0);
    return e;
}

/* Sorted runs of t's entries, into tmp. */
static int make_runs(const struct sechash_table *t, struct spill *tmp, struct run *runs,
                     size_t nruns)
{
    struct sechash_entry *buf = malloc(SS_RUN * sizeof *buf);

    if (!buf)
        return -1;
    for (size_t r = 0; r < nruns; r++) {
        size_t from = r * SS_RUN, n = t->n - from < SS_RUN ? t->n - from : SS_RUN;
        memcpy(buf, t->v + from, n * sizeof *buf);
        qsort(buf, n, sizeof *buf, sechash_bucket_cmp);
        memcpy(tmp->p + from * sizeof *buf, buf, n * sizeof *buf);
        runs[r] = (struct run){from, from + n};
        spill_drop(t->spill, 0, (from + n) * sizeof *buf);
        spill_drop(tmp, 0, (from + n) * sizeof *buf);
    }
    free(buf);
    return 0;
}

/* Puts one bucket in ClamAV's order and writes it at entry *at. */
static int flush_bucket(int fd, uint64_t off, struct sechash_entry *b, size_t n, size_t *at)
{
    sechash_bucket_order(b, n);
    if (n && pwrite_all(fd, b, n * sizeof *b, off + (uint64_t)*at * sizeof *b) != 0)
        return -1;
    *at += n;
    return 0;
}

int sechash_write_sorted(const struct sechash_table *t, int fd, uint64_t off)
{
    size_t nruns = (t->n + SS_RUN - 1) / SS_RUN, nb = 0, cap = 0, at = 0, since = 0;
    struct merge m = {0};
    struct spill *tmp = NULL;
    struct sechash_entry *b = NULL;
    const struct sechash_entry *e;
    int rc = -1;

    if (t->n == 0)
        return 0;
    if (!t->spill || t->spill->cap / sizeof *t->v < t->n) {
        errno = EINVAL;
        return -1;
    }
    if (spill_new(t->spill_dir, &tmp) != VIGIL_OK ||
        spill_reserve(tmp, t->n * sizeof *t->v) != VIGIL_OK ||
        !(m.runs = calloc(nruns, sizeof *m.runs)) ||
        !(m.heap = calloc(nruns, sizeof *m.heap)) || make_runs(t, tmp, m.runs, nruns) != 0)
        goto out;
    m.v = (const struct sechash_entry *)(const void *)tmp->p;
    for (size_t r = 0; r < nruns; r++)
        m.heap[m.nheap++] = r;
    for (size_t i = m.nheap; i-- > 0;)
        sift_down(&m, i);
    while ((e = merge_next(&m)) != NULL) {
        if (nb && (e->kind != b[0].kind || e->size != b[0].size)) {
            if (flush_bucket(fd, off, b, nb, &at) != 0)
                goto out;
            nb = 0;
        }
        if (nb == cap) {
            size_t ncap = cap ? 2 * cap : 256;
            struct sechash_entry *nbuf = realloc(b, ncap * sizeof *nbuf);
            if (!nbuf)
                goto out;
            b = nbuf;
            cap = ncap;
        }
        b[nb++] = *e;
        if (++since * sizeof *e >= SS_CHUNK) {
            spill_drop(tmp, 0, t->n * sizeof *e);
            since = 0;
        }
    }
    if (flush_bucket(fd, off, b, nb, &at) != 0)
        goto out;
    if (at != t->n) {
        errno = EIO;
        goto out;
    }
    rc = 0;
out:
    spill_free(tmp);
    free(m.runs);
    free(m.heap);
    free(b);
    return rc;
}
