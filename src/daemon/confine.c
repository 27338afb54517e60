/* confine.c - the one place a scan worker of vigild is sandboxed: the same
 * confinement as `vigil scan`'s workers (src/os/linux/sandbox.c, where every
 * system call a worker keeps is justified): all descriptors but the socket
 * to the parent closed, no_new_privs, Landlock with no filesystem access at
 * all where the kernel has it, and a seccomp filter that refuses socket,
 * connect, exec, ptrace, opening for writing and changing files. A worker
 * only ever reads the descriptors the parent hands it (files opened by the
 * parent, FILDES descriptors from clients, INSTREAM memfds).
 */
#include "daemon/confine.h"

#include "os/linux/sandbox.h"

int worker_confine(int sock)
{
    struct sandbox_info info;

    /* Fail closed: a worker that cannot be confined scans nothing. */
    return sandbox_enter(&sock, 1, 0, &info) == VIGIL_OK ? 0 : -1;
}
