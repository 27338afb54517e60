/* lsig.h - logical signatures in the scan of one object: the match counts
 * of each logical signature touched by a body match, then, once the body
 * pass is over, byte compares, PCREs, macros, the expression and the target
 * description block, in clamscan's order. */
#ifndef VIGIL_SCAN_LSIG_H
#define VIGIL_SCAN_LSIG_H

#include <stddef.h>
#include <stdint.h>

#include "scan/offset.h"
#include "vigil/vigil.h"

struct vigil_engine;
struct vigil_result;
struct ndb_sig;
struct lpcre_scratch;

/* Where a subsignature's counted matches are, ClamAV's lsigsuboff_last. */
struct lsig_pos {
    uint64_t last;  /* start of the last counted match (UINT64_MAX: none) */
    uint64_t lend;  /* its end */
    uint64_t win;   /* start of the last counted match that ends within the
                     * first LSIG_BCOMP_WINDOW bytes: what byte compares see */
};

/* clamscan reads an object in 128 KiB buffers and runs byte compares on
 * each buffer with the match offsets known by then; only the first buffer
 * gives them the offsets they expect (measured: a reference match that ends
 * past 131072 bytes never satisfies a byte compare). vigil evaluates byte
 * compares as they fare on that first buffer. */
#define LSIG_BCOMP_WINDOW ((size_t)128 << 10)

/* Per-scanner state; everything is bounded by the engine's tables. */
struct lsig_scratch {
    uint32_t *slot_of;  /* per logical signature: its slot, or UINT32_MAX */
    uint32_t *touched;  /* logical signatures with a slot, this object */
    size_t ntouched;
    uint32_t *cnt;      /* slots: nsubs match counts each */
    struct lsig_pos *pos; /* ... and where those matches are */
    size_t used, cap, max; /* in subsignatures; max = the engine's total */
    uint32_t *always;   /* logical signatures that may hold without a match */
    size_t nalways;
    uint32_t *cand;     /* candidates of this object, in evaluation order */
    uint32_t *found;    /* logical signatures that matched, in report order */
    size_t nfound;
    uint64_t macro_last[32]; /* last match start of each macro group */
    /* The object's place in its containers (ldb_ftype_code values): the
     * type of its container (0, CL_TYPE_ANY, at the top level) and of
     * every container above it, outermost first. Set by the scan layer. */
    uint16_t container;
    uint16_t inter[64];
    uint8_t ninter;
    uint8_t *fold;      /* case-folded copy of the object, for ::i */
    size_t fold_cap;
    int folded;
    struct lpcre_scratch *pcre;
};

vigil_status lsig_scratch_init(struct lsig_scratch *s, const struct vigil_engine *e);
void lsig_scratch_free(struct lsig_scratch *s);

/* Forgets the previous object (counts, matches, folded copy). */
void lsig_reset(struct lsig_scratch *s);

/* Records a verified match [start, end) of body subsignature sig (whose
 * lsig is not NDB_NO_LSIG), with ClamAV's counting rules: a match is counted
 * when it starts after the last counted one (at or after it for patterns
 * ClamAV matches in parts). Returns VIGIL_OK or VIGIL_ENOMEM. */
vigil_status lsig_hit(struct lsig_scratch *s, const struct vigil_engine *e,
                      const struct ndb_sig *sig, size_t start, size_t end);

/* Records a match starting at start of a body signature of macro group
 * `group` (an .ndb signature with a $group offset: clamscan never reports
 * those, it only remembers where the group last matched). For the macro
 * offsets offset.c does not read yet; nothing calls it until then. */
void lsig_macro_hit(struct lsig_scratch *s, unsigned group, uint64_t start);

/* Returns buf[0..len) with A-Z folded to a-z (computed once per object,
 * kept in s), or NULL when out of memory. */
const uint8_t *lsig_folded(struct lsig_scratch *s, const uint8_t *buf, size_t len);

/*
 * Evaluates the logical signatures that can match this object (type is its
 * target type, exe its layout or NULL): those a body match touched and those
 * that may hold without one, target-specific ones first, each in load
 * order, as clamscan does. The matches wait in s (lsig_pending) until
 * lsig_report; without allmatch the first one ends the evaluation.
 */
vigil_status lsig_finish(const struct vigil_engine *e, struct lsig_scratch *s,
                         const uint8_t *buf, size_t len, unsigned type,
                         const struct exe_layout *exe, int allmatch);

/* The number of logical signature matches waiting to be reported. */
size_t lsig_pending(const struct lsig_scratch *s);

/* Appends the waiting matches to r: all of them with allmatch, else the
 * first, and only if r has no detection yet (clamscan reports logical
 * signatures after body and hash matches). Clears them. */
vigil_status lsig_report(const struct vigil_engine *e, struct lsig_scratch *s,
                         int allmatch, struct vigil_result *r);

/* Drops the waiting matches (the object is on the allow list). */
void lsig_drop(struct lsig_scratch *s);

#endif
