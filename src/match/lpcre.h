/* lpcre.h - PCRE subsignatures of ClamAV logical signatures:
 *   [Offset:]Trigger/Pattern/[Flags]
 * a PCRE2 regular expression run over the object when its trigger (a
 * logical expression over the earlier subsignatures) holds; each match
 * counts as a match of the subsignature at the regex match's start. */
#ifndef VIGIL_MATCH_LPCRE_H
#define VIGIL_MATCH_LPCRE_H

#include <stddef.h>
#include <stdint.h>

#include "scan/offset.h"
#include "vigil/vigil.h"

/* ClamAV's defaults (clamscan --pcre-match-limit, --pcre-recmatch-limit,
 * --pcre-max-filesize). */
#define LPCRE_MATCH_LIMIT 100000
#define LPCRE_DEPTH_LIMIT 2000
#define LPCRE_MAX_FILESIZE ((size_t)100 << 20)
/* Characters of one pattern. */
#define LPCRE_MAX_PATTERN 32767

struct lexpr;
struct lpcre;
struct lpcre_scratch;

/*
 * Compiles the subsignature text s[0..n) (Trigger/Pattern/Flags, already
 * split from its offset) as subsignature `subsig` (its trigger may name only
 * earlier ones) with offset *off. Returns
 * VIGIL_OK, VIGIL_EMALFORMED with the reason in why, or VIGIL_ENOMEM. The
 * caller owns *out (lpcre_free). A copy of s is kept (lpcre_source).
 */
vigil_status lpcre_new(const char *s, size_t n, unsigned subsig,
                       const struct offset_spec *off, struct lpcre **out, char *why,
                       size_t whylen);
void lpcre_free(struct lpcre *re);

/* The subsignature index, and the trigger (NULL: ClamAV's bypass trigger,
 * which always holds). */
unsigned lpcre_subsig(const struct lpcre *re);
const struct lexpr *lpcre_trigger(const struct lpcre *re);

/* The text and offset it was made from: lpcre_new(text, n, lpcre_subsig(re),
 * lpcre_offset(re), ...) makes it again (the engine image keeps these). */
const char *lpcre_source(const struct lpcre *re, size_t *n);
const struct offset_spec *lpcre_offset(const struct lpcre *re);

/* Per-thread match state. */
vigil_status lpcre_scratch_new(struct lpcre_scratch **out);
void lpcre_scratch_free(struct lpcre_scratch *s);

/* Called for each counted match with the offset of its start in the
 * object. Return nonzero to stop. */
typedef int (*lpcre_hit_fn)(void *ctx, uint64_t start);

/*
 * Runs re over buf[0..len) as ClamAV's cli_pcre_scanbuf does: from the
 * offset's start (anchored there for a fixed offset, unless the r flag),
 * within offset+shift for the start of the match (the e flag limits the
 * subject itself), once or, with g, again from the end of each match.
 * Stops quietly at the match or depth limit, as ClamAV does. Objects over
 * LPCRE_MAX_FILESIZE are not searched (clamscan's --pcre-max-filesize).
 * Returns VIGIL_OK or VIGIL_ENOMEM.
 */
vigil_status lpcre_scan(const struct lpcre *re, struct lpcre_scratch *s,
                        const uint8_t *buf, size_t len, const struct exe_layout *exe,
                        lpcre_hit_fn fn, void *ctx);

#endif
