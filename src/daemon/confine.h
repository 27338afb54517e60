/* confine.h - where a scan worker gives up what it does not need. */
#ifndef VIGIL_DAEMON_CONFINE_H
#define VIGIL_DAEMON_CONFINE_H

/* Called once in each new worker (single-threaded), after the engine is
 * mapped and before the first message is read; sock is its socket to the
 * parent, the one descriptor it keeps. Returns 0, or -1 if the worker must
 * not run. */
int worker_confine(int sock);

#endif
