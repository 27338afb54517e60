/* ftm.h - ClamAV file-type magic (.ftm) and the engine's table of it.
 *
 * One line is magictype:offset:magicbytes:name:rtype:type[:minfl[:maxfl]].
 * Type 0 compares magicbytes at offset; type 1 finds them anywhere (used
 * for archives inside other files). As in ClamAV, once any .ftm is loaded
 * it replaces the built-in magic table: the file typer then uses only the
 * loaded entries. */
#ifndef VIGIL_DB_FTM_H
#define VIGIL_DB_FTM_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

/* Longest magic kept (ClamAV's type-0 magics are short; type-1 ones too). */
#define FTM_MAX_MAGIC 64
/* Entries one engine holds. */
#define FTM_MAX_ENTRIES 65536

struct lines;
struct vigil_engine;

struct ftm_entry {
    uint8_t kind;      /* 0: at offset; 1: anywhere */
    uint8_t len;       /* magic bytes */
    uint16_t rtype;    /* required type of the object (ldb_ftype_code) */
    uint16_t type;     /* the type it becomes */
    uint32_t offset;   /* kind 0 (and kind 1 with a fixed offset) */
    int any_offset;    /* kind 1 with "*" */
    uint8_t magic[FTM_MAX_MAGIC];
    uint8_t mask[FTM_MAX_MAGIC]; /* 0xff: must equal; 0x00: "??" */
};

struct ftm_table {
    struct ftm_entry *v;
    size_t n, cap;
};

void ftm_table_init(struct ftm_table *t);
void ftm_table_free(struct ftm_table *t);
void ftm_table_truncate(struct ftm_table *t, size_t n);

/* Parses a .ftm database into e->ftm. Malformed lines fail the load with
 * "dbname:line: reason"; lines ClamAV 1.4 skips (another magic type, a
 * functionality level that excludes 216, a type-1 pattern with syntax
 * beyond hex and "??") are skipped; a file that adds nothing is an error,
 * as in ClamAV ("empty external filetype database"). */
vigil_status ftm_parse(struct vigil_engine *e, const char *dbname, struct lines *it);

/* Returns 1 if e's entry matches buf[0..len) at pos. */
int ftm_match_at(const struct ftm_entry *f, const uint8_t *buf, size_t len, size_t pos);

#endif
