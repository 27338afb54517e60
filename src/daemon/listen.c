/* listen.c - vigild's listening sockets (see listen.h).
 *
 * As clamd: LocalSocket with LocalSocketMode and LocalSocketGroup,
 * FixStaleSocket removes a socket file nothing listens on; TCPSocket binds
 * TCPAddr, which defaults to loopback here (clamd binds every address, which
 * exposes an unauthenticated scanner to the network by default).
 */
#include "daemon/listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/log.h"

/* True when something accepts connections on the socket file path. */
static int socket_alive(const struct sockaddr_un *sa)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), alive;

    if (fd < 0)
        return 0;
    alive = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
    close(fd);
    return alive;
}

static int fix_stale(const struct conf *c, const struct sockaddr_un *sa)
{
    struct stat st;

    if (lstat(sa->sun_path, &st) != 0)
        return 0;
    if (!S_ISSOCK(st.st_mode) || !c->fix_stale_socket || socket_alive(sa)) {
        log_msg(LOG_L_ERROR, "Socket file %s exists. Either remove it, or configure "
                "a different one.", sa->sun_path);
        return -1;
    }
    log_msg(LOG_L_INFO, "LOCAL: Removing stale socket file %s", sa->sun_path);
    return unlink(sa->sun_path);
}

static int set_perms(const struct conf *c, const char *path)
{
    struct group *g;

    if (c->local_socket_group) {
        if (!(g = getgrnam(c->local_socket_group))) {
            log_msg(LOG_L_ERROR, "Unknown group %s", c->local_socket_group);
            return -1;
        }
        if (chown(path, (uid_t)-1, g->gr_gid) != 0) {
            log_msg(LOG_L_ERROR, "Can't change group of %s: %s", path, strerror(errno));
            return -1;
        }
    }
    if (c->local_socket_mode_set && chmod(path, (mode_t)c->local_socket_mode) != 0) {
        log_msg(LOG_L_ERROR, "Can't change mode of %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int open_unix(const struct conf *c)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = -1;

    if (strlen(c->local_socket) >= sizeof(sa.sun_path)) {
        log_msg(LOG_L_ERROR, "LocalSocket path too long: %s", c->local_socket);
        return -1;
    }
    strcpy(sa.sun_path, c->local_socket);
    if (fix_stale(c, &sa) != 0)
        goto fail;
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        log_msg(LOG_L_ERROR, "LOCAL: Can't bind %s: %s", sa.sun_path, strerror(errno));
        goto fail;
    }
    if (set_perms(c, sa.sun_path) != 0 || listen(fd, (int)c->max_conn_queue) != 0)
        goto fail;
    log_msg(LOG_L_INFO, "LOCAL: Unix socket file %s", sa.sun_path);
    return fd;
fail:
    if (fd >= 0)
        close(fd);
    return -1;
}

static int open_tcp(const struct conf *c)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    const char *host = c->tcp_addr ? c->tcp_addr : "127.0.0.1";
    char port[16];
    int fd = -1, one = 1, rc;

    snprintf(port, sizeof(port), "%u", c->tcp_port);
    if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0) {
        log_msg(LOG_L_ERROR, "TCP: getaddrinfo(%s): %s", host, gai_strerror(rc));
        return -1;
    }
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
        listen(fd, (int)c->max_conn_queue) != 0) {
        log_msg(LOG_L_ERROR, "TCP: Can't bind [%s]:%s: %s", host, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    } else {
        log_msg(LOG_L_INFO, "TCP: Bound to [%s]:%s", host, port);
    }
    freeaddrinfo(ai);
    return fd;
}

/* systemd socket activation (sd_listen_fds(3)): the sockets are inherited
 * from descriptor 3 on when LISTEN_PID names this process. Returns how many,
 * 0 when not activated. */
static bool from_systemd;

bool listen_activated(void)
{
    return from_systemd;
}

static int inherited(int *fds)
{
    const char *pid = getenv("LISTEN_PID"), *nfd = getenv("LISTEN_FDS");
    int n, k, fl;

    if (!pid || !nfd || atol(pid) != (long)getpid())
        return 0;
    n = atoi(nfd);
    if (n < 1 || n > LISTEN_MAX) {
        log_msg(LOG_L_ERROR, "LISTEN_FDS=%s: vigild takes 1 to %d sockets", nfd, LISTEN_MAX);
        return -1;
    }
    for (k = 0; k < n; k++) {
        fds[k] = 3 + k;
        fl = fcntl(fds[k], F_GETFL);
        if (fl < 0 || fcntl(fds[k], F_SETFL, fl | O_NONBLOCK) != 0 ||
            fcntl(fds[k], F_SETFD, FD_CLOEXEC) != 0)
            return -1;
    }
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    from_systemd = true;
    log_msg(LOG_L_INFO, "Received %d file descriptor(s) from systemd.", n);
    return n;
}

int listen_open(const struct conf *c, int *fds)
{
    int n;

    if ((n = inherited(fds)) != 0)
        return n;

    if (c->local_socket) {
        if ((fds[n] = open_unix(c)) < 0)
            return -1;
        n++;
    }
    if (c->tcp_port) {
        if ((fds[n] = open_tcp(c)) < 0) {
            while (n--)
                close(fds[n]);
            return -1;
        }
        n++;
    }
    if (n == 0)
        log_msg(LOG_L_ERROR, "No LocalSocket or TCPSocket configured");
    return n ? n : -1;
}

void listen_cleanup(const struct conf *c, bool activated)
{
    /* systemd owns an activated socket file, and keeps listening on it. */
    if (c->local_socket && !activated)
        unlink(c->local_socket);
}
