/* hdb.c - ClamAV hash signatures (.hdb .hsb .fp .sfp).
 *
 * Spec: ClamAV manual, "Hash-based signatures", and readdb.c cli_loadhash,
 * whose behaviour this follows line for line:
 *   HashString:FileSize:MalwareName[:MinFL[:MaxFL]]
 * The digest kind comes from the hash length (32 MD5, 40 SHA-1, 64 SHA-256)
 * whatever the extension. FileSize is a decimal in 1..0xfffffffe, or `*` for
 * any size, which ClamAV accepts only with MinFL >= 73. Lines whose MinFL /
 * MaxFL exclude ClamAV 1.4's functionality level are skipped. Lines starting
 * with '#' are comments; any other line, an empty one too, must parse, and a
 * file without any line is malformed.
 * Limits: lines of at most LINES_MAX_LEN bytes; ENGINE_MAX_HASH_SIGS entries. */
#include "db/hdb.h"

#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "db/dbparse.h"
#include "db/hex.h"
#include "db/lines.h"

#define HDB_FIELDS 5

int hdb_field_size(struct field f, uint32_t *size)
{
    uint64_t v = 0;
    size_t i = 0;

    while (i < f.n && (f.s[i] == ' ' || f.s[i] == '\t'))
        i++;
    if (i < f.n && f.s[i] == '+')
        i++;
    if (i == f.n)
        return -1;
    for (; i < f.n; i++) {
        if (f.s[i] < '0' || f.s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(f.s[i] - '0');
        if (v >= 0xffffffffu)
            return -1;
    }
    if (v == 0)
        return -1;
    *size = (uint32_t)v;
    return 0;
}

long hdb_field_atoi(struct field f)
{
    char buf[32];
    size_t n = f.n < sizeof buf - 1 ? f.n : sizeof buf - 1;

    memcpy(buf, f.s, n);
    buf[n] = '\0';
    return strtol(buf, NULL, 10);
}

struct hdb_ctx {
    struct vigil_engine *e;
    enum hdb_purpose purpose;
    int official;
};

/* Adds the name to the engine's table, ClamAV's cli_virname: cut at the
 * first " (Clam)", refuse an empty name, add ".UNOFFICIAL" unless official. */
vigil_status hdb_field_name(struct vigil_engine *e, struct field name, int official,
                            uint32_t *off)
{
    const char *cut = memmem(name.s, name.n, " (Clam)", 7);
    size_t n = cut ? (size_t)(cut - name.s) : name.n;

    if (n == 0)
        return VIGIL_EMALFORMED;
    return strtab_add(&e->names, name.s, n, official ? NULL : ".UNOFFICIAL", off);
}

/* Parses one signature line. Returns NULL, or the reason it is malformed;
 * *st carries a non-format failure (out of memory). */
static const char *hdb_line(void *ctx, const char *line, size_t len,
                            vigil_status *st)
{
    struct hdb_ctx *c = ctx;
    struct field f[HDB_FIELDS + 1];
    size_t nf = lines_split(line, len, ':', f, HDB_FIELDS + 1);
    long min_fl = 0;
    uint32_t size = HASHSET_ANY_SIZE, name_off = 0;
    uint8_t digest[32];
    int kind;

    *st = VIGIL_OK;
    if (nf < 3)
        return "too few fields (HashString:FileSize:MalwareName[:MinFL[:MaxFL]])";
    if (nf > HDB_FIELDS)
        return "too many fields (HashString:FileSize:MalwareName[:MinFL[:MaxFL]])";
    if (nf > 3) {
        min_fl = hdb_field_atoi(f[3]);
        if (VIGIL_CLAMAV_FLEVEL < min_fl)
            return NULL;
        if (nf == 5 && VIGIL_CLAMAV_FLEVEL > hdb_field_atoi(f[4]))
            return NULL;
    }
    if (!(f[1].n == 1 && f[1].s[0] == '*')) {
        if (hdb_field_size(f[1], &size) != 0)
            return "invalid value for the size field";
    } else if (nf < 4 || min_fl < 73) {
        return "wildcard size `*` needs a minimum functionality level field of at least 73";
    }
    if (ign_check(&c->e->ign, f[2].s, f[2].n, line, len))
        return NULL;
    kind = hash_kind_for_hexlen(f[0].n);
    if (kind < 0 || hex_decode(f[0].s, f[0].n, digest) != 0)
        return "malformed hash string (want 32, 40 or 64 hex digits)";
    if (c->purpose == HDB_DETECT) {
        *st = hdb_field_name(c->e, f[2], c->official, &name_off);
        if (*st == VIGIL_EMALFORMED) {
            *st = VIGIL_OK;
            return "empty signature name";
        }
        if (*st != VIGIL_OK)
            return NULL;
    }
    *st = hashset_add(c->purpose == HDB_DETECT ? c->e->sigs : c->e->allow,
                      (enum hash_kind)kind, digest, size, name_off);
    if (*st == VIGIL_OK)
        c->e->nsigs++;
    return NULL;
}

vigil_status hdb_parse(struct vigil_engine *e, const char *dbname,
                       struct lines *it, enum hdb_purpose purpose, int official)
{
    static const struct dbparse_rules rules = {LINES_MAX_LEN, 0};
    struct hdb_ctx c = {e, purpose, official};

    return dbparse_run(e, dbname, it, &rules, hdb_line, &c);
}
