/* hdb.h - ClamAV hash databases: .hdb .hsb (detections), .fp .sfp (allow). */
#ifndef VIGIL_DB_HDB_H
#define VIGIL_DB_HDB_H

#include <stddef.h>

#include "vigil/vigil.h"

struct vigil_engine;

enum hdb_purpose { HDB_DETECT, HDB_ALLOW };

struct lines;

/* Parses a hash database from its lines into the engine. dbname names the
 * file in error messages; official says whether names are reported as they
 * are (signed ClamAV databases, vigil's builtin set) or with ".UNOFFICIAL". */
vigil_status hdb_parse(struct vigil_engine *e, const char *dbname,
                       struct lines *it, enum hdb_purpose purpose, int official);

#endif
