/* pe_hash.h - PE section hashes (.mdb/.msb) and the import table hash
 * (.imp) of one PE, matched against the engine's tables. */
#ifndef VIGIL_SCAN_PE_HASH_H
#define VIGIL_SCAN_PE_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "scan/pe.h"
#include "vigil/vigil.h"

struct vigil_engine;
struct vigil_result;

/* Hashes each section of pe (parsed from buf[0..len)) that has raw data
 * and whose size some section signature has, and appends the matches to r
 * in section order (only the first without all). */
vigil_status pe_hash_sections(const struct vigil_engine *e, const uint8_t *buf,
                              size_t len, const struct pe_info *pe, int all,
                              struct vigil_result *r);

/* Builds the import string of pe, hashes it and appends a match to r. A PE
 * without imports, or whose import table ClamAV finds malformed, has no
 * import hash. */
vigil_status pe_hash_imports(const struct vigil_engine *e, const uint8_t *buf, size_t len,
                             const struct pe_info *pe, int all, struct vigil_result *r);

#endif
