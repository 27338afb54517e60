/* engine.h - the engine's internals, shared by db/ (which fills it) and
 * scan/ (which reads it once compiled). */
#ifndef VIGIL_CORE_ENGINE_H
#define VIGIL_CORE_ENGINE_H

#include <limits.h>
#include <stdarg.h>

#include "core/strtab.h"
#include "db/cdb.h"
#include "db/ftm.h"
#include "db/ign.h"
#include "db/ldb.h"
#include "db/ndb.h"
#include "db/yara.h"
#include "match/hashset.h"
#include "match/sechash.h"
#include "scan/bodyplan.h"
#include "vigil/vigil.h"

/* The ClamAV functionality level vigil's database reader implements: that of
 * ClamAV 1.4 (measured: clamscan 1.4.6 loads MinFL 216, skips 217). Lines
 * whose MinFL/MaxFL exclude it are skipped as ClamAV 1.4 skips them. */
#define VIGIL_CLAMAV_FLEVEL 216

/* Hard maximums: a database larger than this is refused, not swapped in. */
#define ENGINE_MAX_HASH_SIGS (64u * 1024 * 1024)
#define ENGINE_MAX_NAME_BYTES ((size_t)UINT32_MAX)

struct emb_index;

/* Warnings of the load (NUL-terminated, one after another), kept so that a
 * start from the engine image says them again. */
#define ENGINE_MAX_NOTES 65536
struct engine_notes {
    char *p;
    size_t len, cap;
};

struct vigil_engine {
    int compiled;
    struct strtab names;   /* signature names as reported */
    struct hashset *sigs;  /* detection hashes; value = name offset */
    struct hashset *allow; /* .fp/.sfp allow list; value unused */
    struct ignlist ign;    /* .ign/.ign2 entries, applied at load */
    struct ndb_table body; /* body signatures (.ndb .sdb .db), lsig subsigs */
    struct ldb_table ldb;  /* logical signatures (.ldb) */
    struct atoms *atoms;   /* their literal pre-filter, built by compile */
    struct bodyplan plan;  /* which pre-filter ids stand for what */
    struct yara_db yara;   /* YARA rule files and their compiled rules */
    struct cdb_table cdb;  /* .cdb container metadata signatures */
    struct ftm_table ftm;  /* .ftm file-type magic; replaces the built-in
                            * magic once it holds anything (as ClamAV) */
    struct emb_index *emb; /* magics of embedded archives, built by compile */
    struct sechash_table sect; /* .mdb/.msb PE section hashes */
    struct sechash_table imp;  /* .imp PE import table hashes */
    uint64_t nsigs;        /* clamscan's "Known viruses" */
    char cache_dir[PATH_MAX]; /* "" = no cache of the compiled pre-filter */
    enum vigil_cache_state cache_state;
    struct image *image;         /* the mapped engine image it points into */
    /* Its body signature records, read in place as hits need them
     * (image_engine_body_sig). */
    const struct bodysig_rec *image_recs;
    const uint8_t *image_blob;
    size_t image_bloblen;
    struct image_defer *defer;   /* loads waiting for the image key
                                  * (core/image_engine.h) */
    enum vigil_image_state image_state;
    int image_only;             /* vigil_engine_set_image_only */
    int image_error;            /* errno of a failed image write */
    struct engine_notes *notes; /* warnings of the load (never NULL) */
    vigil_log_fn log_fn;
    void *log_ctx;
    enum vigil_log_level log_level;
    char error[1024];
};

/* Where a load started, so that a failed load leaves nothing behind. */
struct engine_mark {
    size_t names_len;
    struct hashset_mark sigs, allow;
    size_t ign_n;
    size_t body_n;
    size_t ftm_n;
    size_t cdb_n;
    size_t sect_n, imp_n;
    struct ldb_mark ldb;
    size_t yara_n;
    uint64_t nsigs;
};

/* With image_only set, before the sources are parsed for an image: moves
 * the names and hash records into spills in the cache directory
 * (core/spill.h). A failure only leaves them in memory. */
void engine_spill(struct vigil_engine *e);

void engine_mark(const struct vigil_engine *e, struct engine_mark *m);

/* vigil_engine_load, also with db/load.h's internal DB_LOAD_* flags. */
vigil_status engine_load(struct vigil_engine *e, const char *path, unsigned flags);
void engine_rollback(struct vigil_engine *e, const struct engine_mark *m);

/* A warning about the databases being loaded (a format skipped, ...): said
 * as engine_log says it, and kept in the engine's notes, which its image
 * says again (dropped past ENGINE_MAX_NOTES or when out of memory). */
void engine_load_warning(struct vigil_engine *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Sends a message to the engine's log sink if level is enabled. */
void engine_log(const struct vigil_engine *e, enum vigil_log_level level,
                const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Sets the engine's error text and returns st, for `return engine_fail(...)`. */
vigil_status engine_fail(struct vigil_engine *e, vigil_status st,
                         const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
