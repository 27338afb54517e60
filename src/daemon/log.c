/* log.c - vigild's log (see log.h). Lines are at most LOG_LINE_MAX bytes. */
#include "daemon/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 2048

static struct {
    int fd;
    char *path;
    bool time;
    bool syslog;
    bool stderr_copy;
    bool verbose;
} lg = {.fd = -1};

static int open_file(void)
{
    if (!lg.path)
        return 0;
    lg.fd = open(lg.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    return lg.fd < 0 ? -1 : 0;
}

int log_open(const struct conf *c, bool to_stderr)
{
    lg.time = c->log_time;
    lg.syslog = c->log_syslog;
    lg.stderr_copy = to_stderr;
    lg.verbose = c->debug || c->log_verbose;
    free(lg.path);
    lg.path = c->log_file ? strdup(c->log_file) : NULL;
    if (open_file() != 0) {
        fprintf(stderr, "ERROR: Can't open log file %s: %s\n", c->log_file, strerror(errno));
        return -1;
    }
    if (lg.syslog)
        openlog("vigild", LOG_PID, LOG_LOCAL6);
    return 0;
}

void log_detach_stderr(void)
{
    lg.stderr_copy = false;
}

void log_reopen(void)
{
    if (lg.fd >= 0)
        close(lg.fd);
    lg.fd = -1;
    if (open_file() != 0)
        log_msg(LOG_L_ERROR, "Can't reopen log file %s: %s", lg.path, strerror(errno));
    else
        log_msg(LOG_L_INFO, "SIGHUP caught: re-opening log file.");
}

void log_close(void)
{
    if (lg.fd >= 0)
        close(lg.fd);
    lg.fd = -1;
    free(lg.path);
    lg.path = NULL;
    if (lg.syslog)
        closelog();
}

static const char *const prefix[] = {"ERROR: ", "WARNING: ", "", ""};

void log_msg(enum log_level lv, const char *fmt, ...)
{
    static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
    char msg[LOG_LINE_MAX], line[LOG_LINE_MAX + 64], stamp[40] = "";
    time_t now;
    va_list ap;
    int n;

    if (lv == LOG_L_DEBUG && !lg.verbose)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (lg.time) {
        now = time(NULL);
        ctime_r(&now, stamp);
        stamp[strcspn(stamp, "\n")] = '\0';
        strcat(stamp, " -> ");
    }
    n = snprintf(line, sizeof(line), "%s%s%s\n", stamp, prefix[lv], msg);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(line))
        n = (int)sizeof(line) - 1;
    if (lg.fd >= 0 && write(lg.fd, line, (size_t)n) < 0) {
        /* Nowhere left to say it. */
    }
    if (lg.stderr_copy)
        fprintf(stderr, "%s%s\n", prefix[lv], msg);
    if (lg.syslog)
        syslog(prio[lv], "%s", msg);
}
