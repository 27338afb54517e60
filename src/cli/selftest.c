/* selftest.c - the sandbox self-test of vigil-selftest (see selftest.h).
 * Compiled to nothing in vigil itself. */
#ifdef VIGIL_SANDBOX_SELFTEST
#include "cli/selftest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "os/linux/sandbox.h"
#include "os/linux/worker.h"
#include "os/linux/wproto.h"

#define SELFTEST_MAGIC "VIGIL-SANDBOX-SELFTEST"

unsigned selftest_sandbox_flags(void)
{
    const char *v = getenv("VIGIL_SELFTEST_NO_LANDLOCK");

    return v && !strcmp(v, "1") ? SANDBOX_NO_LANDLOCK : 0;
}

static void say(int sock, const char *what, long rc, int err)
{
    char line[512];

    if (rc < 0)
        snprintf(line, sizeof line, "sandbox self-test: %s: refused (%s)", what, strerror(err));
    else
        snprintf(line, sizeof line, "sandbox self-test: %s: ALLOWED", what);
    worker_log(sock, VIGIL_LOG_WARNING, line);
}

/* connect() on the only socket the worker has (socket() is refused): the
 * filter refuses it with EPERM; were it let through, the kernel would say
 * EISCONN instead, and the test reads the reason. */
static long try_connect(int sock)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};

    strcpy(a.sun_path, "/run/vigil-selftest.sock");
    return connect(sock, (struct sockaddr *)&a, sizeof a);
}

static void try_word(int sock, const char *w)
{
    char *argv[] = {(char *)(uintptr_t)"/bin/true", NULL};
    struct timespec ts;
    long rc;

    errno = 0;
    if (!strcmp(w, "socket")) {
        rc = socket(AF_INET, SOCK_STREAM, 0);
        say(sock, "socket(AF_INET)", rc, errno);
    } else if (!strcmp(w, "connect")) {
        rc = try_connect(sock);
        say(sock, "connect()", rc, errno);
    } else if (!strncmp(w, "open:", 5)) {
        rc = open(w + 5, O_WRONLY | O_CREAT, 0644);
        say(sock, "open(O_WRONLY|O_CREAT)", rc, errno);
    } else if (!strncmp(w, "read:", 5)) {
        rc = open(w + 5, O_RDONLY);
        say(sock, "open(O_RDONLY)", rc, errno);
    } else if (!strncmp(w, "unlink:", 7)) {
        rc = unlink(w + 7);
        say(sock, "unlink()", rc, errno);
    } else if (!strcmp(w, "execve")) {
        rc = execve(argv[0], argv, NULL);
        say(sock, "execve(/bin/true)", rc, errno);
    } else if (!strcmp(w, "ptrace")) {
        rc = ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        say(sock, "ptrace()", rc, errno);
    } else if (!strncmp(w, "pause:", 6)) {
        rc = atol(w + 6);
        ts.tv_sec = rc / 1000;
        ts.tv_nsec = rc % 1000 * 1000000L;
        nanosleep(&ts, NULL);
    } else if (!strcmp(w, "garbage")) {
        wproto_send(sock, WMSG_VERDICT, "\x63\x00\x01\x00\x00\x00x", 7, -1);
    } else if (!strcmp(w, "crash")) {
        /* Both volatile: GCC 12 at -O2 drops a plain store through a
         * volatile pointer, so the fault must be a volatile access too. */
        volatile int *volatile bad = NULL;

        *bad = 1;
    }
}

void selftest_before_scan(void *ctx, int sock, int fd)
{
    char buf[4096], *w, *save = NULL;
    ssize_t n;

    (void)ctx;
    n = pread(fd, buf, sizeof buf - 1, 0);
    if (n < (ssize_t)strlen(SELFTEST_MAGIC) || memcmp(buf, SELFTEST_MAGIC, strlen(SELFTEST_MAGIC)))
        return;
    buf[n] = '\0';
    for (w = strtok_r(buf + strlen(SELFTEST_MAGIC), " \t\r\n", &save); w;
         w = strtok_r(NULL, " \t\r\n", &save))
        try_word(sock, w);
}
#endif
