/* scan.c - the `vigil scan` command (see scan.h): options, the log, the
 * engine, the walk over the paths with N workers, the summary, the exit
 * code.
 *
 * As clamscan 1.4.6 (measured): the time in the summary runs from before the
 * databases are loaded; a database that does not load still gets a summary
 * and exit code 2; a bad --move/--copy directory stops before any scan and
 * without a summary; with no path the current directory is scanned, under
 * its absolute name; "-" among the paths is standard input, printed
 * "stdin"; --file-list replaces the paths given on the command line.
 */
#include "cli/scan.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/audit_cmd.h"
#include "cli/dbload.h"
#include "cli/jobs.h"
#include "cli/json.h"
#include "cli/results.h"
#include "cli/stdinfd.h"
#include "cli/usage.h"
#include "cli/walk.h"
#include "cli/wpool.h"

/* A --file-list line longer than this is reported, not scanned. */
#define SCAN_MAX_LIST_LINE (64u * 1024)
/* The largest formatted output record (a line or a JSON object). */
#define SCAN_MAX_RECORD (8u * 1024 * 1024)

static enum vigil_log_level log_level(const struct scan_options *o);

static void push_job(void *ctx, struct job *j)
{
    jobs_push(ctx, j);
}

/* The worker count: -j, or one per online CPU. */
static unsigned worker_count(const struct scan_options *o)
{
    long n = o->jobs ? (long)o->jobs : sysconf(_SC_NPROCESSORS_ONLN);

    if (n < 1)
        n = 1;
    return n > OPTIONS_MAX_JOBS ? OPTIONS_MAX_JOBS : (unsigned)n;
}

/* Ring slots: enough to keep every worker busy behind a slow head, and few
 * enough that the open files fit under RLIMIT_NOFILE, which is raised to its
 * hard limit first. */
static unsigned ring_capacity(unsigned workers)
{
    struct rlimit rl;
    /* Sandboxed, each worker also holds up to JOBS_REMOTE_DEPTH in flight. */
    unsigned cap = workers * (8 + JOBS_REMOTE_DEPTH) + 16;
    rlim_t room;

    if (cap > 1024)
        cap = 1024;
    if (getrlimit(RLIMIT_NOFILE, &rl))
        return cap > 64 ? 64 : cap;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    /* Half of what is left after stdio, the log and the directory walk. */
    room = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 4096 ? 2048 : rl.rlim_cur;
    room = room > 128 ? (room - 128) / 2 : 1;
    return cap > room ? (unsigned)room : cap;
}

static void push_stdin(struct scan_run *s, struct jobs *q)
{
    struct stat st;
    struct job *j;
    int fd, err = stdinfd_open(STDIN_FILENO, s->o->limits.max_filesize, &fd);

    if (!err && fstat(fd, &st)) {
        err = errno;
        close(fd);
    }
    if (err) {
        j = job_new_note("stdin", NOTE_CANT_ACCESS, err);
    } else {
        j = job_new_scan("stdin", fd, &st);
        if (j)
            j->is_stdin = true;
    }
    if (!j) {
        report_error(&s->report, "stdin: %s", vigil_strerror(VIGIL_ENOMEM));
        s->exit_error = true;
        return;
    }
    jobs_push(q, j);
}

/* Walks the paths of a --file-list, one per line; only the line end (LF
 * and a CR before it) is taken off, as clamscan does. */
static void walk_list(struct scan_run *s, struct walker *w, FILE *f)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    while ((n = getline(&line, &cap, f)) >= 0) {
        if (n && line[n - 1] == '\n')
            line[--n] = '\0';
        if (n && line[n - 1] == '\r')
            line[--n] = '\0';
        if ((size_t)n > SCAN_MAX_LIST_LINE) {
            report_warning(&s->report, "--file-list: line of %zd bytes skipped", n);
            s->exit_error = true;
            continue;
        }
        walk_operand(w, line);
    }
    free(line);
}

static void walk_all(struct scan_run *s, struct walker *w, struct jobs *q, FILE *list)
{
    const struct scan_options *o = s->o;
    char *cwd;
    size_t k;

    if (list) {
        walk_list(s, w, list);
        return;
    }
    if (!o->paths.n) {
        cwd = getcwd(NULL, 0);
        if (!cwd) {
            report_error(&s->report,
                         "Can't get absolute pathname of current working directory");
            s->exit_error = true;
            return;
        }
        walk_operand(w, cwd);
        free(cwd);
        return;
    }
    for (k = 0; k < o->paths.n; k++) {
        if (!strcmp(o->paths.v[k], "-"))
            push_stdin(s, q);
        else
            walk_operand(w, o->paths.v[k]);
    }
}

/* Starts the sandboxed worker processes and points the worker threads at
 * them; without --no-sandbox no file is scanned in this process. */
static int start_sandbox(struct scan_run *s, vigil_engine *e, struct jobs_config *cfg,
                         struct jobs_remote *remote, struct wpool **pool)
{
    struct wpool_config pc = {.engine = e,
                              .scan = cfg->scan,
                              .log_level = log_level(s->o),
                              .workers = cfg->workers,
                              .report = &s->report};
    char err[512];

    if (s->o->no_sandbox)
        return 0;
    if (wpool_new(&pc, pool, err, sizeof err) != VIGIL_OK) {
        report_error(&s->report, "Can't start the sandboxed scan workers: %s "
                                 "(--no-sandbox scans without them)", err);
        s->exit_error = true;
        return -1;
    }
    remote->send = wpool_send;
    remote->flush = wpool_flush;
    remote->wait = wpool_wait;
    remote->ctx = *pool;
    cfg->remote = remote;
    return 0;
}

/* Scans everything with a compiled engine: starts the workers, walks, and
 * waits for the last result. */
static void scan_paths(struct scan_run *s, vigil_engine *e, FILE *list)
{
    struct vigil_scan_options so;
    struct walker *w = NULL;
    struct jobs *q = NULL;
    struct wpool *pool = NULL;
    struct jobs_remote remote;
    unsigned workers = worker_count(s->o);
    struct jobs_config cfg = {.engine = e,
                              .scan = &so,
                              .workers = workers,
                              .capacity = ring_capacity(workers),
                              .done = results_done,
                              .tick = results_tick,
                              .ctx = s};
    char err[1024];
    vigil_status st;

    vigil_scan_options_default(&so);
    so.limits = s->o->limits;
    if (s->o->allmatch)
        so.flags |= VIGIL_SCAN_ALLMATCH;
    if (s->o->alert_exceeds_max)
        so.flags |= VIGIL_SCAN_ALERT_EXCEEDS_MAX;
    if (s->o->alert_encrypted || s->o->alert_encrypted_all)
        so.flags |= VIGIL_SCAN_ALERT_ENCRYPTED;
    if (!s->o->scan_mail)
        so.flags |= VIGIL_SCAN_NO_MAIL;
    if (s->o->alert_macros)
        so.flags |= VIGIL_SCAN_ALERT_MACROS;
    if (!s->o->scan_ole2)
        so.flags |= VIGIL_SCAN_NO_OLE2;
    if (!s->o->scan_onenote)
        so.flags |= VIGIL_SCAN_NO_ONENOTE;
    if (s->o->alert_encrypted_doc || s->o->alert_encrypted_all)
        so.flags |= VIGIL_SCAN_ALERT_ENCRYPTED_DOC;
    if (!s->o->scan_pdf)
        so.flags |= VIGIL_SCAN_NO_PDF;
    if (s->o->alert_broken)
        so.flags |= VIGIL_SCAN_ALERT_BROKEN;
    if (!s->o->scan_pe)
        so.flags |= VIGIL_SCAN_NO_PE;
    if (!s->o->scan_elf)
        so.flags |= VIGIL_SCAN_NO_ELF;
    if (!s->o->scan_html)
        so.flags |= VIGIL_SCAN_NO_HTML;
    if (!s->o->scan_archive)
        so.flags |= VIGIL_SCAN_NO_ARCHIVE;
    if (start_sandbox(s, e, &cfg, &remote, &pool))
        return;
    st = jobs_new(&cfg, &q);
    w = calloc(1, sizeof *w); /* walk_free must see empty lists if jobs_new fails */
    if (st != VIGIL_OK || !w) {
        report_error(&s->report, "Can't start the scan: %s",
                     vigil_strerror(st != VIGIL_OK ? st : VIGIL_ENOMEM));
        s->exit_error = true;
        goto out;
    }
    if (walk_init(w, s->o, push_job, q, err, sizeof err)) {
        report_error(&s->report, "%s", err);
        s->exit_error = true;
        goto out;
    }
    walk_all(s, w, q, list);
    jobs_drain(q);
    s->sum.dirs = w->dirs;
    if (w->lost) {
        report_error(&s->report, "%" PRIu64 " paths not scanned: out of memory", w->lost);
        s->exit_error = true;
    }
out:
    jobs_free(q);
    wpool_free(pool);
    if (w)
        walk_free(w);
    free(w);
}

static void print_summary(struct scan_run *s)
{
    clock_gettime(CLOCK_REALTIME, &s->sum.end);
    if (s->o->no_summary)
        return;
    strbuf_reset(&s->line);
    output_summary(&s->line, &s->sum);
    report_text(&s->report, LC_SUMMARY, strbuf_str(&s->line));
    strbuf_reset(&s->line);
    json_summary(&s->line, &s->sum);
    if (report_wants(&s->report, LC_SUMMARY))
        report_json(&s->report, strbuf_str(&s->line));
}

static enum vigil_log_level log_level(const struct scan_options *o)
{
    if (o->debug)
        return VIGIL_LOG_DEBUG;
    return o->verbose ? VIGIL_LOG_INFO : VIGIL_LOG_WARNING;
}

/* Opens --file-list; after the databases are loaded, as clamscan, so that
 * the summary of a failure counts the same signatures. */
static FILE *open_list(struct scan_run *s)
{
    FILE *f;

    if (!s->o->file_list)
        return NULL;
    if (s->o->paths.n)
        report_warning(&s->report, "Only scanning files from --file-list (files passed "
                                   "at cmdline are ignored)");
    f = fopen(s->o->file_list, "re");
    if (!f) {
        report_error(&s->report, "--file-list: Can't open file %s", s->o->file_list);
        s->exit_error = true;
    }
    return f;
}

/* Everything after a successful setup: engine, scan, summary. */
static void run_scan(struct scan_run *s)
{
    vigil_engine *e = NULL;
    FILE *list = NULL;
    vigil_status st;

    st = vigil_engine_new(&e);
    if (st != VIGIL_OK) {
        report_error(&s->report, "Can't initialize antivirus engine: %s",
                     vigil_strerror(st));
        s->exit_error = true;
        goto out;
    }
    vigil_engine_set_log(e, report_engine_log, &s->report, log_level(s->o));
    if (dbload_run(e, s->o, &s->report)) {
        s->sum.known_viruses = vigil_engine_signature_count(e);
        s->exit_error = true;
        goto out;
    }
    s->sum.known_viruses = vigil_engine_signature_count(e);
    if (s->o->no_sandbox)
        report_warning(&s->report, "--no-sandbox: files are scanned inside this process, "
                                   "without seccomp or Landlock; a file that exploits a bug "
                                   "in vigil runs with all of vigil's rights. Debugging only.");
    list = open_list(s);
    if (!s->exit_error)
        scan_paths(s, e, list);
out:
    if (list)
        fclose(list);
    print_summary(s);
    vigil_engine_free(e);
}

static int run(const struct scan_options *o)
{
    struct scan_run s = {.o = o};
    char err[1024];
    size_t k;
    int rc = 2;

    clock_gettime(CLOCK_REALTIME, &s.sum.start);
    s.sum.engine_version = vigil_version();
    s.sum.copy_mode = !o->move_dir && o->copy_dir;
    strbuf_init(&s.line, SCAN_MAX_RECORD);
    if (report_open(&s.report, o, err, sizeof err)) {
        /* clamscan prints the reason on stdout, then its verdict on stderr. */
        printf("ERROR: %s\n", err);
        fflush(stdout);
        fputs("ERROR: Problem with internal logger.\n", stderr);
        strbuf_free(&s.line);
        return 2;
    }
    for (k = 0; k < o->warnings.n; k++)
        report_warning(&s.report, "%s", o->warnings.v[k]);
    if (actions_setup(&s.actions, o, err, sizeof err)) {
        report_error(&s.report, "%s", err);
        goto out;
    }
    if (audit_cmd_open(o, &s.report, &s.audit))
        goto out;
    run_scan(&s);
    if (s.sum.infected)
        rc = 1;
    else
        rc = s.exit_error || s.sum.errors ? 2 : 0;
out:
    audit_close(s.audit);
    actions_free(&s.actions);
    report_close(&s.report);
    strbuf_free(&s.line);
    return rc;
}

int scan_main(int argc, char **argv)
{
    struct scan_options o;
    char err[1024];
    int rc;

    if (options_parse(&o, argc, argv, err, sizeof err)) {
        fprintf(stderr, "%s\nERROR: Can't parse command line options\n", err);
        rc = 2;
    } else if (o.help) {
        usage_scan(stdout);
        rc = 0;
    } else if (o.version) {
        printf("vigil %s\n", vigil_version());
        rc = 0;
    } else {
        rc = run(&o);
    }
    options_free(&o);
    return rc;
}
