/* ndb.h - ClamAV body signatures in extended (.ndb .ndu .sdb) and legacy
 * (.db) format, and the engine's table of them. */
#ifndef VIGIL_DB_NDB_H
#define VIGIL_DB_NDB_H

#include <stddef.h>
#include <stdint.h>

#include "scan/offset.h"
#include "vigil/vigil.h"

struct bodysig;
struct lines;
struct vigil_engine;

/* lsig of a plain body signature: it is a detection of its own. */
#define NDB_NO_LSIG UINT32_MAX

/* ndb_sig flags, for subsignatures of logical signatures (db/ldb.c). */
enum ndb_flags {
    NDB_F_NOCASE = 1 << 0,  /* ::i: verified against the case-folded object */
    NDB_F_PARTIAL = 1 << 1, /* ClamAV matches it in parts ('*', '{n-m}') */
};

struct ndb_sig {
    struct bodysig *sig;
    uint32_t name;   /* offset in the engine's name table */
    uint32_t lsig;   /* owning logical signature, or NDB_NO_LSIG */
    uint16_t subsig; /* its index in the logical signature */
    uint8_t target;
    uint8_t flags;   /* enum ndb_flags */
    struct offset_spec off;
};

struct ndb_table {
    struct ndb_sig *v;
    size_t n, cap;
};

void ndb_table_init(struct ndb_table *t);
void ndb_table_free(struct ndb_table *t);

/* Frees the signatures from n on (rollback of a failed load). */
void ndb_table_truncate(struct ndb_table *t, size_t n);

/* Appends a subsignature of logical signature lsig (owning sig, which is
 * freed on failure): no detection of its own, not counted as a signature.
 * name is the logical signature's name offset. */
vigil_status ndb_add_subsig(struct vigil_engine *e, struct bodysig *sig, uint32_t name,
                            unsigned target, const struct offset_spec *off,
                            uint32_t lsig, unsigned subsig, unsigned flags);

/* Parses an extended-format database (.ndb .ndu .sdb):
 *   MalwareName:TargetType:Offset:HexSignature[:MinFL[:MaxFL]] */
vigil_status ndb_parse(struct vigil_engine *e, const char *dbname, struct lines *it,
                       int official);

/* Parses a legacy .db database: MalwareName=HexSignature (any target, any
 * offset). */
vigil_status ndb_parse_legacy(struct vigil_engine *e, const char *dbname,
                              struct lines *it, int official);

#endif
