/* task.c - one scanning command of a client: SCAN, CONTSCAN, MULTISCAN,
 * ALLMATCHSCAN over a path, INSTREAM and FILDES over one descriptor.
 *
 * Replies follow clamd 1.4 (clamd/scanner.c scan_callback, scanfd;
 * session.c command): "<name>: <Virus> FOUND" per detection, errors as
 * "<name>: <reason> ERROR", and for a path "<path>: OK" at the end when
 * nothing was found and not everything failed. SCAN and ALLMATCHSCAN stop at
 * the first infected file, CONTSCAN goes on, MULTISCAN scans a directory's
 * files in parallel (a file given to MULTISCAN is a CONTSCAN).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/msg.h"
#include "daemon/walk.h"

static void reply_name(struct task *t, const char *name, const char *what)
{
    char *line = NULL;

    if (asprintf(&line, "%s: %s", name, what) < 0)
        return;
    client_reply(t->cl, t->id, t->term, line);
    free(line);
}

/* VirusEvent: run detached (double fork), so the parent never waits for it
 * and never reaps a child that is not one of its workers. */
static void virus_event(const char *name, const char *virus)
{
    pid_t pid;
    int st;

    if (!D.conf.virus_event || (pid = fork()) < 0)
        return;
    if (pid == 0) {
        if (fork() == 0) {
            setenv("CLAM_VIRUSEVENT_FILENAME", name, 1);
            setenv("CLAM_VIRUSEVENT_VIRUSNAME", virus, 1);
            execl("/bin/sh", "sh", "-c", D.conf.virus_event, (char *)NULL);
        }
        _exit(0);
    }
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
}

void task_free(struct task *t)
{
    walk_free(t->walk);
    free(t->top);
    free(t);
}

static struct task *task_new(struct client *cl, enum proto_cmd cmd, uint32_t id, char term)
{
    struct task *t = calloc(1, sizeof(*t));

    if (!t)
        return NULL;
    t->cl = cl;
    t->cmd = cmd;
    t->id = id;
    t->term = term;
    t->stop = cmd == CMD_SCAN || cmd == CMD_ALLMATCHSCAN;
    if (cmd == CMD_ALLMATCHSCAN)
        t->flags |= MSG_SCAN_ALLMATCH;
    t->next = cl->tasks;
    cl->tasks = t;
    cl->ntasks++;
    return t;
}

/* Says "OK" for a clean path, unlinks t from its client and frees it. */
static void task_done(struct task *t)
{
    struct client *cl = t->cl;
    struct task **pp;

    if (t->top && !t->infected && (t->errors == 0 || t->errors < t->total))
        reply_name(t, t->top, "OK");
    for (pp = &cl->tasks; *pp; pp = &(*pp)->next)
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    cl->ntasks--;
    task_free(t);
    /* The client is closed, if it is done, by the main loop's sweep: it
     * may be in the middle of reading its commands right now. */
}

/* Queues the scan of fd; takes fd and held (stream bytes, see streams.c). */
static int job_add(struct task *t, int fd, const char *name, uint64_t held)
{
    struct job *j = calloc(1, sizeof(*j));

    if (!j || !(j->name = strdup(name))) {
        free(j);
        streams_release(held);
        close(fd);
        return -1;
    }
    j->held = held;
    j->task = t;
    j->fd = fd;
    j->flags = t->flags;
    t->inflight++;
    t->total++;
    queue_push(j);
    return 0;
}

/* Feeds the walk's files to the queue: one at a time, or for MULTISCAN as
 * many as there are workers. Ends the task when nothing is left. */
static void task_pump(struct task *t)
{
    unsigned limit = t->cmd == CMD_MULTISCAN ? D.nprocs_max : 1;
    const char *path, *err;
    enum walk_item it;
    int fd;

    while (t->walk && !(t->stop && t->infected) && t->inflight < limit) {
        it = walk_next(t->walk, &path, &fd, &err);
        if (it == WALK_END) {
            walk_free(t->walk);
            t->walk = NULL;
        } else if (it == WALK_EMPTY) {
            t->total++;
        } else if (it == WALK_EXCLUDED) {
            if (t->cmd != CMD_MULTISCAN)
                reply_name(t, path, err);
        } else if (it == WALK_ERROR) {
            t->total++;
            t->errors++;
            reply_name(t, path, err);
        } else if (job_add(t, fd, path, 0) != 0) {
            t->errors++;
        }
    }
    if (t->inflight == 0)
        task_done(t);
}

/* The path as clamd's cli_ftw() names the top of a walk: repeated leading
 * slashes and trailing slashes dropped. */
static char *trim_path(const char *arg)
{
    char *p, *end;

    while (arg[0] == '/' && arg[1] == '/')
        arg++;
    if (!(p = strdup(arg)))
        return NULL;
    end = p + strlen(p);
    while (end > p + 1 && end[-1] == '/')
        *--end = '\0';
    return p;
}

/* A top-level symbolic link is followed only as the configuration says;
 * not followed, it is skipped and the path is "OK", as with clamd. */
static bool top_link_skipped(const char *path, struct stat *st)
{
    if (!S_ISLNK(st->st_mode))
        return false;
    if (stat(path, st) != 0)
        return true;
    if (S_ISDIR(st->st_mode))
        return !D.conf.follow_dir_symlinks;
    return !(S_ISREG(st->st_mode) && D.conf.follow_file_symlinks);
}

static void reply_errno(struct task *t, const char *path)
{
    char msg[300];

    snprintf(msg, sizeof(msg), "File path check failure: %s. ERROR", strerror(errno));
    reply_name(t, path, msg);
    t->total = t->errors = 1;
}

/* The first checks of a SCAN-family path, as clamd 1.4's: replies name
 * the path as the client wrote it (trimmed; no symbolic link or ".."
 * resolved), and the files under it as that path, "/", their names. A
 * special file is reported and then, as clamd does, "OK". Returns 0 when
 * the task should go on. */
static int task_top(struct task *t, const char *arg)
{
    const char *top;
    struct stat st;
    int fd, rc = -1;

    if (!(t->top = trim_path(arg)))
        return -1;
    if (walk_excluded(&D.conf, t->top)) {
        if (t->cmd != CMD_MULTISCAN)
            reply_name(t, t->top, "Excluded");
        t->infected = 1; /* nothing more to say: no OK line */
        return -1;
    }
    if (lstat(t->top, &st) != 0) {
        reply_errno(t, t->top);
        return -1;
    }
    t->total = 1;
    if (top_link_skipped(t->top, &st))
        return -1;
    top = t->top;
    if (S_ISDIR(st.st_mode)) {
        t->walk = walk_new(&D.conf, top);
        rc = 0;
    } else if (!S_ISREG(st.st_mode)) {
        reply_name(t, t->top, "Not supported file type ERROR");
    } else if (st.st_size > 0) {
        if (t->cmd == CMD_MULTISCAN)
            t->cmd = CMD_CONTSCAN;
        t->total = 0;
        if ((fd = open(top, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
            reply_name(t, top, errno == EACCES ? "Access denied. ERROR" : "Can't open file ERROR");
            t->total = t->errors = 1;
        } else {
            rc = job_add(t, fd, top, 0);
        }
    }
    return rc;
}

void task_start_path(struct client *cl, enum proto_cmd cmd, uint32_t id, char term,
                     const char *arg)
{
    struct task *t;
    char msg[160];

    if (!(t = task_new(cl, cmd, id, term)))
        return;
    if (cmd == CMD_ALLMATCHSCAN && !D.conf.allow_all_match_scan) {
        snprintf(msg, sizeof(msg), "ALLMATCHSCAN command disabled by clamd configuration. ERROR");
        reply_name(t, arg, msg);
        t->infected = 1;
        task_done(t);
        return;
    }
    if (task_top(t, arg) != 0 && t->inflight == 0) {
        task_done(t);
        return;
    }
    task_pump(t);
}

void task_start_fd(struct client *cl, enum proto_cmd cmd, uint32_t id, char term,
                   int fd, const char *name, uint64_t held)
{
    struct task *t;
    struct stat st;

    if (!(t = task_new(cl, cmd, id, term))) {
        streams_release(held);
        close(fd);
        return;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        reply_name(t, name, "Not a regular file ERROR");
        streams_release(held);
        close(fd);
        task_done(t);
        return;
    }
    if (job_add(t, fd, name, held) != 0)
        task_done(t);
}

int task_adopt_job(struct client *cl, uint32_t id, char term, struct job *j, int fd,
                   uint64_t held)
{
    struct task *t = task_new(cl, CMD_INSTREAM, id, term);

    if (!t) {
        streams_release(held);
        close(fd);
        return -1;
    }
    j->task = t;
    j->fd = fd;
    j->held = held;
    j->flags = t->flags;
    t->inflight++;
    t->total++;
    return 0;
}

static void report_found(struct task *t, const char *name, unsigned count, const char *text)
{
    const char *p = text, *nl;
    char line[MSG_TEXT_MAX + 16];
    unsigned k;
    int n;

    for (k = 0; k < count && *p; k++) {
        nl = strchr(p, '\n');
        n = nl ? (int)(nl - p) : (int)strlen(p);
        snprintf(line, sizeof(line), "%.*s FOUND", n, p);
        reply_name(t, name, line);
        log_msg(LOG_L_INFO, "%s: %s", name, line);
        snprintf(line, sizeof(line), "%.*s", n, p);
        virus_event(name, line);
        p = nl ? nl + 1 : p + strlen(p);
        if (!(t->flags & MSG_SCAN_ALLMATCH))
            break;
    }
    t->infected++;
}

void task_result(struct job *j, unsigned verdict, unsigned count, const char *text)
{
    struct task *t = j->task;
    char msg[MSG_TEXT_MAX + 16];

    if (!t)
        goto out;
    t->inflight--;
    if (verdict == VERDICT_FOUND) {
        report_found(t, j->name, count, text);
    } else if (verdict == VERDICT_ERROR) {
        t->errors++;
        snprintf(msg, sizeof(msg), "%s ERROR", text);
        reply_name(t, j->name, msg);
        log_msg(LOG_L_INFO, "%s: %s ERROR", j->name, text);
    } else {
        if (!t->top)
            reply_name(t, j->name, "OK");
        if (D.conf.log_clean)
            log_msg(LOG_L_INFO, "%s: OK", j->name);
    }
    if (t->top)
        task_pump(t);
    else
        task_done(t);
out:
    job_free(j);
}
