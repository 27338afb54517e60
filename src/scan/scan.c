/* scan.c - the scan of one object: limits first, then, for a container,
 * its children (container.c, which enforces every limit below the top
 * level), then the hash signatures of its size (hashing only when some
 * signature of that size exists), body and logical signatures, YARA rules,
 * the allow list, and the verdict.
 *
 * Report order, as clamscan 1.4.6 reports when all kinds are loaded: body
 * matches, hash matches, then logical signatures and YARA rules together in
 * the order their files were loaded (clamscan loads a YARA rule as a
 * logical signature; measured with .yar files before, between and after
 * .ldb files: tests/compat/yara_order.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>


#include "core/engine.h"
#include "core/status.h"
#include "db/ldb.h"
#include "io/source.h"
#include "match/atoms.h"
#include "match/yara.h"
#include "scan/body.h"
#include "scan/digest.h"
#include "scan/embedded.h"
#include "scan/exe_scan.h"
#include "scan/filetype.h"
#include "scan/result.h"
#include "scan/scanner.h"
#include "unpack/format.h"

extern const struct vigil_format format_mail;

/* clamscan 1.4 passes over objects of 5 bytes or less without matching
 * anything (measured: a 5-byte file's own MD5 signature does not match, a
 * 6-byte one does); vigil does the same so that reports agree. */
#define SCAN_MIN_SIZE 6

/* Read buffer per scanner: large enough that syscalls are not the cost. */
#define SCAN_BUFSIZE (1u << 20)

/* An object buffer larger than this is given back after the scan. */
#define SCAN_KEEP_OBJECT ((size_t)16 << 20)

void vigil_scan_options_default(struct vigil_scan_options *o)
{
    o->flags = 0;
    vigil_limits_default(&o->limits);
}

vigil_status vigil_scanner_new(const vigil_engine *e, vigil_scanner **out)
{
    struct vigil_scanner *s = NULL;
    vigil_status st = VIGIL_ENOMEM;

    if (!e || !out)
        return VIGIL_EINVAL;
    *out = NULL;
    /* (an image-only compile's engine has no hash tables) */
    if (!e->compiled || hashset_deferred(e->sigs))
        return VIGIL_ESTATE;
    s = calloc(1, sizeof *s);
    if (!s)
        goto out;
    s->e = e;
    s->obj_fd = -1;
    result_init(&s->result);
    s->buf = malloc(SCAN_BUFSIZE);
    if (!s->buf)
        goto out;
    st = digester_init(&s->dg);
    if (st != VIGIL_OK)
        goto out;
    st = body_scratch_init(&s->body, e);
    if (st == VIGIL_OK)
        st = yscan_new(e, &s->yara);
    if (st == VIGIL_OK)
        st = emb_scratch_new(e->emb, &s->emb);
    if (st != VIGIL_OK)
        goto out;
    *out = s;
    s = NULL;
out:
    vigil_scanner_free(s);
    return st;
}

void vigil_scanner_free(vigil_scanner *s)
{
    if (!s)
        return;
    digester_free(&s->dg);
    body_scratch_free(&s->body);
    yscan_free(s->yara);
    atoms_scratch_free(s->emb);
    result_free(&s->result);
    free(s->buf);
    free(s->obj);
    free(s);
}

/* Reports the hash detections of one digest kind: the exact-size match, then
 * the any-size match (clamscan's order); only the first without allmatch. */
static vigil_status scan_hash_kind(struct vigil_scanner *s, enum hash_kind kind,
                                   const struct digests *dg, uint64_t size,
                                   const struct vigil_scan_options *o)
{
    const struct vigil_engine *e = s->e;
    uint32_t name[2];
    unsigned found;
    vigil_status st = VIGIL_OK;

    found = hashset_find(e->sigs, kind, dg->d[kind], size, &name[0], &name[1]);
    for (int i = 0; i < 2 && st == VIGIL_OK; i++) {
        if (!(found & (1u << i)))
            continue;
        st = result_add(&s->result, strtab_get(&e->names, name[i]), "", 0);
        if (!(o->flags & VIGIL_SCAN_ALLMATCH))
            break;
    }
    return st;
}

vigil_status scan_buffer_hashes(struct vigil_scanner *s, const uint8_t *buf, size_t len)
{
    const struct vigil_scan_options *o = s->walk.o;
    unsigned kinds = hashset_kinds_for_size(s->e->sigs, len);
    struct source mem;
    struct digests dg;
    uint64_t nread;
    vigil_status st;

    if (!kinds || (s->result.n && !(o->flags & VIGIL_SCAN_ALLMATCH)))
        return VIGIL_OK;
    source_from_memory(&mem, buf, len);
    st = digester_run(&s->dg, &mem, kinds, s->buf, SCAN_BUFSIZE, &dg, &nread);
    for (int k = 0; k < HASH_KINDS && st == VIGIL_OK; k++) {
        if (!(kinds & (1u << k)))
            continue;
        st = scan_hash_kind(s, (enum hash_kind)k, &dg, len, o);
        if (s->result.n && !(o->flags & VIGIL_SCAN_ALLMATCH))
            break;
    }
    return st;
}

/* Returns 1 if any digest of the object is on the allow list. */
static int scan_allowed(const struct vigil_engine *e, const struct digests *dg,
                        uint64_t size)
{
    uint32_t unused[2];

    for (int k = 0; k < HASH_KINDS; k++)
        if ((dg->kinds & (1u << k)) &&
            hashset_find(e->allow, (enum hash_kind)k, dg->d[k], size, &unused[0],
                         &unused[1]))
            return 1;
    return 0;
}

/* The digests the caller gave for the top-level object (vigil_scan_fd_digests):
 * used once, for the first object at depth 0 of their size (the top-level
 * object: its children are deeper, its views come later), if they hold
 * every kind wanted. Returns 1 with *dg filled in. */
static int scan_given_digests(struct vigil_scanner *s, const struct source *src,
                              unsigned want, struct digests *dg)
{
    static const unsigned bit[HASH_KINDS] = {VIGIL_DIGEST_MD5, VIGIL_DIGEST_SHA1,
                                             VIGIL_DIGEST_SHA256};
    const struct vigil_digests *g = s->given;
    const uint8_t *from[HASH_KINDS];

    if (!g || s->walk.depth != 0)
        return 0;
    s->given = NULL;
    if (g->size != src->size)
        return 0;
    from[HASH_MD5] = g->md5;
    from[HASH_SHA1] = g->sha1;
    from[HASH_SHA256] = g->sha256;
    dg->kinds = 0;
    for (int k = 0; k < HASH_KINDS; k++) {
        if (!(want & (1u << k)))
            continue;
        if (!(g->kinds & bit[k]))
            return 0;
        memcpy(dg->d[k], from[k], hash_len[k]);
        dg->kinds |= 1u << k;
    }
    return 1;
}

/* Hash signatures: the detection kinds present for this size, checked in
 * ClamAV's order (MD5, SHA-1, SHA-256); then the allow list, which clears
 * every detection of the object (body matches too). */
static vigil_status scan_hashes(struct vigil_scanner *s, const struct source *src,
                                const struct vigil_scan_options *o)
{
    const struct vigil_engine *e = s->e;
    struct vigil_result *r = &s->result;
    int more = !r->n || (o->flags & VIGIL_SCAN_ALLMATCH);
    unsigned kinds = more ? hashset_kinds_for_size(e->sigs, src->size) : 0;
    unsigned allow = hashset_kinds_for_size(e->allow, src->size);
    /* logical signatures and YARA rules are reported after the hashes */
    size_t lsigs = lsig_pending(&s->body.lsig) + yscan_pending(s->yara);
    struct digests dg;
    uint64_t nread;
    vigil_status st;

    if (!kinds && !((r->n || lsigs) && allow))
        return VIGIL_OK;
    if (scan_given_digests(s, src, kinds | allow, &dg)) {
        nread = src->size;
        st = VIGIL_OK;
    } else {
        st = digester_run(&s->dg, src, kinds | allow, s->buf, SCAN_BUFSIZE, &dg, &nread);
    }
    if (s->walk.depth == 0 && nread > r->bytes_read)
        r->bytes_read = nread;
    for (int k = 0; k < HASH_KINDS && st == VIGIL_OK && kinds; k++) {
        if (!(kinds & (1u << k)))
            continue;
        st = scan_hash_kind(s, (enum hash_kind)k, &dg, src->size, o);
        if (r->n && !(o->flags & VIGIL_SCAN_ALLMATCH))
            break;
    }
    if (st == VIGIL_OK && (r->n || lsigs) && scan_allowed(e, &dg, src->size)) {
        result_truncate(r, s->walk.node_mark);
        lsig_drop(&s->body.lsig);
        yscan_drop(s->yara);
    }
    return st;
}

/* A container on the allow list clears what was found inside it, and the
 * scan goes on (clamscan checks the allow list of every layer above a
 * detection before it reports it: an allow-listed archive is OK, a sibling
 * after it is still scanned). With allmatch scan_hashes does this after
 * the container's own signatures. Returns 1 when it cleared. */
static int scan_clear_allowed(struct vigil_scanner *s, const struct source *src,
                              vigil_status *st)
{
    unsigned allow = hashset_kinds_for_size(s->e->allow, src->size);
    struct digests dg;
    uint64_t nread;

    if (!allow)
        return 0;
    *st = digester_run(&s->dg, src, allow, s->buf, SCAN_BUFSIZE, &dg, &nread);
    if (*st != VIGIL_OK || !scan_allowed(s->e, &dg, src->size))
        return 0;
    result_truncate(&s->result, s->walk.node_mark);
    lsig_drop(&s->body.lsig);
    yscan_drop(s->yara);
    s->walk.stop = 0;
    return 1;
}

/* Maps the file of src (larger than SCAN_MAX_OBJECT) read-only for the rest
 * of the scan. Reading a page past the end of a file that shrinks while it
 * is mapped raises SIGBUS: in vigil's sandboxed workers that costs the one
 * scan an error and the worker is replaced; the size is checked again once
 * mapped so an ordinary shrink is an error, not a signal. */
static vigil_status scan_map(struct vigil_scanner *s, const struct source *src,
                             const uint8_t **data)
{
    struct stat st;
    void *p;

    if (s->map) {
        *data = s->map;
        return VIGIL_OK;
    }
    if (src->fd < 0 || src->size > SIZE_MAX)
        return VIGIL_ETOOBIG;
    p = mmap(NULL, (size_t)src->size, PROT_READ, MAP_PRIVATE, src->fd, 0);
    if (p == MAP_FAILED)
        return VIGIL_ETOOBIG;
    if (fstat(src->fd, &st) != 0 || (uint64_t)st.st_size < src->size) {
        munmap(p, (size_t)src->size);
        return VIGIL_ECHANGED;
    }
    (void)madvise(p, (size_t)src->size, MADV_SEQUENTIAL);
    s->map = p;
    s->map_len = (size_t)src->size;
    *data = p;
    return VIGIL_OK;
}

vigil_status scan_load(struct vigil_scanner *s, const struct source *src,
                       const uint8_t **data)
{
    size_t size = (size_t)src->size, got;
    vigil_status st;

    if (src->mem) {
        *data = src->mem;
        return VIGIL_OK;
    }
    if (src->size > SCAN_MAX_OBJECT)
        return scan_map(s, src, data);
    /* Read once per scan: the walkers and the matcher ask in turn, and a
     * second read could also see other bytes than the first. */
    if (src->fd >= 0 && s->obj_fd == src->fd) {
        *data = s->obj;
        return VIGIL_OK;
    }
    if (size > s->obj_cap) {
        uint8_t *p = realloc(s->obj, size);
        if (!p)
            return VIGIL_ENOMEM;
        s->obj = p;
        s->obj_cap = size;
    }
    st = source_read(src, 0, s->obj, size, &got);
    if (st == VIGIL_OK && got != size)
        st = VIGIL_ECHANGED;
    if (st == VIGIL_OK)
        s->obj_fd = src->fd;
    *data = s->obj;
    return st;
}

/* Gives a large object buffer back so one big file does not pin memory. */
static void scan_unload(struct vigil_scanner *s)
{
    s->obj_fd = -1;
    if (s->map) {
        munmap(s->map, s->map_len);
        s->map = NULL;
        s->map_len = 0;
    }
    if (s->obj_cap > SCAN_KEEP_OBJECT) {
        free(s->obj);
        s->obj = NULL;
        s->obj_cap = 0;
    }
}

/* YARA rules on the object's bytes, the buffer the body signatures read.
 * Without allmatch they run only while nothing has matched yet. This is the
 * one call per object, at every layer; its detections get their layer path
 * with the others' (walk_set_layers). */
static vigil_status scan_yara(struct vigil_scanner *s, const uint8_t *data,
                              size_t len, const struct vigil_scan_options *o)
{
    int all = (o->flags & VIGIL_SCAN_ALLMATCH) != 0;
    struct yscan_object obj = {s->name, filetype_name(filetype_target(data, len)),
                               s->walk.depth, o->limits.max_scantime_ms};
    unsigned limits = 0;
    vigil_status st;

    if (!s->yara || (!all && s->result.n))
        return VIGIL_OK;
    /* Without allmatch a matching logical signature is reported unless a
     * YARA rule loaded before it matches too. */
    if (!all && lsig_pending(&s->body.lsig) &&
        (s->e->ldb.v[s->body.lsig.found[0]].target != 0 ||
         yscan_first_order(s->yara) > s->body.lsig.found[0]))
        return VIGIL_OK;
    st = yscan_run(s->yara, data, len, &obj, all, &limits);
    s->result.limits |= limits & ~VIGIL_LIMIT_SCANTIME;
    if (st == VIGIL_OK && (limits & VIGIL_LIMIT_SCANTIME))
        st = walk_limit(s, VIGIL_LIMIT_SCANTIME, NULL, NULL);
    return st;
}

/* Reports the matching logical signatures and YARA rules in load order,
 * as clamscan does (it loads YARA rules as logical signatures): all with
 * allmatch, else the first, and only when nothing matched before. */
static vigil_status scan_report_lsigs(struct vigil_scanner *s, int all)
{
    struct lsig_scratch *l = &s->body.lsig;
    vigil_status st = VIGIL_OK;

    if (!all && s->result.n) {
        lsig_drop(l);
        yscan_drop(s->yara);
        return VIGIL_OK;
    }
    for (size_t i = 0; i < l->nfound && st == VIGIL_OK && (all || !s->result.n); i++) {
        /* Rules are target 0: they fall among target-0 signatures, after
         * those of the object's own target (lsig_finish's order). */
        if (s->e->ldb.v[l->found[i]].target == 0)
            st = yscan_report_before(s->yara, l->found[i], all, &s->result);
        if (st == VIGIL_OK && (all || !s->result.n))
            st = result_add(&s->result,
                            strtab_get(&s->e->names, s->e->ldb.v[l->found[i]].name), "", 0);
    }
    lsig_drop(l);
    if (st == VIGIL_OK)
        st = yscan_report(s->yara, all, &s->result, "", 0);
    return st;
}

/* Tells the logical signatures where the object sits: its container's type
 * and those above it (Container and Intermediates). */
void scan_lsig_layers(struct vigil_scanner *s)
{
    struct lsig_scratch *l = &s->body.lsig;
    char name[64];
    int c;

    l->ninter = 0;
    for (uint32_t d = 1; d <= s->walk.depth && l->ninter < sizeof l->inter / sizeof l->inter[0];
         d++) {
        snprintf(name, sizeof name, "CL_TYPE_%s", s->walk.stack[d].ctype);
        c = ldb_ftype_code(name, strlen(name));
        l->inter[l->ninter++] = (uint16_t)(c < 0 ? UINT16_MAX : c);
    }
    l->container = l->ninter ? l->inter[l->ninter - 1] : 0;
}

/* Body signatures and YARA rules on the object in memory, then hashes from
 * the same bytes. */
static vigil_status scan_object(struct vigil_scanner *s, const struct source *src,
                                const struct vigil_scan_options *o)
{
    const uint8_t *data = NULL;
    struct source mem;
    unsigned type = TARGET_ANY;
    int all = (o->flags & VIGIL_SCAN_ALLMATCH) != 0;
    vigil_status st;

    lsig_drop(&s->body.lsig); /* nothing waits from an earlier object */
    scan_lsig_layers(s);
    if (s->e->body.n == 0 && s->e->ldb.n == 0 && !s->yara)
        return scan_hashes(s, src, o);
    st = scan_load(s, src, &data);
    if (st == VIGIL_ETOOBIG) {
        s->result.limits |= VIGIL_LIMIT_SCANSIZE;
        return scan_hashes(s, src, o);
    }
    if (st == VIGIL_OK) {
        if (s->walk.depth == 0)
            s->result.bytes_read = src->size;
        source_from_memory(&mem, data, (size_t)src->size);
        type = scan_target(s, data, (size_t)src->size);
        /* Mail that the magic does not type (headers further in, which
         * clamscan's text rules find) is typed by its walker's check
         * (unpack/mail.c), so target-4 signatures match the raw message. */
        if ((type == TARGET_ANY || type == TARGET_TEXT) &&
            format_mail.detect(data, (size_t)src->size))
            type = TARGET_MAIL;
        /* clamscan matches no signature on an HTML file's own bytes when
         * it scans HTML (its views were matched by the walk), and only
         * target-0 ones on a text file's (its text view follows). */
        if (type != TARGET_HTML || (o->flags & VIGIL_SCAN_NO_HTML))
            st = body_scan(s->e, &s->body, data, (size_t)src->size,
                           type == TARGET_TEXT ? TARGET_ANY : type, all, &s->result);
    }
    if (st == VIGIL_OK)
        st = scan_yara(s, data, (size_t)src->size, o);
    if (st == VIGIL_OK)
        st = scan_hashes(s, &mem, o);
    if (st == VIGIL_OK)
        st = scan_report_lsigs(s, all);
    /* clamscan --scan-html=no drops the text view too (measured) */
    if (st == VIGIL_OK && type == TARGET_TEXT && (all || s->result.n == 0) &&
        !(o->flags & VIGIL_SCAN_NO_HTML))
        st = scan_text_view(s, data, (size_t)src->size);
    return st;
}

vigil_status scan_own(struct vigil_scanner *s, const struct source *src)
{
    size_t from = s->result.n;
    vigil_status st = scan_object(s, src, s->walk.o);

    s->walk.own_done = 1;
    if (st == VIGIL_OK)
        st = walk_set_layers(s, from, NULL, NULL);
    return st;
}

vigil_status scan_node(struct vigil_scanner *s, const struct source *src)
{
    const struct vigil_scan_options *o = s->walk.o;
    size_t outer = s->walk.node_mark, mark = s->result.n, own;
    const uint8_t *data = NULL;
    struct source mem;
    vigil_status st = VIGIL_OK;
    int outer_done = s->walk.own_done;

    if (src->size < SCAN_MIN_SIZE)
        return VIGIL_OK;
    s->walk.node_mark = mark;
    s->walk.own_done = 0;
    st = walk_container(s, src, &data);
    if (data) {
        source_from_memory(&mem, data, (size_t)src->size);
        src = &mem;
    }
    own = s->result.n;
    if (st == VIGIL_OK && own > mark && !(o->flags & VIGIL_SCAN_ALLMATCH) &&
        scan_clear_allowed(s, src, &st))
        own = s->result.n;
    if (st == VIGIL_OK && !s->walk.own_done && (own == 0 || (o->flags & VIGIL_SCAN_ALLMATCH)))
        st = scan_object(s, src, o);
    s->walk.own_done = outer_done;
    if (st == VIGIL_OK)
        st = exe_scan_pe(s, src); /* after the object's own signatures */
    if (st == VIGIL_OK)
        st = walk_set_layers(s, own, NULL, NULL);
    if (st == VIGIL_OK)
        st = exe_unpack_pe(s, src); /* a child, with its own layer path */
    s->walk.node_mark = outer;
    return st;
}

static vigil_status scan_source(struct vigil_scanner *s, const struct source *src,
                                const char *name, const struct vigil_scan_options *opt,
                                const vigil_result **out)
{
    struct vigil_scan_options defaults;
    const struct vigil_limits *l;
    vigil_status st;

    if (!opt) {
        vigil_scan_options_default(&defaults);
        opt = &defaults;
    }
    l = &opt->limits;
    result_reset(&s->result);
    yscan_reset(s->yara);
    s->name = name;
    walk_begin(s, opt, name);
    s->result.size = src->size;
    if (l->max_filesize && src->size > l->max_filesize)
        st = walk_limit(s, VIGIL_LIMIT_FILESIZE, NULL, NULL);
    else if (l->max_scansize && src->size > l->max_scansize)
        st = walk_limit(s, VIGIL_LIMIT_SCANSIZE, NULL, NULL);
    else
        st = scan_node(s, src);
    if (st == VIGIL_OK)
        st = walk_end(s);
    scan_unload(s);
    if (st == VIGIL_OK)
        *out = &s->result;
    return st;
}

vigil_status vigil_scan_fd(vigil_scanner *s, int fd, const char *name,
                           const struct vigil_scan_options *opt,
                           const vigil_result **out)
{
    struct source src;
    vigil_status st;

    if (!s || !out)
        return VIGIL_EINVAL;
    st = source_from_fd(&src, fd);
    if (st != VIGIL_OK)
        return st;
    return scan_source(s, &src, name, opt, out);
}

vigil_status vigil_scan_fd_digests(vigil_scanner *s, int fd, const char *name,
                                   const struct vigil_scan_options *opt,
                                   const struct vigil_digests *dg, const vigil_result **out)
{
    vigil_status st;

    if (!s)
        return VIGIL_EINVAL;
    s->given = dg;
    st = vigil_scan_fd(s, fd, name, opt, out);
    s->given = NULL;
    return st;
}

void vigil_engine_digest_limits(const vigil_engine *e, uint64_t max[3])
{
    uint64_t a[HASH_KINDS];

    for (int k = 0; k < HASH_KINDS; k++)
        max[k] = 0;
    if (!e)
        return;
    hashset_max_sizes(e->sigs, max);
    hashset_max_sizes(e->allow, a);
    for (int k = 0; k < HASH_KINDS; k++)
        if (a[k] > max[k])
            max[k] = a[k];
}

vigil_status vigil_scan_buffer(vigil_scanner *s, const void *data, size_t len,
                               const char *name,
                               const struct vigil_scan_options *opt,
                               const vigil_result **out)
{
    struct source src;

    if (!s || !out || (!data && len))
        return VIGIL_EINVAL;
    source_from_memory(&src, data, len);
    return scan_source(s, &src, name, opt, out);
}
