/* sechash.h - the executable hash signatures of ClamAV: PE section hashes
 * (.mdb MD5, .msb SHA-1/SHA-256: the hash of one section's raw data and its
 * size) and import table hashes (.imp: the hash of the import names string
 * and its length). One table per kind of object hashed; each entry is a
 * digest of a size (or of any size) carrying a name. */
#ifndef VIGIL_MATCH_SECHASH_H
#define VIGIL_MATCH_SECHASH_H

#include <stddef.h>
#include <stdint.h>

#include "match/hashset.h"
#include "vigil/vigil.h"

/* Entries one table holds (a database larger than this is refused). */
#define SECHASH_MAX_ENTRIES (16u * 1024 * 1024)
/* Size value of an entry that matches any size (ClamAV's "*"). */
#define SECHASH_ANY_SIZE 0u

struct sechash_entry {
    uint32_t size;
    uint32_t name;  /* offset in the engine's name table */
    uint32_t order; /* load order: the last loaded of equal entries wins */
    uint8_t kind;   /* enum hash_kind */
    uint8_t digest[32];
};

struct spill;

struct sechash_table {
    struct sechash_entry *v; /* (sechash_spill: the spill's mapping) */
    size_t n, cap;
    unsigned kinds; /* bits (1u << kind) some entry uses */
    int sorted;
    struct spill *spill; /* sechash_spill */
    char *spill_dir;
    int deferred; /* sechash_defer: only sechash_write_sorted */
};

void sechash_init(struct sechash_table *t);
void sechash_free(struct sechash_table *t);
void sechash_truncate(struct sechash_table *t, size_t n);

/* Adds an entry (before sechash_sort). VIGIL_ENOMEM, or VIGIL_ETOOBIG past
 * SECHASH_MAX_ENTRIES. */
vigil_status sechash_add(struct sechash_table *t, enum hash_kind kind,
                         const uint8_t *digest, uint32_t size, uint32_t name);

/* Orders the table for lookups; after this it is read-only. */
void sechash_sort(struct sechash_table *t);

/* For an image-only compile (as hashset_spill, match/hashset.h): moves the
 * entries, and those added later, into a spill in dir; sechash_defer then
 * stands for sechash_sort, leaving the table unordered (lookups find
 * nothing), and sechash_write_sorted writes the entries in sechash_sort's
 * order into a file (match/sechash_stream.c: sorted runs merged, one
 * (kind, size) bucket in memory at a time). */
vigil_status sechash_spill(struct sechash_table *t, const char *dir);
void sechash_defer(struct sechash_table *t);
int sechash_write_sorted(const struct sechash_table *t, int fd, uint64_t off);

/* sechash_sort's two steps, for sechash_stream.c: the order of the
 * buckets (kind, size, load order), and the order inside one bucket. */
int sechash_bucket_cmp(const void *a, const void *b);
void sechash_bucket_order(struct sechash_entry *v, size_t n);

/* Returns 1 when some entry uses digest kind `kind` for objects of this
 * size (or any size). */
int sechash_has_size(const struct sechash_table *t, enum hash_kind kind, uint64_t size);

#define SECHASH_EXACT 1u /* an entry of exactly this size matched */
#define SECHASH_ANY 2u   /* an any-size entry matched */

/* Looks up a digest of an object of `size` bytes, in the exact-size
 * entries and in the any-size ones. Returns SECHASH_* bits; for each, the
 * name offset of the entry clamscan reports goes to *exact or *any. */
unsigned sechash_find(const struct sechash_table *t, enum hash_kind kind,
                      const uint8_t *digest, uint64_t size, uint32_t *exact,
                      uint32_t *any);

#endif
