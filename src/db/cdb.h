/* cdb.h - ClamAV container metadata signatures (.cdb) and their table.
 *
 * One line is Name:ContainerType:ContainerSize:FileNameREGEX:
 * FileSizeInContainer:FileSizeReal:IsEncrypted:FilePos:Res1:Res2
 * [:MinFL[:MaxFL]]; a signature matches a member of a container (its name,
 * sizes, encryption and position) before the member is unpacked. */
#ifndef VIGIL_DB_CDB_H
#define VIGIL_DB_CDB_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

#define CDB_MAX_SIGS (1u << 20)

struct lines;
struct vigil_engine;

/* An inclusive range; lo > hi never happens, "*" is [0, UINT64_MAX]. */
struct cdb_range {
    uint64_t lo, hi;
};

struct cdb_sig {
    uint32_t name;         /* offset in the engine's name table */
    uint16_t ctype;        /* ldb_ftype_code; 0 (CL_TYPE_ANY) for "*" */
    int has_regex;         /* 0 when the field is "*" */
    uint32_t re_src;       /* its text: offset in the engine's name table */
    regex_t re;
    struct cdb_range csize, fsizec, fsizer, filepos;
    int encrypted;         /* -1 any, 0, 1 */
};

struct cdb_table {
    struct cdb_sig *v;
    size_t n, cap;
};

void cdb_table_init(struct cdb_table *t);
void cdb_table_free(struct cdb_table *t);
/* Frees the signatures from index n on (rollback of a failed load). */
void cdb_table_truncate(struct cdb_table *t, size_t n);

/* Parses a .cdb database into e->cdb, with "dbname:line: reason" errors as
 * clamscan 1.4.6 rejects lines; lines for another functionality level are
 * skipped. */
vigil_status cdb_parse(struct vigil_engine *e, const char *dbname, struct lines *it,
                       int official);

/* What a walker knows about one member before unpacking it. Unknown sizes
 * are CDB_UNKNOWN; a signature that asks for one does not match. */
#define CDB_UNKNOWN UINT64_MAX
struct cdb_member {
    const char *name;      /* "" when the format has no names */
    uint64_t csize, rsize; /* in the container, and unpacked */
    uint64_t pos;          /* 1-based position in the container */
    int encrypted;
};

/* Returns 1 if signature s matches member m of a container of ClamAV type
 * ctype (ldb_ftype_code) and size csize. */
int cdb_match(const struct cdb_sig *s, unsigned ctype, uint64_t csize,
              const struct cdb_member *m);

#endif
