/* selftest.h - the sandbox self-test, compiled only into the test program
 * vigil-selftest (VIGIL_SANDBOX_SELFTEST), never into vigil.
 *
 * A worker of vigil-selftest reads the first bytes of each object it is
 * given. An object that starts with "VIGIL-SANDBOX-SELFTEST" lists what the
 * worker then tries, inside its sandbox, one word each:
 *   socket  connect  open:PATH (O_WRONLY|O_CREAT)  execve  ptrace  unlink:PATH
 *   read:PATH (O_RDONLY)  pause:MS  garbage (a malformed message)  crash
 * and the result of each attempt goes to the parent as a warning:
 * "sandbox self-test: socket(): refused (Operation not permitted)" or
 * "... ALLOWED". Environment: VIGIL_SELFTEST_NO_LANDLOCK=1 makes workers
 * behave as on a kernel without Landlock.
 */
#ifndef VIGIL_CLI_SELFTEST_H
#define VIGIL_CLI_SELFTEST_H

/* worker_config.before_scan for the self-test. */
void selftest_before_scan(void *ctx, int sock, int fd);

/* SANDBOX_* flags from the environment. */
unsigned selftest_sandbox_flags(void);

#endif
