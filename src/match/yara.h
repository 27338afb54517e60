/* yara.h - the bridge between the scan of one object and libyara: one
 * YR_SCANNER per vigil scanner, fed the object buffer the pattern matcher
 * reads, its matches kept until the scan decides what to report. */
#ifndef VIGIL_MATCH_YARA_H
#define VIGIL_MATCH_YARA_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

struct vigil_engine;
struct vigil_result;
struct yscan;

/* At most this many string matches are listed per rule match, and this many
 * bytes of each; the bytes of match data kept per top-level scan are
 * bounded by YSCAN_MAX_ARENA (past it, strings are counted, not listed). */
#define YSCAN_MAX_STRINGS 64
#define YSCAN_MAX_DATA 64
#define YSCAN_MAX_ARENA ((size_t)16 << 20)

/* What the rules' external variables say about one object. */
struct yscan_object {
    const char *path;  /* filepath; its last component is filename, the text
                        * after that component's last '.' is extension; NULL
                        * for none */
    const char *type;  /* filetype: vigil's type name (filetype_name) */
    uint32_t depth;    /* depth: 0 for the scanned file, 1 inside it, ... */
    uint32_t timeout_ms; /* YARA's time budget for this object, 0: none */
};

/* Creates the per-scanner YARA state in *out, or sets *out to NULL when the
 * engine has no YARA rules. The engine must outlive it. */
vigil_status yscan_new(const struct vigil_engine *e, struct yscan **out);
void yscan_free(struct yscan *y);

/* Starts a new top-level scan: forgets every match and its data. */
void yscan_reset(struct yscan *y);

/*
 * Runs the rules over buf[0..len). Matching rules wait (yscan_pending) until
 * yscan_report; without allmatch the first matching rule ends the run. Sets
 * VIGIL_LIMIT_SCANTIME in *limits when the object ran out of time (its
 * matches are then unknown: none are kept) and VIGIL_LIMIT_YARA_MATCHES when
 * a string matched more often than libyara records.
 */
vigil_status yscan_run(struct yscan *y, const uint8_t *buf, size_t len,
                       const struct yscan_object *o, int allmatch,
                       unsigned *limits);

/* The number of rule matches waiting to be reported. */
size_t yscan_pending(const struct yscan *y);

/* Drops the waiting matches (the object is on the allow list). */
void yscan_drop(struct yscan *y);

/* Appends the waiting matches to r as detections with their YARA data: all
 * of them with allmatch, else the first and only if r has none yet. */
vigil_status yscan_report(struct yscan *y, int allmatch, struct vigil_result *r,
                          const char *layer_path, uint32_t depth);

/* As yscan_report, for the waiting matches of rules that come before
 * logical signature `before` in load order (yara_rule_info.order <=
 * before; UINT32_MAX: all): those are reported and no longer wait. */
vigil_status yscan_report_before(struct yscan *y, uint32_t before, int allmatch,
                                 struct vigil_result *r);

/* The load order of the first YARA rule file (see yara_rule_info.order);
 * UINT32_MAX without rules. */
uint32_t yscan_first_order(const struct yscan *y);

#endif
