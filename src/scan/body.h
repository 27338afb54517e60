/* body.h - body-signature matching of one object held in memory: atoms
 * through the pre-filter, each hit verified, matches ordered as clamscan
 * reports them (by where the match ends). */
#ifndef VIGIL_SCAN_BODY_H
#define VIGIL_SCAN_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "scan/exe.h"
#include "scan/lsig.h"
#include "vigil/vigil.h"

struct vigil_engine;
struct vigil_result;
struct atoms_scratch;
struct bodysig_memo;

struct body_hit {
    uint32_t sig;
    size_t start, end;
    uint8_t any_target; /* a target-0 signature: listed after typed ones */
    uint8_t ac;         /* matched by clamscan's Aho-Corasick, after its
                         * Boyer-Moore signatures (see body_bm) */
};

/* The parts of one multi-part signature seen in the current object (valid
 * when gen is the scratch's). */
struct body_slot {
    uint32_t gen;
    uint64_t bits;
};

/* An atom hit waiting for the end of a pre-filter pass. */
struct body_pending {
    uint32_t sig;
    size_t at;
};

/* Full forms of recently verified signatures: the engine keeps them slim
 * (bodysig_slim). Direct-mapped by signature id. */
#define BODY_FULL_SLOTS 4096

struct body_full {
    uint32_t id;
    struct bodysig *sig;
};

/* Per-scanner state of body matching. */
struct body_scratch {
    struct atoms_scratch *atoms;
    uint8_t *seen;         /* one bit per signature: matched in this object */
    struct bodysig_memo *memo; /* searches that found nothing, this object */
    struct body_hit *hits; /* matches of this object */
    size_t nhits, cap;
    struct body_slot *slots; /* per slot of the engine's body plan */
    uint32_t gen;            /* this object's generation of slots */
    uint32_t *enum_gen;      /* per signature: gen when its ends were listed */
    struct body_full *full;  /* BODY_FULL_SLOTS of them */
    struct bodysig *view;    /* an image's slim signature, made on a hit */
    struct body_pending *pending;
    size_t npending, cap_pending;
    struct exe_info exe;   /* layout of the object, if an executable */
    struct lsig_scratch lsig; /* logical signatures of this object */
};

vigil_status body_scratch_init(struct body_scratch *b, const struct vigil_engine *e);
void body_scratch_free(struct body_scratch *b);

/* Matches the engine's body signatures of target 0 and of target `type`
 * (a enum target_type; TARGET_ANY for target 0 only) against buf[0..len)
 * and appends the detections to r (all of them with allmatch, else the first by position).
 * Logical signatures are evaluated too (with allmatch, or when no body
 * signature matched); their matches wait in b->lsig for lsig_report(),
 * because clamscan reports them after the hash matches. */
vigil_status body_scan(const struct vigil_engine *e, struct body_scratch *b,
                       const uint8_t *buf, size_t len, unsigned type, int allmatch,
                       struct vigil_result *r);

#endif
