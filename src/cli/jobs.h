/* jobs.h - scanning files on N worker threads while the report stays in
 * walk order.
 *
 * The main thread walks and pushes jobs into a bounded ring. A job is either
 * a note that needs no scan ("Excluded", "Empty file", ...) or an open file.
 * Workers, each with its own vigil_scanner on the one compiled engine, claim
 * the oldest unclaimed file, scan it and copy the result out. The main thread
 * hands the head of the ring to the done callback as soon as the head is
 * finished, so lines come out in the order the walk found the paths; when
 * the ring is full it waits for the head. Actions on files (move, copy,
 * remove) therefore run on the main thread, in the done callback.
 */
#ifndef VIGIL_CLI_JOBS_H
#define VIGIL_CLI_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "vigil/vigil.h"

/* The most detections kept per file; more are counted, not stored. */
#define JOBS_MAX_DETECTIONS 1024
/* The JSON text of one YARA detection's data is cut at this size. */
#define JOBS_MAX_YARA_JSON (256u * 1024)

/* The YARA data of detection k of res as a JSON object (json_yara), a new
 * string; NULL when it is no YARA detection or memory ran out. Also what a
 * sandboxed worker sends its parent with the verdict. */
char *jobs_yara_json(const vigil_result *res, size_t k);

enum job_type { JOB_NOTE, JOB_SCAN };

/* What a note says about its path. */
enum note {
    NOTE_EXCLUDED,       /* "Excluded" (an --exclude pattern, --cross-fs=no) */
    NOTE_EXCLUDED_PROC,  /* "Excluded (/proc)" */
    NOTE_EMPTY,          /* "Empty file" */
    NOTE_SYMLINK,        /* "Symbolic link" (not followed) */
    NOTE_ACCESS_DENIED,  /* "Access denied" */
    NOTE_CANT_OPEN_DIR,  /* "Can't open directory." */
    NOTE_NOT_SUPPORTED,  /* a FIFO, socket or device named on the command line */
    NOTE_CANT_ACCESS,    /* a command-line path that cannot be stat()ed */
    NOTE_CANT_OPEN_FILE, /* open() failed, or the file stopped being regular */
    NOTE_LOOP            /* a directory already on the current path */
};

struct job_detection {
    const char *name;
    const char *layer;
    char *yara; /* a YARA match's data as a JSON object (json_yara), or NULL */
    uint32_t depth;
};

struct job {
    enum job_type type;
    char *path;     /* display path, owned */
    enum note note; /* JOB_NOTE */
    int err;        /* errno for notes that carry one, 0 otherwise */
    int fd;         /* JOB_SCAN: owned, closed by job_free */
    struct stat st; /* JOB_SCAN: fstat of fd */
    bool is_stdin;
    /* Filled by the worker. */
    vigil_status status;
    struct job_detection *det; /* ndet entries, strings in the same block */
    size_t ndet;
    size_t ndet_total; /* ndet plus any past JOBS_MAX_DETECTIONS */
    uint64_t bytes_read, size;
    unsigned limits;
    unsigned notes; /* VIGIL_NOTE_* */
    int state; /* jobs.c's */
};

/* Creates a note job; takes a copy of path. Returns NULL when out of memory. */
struct job *job_new_note(const char *path, enum note note, int err);

/* Creates a scan job for an open regular file; takes a copy of path and
 * ownership of fd (closed by job_free even on failure). st is its fstat. */
struct job *job_new_scan(const char *path, int fd, const struct stat *st);

/* Frees a job and closes its file. NULL is allowed. */
void job_free(struct job *j);

struct jobs;

/* Called on the main thread for each job, in push order, once it is done.
 * The callee does not free the job. */
typedef void (*jobs_done_fn)(void *ctx, struct job *j);

/* Called on the main thread about ten times a second while it waits for the
 * head job, to draw progress. head is the job waited for. */
typedef void (*jobs_tick_fn)(void *ctx, const struct job *head);

/* Scanning somewhere else (the sandboxed worker processes): send hands j's
 * file to the scanner of worker (the calling thread's index) and returns at
 * once; flush (may be NULL) says that the sends of one round are over, so
 * they can travel together; wait blocks until j's verdict is in j (status,
 * detections, limits, bytes). A thread keeps jobs sent ahead, so its
 * scanner never waits for the next file: at least 2, and up to
 * JOBS_REMOTE_DEPTH while they hold under JOBS_REMOTE_BYTES; it sends again
 * when half are answered, so small files go in batches. wait is called in
 * send order. */
struct jobs_remote {
    void (*send)(void *ctx, unsigned worker, struct job *j);
    void (*flush)(void *ctx, unsigned worker);
    void (*wait)(void *ctx, unsigned worker, struct job *j);
    void *ctx;
};

#define JOBS_REMOTE_DEPTH 16
#define JOBS_REMOTE_BYTES (1024u * 1024)
/* An idle remote thread waits for this many pending jobs, or at most
 * JOBS_REMOTE_GATHER_NS, or the main thread's need for the oldest job. */
#define JOBS_REMOTE_BATCH (JOBS_REMOTE_DEPTH / 2)
#define JOBS_REMOTE_GATHER_NS (1000L * 1000)

struct jobs_config {
    const vigil_engine *engine;            /* compiled */
    const struct vigil_scan_options *scan; /* copied */
    unsigned workers;                      /* >= 1 */
    unsigned capacity;                     /* ring slots, >= 1 */
    jobs_done_fn done;
    jobs_tick_fn tick; /* may be NULL */
    void *ctx;
    /* When set, each worker thread passes its jobs to it instead of
     * scanning in this process. */
    const struct jobs_remote *remote;
};

/* Starts the workers. Returns VIGIL_OK and *out, or the status of the
 * scanner or thread that could not be created. */
vigil_status jobs_new(const struct jobs_config *cfg, struct jobs **out);

/* Queues j (taking ownership) and hands every finished head to the done
 * callback. Blocks while the ring is full. */
void jobs_push(struct jobs *q, struct job *j);

/* Waits for every queued job and hands each to the done callback. */
void jobs_drain(struct jobs *q);

/* Stops and joins the workers and frees the queue; drains it first. */
void jobs_free(struct jobs *q);

#endif
