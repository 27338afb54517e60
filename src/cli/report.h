/* report.h - where each line of vigil scan's report goes.
 *
 * clamscan 1.4.6 sends its lines to different places depending on their kind
 * (measured, see docs/vigil.1):
 *
 *   class       console                      -l log   hidden by
 *   OK          stdout                       no       -i, -o, --quiet
 *   FOUND       stdout                       yes      --quiet
 *   NOTE        stdout (Empty file, ...)     yes      -i, --quiet
 *   ACTION      stdout (moved to, ...)       yes      --quiet
 *   VERBOSE     stdout (Scanning ...)        yes      --quiet; shown with -v
 *   SUMMARY     stdout                       yes      --quiet (console only)
 *   WARNING     stderr, "WARNING: "          yes      --quiet
 *   ERROR       stderr, "ERROR: "            yes      never
 *   PERROR      stderr, "path: reason"       no       never
 *
 * --stdout moves WARNING and ERROR to stdout. With --json, stdout carries only
 * JSON lines; the text lines still go to the log.
 *
 * Every write takes one lock: the library's log callback may run on worker
 * threads while the main thread prints results.
 */
#ifndef VIGIL_CLI_REPORT_H
#define VIGIL_CLI_REPORT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/options.h"
#include "cli/progress.h"

enum line_class { LC_OK, LC_FOUND, LC_NOTE, LC_ACTION, LC_VERBOSE, LC_SUMMARY };

struct report {
    bool quiet, infected_only, suppress_ok, to_stdout, verbose, json;
    FILE *out, *err;       /* stdout and stderr, replaceable for tests */
    bool out_tty, err_tty; /* lines there must wipe the progress line first */
    FILE *log;             /* -l FILE, or NULL */
    struct progress progress;
    pthread_mutex_t lock;
};

/*
 * Sets up the report from the options: opens the -l log file for appending
 * and writes clamscan's separator header into it, and decides whether the
 * progress line may be drawn. Returns 0, or -1 with the reason in err (the
 * text of clamscan's "Failed to open log file" message).
 */
int report_open(struct report *r, const struct scan_options *o, char *err, size_t errlen);

/* Closes the log file. */
void report_close(struct report *r);

/* Whether a line of this class is shown on the console at all; lets callers
 * skip formatting work. */
bool report_wants(const struct report *r, enum line_class c);

/* Writes text (one or more whole lines) of the given class. */
void report_text(struct report *r, enum line_class c, const char *text);

/* Writes one JSON line to stdout (no effect without --json). */
void report_json(struct report *r, const char *line);

/* "WARNING: ..." and "ERROR: ..." lines; the newline is added. */
void report_warning(struct report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void report_error(struct report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "path: strerror(err)" on stderr, as clamscan's perror(). */
void report_perror(struct report *r, const char *path, int err);

/* A message from the library's log callback; ctx is the report. */
void report_engine_log(void *ctx, enum vigil_log_level level, const char *msg);

/* Redraws the progress line (main thread). */
void report_progress(struct report *r, uint64_t files, uint64_t bytes, const char *path);

/* Rings the terminal bell (--bell). */
void report_bell(struct report *r);

#endif
