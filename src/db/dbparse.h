/* dbparse.h - the line loop every text database shares: comments, line
 * length, NUL bytes, "file:line: reason" errors and the empty-file rule. */
#ifndef VIGIL_DB_DBPARSE_H
#define VIGIL_DB_DBPARSE_H

#include <stddef.h>

#include "vigil/vigil.h"

struct lines;
struct vigil_engine;

/* What a format allows beyond its line syntax. */
struct dbparse_rules {
    size_t max_len; /* longest line (ClamAV: 8191, .ldb 32767) */
    int empty_ok;   /* a file without any line loads (ClamAV's ignore lists) */
};

/* Parses one line (CR/LF removed, not a comment). Returns NULL, or the
 * reason the line is malformed (a string that lives until the next call);
 * *st carries any other failure, such as running out of memory. */
typedef const char *(*dbparse_line_fn)(void *ctx, const char *line, size_t len,
                                       vigil_status *st);

/* Runs fn over every line of it. Lines starting with '#' are comments, as
 * in ClamAV. Returns VIGIL_OK, or the failure with the engine's error set to
 * "dbname:line: reason" (or "dbname: ..." for the whole file). */
vigil_status dbparse_run(struct vigil_engine *e, const char *dbname, struct lines *it,
                         const struct dbparse_rules *rules, dbparse_line_fn fn,
                         void *ctx);

#endif
