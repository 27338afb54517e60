/* strtab.h - an append-only table of NUL-terminated strings addressed by
 * 32-bit offsets, with a hard maximum size. Signature names live here. */
#ifndef VIGIL_CORE_STRTAB_H
#define VIGIL_CORE_STRTAB_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

struct spill;

struct strtab {
    char *buf;
    size_t len, cap, max;
    struct spill *spill; /* NULL, or buf is this spill's mapping */
};

/* Sets up an empty table that may grow to max bytes (at most 4 GiB). */
void strtab_init(struct strtab *t, size_t max);

/* Moves the strings of t into a spill (core/spill.h) in dir, where they
 * are kept from now on: buf then stays valid as before, but may move as
 * the table grows, and its pages are given back as it grows.
 * VIGIL_EOPEN or VIGIL_ENOMEM, the table unchanged, if that fails. */
vigil_status strtab_spill(struct strtab *t, const char *dir);

/* Frees the table's memory; the table is empty afterwards. */
void strtab_free(struct strtab *t);

/* Appends s[0..n) followed by suffix (may be NULL) and a NUL, and stores the
 * offset of the new string in *off. VIGIL_ENOMEM when out of memory or when
 * the table would pass its maximum. */
vigil_status strtab_add(struct strtab *t, const char *s, size_t n,
                        const char *suffix, uint32_t *off);

/* Returns the string at off (an offset strtab_add gave). */
static inline const char *strtab_get(const struct strtab *t, uint32_t off)
{
    return t->buf + off;
}

#endif
