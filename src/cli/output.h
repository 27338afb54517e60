/* output.h - the text of vigil scan's report, formatted exactly as clamscan
 * 1.4.6 formats it. Pure functions: they append to a strbuf and never write
 * anywhere, so tests can compare them byte for byte. Which stream a line
 * goes to is report.c's business. */
#ifndef VIGIL_CLI_OUTPUT_H
#define VIGIL_CLI_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "cli/strbuf.h"

/* clamscan counts data in blocks of this many bytes (CL_COUNT_PRECISION). */
#define OUTPUT_BLOCK 4096u

/* The figures of one SCAN SUMMARY. */
struct summary {
    uint64_t known_viruses;
    const char *engine_version;
    uint64_t dirs, files, infected, errors;
    uint64_t limits; /* files where a limit stopped part of the scan */
    uint64_t not_removed, not_moved;
    bool copy_mode;             /* the action was --copy: "Not copied" */
    uint64_t bytes_scanned;     /* sum of vigil_result_bytes_read */
    uint64_t read_blocks;       /* sum over scanned files of size / OUTPUT_BLOCK */
    uint64_t bytes_files;       /* sum of the sizes of the scanned files */
    struct timespec start, end; /* CLOCK_REALTIME at start and end */
};

/* One line about one path, "path: what". */
void output_line(struct strbuf *sb, const char *path, const char *what);

/* "path: name FOUND". */
void output_found(struct strbuf *sb, const char *path, const char *name);

/* "path: text ERROR", clamscan's line for a scan that failed. */
void output_scan_error(struct strbuf *sb, const char *path, const char *text);

/* What an action did to a file: verb is "moved to" or "copied to" with dest,
 * or "Removed." with dest NULL. real is the file's resolved path, printed
 * only when it differs from path, as clamscan does. */
void output_action(struct strbuf *sb, const char *path, const char *real,
                   const char *verb, const char *dest);

/* The whole SCAN SUMMARY block, starting with its blank line. Lines that
 * clamscan prints only when non-zero (Total errors, Not removed, Not
 * moved/copied) and vigil's "Limits exceeded" follow the same rule. */
void output_summary(struct strbuf *sb, const struct summary *s);

/* "Time: 1.234 sec (0 m 1 s)" for the time between two instants. */
void output_time(struct strbuf *sb, const struct timespec *start,
                 const struct timespec *end);

/* clamscan's date, "2024:01:31 12:00:00", in local time. */
void output_date(struct strbuf *sb, time_t t);

/* Megabytes as clamscan prints them, "%2.2lf" of bytes / 2^20. */
void output_mb(struct strbuf *sb, uint64_t bytes);

#endif
