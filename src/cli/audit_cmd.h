/* audit_cmd.h - `vigil audit verify [FILE]`, and the audit log of `vigil
 * scan`'s actions. */
#ifndef VIGIL_CLI_AUDIT_CMD_H
#define VIGIL_CLI_AUDIT_CMD_H

#include "cli/options.h"
#include "cli/report.h"
#include "core/audit.h"

/* Runs `vigil audit` with argv[0] = "audit". Returns the exit code: 0 the
 * chain is intact, 1 it is not, 2 usage or read error. */
int audit_main(int argc, char **argv);

/* The log file `vigil scan` writes to: --audit-log, else (as root only)
 * $VIGIL_AUDIT_LOG or AUDIT_DEFAULT_PATH; NULL when there is none. */
const char *audit_cmd_path(const struct scan_options *o);

/*
 * Opens the scan's audit log when the options ask for an action. An
 * explicit --audit-log that cannot be opened is an error (returns -1, the
 * ERROR line printed); the root default that cannot be opened is a warning,
 * and the scan goes on without one (*out NULL).
 */
int audit_cmd_open(const struct scan_options *o, struct report *r, struct audit_log **out);

#endif
