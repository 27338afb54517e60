/* digest.h - compute the whole-object digests a scan needs, in one read. */
#ifndef VIGIL_SCAN_DIGEST_H
#define VIGIL_SCAN_DIGEST_H

#include <stdint.h>

#include "io/source.h"
#include "match/hashset.h"

struct evp_md_ctx_st;
struct evp_md_st;

struct digester {
    struct evp_md_st *md[HASH_KINDS];
    struct evp_md_ctx_st *ctx[HASH_KINDS];
};

struct digests {
    unsigned kinds; /* bits (1u << kind) that are filled in */
    uint8_t d[HASH_KINDS][32];
};

/* Fetches the digest implementations. */
vigil_status digester_init(struct digester *dg);
void digester_free(struct digester *dg);

/* Reads the whole source once through buf (bufsize bytes) and computes the
 * digests whose bits are in kinds into *out. *bytes_read is what was read.
 * VIGIL_ECHANGED if the object was shorter than its size said. */
vigil_status digester_run(struct digester *dg, const struct source *src,
                          unsigned kinds, uint8_t *buf, size_t bufsize,
                          struct digests *out, uint64_t *bytes_read);

#endif
