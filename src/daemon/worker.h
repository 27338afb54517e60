/* worker.h - a scan worker: receives descriptors, returns verdicts. */
#ifndef VIGIL_DAEMON_WORKER_H
#define VIGIL_DAEMON_WORKER_H

#include "vigil/vigil.h"

/*
 * Runs a worker on sock (its end of a SOCK_SEQPACKET pair) until the parent
 * closes it: each MSG_SCAN brings one descriptor, scanned with engine e and
 * options o, answered with one MSG_RESULT. Never returns; exits 0 at end of
 * file, 1 on a malformed message from the parent.
 */
_Noreturn void worker_main(int sock, const vigil_engine *e,
                           const struct vigil_scan_options *o);

#endif
