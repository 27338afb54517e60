/* image.h - the compiled engine as one file, mapped read-only and used in
 * place.
 *
 * Parsing a full ClamAV database (a million lines) is most of a start-up;
 * the engine it builds is a handful of flat arrays. An image holds those
 * arrays: the names string table, the hash sets' records and slots, the
 * slim body signatures and their text, the body plan, the pre-filter's
 * literal and owner tables and its Vectorscan databases, the logical
 * signatures. vigil maps the file and points the engine into it: start-up
 * is a map and a check, and processes that map one file share its pages.
 *
 * Layout (native byte order and struct layout: the key includes the build
 * id, so only the build that wrote a file reads it):
 *
 *   "VIGILIMAGE\0..."  16 bytes
 *   u32 format version, u32 number of tables, u8 key[32], u64 file length
 *   table directory: per table u32 id, u32 0, u64 offset, u64 length,
 *                    u64 count                                (32 bytes)
 *   tables, each at an offset that is a multiple of 64
 *   u8 xxh3_128[16] of everything above (XXH3-128, canonical form)
 *
 * Opening checks the header, the directory (known ids, no duplicates, every
 * table inside the file, aligned, not overlapping the directory) and the
 * checksum; attaching (core/image_engine.c) checks each table's shape, and
 * the small tables' entries, at once; the large tables read in place (hash
 * slots and records, body signature entries and records, the body plan,
 * the pre-filter's literals and owner lists) are checked entry by entry by
 * the lookups that read them, and Vectorscan checks its databases, used in
 * place, when a scanner's scratch is made. So a start touches only what it
 * uses, and nothing in a file can send a lookup outside it. Files are
 * written to a temporary name, synced and renamed; only files owned by the
 * user (or root) and writable by nobody else, in a directory with the same
 * rule, are opened (core/cache.c's rules: Vectorscan trusts the bytecode it
 * loads).
 *
 * Adding a table (e.g. the section hashes of match/sechash.c): one entry in
 * IMAGE_TABLES below, and its save and attach lines in image_engine.c. A
 * build with a new table has a new build id, so old files are rebuilt. */
#ifndef VIGIL_CORE_IMAGE_H
#define VIGIL_CORE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

/* 4: Vectorscan databases stored deserialized and used in place, body
 * signatures read in place (BODY_REC), hash tables checked by the lookups;
 * 3: a hash set's home slot is the digest's leading bits (2: its first
 * eight bytes read little endian). */
#define IMAGE_VERSION 4u
/* The trailer: an XXH3-128 checksum. It detects corruption (a torn or
 * damaged file), which is all a checksum stored in the file it covers can
 * do: whoever can rewrite the file can rewrite the sum, whatever its hash,
 * which is why only files in trusted directories are opened (above).
 * SHA-256 cost 7 ms of a 30 ms start at 100k signatures; this costs 1. */
#define IMAGE_SUM 16
#define IMAGE_HEAD 64
#define IMAGE_DIRENT 32
#define IMAGE_ALIGN 64
/* An image larger than this is not opened. */
#define IMAGE_MAX_FILE ((uint64_t)8 << 30)

/* X(id, name): every table an image may hold. Ids are stable within a
 * format version; append new ones at the end. */
#define IMAGE_TABLES(X)                                                        \
    X(1, META)          /* struct image_meta */                                \
    X(2, NAMES)         /* the names string table */                           \
    X(3, SIGS_MD5)      /* detection hash set: records of each kind, */        \
    X(4, SIGS_SHA1)     /* ... */                                              \
    X(5, SIGS_SHA256)   /* ... */                                              \
    X(6, SIGS_SLOTS_MD5) /* its open-addressed slots of each kind */           \
    X(7, SIGS_SLOTS_SHA1)                                                      \
    X(8, SIGS_SLOTS_SHA256)                                                    \
    X(9, SIGS_SIZES)    /* its distinct sizes, */                              \
    X(10, SIGS_SIZE_KINDS) /* and their kind bits */                           \
    X(11, ALLOW_MD5)    /* the .fp/.sfp allow list, the same tables */         \
    X(12, ALLOW_SHA1)                                                          \
    X(13, ALLOW_SHA256)                                                        \
    X(14, ALLOW_SLOTS_MD5)                                                     \
    X(15, ALLOW_SLOTS_SHA1)                                                    \
    X(16, ALLOW_SLOTS_SHA256)                                                  \
    X(17, ALLOW_SIZES)                                                         \
    X(18, ALLOW_SIZE_KINDS)                                                    \
    X(19, BODY)         /* struct ndb_sig per body signature, in place */      \
    X(20, BODY_BLOB)    /* their texts and segment runs */                     \
    X(21, PLAN_QUICK)   /* struct bodyplan arrays */                           \
    X(22, PLAN_SLOT)                                                           \
    X(23, PLAN_NEED)                                                           \
    X(24, PLAN_SEGS)                                                           \
    X(25, ATOMS_LITS)   /* pre-filter literals, all targets in order */        \
    X(26, ATOMS_OWNER_SIG)                                                     \
    X(27, ATOMS_OWNER_NEXT)                                                    \
    X(28, ATOMS_DBS)    /* Vectorscan databases, used in place */              \
    X(29, LDB)          /* struct ldb_sig per logical signature */             \
    X(30, LDB_EXPR)     /* struct image_span per lsig: its nodes */            \
    X(31, LDB_NODES)    /* logical expression nodes */                         \
    X(32, LDB_BCOMP)    /* struct bcomp */                                     \
    X(33, LDB_MACRO)    /* struct ldb_macro */                                 \
    X(34, LDB_PCRE)     /* struct image_pcre per PCRE subsignature */          \
    X(35, LDB_PCRE_TEXT) /* their texts */                                     \
    X(36, SECT)         /* struct sechash_entry: .mdb/.msb, sorted */          \
    X(37, IMP)          /* struct sechash_entry: .imp, sorted */               \
    X(38, FTM)          /* struct ftm_entry */                                 \
    X(39, CDB)          /* struct image_cdb */                                 \
    X(40, NOTES)        /* the load's warnings, each NUL-terminated */          \
    X(41, YARA)         /* compiled YARA rules, in their own file (db/yara_cache.h) */ \
    X(42, BODY_REC)     /* struct bodysig_rec per body signature */          \
    X(43, STEPS)        /* u32 per deferred ClamAV file (image_engine.h) */

enum image_table {
#define IMAGE_ENUM(id, name) IMAGE_##name = id,
    IMAGE_TABLES(IMAGE_ENUM)
#undef IMAGE_ENUM
    IMAGE_NTABLES
};

/* Where each table of an image being written starts in its file (0: none). */
struct image_layout {
    uint64_t off[IMAGE_NTABLES];
};

/* One table to write: count items in len bytes at data. */
struct image_part {
    unsigned id;
    const void *data;
    uint64_t len, count;
};

/* How a part is written, if not from memory. If its data is a shared file
 * mapping (a spill, core/spill.h), drop says so: its pages are given back
 * as they are written. Or the part's data is NULL and emit writes it:
 * called once the file has its full length (zeros where no table was
 * written yet) with the file and the layout, it writes its table with
 * pwrite, and may also write the tables of parts with neither data nor
 * emit. */
struct image_fill {
    int drop;
    int (*emit)(void *ctx, int fd, const struct image_layout *l);
    void *ctx;
};

/* A mapped, checked image. */
struct image;

/* Writes parts[0..n) as an image with key to path, atomically (temporary
 * file, fsync, rename), mode 0644. The file's blocks are allocated first,
 * so a full disk fails here. Returns 0, or -1 with errno set. */
int image_write(const char *path, const uint8_t key[32], const struct image_part *parts,
                size_t n);

/* image_write, with fill[i] saying how parts[i] is written. */
int image_write_filled(const char *path, const uint8_t key[32],
                       const struct image_part *parts, const struct image_fill *fill,
                       size_t n);

/* Opens and maps the image at path, if it is a file this user may trust,
 * for key, and whole (see above). Returns VIGIL_OK with *out, VIGIL_EOPEN
 * if there is no file (errno ENOENT) or it is not trusted, or
 * VIGIL_EMALFORMED if it is damaged. */
vigil_status image_open(const char *path, const uint8_t key[32], struct image **out);

/* For the fuzz target: checks buf[0..len) (which must outlive *out) as
 * image_open checks a file, but for any key and without the SHA-256, so
 * that mutations reach the checks of the tables. */
vigil_status image_open_buffer(const uint8_t *buf, size_t len, struct image **out);

/* The table id of im: its bytes (NULL and 0 when absent), *count items. */
const void *image_table(const struct image *im, unsigned id, size_t *len,
                        uint64_t *count);

/* Unmaps im. NULL is allowed. */
void image_close(struct image *im);

/* Bytes mapped. */
size_t image_size(const struct image *im);

/* Takes the image's pages out of this process's resident set (they stay in
 * the page cache and come back on the next touch). The mapping stays valid. */
void image_drop_resident(const struct image *im);

/* Writes the id of this build into out: the digest of the library's
 * sources and settings (VIGIL_BUILD_KEY, cmake/buildkey.cmake), the same
 * in vigil and vigild; without it the GNU build id of the object holding
 * libvigil, else its version and build date. */
void image_build_id(uint8_t out[32]);

#endif
