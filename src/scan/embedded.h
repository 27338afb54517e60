/* embedded.h - the search index for archives embedded in other objects
 * (embedded.c): every magic searched anywhere, compiled with the engine. */
#ifndef VIGIL_SCAN_EMBEDDED_H
#define VIGIL_SCAN_EMBEDDED_H

#include "db/ftm.h"
#include "vigil/vigil.h"

struct emb_index;
struct atoms_scratch;

/* Builds the index of the built-in SFX magics (when t has no type-0
 * entry) and the type-1 entries of t. t must outlive the index. */
vigil_status emb_index_build(const struct ftm_table *t, struct emb_index **out);
void emb_index_free(struct emb_index *x);

/* Per-scanner scratch for searching with x; *out stays NULL when x has
 * nothing to search by the pre-filter. Freed with atoms_scratch_free(). */
vigil_status emb_scratch_new(const struct emb_index *x, struct atoms_scratch **out);

#endif
