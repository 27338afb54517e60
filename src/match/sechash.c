/* sechash.c - the tables of PE section hashes and import hashes, ordered
 * and searched exactly as ClamAV's hash matcher (libclamav matcher-hash.c
 * hm_sort, hm_scan) orders and searches its own: one bucket per digest
 * kind and size (any-size entries in bucket 0), each sorted by ClamAV's
 * unstable quicksort and searched by its bisection, so that of two
 * signatures with the same hash the one clamscan reports is reported.
 * Limits: SECHASH_MAX_ENTRIES; the sort uses an explicit stack. */
#include "match/sechash.h"

#include <stdlib.h>
#include <string.h>

#include "core/spill.h"

void sechash_init(struct sechash_table *t)
{
    memset(t, 0, sizeof *t);
}

void sechash_free(struct sechash_table *t)
{
    if (t->spill)
        spill_free(t->spill);
    else
        free(t->v);
    free(t->spill_dir);
    sechash_init(t);
}

vigil_status sechash_spill(struct sechash_table *t, const char *dir)
{
    struct spill *sp = NULL;
    char *d = strdup(dir);
    vigil_status st = d ? spill_new(dir, &sp) : VIGIL_ENOMEM;

    if (st == VIGIL_OK)
        st = spill_reserve(sp, (t->n + 1) * sizeof *t->v);
    if (st != VIGIL_OK || t->spill || t->sorted) {
        spill_free(sp);
        free(d);
        return st != VIGIL_OK ? st : VIGIL_ESTATE;
    }
    if (t->n)
        memcpy(sp->p, t->v, t->n * sizeof *t->v);
    free(t->v);
    t->v = (struct sechash_entry *)(void *)sp->p;
    t->cap = sp->cap / sizeof *t->v;
    t->spill = sp;
    t->spill_dir = d;
    return VIGIL_OK;
}

void sechash_defer(struct sechash_table *t)
{
    t->deferred = 1;
}

void sechash_truncate(struct sechash_table *t, size_t n)
{
    if (n < t->n)
        t->n = n;
    t->kinds = 0;
    for (size_t i = 0; i < t->n; i++)
        t->kinds |= 1u << t->v[i].kind;
    if (t->spill)
        spill_drop(t->spill, 0, t->n * sizeof *t->v);
}

vigil_status sechash_add(struct sechash_table *t, enum hash_kind kind,
                         const uint8_t *digest, uint32_t size, uint32_t name)
{
    struct sechash_entry *e;

    if (t->n >= SECHASH_MAX_ENTRIES)
        return VIGIL_ETOOBIG;
    if (t->spill && t->n == t->cap) {
        vigil_status st = spill_reserve(t->spill, (t->n + 1) * sizeof *t->v);
        if (st != VIGIL_OK)
            return st;
        t->v = (struct sechash_entry *)(void *)t->spill->p;
        t->cap = t->spill->cap / sizeof *t->v;
    } else if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        struct sechash_entry *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return VIGIL_ENOMEM;
        t->v = v;
        t->cap = cap;
    }
    e = &t->v[t->n];
    memset(e, 0, sizeof *e);
    e->size = size;
    e->name = name;
    e->order = (uint32_t)t->n;
    e->kind = (uint8_t)kind;
    memcpy(e->digest, digest, hash_len[kind]);
    t->n++;
    t->kinds |= 1u << kind;
    t->sorted = 0;
    if (t->spill)
        spill_wrote(t->spill, t->n * sizeof *t->v);
    return VIGIL_OK;
}

/* Orders by kind and size, then load order: the buckets ClamAV fills. */
static int bucket_cmp(const void *a, const void *b)
{
    const struct sechash_entry *x = a, *y = b;

    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* ClamAV's hm_cmp as clamscan 1.4.6 behaves: the bytes in order
 * (measured: which of several equal hashes is reported matches memcmp
 * order, not the little-endian first word of the source's fast path). */
static int digest_cmp(const uint8_t *a, const uint8_t *b, unsigned len)
{
    return memcmp(a, b, len);
}

static void swap_entries(struct sechash_entry *v, size_t i, size_t j)
{
    struct sechash_entry t = v[i];

    v[i] = v[j];
    v[j] = t;
}

/* ClamAV's hm_sort over one bucket v[0..n), with an explicit stack: its
 * quicksort is not stable, and which of two equal hashes its lookup finds
 * (and so which name is reported) depends on this exact order. Returns -1
 * when out of memory (the bucket is then left in load order). */
static int bucket_sort(struct sechash_entry *v, size_t n, unsigned len)
{
    size_t *stack = malloc(2 * (n + 1) * sizeof *stack), top = 0;

    if (!stack)
        return -1;
    stack[top++] = 0;
    stack[top++] = n;
    while (top) {
        size_t r = stack[--top], l = stack[--top], l1 = l + 1, r1 = r;
        uint8_t piv[32];
        if (l + 1 >= r)
            continue;
        memcpy(piv, v[l].digest, sizeof piv);
        while (l1 < r1) {
            if (digest_cmp(v[l1].digest, piv, len) > 0) {
                r1--;
                if (l1 == r1)
                    break;
                swap_entries(v, l1, r1);
            } else {
                l1++;
            }
        }
        l1--;
        if (l1 != l)
            swap_entries(v, l1, l);
        stack[top++] = l;
        stack[top++] = l1;
        stack[top++] = r1;
        stack[top++] = r;
    }
    free(stack);
    return 0;
}

int sechash_bucket_cmp(const void *a, const void *b)
{
    return bucket_cmp(a, b);
}

void sechash_bucket_order(struct sechash_entry *v, size_t n)
{
    if (n)
        bucket_sort(v, n, hash_len[v[0].kind]);
}

void sechash_sort(struct sechash_table *t)
{
    size_t i = 0;

    if (t->n > 1)
        qsort(t->v, t->n, sizeof *t->v, bucket_cmp);
    while (i < t->n) {
        size_t j = i + 1;
        while (j < t->n && t->v[j].kind == t->v[i].kind && t->v[j].size == t->v[i].size)
            j++;
        bucket_sort(t->v + i, j - i, hash_len[t->v[i].kind]);
        i = j;
    }
    t->sorted = 1;
}

/* The bucket of (kind, size): [*from, *to). */
static void bucket(const struct sechash_table *t, uint8_t kind, uint32_t size,
                   size_t *from, size_t *to)
{
    size_t lo = 0, hi = t->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct sechash_entry *e = &t->v[mid];
        if (e->kind < kind || (e->kind == kind && e->size < size))
            lo = mid + 1;
        else
            hi = mid;
    }
    *from = lo;
    hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct sechash_entry *e = &t->v[mid];
        if (e->kind < kind || (e->kind == kind && e->size <= size))
            lo = mid + 1;
        else
            hi = mid;
    }
    *to = lo;
}

int sechash_has_size(const struct sechash_table *t, enum hash_kind kind, uint64_t size)
{
    size_t from, to;

    if (!(t->kinds & (1u << kind)) || !t->sorted)
        return 0;
    bucket(t, (uint8_t)kind, SECHASH_ANY_SIZE, &from, &to);
    if (from < to)
        return 1;
    if (size == 0 || size >= UINT32_MAX)
        return 0;
    bucket(t, (uint8_t)kind, (uint32_t)size, &from, &to);
    return from < to;
}

/* ClamAV's hm_scan: a bisection of the bucket; the entry it lands on
 * names the detection. -1 when the digest is not there. */
static long find_one(const struct sechash_table *t, uint8_t kind, uint32_t size,
                     const uint8_t *digest)
{
    size_t from, to, l, r;

    bucket(t, kind, size, &from, &to);
    if (from == to)
        return -1;
    l = 0;
    r = to - from - 1;
    while (l <= r) {
        size_t c = (l + r) / 2;
        int res = digest_cmp(digest, t->v[from + c].digest, hash_len[kind]);
        if (res < 0) {
            if (!c)
                break;
            r = c - 1;
        } else if (res > 0) {
            l = c + 1;
        } else {
            return (long)(from + c);
        }
    }
    return -1;
}

unsigned sechash_find(const struct sechash_table *t, enum hash_kind kind,
                      const uint8_t *digest, uint64_t size, uint32_t *exact,
                      uint32_t *any)
{
    unsigned found = 0;
    long i;

    if (!(t->kinds & (1u << kind)) || !t->sorted)
        return 0;
    if (size > 0 && size <= UINT32_MAX &&
        (i = find_one(t, (uint8_t)kind, (uint32_t)size, digest)) >= 0) {
        *exact = t->v[i].name;
        found |= SECHASH_EXACT;
    }
    if ((i = find_one(t, (uint8_t)kind, SECHASH_ANY_SIZE, digest)) >= 0) {
        *any = t->v[i].name;
        found |= SECHASH_ANY;
    }
    return found;
}
