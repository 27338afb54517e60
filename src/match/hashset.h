/* hashset.h - whole-object hash signatures (MD5, SHA-1, SHA-256), bucketed by
 * object size so that an object is hashed only when some signature of its
 * size exists, and only with the digest kinds those signatures use. */
#ifndef VIGIL_MATCH_HASHSET_H
#define VIGIL_MATCH_HASHSET_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

enum hash_kind { HASH_MD5, HASH_SHA1, HASH_SHA256, HASH_KINDS };

/* Digest length in bytes of each kind. */
extern const unsigned hash_len[HASH_KINDS];

/* Size value meaning "any size" (ClamAV's `*`; ClamAV forbids size 0). */
#define HASHSET_ANY_SIZE 0u

/* Returns the kind whose hex digest has hexlen characters, or -1. */
int hash_kind_for_hexlen(size_t hexlen);

struct hashset;

/* Where a hashset stood, to roll a failed load back to it. */
struct hashset_mark {
    size_t n[HASH_KINDS];
    size_t nsz;
    unsigned any_seen;
    uint32_t max_seen[HASH_KINDS];
};

/* Size of the cache that keeps a spilled set from spilling one size again
 * for each of its entries. */
#define HASHSET_SZCACHE_BITS 12
#define HASHSET_SZCACHE (1u << HASHSET_SZCACHE_BITS)

/* Creates an empty set in *out that may hold up to max_entries entries. */
vigil_status hashset_new(size_t max_entries, struct hashset **out);

/* Frees a set. NULL is allowed. */
void hashset_free(struct hashset *hs);

/* Adds one signature: digest (hash_len[kind] bytes) of an object of size
 * bytes (HASHSET_ANY_SIZE for any), carrying value (a name offset). Only
 * before hashset_compile(). */
vigil_status hashset_add(struct hashset *hs, enum hash_kind kind,
                         const uint8_t *digest, uint32_t size, uint32_t value);

/* Records / restores the number of entries (before compile). */
void hashset_mark(const struct hashset *hs, struct hashset_mark *m);
void hashset_rollback(struct hashset *hs, const struct hashset_mark *m);

/* Builds the lookup tables. After this the set is read-only and thread-safe. */
vigil_status hashset_compile(struct hashset *hs);

/* Number of entries. */
size_t hashset_count(const struct hashset *hs);

/* Returns the bit set (1u << kind) of digest kinds that some entry for an
 * object of this size uses; 0 means no entry can match it. */
unsigned hashset_kinds_for_size(const struct hashset *hs, uint64_t size);

/* For each kind, the largest object size an entry of a compiled set names
 * (UINT64_MAX with an any-size entry, 0 with none): objects larger than
 * that never need that digest. */
void hashset_max_sizes(const struct hashset *hs, uint64_t max[HASH_KINDS]);

/* Bits of hashset_find()'s answer. */
#define HASHSET_EXACT 1u /* an entry of exactly this size matched */
#define HASHSET_ANY 2u   /* an any-size entry matched */

/* Looks up a digest of an object of size bytes. Returns HASHSET_* bits; for
 * each, the value of the matching entry loaded last (ClamAV's rule for
 * duplicates) goes to *exact or *any. */
unsigned hashset_find(const struct hashset *hs, enum hash_kind kind,
                      const uint8_t *digest, uint64_t size, uint32_t *exact,
                      uint32_t *any);

/* A compiled set's tables as flat arrays, for the engine image
 * (core/image.c): per kind n records of hash_len[kind] + 8 bytes (digest,
 * u32 size, u32 value) and nslots u32 slots (record index + 1, 0 empty);
 * nsizes distinct-size slots and their kind bits; the kinds of any-size
 * entries. Native byte order: an image is only read by the build that
 * wrote it. */
struct hashset_flat {
    const uint8_t *recs[HASH_KINDS];
    size_t n[HASH_KINDS];
    const uint32_t *slots[HASH_KINDS];
    size_t nslots[HASH_KINDS];
    const uint32_t *sizes;
    const uint8_t *size_kinds;
    size_t nsizes;
    unsigned any_kinds;
    uint64_t max_size[HASH_KINDS]; /* hashset_max_sizes */
};

/* Fills *f with the tables of compiled set hs (pointers into hs). */
void hashset_export(const struct hashset *hs, struct hashset_flat *f);

/* Makes the empty, uncompiled set hs a compiled one that uses f's arrays in
 * place (they must outlive hs; hashset_free leaves them alone). Checks the
 * tables' shapes only: what is in them is checked by the lookups as they
 * read it (a slot past the records is skipped, a probe stops after one
 * lap, a record value >= max_value is no match, size bits are masked), so
 * attaching reads none of the tables and lookups still cannot leave the
 * arrays or probe forever. VIGIL_EMALFORMED if f's shapes are not what
 * hashset_export gives, and hs is then unchanged. */
vigil_status hashset_attach(struct hashset *hs, const struct hashset_flat *f,
                            uint32_t max_value);

/* A set whose records are only written out to an engine image:
 *
 * hashset_spill (before compile) moves the records, and every record added
 * later, into spills (core/spill.h) in dir: files, not heap. The set works
 * as before (hashset_compile builds its tables in memory over the mapped
 * records), but it can instead be compiled with hashset_defer, which
 * builds no table: lookups then find nothing, and hashset_write_tables
 * writes the tables straight into an image file, in memory that does not
 * grow with the number of entries (match/hashset_stream.c). The records
 * of the written tables are sorted by digest (equal digests in load
 * order), so they answer lookups exactly as the in-memory tables do. */
vigil_status hashset_spill(struct hashset *hs, const char *dir);
int hashset_spilled(const struct hashset *hs);
vigil_status hashset_defer(struct hashset *hs);
int hashset_deferred(const struct hashset *hs);

/* A deferred set's table sizes: counts as hashset_export gives them, no
 * pointers. */
void hashset_deferred_layout(const struct hashset *hs, struct hashset_flat *f);

/* Writes a deferred set's tables into the file fd, whose byte ranges for
 * them (sized as hashset_deferred_layout says) are zero: records and
 * slots of each kind, sizes and their kinds. Returns 0, or -1 (errno). */
int hashset_write_tables(const struct hashset *hs, int fd,
                         const uint64_t recs_off[HASH_KINDS],
                         const uint64_t slots_off[HASH_KINDS], uint64_t sizes_off,
                         uint64_t kinds_off);

#endif
