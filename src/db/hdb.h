/* hdb.h - ClamAV hash databases: .hdb .hsb (detections), .fp .sfp (allow). */
#ifndef VIGIL_DB_HDB_H
#define VIGIL_DB_HDB_H

#include <stddef.h>
#include <stdint.h>

#include "db/lines.h"
#include "vigil/vigil.h"

struct vigil_engine;

enum hdb_purpose { HDB_DETECT, HDB_ALLOW };

struct lines;

/* Parses a hash database from its lines into the engine. dbname names the
 * file in error messages; official says whether names are reported as they
 * are (signed ClamAV databases, vigil's builtin set) or with ".UNOFFICIAL". */
vigil_status hdb_parse(struct vigil_engine *e, const char *dbname,
                       struct lines *it, enum hdb_purpose purpose, int official);

/* The fields every ClamAV hash format shares (.hdb .hsb .mdb .msb .imp): */

/* The size field as ClamAV reads it (strtoul base 10 over the whole field,
 * then 0 < size < 0xffffffff). Returns 0 and the size, or -1. */
int hdb_field_size(struct field f, uint32_t *size);

/* C's atoi over a field that is not NUL-terminated (leading blanks, sign,
 * digits; anything else ends it), as ClamAV reads MinFL/MaxFL. */
long hdb_field_atoi(struct field f);

/* Adds the signature name as cli_virname keeps it (cut at " (Clam)",
 * ".UNOFFICIAL" appended unless official) to e's names; VIGIL_EMALFORMED
 * for an empty name. */
vigil_status hdb_field_name(struct vigil_engine *e, struct field name, int official,
                            uint32_t *off);

#endif
