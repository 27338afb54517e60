/* image_engine.h - the engine and its image file (core/image.h): which
 * signature sources an engine is built from, the key of their image, and
 * saving / attaching the compiled engine.
 *
 * While a cache directory is set, vigil_engine_load() of database files and
 * directories (not YARA rules) only records the source and what stat() says
 * of every database file in it (device, inode, size, modification and
 * change times); vigil_engine_load_finish() (called by compile if nobody
 * did) hashes that record with the build id and the Vectorscan version into
 * the image key, and maps the image of that key if a valid one exists.
 * Otherwise the sources are parsed as before, and compile writes the image.
 * A changed file has a new change time, so a new key. */
#ifndef VIGIL_CORE_IMAGE_ENGINE_H
#define VIGIL_CORE_IMAGE_ENGINE_H

#include <stdint.h>

#include "vigil/vigil.h"

struct vigil_engine;
struct image;

/* Returns 1 if e's signatures can all be carried by an image. */
int image_engine_supported(const struct vigil_engine *e);

/* Writes compiled engine e as an image with key to path. 0, or -1 (errno). */
int image_save(const struct vigil_engine *e, const char *path, const uint8_t key[32]);

/* Points new, empty engine e into image im (which e then owns), after
 * checking every table. VIGIL_EMALFORMED (im closed, e empty) if a table is
 * not what image_save writes. */
vigil_status image_attach(struct vigil_engine *e, struct image *im);

struct bodysig;

/* Whether body signature id of e may be used: always for a parsed engine;
 * for one attached to an image, whether its entry (read in place, not
 * checked at attach) is one image_save writes. A scan treats an entry that
 * is not as a signature that never matches. */
int image_engine_body_ok(const struct vigil_engine *e, uint32_t id);

/* The slim body signature id of e: the engine's own, or, attached to an
 * image, made in *view (from bodysig_views_new, the caller's) from its
 * record, which is checked now. NULL if id or the record is not valid. */
const struct bodysig *image_engine_body_sig(const struct vigil_engine *e, uint32_t id,
                                            struct bodysig *view);

/* Undoes image_attach: e is empty again and the image unmapped. */
void image_engine_release(struct vigil_engine *e);

/* Deferred loading (see above). image_defer returns 1 if the load of path
 * was recorded instead of done, 0 if the caller loads it now (after
 * image_flush). */
int image_defer(struct vigil_engine *e, const char *path, unsigned flags, int builtin);

/* Parses every recorded source now, in order; no further loads are
 * deferred. Returns the first failure (e's error says which). */
vigil_status image_flush(struct vigil_engine *e);

/* vigil_engine_load_finish: image or parse. */
vigil_status image_finish(struct vigil_engine *e);

/* 1 if compile will write an image of e (the sources were recorded, no
 * valid image was found, and e can be imaged). */
int image_wanted(const struct vigil_engine *e);

/* After a compile that parsed: writes the image if one was wanted. */
void image_after_compile(struct vigil_engine *e);

/* Frees the record of deferred sources. */
void image_defer_free(struct vigil_engine *e);

#endif
