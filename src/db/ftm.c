/* ftm.c - ClamAV file-type magic databases (.ftm).
 * Spec: ClamAV manual "File type magic" and readdb.c cli_loadftm, measured
 * against clamscan 1.4.6: fewer than six fields, an offset that is not a
 * number (or "*" for type 1), magic that is not hex, or an unknown type
 * name make the line malformed; magic types other than 0 and 1 and
 * functionality levels excluding ours skip the line; a file left with no
 * entry is malformed ("Empty external filetype database").
 * Limits: FTM_MAX_MAGIC bytes of magic, FTM_MAX_ENTRIES entries, lines as
 * dbparse allows. */
#include "db/ftm.h"

#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "db/dbparse.h"
#include "db/hex.h"
#include "db/ldb.h"

#define FTM_FIELDS 8

void ftm_table_init(struct ftm_table *t)
{
    t->v = NULL;
    t->n = t->cap = 0;
}

void ftm_table_free(struct ftm_table *t)
{
    free(t->v);
    ftm_table_init(t);
}

void ftm_table_truncate(struct ftm_table *t, size_t n)
{
    if (n < t->n)
        t->n = n;
}

int ftm_match_at(const struct ftm_entry *f, const uint8_t *buf, size_t len, size_t pos)
{
    if (pos > len || len - pos < f->len)
        return 0;
    for (size_t i = 0; i < f->len; i++)
        if ((buf[pos + i] & f->mask[i]) != f->magic[i])
            return 0;
    return 1;
}

struct ftm_ctx {
    struct vigil_engine *e;
    size_t added;
};

/* Splits line at ':' into at most FTM_FIELDS fields. */
static size_t ftm_split(const char *s, size_t n, const char **f, size_t *fl)
{
    size_t k = 0, start = 0;

    for (size_t i = 0; i <= n && k < FTM_FIELDS; i++) {
        if (i < n && s[i] != ':')
            continue;
        f[k] = s + start;
        fl[k++] = i - start;
        start = i + 1;
    }
    return k;
}

/* Parses a decimal number of at most 9 digits; -1 if not one. */
static long ftm_num(const char *s, size_t n)
{
    long v = 0;

    if (n == 0 || n > 9)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Hex with "??" wildcards into f. Returns NULL, "" (syntax vigil skips), or
 * ClamAV's reason. */
static const char *ftm_magic(struct ftm_entry *f, const char *s, size_t n)
{
    if (n == 0 || n % 2 || n / 2 > FTM_MAX_MAGIC)
        return n / 2 > FTM_MAX_MAGIC ? "" : "Can't decode the hex string";
    for (size_t i = 0; i < n; i += 2) {
        if (s[i] == '?' && s[i + 1] == '?') {
            f->magic[i / 2] = f->mask[i / 2] = 0;
            continue;
        }
        if (strchr("*{}()|[]!-", s[i]) || strchr("*{}()|[]!-", s[i + 1]))
            return ""; /* a body-signature construct: not read here yet */
        if (hex_decode(s + i, 2, &f->magic[i / 2]) != 0)
            return "Can't decode the hex string";
        f->mask[i / 2] = 0xff;
    }
    f->len = (uint8_t)(n / 2);
    return NULL;
}

/* The flevel fields: 1 when the line is for another functionality level. */
static int ftm_flevel_skips(const char **f, const size_t *fl, size_t k)
{
    long lo = k > 6 ? ftm_num(f[6], fl[6]) : -1, hi = k > 7 ? ftm_num(f[7], fl[7]) : -1;

    return (lo >= 0 && lo > VIGIL_CLAMAV_FLEVEL) || (hi >= 0 && hi < VIGIL_CLAMAV_FLEVEL);
}

static const char *ftm_line(void *arg, const char *line, size_t len, vigil_status *st)
{
    struct ftm_ctx *c = arg;
    struct ftm_table *t = &c->e->ftm;
    struct ftm_entry f;
    const char *fld[FTM_FIELDS], *why;
    size_t fl[FTM_FIELDS], k = ftm_split(line, len, fld, fl);
    long kind, off;
    int rt, ty;

    if (k < 6)
        return "Problem parsing external filetype database (too few fields)";
    memset(&f, 0, sizeof f);
    kind = ftm_num(fld[0], fl[0]);
    if (kind != 0 && kind != 1)
        return kind < 0 ? "Invalid magic type" : NULL; /* ClamAV skips others */
    if (ftm_flevel_skips(fld, fl, k))
        return NULL;
    f.kind = (uint8_t)kind;
    f.any_offset = kind == 1 && fl[1] == 1 && fld[1][0] == '*';
    off = f.any_offset ? 0 : ftm_num(fld[1], fl[1]);
    if (off < 0)
        return "Invalid offset";
    f.offset = (uint32_t)off;
    if ((why = ftm_magic(&f, fld[2], fl[2])) != NULL)
        return why[0] ? why : NULL;
    rt = ldb_ftype_code(fld[4], fl[4]);
    ty = ldb_ftype_code(fld[5], fl[5]);
    if (rt < 0 || ty < 0)
        return "Unknown file type";
    f.rtype = (uint16_t)rt;
    f.type = (uint16_t)ty;
    if (t->n == FTM_MAX_ENTRIES)
        return "too many file-type entries";
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        struct ftm_entry *v = realloc(t->v, cap * sizeof *v);
        if (!v) {
            *st = VIGIL_ENOMEM;
            return "out of memory";
        }
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = f;
    c->added++;
    return NULL;
}

vigil_status ftm_parse(struct vigil_engine *e, const char *dbname, struct lines *it)
{
    static const struct dbparse_rules rules = {8191, 1};
    struct ftm_ctx c = {e, 0};
    vigil_status st = dbparse_run(e, dbname, it, &rules, ftm_line, &c);

    if (st == VIGIL_OK && c.added == 0)
        return engine_fail(e, VIGIL_EMALFORMED, "%s: empty external filetype database",
                           dbname);
    return st;
}
