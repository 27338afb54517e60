/* container.c - the recursion through containers: the one place where
 * depth, file counts, sizes, time and the decompression ratio are enforced
 * for every walker's children (src/unpack/), and where detections get
 * their layer paths.
 *
 * clamscan 1.4.6, measured: a child at depth d is scanned only when
 * d < max-recursion (clam_cache_emax.tgz's clam.exe, depth 16, is found
 * with 17 and is "MaxRecursion" with 16, reported about the refused child
 * one layer up); children are scanned before the container's own
 * signatures; a hit limit under --alert-exceeds-max is a detection.
 * vigil adds a ratio limit: a child decoded at more than max_ratio bytes
 * per input byte, past SCAN_RATIO_MIN bytes, ends the walk (a bomb). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/engine.h"
#include "core/status.h"
#include "db/cdb.h"
#include "db/ldb.h"
#include "scan/filetype.h"
#include "scan/layer.h"
#include "scan/scanner.h"
#include "unpack/format.h"
#include "unpack/html.h"

/* No child is ever decoded past this, whatever the limits say. */
#define SCAN_MAX_CHILD ((uint64_t)1 << 30)
/* The ratio limit looks only at children at least this large. */
#define SCAN_RATIO_MIN ((uint64_t)8 << 20)
/* Longest layer path text kept per detection. */
#define SCAN_LAYER_TEXT 1024

/* Limits after which nothing more of the object is unpacked. */
#define WALK_ENDING_LIMITS                                                      \
    (VIGIL_LIMIT_FILES | VIGIL_LIMIT_SCANSIZE | VIGIL_LIMIT_SCANTIME |          \
     VIGIL_LIMIT_RATIO)

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void walk_begin(struct vigil_scanner *s, const struct vigil_scan_options *o,
                const char *name)
{
    struct scan_walk *w = &s->walk;

    w->o = o;
    w->display_len = name ? strlen(name) : 0;
    w->depth = 0;
    /* clamscan counts the scanned file itself against --max-files
     * (measured: clam.zip needs --max-files=2, clam.tar.gz 3) */
    w->files = 1;
    w->scanned = 0;
    w->t0_ms = o->limits.max_scantime_ms ? now_ms() : 0;
    w->node_mark = 0;
    w->stop = 0;
    w->budget_bit = 0;
    w->own_done = 0;
    w->npend = 0;
    w->stack[0] = (struct scan_layer){NULL, NULL};
}

/* Writes the layer path text of the current depth (plus a refused child). */
static void walk_text(struct vigil_scanner *s, const char *ctype, const char *name,
                      char *text, size_t cap)
{
    struct scan_walk *w = &s->walk;
    struct scan_layer v[SCAN_MAX_DEPTH + 1];
    size_t n = w->depth;

    memcpy(v, w->stack + 1, n * sizeof *v);
    if (name)
        v[n++] = (struct scan_layer){ctype, name};
    if (w->depth == 0 && !ctype)
        text[0] = '\0'; /* the scanned object itself, not a child of it */
    else
        layer_path(text, cap, w->display_len, v, n, w->depth);
}

vigil_status walk_set_layers(struct vigil_scanner *s, size_t from, const char *ctype,
                             const char *name)
{
    char text[SCAN_LAYER_TEXT];
    vigil_status st = VIGIL_OK;

    if (from >= s->result.n)
        return VIGIL_OK;
    walk_text(s, ctype, name, text, sizeof text);
    for (size_t i = from; i < s->result.n && st == VIGIL_OK; i++)
        st = result_set_layer(&s->result, i, text, s->walk.depth);
    return st;
}

/* Holds back a heuristic detection `det` about the current depth (and a
 * child ctype:name): one per name, the first place it occurred, or the
 * last when `last` is set. */
static void walk_heuristic(struct vigil_scanner *s, const char *det, const char *ctype,
                           const char *name, int last)
{
    struct scan_walk *w = &s->walk;
    size_t i;

    for (i = 0; i < w->npend && w->pend[i].name != det; i++)
        ;
    if ((i < w->npend && !last) || i == WALK_MAX_PENDING)
        return;
    w->pend[i].name = det;
    w->pend[i].depth = w->depth;
    walk_text(s, ctype, name, w->pend[i].text, WALK_PENDING_TEXT);
    if (i == w->npend)
        w->npend++;
}

vigil_status walk_limit(struct vigil_scanner *s, unsigned bit, const char *ctype,
                        const char *name)
{
    struct scan_walk *w = &s->walk;
    const char *det = limit_detection_name(bit);

    s->result.limits |= bit;
    if (bit & WALK_ENDING_LIMITS)
        w->stop = 1;
    if ((w->o->flags & VIGIL_SCAN_ALERT_EXCEEDS_MAX) && det)
        walk_heuristic(s, det, ctype, name, 0);
    return VIGIL_OK;
}

vigil_status walk_end(struct vigil_scanner *s)
{
    struct scan_walk *w = &s->walk;
    int all = (w->o->flags & VIGIL_SCAN_ALLMATCH) != 0;
    vigil_status st = VIGIL_OK;

    if (s->result.n && !all)
        return VIGIL_OK;
    for (size_t i = 0; i < w->npend && st == VIGIL_OK; i++) {
        size_t at = s->result.n;
        st = result_add(&s->result, w->pend[i].name, "", 0);
        if (st == VIGIL_OK && at < s->result.n)
            st = result_set_layer(&s->result, at, w->pend[i].text, w->pend[i].depth);
        if (!all)
            break;
    }
    return st;
}

/* The time limit; returns 1 when it was hit (now or before). */
static int walk_timeout(struct vigil_scanner *s, vigil_status *st)
{
    uint32_t max = s->walk.o->limits.max_scantime_ms;

    if (!max || s->result.limits & VIGIL_LIMIT_SCANTIME)
        return max && (s->result.limits & VIGIL_LIMIT_SCANTIME);
    if (now_ms() - s->walk.t0_ms <= max)
        return 0;
    *st = walk_limit(s, VIGIL_LIMIT_SCANTIME, NULL, NULL);
    return 1;
}

/* Checks the limits a child must pass before it is scanned; returns 1 and
 * records the limit when it may not be. */
static int child_refused(struct vigil_scanner *s, struct unpack *u, size_t len,
                         const char *name, vigil_status *st)
{
    struct scan_walk *w = &s->walk;
    const struct vigil_limits *l = &w->o->limits;
    uint32_t depth = w->depth + 1;

    if (walk_timeout(s, st))
        return 1;
    if (l->max_files && w->files >= l->max_files) {
        *st = walk_limit(s, VIGIL_LIMIT_FILES, u->type, name);
        return 1;
    }
    w->files++;
    if ((l->max_recursion && depth >= l->max_recursion) || depth > SCAN_MAX_DEPTH) {
        *st = walk_limit(s, VIGIL_LIMIT_RECURSION, u->type, name);
        return 1;
    }
    if (l->max_filesize && len > l->max_filesize) {
        *st = walk_limit(s, VIGIL_LIMIT_FILESIZE, u->type, name);
        return 1;
    }
    if (l->max_scansize && w->scanned + len > l->max_scansize) {
        *st = walk_limit(s, VIGIL_LIMIT_SCANSIZE, u->type, name);
        return 1;
    }
    return 0;
}

int unpack_child(struct unpack *u, const void *data, size_t len, const char *name,
                 uint64_t in_bytes, vigil_status *st)
{
    struct vigil_scanner *s = u->s;
    struct scan_walk *w = &s->walk;
    struct source child;

    *st = VIGIL_OK;
    if (w->stop)
        return 1;
    if (w->o->limits.max_ratio && in_bytes && len >= SCAN_RATIO_MIN &&
        len / in_bytes >= w->o->limits.max_ratio) {
        *st = walk_limit(s, VIGIL_LIMIT_RATIO, u->type, name);
        return 1; /* decoded in one step by its walker: a bomb all the same */
    }
    if (child_refused(s, u, len, name, st))
        return w->stop || *st != VIGIL_OK;
    w->scanned += len;
    w->depth++;
    w->stack[w->depth] = (struct scan_layer){u->type, name};
    source_from_memory(&child, data, len);
    *st = scan_node(s, &child);
    w->depth--;
    if (s->result.n > 0 && !(w->o->flags & VIGIL_SCAN_ALLMATCH))
        w->stop = 1;
    return w->stop || *st != VIGIL_OK;
}

int unpack_child_under(struct unpack *u, unsigned hidden, const void *data, size_t len,
                       const char *name, uint64_t in_bytes, vigil_status *st)
{
    struct vigil_scanner *s = u->s;
    struct scan_walk *w = &s->walk;
    int r;

    *st = VIGIL_OK;
    if (w->stop)
        return 1;
    if (hidden > UNPACK_MAX_HIDDEN)
        hidden = UNPACK_MAX_HIDDEN;
    if (w->depth + hidden + 1 > SCAN_MAX_DEPTH) {
        *st = walk_limit(s, VIGIL_LIMIT_RECURSION, u->type, name);
        return w->stop || *st != VIGIL_OK;
    }
    for (unsigned i = 0; i < hidden; i++)
        w->stack[++w->depth] = (struct scan_layer){u->type, NULL};
    r = unpack_child(u, data, len, name, in_bytes, st);
    w->depth -= hidden;
    return r;
}

size_t unpack_budget(struct unpack *u, uint64_t size, uint64_t in_bytes, int *stop)
{
    struct vigil_scanner *s = u->s;
    struct scan_walk *w = &s->walk;
    const struct vigil_limits *l = &w->o->limits;
    uint64_t max = SCAN_MAX_CHILD;
    vigil_status st = VIGIL_OK;

    *stop = w->stop || walk_timeout(s, &st);
    if (!*stop && l->max_ratio && size >= SCAN_RATIO_MIN &&
        size / (in_bytes ? in_bytes : 1) >= l->max_ratio) {
        (void)walk_limit(s, VIGIL_LIMIT_RATIO, u->type, NULL);
        *stop = 1;
    }
    w->budget_bit = VIGIL_LIMIT_FILESIZE;
    if (l->max_filesize && l->max_filesize < max)
        max = l->max_filesize;
    if (l->max_scansize) {
        uint64_t left = l->max_scansize > w->scanned ? l->max_scansize - w->scanned : 0;
        if (left < max) {
            max = left;
            w->budget_bit = VIGIL_LIMIT_SCANSIZE;
        }
    }
    return max > SIZE_MAX ? SIZE_MAX : (size_t)max;
}

const struct vigil_scan_options *unpack_options(const struct unpack *u)
{
    return u->s->walk.o;
}

void unpack_damaged(struct unpack *u)
{
    u->s->result.notes |= VIGIL_NOTE_DAMAGED;
}

/* clamscan's names for encrypted members, by container type (measured for
 * zip: one Heuristics.Encrypted.Zip per file, about the last encrypted
 * member, even with allmatch; an encrypted ARJ member is no alert). Other
 * types only note the encryption in the result. */
static const char *encrypted_name(const char *type, unsigned *flag)
{
    static const struct {
        const char *type, *det;
        unsigned flag;
    } t[] = {
        {"ZIP", "Heuristics.Encrypted.Zip", VIGIL_SCAN_ALERT_ENCRYPTED},
        {"RAR", "Heuristics.Encrypted.RAR", VIGIL_SCAN_ALERT_ENCRYPTED},
        {"7Z", "Heuristics.Encrypted.7Zip", VIGIL_SCAN_ALERT_ENCRYPTED},
        /* a whole document (pdf.c): measured, clamscan 1.4.6 reports it about
         * the document itself under --alert-encrypted(-doc) */
        {"PDF", "Heuristics.Encrypted.PDF", VIGIL_SCAN_ALERT_ENCRYPTED_DOC},
    };

    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(t[i].type, type) == 0) {
            *flag = t[i].flag;
            return t[i].det;
        }
    return NULL;
}

unsigned unpack_flags(const struct unpack *u)
{
    return u->s->walk.o->flags;
}

void unpack_encrypted(struct unpack *u, const char *name)
{
    struct vigil_scanner *s = u->s;

    unsigned flag = 0;
    const char *det = encrypted_name(u->type, &flag);

    s->result.notes |= VIGIL_NOTE_ENCRYPTED;
    if (det && (s->walk.o->flags & flag))
        walk_heuristic(s, det, u->type, name, 1);
}

void unpack_heuristic(struct unpack *u, const char *det, const char *name)
{
    walk_heuristic(u->s, det, u->type, name, 0);
}

void unpack_heuristic_below(struct unpack *u, const char *det)
{
    struct scan_walk *w = &u->s->walk;

    if (w->depth >= SCAN_MAX_DEPTH)
        return;
    w->depth++;
    w->stack[w->depth] = (struct scan_layer){u->type, NULL};
    walk_heuristic(u->s, det, NULL, NULL, 0);
    w->depth--;
}

int unpack_meta(struct unpack *u, const struct cdb_member *m, vigil_status *st)
{
    struct vigil_scanner *s = u->s;
    const struct cdb_table *t = &s->e->cdb;
    char cltype[64];
    int ctype, all = (s->walk.o->flags & VIGIL_SCAN_ALLMATCH) != 0;

    *st = VIGIL_OK;
    if (t->n == 0 || s->walk.stop)
        return s->walk.stop;
    snprintf(cltype, sizeof cltype, "CL_TYPE_%s", u->type);
    ctype = ldb_ftype_code(cltype, strlen(cltype));
    for (size_t i = 0; i < t->n && *st == VIGIL_OK; i++) {
        size_t at = s->result.n;
        if (!cdb_match(&t->v[i], ctype < 0 ? UINT16_MAX : (unsigned)ctype, u->len, m))
            continue;
        *st = result_add(&s->result, strtab_get(&s->e->names, t->v[i].name), "", 0);
        if (*st == VIGIL_OK)
            *st = walk_set_layers(s, at, u->type, m->name);
        if (!all)
            s->walk.stop = 1;
        if (s->walk.stop)
            break;
    }
    return s->walk.stop || *st != VIGIL_OK;
}

void unpack_too_big(struct unpack *u, const char *name)
{
    (void)walk_limit(u->s, u->s->walk.budget_bit, u->type, name);
}

/* The first bytes of an object, for typing. When the matcher will read the
 * whole object anyway, it is read now, once. */
static const uint8_t *peek(struct vigil_scanner *s, const struct source *src, size_t *n)
{
    size_t want = src->size < FORMAT_PEEK ? (size_t)src->size : FORMAT_PEEK;
    const uint8_t *all;

    if (src->mem) {
        *n = want;
        return src->mem;
    }
    if ((s->e->body.n || s->e->ldb.n || s->yara) && scan_load(s, src, &all) == VIGIL_OK) {
        *n = want;
        return all;
    }
    if (source_read(src, 0, s->buf, want, n) != VIGIL_OK)
        *n = 0;
    return s->buf;
}

/* An object that is no container: walked as HTML (unpack/html.c) when
 * ClamAV's HTML magic types it so, else searched for embedded archives. */
static vigil_status walk_html(struct vigil_scanner *s, const struct source *src,
                              const uint8_t **data)
{
    const uint8_t *all = NULL;
    struct source mem;
    struct unpack u;
    vigil_status st;

    st = scan_load(s, src, &all);
    if (st == VIGIL_ETOOBIG)
        return walk_limit(s, VIGIL_LIMIT_SCANSIZE, NULL, NULL);
    if (st != VIGIL_OK)
        return st;
    *data = all;
    if (scan_target(s, all, (size_t)src->size) != TARGET_HTML) {
        source_from_memory(&mem, all, (size_t)src->size); /* read once */
        return walk_embedded(s, &mem, data);
    }
    if (s->walk.depth == 0)
        s->result.bytes_read = src->size;
    u = (struct unpack){all, (size_t)src->size, "HTML", s};
    return html_walk(&u);
}

/* A size within a limit of clamscan's normalisers (0: none). */
static int within(uint64_t size, uint64_t limit)
{
    return limit == 0 || size <= limit;
}

vigil_status walk_container(struct vigil_scanner *s, const struct source *src,
                            const uint8_t **data)
{
    const struct vigil_format *fmt;
    struct unpack u;
    const uint8_t *head, *all = NULL;
    size_t n;
    vigil_status st;

    head = peek(s, src, &n);
    fmt = scan_format(s, head, n);
    if (!fmt && !(s->walk.o->flags & VIGIL_SCAN_NO_HTML) &&
        within(src->size, s->walk.o->limits.max_htmlnormalize))
        return walk_html(s, src, data);
    if (!fmt)
        return walk_embedded(s, src, data);
    if ((s->walk.o->flags & VIGIL_SCAN_NO_ARCHIVE) && format_is_archive(fmt))
        return VIGIL_OK; /* --scan-archive=no: the object's own signatures only */
    st = scan_load(s, src, &all);
    if (st == VIGIL_ETOOBIG)
        return walk_limit(s, VIGIL_LIMIT_SCANSIZE, NULL, NULL);
    if (st != VIGIL_OK)
        return st;
    *data = all;
    if (s->walk.depth == 0)
        s->result.bytes_read = src->size;
    if (fmt->own_first) {
        struct source mem;
        source_from_memory(&mem, all, (size_t)src->size);
        st = scan_own(s, &mem);
        if (st != VIGIL_OK ||
            (s->result.n > 0 && !(s->walk.o->flags & VIGIL_SCAN_ALLMATCH)))
            return st;
    }
    u = (struct unpack){all, (size_t)src->size, fmt->name, s};
    return fmt->walk(&u);
}
