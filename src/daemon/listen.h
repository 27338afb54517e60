/* listen.h - vigild's listening sockets: LocalSocket and TCPSocket. */
#ifndef VIGIL_DAEMON_LISTEN_H
#define VIGIL_DAEMON_LISTEN_H

#include <stdbool.h>

#include "daemon/conf.h"

#define LISTEN_MAX 2

/* Opens the listeners c asks for into fds (at most LISTEN_MAX), non-blocking
 * and close-on-exec, or takes them from systemd (LISTEN_FDS). Returns how
 * many (>= 1), or -1 after logging why. A Unix
 * socket path that exists is removed first only with FixStaleSocket and only
 * when nothing answers on it. */
int listen_open(const struct conf *c, int *fds);

/* Whether listen_open took its sockets from systemd. */
bool listen_activated(void);

/* Removes the Unix socket file at exit, unless systemd made it. */
void listen_cleanup(const struct conf *c, bool activated);

#endif
