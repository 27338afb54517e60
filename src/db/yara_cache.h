/* yara_cache.h - YARA rules compiled once, kept in the cache directory.
 *
 * libyara compiles 10,000 rules in about a second; loading its compiled form
 * back (yr_rules_load_stream) takes a fraction of that. But compiled rules
 * can run code (libyara's documentation says so): vigil loads them only from
 * a file it wrote itself, in the engine image format (core/image.h: a file
 * of this user or root that nobody else can write, in a directory with the
 * same rule, whole by its SHA-256), and only for the exact sources it was
 * compiled from:
 *
 *   - the file name and the key in it are the SHA-256 of the image format,
 *     vigil's build id, libyara's version and shared object (path, inode,
 *     size, times), and every top-level rule source in load order (name,
 *     real path, length, bytes);
 *   - the file lists every include the compiler opened (its name, the file
 *     that included it, the real path it resolved to, the SHA-256 of the
 *     bytes read); before the rules are used each include is resolved again
 *     and read again, and any difference means a compile.
 *
 * A file that fails any check is compiled again and replaced. The one image
 * table IMAGE_YARA holds (native byte order, sizes bounded by the table):
 *
 *   u32 version, nsrc, ninc, nwarn, nrules, 0; u64 lost warnings, rules length
 *   nsrc  x u32 rule_end
 *   ninc  x (u32 src, i32 parent, u32 name length, u32 real length,
 *            u8 sha256[32], name bytes, real bytes)
 *   nwarn x (u32 length, bytes)
 *   the rules as yr_rules_save_stream wrote them
 */
#ifndef VIGIL_DB_YARA_CACHE_H
#define VIGIL_DB_YARA_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

struct vigil_engine;
struct YR_RULES;

/* Includes one compile may open (for all its sources together). */
#define YARA_MAX_INCLUDES 64

/* One include the compiler opened: the name it was given (which libyara
 * then reports as the current file), the real path it was resolved to, the
 * top-level source and the include it came from (-1: that source), and the
 * SHA-256 of what was read. */
struct yara_inc {
    char *name, *real;
    uint32_t src;
    int32_t parent;
    uint8_t sha[32];
};

/* What a compile made, or a cache file holds. */
struct yara_built {
    struct YR_RULES *rules;
    uint32_t *rule_end; /* per source: rules of it and those before it */
    char **warnings;
    size_t nwarnings, lost;
};

/* A cache table, parsed and checked for bounds (pointers into the table). */
struct yara_cache_view {
    uint32_t nsrc, ninc, nwarn, nrules;
    uint64_t lost;
    const uint8_t *rule_end; /* nsrc x u32 */
    const uint8_t *incs;     /* ninc records, back to back */
    size_t incs_len;
    const uint8_t *warns;
    size_t warns_len;
    const uint8_t *rules;
    size_t rules_len;
};

/* Checks table t[0..len) against the layout above: every length inside
 * the table, rule_end not decreasing and at most nrules, include parents
 * earlier includes of the same source. Returns 0 with *v, or -1. Reads
 * nothing outside t (the fuzz target's entry). */
int yara_cache_parse(const uint8_t *t, size_t len, struct yara_cache_view *v);

/* Copies the warnings of parsed table v into b (which then owns them).
 * Returns 0, or -1 out of memory. */
int yara_cache_warnings(const struct yara_cache_view *v, struct yara_built *b);

/* Loads the rules of e's sources [0, n) from e's cache directory into *b
 * (owned by the caller: yara_built_free). Returns 1 on a hit, 0 otherwise
 * (and then whether the file was damaged or stale, for the state). */
int yara_cache_load(struct vigil_engine *e, size_t n, struct yara_built *b, int *bad);

/* Writes b (compiled from e's sources [0, n), with includes inc[0, ninc))
 * to e's cache directory. Returns 0, or -1 (errno) when it cannot. */
int yara_cache_save(struct vigil_engine *e, size_t n, const struct yara_built *b,
                    const struct yara_inc *inc, size_t ninc);

void yara_built_free(struct yara_built *b);

#endif
