/* scan.h - the `vigil scan` command: clamscan's everyday interface on
 * vigil's engine. */
#ifndef VIGIL_CLI_SCAN_H
#define VIGIL_CLI_SCAN_H

#include <stdbool.h>

#include "cli/actions.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/report.h"
#include "cli/strbuf.h"
#include "core/audit.h"

/* The state of one run, shared by the driver (scan.c) and the handling of
 * finished jobs (results.c); used by the main thread only, except the
 * report, which has its own lock. */
struct scan_run {
    const struct scan_options *o;
    struct report report;
    struct summary sum;
    struct actions actions;
    struct audit_log *audit; /* where actions are recorded, or NULL */
    struct strbuf line; /* formatting scratch for one job's lines */
    bool exit_error;    /* something that makes the exit code 2 */
};

/* Runs `vigil scan` with argv[0] = "scan". Returns the exit code: 0 clean,
 * 1 something found, 2 errors and nothing found. */
int scan_main(int argc, char **argv);

#endif
