/* wpool.h - the sandboxed scan workers of `vigil scan`.
 *
 * Made after the engine is compiled and before any thread starts: a spawner
 * process is forked first, single-threaded, holding the compiled engine; it
 * forks each worker (so workers share the engine's pages) as a child of
 * vigil itself (CLONE_PARENT), which can then reap it and learn how it died.
 * Worker thread k of jobs.c owns worker process k: it sends the open files
 * over the worker's socket, several per message (batches), and waits for
 * the verdicts, which come back a batch at a time. A worker that dies,
 * hangs past the scan-time limit or sends a malformed message is killed.
 * If it had a batch, the unanswered files are sent again one per message,
 * so that a file that kills workers is named: that file gets "path: Scan
 * worker died ERROR" (with the reason on stderr) and the next file on that
 * slot starts a new worker.
 */
#ifndef VIGIL_CLI_WPOOL_H
#define VIGIL_CLI_WPOOL_H

#include "cli/jobs.h"
#include "cli/report.h"
#include "vigil/vigil.h"

struct wpool_config {
    vigil_engine *engine;                  /* compiled */
    const struct vigil_scan_options *scan; /* copied */
    enum vigil_log_level log_level;
    unsigned workers; /* slots, one per worker thread */
    struct report *report;
};

struct wpool;

/* Forks the spawner and starts one worker per slot, each confirmed
 * sandboxed. Returns VIGIL_OK and *out, or a failure with the reason in err
 * (nothing is then left running). */
vigil_status wpool_new(const struct wpool_config *c, struct wpool **out, char *err,
                       size_t errlen);

/* Queues j->fd for the worker of slot (starting one if needed) until
 * wpool_flush or wpool_wait; ctx is the pool. At most JOBS_REMOTE_DEPTH
 * jobs per slot are waited for at a time. Called by the one thread that
 * owns the slot, as jobs_remote.send. */
void wpool_send(void *ctx, unsigned slot, struct job *j);

/* Sends what wpool_send queued on slot, in batches of up to
 * WPROTO_MAX_BATCH files per message. jobs_remote.flush. */
void wpool_flush(void *ctx, unsigned slot);

/* Waits for the verdict of j, the oldest job sent on slot, and fills j's
 * verdict fields. If the worker dies on j, j gets VIGIL_EWORKER and the
 * jobs sent after it go to a new worker. jobs_remote.wait. */
void wpool_wait(void *ctx, unsigned slot, struct job *j);

/* Closes every worker and the spawner and reaps them. NULL is allowed. */
void wpool_free(struct wpool *p);

#endif
