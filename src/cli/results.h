/* results.h - what a finished job means: its report lines (or JSON object),
 * its place in the summary counts, and the action on an infected file. */
#ifndef VIGIL_CLI_RESULTS_H
#define VIGIL_CLI_RESULTS_H

#include "cli/jobs.h"
#include "cli/scan.h"

/* The jobs done callback; ctx is the struct scan_run. */
void results_done(void *ctx, struct job *j);

/* The jobs tick callback: redraws the progress line. */
void results_tick(void *ctx, const struct job *head);

#endif
