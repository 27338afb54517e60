/* progress.h - one self-overwriting status line on stderr while a long scan
 * runs: files, bytes, rate and the file being waited on.
 *
 * It is drawn only on a terminal (or when --progress forces it), only after
 * the scan has run for a second, and it is wiped before any other line is
 * written, so it never ends up in a pipe, a log or between result lines.
 * Not thread-safe: report.c calls it under its lock.
 */
#ifndef VIGIL_CLI_PROGRESS_H
#define VIGIL_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "cli/strbuf.h"

struct progress {
    bool enabled;
    bool shown;            /* a line is on the screen now */
    bool drawn;            /* a line was drawn at least once */
    int fd;                /* where it is drawn (stderr) */
    struct timespec start; /* CLOCK_MONOTONIC */
    struct timespec last;  /* when it was last drawn */
};

/* Prepares the progress line; enabled says whether it may ever be drawn. */
void progress_init(struct progress *p, bool enabled, int fd);

/* Redraws the line if enabled, at least a second after start and a tenth of
 * a second after the last drawing. path is the file being waited on. */
void progress_update(struct progress *p, uint64_t files, uint64_t bytes,
                     const char *path);

/* Wipes the line if it is on the screen. */
void progress_clear(struct progress *p);

/*
 * Formats the line's text (without the leading carriage return) into sb:
 * "Scanning: 1234 files, 56.7 MB, 12.3 MB/s: /path/to/file", cut to at most
 * width columns; a path too long keeps its end, after "...". Bytes that are
 * not printable ASCII in the path are shown as '?'.
 */
void progress_format(struct strbuf *sb, uint64_t files, uint64_t bytes, double seconds,
                     const char *path, unsigned width);

#endif
