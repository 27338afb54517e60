/* bodyplan.h - what the literal pre-filter looks for on behalf of each body
 * signature. Every signature has its atom (match/bodysig.c chooses it in its
 * last part with a selective run); a signature of several parts also has the
 * atoms of the parts before that one, its segments. A segment hit only marks
 * its part as seen in the object; an atom hit is verified only once every
 * segment of its signature has been seen, because no match can lack one. On
 * clean files most multi-part signatures then never reach the verifier and
 * its searches for gaps like `*`. */
#ifndef VIGIL_SCAN_BODYPLAN_H
#define VIGIL_SCAN_BODYPLAN_H

#include <stdint.h>

#include "match/bodysig.h"
#include "vigil/vigil.h"

struct atoms;
struct ndb_table;

/* Pre-filter ids: a body signature's index, or BODYPLAN_SEG | segment. */
#define BODYPLAN_SEG 0x80000000u
#define BODYPLAN_NONE UINT32_MAX
/* Parts beyond this many are left to the verifier. */
#define BODYPLAN_MAX_PARTS 64

struct bodyplan_seg {
    uint32_t slot; /* the signature's slot */
    uint32_t bit;  /* its part */
};

/* The quick test of a signature's atom hits (see bodysig_quick), kept in
 * one flat array so that rejecting a hit touches one cache line. */
struct bodyplan_quick {
    struct bodysig_quick q;
    uint32_t atom_len;
};

struct bodyplan {
    struct bodyplan_quick *quick; /* per body signature */
    uint32_t *slot;  /* per body signature: its slot, or BODYPLAN_NONE */
    uint64_t *need;  /* per slot: the parts that must have been seen */
    struct bodyplan_seg *segs;
    uint32_t nslots, nsegs;
};

/* Adds the atom and segments of every signature of t to a (not yet
 * compiled) and fills *p. On failure *bad is the signature that could not
 * be indexed (or BODYPLAN_NONE). The caller frees *p with bodyplan_free(),
 * also on failure. */
vigil_status bodyplan_build(struct bodyplan *p, struct atoms *a, const struct ndb_table *t,
                            uint32_t *bad);

void bodyplan_free(struct bodyplan *p);

/* Returns 0 if the atom hit of signature sig at buf[at] fails its quick
 * test (it cannot be a match), 1 if it needs verifying. */
int bodyplan_quick_pass(const struct bodyplan *p, uint32_t sig, const uint8_t *buf,
                        size_t len, size_t at);

#endif
