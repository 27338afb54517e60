/* bodysig.h - ClamAV body signatures (the hex patterns of .ndb/.ldb/.db):
 * parse one into a compiled pattern, name the literal atom the pre-filter
 * indexes, and verify a whole match around an atom hit.
 *
 * The matcher (match/atoms.c) puts every signature's atom into one Vectorscan
 * pure-literal database per target type; for each atom hit it calls
 * bodysig_verify() with the atom's position, and the verifier decides whether
 * the whole signature (wildcards, nibbles, alternatives, negations, boundary
 * anchors, gaps) matches with the atom there and the match start inside the
 * window the signature's offset allows. Offsets are computed by the caller;
 * the verifier only takes the window. */
#ifndef VIGIL_MATCH_BODYSIG_H
#define VIGIL_MATCH_BODYSIG_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

/* A signature must hold a run of at least this many static bytes (ClamAV). */
#define BODYSIG_MIN_STATIC 2
/* Longest atom a signature indexes. */
#define BODYSIG_MAX_ATOM 32

struct bodysig;

/* The literal the pre-filter looks for: len (1..BODYSIG_MAX_ATOM) static bytes
 * that every match of the signature contains. A match that places the atom at
 * buf[at] is what bodysig_verify() is asked about. */
struct bodysig_atom {
    uint8_t bytes[BODYSIG_MAX_ATOM];
    size_t len;
};

/* Parses hex[0..len) (one ClamAV body signature, e.g. "4142??43{2-5}44*4546")
 * into *out. On malformed input returns VIGIL_EMALFORMED and writes ClamAV's
 * reason (or a precise one of ours) into why[0..whylen). The caller owns *out
 * and frees it with bodysig_free(). Nothing of hex is kept. */
vigil_status bodysig_parse(const char *hex, size_t len, struct bodysig **out,
                           char *why, size_t whylen);

/* Frees a signature. NULL is allowed. */
void bodysig_free(struct bodysig *sig);

/* Drops what verification needs (a database holds hundreds of thousands of
 * signatures; a scan verifies few of them): the signature keeps its text,
 * atom, part count and lengths. bodysig_verify() refuses a slim signature;
 * bodysig_expand() makes a full one from it. */
void bodysig_slim(struct bodysig *sig);

/* Parses sig's text again into a new full signature *out (the caller frees
 * it). Parsing is deterministic: *out is what sig was before bodysig_slim().
 * VIGIL_ENOMEM is the only failure. */
vigil_status bodysig_expand(const struct bodysig *sig, struct bodysig **out);

/* Weight of a window of static bytes from which on it is selective enough to
 * be looked for on its own (three informative bytes). */
#define BODYSIG_GOOD_WEIGHT 24

/* Returns the signature's atom: the most selective static run of its last
 * part that has a good one (weight >= BODYSIG_GOOD_WEIGHT), else of the part
 * with the best one (long runs preferred; runs of 00, FF, 90, CC avoided). */
const struct bodysig_atom *bodysig_atom(const struct bodysig *sig);

/* Returns how many parts the signature has (it is split at `*` and at ranged
 * gaps `{n-m}`); a match places them left to right without overlap. */
uint32_t bodysig_nparts(const struct bodysig *sig);

/* Returns the part that holds the signature's atom. */
uint32_t bodysig_atom_part(const struct bodysig *sig);

/* For a part before the atom's part whose most selective static run is
 * selective enough (weight >= BODYSIG_GOOD_WEIGHT): writes that run into
 * *out and returns its weight (8 per informative byte; see bodysig.c).
 * Every match of the signature contains it, within that part. Returns 0
 * (out->len 0) for any other part. Works on slim signatures too. */
unsigned bodysig_part_atom(const struct bodysig *sig, uint32_t part,
                           struct bodysig_atom *out);

/* A quick test of an atom hit: the bytes at fixed distances next to the
 * atom that every match has, as (buf[i] & mask) == val for the 8 bytes
 * before the atom (lval, lmask; byte i of the word is buf[at - 8 + i]) and
 * the 8 after it (rval, rmask; byte i is buf[at + atom len + i]). A hit that
 * fails it cannot be a match; one that passes still needs bodysig_verify().
 * Masks are 0 where the signature says nothing (or lies beyond a variable
 * element). */
struct bodysig_quick {
    uint64_t lval, lmask, rval, rmask;
};

/* Returns 1 if the signature is nothing but its atom (plain bytes, one part,
 * no boundary or anchored-byte checks): an atom hit at buf[at] is then a
 * match of [at, at + atom len) with no verifying. Works on slim signatures. */
int bodysig_literal(const struct bodysig *sig);

/* Fills *q for sig's atom. */
void bodysig_quick(const struct bodysig *sig, struct bodysig_quick *q);

/* Returns the shortest and longest length of a match (longest may be
 * SIZE_MAX for signatures with an unbounded gap). */
size_t bodysig_min_len(const struct bodysig *sig);
size_t bodysig_max_len(const struct bodysig *sig);

/*
 * Returns 1 if the whole signature matches buf[0..len) with its atom at
 * buf[at] (at + atom len <= len) and the match's first byte at an offset in
 * [start_lo, start_hi]; *start and *end (one past the last byte) then give the
 * match. Returns 0 otherwise. Never reads outside buf. Runs in time bounded by
 * the signature's size times the bytes its gaps allow it to consider.
 */
int bodysig_verify(const struct bodysig *sig, const uint8_t *buf, size_t len,
                   size_t at, size_t start_lo, size_t start_hi, size_t *start,
                   size_t *end);

/*
 * The distinct matches of a signature of several parts, as clamscan counts
 * them (once per place its last part ends, in allmatch mode and for logical
 * signatures' counts): bodysig_last_needle() gives the static run the last
 * part is searched by (length 0 if it has none, or the signature has one
 * part; the signature must not be slim); for each occurrence of it at
 * buf[pos], bodysig_verify_last() says whether a whole match ends with that
 * placement of the last part, as bodysig_verify() does for an atom hit.
 */
struct bodysig_memo;
size_t bodysig_last_needle(const struct bodysig *sig, const uint8_t **needle);
int bodysig_verify_last(const struct bodysig *sig, struct bodysig_memo *m, uint32_t id,
                        const uint8_t *buf, size_t len, size_t pos, size_t start_lo,
                        size_t start_hi, size_t *start, size_t *end);

/*
 * A per-scanner cache of searches that found nothing: "no placement of the
 * signature's parts from part k on starts after position X". Repeated atom
 * hits of one signature whose later part never occurs (the common case on
 * clean files) then cost no second search of the buffer. It is a cache: a
 * lost entry only means searching again. Reset it for every object.
 */
struct bodysig_memo;

vigil_status bodysig_memo_new(struct bodysig_memo **out);
void bodysig_memo_free(struct bodysig_memo *m);

/* Forgets everything (a new object), in constant time. */
void bodysig_memo_reset(struct bodysig_memo *m);

/* bodysig_verify with a cache; id names the signature within the engine. */
int bodysig_verify_memo(const struct bodysig *sig, struct bodysig_memo *m, uint32_t id,
                        const uint8_t *buf, size_t len, size_t at, size_t start_lo,
                        size_t start_hi, size_t *start, size_t *end);

#endif
