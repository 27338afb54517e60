/* test_sandbox.c - sandbox_enter() in a forked child: the same probes that
 * succeed before it are refused after it (socket, connect, open for
 * writing, execve, ptrace, unlink, chmod, rename, mount, module loading),
 * an unlisted call kills the process with SIGSYS, other descriptors are
 * closed, /proc shows the filter, and Landlock refuses even a read-only
 * open where the kernel has it. Also the worker message checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "os/linux/sandbox.h"
#include "os/linux/wproto.h"

enum { P_SOCKET, P_CONNECT, P_OPEN_W, P_EXECVE, P_PTRACE, P_UNLINK, P_CHMOD, P_RENAME,
       P_MOUNT, P_MODULE, P_OPEN_R, P_OLDFD, NPROBES };

static char dir[64];

/* Runs every probe; r[k] = 0 if it worked, else its errno. */
static void probes(int sock, int oldfd, int *r)
{
    char path[128], *argv[] = {(char *)(uintptr_t)"/bin/true", NULL};
    char byte;
    int fd;

    memset(r, 0, NPROBES * sizeof *r);
    errno = 0;
#define PROBE(k, expr) r[k] = (expr) < 0 ? errno : 0
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    r[P_SOCKET] = fd < 0 ? errno : 0;
    if (fd >= 0)
        close(fd);
    PROBE(P_CONNECT, connect(sock, (const struct sockaddr *)"\1\0", 2));
    snprintf(path, sizeof path, "%s/new", dir);
    fd = open(path, O_WRONLY | O_CREAT, 0600);
    r[P_OPEN_W] = fd < 0 ? errno : 0;
    if (fd >= 0)
        close(fd);
    PROBE(P_EXECVE, syscall(SYS_execve, "/nonexistent/x", argv, NULL));
    PROBE(P_PTRACE, ptrace(PTRACE_PEEKUSER, 1, NULL, NULL));
    snprintf(path, sizeof path, "%s/victim", dir);
    PROBE(P_CHMOD, chmod(path, 0777));
    PROBE(P_RENAME, rename(path, path));
    PROBE(P_UNLINK, unlink("/nonexistent/x"));
    PROBE(P_MOUNT, mount("none", "/nonexistent", "tmpfs", 0, NULL));
    PROBE(P_MODULE, syscall(SYS_delete_module, "nonexistent", 0));
    fd = open("/etc/passwd", O_RDONLY);
    r[P_OPEN_R] = fd < 0 ? errno : 0;
    if (fd >= 0)
        close(fd);
    PROBE(P_OLDFD, read(oldfd, &byte, 1));
#undef PROBE
}

/* Forks a child that probes, enters the sandbox with flags, probes again,
 * sends both result sets, then waits for the parent to close the socket.
 * The parent checks /proc/<child>/status while the child waits. */
static void run_child(unsigned flags, int before[NPROBES], int after[NPROBES], char *status,
                      size_t status_len)
{
    struct sandbox_info si;
    int sv[2], oldfd, all[2 * NPROBES], st;
    char path[128];
    FILE *f;
    pid_t pid;
    size_t n;

    snprintf(path, sizeof path, "%s/victim", dir);
    close(open(path, O_WRONLY | O_CREAT, 0600));
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(sv[0]);
        oldfd = open("/etc/hostname", O_RDONLY);
        probes(sv[1], oldfd, all);
        snprintf(path, sizeof path, "%s/new", dir);
        unlink(path);
        if (sandbox_enter(&sv[1], 1, flags, &si) != VIGIL_OK)
            _exit(9);
        probes(sv[1], oldfd, all + NPROBES);
        if (write(sv[1], all, sizeof all) != (ssize_t)sizeof all)
            _exit(8);
        while (read(sv[1], &st, 1) > 0)
            ;
        _exit(0);
    }
    close(sv[1]);
    assert_int_equal(read(sv[0], all, sizeof all), (ssize_t)sizeof all);
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    assert_non_null(f);
    n = fread(status, 1, status_len - 1, f);
    status[n] = '\0';
    fclose(f);
    close(sv[0]);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    memcpy(before, all, NPROBES * sizeof *before);
    memcpy(after, all + NPROBES, NPROBES * sizeof *after);
}

static void test_refused(void **state)
{
    int before[NPROBES], after[NPROBES], k;
    char status[4096];
    (void)state;

    run_child(0, before, after, status, sizeof status);
    /* The control: unsandboxed, the same calls get past the filter stage
     * (they may still fail for ordinary reasons, never with EPERM). */
    assert_int_equal(before[P_SOCKET], 0);
    assert_int_equal(before[P_OPEN_W], 0);
    assert_int_equal(before[P_CHMOD], 0);
    assert_int_equal(before[P_EXECVE], ENOENT);
    assert_int_equal(before[P_UNLINK], ENOENT);
    assert_int_equal(before[P_OPEN_R], 0);
    assert_int_equal(before[P_OLDFD], 0);
    for (k = P_SOCKET; k <= P_MODULE; k++)
        assert_int_equal(after[k], EPERM);
    assert_int_equal(after[P_OLDFD], EBADF); /* closed by sandbox_enter */
    if (sandbox_landlock_abi() > 0)
        assert_int_equal(after[P_OPEN_R], EACCES);
    assert_non_null(strstr(status, "\nSeccomp:\t2\n"));
    assert_non_null(strstr(status, "\nNoNewPrivs:\t1\n"));
}

static void test_no_landlock(void **state)
{
    int before[NPROBES], after[NPROBES];
    char status[4096];
    (void)state;

    run_child(SANDBOX_NO_LANDLOCK, before, after, status, sizeof status);
    assert_int_equal(after[P_OPEN_R], 0); /* only Landlock refuses reads */
    assert_int_equal(after[P_OPEN_W], EPERM);
    assert_int_equal(after[P_SOCKET], EPERM);
    assert_non_null(strstr(status, "\nSeccomp:\t2\n"));
}

/* A call on no list (getpgrp) kills: the filter's default. */
static void test_unlisted_kills(void **state)
{
    struct sandbox_info si;
    int sv[2], st;
    pid_t pid;
    (void)state;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    pid = fork();
    if (pid == 0) {
        if (sandbox_enter(&sv[1], 1, 0, &si) != VIGIL_OK)
            _exit(9);
        syscall(SYS_getpgrp);
        _exit(0);
    }
    close(sv[1]);
    close(sv[0]);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGSYS);
}

/* Frames: a wrong type, a length out of bounds, a descriptor where none
 * belongs are all VIGIL_EMALFORMED; a good one passes. */
static void test_frames(void **state)
{
    uint32_t bad_type[3] = {99, 0, 0}, long_pid[3] = {WMSG_PID, 8, 0};
    /* A batch of one: n = 1, id 1, a name of 2 bytes. */
    static const char scan1[18] = "\1\0\0\0\1\0\0\0\0\0\0\0\2\0\0\0ab";
    struct wscan_item items[WPROTO_MAX_BATCH];
    int two[2] = {0, 0};
    char skip[18];
    struct wmsg m;
    int sv[2];
    (void)state;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(wproto_send(sv[0], WMSG_SCAN, scan1, 18, 0), VIGIL_OK);
    assert_int_equal(wproto_recv(sv[1], &m), VIGIL_OK);
    assert_int_equal(m.type, WMSG_SCAN);
    assert_int_equal(m.len, 18);
    assert_int_equal(m.nfd, 1);
    assert_true(m.fd[0] >= 0);
    assert_int_equal(wscan_decode(&m, items), VIGIL_OK);
    assert_int_equal(items[0].id, 1);
    assert_int_equal(items[0].namelen, 2);
    assert_memory_equal(items[0].name, "ab", 2);
    wmsg_free(&m);
    /* Two descriptors where the payload names one file. */
    assert_int_equal(wproto_send_fds(sv[0], WMSG_SCAN, scan1, 18, two, 2), VIGIL_OK);
    assert_int_equal(wproto_recv(sv[1], &m), VIGIL_OK);
    assert_int_equal(wscan_decode(&m, items), VIGIL_EMALFORMED);
    wmsg_free(&m);
    assert_int_equal(wproto_send(sv[0], WMSG_SCAN, scan1, 18, -1), VIGIL_OK);
    assert_int_equal(wproto_recv(sv[1], &m), VIGIL_EMALFORMED); /* no descriptor */
    assert_int_equal(read(sv[1], skip, 18), 18);              /* skip its payload */
    assert_int_equal(write(sv[0], bad_type, 12), 12);
    assert_int_equal(wproto_recv(sv[1], &m), VIGIL_EMALFORMED);
    assert_int_equal(write(sv[0], long_pid, 12), 12);
    assert_int_equal(wproto_recv(sv[1], &m), VIGIL_EMALFORMED);
    assert_int_equal(wproto_send(sv[0], WMSG_PID, "\1\0\0\0", 4, 0), VIGIL_OK);
    assert_int_equal(wproto_recv(sv[1], &m), VIGIL_EMALFORMED); /* descriptor not allowed */
    close(sv[0]);
    assert_int_equal(wproto_recv(sv[1], &m), VIGIL_EREAD);
    close(sv[1]);
}

/* The inode of descriptor fd. */
static ino_t ino(int fd)
{
    struct stat st;

    assert_int_equal(fstat(fd, &st), 0);
    return st.st_ino;
}

/* Buffered reading: two batches and a log sent back to back arrive as
 * three frames, each with its own descriptors in order, though one read
 * may take more than one frame; a worker's parent takes no descriptor. */
static void test_wconn(void **state)
{
    int sv[2], a = open("/dev/null", O_RDONLY), b = open("/", O_RDONLY | O_DIRECTORY),
        fds[2] = {a, b};
    struct wscan_item items[WPROTO_MAX_BATCH];
    struct wbuf p = {0};
    struct wconn c;
    struct wmsg m;
    (void)state;

    assert_true(a >= 0 && b >= 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    wscan_begin(&p, 2);
    wscan_add(&p, 7, "null");
    wscan_add(&p, 8, "root");
    assert_int_equal(wproto_send_fds(sv[0], WMSG_SCAN, p.p, p.len, fds, 2), VIGIL_OK);
    wbuf_free(&p);
    wscan_begin(&p, 1);
    wscan_add(&p, 9, "root again");
    assert_int_equal(wproto_send_fds(sv[0], WMSG_SCAN, p.p, p.len, &b, 1), VIGIL_OK);
    wbuf_free(&p);
    assert_int_equal(wproto_send(sv[0], WMSG_LOG, "\1\0\0\0hi", 6, -1), VIGIL_OK);
    wconn_init(&c, sv[1], 1);
    assert_int_equal(wconn_recv(&c, &m), VIGIL_OK);
    assert_int_equal(m.nfd, 2);
    assert_int_equal(wscan_decode(&m, items), VIGIL_OK);
    assert_int_equal(items[0].id, 7);
    assert_int_equal(items[1].id, 8);
    assert_int_equal(ino(m.fd[0]), ino(a));
    assert_int_equal(ino(m.fd[1]), ino(b));
    wmsg_free(&m);
    assert_int_equal(wconn_recv(&c, &m), VIGIL_OK);
    assert_int_equal(m.nfd, 1);
    assert_int_equal(wscan_decode(&m, items), VIGIL_OK);
    assert_int_equal(items[0].id, 9);
    assert_int_equal(ino(m.fd[0]), ino(b));
    wmsg_free(&m);
    assert_int_equal(wconn_recv(&c, &m), VIGIL_OK);
    assert_int_equal(m.type, WMSG_LOG);
    assert_int_equal(m.nfd, 0);
    wmsg_free(&m);
    /* A parent's wconn: a descriptor from the peer is malformed. */
    wconn_close(&c);
    close(sv[0]);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(wproto_send(sv[0], WMSG_LOG, "\1\0\0\0hi", 6, a), VIGIL_OK);
    wconn_init(&c, sv[1], 0);
    assert_int_equal(wconn_recv(&c, &m), VIGIL_EMALFORMED);
    wconn_close(&c);
    close(sv[0]);
    close(a);
    close(b);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/vigil-sandbox.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_no_landlock),
        cmocka_unit_test(test_unlisted_kills),
        cmocka_unit_test(test_frames),
        cmocka_unit_test(test_wconn),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
