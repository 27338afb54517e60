/* daemon.h - the parent's state shared between its files: clients, their
 * tasks (one per scanning command), the jobs tasks hand to workers, and the
 * one table of worker processes.
 *
 *   client --1:n--> task --1:n--> job --queued--> proc (a worker)
 *
 * Everything here lives in the single-threaded parent; only the reload
 * thread (engine.c) runs beside it, and it touches none of this.
 */
#ifndef VIGIL_DAEMON_DAEMON_H
#define VIGIL_DAEMON_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon/conf.h"
#include "daemon/msg.h"
#include "daemon/proto.h"
#include "vigil/vigil.h"

/* Hard maxima of the parent. */
#define CLIENTS_MAX 1024
#define PROCS_MAX 256
#define OUT_MAX (1024 * 1024) /* unread replies a client may leave queued */
#define IN_MAX (PROTO_CMD_MAX + 1)
#define NAME_MAX_LEN 4200 /* a reply's file name: a path and some */
#define CLIENT_TASKS_MAX 64 /* scans one session may have in flight */

struct client;
struct task;

/* One descriptor to scan, waiting for or held by a worker. */
struct job {
    struct task *task;
    int fd;
    unsigned flags; /* MSG_SCAN_* */
    char *name;     /* as the reply names it: a path, "stream", "fd[N]" */
    uint64_t held;  /* INSTREAM bytes counted against StreamMaxTotal */
    struct job *next;
    /* A stream a worker follows while it is received (instream.c): */
    struct client *live_cl;  /* its client, until the stream ends */
    struct proc *live_proc;  /* the worker */
};

/* The walk of a directory tree for SCAN/CONTSCAN/MULTISCAN (walk.c). */
struct walk;

/* One scanning command of a client. Replies go out as results arrive. */
struct task {
    struct client *cl;
    uint32_t id;       /* IDSESSION request number, 0 outside a session */
    char term;
    enum proto_cmd cmd;
    unsigned flags;    /* MSG_SCAN_* */
    char *top;         /* SCAN family: the path as the reply names it */
    struct walk *walk; /* SCAN family: what is left to visit */
    unsigned total, errors, infected, inflight;
    bool stop;         /* SCAN: stop at the first detection */
    struct task *next; /* in the client's list */
};

enum client_mode {
    CM_COMMAND,   /* reading commands */
    CM_STREAM,    /* reading INSTREAM chunks */
    CM_STREAMWAIT, /* INSTREAM read, waiting under StreamMaxTotal: not read */
    CM_WAITFD,    /* FILDES read, waiting for the descriptor */
    CM_WAITREPLY, /* no more commands: answer, then close */
};

struct client {
    int fd;
    enum client_mode mode;
    bool session;
    bool end_seen;  /* END or an error in a session: close when idle */
    bool dead;      /* peer gone or write failed: discard output */
    uint32_t id;    /* number of the next command (clamd counts from 0) */
    char term;      /* terminator of the current command */
    uint32_t wait_id; /* CM_WAITFD: the FILDES request's number */
    int recvfd;     /* a descriptor that arrived with data (FILDES) */
    char in[IN_MAX + 1];
    size_t inlen;
    /* INSTREAM: data goes into a memfd as it arrives, never to a file */
    int memfd;
    uint64_t quota;
    uint64_t held; /* bytes of this stream counted in D.stream_bytes */
    uint32_t chunk_left;
    unsigned char hdr[4];
    unsigned hdrlen;
    uint32_t stream_id;
    uint64_t written;  /* bytes of this stream so far */
    struct job *live;  /* the worker following it, if any (instream.c) */
    /* replies not yet written */
    char *out;
    size_t outlen, outcap;
    int64_t send_since_ms; /* last progress while replies wait to be sent */
    struct task *tasks;
    unsigned ntasks;
    int64_t deadline_ms; /* read timeout, 0 = none */
};

/* ---- the worker table (procs.c) ---------------------------------------- */

enum proc_state { PROC_FREE = 0, PROC_IDLE, PROC_BUSY };

struct proc {
    enum proc_state state;
    pid_t pid;
    int sock;            /* parent's end of the SOCK_SEQPACKET pair */
    unsigned generation; /* engine it was forked with */
    struct job *job;     /* the scan it runs, when BUSY */
    uint64_t seq;
    int64_t started_ms;
    int64_t deadline_ms; /* kill after this; 0 = no limit */
    unsigned scans;
    unsigned acks_due;   /* MSG_GROWN/MSG_DROPPED not yet acknowledged */
    uint64_t sent_len;   /* the last length a followed stream was told */
};

/* ---- the daemon -------------------------------------------------------- */

struct daemon {
    struct conf conf;
    vigil_engine *engine;
    unsigned generation;
    struct vigil_scan_options scanopt;
    struct proc procs[PROCS_MAX];
    unsigned nprocs_max;
    struct job *queue_head, *queue_tail;
    unsigned queued;
    struct client *clients[CLIENTS_MAX];
    bool exiting;
    bool reload_wanted;
    bool reloading;
    uint64_t seq;
    int64_t started_ms;
    uint64_t db_stamp;         /* engine_db_stamp() of the loaded database */
    int64_t next_selfcheck_ms; /* 0 = SelfCheck off */
    int64_t accept_paused_until_ms; /* out of descriptors: accept later */
    uint64_t stream_bytes;          /* INSTREAM data held (streams.c) */
};

extern struct daemon D;

/* Milliseconds on the monotonic clock. */
int64_t now_ms(void);

/* ---- procs.c ----------------------------------------------------------- */

/* In a child of the parent (worker, compile helper): closes the parent's
 * worker sockets (but keep) and client connections. */
void procs_close_inherited(int keep);
/* Forks workers until the table holds nprocs_max of the current
 * generation (not while a reload thread runs). */
void procs_fill(void);
/* Gives queued jobs to idle workers. */
void procs_dispatch(void);
/* Handles a readable (or hung-up) worker socket. */
void procs_event(struct proc *p);
/* Kills workers past their deadline; returns ms to the next deadline or -1. */
int procs_timeouts(void);
/* A reload is under way: idle workers give back their resident copy of the
 * engine image (what they scan next faults back in). */
void procs_cold(void);
/* After a reload: idle workers of an old engine exit now, busy ones when done. */
void procs_retire_old(void);
/* Drops a task's queued jobs and detaches it from running ones. */
void procs_forget_task(struct task *t);
/* Stops every worker (exit). */
void procs_stop_all(void);
/* Ends a worker that failed its job: the job's client gets why. */
void procs_fail(struct proc *p, const char *why);
/* Ends a worker: kills it, reaps it, frees its slot. */
void procs_end(struct proc *p);
/* Appends a job to the queue. Takes ownership of j. */
void queue_push(struct job *j);
/* Writes STATS' thread lines into cl's output. */
void procs_stats(struct client *cl);

/* ---- client.c ---------------------------------------------------------- */

void client_accept(int lfd);
void client_event(struct client *cl, short revents);
/* Appends "<id>: " (in a session) text term to cl's output. */
void client_reply(struct client *cl, uint32_t id, char term, const char *text);
/* Appends len raw bytes to cl's output (dropped past OUT_MAX). */
void client_write(struct client *cl, const char *text, size_t len);
/* Goes on with commands held back while the client had CLIENT_TASKS_MAX
 * scans in flight. */
void client_resume(struct client *cl);
/* Closes cl when it has nothing left to do. Returns true if it was freed. */
bool client_maybe_close(struct client *cl);
void client_free(struct client *cl);
/* ms until the earliest client timeout, or -1; closes timed-out clients. */
int clients_timeouts(void);

/* ---- streams.c --------------------------------------------------------- */

/* Whether a new INSTREAM may start: the streams held are under
 * StreamMaxTotal. */
bool streams_may_start(void);
/* Counts n more bytes of stream data; false (nothing counted) when they do
 * not fit under StreamMaxTotal. */
bool streams_take(uint64_t n);
/* Uncounts n bytes taken before. */
void streams_release(uint64_t n);
/* Closes j's descriptor, releases the stream bytes it holds and frees it.
 * NULL is allowed. */
void job_free(struct job *j);

/* ---- task.c ------------------------------------------------------------ */

/* Starts a scanning command; for SCAN family arg is the path. */
void task_start_path(struct client *cl, enum proto_cmd cmd, uint32_t id, char term,
                     const char *arg);
/* Starts the scan of one descriptor (INSTREAM memfd or FILDES fd); name is
 * "stream" or "fd[N]". Takes ownership of fd and of held, the stream bytes
 * it holds (released when its scan is over, or at once on a failure). */
void task_start_fd(struct client *cl, enum proto_cmd cmd, uint32_t id, char term,
                   int fd, const char *name, uint64_t held);
/* A worker's answer for job j (verdict, text); frees j. */
void task_result(struct job *j, unsigned verdict, unsigned count, const char *text);
/* Frees a task that is done. */
void task_free(struct task *t);

/* The INSTREAM task of a stream a worker followed: j, held by a worker,
 * becomes its one job, with fd (the memfd) and held, the stream bytes it
 * holds. Returns 0, or -1 (no task; fd and held released, j untouched). */
int task_adopt_job(struct client *cl, uint32_t id, char term, struct job *j, int fd,
                   uint64_t held);

/* ---- instream.c -------------------------------------------------------- */

/* A worker gets this much beyond MaxScanTime before it is killed: the
 * library stops itself at MaxScanTime, so only a hung worker needs it. */
#define PROC_GRACE_MS 1000

/* A stream's memfd was created: an idle worker follows it, if no job waits. */
void live_attach(struct client *cl);
/* Bytes were added to the stream (cl->written). */
void live_grown(struct client *cl);
/* The stream ended: if a worker follows it, its task starts on that worker
 * and true is returned (fd and held taken); else false. */
bool live_end(struct client *cl, uint32_t id, char term, int memfd, uint64_t held);
/* The stream is abandoned (limit, error, client gone). */
void live_detach(struct client *cl);
/* The worker p forgets the stream it follows; it is idle once it says so. */
void live_drop(struct proc *p);
/* A worker's MSG_ACK. Returns 0, or -1 if out of turn. */
int live_ack(struct proc *p, const struct msg_result *r);
/* Jobs wait and no worker is idle: takes followed streams back. */
void live_yield(void);

/* ---- engine.c ---------------------------------------------------------- */

/* Builds an engine from DatabaseDirectory. Returns 0, or -1 with the reason
 * in err. */
int engine_build(const struct conf *c, vigil_engine **out, char *err, size_t errsz);
/* Starts a reload: the compile helper process (with an image cache), then
 * the thread that maps its image; each stage's end is signalled on
 * engine_reload_fd(). */
void engine_reload_start(void);
int engine_reload_fd(void);
/* Handles the end of a reload stage: starts the next one, or swaps the new
 * engine in, or logs why not. */
void engine_reload_finish(void);
/* Whether a reload thread runs now (the parent must not fork then). */
bool engine_reload_threaded(void);
/* At exit: ends a reload under way (kills the helper, joins the thread). */
void engine_reload_stop(void);
/* A summary of the database directory's entries (names, sizes, times). */
uint64_t engine_db_stamp(const struct conf *c);
/* SelfCheck: asks for a reload when the database directory changed. */
void engine_selfcheck(void);
/* Fills D.scanopt from the configuration. */
void engine_scan_options(const struct conf *c, struct vigil_scan_options *o);

#endif
