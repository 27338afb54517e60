/* sandbox.c - the scan worker's confinement (see sandbox.h).
 *
 * Three layers, each alone enough to stop a worker that hostile input has
 * taken over from reaching the network, writing a file or running a program:
 *   1. every descriptor but the parent's socket and stderr is closed;
 *   2. Landlock (kernel ABI 1+) with every filesystem right handled and no
 *      rule: no path can be opened, read, listed, written or executed; on ABI
 *      4+ TCP bind/connect are handled too, on ABI 6+ abstract Unix sockets
 *      and signals outside the worker are scoped away;
 *   3. seccomp (libseccomp): an allow list. What is not listed kills the
 *      process (SIGSYS); the calls that issue 9 names are refused with EPERM
 *      instead, so that a self-test (and an audit with strace) sees them fail.
 */
#include "os/linux/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
/* ABI 4 network rights and ABI 6 scopes, newer than Debian 12's headers. */
#define SB_LL_NET_BIND_TCP (1ULL << 0)
#define SB_LL_NET_CONNECT_TCP (1ULL << 1)
#define SB_LL_SCOPE_ABSTRACT_UNIX (1ULL << 0)
#define SB_LL_SCOPE_SIGNAL (1ULL << 1)

/* struct landlock_ruleset_attr as of ABI 6; the size passed follows the ABI. */
struct sb_ruleset_attr {
    __u64 handled_access_fs;
    __u64 handled_access_net;
    __u64 scoped;
};

/* Plain allowed calls, each with the reason the worker keeps it. */
static const char *const allowed[] = {
    /* Reading the objects handed over (the bounded source uses pread and
     * may map the file) and the messages on the socket. The descriptors
     * arrive at run time, so these cannot be tied to one fd number. */
    "read", "pread64", "readv", "preadv", "preadv2", "lseek",
    /* Sizes of handed-over objects: glibc's fstat is newfstatat(fd, "",
     * AT_EMPTY_PATH) or statx. Landlock does not cover metadata; a path
     * given here only reveals metadata, nothing can be sent out. */
    "fstat", "newfstatat", "statx",
    /* Closing each object once its verdict is sent. */
    "close",
    /* Memory: malloc, the per-scan arena, mapped objects, sanitizers. */
    "brk", "mmap", "munmap", "mremap", "madvise", "mprotect",
    /* Ending: the worker _exits on EOF; exit is a thread's. */
    "exit", "exit_group",
    /* Signal plumbing: returning from a handler (sanitizers install them
     * for crash reports), masking, the alternate stack they run on. */
    "rt_sigreturn", "rt_sigprocmask", "sigaltstack",
    /* libyara installs SIGSEGV/SIGBUS handlers around every scan (its
     * YR_TRYCATCH) and restores them after; a disposition of this process
     * only. */
    "rt_sigaction",
    /* The scan-time limit reads the clock (vDSO, with syscall fallback). */
    "clock_gettime", "clock_getres", "gettimeofday", "time",
    /* glibc's and the sanitizers' locks and back-off; no effect outside. */
    "futex", "sched_yield", "nanosleep", "clock_nanosleep",
    /* Self-identification for abort() and sanitizer reports. */
    "getpid", "gettid",
    /* glibc's qsort() sizes its scratch against physical memory (sysconf
     * _SC_PHYS_PAGES, i.e. sysinfo) before sorting a large array of matches;
     * it reveals memory and load figures only. */
    "sysinfo",
};

#ifdef VIGIL_SANITIZE_BUILD
/* ASan+UBSan builds only (-DVIGIL_SANITIZE=ON, never shipped): what the
 * sanitizers' error report calls inside a worker, so that a memory error
 * there is printed instead of lost to SIGSYS. Read-only and local; the
 * report's own reads of /proc are still refused by Landlock. */
static const char *const sanitizer_allowed[] = {
    "readlink", "readlinkat", "getppid", "sched_getaffinity", "getrlimit", "prlimit64",
    "uname", "getuid", "geteuid", "getcwd",
};
#endif

/* Refused with EPERM (issue 9's list); anything else unlisted kills. */
static const char *const refused[] = {
    "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
    "sendmmsg", "recvmmsg", "execve", "execveat", "ptrace", "mount", "umount2",
    "pivot_root", "chroot", "creat", "openat2", "chmod", "fchmod", "fchmodat",
    "chown", "fchown", "lchown", "fchownat", "unlink", "unlinkat", "rename",
    "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat", "mkdir",
    "mkdirat", "rmdir", "mknod", "mknodat", "truncate", "ftruncate",
    "init_module", "finit_module", "delete_module", "kexec_load",
    "kexec_file_load", "fork", "vfork", "clone", "clone3", "kill", "tkill",
    "process_vm_readv", "process_vm_writev", "bpf", "perf_event_open",
    "io_uring_setup", "userfaultfd", "keyctl", "add_key", "request_key",
    "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid",
    "prctl", "seccomp", "ioctl", "fcntl", "dup", "dup2", "dup3",
};

/* Open flags that could create or change a file. */
/* O_TMPFILE without its O_DIRECTORY bit, so a read-only directory open stays
 * a read-only open. */
#define SB_TMPFILE (O_TMPFILE & ~O_DIRECTORY)
#define SB_WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | SB_TMPFILE)

/* One argument comparison, every field set (libseccomp's SCMP_A0 leaves
 * datum_b to the compiler, which clang warns about). */
static struct scmp_arg_cmp cmp_arg(unsigned arg, enum scmp_compare op, uint64_t a,
                                   uint64_t b)
{
    struct scmp_arg_cmp c = {arg, op, a, b};

    return c;
}

static int add_plain(scmp_filter_ctx c, const char *const *names, size_t n,
                     uint32_t action)
{
    size_t k;
    int nr;

    for (k = 0; k < n; k++) {
        nr = seccomp_syscall_resolve_name(names[k]);
        if (nr == __NR_SCMP_ERROR)
            continue; /* unknown to this libseccomp: cannot be called by name */
        if (seccomp_rule_add(c, action, nr, 0) && nr >= 0)
            return -1;
    }
    return 0;
}

/* The socket to the parent is the only descriptor messages go through:
 * allowed there, refused on any other descriptor (no other can exist, but
 * the rule does not rely on that). */
static int add_socket_rules(scmp_filter_ctx c, int sock)
{
    static const char *const io[] = {"sendmsg", "sendto", "recvmsg", "recvfrom"};
    size_t k;
    int nr, rc = 0;

    for (k = 0; k < sizeof io / sizeof io[0] && !rc; k++) {
        nr = seccomp_syscall_resolve_name(io[k]);
        rc = seccomp_rule_add(c, SCMP_ACT_ALLOW, nr, 1,
                              cmp_arg(0, SCMP_CMP_EQ, (unsigned)sock, 0));
        if (!rc)
            rc = seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), nr, 1,
                                  cmp_arg(0, SCMP_CMP_NE, (unsigned)sock, 0));
    }
    /* write: the socket, and stderr for a crash report of the sanitizers or
     * glibc; nothing else. */
    for (k = 0; k < 2 && !rc; k++) {
        nr = k ? SCMP_SYS(writev) : SCMP_SYS(write);
        rc = seccomp_rule_add(c, SCMP_ACT_ALLOW, nr, 1,
                              cmp_arg(0, SCMP_CMP_EQ, (unsigned)sock, 0));
        if (!rc)
            rc = seccomp_rule_add(c, SCMP_ACT_ALLOW, nr, 1, cmp_arg(0, SCMP_CMP_EQ, 2u, 0));
    }
    /* Signals only to itself (abort() raises SIGABRT with tgkill). */
    if (!rc)
        rc = seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
                              cmp_arg(0, SCMP_CMP_EQ, (unsigned)getpid(), 0));
    return rc ? -1 : 0;
}

/* open/openat: read-only opens stay allowed because glibc and the
 * sanitizers may open a file lazily (a locale file, /proc/self/maps for a
 * crash report); Landlock refuses every path anyway where the kernel has it.
 * Any flag that writes or creates is refused. The two rules of each call are
 * disjoint: the flags either have no write bit or have one of them. */
static int add_open_rules(scmp_filter_ctx c)
{
    static const int bits[] = {O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND, SB_TMPFILE};
    int nr[2] = {SCMP_SYS(open), SCMP_SYS(openat)};
    unsigned arg, b, k;

    for (k = 0; k < 2; k++) {
        arg = k ? 2 : 1;
        if (seccomp_rule_add(c, SCMP_ACT_ALLOW, nr[k], 1,
                             cmp_arg(arg, SCMP_CMP_MASKED_EQ, SB_WRITE_FLAGS, 0)) &&
            nr[k] >= 0)
            return -1;
        for (b = 0; b < sizeof bits / sizeof bits[0]; b++)
            if (seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), nr[k], 1,
                                 cmp_arg(arg, SCMP_CMP_MASKED_EQ, (unsigned)bits[b],
                                         (unsigned)bits[b])) &&
                nr[k] >= 0)
                return -1;
    }
    return 0;
}

static vigil_status enter_seccomp(int sock, struct sandbox_info *info)
{
    scmp_filter_ctx c = seccomp_init(SCMP_ACT_KILL_PROCESS);
    vigil_status st = VIGIL_EUNSUPPORTED;
    int rc;

    if (!c) {
        snprintf(info->why, sizeof info->why, "seccomp_init failed");
        return VIGIL_ENOMEM;
    }
#ifdef VIGIL_SANITIZE_BUILD
    if (add_plain(c, sanitizer_allowed, sizeof sanitizer_allowed / sizeof sanitizer_allowed[0],
                  SCMP_ACT_ALLOW)) {
        snprintf(info->why, sizeof info->why, "building the seccomp filter failed");
        goto out;
    }
#endif
    if (add_plain(c, allowed, sizeof allowed / sizeof allowed[0], SCMP_ACT_ALLOW) ||
        add_plain(c, refused, sizeof refused / sizeof refused[0], SCMP_ACT_ERRNO(EPERM)) ||
        add_socket_rules(c, sock) || add_open_rules(c)) {
        snprintf(info->why, sizeof info->why, "building the seccomp filter failed");
        goto out;
    }
    rc = seccomp_load(c);
    if (rc) {
        snprintf(info->why, sizeof info->why, "loading the seccomp filter: %s",
                 strerror(-rc));
        goto out;
    }
    info->seccomp = true;
    st = VIGIL_OK;
out:
    seccomp_release(c);
    return st;
}

int sandbox_landlock_abi(void)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
                       LANDLOCK_CREATE_RULESET_VERSION);

    return abi < 0 ? 0 : (int)abi;
}

/* Every filesystem right the kernel's ABI knows, handled, with no rule that
 * grants any: the process can no longer use a path. */
static vigil_status enter_landlock(int abi, struct sandbox_info *info)
{
    struct sb_ruleset_attr a = {0};
    size_t size = sizeof a.handled_access_fs;
    int fd;

    a.handled_access_fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;
    if (abi >= 2)
        a.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        a.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
    if (abi >= 4) {
        a.handled_access_net = SB_LL_NET_BIND_TCP | SB_LL_NET_CONNECT_TCP;
        size = offsetof(struct sb_ruleset_attr, scoped);
    }
    if (abi >= 5)
        a.handled_access_fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
    if (abi >= 6) {
        a.scoped = SB_LL_SCOPE_ABSTRACT_UNIX | SB_LL_SCOPE_SIGNAL;
        size = sizeof a;
    }
    fd = (int)syscall(SYS_landlock_create_ruleset, &a, size, 0);
    if (fd < 0 || syscall(SYS_landlock_restrict_self, fd, 0)) {
        snprintf(info->why, sizeof info->why, "Landlock ABI %d: %s", abi, strerror(errno));
        if (fd >= 0)
            close(fd);
        return VIGIL_EUNSUPPORTED;
    }
    close(fd);
    info->landlock_abi = abi;
    return VIGIL_OK;
}

static bool kept_fd(int fd, const int *keep, size_t nkeep)
{
    size_t k;

    for (k = 0; k < nkeep; k++)
        if (keep[k] == fd)
            return true;
    return fd == 2;
}

/* Closes every descriptor but keep[] and stderr: close_range() over the gaps
 * (Linux 5.9), else one close() per possible descriptor. */
static void close_others(const int *keep, size_t nkeep)
{
    struct rlimit rl;
    int fd, lo = 0, max = 65536;

    /* Kept descriptors are small numbers: those past 65535 are not kept. */
    for (fd = 0; fd < 65536; fd++) {
        if (!kept_fd(fd, keep, nkeep))
            continue;
        if (fd > lo && syscall(SYS_close_range, (unsigned)lo, (unsigned)(fd - 1), 0u))
            goto fallback;
        lo = fd + 1;
    }
    if (!syscall(SYS_close_range, (unsigned)lo, ~0u, 0u))
        return;
fallback:
    if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)max)
        max = (int)rl.rlim_cur;
    for (fd = 0; fd < max; fd++)
        if (!kept_fd(fd, keep, nkeep))
            close(fd);
}

vigil_status sandbox_enter(const int *keep, size_t nkeep, unsigned flags,
                           struct sandbox_info *info)
{
    vigil_status st;
    int abi;

    memset(info, 0, sizeof *info);
    if (!nkeep || keep[0] < 0)
        return VIGIL_EINVAL;
    close_others(keep, nkeep);
    /* Required by Landlock and by seccomp without CAP_SYS_ADMIN, and it keeps
     * a setuid program from gaining anything should exec ever be reached. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
        snprintf(info->why, sizeof info->why, "no_new_privs: %s", strerror(errno));
        return VIGIL_EUNSUPPORTED;
    }
    abi = flags & SANDBOX_NO_LANDLOCK ? 0 : sandbox_landlock_abi();
    if (abi > 0) {
        st = enter_landlock(abi, info);
        if (st != VIGIL_OK)
            return st;
    } else {
        snprintf(info->why, sizeof info->why,
                 "the kernel has no Landlock: seccomp only");
    }
    return enter_seccomp(keep[0], info);
}
