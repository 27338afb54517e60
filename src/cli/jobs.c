/* jobs.c - worker threads and the ordered ring of jobs (see jobs.h).
 *
 * Positions head <= claim-ish <= tail only grow; slot = position % capacity.
 * head: the oldest job not yet handed to the done callback (main thread).
 * claim: where workers look for the next pending scan; it may fall behind
 * head when the main thread pops notes first, and is pulled forward then.
 * tail: where the main thread pushes.
 */
#include "cli/jobs.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/json.h"

enum { ST_PENDING, ST_RUNNING, ST_DONE };

/* How long the main thread waits for the head before it calls tick. */
#define TICK_NS (100L * 1000 * 1000)

struct worker {
    struct jobs *q;
    vigil_scanner *scanner;
    pthread_t tid;
    bool started;
};

struct jobs {
    struct jobs_config cfg;
    struct vigil_scan_options scan;
    struct job **ring;
    uint64_t head, claim, tail;
    unsigned npending; /* scan jobs pushed and not yet claimed */
    bool urgent;       /* the main thread waits for the head (remote mode) */
    pthread_mutex_t lock;
    pthread_cond_t work_cv; /* a job was pushed, or stop */
    pthread_cond_t done_cv; /* a job finished */
    bool stop;
    struct worker *w;
};

struct job *job_new_note(const char *path, enum note note, int err)
{
    struct job *j = calloc(1, sizeof *j);

    if (!j)
        return NULL;
    j->type = JOB_NOTE;
    j->note = note;
    j->err = err;
    j->fd = -1;
    j->path = strdup(path);
    if (!j->path) {
        free(j);
        return NULL;
    }
    return j;
}

struct job *job_new_scan(const char *path, int fd, const struct stat *st)
{
    struct job *j = calloc(1, sizeof *j);

    if (!j) {
        close(fd);
        return NULL;
    }
    j->type = JOB_SCAN;
    j->fd = fd;
    j->st = *st;
    j->path = strdup(path);
    if (!j->path) {
        job_free(j);
        return NULL;
    }
    return j;
}

void job_free(struct job *j)
{
    if (!j)
        return;
    if (j->fd >= 0)
        close(j->fd);
    for (size_t k = 0; j->det && k < j->ndet; k++)
        free(j->det[k].yara);
    free(j->det);
    free(j->path);
    free(j);
}

char *jobs_yara_json(const vigil_result *res, size_t k)
{
    const struct vigil_yara_match *m = vigil_result_yara(res, k);
    struct strbuf sb;
    char *s;

    if (!m)
        return NULL;
    strbuf_init(&sb, JOBS_MAX_YARA_JSON);
    json_yara(&sb, m);
    s = strdup(strbuf_str(&sb));
    strbuf_free(&sb);
    return s;
}

/* Writes the YARA data of each YARA detection as JSON, here on the worker
 * thread, while the result is still valid. */
static vigil_status copy_yara(struct job *j, const vigil_result *res)
{
    for (size_t k = 0; k < j->ndet; k++)
        if (vigil_result_yara(res, k) && !(j->det[k].yara = jobs_yara_json(res, k)))
            return VIGIL_ENOMEM;
    return VIGIL_OK;
}

/* Copies the detections out of the scanner's result, which the next scan
 * overwrites: one block holds the array and all the strings. */
static vigil_status copy_result(struct job *j, const vigil_result *res)
{
    size_t n = vigil_result_count(res), keep = n, k, bytes = 0;
    const struct vigil_detection *d;
    char *p;

    if (keep > JOBS_MAX_DETECTIONS)
        keep = JOBS_MAX_DETECTIONS;
    for (k = 0; k < keep; k++) {
        d = vigil_result_detection(res, k);
        bytes += strlen(d->name) + 1 + strlen(d->layer_path ? d->layer_path : "") + 1;
    }
    j->bytes_read = vigil_result_bytes_read(res);
    j->size = vigil_result_size(res);
    j->limits = vigil_result_limits(res);
    j->notes = vigil_result_notes(res);
    j->ndet_total = n;
    if (keep == 0)
        return VIGIL_OK;
    j->det = malloc(keep * sizeof *j->det + bytes);
    if (!j->det)
        return VIGIL_ENOMEM;
    p = (char *)(j->det + keep);
    for (k = 0; k < keep; k++) {
        d = vigil_result_detection(res, k);
        j->det[k].name = strcpy(p, d->name);
        p += strlen(p) + 1;
        j->det[k].layer = strcpy(p, d->layer_path ? d->layer_path : "");
        j->det[k].depth = d->depth;
        p += strlen(p) + 1;
        j->det[k].yara = NULL;
        j->det[k].depth = d->depth;
    }
    j->ndet = keep;
    return copy_yara(j, res);
}

static void scan_one(struct worker *w, struct job *j)
{
    const vigil_result *res = NULL;

    j->status = vigil_scan_fd(w->scanner, j->fd, j->path, &w->q->scan, &res);
    if (j->status == VIGIL_OK)
        j->status = copy_result(j, res);
}

/* Returns the oldest pending scan job and marks it running, or NULL.
 * Called with the lock held. */
static struct job *claim_next(struct jobs *q)
{
    struct job *j;

    if (q->claim < q->head)
        q->claim = q->head;
    while (q->claim < q->tail) {
        j = q->ring[q->claim % q->cfg.capacity];
        q->claim++;
        if (j->state == ST_PENDING) {
            j->state = ST_RUNNING;
            q->npending--;
            return j;
        }
    }
    return NULL;
}

/* Whether a remote thread with n jobs of bytes in flight sends more: when
 * fewer than 2, or when half of what it may hold is answered. */
static bool remote_refill(unsigned n, uint64_t bytes)
{
    return n < 2 || (n <= JOBS_REMOTE_DEPTH / 2 && bytes < JOBS_REMOTE_BYTES / 2);
}

/* Sends the jobs one refill takes (lock held; released around the sends). */
static void remote_fill(struct jobs *q, unsigned idx, struct job **flight, unsigned head,
                        unsigned *n, uint64_t *bytes)
{
    const struct jobs_remote *r = q->cfg.remote;
    unsigned sent = 0;
    struct job *j;

    while (*n < JOBS_REMOTE_DEPTH && (*n < 2 || *bytes < JOBS_REMOTE_BYTES) &&
           (j = claim_next(q))) {
        pthread_mutex_unlock(&q->lock);
        r->send(r->ctx, idx, j);
        flight[(head + (*n)++) % JOBS_REMOTE_DEPTH] = j;
        *bytes += (uint64_t)j->st.st_size;
        sent++;
        pthread_mutex_lock(&q->lock);
    }
    if (sent && r->flush) {
        pthread_mutex_unlock(&q->lock);
        r->flush(r->ctx, idx);
        pthread_mutex_lock(&q->lock);
    }
}

/* Waits (lock held) for JOBS_REMOTE_BATCH pending jobs, the main thread's
 * need or stop, for at most JOBS_REMOTE_GATHER_NS once there is one
 * pending job. Returns true when what is pending should go now. */
static bool remote_gather(struct jobs *q, struct timespec *until, bool *timing)
{
    if (!q->npending) {
        *timing = false;
        pthread_cond_wait(&q->work_cv, &q->lock);
        return false;
    }
    if (q->npending >= JOBS_REMOTE_BATCH || q->urgent || q->stop)
        return true;
    if (!*timing) {
        clock_gettime(CLOCK_MONOTONIC, until);
        until->tv_nsec += JOBS_REMOTE_GATHER_NS;
        if (until->tv_nsec >= 1000000000L) {
            until->tv_sec++;
            until->tv_nsec -= 1000000000L;
        }
        *timing = true;
    }
    return pthread_cond_timedwait(&q->work_cv, &q->lock, until) != 0;
}

/* A worker thread of a remote scanner: keeps jobs sent ahead (see
 * jobs_remote), and marks each done as its verdict comes back, in order.
 * The cost of a file is the messages and wake-ups it takes, so an idle
 * thread gathers a batch first: a walk that finds files more slowly than
 * the worker scans them would otherwise send them one by one. */
static void *remote_main(struct worker *w)
{
    const struct jobs_remote *r = w->q->cfg.remote;
    unsigned idx = (unsigned)(w - w->q->w), head = 0, n = 0;
    struct job *flight[JOBS_REMOTE_DEPTH], *j;
    struct jobs *q = w->q;
    struct timespec until;
    bool timing = false;
    uint64_t bytes = 0;

    pthread_mutex_lock(&q->lock);
    for (;;) {
        if (n && remote_refill(n, bytes) &&
            (q->npending >= JOBS_REMOTE_BATCH || q->urgent || q->stop))
            remote_fill(q, idx, flight, head, &n, &bytes);
        if (!n) {
            if (q->stop && !q->npending)
                break;
            if (remote_gather(q, &until, &timing)) {
                timing = false;
                remote_fill(q, idx, flight, head, &n, &bytes);
            }
            continue;
        }
        j = flight[head];
        head = (head + 1) % JOBS_REMOTE_DEPTH;
        n--;
        bytes -= (uint64_t)j->st.st_size;
        pthread_mutex_unlock(&q->lock);
        r->wait(r->ctx, idx, j);
        pthread_mutex_lock(&q->lock);
        j->state = ST_DONE;
        pthread_cond_signal(&q->done_cv);
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct jobs *q = w->q;
    struct job *j;

    if (q->cfg.remote)
        return remote_main(w);

    pthread_mutex_lock(&q->lock);
    for (;;) {
        j = claim_next(q);
        if (!j) {
            if (q->stop)
                break;
            pthread_cond_wait(&q->work_cv, &q->lock);
            continue;
        }
        pthread_mutex_unlock(&q->lock);
        scan_one(w, j);
        pthread_mutex_lock(&q->lock);
        j->state = ST_DONE;
        pthread_cond_signal(&q->done_cv);
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

/* Waits (lock held) until the head job is done, calling tick while it
 * waits, then hands it to the done callback with the lock released. */
static void pop_head(struct jobs *q)
{
    struct job *j = q->ring[q->head % q->cfg.capacity];
    struct timespec until;

    /* Remote threads that gather a batch must not keep the head waiting. */
    if (q->cfg.remote && j->state != ST_DONE) {
        q->urgent = true;
        pthread_cond_broadcast(&q->work_cv);
    }
    while (j->state != ST_DONE) {
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += TICK_NS;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        if (pthread_cond_timedwait(&q->done_cv, &q->lock, &until) && q->cfg.tick &&
            j->state != ST_DONE) {
            pthread_mutex_unlock(&q->lock);
            q->cfg.tick(q->cfg.ctx, j);
            pthread_mutex_lock(&q->lock);
        }
    }
    q->urgent = false;
    q->ring[q->head % q->cfg.capacity] = NULL;
    q->head++;
    pthread_mutex_unlock(&q->lock);
    q->cfg.done(q->cfg.ctx, j);
    job_free(j);
    pthread_mutex_lock(&q->lock);
}

void jobs_push(struct jobs *q, struct job *j)
{
    pthread_mutex_lock(&q->lock);
    while (q->tail - q->head == q->cfg.capacity)
        pop_head(q);
    j->state = j->type == JOB_NOTE ? ST_DONE : ST_PENDING;
    q->ring[q->tail % q->cfg.capacity] = j;
    q->tail++;
    /* Remote threads are woken for a batch, not for every file. */
    if (j->type == JOB_SCAN && (++q->npending >= JOBS_REMOTE_BATCH || !q->cfg.remote))
        pthread_cond_signal(&q->work_cv);
    while (q->head < q->tail && q->ring[q->head % q->cfg.capacity]->state == ST_DONE)
        pop_head(q);
    pthread_mutex_unlock(&q->lock);
}

void jobs_drain(struct jobs *q)
{
    pthread_mutex_lock(&q->lock);
    while (q->head < q->tail)
        pop_head(q);
    pthread_mutex_unlock(&q->lock);
}

static vigil_status start_workers(struct jobs *q)
{
    unsigned k;
    vigil_status st;

    for (k = 0; k < q->cfg.workers; k++) {
        q->w[k].q = q;
        st = q->cfg.remote ? VIGIL_OK : vigil_scanner_new(q->cfg.engine, &q->w[k].scanner);
        if (st != VIGIL_OK)
            return st;
        if (pthread_create(&q->w[k].tid, NULL, worker_main, &q->w[k]))
            return VIGIL_ENOMEM;
        q->w[k].started = true;
    }
    return VIGIL_OK;
}

static void init_sync(struct jobs *q)
{
    pthread_condattr_t ca;

    pthread_mutex_init(&q->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&q->done_cv, &ca);
    /* Timed waits on both (remote_gather) count on the monotonic clock. */
    pthread_cond_init(&q->work_cv, &ca);
    pthread_condattr_destroy(&ca);
}

vigil_status jobs_new(const struct jobs_config *cfg, struct jobs **out)
{
    struct jobs *q = NULL;
    vigil_status st = VIGIL_ENOMEM;

    *out = NULL;
    if (!cfg->workers || !cfg->capacity || !cfg->done)
        return VIGIL_EINVAL;
    q = calloc(1, sizeof *q);
    if (!q)
        goto out;
    q->cfg = *cfg;
    q->scan = *cfg->scan;
    init_sync(q);
    q->ring = calloc(cfg->capacity, sizeof *q->ring);
    q->w = calloc(cfg->workers, sizeof *q->w);
    if (!q->ring || !q->w)
        goto out;
    st = start_workers(q);
    if (st != VIGIL_OK)
        goto out;
    *out = q;
    q = NULL;
out:
    jobs_free(q);
    return st;
}

void jobs_free(struct jobs *q)
{
    unsigned k;

    if (!q)
        return;
    if (q->w)
        jobs_drain(q);
    pthread_mutex_lock(&q->lock);
    q->stop = true;
    pthread_cond_broadcast(&q->work_cv);
    pthread_mutex_unlock(&q->lock);
    for (k = 0; q->w && k < q->cfg.workers; k++) {
        if (q->w[k].started)
            pthread_join(q->w[k].tid, NULL);
        vigil_scanner_free(q->w[k].scanner);
    }
    pthread_cond_destroy(&q->work_cv);
    pthread_cond_destroy(&q->done_cv);
    pthread_mutex_destroy(&q->lock);
    free(q->w);
    free(q->ring);
    free(q);
}
