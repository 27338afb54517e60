/* hashset_stream.h - inside the hash sets (match/hashset.c): where an entry
 * goes in the open-addressed tables, and the writer of a spilled set's
 * tables (match/hashset_stream.c). */
#ifndef VIGIL_MATCH_HASHSET_STREAM_H
#define VIGIL_MATCH_HASHSET_STREAM_H

#include <stddef.h>
#include <stdint.h>

struct spill;

/* The home slot of a digest in a table of nslots slots (a power of two, at
 * most 2^32): the digest's leading bits. Monotonic in the digest (read big
 * endian), so records sorted by digest have non-decreasing homes. */
static inline size_t hashset_digest_home(const uint8_t *d, size_t nslots)
{
    uint64_t top =
        ((uint64_t)d[0] << 24) | ((uint64_t)d[1] << 16) | ((uint64_t)d[2] << 8) | d[3];
    return (size_t)((top * (uint64_t)nslots) >> 32);
}

/* The home slot of an object size in the sizes table of nslots slots (a
 * power of two): a multiplicative hash, sizes are not uniform. */
static inline size_t hashset_size_home(uint32_t size, size_t nslots)
{
    return (size_t)(size * 0x9E3779B1u) & (nslots - 1);
}

/* One digest kind of a spilled set: n records of dlen + 8 bytes in sp's
 * mapping, in load order; the image file fd holds their table at recs_off
 * and nslots u32 slots at slots_off, both zero so far. */
struct hstream_kind {
    struct spill *sp;
    size_t n, nslots;
    unsigned dlen;
    uint64_t recs_off, slots_off;
};

/* Writes the kind's records sorted by digest (stably: equal digests keep
 * their load order, so the entry loaded last still has the highest index)
 * and their slots. Returns 0, or -1 with errno set. */
int hstream_write_kind(int fd, const struct hstream_kind *k);

/* Writes the sizes table (nsizes u32 at sizes_off, their kind bits as u8
 * at kinds_off) of n items (u32 size, u32 kind bits; a size may repeat)
 * in sp's mapping; tmpdir holds a temporary file. Returns 0, or -1. */
int hstream_write_sizes(int fd, struct spill *sp, size_t n, size_t nsizes,
                        uint64_t sizes_off, uint64_t kinds_off, const char *tmpdir);

#endif
