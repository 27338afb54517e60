/* load.h - signature sources: files and directories, dispatched to the
 * reader of each format by extension, as ClamAV dispatches them. */
#ifndef VIGIL_DB_LOAD_H
#define VIGIL_DB_LOAD_H

#include <stddef.h>

#include "vigil/vigil.h"

struct vigil_engine;

/* Database files are streamed through a buffer of this size. */
#define DB_READ_BUFSIZE (1u << 20)

/* Loads a database file or a directory of them. Not transactional by itself:
 * the caller rolls back on failure. */
vigil_status db_load_path(struct vigil_engine *e, const char *path,
                          unsigned flags);

/* Returns 1 if name's extension is one of ClamAV's database formats (its
 * CLI_DBEXT list, case-insensitive), whether this version reads it or not. */
int db_is_database_name(const char *name);

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
