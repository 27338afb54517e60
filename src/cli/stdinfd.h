/* stdinfd.h - `vigil scan -`: standard input as a scannable descriptor.
 *
 * The library scans descriptors it can pread() and fstat(). A pipe is
 * neither, so its bytes are copied into an anonymous memory file
 * (memfd_create): no temporary file is ever written, unlike clamscan. A
 * regular file redirected to stdin at offset 0 is scanned as it is.
 */
#ifndef VIGIL_CLI_STDINFD_H
#define VIGIL_CLI_STDINFD_H

#include <stdint.h>

/*
 * Makes a descriptor with the contents of `in` in *out (owned by the
 * caller). When max is not 0, at most max + 1 bytes are kept: enough for the
 * library to see that the input is over its size limit; the rest is read and
 * dropped so the writer is not left blocked. Returns 0 or an errno.
 */
int stdinfd_open(int in, uint64_t max, int *out);

#endif
