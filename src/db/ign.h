/* ign.h - ClamAV ignore lists (.ign, .ign2): signature names, optionally with
 * the MD5 of the one database line to ignore. Applied when signatures load. */
#ifndef VIGIL_DB_IGN_H
#define VIGIL_DB_IGN_H

#include <stddef.h>
#include <stdint.h>

#include "core/strtab.h"
#include "vigil/vigil.h"

struct ign_entry {
    uint32_t name;   /* offset in ignlist.names */
    uint32_t len;
    int has_md5;
    uint8_t md5[16];
};

struct ignlist {
    struct ign_entry *v;
    size_t n, cap;
    uint32_t *index; /* open-addressed: entry index + 1 */
    size_t index_mask;
    struct strtab names;
};

struct vigil_engine;

void ign_init(struct ignlist *l);
void ign_free(struct ignlist *l);

/* Drops entries from n on (rollback of a failed load). */
void ign_truncate(struct ignlist *l, size_t n);

/* Returns 1 if the signature called name (as written in the database,
 * before .UNOFFICIAL is added), defined by the database line
 * line[0..len) (CR/LF removed), is to be ignored. */
int ign_check(const struct ignlist *l, const char *name, size_t name_len,
              const char *line, size_t len);

struct lines;

/* Parses an .ign/.ign2 file from its lines into the engine's ignore list.
 * dbname is used in error messages. */
vigil_status ign_parse(struct vigil_engine *e, const char *dbname,
                       struct lines *it);

#endif
