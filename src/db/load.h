/* load.h - signature sources: files and directories, dispatched to the
 * reader of each format by extension, as ClamAV dispatches them. */
#ifndef VIGIL_DB_LOAD_H
#define VIGIL_DB_LOAD_H

#include <stddef.h>

#include "vigil/vigil.h"

struct vigil_engine;

/* Database files are streamed through a buffer of this size. */
#define DB_READ_BUFSIZE (1u << 20)

/* Internal load flags, beside the public VIGIL_LOAD_* (core/image_engine.h
 * explains the deferred load):
 * DB_LOAD_PLAN: the source's ClamAV database files are deferred: only its
 * YARA rule files are loaded now, each placed after the ClamAV files that
 * come before it (image_plan_step counts them);
 * DB_LOAD_NO_YARA: the deferred source is parsed at last: its YARA rule
 * files were loaded with DB_LOAD_PLAN and are passed over (each ClamAV
 * file loaded is recorded with image_record_step). */
#define DB_LOAD_PLAN (1u << 30)
#define DB_LOAD_NO_YARA (1u << 31)
#define DB_LOAD_INTERNAL (DB_LOAD_PLAN | DB_LOAD_NO_YARA)

/* Loads a database file or a directory of them. Not transactional by itself:
 * the caller rolls back on failure. */
vigil_status db_load_path(struct vigil_engine *e, const char *path,
                          unsigned flags);

/* Returns 1 if name's extension is one of ClamAV's database formats (its
 * CLI_DBEXT list, case-insensitive), whether this version reads it or not. */
int db_is_database_name(const char *name);

/* Returns 1 if name's extension is that of YARA rules (.yar .yara). */
int db_is_yara_name(const char *name);

/* Returns 1 if a database file called name loads the same way every time
 * it is unchanged (not YARA rules): its load may be replaced by the engine
 * image (core/image_engine.h), which keeps the load's warnings. */
int db_image_ok(const char *name);

/* Loads a database held in memory; name's extension selects the format.
 * official: names are reported as written (no ".UNOFFICIAL"). */
vigil_status db_load_buffer(struct vigil_engine *e, const char *name,
                            const void *data, size_t len, unsigned flags,
                            int official);

#endif
