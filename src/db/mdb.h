/* mdb.h - ClamAV's executable hash databases: .mdb/.msb (PE section
 * hashes) and .imp (PE import table hashes). */
#ifndef VIGIL_DB_MDB_H
#define VIGIL_DB_MDB_H

#include "vigil/vigil.h"

struct lines;
struct vigil_engine;

enum mdb_kind {
    MDB_SECTION, /* .mdb .msb: PESectionSize:PESectionHash:MalwareName */
    MDB_IMPORT,  /* .imp: ImportHash:ImportStringSize:MalwareName */
};

/* Parses one database into the engine's section or import table. Bad lines
 * fail the load with "dbname:line: reason"; official as for hdb_parse. */
vigil_status mdb_parse(struct vigil_engine *e, const char *dbname, struct lines *it,
                       enum mdb_kind kind, int official);

#endif
