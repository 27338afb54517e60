/* wpool.c - the sandboxed scan workers of `vigil scan` (see wpool.h).
 *
 * Why a spawner: workers are replaced while worker threads run, and a fork
 * from a threaded process can copy a lock another thread holds (the
 * sanitizers' allocator, stdio). The spawner is forked before any thread and
 * stays single-threaded, so its forks are always clean. It is not itself
 * sandboxed: it never reads a scanned byte, and it only receives socket
 * descriptors from vigil.
 */
#include "cli/wpool.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "os/linux/worker.h"
#include "os/linux/wproto.h"

#ifdef VIGIL_SANDBOX_SELFTEST
#include "cli/selftest.h"
#define WPOOL_BEFORE_SCAN selftest_before_scan
#define WPOOL_SANDBOX_FLAGS selftest_sandbox_flags()
#else
#define WPOOL_BEFORE_SCAN NULL
#define WPOOL_SANDBOX_FLAGS 0u
#endif

/* How long a new worker has to say it is sandboxed. */
#define WPOOL_HELLO_MS 10000

/* A job sent to a worker whose verdict is not in yet. */
struct wsent {
    struct job *j;
    uint64_t seq;
    unsigned batch; /* files in the WMSG_SCAN it went in */
    bool pending;   /* queued by wpool_send, not yet sent (wpool_flush) */
    bool delivered; /* the worker got it (else: resend to the next worker) */
    bool failed;    /* no worker could be started for it */
};

struct wslot {
    struct wconn c; /* c.sock -1: no worker yet, or it died */
    pid_t pid;
    uint64_t seq;
    struct wsent q[JOBS_REMOTE_DEPTH]; /* sent, oldest at head */
    unsigned head, n;
};

struct wpool {
    struct wpool_config cfg;
    struct vigil_scan_options scan;
    int spawner; /* socket to the spawner */
    pid_t spawner_pid;
    pid_t parent; /* vigil itself */
    pthread_mutex_t lock; /* one spawn request at a time */
    bool told;            /* the sandbox state was logged once */
    struct wslot *w;
};

/* In a new worker process: serve until the parent closes the socket. */
static void worker_child(struct wpool *p, int sock)
{
    struct worker_config wc = {.sock = sock,
                               .engine = p->cfg.engine,
                               .scan = &p->scan,
                               .log_level = p->cfg.log_level,
                               .sandbox_flags = WPOOL_SANDBOX_FLAGS,
                               .extra = jobs_yara_json,
                               .before_scan = WPOOL_BEFORE_SCAN};

    prctl(PR_SET_NAME, "vigil-worker", 0, 0, 0);
    /* A worker never outlives vigil, even in the middle of a long scan. */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != p->parent)
        _exit(0);
    _exit(worker_serve(&wc) == VIGIL_OK ? 0 : 3);
}

/* The spawner's loop: one WMSG_SPAWN (with the worker's socket) in, one
 * WMSG_PID out. clone(CLONE_PARENT) makes the worker vigil's child, not the
 * spawner's; in this single-threaded process it is a plain fork otherwise. */
static void spawner_main(struct wpool *p)
{
    struct wmsg m;
    uint32_t pid32;
    long pid;

    prctl(PR_SET_NAME, "vigil-spawner", 0, 0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    while (wproto_recv(p->spawner, &m) == VIGIL_OK && m.type == WMSG_SPAWN) {
        pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, NULL, NULL, 0);
        if (pid == 0) {
            close(p->spawner);
            worker_child(p, m.fd[0]);
        }
        wmsg_free(&m);
        pid32 = pid > 0 ? (uint32_t)pid : 0;
        if (wproto_send(p->spawner, WMSG_PID, &pid32, sizeof pid32, -1) != VIGIL_OK)
            break;
    }
    _exit(0);
}

/* Waits up to ms for a message from a worker (ms < 0: forever). A message
 * already buffered costs no system call at all. */
static vigil_status recv_within(struct wconn *c, int ms, struct wmsg *m)
{
    struct pollfd pf = {.fd = c->sock, .events = POLLIN};
    int n;

    if (ms >= 0 && !wconn_ready(c)) {
        do
            n = poll(&pf, 1, ms);
        while (n < 0 && errno == EINTR);
        if (n == 0)
            return VIGIL_ECHANGED; /* used here for "timed out" */
    }
    return wconn_recv(c, m);
}

/* Logs, once per run, how the workers are confined (shown with --debug). */
static void tell_sandbox(struct wpool *p, const struct wmsg *m)
{
    struct wreader r = {m->buf, m->len};
    uint32_t pid, abi, sc;
    char *why = NULL;
    char line[512];

    if (p->told || wread_u32(&r, &pid) || wread_u32(&r, &abi) || wread_u32(&r, &sc) ||
        wread_text(&r, r.left, &why))
        goto out;
    p->told = true;
    if (abi)
        snprintf(line, sizeof line, "sandbox: scan workers run under seccomp%s and "
                 "Landlock ABI %u (no filesystem access)", sc ? "" : " (not loaded)", abi);
    else
        snprintf(line, sizeof line, "sandbox: scan workers run under seccomp only: %s", why);
    if (p->cfg.log_level >= VIGIL_LOG_DEBUG)
        report_engine_log(p->cfg.report, VIGIL_LOG_DEBUG, line);
out:
    free(why);
}

/* Ends the worker of slot w and says why it is gone in why. */
static void end_worker(struct wslot *w, const char *cause, char *why, size_t len)
{
    int status = 0;

    wconn_close(&w->c);
    if (w->pid <= 0) {
        snprintf(why, len, "%s", cause ? cause : "is gone");
        return;
    }
    /* Always: a worker that closed its socket may still be running. */
    kill(w->pid, SIGKILL);
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (cause)
        snprintf(why, len, "%s", cause);
    else if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
        snprintf(why, len, "was killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else if (WIFEXITED(status))
        snprintf(why, len, "exited with status %d", WEXITSTATUS(status));
    else
        snprintf(why, len, "closed its socket");
    w->pid = 0;
}

/* Asks the spawner for a worker on slot w and waits for its hello. */
static vigil_status spawn(struct wpool *p, struct wslot *w, char *err, size_t errlen)
{
    int sv[2];
    struct wmsg m = {.nfd = 0};
    uint32_t pid = 0;
    char why[64];
    vigil_status st;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
        snprintf(err, errlen, "socketpair: %s", strerror(errno));
        return VIGIL_ENOMEM;
    }
    pthread_mutex_lock(&p->lock);
    st = wproto_send(p->spawner, WMSG_SPAWN, NULL, 0, sv[1]);
    if (st == VIGIL_OK)
        st = wproto_recv(p->spawner, &m);
    if (st == VIGIL_OK && (m.type != WMSG_PID || m.len != 4))
        st = VIGIL_EMALFORMED;
    if (st == VIGIL_OK)
        memcpy(&pid, m.buf, 4);
    wmsg_free(&m);
    pthread_mutex_unlock(&p->lock);
    close(sv[1]);
    if (st != VIGIL_OK || !pid) {
        snprintf(err, errlen, "the worker spawner is gone");
        close(sv[0]);
        return VIGIL_EREAD;
    }
    wconn_init(&w->c, sv[0], 0);
    w->pid = (pid_t)pid;
    st = recv_within(&w->c, WPOOL_HELLO_MS, &m);
    if (st == VIGIL_OK && m.type == WMSG_HELLO) {
        tell_sandbox(p, &m);
        wmsg_free(&m);
        return VIGIL_OK;
    }
    if (st == VIGIL_OK && m.type == WMSG_FAIL)
        snprintf(err, errlen, "%.*s", (int)m.len, (char *)m.buf);
    else
        snprintf(err, errlen, "the worker did not start");
    wmsg_free(&m);
    end_worker(w, "did not start", why, sizeof why);
    return VIGIL_EUNSUPPORTED;
}

/* Copies a verdict into the job: the detections in one block, as jobs.c
 * does for an in-process scan. */
static vigil_status fill_job(struct job *j, const struct wverdict *v)
{
    size_t k, bytes = 0, keep = v->ndet > JOBS_MAX_DETECTIONS ? JOBS_MAX_DETECTIONS : v->ndet;
    char *t;

    j->status = v->status;
    j->limits = v->limits;
    j->notes = v->notes;
    j->bytes_read = v->bytes_read;
    j->size = v->size;
    j->ndet_total = (size_t)v->ndet_total;
    for (k = 0; k < keep; k++)
        bytes += strlen(v->det[k].name) + strlen(v->det[k].layer_path) + 2;
    /* job_free() frees each detection's YARA text on its own. */
    if (!keep)
        return v->status;
    j->det = malloc(keep * sizeof *j->det + bytes);
    if (!j->det)
        return VIGIL_ENOMEM;
    t = (char *)(j->det + keep);
    for (k = 0; k < keep; k++) {
        j->det[k].name = strcpy(t, v->det[k].name);
        t += strlen(t) + 1;
        j->det[k].layer = strcpy(t, v->det[k].layer_path);
        t += strlen(t) + 1;
        j->det[k].depth = v->det[k].depth;
        j->det[k].yara = NULL;
    }
    j->ndet = keep;
    for (k = 0; k < keep; k++)
        if (v->det[k].extra && !(j->det[k].yara = strdup(v->det[k].extra)))
            return VIGIL_ENOMEM;
    return v->status;
}

/* A WMSG_LOG from a worker: shown as the engine's own messages are. */
static vigil_status forward_log(struct wpool *p, const struct wmsg *m)
{
    struct wreader r = {m->buf, m->len};
    uint32_t level;
    char *text = NULL;

    if (wread_u32(&r, &level) || level > VIGIL_LOG_DEBUG || wread_text(&r, r.left, &text))
        return VIGIL_EMALFORMED;
    report_engine_log(p->cfg.report, (enum vigil_log_level)level, text);
    free(text);
    return VIGIL_OK;
}

/* Waits for the verdict of scan id, passing log messages on. Returns
 * VIGIL_OK with the job filled, or why the worker must go in cause. */
static vigil_status await_verdict(struct wpool *p, struct wslot *w, struct job *j,
                                  const struct wsent *e, const char **cause)
{
    /* A batch's verdicts come together, after its last file. */
    int64_t lim = p->scan.limits.max_scantime_ms;
    int ms = lim ? (int)(lim * 2 * e->batch + 1000 < INT_MAX ? lim * 2 * e->batch + 1000
                                                             : INT_MAX)
                 : -1;
    uint64_t seq = e->seq;
    struct wverdict v;
    struct wmsg m;
    vigil_status st;

    for (;;) {
        st = recv_within(&w->c, ms, &m);
        if (st == VIGIL_ECHANGED) {
            *cause = "did not answer within twice the scan-time limit";
            return st;
        }
        if (st == VIGIL_EREAD)
            return st; /* died: the exit status says how */
        if (st == VIGIL_OK && m.type == WMSG_LOG)
            st = forward_log(p, &m);
        else if (st == VIGIL_OK && m.type == WMSG_VERDICT) {
            st = wverdict_decode(m.buf, m.len, &v);
            if (st == VIGIL_OK && v.id != seq)
                st = VIGIL_EMALFORMED;
            if (st == VIGIL_OK) {
                fill_job(j, &v);
                wverdict_free(&v);
                wmsg_free(&m);
                return VIGIL_OK;
            }
        } else if (st == VIGIL_OK) {
            st = VIGIL_EMALFORMED;
        }
        wmsg_free(&m);
        if (st != VIGIL_OK) {
            *cause = st == VIGIL_ENOMEM ? "sent more than vigil could store"
                                        : "sent a malformed message";
            return st;
        }
    }
}

/* Sends n entries to slot w's worker in one WMSG_SCAN, each under a new
 * seq. A failed send means the worker is gone: the wait finds out how, and
 * the entries are sent again to the next worker. */
static void send_batch(struct wslot *w, struct wsent **e, unsigned n)
{
    struct wbuf b = {0};
    int fds[WPROTO_MAX_BATCH];
    bool ok;
    unsigned k;

    wscan_begin(&b, n);
    for (k = 0; k < n; k++) {
        e[k]->seq = ++w->seq;
        wscan_add(&b, e[k]->seq, e[k]->j->path);
        fds[k] = e[k]->j->fd;
    }
    ok = !b.failed && wproto_send_fds(w->c.sock, WMSG_SCAN, b.p, b.len, fds, n) == VIGIL_OK;
    wbuf_free(&b);
    for (k = 0; k < n; k++) {
        e[k]->delivered = ok;
        e[k]->batch = n;
    }
}

/* (Re)sends the entries of slot w from position `from` that are not
 * answered yet, starting a worker when there is none: in batches of up to
 * WPROTO_MAX_BATCH, or one file per message when single (after a worker
 * died in a batch, so that the next death names its file). */
static void deliver(struct wpool *p, struct wslot *w, unsigned from, bool single)
{
    struct wsent *e[WPROTO_MAX_BATCH];
    unsigned k, n = 0;
    bool failed = false;
    char why[256];

    if (w->c.sock < 0 && spawn(p, w, why, sizeof why) != VIGIL_OK) {
        report_error(p->cfg.report, "Can't start a scan worker: %s", why);
        failed = true;
    }
    for (k = from; k < w->n; k++) {
        e[n] = &w->q[(w->head + k) % JOBS_REMOTE_DEPTH];
        e[n]->pending = e[n]->delivered = false;
        e[n]->failed = failed;
        if (!failed && (++n == WPROTO_MAX_BATCH || single || k + 1 == w->n)) {
            send_batch(w, e, n);
            n = 0;
        }
    }
}

void wpool_send(void *ctx, unsigned slot, struct job *j)
{
    struct wpool *p = ctx;
    struct wslot *w = &p->w[slot];
    struct wsent *e = &w->q[(w->head + w->n++) % JOBS_REMOTE_DEPTH];

    memset(e, 0, sizeof *e);
    e->j = j;
    e->pending = true;
}

void wpool_flush(void *ctx, unsigned slot)
{
    struct wpool *p = ctx;
    struct wslot *w = &p->w[slot];
    unsigned k;

    /* Pending entries are the newest: everything before them is sent. */
    for (k = 0; k < w->n && !w->q[(w->head + k) % JOBS_REMOTE_DEPTH].pending; k++)
        ;
    if (k < w->n)
        deliver(p, w, k, false);
}

/* The worker of slot w is gone while e was the oldest entry. With blame, e
 * (a file sent alone) is the cause and every other entry goes to a new
 * worker; without, e too is sent again. Entries sent again go one per
 * message. */
static void lost_worker(struct wpool *p, struct wslot *w, struct wsent *e, const char *cause,
                        bool blame)
{
    pid_t pid = w->pid;
    char why[256], line[512];

    end_worker(w, cause, why, sizeof why);
    if (blame)
        report_warning(p->cfg.report,
                       "Scan worker %d %s while scanning %s; a new one takes over", (int)pid,
                       why, e->j->path);
    else if (e->delivered && p->cfg.log_level >= VIGIL_LOG_DEBUG) {
        snprintf(line, sizeof line, "Scan worker %d %s in a batch of %u files; they are "
                 "scanned again one at a time", (int)pid, why, e->batch);
        report_engine_log(p->cfg.report, VIGIL_LOG_DEBUG, line);
    }
    deliver(p, w, blame ? 1 : 0, true);
}

void wpool_wait(void *ctx, unsigned slot, struct job *j)
{
    struct wpool *p = ctx;
    struct wslot *w = &p->w[slot];
    struct wsent *e = &w->q[w->head];
    const char *cause;
    int tries = 0;

    if (e->pending)
        wpool_flush(ctx, slot);
    for (;;) {
        cause = NULL;
        if (e->failed || (e->delivered && await_verdict(p, w, j, e, &cause) == VIGIL_OK))
            break;
        if (e->delivered && e->batch == 1) {
            lost_worker(p, w, e, cause, true);
            j->status = VIGIL_EWORKER;
            break;
        }
        if (++tries > 3) {
            e->failed = true; /* workers die before they get it: give up */
            continue;
        }
        /* Not delivered, or lost in a batch: it is sent again, alone. */
        lost_worker(p, w, e, cause, false);
    }
    if (e->failed)
        j->status = VIGIL_EWORKER;
    w->head = (w->head + 1) % JOBS_REMOTE_DEPTH;
    w->n--;
}

vigil_status wpool_new(const struct wpool_config *c, struct wpool **out, char *err,
                       size_t errlen)
{
    struct wpool *p = calloc(1, sizeof *p);
    int sv[2] = {-1, -1};
    vigil_status st = VIGIL_ENOMEM;
    unsigned k;

    *out = NULL;
    if (p)
        p->spawner = -1;
    if (!p || !(p->w = calloc(c->workers, sizeof *p->w))) {
        snprintf(err, errlen, "%s", vigil_strerror(st));
        goto out;
    }
    p->cfg = *c;
    p->scan = *c->scan;
    p->parent = getpid();
    pthread_mutex_init(&p->lock, NULL);
    for (k = 0; k < c->workers; k++)
        wconn_init(&p->w[k].c, -1, 0);
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) ||
        (p->spawner_pid = fork()) < 0) {
        snprintf(err, errlen, "can't start the worker spawner: %s", strerror(errno));
        goto out;
    }
    if (p->spawner_pid == 0) {
        close(sv[0]);
        p->spawner = sv[1];
        spawner_main(p);
    }
    close(sv[1]);
    sv[1] = -1;
    p->spawner = sv[0];
    for (k = 0, st = VIGIL_OK; k < c->workers && st == VIGIL_OK; k++)
        st = spawn(p, &p->w[k], err, errlen);
    if (st != VIGIL_OK)
        goto out;
    *out = p;
    p = NULL;
out:
    if (sv[1] >= 0)
        close(sv[1]);
    wpool_free(p);
    return st;
}

void wpool_free(struct wpool *p)
{
    unsigned k;
    int status;

    if (!p)
        return;
    /* Closing a worker's socket is its end of input: it exits by itself. */
    for (k = 0; p->w && k < p->cfg.workers; k++) {
        wconn_close(&p->w[k].c);
        if (p->w[k].pid > 0)
            while (waitpid(p->w[k].pid, &status, 0) < 0 && errno == EINTR)
                ;
    }
    if (p->spawner >= 0)
        close(p->spawner);
    if (p->spawner_pid > 0)
        while (waitpid(p->spawner_pid, &status, 0) < 0 && errno == EINTR)
            ;
    pthread_mutex_destroy(&p->lock);
    free(p->w);
    free(p);
}
