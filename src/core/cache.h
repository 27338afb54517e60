/* cache.h - the compiled pre-filter saved between runs.
 *
 * Compiling the Vectorscan databases is most of an engine's start-up (about
 * 5 s for 130,000 atoms); loading them back is milliseconds. A cache file is
 * named by the SHA-256 of exactly what the databases are compiled from (the
 * atoms in order, and the Vectorscan version; atoms_digest), so a database
 * that changed in any way has another name and an old file is never used
 * for it. The file ends in the SHA-256 of all that comes before: a torn or
 * corrupt file is detected, rebuilt and replaced, never trusted. Files are
 * written to a temporary name and renamed, so readers never see half a file.
 * Vectorscan trusts the bytecode it loads, so only files owned by the user
 * and writable by nobody else, in a directory of the user's (or root's)
 * that nobody else can write, are read.
 *
 *   "VIGILCACHE\0\0\0\0\0\0"   16 bytes
 *   u32 format version (1), u8 key[32], u64 payload length
 *   payload (atoms_save)
 *   u8 sha256[32] of everything above
 */
#ifndef VIGIL_CORE_CACHE_H
#define VIGIL_CORE_CACHE_H

#include <stdint.h>

#include "vigil/vigil.h"

struct vigil_engine;

/* Engines with fewer atoms than this compile in milliseconds: no cache. */
#define CACHE_MIN_ATOMS 2000
/* A cache file larger than this is not read. */
#define CACHE_MAX_FILE ((uint64_t)4 << 30)

/* Compiles e's atoms (already added) through the cache in e->cache_dir:
 * loads them from a valid file for their key, else compiles them and
 * writes the file. Sets e->cache_state. A cache that cannot be read or
 * written never fails the compile; only compiling itself can. */
vigil_status cache_compile_atoms(struct vigil_engine *e, char *why, size_t whylen);

/* Writes all n bytes to fd, through short writes and EINTR. Returns 0, or
 * -1 on an error. */
int cache_write_all(int fd, const void *data, size_t n);

/* A cache file not used for this many days is removed when another is
 * written beside it (a file is "used" when its modification time is set:
 * on every hit). Daily database updates would otherwise leave one image a
 * day behind. At most CACHE_PRUNE_MAX names are looked at. */
#define CACHE_UNUSED_DAYS 7
#define CACHE_PRUNE_MAX 100000

/* Removes the cache files (64 hex digits and a cache extension, or an
 * unfinished write of one) of the user's in the directory of path, except
 * path itself, that were not used for CACHE_UNUSED_DAYS. */
void cache_prune_beside(const char *path);

/* 1 when dir is a directory of the user's (or root's) that nobody else can
 * write, or others could plant or swap files in it: the only kind the
 * cache files (.vgc .vgi .vgy .vgg) are read from. */
int cache_dir_trusted(const char *dir);

/* Writes "dir/<key in hex><ext>", the name of a cache file, into
 * path[0..n). Returns 0, or -1 if it does not fit. */
int cache_key_path(const char *dir, const uint8_t key[32], const char *ext, char *path,
                   size_t n);

#endif
