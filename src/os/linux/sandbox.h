/* sandbox.h - confining a scan worker process: Linux seccomp and Landlock.
 *
 * A worker is a process that only receives open file descriptors and sends
 * verdicts back over one socket. sandbox_enter() makes that all it can do:
 * every other descriptor is closed, no_new_privs is set, Landlock (where the
 * kernel has it) removes all filesystem access, and a seccomp filter keeps
 * only the system calls a scan needs. It is one-way: nothing undoes it.
 * Used by `vigil scan`'s workers and meant for vigild's.
 */
#ifndef VIGIL_OS_LINUX_SANDBOX_H
#define VIGIL_OS_LINUX_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "vigil/vigil.h"

/* What the sandbox could apply on this kernel. */
struct sandbox_info {
    int landlock_abi; /* 0: the kernel has no Landlock (seccomp only) */
    bool seccomp;     /* the filter is loaded */
    char why[160];    /* on failure, or why Landlock is missing */
};

/* Test builds only (VIGIL_SANDBOX_SELFTEST): behave as on a kernel without
 * Landlock, to test the degraded path on one that has it. */
#define SANDBOX_NO_LANDLOCK (1u << 0)

/*
 * Confines the calling process for good. keep lists the descriptors it keeps
 * (keep[0] is the socket to the parent: the only descriptor it may send or
 * receive on); stderr (2) is kept too, write-only, for crash reports. Every
 * other descriptor is closed. Call it single-threaded, after every allocation
 * that needs the filesystem. Returns VIGIL_OK with *info filled, or
 * VIGIL_EUNSUPPORTED / VIGIL_ENOMEM with info->why: the caller must then not
 * scan anything (fail closed).
 */
vigil_status sandbox_enter(const int *keep, size_t nkeep, unsigned flags,
                           struct sandbox_info *info);

/* Returns the Landlock ABI version of the running kernel, 0 if none. */
int sandbox_landlock_abi(void);

#endif
