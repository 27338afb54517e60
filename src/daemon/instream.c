/* instream.c - a scan worker follows an INSTREAM while it is received.
 *
 * When a stream starts and a worker is idle with no job waiting, that
 * worker gets the stream's memfd at once (MSG_STREAM) and is told how far
 * it has grown (MSG_GROWN, at most one unanswered, every LIVE_STEP bytes),
 * so it computes the whole-object digests hash signatures may need while
 * the data arrives; the end (MSG_ENDED) starts the scan with them. The rest
 * of the scan (typing, body signatures, containers, logical signatures,
 * YARA) needs the whole object and starts at the end, as for any file.
 *
 * A worker following a stream is busy: when jobs wait and no worker is
 * idle, the parent takes a followed stream back (MSG_DROPPED) and that
 * stream is scanned at its end like any other, so a slow sender never
 * holds a worker others need. The worker acknowledges GROWN and DROPPED
 * (MSG_ACK); it is idle again only once every message was answered.
 */
#include <stdlib.h>
#include <string.h>

#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/msg.h"

/* Bytes of new data worth a GROWN message. */
#define LIVE_STEP (256 * 1024)

static int live_send(struct proc *p, uint32_t type, uint64_t len, int fd)
{
    struct msg_scan m = {.type = type, .flags = p->job ? p->job->flags : 0, .seq = p->seq,
                         .len = len};

    return msg_send(p->sock, &m, sizeof(m), fd);
}

void live_attach(struct client *cl)
{
    struct job *j;
    struct proc *p = NULL;
    unsigned k;

    if (!D.conf.stream_follow || D.queue_head || cl->memfd < 0 || cl->live)
        return;
    for (k = 0; k < PROCS_MAX && !p; k++)
        if (D.procs[k].state == PROC_IDLE && D.procs[k].generation == D.generation)
            p = &D.procs[k];
    if (!p || !(j = calloc(1, sizeof(*j))))
        return;
    if (!(j->name = strdup("stream"))) {
        free(j);
        return;
    }
    j->fd = -1;
    j->live_cl = cl;
    j->live_proc = p;
    p->job = j;
    p->seq = ++D.seq;
    p->state = PROC_BUSY;
    p->started_ms = now_ms();
    p->deadline_ms = 0; /* waiting for the client, which has its own timeout */
    p->sent_len = 0;
    cl->live = j;
    log_msg(LOG_L_DEBUG, "INSTREAM: worker %d follows the stream", (int)p->pid);
    if (live_send(p, MSG_STREAM, 0, cl->memfd) != 0)
        procs_fail(p, "Can't hand the stream to a scan worker");
}

/* Tells the worker how far the stream has grown, if it is worth it. */
static void live_tell(struct proc *p, struct client *cl)
{
    if (p->acks_due || cl->written - p->sent_len < LIVE_STEP)
        return;
    if (live_send(p, MSG_GROWN, cl->written, -1) != 0) {
        procs_fail(p, "Can't tell a scan worker about the stream");
        return;
    }
    p->acks_due++;
    p->sent_len = cl->written;
}

void live_grown(struct client *cl)
{
    if (cl->live)
        live_tell(cl->live->live_proc, cl);
}

bool live_end(struct client *cl, uint32_t id, char term, int memfd, uint64_t held)
{
    struct job *j = cl->live;
    struct proc *p;

    if (!j)
        return false;
    p = j->live_proc;
    cl->live = NULL;
    j->live_cl = NULL;
    if (task_adopt_job(cl, id, term, j, memfd, held) != 0) {
        /* No task: the worker forgets the stream, whose reply is lost as
         * any out-of-memory start of a task loses it. */
        live_drop(p);
        return true;
    }
    p->started_ms = now_ms();
    p->deadline_ms = D.conf.max_scan_time
                         ? p->started_ms + D.conf.max_scan_time + PROC_GRACE_MS : 0;
    p->scans++;
    if (live_send(p, MSG_ENDED, cl->written, -1) != 0)
        procs_fail(p, "Can't hand the stream to a scan worker");
    return true;
}

void live_drop(struct proc *p)
{
    struct job *j = p->job;

    log_msg(LOG_L_DEBUG, "INSTREAM: worker %d drops the stream it follows", (int)p->pid);
    p->job = NULL;
    job_free(j); /* unlinks its client */
    if (live_send(p, MSG_DROPPED, 0, -1) != 0) {
        procs_fail(p, "Can't tell a scan worker to drop the stream");
        return;
    }
    p->acks_due++;
    p->deadline_ms = 0;
}

void live_detach(struct client *cl)
{
    if (cl->live)
        live_drop(cl->live->live_proc);
}

int live_ack(struct proc *p, const struct msg_result *r)
{
    struct job *j = p->job;

    if (p->state != PROC_BUSY || !p->acks_due || r->seq != p->seq)
        return -1;
    p->acks_due--;
    if (!j && !p->acks_due) {
        /* the stream it followed was dropped: free for the next job */
        p->state = PROC_IDLE;
        if (p->generation != D.generation)
            procs_end(p);
        return 0;
    }
    if (j && j->live_cl)
        live_tell(p, j->live_cl);
    return 0;
}

void live_yield(void)
{
    unsigned k, draining = 0;

    for (k = 0; k < PROCS_MAX; k++)
        if (D.procs[k].state == PROC_BUSY && !D.procs[k].job)
            draining++;
    for (k = 0; k < PROCS_MAX && D.queued > draining; k++) {
        struct proc *p = &D.procs[k];

        if (p->state == PROC_BUSY && p->job && p->job->live_cl) {
            live_drop(p);
            draining++;
        }
    }
}
