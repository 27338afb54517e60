/* yara.c - runs an engine's YARA rules over one object in memory with the
 * scanner's own YR_SCANNER (libyara 4.2, `yr_scanner_*`), and keeps what
 * each matching rule matched for the report.
 *
 * Rules are reported in the order of the compiled rules (load order), as
 * `yara` prints them; private rules never are. The time budget is set in
 * nanoseconds on the scan context (YR_SCANNER is YR_SCAN_CONTEXT, whose
 * timeout field libyara keeps in nanoseconds; yr_scanner_set_timeout only
 * takes whole seconds). Limits: YSCAN_MAX_STRINGS string matches and
 * YSCAN_MAX_DATA bytes of each are copied per rule, at most YSCAN_MAX_ARENA
 * bytes per top-level scan; libyara itself stops recording a string after
 * YR_MAX_STRING_MATCHES matches, which is reported as a limit. */
#include "match/yara.h"

#include <stdlib.h>
#include <string.h>
#include <yara.h>

#include "core/engine.h"
#include "db/yara_gate.h"
#include "scan/result.h"

/* Match data lives in chunks that are never moved, freed at reset. */
struct ychunk {
    struct ychunk *next;
    size_t used, cap;
    unsigned char mem[];
};

#define YCHUNK_SIZE ((size_t)64 << 10)

/* A matching rule waiting to be reported. */
struct ypending {
    const struct vigil_yara_match *m;
    const char *name; /* "YARA.<rule>.UNOFFICIAL", in the engine */
    uint32_t order;   /* yara_rule_info.order */
};

struct yscan {
    const struct vigil_engine *e;
    YR_SCANNER *scanner;
    struct yara_gate_scratch *gate; /* NULL: libyara runs for every object */
    struct ychunk *chunks;
    size_t arena; /* bytes in chunks */
    struct ypending *pending;
    size_t npending, cap;
    size_t reported; /* pending[0..reported) went out (yscan_report_before) */
    int allmatch;
    unsigned limits;
    vigil_status st; /* a failure inside the callback */
};

vigil_status yscan_new(const struct vigil_engine *e, struct yscan **out)
{
    struct yscan *y;

    *out = NULL;
    if (!e->yara.rules)
        return VIGIL_OK;
    if (!(y = calloc(1, sizeof *y)))
        return VIGIL_ENOMEM;
    y->e = e;
    if (yr_scanner_create(e->yara.rules, &y->scanner) != ERROR_SUCCESS) {
        free(y);
        return VIGIL_ENOMEM;
    }
    if (yara_gate_scratch_new(e->yara.gate, &y->gate) != VIGIL_OK) {
        yr_scanner_destroy(y->scanner);
        free(y);
        return VIGIL_ENOMEM;
    }
    *out = y;
    return VIGIL_OK;
}

void yscan_reset(struct yscan *y)
{
    if (!y)
        return;
    while (y->chunks) {
        struct ychunk *c = y->chunks;
        y->chunks = c->next;
        free(c);
    }
    y->arena = 0;
    y->npending = y->reported = 0;
}

void yscan_free(struct yscan *y)
{
    if (!y)
        return;
    yscan_reset(y);
    yr_scanner_destroy(y->scanner);
    yara_gate_scratch_free(y->gate);
    free(y->pending);
    free(y);
}

/* Returns n bytes of stable, aligned memory for this scan, or NULL when out
 * of memory or past YSCAN_MAX_ARENA. */
static void *yalloc(struct yscan *y, size_t n)
{
    struct ychunk *c = y->chunks;

    n = (n + 15) & ~(size_t)15;
    if (y->arena + n > YSCAN_MAX_ARENA)
        return NULL;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > YCHUNK_SIZE ? n : YCHUNK_SIZE;
        if (!(c = malloc(sizeof *c + cap)))
            return NULL;
        c->next = y->chunks;
        c->used = 0;
        c->cap = cap;
        y->chunks = c;
    }
    c->used += n;
    y->arena += n;
    return c->mem + c->used - n;
}

/* The next match of a string's list, copied out: libyara's notebook hands
 * out YR_MATCH records at any byte address, so they are never dereferenced
 * in place (UBSan would rightly call that a misaligned access). */
static const void *ynext(const void *at, YR_MATCH *out)
{
    if (!at)
        return NULL;
    memcpy(out, at, sizeof *out);
    return at;
}

/* Copies up to YSCAN_MAX_STRINGS matches of the rule's strings; all are
 * counted. Past the arena's maximum they are only counted. */
static void ystrings(struct yscan *y, YR_SCAN_CONTEXT *ctx, const YR_RULE *rule,
                     struct vigil_yara_match *m)
{
    struct vigil_yara_string *v;
    const YR_STRING *s;
    const void *at;
    YR_MATCH hit;
    size_t n = 0;

    yr_rule_strings_foreach(rule, s)
    {
        if (STRING_IS_PRIVATE(s))
            continue; /* `private` strings are not shown, as by yara -s */
        for (at = ynext(ctx->matches[s->idx].head, &hit); at; at = ynext(hit.next, &hit))
            n++;
    }
    m->strings_total = n;
    if (!n || !(v = yalloc(y, (n < YSCAN_MAX_STRINGS ? n : YSCAN_MAX_STRINGS) * sizeof *v)))
        return;
    m->strings = v;
    yr_rule_strings_foreach(rule, s)
    {
        if (STRING_IS_PRIVATE(s))
            continue;
        for (at = ynext(ctx->matches[s->idx].head, &hit); at; at = ynext(hit.next, &hit)) {
            uint32_t dl = hit.data_length < YSCAN_MAX_DATA ? (uint32_t)hit.data_length
                                                           : YSCAN_MAX_DATA;
            uint8_t *data;

            if (m->nstrings == YSCAN_MAX_STRINGS || !(data = yalloc(y, dl ? dl : 1)))
                return;
            memcpy(data, hit.data, dl);
            v[m->nstrings++] = (struct vigil_yara_string){
                s->identifier, (uint64_t)(hit.base + hit.offset), (uint32_t)hit.match_length,
                dl, data};
        }
    }
}

/* Records one matching rule. Returns 0, or -1 when out of memory. */
static int ymatched(struct yscan *y, YR_SCAN_CONTEXT *ctx, const YR_RULE *rule)
{
    const struct yara_db *db = &y->e->yara;
    size_t idx = (size_t)(rule - db->rules->rules_table);
    const struct yara_rule_info *ri;
    struct vigil_yara_match *m;

    if (idx >= db->nrules)
        return -1;
    if (!(m = yalloc(y, sizeof *m))) {
        y->limits |= VIGIL_LIMIT_DETECTIONS; /* the arena is full: reported */
        return 0;
    }
    ri = &db->info[idx];
    *m = (struct vigil_yara_match){.rule = rule->identifier,
                                   .ns = rule->ns->name,
                                   .tags = ri->tags,
                                   .ntags = ri->ntags,
                                   .meta = ri->meta,
                                   .nmeta = ri->nmeta};
    ystrings(y, ctx, rule, m);
    if (y->npending == y->cap) {
        size_t cap = y->cap ? y->cap * 2 : 16;
        struct ypending *p = realloc(y->pending, cap * sizeof *p);
        if (!p)
            return -1;
        y->pending = p;
        y->cap = cap;
    }
    y->pending[y->npending++] =
        (struct ypending){m, strtab_get(&y->e->yara.names, ri->name), ri->order};
    return 0;
}

static int ycallback(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *ud)
{
    struct yscan *y = ud;
    const YR_RULE *rule = data;

    switch (msg) {
    case CALLBACK_MSG_RULE_MATCHING:
        if (RULE_IS_PRIVATE(rule))
            return CALLBACK_CONTINUE;
        if (ymatched(y, ctx, rule)) {
            y->st = VIGIL_ENOMEM;
            return CALLBACK_ERROR;
        }
        return y->allmatch ? CALLBACK_CONTINUE : CALLBACK_ABORT;
    case CALLBACK_MSG_TOO_MANY_MATCHES:
        y->limits |= VIGIL_LIMIT_YARA_MATCHES; /* `yara` warns and goes on */
        return CALLBACK_CONTINUE;
    default:
        return CALLBACK_CONTINUE;
    }
}

/* Sets the external variables for one object. */
static int ydefine(YR_SCANNER *s, const struct yscan_object *o)
{
    const char *path = o->path ? o->path : "";
    const char *base = strrchr(path, '/'), *dot;

    base = base ? base + 1 : path;
    dot = strrchr(base, '.');
    return yr_scanner_define_string_variable(s, "filepath", path) ||
           yr_scanner_define_string_variable(s, "filename", base) ||
           yr_scanner_define_string_variable(s, "extension", dot ? dot + 1 : "") ||
           yr_scanner_define_string_variable(s, "filetype", o->type ? o->type : "") ||
           yr_scanner_define_integer_variable(s, "depth", o->depth);
}

vigil_status yscan_run(struct yscan *y, const uint8_t *buf, size_t len,
                       const struct yscan_object *o, int allmatch,
                       unsigned *limits)
{
    size_t before = y->npending;
    int rc;

    /* No rule can match an object without one of the pre-filter's atoms
     * (db/yara_gate.h): libyara is not run for it. */
    if (y->gate && !yara_gate_needed(y->e->yara.gate, y->gate, buf, len))
        return VIGIL_OK;
    if (ydefine(y->scanner, o) != ERROR_SUCCESS)
        return VIGIL_ENOMEM;
    y->allmatch = allmatch;
    y->limits = 0;
    y->st = VIGIL_OK;
    yr_scanner_set_callback(y->scanner, ycallback, y);
    yr_scanner_set_flags(y->scanner, SCAN_FLAGS_REPORT_RULES_MATCHING);
    y->scanner->timeout = (uint64_t)o->timeout_ms * 1000000u;
    rc = yr_scanner_scan_mem(y->scanner, buf, len);
    *limits |= y->limits;
    if (rc == ERROR_SCAN_TIMEOUT) {
        *limits |= VIGIL_LIMIT_SCANTIME;
        y->npending = before;
        return VIGIL_OK;
    }
    if (rc == ERROR_SUCCESS)
        return VIGIL_OK;
    y->npending = before;
    return y->st != VIGIL_OK || rc == ERROR_INSUFFICIENT_MEMORY ? VIGIL_ENOMEM
                                                                 : VIGIL_EINVAL;
}

size_t yscan_pending(const struct yscan *y)
{
    return y ? y->npending : 0;
}

void yscan_drop(struct yscan *y)
{
    if (y)
        y->npending = y->reported = 0;
}

vigil_status yscan_report(struct yscan *y, int allmatch, struct vigil_result *r,
                          const char *layer_path, uint32_t depth)
{
    vigil_status st = VIGIL_OK;

    if (!y)
        return VIGIL_OK;
    if (!allmatch && r->n)
        y->npending = y->reported = 0;
    for (size_t i = y->reported; i < y->npending && st == VIGIL_OK; i++) {
        st = result_add_yara(r, y->pending[i].name, layer_path, depth,
                             y->pending[i].m);
        if (!allmatch)
            break;
    }
    y->npending = y->reported = 0;
    return st;
}

vigil_status yscan_report_before(struct yscan *y, uint32_t before, int allmatch,
                                 struct vigil_result *r)
{
    vigil_status st = VIGIL_OK;

    if (!y)
        return VIGIL_OK;
    for (; y->reported < y->npending && y->pending[y->reported].order <= before &&
           st == VIGIL_OK && (allmatch || !r->n);
         y->reported++)
        st = result_add_yara(r, y->pending[y->reported].name, "", 0,
                             y->pending[y->reported].m);
    return st;
}

uint32_t yscan_first_order(const struct yscan *y)
{
    const struct yara_db *db = y ? &y->e->yara : NULL;

    return db && db->nrules ? db->info[0].order : UINT32_MAX;
}
