/* confine.c - the one place a scan worker will be sandboxed.
 *
 * NOT A SANDBOX YET. The seccomp filter (no socket, connect, exec, ptrace,
 * no open for writing) and the Landlock ruleset (no filesystem access beyond
 * the descriptors a worker is handed) land with issue 9, from
 * src/os/linux/sandbox.c, which is being written for `vigil scan`'s workers.
 * Until then a worker runs with the parent's privileges (after the User
 * drop), and this function does nothing. It exists so that the call site in
 * worker start-up is fixed now and reviewed once.
 */
#include "daemon/confine.h"

int worker_confine(void)
{
    return 0;
}
