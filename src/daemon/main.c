/* main.c - vigild: start-up, signals and the parent's event loop.
 *
 * Start-up as clamd's: read the configuration, open the log, load the
 * database, bind the sockets, write the PidFile, drop to User, detach unless
 * Foreground; then fork the scan workers from the compiled engine. Signals
 * only set flags (through a self-pipe): SIGTERM/SIGINT exit, SIGHUP reopens
 * the log, SIGUSR2 reloads the database.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/listen.h"
#include "daemon/log.h"

#define DEFAULT_CONFIG "/etc/vigil/vigild.conf"
#define POLL_MAX (LISTEN_MAX + 2 + PROCS_MAX + CLIENTS_MAX)

struct daemon D;

static volatile sig_atomic_t sig_term, sig_hup, sig_usr2;
static int sigpipe_fd[2] = {-1, -1};

int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_signal(int sig)
{
    int saved = errno;

    if (sig == SIGTERM || sig == SIGINT)
        sig_term = 1;
    else if (sig == SIGHUP)
        sig_hup = 1;
    else if (sig == SIGUSR2)
        sig_usr2 = 1;
    if (write(sigpipe_fd[1], "", 1) < 0) {
        /* The pipe is full: the loop wakes anyway. */
    }
    errno = saved;
}

static int setup_signals(void)
{
    struct sigaction sa;

    if (pipe2(sigpipe_fd, O_CLOEXEC | O_NONBLOCK) != 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "Usage: vigild [options]\n\n"
               "  -c, --config-file=FILE  read FILE (clamd.conf syntax; default %s)\n"
               "  -F, --foreground        stay in the foreground\n"
               "      --debug             log debug messages\n"
               "  -V, --version           print the version and exit\n"
               "  -h, --help              print this help and exit\n",
            DEFAULT_CONFIG);
}

struct args {
    const char *config;
    bool foreground;
    bool debug;
};

/* Returns -1 to go on, or the exit code. */
static int parse_args(int argc, char **argv, struct args *a)
{
    static const struct option opts[] = {
        {"config-file", required_argument, NULL, 'c'},
        {"foreground", no_argument, NULL, 'F'},
        {"debug", no_argument, NULL, 'd'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int ch;

    a->config = DEFAULT_CONFIG;
    while ((ch = getopt_long(argc, argv, "c:FVh", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': a->config = optarg; break;
        case 'F': a->foreground = true; break;
        case 'd': a->debug = true; break;
        case 'V': printf("vigild %s (clamd protocol of ClamAV 1.4)\n", vigil_version()); return 0;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return 2;
    }
    return -1;
}

static void warn_stderr(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "WARNING: %s\n", msg);
}

static int write_pidfile(const char *path)
{
    FILE *f;

    if (!path)
        return 0;
    if (!(f = fopen(path, "we"))) {
        log_msg(LOG_L_ERROR, "Can't save PID in file %s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(f, "%u\n", (unsigned)getpid());
    fclose(f);
    return 0;
}

static int drop_user(const char *user)
{
    struct passwd *pw;

    if (!user || geteuid() != 0)
        return 0;
    if (!(pw = getpwnam(user))) {
        log_msg(LOG_L_ERROR, "Can't get information about user %s", user);
        return -1;
    }
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
        setuid(pw->pw_uid) != 0) {
        log_msg(LOG_L_ERROR, "Can't drop privileges to %s: %s", user, strerror(errno));
        return -1;
    }
    return 0;
}

/* Each client, worker and INSTREAM holds descriptors: take the hard limit. */
static void raise_nofile(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static int daemonize(void)
{
    pid_t pid = fork();
    int fd;

    if (pid < 0)
        return -1;
    if (pid > 0)
        _exit(0);
    setsid();
    if (chdir("/") != 0)
        return -1;
    if ((fd = open("/dev/null", O_RDWR)) >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2)
            close(fd);
    }
    log_detach_stderr();
    return 0;
}

/* Everything before the loop. Returns 0, or the exit code. */
static int start(const struct args *a, int *lfds, int *nl)
{
    char err[CONF_ERR_MAX + 1024];

    conf_defaults(&D.conf);
    if (conf_load(&D.conf, a->config, warn_stderr, NULL, err, sizeof(err)) != 0) {
        fprintf(stderr, "ERROR: %s\n", err);
        return 1;
    }
    if (a->foreground)
        D.conf.foreground = true;
    if (a->debug)
        D.conf.debug = true;
    if (log_open(&D.conf, true) != 0)
        return 1;
    log_msg(LOG_L_INFO, "vigild %s starting", vigil_version());
    log_msg(LOG_L_INFO, "Reading databases from %s",
            D.conf.database_directory ? D.conf.database_directory : "/var/lib/clamav");
    D.db_stamp = engine_db_stamp(&D.conf);
    if (engine_build(&D.conf, &D.engine, err, sizeof(err)) != 0) {
        log_msg(LOG_L_ERROR, "Can't load the database: %s", err);
        return 1;
    }
    log_msg(LOG_L_INFO, "Loaded %llu signatures.",
            (unsigned long long)vigil_engine_signature_count(D.engine));
    engine_scan_options(&D.conf, &D.scanopt);
    raise_nofile();
    D.nprocs_max = D.conf.max_threads ? D.conf.max_threads : 1;
    if (D.nprocs_max > PROCS_MAX)
        D.nprocs_max = PROCS_MAX;
    if ((*nl = listen_open(&D.conf, lfds)) < 0)
        return 1;
    if (!D.conf.foreground && daemonize() != 0)
        return 1;
    if (write_pidfile(D.conf.pid_file) != 0 || drop_user(D.conf.user) != 0 ||
        setup_signals() != 0)
        return 1;
    D.started_ms = now_ms();
    if (D.conf.self_check)
        D.next_selfcheck_ms = D.started_ms + (int64_t)D.conf.self_check * 1000;
    procs_fill();
    return 0;
}

static void handle_signals(void)
{
    char b[64];

    while (read(sigpipe_fd[0], b, sizeof(b)) > 0) {
    }
    if (sig_term) {
        log_msg(LOG_L_INFO, "SIGTERM caught: exiting.");
        D.exiting = true;
    }
    if (sig_hup) {
        sig_hup = 0;
        log_reopen();
    }
    if (sig_usr2) {
        sig_usr2 = 0;
        D.reload_wanted = true;
    }
}

/* Builds the poll set; what each entry is, is kept in kind[]/ref[]. */
enum kind { K_LISTEN, K_SIGNAL, K_RELOAD, K_PROC, K_CLIENT };

static nfds_t build_pollset(struct pollfd *pf, enum kind *kind, void **ref,
                            const int *lfds, int nl)
{
    /* MaxQueue: while that many scans wait for a worker, new connections
     * wait in the listen backlog instead of adding more. */
    bool accepting = (!D.conf.max_queue || D.queued < D.conf.max_queue) &&
                     now_ms() >= D.accept_paused_until_ms;
    nfds_t n = 0;
    unsigned k;
    int i;

    for (i = 0; i < nl && accepting; i++, n++)
        pf[n] = (struct pollfd){.fd = lfds[i], .events = POLLIN}, kind[n] = K_LISTEN;
    pf[n] = (struct pollfd){.fd = sigpipe_fd[0], .events = POLLIN}, kind[n++] = K_SIGNAL;
    if (engine_reload_fd() >= 0)
        pf[n] = (struct pollfd){.fd = engine_reload_fd(), .events = POLLIN}, kind[n++] = K_RELOAD;
    for (k = 0; k < PROCS_MAX; k++)
        if (D.procs[k].state != PROC_FREE) {
            pf[n] = (struct pollfd){.fd = D.procs[k].sock, .events = POLLIN};
            kind[n] = K_PROC, ref[n++] = &D.procs[k];
        }
    for (k = 0; k < CLIENTS_MAX; k++) {
        struct client *cl = D.clients[k];

        if (!cl)
            continue;
        pf[n].fd = cl->fd;
        pf[n].events = (short)((cl->mode != CM_WAITREPLY && cl->mode != CM_STREAMWAIT &&
                                        cl->ntasks < CLIENT_TASKS_MAX
                                    ? POLLIN : 0) |
                               (cl->outlen ? POLLOUT : 0));
        pf[n].revents = 0;
        kind[n] = K_CLIENT, ref[n++] = cl;
    }
    return n;
}

/* SelfCheck's clock: returns ms to the next check, or -1. */
static int selfcheck_timeout(void)
{
    int64_t now = now_ms();

    if (!D.next_selfcheck_ms)
        return -1;
    if (now >= D.next_selfcheck_ms) {
        engine_selfcheck();
        D.next_selfcheck_ms = now + (int64_t)D.conf.self_check * 1000;
    }
    return (int)(D.next_selfcheck_ms - now);
}

static int min_timeout(int a, int b)
{
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    return a < b ? a : b;
}

static int next_timeout(void)
{
    int a = min_timeout(procs_timeouts(), selfcheck_timeout()), b = clients_timeouts();
    int64_t pause = D.accept_paused_until_ms - now_ms();

    if (pause > 0)
        a = min_timeout(a, (int)pause);

    if (a < 0)
        return b;
    if (b < 0)
        return a;
    return a < b ? a : b;
}

/* After every round: clients that are done are closed here, and only here
 * besides their own events, so no code path frees a client under itself. */
static void sweep_clients(void)
{
    unsigned k;

    for (k = 0; k < CLIENTS_MAX; k++)
        if (D.clients[k]) {
            client_resume(D.clients[k]);
            client_maybe_close(D.clients[k]);
        }
    /* A resumed client may have queued a scan (a stream let in under
     * StreamMaxTotal): start it now, not after the next event. */
    procs_dispatch();
}

static void loop(const int *lfds, int nl)
{
    static struct pollfd pf[POLL_MAX];
    static enum kind kind[POLL_MAX];
    static void *ref[POLL_MAX];
    nfds_t n, i;
    int timeout;

    while (!D.exiting) {
        /* Timeouts first: they may close clients and end workers, which
         * must not be in the poll set any more. */
        timeout = next_timeout();
        n = build_pollset(pf, kind, ref, lfds, nl);
        if (poll(pf, n, timeout) < 0 && errno != EINTR)
            break;
        for (i = 0; i < n; i++) {
            if (!pf[i].revents)
                continue;
            if (kind[i] == K_LISTEN)
                client_accept(pf[i].fd);
            else if (kind[i] == K_SIGNAL)
                handle_signals();
            else if (kind[i] == K_RELOAD)
                engine_reload_finish();
            else if (kind[i] == K_PROC && ((struct proc *)ref[i])->sock == pf[i].fd &&
                     ((struct proc *)ref[i])->state != PROC_FREE)
                procs_event(ref[i]);
        }
        /* Clients last: a proc event above may have freed nothing of theirs,
         * but client events can free clients, so look each one up again. */
        for (i = 0; i < n; i++) {
            unsigned k;

            if (kind[i] != K_CLIENT || !pf[i].revents)
                continue;
            for (k = 0; k < CLIENTS_MAX && D.clients[k] != ref[i]; k++) {
            }
            if (k < CLIENTS_MAX && D.clients[k]->fd == pf[i].fd)
                client_event(D.clients[k], pf[i].revents);
        }
        if (D.reload_wanted)
            engine_reload_start();
        procs_fill();
        procs_dispatch();
        sweep_clients();
    }
}

int main(int argc, char **argv)
{
    struct args a = {0};
    int lfds[LISTEN_MAX], nl = 0, rc, i;
    unsigned k;

    if ((rc = parse_args(argc, argv, &a)) >= 0)
        return rc;
    memset(&D, 0, sizeof(D));
    if ((rc = start(&a, lfds, &nl)) != 0)
        goto out;
    loop(lfds, nl);
    log_msg(LOG_L_INFO, "--- Stopped at vigild exit");
out:
    for (k = 0; k < CLIENTS_MAX; k++)
        if (D.clients[k])
            client_free(D.clients[k]);
    procs_stop_all();
    for (i = 0; i < nl; i++)
        close(lfds[i]);
    if (nl > 0)
        listen_cleanup(&D.conf, listen_activated());
    if (rc == 0 && D.conf.pid_file)
        unlink(D.conf.pid_file);
    engine_reload_stop();
    vigil_engine_free(D.engine);
    log_close();
    conf_free(&D.conf);
    return rc;
}
