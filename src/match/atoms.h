/* atoms.h - the literal pre-filter: every body signature contributes one
 * literal atom; all atoms of one target type form one Vectorscan literal
 * database, scanned in block mode over the object's bytes. Each hit reports
 * the signatures that own the atom, for the verifier to decide. */
#ifndef VIGIL_MATCH_ATOMS_H
#define VIGIL_MATCH_ATOMS_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

/* ClamAV's target types 0..14 (CLI_MTARGETS = 15). */
#define ATOMS_TARGETS 15

struct atoms;
struct atoms_scratch;

/* Called for each (signature, atom position) pair: sig is the id given to
 * atoms_add, at the offset of the atom's first byte. Return nonzero to stop
 * the scan. */
typedef int (*atoms_hit_fn)(void *ctx, uint32_t sig, size_t at);

vigil_status atoms_new(struct atoms **out);
void atoms_free(struct atoms *a);

/* atoms_add flags. */
enum atoms_flags {
    ATOMS_CASELESS = 1, /* letters match in either case (::i subsignatures) */
};

/* Longest atom. */
#define ATOMS_MAX_LEN 255

/* Registers the atom bytes[0..len) (1..ATOMS_MAX_LEN bytes) of
 * signature sig for target, with flags (enum atoms_flags). Before
 * atoms_compile() only. */
vigil_status atoms_add(struct atoms *a, unsigned target, const uint8_t *bytes,
                       size_t len, uint32_t sig, unsigned flags);

/* Compiles one Vectorscan database per target that has atoms. On failure
 * writes Vectorscan's reason into why. */
vigil_status atoms_compile(struct atoms *a, char *why, size_t whylen);

/* Returns how many distinct atoms were added, over all targets. */
size_t atoms_count(const struct atoms *a);

/* Writes into out the SHA-256 of everything the databases are compiled from
 * (every target's atoms, in order, with their flags) and of the Vectorscan
 * version: the key of a saved compilation. */
vigil_status atoms_digest(const struct atoms *a, uint8_t out[32]);

/* Saves the compiled databases (hs_serialize_database) into a new buffer
 * *out of *len bytes, which the caller frees. */
vigil_status atoms_save(const struct atoms *a, uint8_t **out, size_t *len);

/* Instead of atoms_compile(): takes the databases from buf, as atoms_save()
 * wrote them for the same atoms (the caller checked atoms_digest()).
 * Returns VIGIL_EMALFORMED, and leaves a unchanged, if buf is not such a
 * save (wrong layout, or Vectorscan refuses a database). */
vigil_status atoms_load(struct atoms *a, const uint8_t *buf, size_t len);

/* Returns 1 if target has any atom. */
int atoms_has_target(const struct atoms *a, unsigned target);

/* Per-thread scratch for scanning with a compiled set. */
vigil_status atoms_scratch_new(const struct atoms *a, struct atoms_scratch **out);
void atoms_scratch_free(struct atoms_scratch *s);

/* Scans buf[0..len) with the atoms of target, calling fn for each hit. */
vigil_status atoms_scan(const struct atoms *a, struct atoms_scratch *s,
                        unsigned target, const uint8_t *buf, size_t len,
                        atoms_hit_fn fn, void *ctx);

/* A compiled pre-filter as flat arrays, for the engine image
 * (core/image.c): per target n literal records of atoms_literal_size()
 * bytes (length, flags, owner list; no bytes once compiled), the owner
 * slots (signature id, next slot or UINT32_MAX), and the Vectorscan
 * databases as atoms_save() writes them. Native layout: an image is only
 * read by the build that wrote it. */
struct atoms_flat {
    const void *lits[ATOMS_TARGETS];
    size_t n[ATOMS_TARGETS];
    const uint32_t *owner_sig, *owner_next;
    size_t nowners;
};

size_t atoms_literal_size(void);

/* Fills *f with compiled a's arrays (pointers into a). */
void atoms_export(const struct atoms *a, struct atoms_flat *f);

/* Writes compiled a's Vectorscan databases as they are in memory
 * (deserialized), each at a multiple of 64 bytes of the new buffer *out of
 * *len bytes (64-byte aligned; the caller frees it): the engine image keeps
 * them so, and atoms_attach uses them in place. */
vigil_status atoms_save_image(const struct atoms *a, uint8_t **out, size_t *len);

/* Makes the new, empty a a compiled pre-filter that uses f's arrays and the
 * databases in dbs[0..len) (atoms_save_image's layout, dbs 64-byte
 * aligned) in place: they must outlive a; atoms_free leaves them alone.
 * Checks the layout and each database's header here; Vectorscan checks a
 * database's bytecode (its CRC) when a scratch is made for it, and each
 * literal (its owner list, and id_ok(ctx, id) for its signature ids) is
 * checked when a hit reads it, so that attaching reads almost nothing.
 * VIGIL_EMALFORMED otherwise, with a unchanged. */
vigil_status atoms_attach(struct atoms *a, const struct atoms_flat *f, const uint8_t *dbs,
                          size_t len, int (*id_ok)(void *ctx, uint32_t id), void *ctx);

#endif
