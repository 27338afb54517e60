/* yara_gate.h - which objects libyara can be skipped for.
 *
 * libyara runs every byte through its Aho-Corasick automaton; on clean
 * files most rule sets match nothing. A rule is gated when its condition
 * cannot be true unless at least one of its own strings matches, and every
 * one of its strings has literal atoms that any match of the string must
 * contain. When every rule that can be reported (not private) is gated, an
 * object in which a Vectorscan scan finds none of those atoms cannot match
 * any rule, and libyara is not run for it. Otherwise (one rule that may
 * match without a string, or that this analysis does not understand)
 * libyara runs for every object.
 *
 * The analysis is conservative and reads the rule sources (db/yara.h), not
 * libyara's bytecode:
 *  - a condition is gated when it is a disjunction (or) of conjunctions
 *    (and) each holding at least one gated factor; a factor is gated when
 *    it is a gated condition in parentheses, `$a`, `$a at E`, `$a in (R)`,
 *    `#a > N`, `#a >= N` / `#a == N` with N >= 1, `#a != 0`, or
 *    `any | all | N>=1 of (them | ($a, $b*, ...))`; anything else (`not`,
 *    `filesize < 10`, `uint16(0) == 0x5a4d` alone, `for` loops, rule
 *    references, modules, externals) is not gated;
 *  - atoms: a text string's bytes (ascii and/or wide form, caseless with
 *    nocase); a hex string's longest run of fixed bytes outside
 *    alternatives; regular expressions, xor and base64 strings have none,
 *    so their rule is not gated;
 *  - the rules found in a source must be, in order, the compiled rules of
 *    that source with the same string identifiers; a rule that is not
 *    found so (from an include, or a file the lexer does not follow) is not
 *    gated. */
#ifndef VIGIL_DB_YARA_GATE_H
#define VIGIL_DB_YARA_GATE_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

struct vigil_engine;
struct yara_gate;

/* Builds e's gate from its compiled rules and their sources into *out:
 * NULL when some reportable rule is not gated (libyara always runs).
 * Returns VIGIL_OK, or VIGIL_ENOMEM. */
vigil_status yara_gate_build(struct vigil_engine *e, struct yara_gate **out);

void yara_gate_free(struct yara_gate *g);

/* Statistics for the log: rules gated of rules analysed, atoms. */
void yara_gate_counts(const struct yara_gate *g, size_t *gated, size_t *atoms);

/* Per-scanner state (Vectorscan scratch). */
struct yara_gate_scratch;
vigil_status yara_gate_scratch_new(const struct yara_gate *g,
                                   struct yara_gate_scratch **out);
void yara_gate_scratch_free(struct yara_gate_scratch *s);

/* Returns 1 if libyara must run over buf[0..len) (some atom occurs, or the
 * pre-filter failed), 0 if no rule can match it. */
int yara_gate_needed(const struct yara_gate *g, struct yara_gate_scratch *s,
                     const uint8_t *buf, size_t len);

/* For the unit test and the fuzz target: 1 if the rule conditions and
 * strings of one source text are all gated (with the number of rules
 * found), 0 if not, -1 if the text is not followed. */
int yara_gate_source_all(const char *text, size_t len, size_t *nrules);

#endif
