/* sechash.c - the tables of PE section hashes and import hashes: a sorted
 * array searched by binary search (kind, size, digest). Small next to the
 * file hash sets, so no size buckets. Limits: SECHASH_MAX_ENTRIES. */
#include "match/sechash.h"

#include <stdlib.h>
#include <string.h>

void sechash_init(struct sechash_table *t)
{
    memset(t, 0, sizeof *t);
}

void sechash_free(struct sechash_table *t)
{
    free(t->v);
    sechash_init(t);
}

void sechash_truncate(struct sechash_table *t, size_t n)
{
    if (n < t->n)
        t->n = n;
    t->kinds = 0;
    for (size_t i = 0; i < t->n; i++)
        t->kinds |= 1u << t->v[i].kind;
}

vigil_status sechash_add(struct sechash_table *t, enum hash_kind kind,
                         const uint8_t *digest, uint32_t size, uint32_t name)
{
    struct sechash_entry *e;

    if (t->n >= SECHASH_MAX_ENTRIES)
        return VIGIL_ETOOBIG;
    if (t->n == t->cap) {
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
    return VIGIL_OK;
}

/* Orders by kind, size, digest, then load order. */
static int entry_cmp(const void *a, const void *b)
{
    const struct sechash_entry *x = a, *y = b;
    int c;

    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    if ((c = memcmp(x->digest, y->digest, sizeof x->digest)) != 0)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

void sechash_sort(struct sechash_table *t)
{
    if (t->n > 1)
        qsort(t->v, t->n, sizeof *t->v, entry_cmp);
    t->sorted = 1;
}

/* The first entry not below the key (kind, size, digest or all zeros). */
static size_t lower(const struct sechash_table *t, uint8_t kind, uint32_t size,
                    const uint8_t *digest)
{
    struct sechash_entry key;
    size_t lo = 0, hi = t->n;

    memset(&key, 0, sizeof key);
    key.kind = kind;
    key.size = size;
    if (digest)
        memcpy(key.digest, digest, hash_len[kind]);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (entry_cmp(&t->v[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int sechash_has_size(const struct sechash_table *t, enum hash_kind kind, uint64_t size)
{
    size_t i;

    if (!(t->kinds & (1u << kind)) || !t->sorted)
        return 0;
    i = lower(t, (uint8_t)kind, SECHASH_ANY_SIZE, NULL);
    if (i < t->n && t->v[i].kind == kind && t->v[i].size == SECHASH_ANY_SIZE)
        return 1;
    if (size == 0 || size > UINT32_MAX)
        return 0;
    i = lower(t, (uint8_t)kind, (uint32_t)size, NULL);
    return i < t->n && t->v[i].kind == kind && t->v[i].size == size;
}

/* The last loaded entry equal to (kind, size, digest), or -1. */
static long find_one(const struct sechash_table *t, uint8_t kind, uint32_t size,
                     const uint8_t *digest)
{
    size_t i = lower(t, kind, size, digest);
    long found = -1;

    while (i < t->n && t->v[i].kind == kind && t->v[i].size == size &&
           memcmp(t->v[i].digest, digest, hash_len[kind]) == 0)
        found = (long)i++;
    return found;
}

int sechash_find(const struct sechash_table *t, enum hash_kind kind, const uint8_t *digest,
                 uint64_t size, uint32_t *name)
{
    long i = -1;

    if (!(t->kinds & (1u << kind)) || !t->sorted)
        return 0;
    if (size > 0 && size <= UINT32_MAX)
        i = find_one(t, (uint8_t)kind, (uint32_t)size, digest);
    if (i < 0)
        i = find_one(t, (uint8_t)kind, SECHASH_ANY_SIZE, digest);
    if (i < 0)
        return 0;
    *name = t->v[i].name;
    return 1;
}
