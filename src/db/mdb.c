/* mdb.c - ClamAV's executable hash signatures: .mdb and .msb (PE section
 * hashes) and .imp (import table hashes).
 *
 * Spec: ClamAV manual "PE section based hash signatures" and "PE import
 * table hash signatures", readdb.c cli_loadhash (modes MD5_MDB and IMP),
 * measured against clamscan 1.4.6:
 *   .mdb .msb  PESectionSize:PESectionHash:MalwareName[:MinFL[:MaxFL]]
 *   .imp       ImportHash:ImportStringSize:MalwareName[:MinFL[:MaxFL]]
 * The digest kind comes from the hash length (32 MD5, 40 SHA-1, 64 SHA-256)
 * whatever the extension (an MD5 in a .msb loads). The size is a decimal in
 * 1..0xfffffffe, or `*` (any size) with MinFL >= 73. Lines whose MinFL /
 * MaxFL exclude functionality level 216 are skipped; '#' starts a comment;
 * an empty line, a missing name or more than five fields is malformed.
 * Limits: lines of at most LINES_MAX_LEN bytes; SECHASH_MAX_ENTRIES. */
#include "db/mdb.h"

#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "db/dbparse.h"
#include "db/hex.h"
#include "db/hdb.h"
#include "db/lines.h"

#define MDB_FIELDS 5

struct mdb_ctx {
    struct vigil_engine *e;
    enum mdb_kind kind;
    int official;
};

static const char *mdb_line(void *ctx, const char *line, size_t len, vigil_status *st)
{
    struct mdb_ctx *c = ctx;
    struct field f[MDB_FIELDS + 1], fsize, fhash;
    size_t nf = lines_split(line, len, ':', f, MDB_FIELDS + 1);
    long min_fl = 0;
    uint32_t size = SECHASH_ANY_SIZE, name = 0;
    uint8_t digest[32];
    int kind;

    *st = VIGIL_OK;
    if (nf < 3 || nf > MDB_FIELDS)
        return c->kind == MDB_SECTION
                   ? "want PESectionSize:PESectionHash:MalwareName[:MinFL[:MaxFL]]"
                   : "want ImportHash:ImportStringSize:MalwareName[:MinFL[:MaxFL]]";
    fsize = c->kind == MDB_SECTION ? f[0] : f[1];
    fhash = c->kind == MDB_SECTION ? f[1] : f[0];
    if (nf > 3) {
        min_fl = hdb_field_atoi(f[3]);
        if (VIGIL_CLAMAV_FLEVEL < min_fl)
            return NULL;
        if (nf == 5 && VIGIL_CLAMAV_FLEVEL > hdb_field_atoi(f[4]))
            return NULL;
    }
    if (!(fsize.n == 1 && fsize.s[0] == '*')) {
        if (hdb_field_size(fsize, &size) != 0)
            return "invalid value for the size field";
    } else if (nf < 4 || min_fl < 73) {
        return "wildcard size `*` needs a minimum functionality level field of at least "
               "73";
    }
    if (ign_check(&c->e->ign, f[2].s, f[2].n, line, len))
        return NULL;
    kind = hash_kind_for_hexlen(fhash.n);
    if (kind < 0 || hex_decode(fhash.s, fhash.n, digest) != 0)
        return "malformed hash string (want 32, 40 or 64 hex digits)";
    *st = hdb_field_name(c->e, f[2], c->official, &name);
    if (*st == VIGIL_EMALFORMED) {
        *st = VIGIL_OK;
        return "empty signature name";
    }
    if (*st == VIGIL_OK)
        *st = sechash_add(c->kind == MDB_SECTION ? &c->e->sect : &c->e->imp,
                          (enum hash_kind)kind, digest, size, name);
    if (*st == VIGIL_OK)
        c->e->nsigs++;
    return NULL;
}

vigil_status mdb_parse(struct vigil_engine *e, const char *dbname, struct lines *it,
                       enum mdb_kind kind, int official)
{
    static const struct dbparse_rules rules = {LINES_MAX_LEN, 1};
    struct mdb_ctx c = {e, kind, official};

    return dbparse_run(e, dbname, it, &rules, mdb_line, &c);
}
