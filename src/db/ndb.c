/* ndb.c - ClamAV body signatures: .ndb .ndu .sdb (extended) and .db (legacy).
 *
 * Spec: ClamAV manual "Extended signature format" and readdb.c cli_loadndb /
 * cli_loaddb, measured against clamscan 1.4.6:
 *   MalwareName:TargetType:Offset:HexSignature[:MinFL[:MaxFL]]
 * 4 to 6 fields; MinFL/MaxFL must be decimal and skip the line when they
 * exclude ClamAV 1.4's level; TargetType is decimal or `*` (= 0), and types
 * past 14 skip the line; EP and section offsets are refused for targets other
 * than PE (1), ELF (6) and Mach-O (9). The pattern is parsed by
 * match/bodysig.c. Ignore lists apply by name and line, as for hashes.
 * Limits: LINES_MAX_LEN per line; the engine's name table maximum. */
#include "db/ndb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "db/dbparse.h"
#include "db/hex.h"
#include "db/lines.h"
#include "match/atoms.h"
#include "match/bodysig.h"

#define NDB_FIELDS 6
#define NDB_MAX_SIGS (16u * 1024 * 1024)

void ndb_table_init(struct ndb_table *t)
{
    t->v = NULL;
    t->n = t->cap = 0;
}

void ndb_table_truncate(struct ndb_table *t, size_t n)
{
    while (t->n > n)
        bodysig_free(t->v[--t->n].sig);
}

void ndb_table_free(struct ndb_table *t)
{
    ndb_table_truncate(t, 0);
    free(t->v);
    ndb_table_init(t);
}

static int all_digits(struct field f)
{
    if (f.n == 0)
        return 0;
    for (size_t i = 0; i < f.n; i++)
        if (f.s[i] < '0' || f.s[i] > '9')
            return 0;
    return 1;
}

static long field_num(struct field f)
{
    long v = 0;
    for (size_t i = 0; i < f.n && v < 100000000; i++)
        v = v * 10 + (f.s[i] - '0');
    return v;
}

/* Makes room for one more signature; frees sig when there is none. */
static vigil_status ndb_room(struct ndb_table *t, struct bodysig *sig)
{
    if (t->n >= NDB_MAX_SIGS) {
        bodysig_free(sig);
        return VIGIL_ENOMEM;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        struct ndb_sig *v = realloc(t->v, cap * sizeof *v);
        if (!v) {
            bodysig_free(sig);
            return VIGIL_ENOMEM;
        }
        t->v = v;
        t->cap = cap;
    }
    return VIGIL_OK;
}

/* Appends a parsed signature to the engine's table (owning sig). */
static vigil_status ndb_add(struct vigil_engine *e, struct bodysig *sig,
                            struct field name, unsigned target,
                            const struct offset_spec *off, int official)
{
    struct ndb_table *t = &e->body;
    const char *cut = memmem(name.s, name.n, " (Clam)", 7);
    size_t n = cut ? (size_t)(cut - name.s) : name.n;
    struct ndb_sig *s;
    vigil_status st = ndb_room(t, sig);

    if (st != VIGIL_OK)
        return st;
    s = &t->v[t->n];
    st = strtab_add(&e->names, name.s, n, official ? NULL : ".UNOFFICIAL", &s->name);
    if (st != VIGIL_OK) {
        bodysig_free(sig);
        return st;
    }
    bodysig_slim(sig); /* scanners expand the few they verify */
    s->sig = sig;
    s->lsig = NDB_NO_LSIG;
    s->subsig = 0;
    s->target = (uint8_t)target;
    s->flags = 0;
    s->off = *off;
    t->n++;
    e->nsigs++;
    return VIGIL_OK;
}

vigil_status ndb_add_subsig(struct vigil_engine *e, struct bodysig *sig, uint32_t name,
                            unsigned target, const struct offset_spec *off,
                            uint32_t lsig, unsigned subsig, unsigned flags)
{
    struct ndb_table *t = &e->body;
    vigil_status st = ndb_room(t, sig);

    if (st != VIGIL_OK)
        return st;
    bodysig_slim(sig); /* scanners expand the few they verify */
    t->v[t->n++] = (struct ndb_sig){sig, name, lsig, (uint16_t)subsig,
                                    (uint8_t)target, (uint8_t)flags, *off};
    return VIGIL_OK;
}

/* ClamAV gives some .ndb patterns without wildcards to its Boyer-Moore
 * matcher, which refuses fewer than 3 bytes ("Signature ... is too short"):
 * those of target 0, and of target 1 with a fixed offset that does not float
 * (measured on clamscan 1.4.6: T:1:*:4142 and T:1:4,2:4142 load, T:1:4:4142
 * does not). Inside .ldb 2 bytes are always accepted, so the rule is here. */
static int ndb_plain_too_short(struct field hex, unsigned target, struct field off)
{
    int fixed = !(off.n == 1 && off.s[0] == '*') && !memchr(off.s, ',', off.n);

    if (target != 0 && !(target == 1 && fixed))
        return 0;
    for (size_t i = 0; i < hex.n; i++)
        if (hex_nibble(hex.s[i]) < 0)
            return 0;
    return hex.n < 6;
}

/* Parses the pattern and offset of one signature and adds it. Returns NULL
 * or the reason the line is malformed (written into why). */
static const char *ndb_sig(struct vigil_engine *e, struct field name, unsigned target,
                           struct field off, struct field hex, int official,
                           char *why, size_t whylen, vigil_status *st)
{
    struct offset_spec spec;
    struct bodysig *sig = NULL;
    const char *bad;
    int exe_ok = target == 1 || target == 6 || target == 9;

    *st = VIGIL_OK;
    if (name.n == 0 || (name.n >= 7 && memcmp(name.s, " (Clam)", 7) == 0))
        return "empty signature name";
    if (ndb_plain_too_short(hex, target, off))
        return "signature is too short (a pattern without wildcards needs at "
               "least 3 bytes)";
    if (bodysig_parse(hex.s, hex.n, &sig, why, whylen) != VIGIL_OK)
        return why;
    bad = offset_parse(off.s, off.n, exe_ok, &spec);
    if (bad) {
        bodysig_free(sig);
        snprintf(why, whylen, "%s%s", bad,
                 strcmp(bad, "Invalid offset type for target") == 0 ? " (EP and "
                 "section offsets need target 1, 6 or 9)" : "");
        return why;
    }
    *st = ndb_add(e, sig, name, target, &spec, official);
    return NULL;
}

/* What the line parsers of one file share. */
struct ndb_ctx {
    struct vigil_engine *e;
    int official;
    char why[256]; /* room for a reason built from the line */
};

/* Parses one extended-format line. */
static const char *ndb_line(void *ctx, const char *line, size_t len, vigil_status *st)
{
    struct ndb_ctx *c = ctx;
    struct vigil_engine *e = c->e;
    struct field f[NDB_FIELDS + 1];
    size_t nf = lines_split(line, len, ':', f, NDB_FIELDS + 1);
    unsigned target;

    *st = VIGIL_OK;
    if (nf < 4 || nf > NDB_FIELDS)
        return "wrong number of fields (MalwareName:TargetType:Offset:HexSignature"
               "[:MinFL[:MaxFL]])";
    if (ign_check(&e->ign, f[0].s, f[0].n, line, len))
        return NULL;
    if (nf > 4) {
        if (!all_digits(f[4]) || (nf == 6 && !all_digits(f[5])))
            return "MinFL/MaxFL must be decimal numbers";
        if (field_num(f[4]) > VIGIL_CLAMAV_FLEVEL)
            return NULL;
        if (nf == 6 && field_num(f[5]) < VIGIL_CLAMAV_FLEVEL)
            return NULL;
    }
    if (f[1].n == 1 && f[1].s[0] == '*')
        target = 0;
    else if (all_digits(f[1]))
        target = (unsigned)field_num(f[1]);
    else
        return "invalid target type";
    if (target >= ATOMS_TARGETS)
        return NULL; /* ClamAV skips targets it does not know */
    return ndb_sig(e, f[0], target, f[2], f[3], c->official, c->why, sizeof c->why, st);
}

static const struct dbparse_rules ndb_rules = {LINES_MAX_LEN, 0};

vigil_status ndb_parse(struct vigil_engine *e, const char *dbname, struct lines *it,
                       int official)
{
    struct ndb_ctx c = {e, official, ""};

    return dbparse_run(e, dbname, it, &ndb_rules, ndb_line, &c);
}

/* Parses one legacy line: Name=HexSignature. */
static const char *db_line(void *ctx, const char *line, size_t len, vigil_status *st)
{
    struct ndb_ctx *c = ctx;
    const char *eq = memchr(line, '=', len);
    struct field name, hex, any = {"*", 1};

    *st = VIGIL_OK;
    if (!eq)
        return "missing '=' (MalwareName=HexSignature)";
    name.s = line;
    name.n = (size_t)(eq - line);
    hex.s = eq + 1;
    hex.n = len - name.n - 1;
    if (ign_check(&c->e->ign, name.s, name.n, line, len))
        return NULL;
    return ndb_sig(c->e, name, 0, any, hex, c->official, c->why, sizeof c->why, st);
}

vigil_status ndb_parse_legacy(struct vigil_engine *e, const char *dbname,
                              struct lines *it, int official)
{
    struct ndb_ctx c = {e, official, ""};

    return dbparse_run(e, dbname, it, &ndb_rules, db_line, &c);
}
