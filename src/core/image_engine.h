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
 * A changed file has a new change time, so a new key.
 *
 * YARA rules (--yara FILE, .yar/.yara files, also inside a -d directory)
 * are never in the image nor in its key: they are loaded at once, through
 * their own caches (db/yara_cache.h, db/yara_gate.h), while the ClamAV
 * files beside them are deferred. What the rules' reports depend on of the
 * ClamAV files loaded before them (clamscan reports logical signatures
 * and YARA rules in load order) is kept as steps: each deferred ClamAV
 * database file is one step, a YARA file remembers how many steps came
 * before it, and the image keeps the count of logical signatures after
 * each step (table STEPS), so that a mapped engine places the rules as a
 * parse does. An engine whose YARA rules came out of a deferred source
 * (a .cvd holding .yar files) is not imaged. */
#ifndef VIGIL_CORE_IMAGE_ENGINE_H
#define VIGIL_CORE_IMAGE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

struct vigil_engine;
struct image;

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

/* Deferred loading (see above). image_defer says how to load path (NULL
 * for the builtin signatures): IMAGE_LOAD_NOW: after image_flush, the
 * ordinary way; IMAGE_DEFERRED: its ClamAV files were recorded instead of
 * loaded, the caller loads its YARA files now (DB_LOAD_PLAN, db/load.h)
 * and calls image_defer_undo if that fails; IMAGE_YARA_NOW: it holds only
 * YARA rules, loaded now and without image_flush. */
enum { IMAGE_LOAD_NOW, IMAGE_DEFERRED, IMAGE_YARA_NOW };
int image_defer(struct vigil_engine *e, const char *path, unsigned flags, int builtin);

/* Returns 1 if the load of some source is deferred still. */
int image_pending(const struct vigil_engine *e);

/* Forgets the source the last image_defer deferred (its load failed). */
void image_defer_undo(struct vigil_engine *e);

/* One ClamAV database file of a deferred source: counted while its YARA
 * files are loaded (plan), recorded with the count of logical signatures
 * when it is parsed at last (record). Outside those, nothing. */
void image_plan_step(struct vigil_engine *e);
void image_record_step(struct vigil_engine *e);

/* The step of a YARA file being added now: YARA_STEP_NONE (db/yara.h)
 * unless ClamAV files were deferred before it. */
uint32_t image_yara_step(struct vigil_engine *e);

/* The steps recorded by the parse of the deferred sources, for the image:
 * *n of them. */
const uint32_t *image_defer_steps(const struct vigil_engine *e, size_t *n);

/* The STEPS table of im, checked for an engine whose deferred sources hold
 * nsteps ClamAV files (counts never decrease). Returns 0 with *steps (in
 * the map; NULL when nsteps is 0), or -1. */
int image_steps(const struct image *im, size_t nsteps, const uint32_t **steps);

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
