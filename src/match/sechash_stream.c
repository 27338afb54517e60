/* sechash_stream.c - a spilled section/import hash table written in
 * sechash_sort's order without holding it in memory.
 *
 * sechash_sort orders entries by (kind, size, load order), then each
 * (kind, size) bucket by ClamAV's quicksort. Here runs of SS_RUN entries
 * (at least; at most SS_MAX_RUNS runs) are sorted by the first key into a
 * temporary file, the runs are merged (a heap of run heads, each run read
 * with pread through a small buffer: reading through the mapping would map
 * whole large folios of every run), the load order making the key total,
 * so the merge gives exactly the order of one sort; and each bucket, as
 * the merge completes it, is put in ClamAV's order and written. Memory:
 * one run (SS_RUN entries, more past SS_RUN * SS_MAX_RUNS entries), one
 * bucket (the entries of one size: bounded by the database, not by its
 * total size), a buffer of SS_BUF entries a run, and SS_CHUNK of mapped
 * pages, given back as the runs are made. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/spill.h"
#include "match/sechash.h"
#include "io/pio.h"

#define SS_RUN 16384
#define SS_MAX_RUNS 256
#define SS_BUF 64

struct run {
    size_t pos, end; /* entries not read yet */
    size_t at, n;    /* in buf */
    struct sechash_entry buf[SS_BUF];
};

struct merge {
    int fd; /* the runs, one after another */
    struct run *runs;
    size_t *heap, nheap;
};

static const struct sechash_entry *head(const struct merge *m, size_t r)
{
    return &m->runs[r].buf[m->runs[r].at];
}

static int head_less(const struct merge *m, size_t a, size_t b)
{
    return sechash_bucket_cmp(head(m, a), head(m, b)) < 0;
}

/* Reads the next entries of run r into its buffer; 0 at its end. */
static int refill(struct merge *m, struct run *r)
{
    size_t n = r->end - r->pos < SS_BUF ? r->end - r->pos : SS_BUF, got = 0;

    while (got < n * sizeof *r->buf) {
        ssize_t k = pread(m->fd, (uint8_t *)r->buf + got, n * sizeof *r->buf - got,
                          (off_t)(r->pos * sizeof *r->buf + got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k == 0)
                errno = EIO;
            return -1;
        }
        got += (size_t)k;
    }
    r->pos += n;
    r->at = 0;
    r->n = n;
    return 0;
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

/* Copies the next entry in merged order to *e. Returns 1, 0 at the end,
 * -1 if a run cannot be read. */
static int merge_next(struct merge *m, struct sechash_entry *e)
{
    struct run *r;

    if (m->nheap == 0)
        return 0;
    r = &m->runs[m->heap[0]];
    *e = r->buf[r->at++];
    if (r->at == r->n) {
        if (r->pos == r->end)
            m->heap[0] = m->heap[--m->nheap];
        else if (refill(m, r) != 0)
            return -1;
    }
    sift_down(m, 0);
    return 1;
}

/* Sorted runs of t's entries, into tmp. */
static int make_runs(const struct sechash_table *t, struct spill *tmp, struct run *runs,
                     size_t nruns, size_t len)
{
    struct sechash_entry *buf = malloc(len * sizeof *buf);

    if (!buf)
        return -1;
    for (size_t r = 0; r < nruns; r++) {
        size_t from = r * len, n = t->n - from < len ? t->n - from : len;
        memcpy(buf, t->v + from, n * sizeof *buf);
        qsort(buf, n, sizeof *buf, sechash_bucket_cmp);
        memcpy(tmp->p + from * sizeof *buf, buf, n * sizeof *buf);
        runs[r].pos = from;
        runs[r].end = from + n;
        spill_drop(t->spill, 0, (from + n) * sizeof *buf);
        spill_drop(tmp, 0, (from + n) * sizeof *buf);
    }
    free(buf);
    return 0;
}

/* Puts one bucket in ClamAV's order and writes it at entry *at. */
static int flush_bucket(int fd, uint64_t off, struct sechash_entry *b, size_t n,
                        size_t *at)
{
    sechash_bucket_order(b, n);
    if (n && pwrite_all(fd, b, n * sizeof *b, off + (uint64_t)*at * sizeof *b) != 0)
        return -1;
    *at += n;
    return 0;
}

int sechash_write_sorted(const struct sechash_table *t, int fd, uint64_t off)
{
    size_t len = SS_RUN, nruns, nb = 0, cap = 0, at = 0;
    struct merge m = {0};
    struct spill *tmp = NULL;
    struct sechash_entry *b = NULL, e;
    int rc = -1, got;

    if (t->n == 0)
        return 0;
    if (!t->spill || t->spill->cap / sizeof *t->v < t->n) {
        errno = EINVAL;
        return -1;
    }
    while (t->n / len >= SS_MAX_RUNS)
        len *= 2;
    nruns = (t->n + len - 1) / len;
    if (spill_new(t->spill_dir, &tmp) != VIGIL_OK ||
        spill_reserve(tmp, t->n * sizeof *t->v) != VIGIL_OK ||
        !(m.runs = calloc(nruns, sizeof *m.runs)) ||
        !(m.heap = calloc(nruns, sizeof *m.heap)) ||
        make_runs(t, tmp, m.runs, nruns, len) != 0)
        goto out;
    m.fd = tmp->fd;
    for (size_t r = 0; r < nruns; r++) {
        if (refill(&m, &m.runs[r]) != 0)
            goto out;
        m.heap[m.nheap++] = r;
    }
    for (size_t i = m.nheap; i-- > 0;)
        sift_down(&m, i);
    while ((got = merge_next(&m, &e)) > 0) {
        if (nb && (e.kind != b[0].kind || e.size != b[0].size)) {
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
        b[nb++] = e;
    }
    if (got < 0 || flush_bucket(fd, off, b, nb, &at) != 0)
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
