/* lexpr.h - the logical expression of a ClamAV logical signature (.ldb):
 * subsignature indices joined by & and |, parentheses, and match-count
 * modifiers (=X, >X, <X, and X,Y on a parenthesised block), as ClamAV 1.4's
 * cli_ac_chklsig reads them. Also used for PCRE triggers and byte-compare
 * references, which are expressions of the same language.
 *
 * The text is parsed once, at load, into a small post-order node array;
 * evaluation against the per-subsignature match counts of one object is a
 * loop over that array, never a recursion. */
#ifndef VIGIL_MATCH_LEXPR_H
#define VIGIL_MATCH_LEXPR_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

/* Subsignature indices run from 0 to LEXPR_MAX_ID (ClamAV's 64 subsigs). */
#define LEXPR_MAX_ID 63
/* Parsing recurses once per nesting level and per chained operator; a deeper
 * expression is refused rather than risking the stack. */
#define LEXPR_MAX_DEPTH 512
/* Nodes of one expression (leaves and operators). */
#define LEXPR_MAX_NODES 8192

struct lexpr;

/*
 * Parses the expression s[0..n) (n <= 65535) into *out and stores the
 * highest subsignature index it names in *maxid. Returns VIGIL_OK, or
 * VIGIL_EMALFORMED with ClamAV's reason in why[0..whylen) (expressions
 * ClamAV refuses are refused; the few oddities it accepts, such as trailing
 * text after a number, are accepted the same way), or VIGIL_ENOMEM. The
 * caller owns *out and frees it with lexpr_free(). Nothing of s is kept.
 */
vigil_status lexpr_parse(const char *s, size_t n, struct lexpr **out,
                         unsigned *maxid, char *why, size_t whylen);

/* Frees an expression. NULL is allowed. */
void lexpr_free(struct lexpr *x);

/* Evaluates x against counts[0..LEXPR_MAX_ID] (matches per subsignature in
 * one object). Returns 1 if the expression holds, 0 if not. */
int lexpr_eval(const struct lexpr *x, const uint32_t *counts);

/* The node array of x, for the engine image (core/image.c): *size bytes at
 * the returned pointer, in the build's native layout. */
const void *lexpr_nodes(const struct lexpr *x, size_t *size);

/* Makes a new expression *out (the caller frees it) from a copy of a node
 * array lexpr_nodes() gave, whose subsignature indices are all below nids
 * (<= LEXPR_MAX_ID + 1). VIGIL_EMALFORMED if p[0..size) is not one (a node
 * kind, an index too large, too many nodes), VIGIL_ENOMEM. */
vigil_status lexpr_from_nodes(const void *p, size_t size, unsigned nids,
                              struct lexpr **out);

#endif
