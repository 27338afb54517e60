/* hashset.c - hash signatures in open-addressed tables.
 *
 * Per digest kind, entries are packed records (digest | size u32 | value u32:
 * 24 bytes for MD5) in one array, plus a table of 32-bit slots (load <= 1/2,
 * linear probing) whose home slot is the digest's leading bits, which are
 * uniformly distributed. The home is monotonic in the digest, so a table
 * can also be written in one sequential pass over records sorted by digest
 * (match/hashset_stream.c, for sets whose records were spilled to a file).
 * A second table maps each distinct size to the kinds used at that size. In
 * memory no sorting: compiling is linear in the number of entries. */
#include "match/hashset.h"

#include <stdlib.h>
#include <string.h>

#include "core/spill.h"
#include "match/hashset_stream.h"

const unsigned hash_len[HASH_KINDS] = {16, 20, 32};

struct hashkind {
    uint8_t *recs;       /* n records of stride bytes (spill: its mapping) */
    struct spill *spill; /* hashset_spill: where recs live */
    size_t n, cap;
    size_t stride;
    uint32_t *slots; /* record index + 1; 0 = empty */
    size_t mask;     /* number of slots - 1 */
};

struct hashset {
    struct hashkind k[HASH_KINDS];
    size_t max_entries;
    unsigned any_kinds; /* kinds having an any-size entry */
    unsigned any_seen;  /* the same, kept by hashset_add */
    uint32_t max_seen[HASH_KINDS]; /* largest exact size, kept by hashset_add */
    uint32_t *sizes;    /* distinct sizes, open-addressed; 0 = empty */
    uint8_t *size_kinds;
    size_t size_mask;
    int compiled;
    int borrowed; /* arrays are an image's (hashset_attach): not ours to free */
    int deferred; /* compiled for hashset_write_tables only: no tables */
    struct spill *szsp; /* spilled sets: (size, kind bit) of exact-size
                         * entries, u32 each */
    char *spill_dir;
    size_t nsz;
    uint32_t szcache[HASHSET_SZCACHE]; /* sizes (kinds in bits 0-2 of
                                        * szkinds) recently spilled */
    uint8_t szkinds[HASHSET_SZCACHE];
    uint32_t max_value;            /* values are below it (hashset_attach) */
    uint64_t max_size[HASH_KINDS]; /* hashset_max_sizes */
};

int hash_kind_for_hexlen(size_t hexlen)
{
    for (int k = 0; k < HASH_KINDS; k++)
        if (hexlen == 2 * hash_len[k])
            return k;
    return -1;
}

vigil_status hashset_new(size_t max_entries, struct hashset **out)
{
    struct hashset *hs = calloc(1, sizeof *hs);

    if (!hs)
        return VIGIL_ENOMEM;
    for (int k = 0; k < HASH_KINDS; k++)
        hs->k[k].stride = hash_len[k] + 8;
    hs->max_entries = max_entries;
    hs->max_value = UINT32_MAX;
    *out = hs;
    return VIGIL_OK;
}

void hashset_free(struct hashset *hs)
{
    if (!hs)
        return;
    if (hs->borrowed) {
        free(hs);
        return;
    }
    for (int k = 0; k < HASH_KINDS; k++) {
        if (hs->k[k].spill)
            spill_free(hs->k[k].spill);
        else
            free(hs->k[k].recs);
        free(hs->k[k].slots);
    }
    spill_free(hs->szsp);
    free(hs->spill_dir);
    free(hs->sizes);
    free(hs->size_kinds);
    free(hs);
}

size_t hashset_count(const struct hashset *hs)
{
    return hs->k[HASH_MD5].n + hs->k[HASH_SHA1].n + hs->k[HASH_SHA256].n;
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static void wr32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

/* Room for one more record in a spilled kind, and its size in the sizes
 * spill unless the cache says it is there already. */
static vigil_status spill_add(struct hashset *hs, enum hash_kind kind, uint32_t size)
{
    struct hashkind *k = &hs->k[kind];
    size_t c = (size * 0x9E3779B1u) >> (32 - HASHSET_SZCACHE_BITS);
    uint8_t bit = (uint8_t)(1u << kind);
    vigil_status st = spill_reserve(k->spill, (k->n + 1) * k->stride);

    if (st != VIGIL_OK)
        return st;
    k->recs = k->spill->p;
    k->cap = k->spill->cap / k->stride;
    if (size == HASHSET_ANY_SIZE || (hs->szcache[c] == size && (hs->szkinds[c] & bit)))
        return VIGIL_OK;
    if ((st = spill_reserve(hs->szsp, (hs->nsz + 1) * 8)) != VIGIL_OK)
        return st;
    wr32(hs->szsp->p + hs->nsz * 8, size);
    wr32(hs->szsp->p + hs->nsz * 8 + 4, bit);
    hs->nsz++;
    spill_wrote(hs->szsp, hs->nsz * 8);
    if (hs->szcache[c] != size)
        hs->szkinds[c] = 0;
    hs->szcache[c] = size;
    hs->szkinds[c] |= bit;
    return VIGIL_OK;
}

vigil_status hashset_add(struct hashset *hs, enum hash_kind kind,
                         const uint8_t *digest, uint32_t size, uint32_t value)
{
    struct hashkind *k = &hs->k[kind];
    uint8_t *rec;

    if (hs->compiled)
        return VIGIL_ESTATE;
    if (hashset_count(hs) >= hs->max_entries)
        return VIGIL_ENOMEM;
    if (k->spill) {
        vigil_status st = spill_add(hs, kind, size);
        if (st != VIGIL_OK)
            return st;
    } else if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 1024;
        uint8_t *p = realloc(k->recs, cap * k->stride);
        if (!p)
            return VIGIL_ENOMEM;
        k->recs = p;
        k->cap = cap;
    }
    rec = k->recs + k->n * k->stride;
    memcpy(rec, digest, hash_len[kind]);
    wr32(rec + hash_len[kind], size);
    wr32(rec + hash_len[kind] + 4, value);
    k->n++;
    if (k->spill)
        spill_wrote(k->spill, k->n * k->stride);
    if (size == HASHSET_ANY_SIZE)
        hs->any_seen |= 1u << kind;
    else if (size > hs->max_seen[kind])
        hs->max_seen[kind] = size;
    return VIGIL_OK;
}

void hashset_mark(const struct hashset *hs, struct hashset_mark *m)
{
    for (int k = 0; k < HASH_KINDS; k++)
        m->n[k] = hs->k[k].n;
    m->nsz = hs->nsz;
    m->any_seen = hs->any_seen;
    memcpy(m->max_seen, hs->max_seen, sizeof m->max_seen);
}

void hashset_rollback(struct hashset *hs, const struct hashset_mark *m)
{
    for (int k = 0; k < HASH_KINDS; k++)
        if (m->n[k] < hs->k[k].n)
            hs->k[k].n = m->n[k];
    if (m->nsz < hs->nsz)
        hs->nsz = m->nsz;
    hs->any_seen = m->any_seen;
    memcpy(hs->max_seen, m->max_seen, sizeof hs->max_seen);
    /* The cache may name sizes whose entries are gone now. */
    memset(hs->szcache, 0, sizeof hs->szcache);
    memset(hs->szkinds, 0, sizeof hs->szkinds);
}

/* A table of at least 2*n slots, a power of two. */
static size_t table_size(size_t n)
{
    size_t s = 16;
    while (s < 2 * n)
        s *= 2;
    return s;
}

static vigil_status kind_compile(struct hashkind *k)
{
    size_t nslots;

    free(k->slots);
    k->slots = NULL;
    if (k->n == 0)
        return VIGIL_OK;
    nslots = table_size(k->n);
    k->slots = calloc(nslots, sizeof *k->slots);
    if (!k->slots)
        return VIGIL_ENOMEM;
    k->mask = nslots - 1;
    for (size_t i = 0; i < k->n; i++) {
        size_t h = hashset_digest_home(k->recs + i * k->stride, nslots);
        while (k->slots[h])
            h = (h + 1) & k->mask;
        k->slots[h] = (uint32_t)(i + 1);
    }
    /* Give back what doubling over-allocated (a spill keeps its file). */
    if (!k->spill && k->cap > k->n) {
        uint8_t *p = realloc(k->recs, k->n * k->stride);
        if (p) {
            k->recs = p;
            k->cap = k->n;
        }
    }
    return VIGIL_OK;
}

static void size_insert(struct hashset *hs, uint32_t size, unsigned kind)
{
    size_t h = hashset_size_home(size, hs->size_mask + 1);

    while (hs->sizes[h] && hs->sizes[h] != size)
        h = (h + 1) & hs->size_mask;
    hs->sizes[h] = size;
    hs->size_kinds[h] |= (uint8_t)(1u << kind);
}

static vigil_status sizes_compile(struct hashset *hs)
{
    size_t n = hashset_count(hs), nslots = table_size(n);

    hs->sizes = calloc(nslots, sizeof *hs->sizes);
    hs->size_kinds = calloc(nslots, 1);
    if (!hs->sizes || !hs->size_kinds)
        return VIGIL_ENOMEM;
    hs->size_mask = nslots - 1;
    for (int kind = 0; kind < HASH_KINDS; kind++) {
        const struct hashkind *k = &hs->k[kind];
        for (size_t i = 0; i < k->n; i++) {
            uint32_t size = rd32(k->recs + i * k->stride + hash_len[kind]);
            if (size == HASHSET_ANY_SIZE)
                hs->any_kinds |= 1u << kind;
            else
                size_insert(hs, size, (unsigned)kind);
        }
    }
    return VIGIL_OK;
}

vigil_status hashset_compile(struct hashset *hs)
{
    vigil_status st;

    if (hs->deferred)
        hs->compiled = hs->deferred = 0; /* after all, in memory */
    if (hs->compiled)
        return VIGIL_ESTATE;
    for (int k = 0; k < HASH_KINDS; k++) {
        st = kind_compile(&hs->k[k]);
        if (st != VIGIL_OK)
            return st;
    }
    st = sizes_compile(hs);
    if (st != VIGIL_OK)
        return st;
    for (int k = 0; k < HASH_KINDS; k++)
        hs->max_size[k] = (hs->any_kinds & (1u << k)) ? UINT64_MAX : 0;
    for (size_t h = 0; h <= hs->size_mask; h++)
        for (int k = 0; k < HASH_KINDS && hs->sizes[h]; k++)
            if ((hs->size_kinds[h] & (1u << k)) && hs->sizes[h] > hs->max_size[k])
                hs->max_size[k] = hs->sizes[h];
    hs->compiled = 1;
    return VIGIL_OK;
}

void hashset_max_sizes(const struct hashset *hs, uint64_t max[HASH_KINDS])
{
    for (int k = 0; k < HASH_KINDS; k++)
        max[k] = hs->compiled ? hs->max_size[k] : 0;
}

unsigned hashset_kinds_for_size(const struct hashset *hs, uint64_t size)
{
    size_t h;

    if (!hs->compiled || !hs->sizes)
        return 0;
    if (size == 0 || size >= UINT32_MAX)
        return hs->any_kinds;
    /* At most one lap: an image's table may have no empty slot. */
    h = hashset_size_home((uint32_t)size, hs->size_mask + 1);
    for (size_t i = 0; i <= hs->size_mask && hs->sizes[h]; i++) {
        if (hs->sizes[h] == size)
            return (hs->any_kinds | hs->size_kinds[h]) & 7u;
        h = (h + 1) & hs->size_mask;
    }
    return hs->any_kinds;
}

unsigned hashset_find(const struct hashset *hs, enum hash_kind kind,
                      const uint8_t *digest, uint64_t size, uint32_t *exact,
                      uint32_t *any)
{
    const struct hashkind *k = &hs->k[kind];
    unsigned len = hash_len[kind], found = 0;
    uint32_t last_exact = 0, last_any = 0; /* record index + 1 */
    size_t h = hashset_digest_home(digest, k->mask + 1);

    if (!hs->compiled || !k->slots)
        return 0;
    /* Entries with one digest share a probe chain; keep the highest record
     * index of each kind of match: the one loaded last. An image's slots
     * are checked here, as they are read (at most one lap; an index past
     * the records is skipped), not all at attach. */
    for (size_t i = 0; i <= k->mask && k->slots[h]; i++, h = (h + 1) & k->mask) {
        uint32_t idx = k->slots[h], rsize;
        const uint8_t *rec;
        if (idx > k->n)
            continue;
        rec = k->recs + (size_t)(idx - 1) * k->stride;
        rsize = rd32(rec + len);
        if (memcmp(rec, digest, len) != 0)
            continue;
        if (rsize == HASHSET_ANY_SIZE) {
            if (idx > last_any)
                last_any = idx;
        } else if (rsize == size && idx > last_exact) {
            last_exact = idx;
        }
    }
    /* A value out of range (a damaged image) is no match. */
    if (last_exact) {
        *exact = rd32(k->recs + (size_t)(last_exact - 1) * k->stride + len + 4);
        found |= *exact < hs->max_value ? HASHSET_EXACT : 0;
    }
    if (last_any) {
        *any = rd32(k->recs + (size_t)(last_any - 1) * k->stride + len + 4);
        found |= *any < hs->max_value ? HASHSET_ANY : 0;
    }
    return found;
}

void hashset_export(const struct hashset *hs, struct hashset_flat *f)
{
    memset(f, 0, sizeof *f);
    for (int k = 0; k < HASH_KINDS; k++) {
        f->recs[k] = hs->k[k].recs;
        f->n[k] = hs->k[k].n;
        f->slots[k] = hs->k[k].slots;
        f->nslots[k] = hs->k[k].slots ? hs->k[k].mask + 1 : 0;
    }
    f->sizes = hs->sizes;
    f->size_kinds = hs->size_kinds;
    f->nsizes = hs->sizes ? hs->size_mask + 1 : 0;
    f->any_kinds = hs->any_kinds;
    for (int k = 0; k < HASH_KINDS; k++)
        f->max_size[k] = hs->max_size[k];
}

static int pow2(size_t n)
{
    return n >= 16 && (n & (n - 1)) == 0;
}

/* The shape of one kind's tables: a power-of-two slot table larger than
 * the records. What is in the slots and records is checked by the lookups
 * that read them (hashset_find), so attaching reads none of it. */
static int kind_valid(const struct hashset_flat *f, int kind)
{
    size_t n = f->n[kind], ns = f->nslots[kind];

    if (n == 0)
        return ns == 0;
    return pow2(ns) && n < ns && n < UINT32_MAX && f->recs[kind] && f->slots[kind];
}

vigil_status hashset_attach(struct hashset *hs, const struct hashset_flat *f,
                            uint32_t max_value)
{
    if (hs->compiled || hashset_count(hs) || hs->sizes)
        return VIGIL_ESTATE;
    for (int k = 0; k < HASH_KINDS; k++)
        if (!kind_valid(f, k))
            return VIGIL_EMALFORMED;
    if (!pow2(f->nsizes) || !f->sizes || !f->size_kinds || f->any_kinds > 7)
        return VIGIL_EMALFORMED;
    for (int k = 0; k < HASH_KINDS; k++) {
        struct hashkind *hk = &hs->k[k];
        free(hk->recs);
        /* Read-only from here on: the casts only fit the shared struct. */
        hk->recs = f->n[k] ? (uint8_t *)(uintptr_t)f->recs[k] : NULL;
        hk->n = hk->cap = f->n[k];
        /* No slots for an empty kind: hashset_find then looks at nothing. */
        hk->slots = f->nslots[k] ? (uint32_t *)(uintptr_t)f->slots[k] : NULL;
        hk->mask = f->nslots[k] ? f->nslots[k] - 1 : 0;
        hs->max_size[k] = f->max_size[k];
    }
    hs->sizes = (uint32_t *)(uintptr_t)f->sizes;
    hs->size_kinds = (uint8_t *)(uintptr_t)f->size_kinds;
    hs->size_mask = f->nsizes - 1;
    hs->any_kinds = f->any_kinds;
    hs->max_value = max_value;
    hs->borrowed = 1;
    hs->compiled = 1;
    return VIGIL_OK;
}

vigil_status hashset_spill(struct hashset *hs, const char *dir)
{
    struct spill *sp[HASH_KINDS] = {NULL}, *sz = NULL;
    char *d = strdup(dir);
    vigil_status st = d ? VIGIL_OK : VIGIL_ENOMEM;

    if (hs->compiled || hs->borrowed || hs->szsp)
        st = VIGIL_ESTATE;
    for (int k = 0; k < HASH_KINDS && st == VIGIL_OK; k++)
        if ((st = spill_new(dir, &sp[k])) == VIGIL_OK && hs->k[k].n)
            st = spill_reserve(sp[k], hs->k[k].n * hs->k[k].stride);
    if (st == VIGIL_OK)
        st = spill_new(dir, &sz);
    if (st == VIGIL_OK && hashset_count(hs))
        st = spill_reserve(sz, hashset_count(hs) * 8);
    if (st != VIGIL_OK) {
        for (int k = 0; k < HASH_KINDS; k++)
            spill_free(sp[k]);
        spill_free(sz);
        free(d);
        return st;
    }
    /* Entries added before: into the spills as they are. */
    for (int kind = 0; kind < HASH_KINDS; kind++) {
        struct hashkind *k = &hs->k[kind];
        for (size_t i = 0; i < k->n; i++) {
            uint32_t size = rd32(k->recs + i * k->stride + hash_len[kind]);
            if (size == HASHSET_ANY_SIZE)
                continue;
            wr32(sz->p + hs->nsz * 8, size);
            wr32(sz->p + hs->nsz * 8 + 4, 1u << kind);
            hs->nsz++;
        }
        if (k->n)
            memcpy(sp[kind]->p, k->recs, k->n * k->stride);
        free(k->recs);
        k->recs = sp[kind]->p;
        k->cap = sp[kind]->cap / k->stride;
        k->spill = sp[kind];
    }
    hs->szsp = sz;
    hs->spill_dir = d;
    return VIGIL_OK;
}

int hashset_spilled(const struct hashset *hs)
{
    return hs->szsp != NULL;
}

vigil_status hashset_defer(struct hashset *hs)
{
    if (hs->compiled || !hs->szsp)
        return VIGIL_ESTATE;
    hs->any_kinds = hs->any_seen;
    for (int k = 0; k < HASH_KINDS; k++)
        hs->max_size[k] = (hs->any_kinds & (1u << k)) ? UINT64_MAX : hs->max_seen[k];
    hs->deferred = 1;
    hs->compiled = 1;
    return VIGIL_OK;
}

int hashset_deferred(const struct hashset *hs)
{
    return hs->deferred;
}

void hashset_deferred_layout(const struct hashset *hs, struct hashset_flat *f)
{
    memset(f, 0, sizeof *f);
    for (int k = 0; k < HASH_KINDS; k++) {
        f->n[k] = hs->k[k].n;
        f->nslots[k] = hs->k[k].n ? table_size(hs->k[k].n) : 0;
    }
    f->nsizes = table_size(hashset_count(hs));
    f->any_kinds = hs->any_kinds;
    for (int k = 0; k < HASH_KINDS; k++)
        f->max_size[k] = (hs->any_kinds & (1u << k)) ? UINT64_MAX : hs->max_seen[k];
}

int hashset_write_tables(const struct hashset *hs, int fd,
                         const uint64_t recs_off[HASH_KINDS],
                         const uint64_t slots_off[HASH_KINDS], uint64_t sizes_off,
                         uint64_t kinds_off)
{
    struct hashset_flat f;

    if (!hs->deferred)
        return -1;
    hashset_deferred_layout(hs, &f);
    for (int k = 0; k < HASH_KINDS; k++) {
        struct hstream_kind hk = {hs->k[k].spill, f.n[k],      f.nslots[k],
                                  hash_len[k],    recs_off[k], slots_off[k]};
        if (hstream_write_kind(fd, &hk) != 0)
            return -1;
    }
    return hstream_write_sizes(fd, hs->szsp, hs->nsz, f.nsizes, sizes_off, kinds_off,
                               hs->spill_dir);
}
