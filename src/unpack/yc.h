/* yc.h - PE files protected by yoda's Crypter (yC 1.x) decrypted as
 * clamscan does. */
#ifndef VIGIL_UNPACK_YC_H
#define VIGIL_UNPACK_YC_H

#include <stddef.h>
#include <stdint.h>

struct pe_info;

/* If buf[0..len) (parsed into pe) is a yC-protected PE clamscan would
 * decrypt, runs its two layers of byte decryptors over a copy of the
 * file, removes the yC section from the header as clamscan does and
 * returns 1 with the file in *out (malloc'd, *outlen bytes, owned by the
 * caller). Returns 0 when it is not yC, the file is over max bytes or
 * the decryptors cannot be run to the end; -1 when out of memory.
 * (clamscan reports Heuristics.BoundsCheck when a decryptor reaches
 * outside the file, which its checks on the loader only let happen when
 * yC's data offset wraps below the file's start, where clamscan itself
 * reads outside its buffer; vigil stops there and reports nothing.) */
int yc_unpack(const uint8_t *buf, size_t len, const struct pe_info *pe, size_t max,
              uint8_t **out, size_t *outlen);

#endif
