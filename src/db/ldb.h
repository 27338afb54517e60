/* ldb.h - ClamAV logical signatures (.ldb) and the engine's table of them.
 *
 * One line is Name;TargetDescriptionBlock;LogicalExpression;Subsig0;...;
 * up to 64 subsignatures. Body subsignatures (hex patterns) become entries
 * of the engine's body table (db/ndb.h) that name their logical signature,
 * so one pre-filter pass finds them with everything else; PCRE,
 * byte-compare and macro subsignatures live here, per logical signature. */
#ifndef VIGIL_DB_LDB_H
#define VIGIL_DB_LDB_H

#include <stddef.h>
#include <stdint.h>

#include "match/bcomp.h"
#include "scan/offset.h"
#include "vigil/vigil.h"

#define LDB_MAX_SUBSIGS 64
/* ClamAV reads .ldb lines into a 32 KiB buffer (CLI_DEFAULT_LSIG_BUFSIZE). */
#define LDB_MAX_LINE 32767
/* Logical signatures one engine holds. */
#define LDB_MAX_SIGS (4u * 1024 * 1024)
/* Intermediates: container types listed (ClamAV's EXPR_TOKEN_MAX). */
#define LDB_MAX_INTERMEDIATES 16

struct lines;
struct lexpr;
struct lpcre;
struct vigil_engine;

/* Which attributes of the target description block are present. */
enum ldb_tdb_bits {
    LDB_TDB_FILESIZE = 1 << 0,
    LDB_TDB_EP = 1 << 1,
    LDB_TDB_NOS = 1 << 2,
    LDB_TDB_CONTAINER = 1 << 3,
    LDB_TDB_INTERMEDIATES = 1 << 4,
    LDB_TDB_HANDLER = 1 << 5,
    LDB_TDB_ICON = 1 << 6,
};

/* The target description block, as far as scanning needs it. File types are
 * indices of ldb_ftype_name() (0 is CL_TYPE_ANY). */
struct ldb_tdb {
    uint32_t have; /* enum ldb_tdb_bits */
    uint32_t filesize[2], ep[2], nos[2];
    uint16_t container, handler;
    uint8_t ninter;
    uint16_t inter[LDB_MAX_INTERMEDIATES];
};

/* A macro subsignature ${min-max}group$ that follows subsignature subsig:
 * each later match of subsig must be followed, min to max bytes after the
 * previous one, by a match of a body signature whose offset is $group. */
struct ldb_macro {
    uint8_t subsig, group;
    uint32_t min, max;
};

enum ldb_sig_flags {
    LDB_F_ALWAYS = 1 << 0, /* may hold without any body match: evaluate always */
};

struct ldb_sig {
    uint32_t name;       /* offset in the engine's name table */
    struct lexpr *expr;
    struct ldb_tdb tdb;
    uint8_t target, nsubs, flags;
    uint32_t pcre, npcre;     /* ranges in the table's arrays */
    uint32_t bcomp, nbcomp;
    uint32_t macro, nmacro;
};

struct ldb_table {
    struct ldb_sig *v;
    size_t n, cap;
    struct lpcre **pcre;
    size_t npcre, pcre_cap;
    struct bcomp *bcomp;
    size_t nbcomp, bcomp_cap;
    struct ldb_macro *macro;
    size_t nmacro, macro_cap;
    uint64_t nsubs_total; /* sum of nsubs: bounds per-scan state */
};

/* Where a load started, for rollback. */
struct ldb_mark {
    size_t n, npcre, nbcomp, nmacro;
    uint64_t nsubs_total;
};

void ldb_table_init(struct ldb_table *t);
void ldb_table_free(struct ldb_table *t);
void ldb_table_mark(const struct ldb_table *t, struct ldb_mark *m);
/* Frees everything added since m (rollback of a failed load). */
void ldb_table_rollback(struct ldb_table *t, const struct ldb_mark *m);

/* Parses a .ldb database into the engine: lsigs into e->ldb, their body
 * subsignatures into e->body. Malformed lines fail the load with
 * "dbname:line: reason" in the engine's error; lines ClamAV 1.4 skips (a
 * functionality level, target type, attribute or file type it does not
 * know) are skipped. */
vigil_status ldb_parse(struct vigil_engine *e, const char *dbname, struct lines *it,
                       int official);

/* Parses the target description block s[0..n) into *tdb and *target.
 * Returns NULL when the signature loads, "" when ClamAV skips it, or the
 * reason it is malformed. (ldb_tdb.c) */
const char *ldb_tdb_parse(const char *s, size_t n, struct ldb_tdb *tdb,
                          unsigned *target);

/* ClamAV's file type names (CL_TYPE_*) accepted in Container, HandlerType
 * and Intermediates: returns the index of s[0..n), or -1. Index 0 is
 * CL_TYPE_ANY. (ldb_tdb.c) */
int ldb_ftype_code(const char *s, size_t n);
const char *ldb_ftype_name(unsigned code);

#endif
