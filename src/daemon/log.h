/* log.h - vigild's log: LogFile (LogTime stamps as clamd's), syslog, and
 * stderr in the foreground. Reopened on SIGHUP so logrotate can move it. */
#ifndef VIGIL_DAEMON_LOG_H
#define VIGIL_DAEMON_LOG_H

#include <stdbool.h>

#include "daemon/conf.h"

enum log_level { LOG_L_ERROR, LOG_L_WARNING, LOG_L_INFO, LOG_L_DEBUG };

/* Opens the log as c says; to_stderr also copies messages to stderr.
 * Returns 0, or -1 when LogFile cannot be opened (reason on stderr). */
int log_open(const struct conf *c, bool to_stderr);

/* Stops copying to stderr (after daemonizing). */
void log_detach_stderr(void);

/* Closes and reopens LogFile (SIGHUP). */
void log_reopen(void);

void log_close(void);

/* Logs one line (no trailing newline needed). DEBUG only with Debug or
 * LogVerbose. */
void log_msg(enum log_level lv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
