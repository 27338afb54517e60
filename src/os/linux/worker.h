/* worker.h - the life of a sandboxed scan worker: confine itself, then scan
 * every descriptor the parent sends and answer each with a verdict.
 *
 * The process that calls worker_serve() is a fork of the parent taken after
 * the engine was compiled, so it shares the engine's pages. It owns nothing
 * but its socket: the parent walks, opens, prints and acts.
 */
#ifndef VIGIL_OS_LINUX_WORKER_H
#define VIGIL_OS_LINUX_WORKER_H

#include "os/linux/wproto.h"
#include "vigil/vigil.h"

struct worker_config {
    int sock;                              /* to the parent; kept */
    vigil_engine *engine;                  /* compiled; this process's copy */
    const struct vigil_scan_options *scan; /* for every object */
    enum vigil_log_level log_level;        /* engine messages forwarded */
    unsigned sandbox_flags;                /* SANDBOX_* (tests only) */
    wverdict_extra_fn extra;               /* per-detection data; may be NULL */
    /* Test builds only: called inside the sandbox with each object before
     * it is scanned. NULL otherwise. */
    void (*before_scan)(void *ctx, int sock, int fd);
    void *ctx;
};

/*
 * Enters the sandbox (sandbox_enter), sends WMSG_HELLO, or WMSG_FAIL and
 * returns when it cannot; then answers each WMSG_SCAN with one WMSG_VERDICT
 * and closes the object. Engine log messages go to the parent as WMSG_LOG.
 * Returns VIGIL_OK when the parent closes the socket, another status on a
 * failure; the caller then _exits, the process is good for nothing else.
 */
vigil_status worker_serve(const struct worker_config *c);

/* Sends a text to the parent as a WMSG_LOG message of the given level. */
void worker_log(int sock, enum vigil_log_level level, const char *text);

#endif
