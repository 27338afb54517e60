/* report.c - the streams of vigil scan's report (see the table in report.h). */
#include "cli/report.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

/* clamscan writes this separator into the log file at every start. */
static const char log_header[] = "\n-----------------------------------------------------"
                                 "--------------------------\n\n";

static bool progress_allowed(const struct scan_options *o)
{
    if (o->progress == PROGRESS_OFF || o->quiet || o->json)
        return false;
    return o->progress == PROGRESS_ON || isatty(STDERR_FILENO);
}

int report_open(struct report *r, const struct scan_options *o, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->quiet = o->quiet;
    r->infected_only = o->infected_only;
    r->suppress_ok = o->suppress_ok;
    r->to_stdout = o->to_stdout;
    r->verbose = o->verbose || o->debug;
    r->json = o->json;
    r->out = stdout;
    r->err = stderr;
    r->out_tty = isatty(STDOUT_FILENO);
    r->err_tty = isatty(STDERR_FILENO);
    pthread_mutex_init(&r->lock, NULL);
    progress_init(&r->progress, progress_allowed(o), STDERR_FILENO);
    if (!o->log_file)
        return 0;
    r->log = fopen(o->log_file, "ae");
    if (!r->log) {
        snprintf(err, errlen, "Failed to open log file %s: %s", o->log_file,
                 strerror(errno));
        return -1;
    }
    /* Line-buffered, so the log is whole up to the last line if we die. */
    setvbuf(r->log, NULL, _IOLBF, 0);
    fputs(log_header, r->log);
    return 0;
}

void report_close(struct report *r)
{
    if (r->log)
        fclose(r->log);
    r->log = NULL;
    fflush(r->out);
    pthread_mutex_destroy(&r->lock);
}

bool report_wants(const struct report *r, enum line_class c)
{
    if (r->quiet)
        return false;
    switch (c) {
    case LC_OK:
        return !r->infected_only && !r->suppress_ok;
    case LC_NOTE:
        return !r->infected_only;
    case LC_VERBOSE:
        return r->verbose;
    default:
        return true;
    }
}

/* Whether a line of this class is written to the log file. */
static bool logged(const struct report *r, enum line_class c)
{
    if (!r->log || c == LC_OK)
        return false;
    if (c == LC_NOTE)
        return !r->infected_only;
    if (c == LC_VERBOSE)
        return r->verbose;
    return true;
}

/* Console writes go through here: the progress line is wiped first when
 * the line goes to a terminal (the one it is drawn on, or another: telling
 * them apart is not worth it), and stdout is flushed before stderr is
 * written so the two stay in order when they share a terminal or a file. */
static void console(struct report *r, FILE *f, const char *text)
{
    if (f == r->out ? r->out_tty : r->err_tty)
        progress_clear(&r->progress);
    if (f != r->out)
        fflush(r->out);
    fputs(text, f);
    if (f != r->out)
        fflush(f);
}

void report_text(struct report *r, enum line_class c, const char *text)
{
    pthread_mutex_lock(&r->lock);
    if (!r->json && report_wants(r, c))
        console(r, r->out, text);
    if (logged(r, c))
        fputs(text, r->log);
    pthread_mutex_unlock(&r->lock);
}

void report_json(struct report *r, const char *line)
{
    if (!r->json)
        return;
    pthread_mutex_lock(&r->lock);
    console(r, r->out, line);
    pthread_mutex_unlock(&r->lock);
}

/* Formats "PREFIX: message\n" and writes it to the console (unless hidden)
 * and the log. */
static void prefixed(struct report *r, const char *prefix, bool hide, const char *fmt,
                     va_list ap)
{
    char buf[8192];
    int n = snprintf(buf, sizeof buf, "%s: ", prefix);

    vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
    strcat(buf, "\n");
    pthread_mutex_lock(&r->lock);
    if (!hide)
        console(r, r->to_stdout && !r->json ? r->out : r->err, buf);
    if (r->log)
        fputs(buf, r->log);
    pthread_mutex_unlock(&r->lock);
}

void report_warning(struct report *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    prefixed(r, "WARNING", r->quiet, fmt, ap);
    va_end(ap);
}

void report_error(struct report *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    prefixed(r, "ERROR", false, fmt, ap);
    va_end(ap);
}

void report_perror(struct report *r, const char *path, int err)
{
    pthread_mutex_lock(&r->lock);
    progress_clear(&r->progress);
    fflush(r->out);
    fprintf(r->err, "%s: %s\n", path, strerror(err));
    fflush(r->err);
    pthread_mutex_unlock(&r->lock);
}

void report_engine_log(void *ctx, enum vigil_log_level level, const char *msg)
{
    struct report *r = ctx;
    const char *prefix = "";

    if (level == VIGIL_LOG_ERROR)
        prefix = "ERROR: ";
    else if (r->quiet)
        return;
    else if (level == VIGIL_LOG_WARNING)
        prefix = "WARNING: ";
    pthread_mutex_lock(&r->lock);
    progress_clear(&r->progress);
    fflush(r->out);
    fprintf(r->err, "%s%s\n", prefix, msg);
    fflush(r->err);
    pthread_mutex_unlock(&r->lock);
}

void report_progress(struct report *r, uint64_t files, uint64_t bytes, const char *path)
{
    /* Set once at open; checked first so that a scan without a progress line
     * does not flush stdout once per file. */
    if (!r->progress.enabled)
        return;
    pthread_mutex_lock(&r->lock);
    fflush(r->out);
    progress_update(&r->progress, files, bytes, path);
    pthread_mutex_unlock(&r->lock);
}

void report_bell(struct report *r)
{
    pthread_mutex_lock(&r->lock);
    fputc('\a', r->err);
    fflush(r->err);
    pthread_mutex_unlock(&r->lock);
}
