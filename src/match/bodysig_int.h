/* bodysig_int.h - the compiled form of a ClamAV body signature, shared by
 * bodysig.c (the API and atom choice), bodysig_parse.c and bodysig_group.c
 * (text to parts), bodysig_part.c and bodysig_match.c (verification).
 * Nothing but these files may include it.
 *
 * A signature is a list of parts, as ClamAV splits it at `*` and at ranged
 * gaps `{n-m}`; a part is a list of elements, each consuming one or more
 * bytes, plus optional zero-width checks on either side: a boundary class
 * ((B), (L), (W), possibly negated) and an anchored byte `aa[n-m]`. */
#ifndef VIGIL_MATCH_BODYSIG_INT_H
#define VIGIL_MATCH_BODYSIG_INT_H

#include <stddef.h>
#include <stdint.h>

#include "match/bodysig.h"

/* Hard limits: a signature is untrusted input too. */
#define BS_MAX_TEXT 32768      /* characters of one signature */
#define BS_MAX_EXPANDED 65536  /* characters once {n} became n "??" */
#define BS_MAX_PARTS 256       /* parts split at `*` and `{n-m}` */
#define BS_MAX_NEST 15         /* '(' inside one group (ClamAV's limit) */
#define BS_MAX_ALTS 1024       /* strings one generic group expands to */
#define BS_MAX_ALT_CHARS 65536 /* characters of those strings, per group */
#define BS_MAX_POOL (1u << 20) /* alternative bytes in one signature */
#define BS_MAX_VAR 1024        /* how much the length of one part may vary */
#define BS_MAX_GAP 2147483647u /* largest n or m in a gap (ClamAV's int) */
#define BS_ANCHOR_MAXDIST 32   /* largest m in aa[n-m] (ClamAV's) */
#define BS_UNBOUNDED SIZE_MAX  /* gap_max of `*`, {n-} and ClamAV's {0} */

/* Bits of the position sets one part's variable length needs. */
#define BS_VAR_WORDS ((BS_MAX_VAR + 1 + 63) / 64)

enum bs_kind {
    BS_BYTE,   /* one byte b with (b & mask) == val: hex, nibbles, ?? */
    BS_CLASS,  /* one byte in a 256-bit class: (aa|bb), !(aa), (B), (W) */
    BS_FIXED,  /* n bytes equal (or, negated, equal to none) of a group */
    BS_ALT,    /* any alternative of a generic group, lengths may differ */
    BS_LINE,   /* (L) inside a part: "\n" or "\r\n" */
    BS_NOTLINE /* !(L) inside a part: one byte that does not start one */
};

struct bs_elem {
    uint8_t kind;
    uint8_t val, mask; /* BS_BYTE */
    uint8_t neg;       /* BS_FIXED */
    uint32_t ref;      /* BS_CLASS: class index; BS_FIXED, BS_ALT: group */
};

/* Alternatives of one group, sorted by length. An alternative is len
 * (val, mask) byte matchers at pool[2 * off]. */
struct bs_alt {
    uint32_t off, len;
};

struct bs_group {
    uint32_t first, count; /* in alts */
    uint32_t minlen, maxlen;
};

enum bs_edge { BS_EDGE_NONE, BS_EDGE_B, BS_EDGE_L, BS_EDGE_W };

/* Zero-width checks on one side of a part. */
struct bs_side {
    uint8_t edge, edge_neg; /* boundary class, and whether negated */
    uint8_t anchored;       /* an aa[n-m] byte is required */
    uint8_t aval, amask;    /* the anchored byte; amask 0 (??) checks nothing */
    uint8_t dmin, dmax;     /* bytes between the part and the anchored byte */
};

struct bs_part {
    uint32_t first, count; /* elements */
    struct bs_side left, right;
    size_t minlen, maxlen;     /* of the elements */
    size_t gap_min, gap_max;   /* bytes since the previous part ends */
    uint32_t run, runlen;      /* search needle: elements [run, run + runlen) */
    uint32_t needle;           /* its bytes, at sig->needles[needle] */
    size_t pre_min, pre_max;   /* length of the elements before the needle */
    size_t post_min, post_max; /* from the needle's start to the part end */
};

struct bodysig {
    struct bs_part *parts;
    struct bs_elem *elems;
    uint8_t (*classes)[32];
    struct bs_group *groups;
    struct bs_alt *alts;
    uint8_t *pool;    /* (val, mask) pairs of alternatives */
    uint8_t *needles; /* static bytes each part is searched by */
    void *block;      /* once parsed, all the arrays above live in this one */
    char *text;       /* the signature's text, to parse it again when slim */
    uint32_t textlen;
    uint8_t slim;     /* arrays dropped (bodysig_slim): atom and lengths only */
    struct bodysig_quick quick; /* of the atom (bodysig_quick) */
    uint8_t *segs;    /* the parts' runs bodysig_part_atom gives (bodysig.c) */
    uint32_t nsegbytes;
    uint8_t literal;  /* the whole signature is its atom (bodysig_literal) */
    uint32_t nparts, nelems, nclasses, ngroups, nalts, npool, nneedles;
    uint32_t cap_parts, cap_elems, cap_classes, cap_groups, cap_alts;
    uint32_t cap_pool, cap_needles;
    struct bodysig_atom atom;
    uint32_t atom_part, atom_elem; /* the atom's first byte */
    size_t min_len, max_len;
};

/* ---- bodysig.c ---- */

/* Grows *arr (of elsize-byte items, *cap of them) to hold need items, never
 * past max. Returns VIGIL_OK, VIGIL_ENOMEM, or VIGIL_EMALFORMED past max. */
vigil_status bodysig_grow(void **arr, uint32_t *cap, uint32_t need, size_t elsize,
                          uint32_t max);

/* Returns the shortest and longest byte counts element e can consume. */
uint32_t bodysig_elem_min(const struct bodysig *sig, const struct bs_elem *e);
uint32_t bodysig_elem_max(const struct bodysig *sig, const struct bs_elem *e);

/* ClamAV's table of boundary bytes: bit 0 may precede a word (left (B)),
 * bit 1 may follow one (right (B)); any bit matches (B) inside a part. */
extern const uint8_t bodysig_boundary[256];

/* ---- bodysig_parse.c, bodysig_group.c ---- */

/* The state of one parse. */
struct bs_parse {
    struct bodysig *sig;
    char *why;
    size_t whylen;
    uint32_t partno; /* 1-based part being read, 0 outside parts */
    int multi;       /* more than one part: name the part in messages */
};

/* A part's groups, as they come out of its text: the hex with "()" where
 * each group was, and the elements those groups stand for. */
struct bs_groups {
    char *hex;
    size_t hexlen;
    struct bs_elem *spec;
    uint32_t nspec;
};

/* Parses hex[0..len) into sig's parts (sig starts zeroed); on malformed
 * input returns VIGIL_EMALFORMED with the reason in why. The arrays it grows
 * belong to sig and are freed by bodysig_free(). */
vigil_status bodysig_parse_text(struct bodysig *sig, const char *hex, size_t len,
                                char *why, size_t whylen);

/* Writes a reason (prefixed with the part, if there are several) into
 * p->why and returns VIGIL_EMALFORMED. */
vigil_status bodysig_parse_fail(struct bs_parse *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* bodysig_grow() for the parse: reaching max is malformed input, and the
 * reason names what (e.g. "parts"). */
vigil_status bodysig_parse_grow(struct bs_parse *p, void **arr, uint32_t *cap,
                                uint32_t need, size_t elsize, uint32_t max,
                                const char *what);

/* Decodes a hex pair of a pattern, "??", "a?", "?a" or "ab", into a byte
 * matcher (b & *mask) == *val. Returns 0, or -1 if h[0..2) is not one. */
int bodysig_parse_pair(const char *h, uint8_t *val, uint8_t *mask);

/* Reads the groups of a part's text main (cut up in place) into *o and
 * part's boundary checks. The caller frees o->hex and o->spec, also on
 * failure. */
vigil_status bodysig_group_parse(struct bs_parse *p, char *main, struct bs_part *part,
                                 struct bs_groups *o);

/* ---- bodysig_part.c, bodysig_match.c ---- */

/* The buffer a signature is verified against. */
struct bs_ctx {
    const struct bodysig *sig;
    const uint8_t *buf;
    size_t len;
    struct bodysig_memo *memo; /* may be NULL */
    uint32_t id;               /* the signature's id in the memo */
};

/* Position sets of one part's placement: base + i (forward) or base - i
 * (backward) for every bit i set, i < width <= BS_MAX_VAR + 1. */
struct bs_bits {
    size_t base;
    uint32_t width;
    uint64_t w[BS_VAR_WORDS];
};

static inline int bs_bits_get(const struct bs_bits *s, uint32_t i)
{
    return (s->w[i / 64] >> (i % 64)) & 1;
}

/* Places part p of c->sig with its element k starting at pos: *st gets the
 * part's possible starts (a backward set), *en its possible ends (a forward
 * set), both after the part's zero-width checks. Returns 0 if either is
 * empty. */
int bodysig_part_at(const struct bs_ctx *c, const struct bs_part *p, uint32_t k,
                    size_t pos, struct bs_bits *st, struct bs_bits *en);

#endif
