/* procs.c - the one table of scan worker processes, and the queue of jobs
 * waiting for them.
 *
 * A worker is forked from the parent after the engine is compiled, talks to
 * it over one SOCK_SEQPACKET pair, and holds at most one job. A worker that
 * dies, answers out of turn, sends a malformed message or passes its
 * deadline costs its job an ERROR reply and is replaced; the parent never
 * depends on a worker to make progress.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/msg.h"
#include "daemon/worker.h"

void procs_close_inherited(int keep)
{
    unsigned k;

    for (k = 0; k < PROCS_MAX; k++)
        if (D.procs[k].state != PROC_FREE && D.procs[k].sock != keep)
            close(D.procs[k].sock);
    for (k = 0; k < CLIENTS_MAX; k++)
        if (D.clients[k])
            close(D.clients[k]->fd);
}

static int proc_spawn(struct proc *p)
{
    int sv[2];
    pid_t pid;

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        log_msg(LOG_L_ERROR, "socketpair: %s", strerror(errno));
        return -1;
    }
    if ((pid = fork()) < 0) {
        log_msg(LOG_L_ERROR, "fork: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        close(sv[0]);
        procs_close_inherited(-1);
        worker_main(sv[1], D.engine, &D.scanopt);
    }
    close(sv[1]);
    memset(p, 0, sizeof(*p));
    p->state = PROC_IDLE;
    p->pid = pid;
    p->sock = sv[0];
    p->generation = D.generation;
    log_msg(LOG_L_DEBUG, "worker %d started", (int)pid);
    return 0;
}

void procs_fill(void)
{
    unsigned k, have = 0;

    if (engine_reload_threaded() || D.exiting)
        return;
    for (k = 0; k < PROCS_MAX; k++)
        if (D.procs[k].state != PROC_FREE && D.procs[k].generation == D.generation)
            have++;
    for (k = 0; k < PROCS_MAX && have < D.nprocs_max; k++) {
        if (D.procs[k].state != PROC_FREE)
            continue;
        if (proc_spawn(&D.procs[k]) != 0)
            break;
        have++;
    }
}

void procs_end(struct proc *p)
{
    int status;

    kill(p->pid, SIGKILL);
    while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR) {
    }
    close(p->sock);
    memset(p, 0, sizeof(*p));
}

void procs_fail(struct proc *p, const char *why)
{
    struct job *j = p->job;

    log_msg(LOG_L_WARNING, "scan worker %d: %s", (int)p->pid, why);
    p->job = NULL;
    procs_end(p);
    if (j)
        task_result(j, VERDICT_ERROR, 0, why);
}

void queue_push(struct job *j)
{
    j->next = NULL;
    if (D.queue_tail)
        D.queue_tail->next = j;
    else
        D.queue_head = j;
    D.queue_tail = j;
    D.queued++;
}

static struct job *queue_pop(void)
{
    struct job *j = D.queue_head;

    if (j) {
        D.queue_head = j->next;
        if (!D.queue_head)
            D.queue_tail = NULL;
        D.queued--;
    }
    return j;
}

static void proc_give(struct proc *p, struct job *j)
{
    struct msg_scan m = {.type = MSG_SCAN, .flags = j->flags, .seq = ++D.seq};

    p->job = j;
    p->seq = m.seq;
    p->state = PROC_BUSY;
    p->started_ms = now_ms();
    p->deadline_ms = D.conf.max_scan_time
                         ? p->started_ms + D.conf.max_scan_time + PROC_GRACE_MS : 0;
    if (msg_send(p->sock, &m, sizeof(m), j->fd) != 0)
        procs_fail(p, "Can't hand the file to a scan worker");
    else
        p->scans++;
}

void procs_dispatch(void)
{
    unsigned k;

    for (k = 0; k < PROCS_MAX && D.queue_head; k++) {
        struct proc *p = &D.procs[k];

        if (p->state == PROC_IDLE && p->generation == D.generation)
            proc_give(p, queue_pop());
    }
    if (D.queue_head)
        live_yield();
}

void procs_event(struct proc *p)
{
    struct msg_result *r = NULL;
    struct job *j;
    long n;
    int fd;

    if (!(r = malloc(sizeof(*r)))) {
        procs_fail(p, "Out of memory");
        return;
    }
    n = msg_recv(p->sock, r, sizeof(*r), &fd);
    if (fd >= 0)
        close(fd);
    if (n > 0 && fd < 0 && msg_result_check(r, n) == 0 && r->type == MSG_ACK) {
        if (live_ack(p, r) != 0)
            procs_fail(p, "Internal error (malformed worker message)");
        goto out;
    }
    if (n <= 0 || fd >= 0 || msg_result_check(r, n) != 0 || p->state != PROC_BUSY ||
        r->seq != p->seq || p->acks_due || !p->job) {
        procs_fail(p, n <= 0 ? "Internal error (scan worker died)"
                            : "Internal error (malformed worker message)");
        goto out;
    }
    j = p->job;
    p->job = NULL;
    p->state = PROC_IDLE;
    p->deadline_ms = 0;
    if (p->generation != D.generation)
        procs_end(p); /* finished its last scan on an old engine */
    task_result(j, r->verdict, r->count, r->text);
out:
    free(r);
}

int procs_timeouts(void)
{
    int64_t now = now_ms(), next = -1, left;
    unsigned k;

    for (k = 0; k < PROCS_MAX; k++) {
        struct proc *p = &D.procs[k];

        if (p->state != PROC_BUSY || !p->deadline_ms)
            continue;
        left = p->deadline_ms - now;
        if (left <= 0)
            procs_fail(p, "Time limit reached");
        else if (next < 0 || left < next)
            next = left;
    }
    return next < 0 ? -1 : (int)next;
}

void procs_cold(void)
{
    struct msg_scan m = {.type = MSG_COLD};
    unsigned k;

    for (k = 0; k < PROCS_MAX; k++)
        if (D.procs[k].state == PROC_IDLE && msg_send(D.procs[k].sock, &m, sizeof(m), -1) != 0)
            procs_end(&D.procs[k]); /* gone or stuck: replaced after the reload */
}

void procs_retire_old(void)
{
    unsigned k;

    for (k = 0; k < PROCS_MAX; k++)
        if (D.procs[k].state == PROC_IDLE && D.procs[k].generation != D.generation)
            procs_end(&D.procs[k]);
}

void procs_forget_task(struct task *t)
{
    struct job **pp = &D.queue_head, *j;
    unsigned k;

    D.queue_tail = NULL;
    while ((j = *pp)) {
        if (j->task == t) {
            *pp = j->next;
            D.queued--;
            job_free(j);
            continue;
        }
        D.queue_tail = j;
        pp = &j->next;
    }
    /* A running scan of a gone client finishes, and its answer is dropped. */
    for (k = 0; k < PROCS_MAX; k++)
        if (D.procs[k].job && D.procs[k].job->task == t)
            D.procs[k].job->task = NULL;
}

void procs_stop_all(void)
{
    unsigned k;

    for (k = 0; k < PROCS_MAX; k++)
        if (D.procs[k].state != PROC_FREE) {
            struct job *j = D.procs[k].job;

            D.procs[k].job = NULL;
            procs_end(&D.procs[k]);
            job_free(j);
        }
}

void procs_stats(struct client *cl)
{
    char line[NAME_MAX_LEN + 64];
    int64_t now = now_ms();
    unsigned k;

    for (k = 0; k < PROCS_MAX; k++) {
        struct proc *p = &D.procs[k];

        if (p->state == PROC_FREE)
            continue;
        if (p->state == PROC_BUSY && p->job)
            snprintf(line, sizeof(line), "\tSCAN %.6f %s\n",
                     (double)(now - p->started_ms) / 1000.0, p->job->name);
        else
            snprintf(line, sizeof(line), "\tIDLE %.6f \n", 0.0);
        client_write(cl, line, strlen(line));
    }
}
