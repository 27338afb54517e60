/* engine.c - loading the signatures and reloading them beside the running
 * engine.
 *
 * A reload with an image cache (the usual case) runs in two stages so
 * that the parent never holds a parse heap: a compile helper process,
 * forked from the parent, parses and compiles the database and writes its
 * engine image (or finds it written already by `vigil db compile`), then
 * exits; a thread of the parent then maps that image. Without a cache the
 * thread parses and compiles in the parent. Meanwhile the parent keeps
 * answering and its workers keep scanning with the old engine; workers
 * forked from the old engine finish their scans on it and are replaced.
 * The parent does not scan, so its own copy of the old image's pages is
 * given back when the reload starts (the workers keep what they use), and
 * the old and new images are not both resident in it. The parent forks no
 * worker while the thread runs, so no fork ever copies a process with a
 * second thread in it. A database that fails to load leaves the old
 * engine serving.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/log.h"

#define ERR_MAX 1024

enum rl_stage {
    RL_NONE,
    RL_HELPER, /* the compile helper process runs */
    RL_THREAD  /* the thread maps (or parses) the new engine */
};

static struct {
    enum rl_stage stage;
    pthread_t thread;
    int pipe[2];          /* the thread's end */
    pid_t helper;
    int hfd;              /* the helper's report; end of file at its exit */
    char hmsg[ERR_MAX + 2];
    size_t hlen;
    vigil_engine *engine; /* the thread's result */
    char err[ERR_MAX];
    int rc;
    uint64_t stamp; /* the database directory when the reload started */
} rl = {.pipe = {-1, -1}, .hfd = -1};

static const char *db_dir(const struct conf *c)
{
    return c->database_directory ? c->database_directory : "/var/lib/clamav";
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;

    while (n--)
        h = (h ^ *b++) * 1099511628211ull;
    return h;
}

uint64_t engine_db_stamp(const struct conf *c)
{
    char path[4096 + 256];
    uint64_t sum = 0, h;
    struct dirent *de;
    struct stat st;
    DIR *d;

    /* An order-independent sum over (name, size, mtime) of every entry, as
     * clamd's SelfCheck compares the directory's stat data. */
    if (!(d = opendir(db_dir(c))))
        return 0;
    while ((de = readdir(d))) {
        snprintf(path, sizeof(path), "%s/%s", db_dir(c), de->d_name);
        if (de->d_name[0] == '.' || stat(path, &st) != 0)
            continue;
        h = fnv(14695981039346656037ull, de->d_name, strlen(de->d_name));
        h = fnv(h, &st.st_size, sizeof(st.st_size));
        h = fnv(h, &st.st_mtim, sizeof(st.st_mtim));
        sum += h;
    }
    closedir(d);
    return sum;
}

static void engine_log(void *ctx, enum vigil_log_level level, const char *msg)
{
    (void)ctx;
    log_msg(level == VIGIL_LOG_ERROR ? LOG_L_ERROR
            : level == VIGIL_LOG_WARNING ? LOG_L_WARNING : LOG_L_DEBUG, "%s", msg);
}

/* Where the engine image is kept: $VIGIL_CACHE_DIR, else /var/cache/vigil
 * for root (created if missing), else none. */
static const char *cache_dir(void)
{
    const char *dir = getenv("VIGIL_CACHE_DIR");

    if (dir && *dir)
        return dir;
    if (geteuid() != 0 || (mkdir("/var/cache/vigil", 0755) != 0 && errno != EEXIST))
        return NULL;
    return "/var/cache/vigil";
}

/* Loads and compiles one engine; with a cache directory, through the
 * engine image (a map when the image is current). image_only: the compile
 * helper's, which only writes the image (vigil_engine_set_image_only: the
 * hash signatures and names go through files, not its heap). */
static int engine_build1(const struct conf *c, vigil_engine **out, char *err,
                         size_t errsz, int image_only)
{
    const char *dir = db_dir(c), *cache = cache_dir();
    vigil_engine *e = NULL;
    vigil_status st;
    const char *why;

    *out = NULL;
    if ((st = vigil_engine_new(&e)) != VIGIL_OK) {
        snprintf(err, errsz, "%s", vigil_strerror(st));
        return -1;
    }
    /* Only the reload thread and start-up call this; the log is write(2)
     * of whole lines, safe from either. */
    vigil_engine_set_log(e, engine_log, NULL, VIGIL_LOG_WARNING);
    if (cache)
        vigil_engine_set_cache_dir(e, cache); /* a bad one only means no image */
    if (cache && image_only)
        vigil_engine_set_image_only(e, 1);
    st = vigil_engine_load(e, dir, VIGIL_LOAD_SKIP_UNSUPPORTED);
    if (st == VIGIL_OK)
        st = vigil_engine_compile(e);
    if (st != VIGIL_OK) {
        why = vigil_engine_error(e);
        snprintf(err, errsz, "%s: %s", dir, why && *why ? why : vigil_strerror(st));
        vigil_engine_free(e);
        return -1;
    }
    *out = e;
    return 0;
}

int engine_build(const struct conf *c, vigil_engine **out, char *err, size_t errsz)
{
    vigil_engine *e = NULL, *mapped = NULL;

    /* Image only (with a cache): a parse only writes the image, its hash
     * signatures through files rather than this process's heap. */
    if (engine_build1(c, &e, err, errsz, 1) != 0)
        return -1;
    /* A parse that wrote the image: serve from the image instead, so that
     * the parent and every worker share the file's clean pages rather
     * than each holding the parsed heap. An image-only engine cannot scan:
     * if the image cannot be mapped, the second load parses in memory. */
    if (vigil_engine_image_state(e) == VIGIL_IMAGE_WRITTEN) {
        if (engine_build1(c, &mapped, err, errsz, 0) != 0) {
            vigil_engine_free(e);
            return -1;
        }
        vigil_engine_free(e);
        e = mapped;
    }
    err[0] = '\0';
    *out = e;
    /* Loading leaves the heap full of freed parse buffers; give them back
     * before workers are forked from this process and its pages counted. */
    malloc_trim(0);
    return 0;
}

void engine_scan_options(const struct conf *c, struct vigil_scan_options *o)
{
    vigil_scan_options_default(o);
    o->limits.max_filesize = c->max_file_size;
    o->limits.max_scansize = c->max_scan_size;
    o->limits.max_files = c->max_files;
    o->limits.max_recursion = c->max_recursion;
    o->limits.max_scantime_ms = c->max_scan_time;
    if (c->alert_exceeds_max)
        o->flags |= VIGIL_SCAN_ALERT_EXCEEDS_MAX;
    if (!c->scan_mail)
        o->flags |= VIGIL_SCAN_NO_MAIL;
    if (c->alert_ole2_macros)
        o->flags |= VIGIL_SCAN_ALERT_MACROS;
    if (c->alert_encrypted_doc)
        o->flags |= VIGIL_SCAN_ALERT_ENCRYPTED_DOC;
    if (!c->scan_ole2)
        o->flags |= VIGIL_SCAN_NO_OLE2;
    if (!c->scan_onenote)
        o->flags |= VIGIL_SCAN_NO_ONENOTE;
    if (!c->scan_pe)
        o->flags |= VIGIL_SCAN_NO_PE;
    if (!c->scan_elf)
        o->flags |= VIGIL_SCAN_NO_ELF;
    if (!c->scan_pdf)
        o->flags |= VIGIL_SCAN_NO_PDF;
    if (!c->scan_html)
        o->flags |= VIGIL_SCAN_NO_HTML;
    if (c->alert_broken)
        o->flags |= VIGIL_SCAN_ALERT_BROKEN;
    /* AlertEncrypted is both of clamd's narrower switches */
    if (c->alert_encrypted || c->alert_encrypted_archive)
        o->flags |= VIGIL_SCAN_ALERT_ENCRYPTED;
    if (c->alert_encrypted)
        o->flags |= VIGIL_SCAN_ALERT_ENCRYPTED_DOC;
}

static void *reload_thread(void *arg)
{
    (void)arg;
    rl.rc = engine_build(&D.conf, &rl.engine, rl.err, sizeof(rl.err));
    if (write(rl.pipe[1], "", 1) < 0) {
        /* The parent polls the pipe; a failed write cannot be reported. */
    }
    return NULL;
}

/* The compile helper: a child of the parent that parses the changed
 * database, compiles it and writes its image, reports one line on wfd
 * ('I' image ready, 'P' parsed but no image to map, 'F' and why it
 * failed) and exits. Its parse heap dies with it; the parent only maps
 * the finished file. */
static _Noreturn void helper_main(int wfd)
{
    char msg[ERR_MAX + 1];
    vigil_engine *e = NULL;
    enum vigil_image_state is;
    size_t len;

    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_IGN);
    signal(SIGUSR2, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN); /* a file size limit fails the write, reported */
    procs_close_inherited(-1);
    /* The parse grows a few large arrays by doubling: with a fixed mmap
     * threshold each is its own mapping, grown by mremap and unmapped when
     * freed, rather than old copies left resident in the heap (glibc's
     * threshold otherwise rises to the largest block freed). */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    /* The old engine is the parent's; this process never touches it. */
    vigil_engine_image_drop_resident(D.engine);
    msg[0] = 'F';
    msg[1] = '\0';
    if (engine_build1(&D.conf, &e, msg + 1, sizeof(msg) - 1, 1) == 0) {
        is = vigil_engine_image_state(e);
        msg[0] = is == VIGIL_IMAGE_WRITTEN || is == VIGIL_IMAGE_MAPPED ? 'I' : 'P';
        msg[1] = '\0';
    }
    len = strlen(msg);
    /* One write under PIPE_BUF: the parent sees all of it or nothing. */
    _exit(write(wfd, msg, len) == (ssize_t)len ? 0 : 1);
}

int engine_reload_fd(void)
{
    return rl.stage == RL_HELPER ? rl.hfd : rl.pipe[0];
}

bool engine_reload_threaded(void)
{
    return rl.stage == RL_THREAD;
}

static void reload_thread_start(void)
{
    rl.engine = NULL;
    rl.err[0] = '\0';
    if (pthread_create(&rl.thread, NULL, reload_thread, NULL) != 0) {
        log_msg(LOG_L_ERROR, "reload: can't start the reload thread");
        rl.stage = RL_NONE;
        D.reloading = false;
        return;
    }
    rl.stage = RL_THREAD;
}

/* Forks the compile helper. Returns 0, or -1 (no helper: use the thread). */
static int helper_start(void)
{
    int hp[2];
    pid_t pid;

    if (pipe2(hp, O_CLOEXEC) != 0)
        return -1;
    if ((pid = fork()) < 0) {
        close(hp[0]);
        close(hp[1]);
        return -1;
    }
    if (pid == 0) {
        close(hp[0]);
        helper_main(hp[1]);
    }
    close(hp[1]);
    (void)fcntl(hp[0], F_SETFL, O_NONBLOCK);
    rl.helper = pid;
    rl.hfd = hp[0];
    rl.hlen = 0;
    rl.stage = RL_HELPER;
    log_msg(LOG_L_DEBUG, "Reload: compile helper %d started", (int)pid);
    /* The parent does not scan: while the helper works, the old engine's
     * pages need only be resident in the workers that use them, and only
     * while they use them. */
    vigil_engine_image_drop_resident(D.engine);
    procs_cold();
    return 0;
}

void engine_reload_start(void)
{
    D.reload_wanted = false;
    if (D.reloading)
        return;
    if (rl.pipe[0] < 0 && pipe2(rl.pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        log_msg(LOG_L_ERROR, "reload: pipe: %s", strerror(errno));
        return;
    }
    log_msg(LOG_L_INFO, "Reading databases from %s", db_dir(&D.conf));
    rl.stamp = engine_db_stamp(&D.conf);
    D.reloading = true;
    /* Without an image cache there is no file to hand over: the thread
     * parses and compiles in the parent, as before. */
    if (cache_dir() && helper_start() == 0)
        return;
    reload_thread_start();
}

/* The helper's stage: collects its report; at its end, starts the thread
 * that maps the image (or parses, if it wrote none). */
static void helper_finish(void)
{
    int status = 0;
    ssize_t n;

    for (;;) {
        n = read(rl.hfd, rl.hmsg + rl.hlen, sizeof(rl.hmsg) - 1 - rl.hlen);
        if (n > 0 && rl.hlen + (size_t)n < sizeof(rl.hmsg) - 1) {
            rl.hlen += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return; /* more to come, or the end */
        break;      /* end of file, an error, or a report too long */
    }
    if (n > 0)
        rl.hlen += (size_t)n;
    rl.hmsg[rl.hlen] = '\0';
    close(rl.hfd);
    rl.hfd = -1;
    kill(rl.helper, SIGKILL); /* normally gone already */
    while (waitpid(rl.helper, &status, 0) < 0 && errno == EINTR) {
    }
    rl.helper = 0;
    if (rl.hlen == 0 || (rl.hmsg[0] != 'I' && rl.hmsg[0] != 'P')) {
        log_msg(LOG_L_ERROR, "Database reload failed, keeping the old database: %s",
                rl.hlen > 1 && rl.hmsg[0] == 'F' ? rl.hmsg + 1
                                                 : "the compile helper died");
        rl.stage = RL_NONE;
        D.reloading = false;
        D.db_stamp = rl.stamp; /* a database that failed stays failed */
        return;
    }
    procs_cold(); /* again, before the new image is mapped beside the old */
    reload_thread_start();
}

void engine_reload_finish(void)
{
    char b[16];

    if (rl.stage == RL_HELPER) {
        helper_finish();
        return;
    }
    while (read(rl.pipe[0], b, sizeof(b)) > 0) {
    }
    if (rl.stage != RL_THREAD)
        return;
    pthread_join(rl.thread, NULL);
    rl.stage = RL_NONE;
    D.reloading = false;
    /* A database that failed stays failed until it changes again. */
    D.db_stamp = rl.stamp;
    if (rl.rc != 0) {
        log_msg(LOG_L_ERROR, "Database reload failed, keeping the old database: %s", rl.err);
        return;
    }
    /* Workers hold their own copy-on-write view of the old engine. */
    vigil_engine_free(D.engine);
    malloc_trim(0);
    D.engine = rl.engine;
    rl.engine = NULL;
    D.generation++;
    log_msg(LOG_L_INFO, "Database correctly reloaded (%llu signatures)",
            (unsigned long long)vigil_engine_signature_count(D.engine));
    procs_retire_old();
}

void engine_reload_stop(void)
{
    int status;

    if (rl.stage == RL_HELPER) {
        kill(rl.helper, SIGKILL);
        while (waitpid(rl.helper, &status, 0) < 0 && errno == EINTR) {
        }
        close(rl.hfd);
        rl.hfd = -1;
    } else if (rl.stage == RL_THREAD) {
        pthread_join(rl.thread, NULL);
        vigil_engine_free(rl.engine);
        rl.engine = NULL;
    }
    rl.stage = RL_NONE;
    D.reloading = false;
}

void engine_selfcheck(void)
{
    uint64_t now = engine_db_stamp(&D.conf);

    if (D.reloading)
        return;
    if (now != D.db_stamp) {
        log_msg(LOG_L_INFO, "SelfCheck: Database modification detected. Forcing reload.");
        D.reload_wanted = true;
    } else {
        log_msg(LOG_L_DEBUG, "SelfCheck: Database status OK.");
    }
}
