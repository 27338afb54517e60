/* cdb.c - ClamAV container metadata signatures (.cdb).
 * Spec: ClamAV manual "Signatures based on container metadata" and
 * readdb.c cli_loadcdb, measured against clamscan 1.4.6: ten fields at
 * least (fewer: malformed); ContainerType "*" or a known CL_TYPE name
 * (else malformed); sizes and FilePos "*", "n" or "n-m" (else "Invalid
 * value"); IsEncrypted "*", 0 or 1; FileNameREGEX "*" or a POSIX extended
 * regular expression that must compile; Res1 and Res2 are neither checked
 * nor matched (measured: any text there, a wrong CRC-32 in Res1 included,
 * still matches); MinFL/MaxFL outside 216 skip the line. Every loaded line counts
 * as a known virus. Names take ".UNOFFICIAL" outside official databases.
 * Limits: CDB_MAX_SIGS signatures; lines as dbparse allows. */
#include "db/cdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "db/dbparse.h"
#include "db/ign.h"
#include "db/ldb.h"

#define CDB_FIELDS 12

void cdb_table_init(struct cdb_table *t)
{
    t->v = NULL;
    t->n = t->cap = 0;
}

void cdb_table_truncate(struct cdb_table *t, size_t n)
{
    for (size_t i = n; i < t->n; i++)
        if (t->v[i].has_regex)
            regfree(&t->v[i].re);
    if (n < t->n)
        t->n = n;
}

void cdb_table_free(struct cdb_table *t)
{
    cdb_table_truncate(t, 0);
    free(t->v);
    cdb_table_init(t);
}

struct cdb_field {
    const char *s;
    size_t n;
};

static size_t cdb_split(const char *s, size_t len, struct cdb_field *f)
{
    size_t k = 0, start = 0;

    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != ':')
            continue;
        if (k == CDB_FIELDS)
            return k + 1; /* too many */
        f[k].s = s + start;
        f[k++].n = i - start;
        start = i + 1;
    }
    return k;
}

static int is_star(struct cdb_field f)
{
    return f.n == 1 && f.s[0] == '*';
}

/* Decimal digits (at most 19) into *v. */
static int cdb_dec(const char *s, size_t n, uint64_t *v)
{
    *v = 0;
    if (n == 0 || n > 19)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *v = *v * 10 + (uint64_t)(s[i] - '0');
    }
    return 0;
}

/* "*", "n" or "n-m". */
static int cdb_range(struct cdb_field f, struct cdb_range *r)
{
    const char *dash;

    if (is_star(f)) {
        *r = (struct cdb_range){0, UINT64_MAX};
        return 0;
    }
    dash = memchr(f.s, '-', f.n);
    if (!dash)
        return cdb_dec(f.s, f.n, &r->lo) || (r->hi = r->lo, 0);
    if (cdb_dec(f.s, (size_t)(dash - f.s), &r->lo) ||
        cdb_dec(dash + 1, f.n - (size_t)(dash - f.s) - 1, &r->hi) || r->lo > r->hi)
        return -1;
    return 0;
}

/* 1 when MinFL/MaxFL exclude vigil's functionality level. */
static int cdb_flevel_skips(const struct cdb_field *f, size_t k)
{
    uint64_t v;

    if (k > 10 && cdb_dec(f[10].s, f[10].n, &v) == 0 && v > VIGIL_CLAMAV_FLEVEL)
        return 1;
    return k > 11 && cdb_dec(f[11].s, f[11].n, &v) == 0 && v < VIGIL_CLAMAV_FLEVEL;
}

struct cdb_ctx {
    struct vigil_engine *e;
    int official;
    char why[160];
};

/* The fields after the name, into s; NULL or the reason. */
static const char *cdb_fields(struct cdb_ctx *c, const struct cdb_field *f, struct cdb_sig *s)
{
    char re[1024];
    int t;

    t = is_star(f[1]) ? 0 : ldb_ftype_code(f[1].s, f[1].n);
    if (t < 0)
        return "Unknown container type";
    s->ctype = (uint16_t)t;
    if (cdb_range(f[2], &s->csize) || cdb_range(f[4], &s->fsizec) ||
        cdb_range(f[5], &s->fsizer) || cdb_range(f[7], &s->filepos))
        return "Invalid value";
    if (is_star(f[6]))
        s->encrypted = -1;
    else if (f[6].n == 1 && (f[6].s[0] == '0' || f[6].s[0] == '1'))
        s->encrypted = f[6].s[0] - '0';
    else
        return "Invalid encryption flag value";
    s->has_regex = !is_star(f[3]);
    if (!s->has_regex)
        return NULL;
    if (f[3].n >= sizeof re)
        return "Can't compile regular expression (too long)";
    memcpy(re, f[3].s, f[3].n);
    re[f[3].n] = '\0';
    if (regcomp(&s->re, re, REG_EXTENDED | REG_NOSUB) != 0) {
        snprintf(c->why, sizeof c->why, "Can't compile regular expression %.100s", re);
        return c->why;
    }
    return NULL;
}

/* Room for one more signature. */
static vigil_status cdb_room(struct cdb_table *t)
{
    size_t cap;
    struct cdb_sig *v;

    if (t->n < t->cap)
        return VIGIL_OK;
    if (t->n == CDB_MAX_SIGS)
        return VIGIL_ENOMEM;
    cap = t->cap ? t->cap * 2 : 16;
    v = realloc(t->v, cap * sizeof *v);
    if (!v)
        return VIGIL_ENOMEM;
    t->v = v;
    t->cap = cap;
    return VIGIL_OK;
}

static const char *cdb_line(void *arg, const char *line, size_t len, vigil_status *st)
{
    struct cdb_ctx *c = arg;
    struct cdb_table *t = &c->e->cdb;
    struct cdb_field f[CDB_FIELDS + 1];
    size_t k = cdb_split(line, len, f);
    struct cdb_sig s;
    const char *why;

    if (k < 10 || k > CDB_FIELDS)
        return "Problem parsing database (wrong number of fields)";
    if (cdb_flevel_skips(f, k) || ign_check(&c->e->ign, f[0].s, f[0].n, line, len))
        return NULL;
    memset(&s, 0, sizeof s);
    if ((why = cdb_fields(c, f, &s)) != NULL)
        return why;
    *st = cdb_room(t);
    if (*st == VIGIL_OK)
        *st = strtab_add(&c->e->names, f[0].s, f[0].n,
                         c->official ? NULL : ".UNOFFICIAL", &s.name);
    if (*st == VIGIL_OK && s.has_regex) /* kept for the engine image */
        *st = strtab_add(&c->e->names, f[3].s, f[3].n, NULL, &s.re_src);
    if (*st != VIGIL_OK) {
        if (s.has_regex)
            regfree(&s.re);
        return "out of memory";
    }
    t->v[t->n++] = s;
    c->e->nsigs++;
    return NULL;
}

vigil_status cdb_parse(struct vigil_engine *e, const char *dbname, struct lines *it,
                       int official)
{
    static const struct dbparse_rules rules = {8191, 0};
    struct cdb_ctx c = {e, official, ""};

    return dbparse_run(e, dbname, it, &rules, cdb_line, &c);
}

static int in(const struct cdb_range *r, uint64_t v)
{
    if (r->lo == 0 && r->hi == UINT64_MAX)
        return 1;
    return v != CDB_UNKNOWN && v >= r->lo && v <= r->hi;
}

int cdb_match(const struct cdb_sig *s, unsigned ctype, uint64_t csize,
              const struct cdb_member *m)
{
    if (s->ctype != 0 && s->ctype != ctype)
        return 0;
    if (!in(&s->csize, csize) || !in(&s->fsizec, m->csize) || !in(&s->fsizer, m->rsize) ||
        !in(&s->filepos, m->pos))
        return 0;
    if (s->encrypted >= 0 && s->encrypted != m->encrypted)
        return 0;
    return !s->has_regex || regexec(&s->re, m->name, 0, NULL, 0) == 0;
}
