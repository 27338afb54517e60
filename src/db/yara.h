/* yara.h - YARA rule sources of an engine (.yar/.yara files, --yara FILE):
 * kept as text at load, checked by compiling them all at the end of each
 * load call (so a bad file fails that load and leaves nothing behind), and
 * compiled once into the YR_RULES that every scanner of the engine shares. */
#ifndef VIGIL_DB_YARA_H
#define VIGIL_DB_YARA_H

#include <stddef.h>
#include <stdint.h>

#include "core/strtab.h"
#include "vigil/vigil.h"

struct vigil_engine;
struct YR_RULES;
struct yara_gate;

/* A rule file is read whole; larger ones are refused. */
#define YARA_MAX_FILE ((size_t)64 << 20)
/* Compiler warnings kept for the log; more are counted. */
#define YARA_MAX_WARNINGS 256

struct yara_source {
    char *path; /* as given, for messages and relative includes */
    char *text; /* the file's bytes, NUL-terminated */
    size_t len;
    uint32_t ldb_before; /* logical signatures loaded before this file */
    uint32_t rule_end;   /* rules of this and earlier files (set by compile) */
    uint32_t step;       /* YARA_STEP_NONE, or the ClamAV database files
                          * whose load was deferred before this file
                          * (core/image_engine.h): ldb_before is then set
                          * by yara_db_place */
};

#define YARA_STEP_NONE UINT32_MAX

/* What a report needs of one rule, built once at compile (index = the rule's
 * index in the YR_RULES table). */
struct yara_rule_info {
    uint32_t name;  /* "YARA.<rule>.UNOFFICIAL" in the engine's names */
    const char **tags;
    size_t ntags;
    struct vigil_yara_meta *meta;
    size_t nmeta;
    /* clamscan loads a YARA rule as a logical signature: both kinds are
     * reported in load order. A rule comes before logical signature i
     * when order <= i: order is the count of .ldb signatures loaded
     * before the rule's file. */
    uint32_t order;
};

struct yara_db {
    struct yara_source *src;
    struct strtab names; /* the rules' detection names: apart from the
                          * engine's, which may be a mapped image */
    size_t n, cap;
    int initialized;        /* yr_initialize() was called for this engine */
    struct YR_RULES *rules; /* compiled from src[0..rules_n) */
    size_t rules_n;
    uint32_t nrules;        /* rules in `rules` (private ones included) */
    struct yara_rule_info *info; /* per rule, built by yara_db_compile */
    char **warnings;        /* of the compile that made `rules` */
    size_t nwarnings, lost_warnings;
    struct yara_gate *gate; /* the literal pre-filter (db/yara_gate.h); NULL:
                             * libyara runs for every object */
    enum vigil_cache_state cache_state; /* of the compile that made `rules`
                                         * (db/yara_cache.h) */
};

void yara_db_init(struct yara_db *y);
void yara_db_free(struct yara_db *y);

/* Adds one rule file's text (copied) under the name path. Compiled by the
 * next yara_db_check; until then a rollback may drop it. */
vigil_status yara_db_add(struct vigil_engine *e, const char *path,
                         const void *data, size_t len);

/* Reads the rule file at path (whatever its extension) and adds it. */
vigil_status yara_db_add_file(struct vigil_engine *e, const char *path);

/* Drops the sources past n (a failed load). */
void yara_db_truncate(struct yara_db *y, size_t n);

/* Compiles every source when some were added since the last check: on
 * failure the engine error is the compiler's "file:line: message" and the
 * previous rules stay; on success the new rules replace them and the
 * engine's signature count grows by the rules added. */
vigil_status yara_db_check(struct vigil_engine *e);

/* Sets ldb_before of every source loaded while the ClamAV sources before
 * it were deferred: steps[k] is the count of logical signatures once the
 * (k+1)th deferred ClamAV database file was loaded (nsteps of them, each
 * at most ldb_n; larger ones are taken as ldb_n). */
void yara_db_place(struct yara_db *y, const uint32_t *steps, size_t nsteps, size_t ldb_n);

/* Makes the rules final at engine compile: compiles what the last check did
 * not cover, builds the per-rule report data, and sends the compiler's
 * warnings to the log once (VIGIL_LOG_INFO: shown with -v and --debug). */
vigil_status yara_db_compile(struct vigil_engine *e);

/* Reads a regular file of at most YARA_MAX_FILE bytes into *out (malloc'd,
 * NUL-terminated). Returns 0, or an errno value (EFBIG when too large). */
int yara_read_file(const char *path, char **out, size_t *len);

/* The directory part of path into dir ("." when it has none). */
void yara_dir_of(const char *path, char *dir, size_t n);

#endif
