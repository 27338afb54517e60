/* atoms.c - the Vectorscan literal pre-filter.
 *
 * Only literals go to Vectorscan: gaps, wildcards and repeats never do, so
 * compiling stays linear and small. They are given as expressions that spell
 * every byte "\xNN" (hs_compile_multi), not through the pure-literal API:
 * Vectorscan 5.4.9's hs_compile_lit_multi takes a literal that starts with a
 * 00 byte for an empty one and refuses it, and atoms like 00 00 00 18 are the
 * only informative bytes some signatures have. Vectorscan reduces such
 * expressions to the same literal matchers (measured: same database size and
 * compile time for 100,000 literals). Identical atoms of
 * several signatures become one Vectorscan pattern whose id indexes a list of
 * owners, so a hit costs one callback however many signatures share it.
 * Literals are matched case-sensitively (caseless for ::i subsignatures of
 * logical signatures, whose atoms are kept apart from the others) and
 * reported at their end offset; the start is end - length, so no
 * start-of-match tracking is needed. */
#include "match/atoms.h"

#include <hs/hs.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A distinct literal of one target, with the signatures that own it. */
struct literal {
    uint8_t *bytes;
    uint32_t len;
    uint32_t flags;       /* enum atoms_flags */
    uint32_t first_owner; /* index into owners[], chained by next_owner */
    uint32_t nowners;
    uint32_t only;        /* the owner's signature when there is one: a hit
                           * then reads no owner list (most literals) */
};

struct target_set {
    struct literal *lits;
    size_t n, cap;
    uint32_t *index; /* open-addressed literal index + 1, for dedup */
    size_t index_mask;
    hs_database_t *db;
};

struct atoms {
    struct target_set t[ATOMS_TARGETS];
    uint32_t *owner_sig;  /* owner slots: signature id */
    uint32_t *owner_next; /* next owner slot of the same literal, UINT32_MAX = end */
    size_t nowners, owners_cap;
    int compiled;
    int borrowed; /* lits, owners and databases are an image's (atoms_attach) */
    /* atoms_attach: literals are checked when a hit first reads them. */
    int (*id_ok)(void *ctx, uint32_t id);
    void *id_ctx;
};

struct atoms_scratch {
    hs_scratch_t *hs;
};

vigil_status atoms_new(struct atoms **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? VIGIL_OK : VIGIL_ENOMEM;
}

void atoms_free(struct atoms *a)
{
    if (!a)
        return;
    if (a->borrowed) { /* the databases too are the image's */
        free(a);
        return;
    }
    for (unsigned t = 0; t < ATOMS_TARGETS; t++) {
        for (size_t i = 0; i < a->t[t].n; i++)
            free(a->t[t].lits[i].bytes);
        free(a->t[t].lits);
        free(a->t[t].index);
        hs_free_database(a->t[t].db);
    }
    free(a->owner_sig);
    free(a->owner_next);
    free(a);
}

static size_t lit_hash(const uint8_t *b, size_t n, unsigned flags)
{
    size_t h = 1469598103934665603ull ^ flags;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

static vigil_status set_reindex(struct target_set *ts)
{
    size_t slots = 64;
    uint32_t *idx;

    while (slots < 2 * ts->n + 2)
        slots *= 2;
    idx = calloc(slots, sizeof *idx);
    if (!idx)
        return VIGIL_ENOMEM;
    free(ts->index);
    ts->index = idx;
    ts->index_mask = slots - 1;
    for (size_t i = 0; i < ts->n; i++) {
        size_t h = lit_hash(ts->lits[i].bytes, ts->lits[i].len, ts->lits[i].flags) &
                   ts->index_mask;
        while (idx[h])
            h = (h + 1) & ts->index_mask;
        idx[h] = (uint32_t)(i + 1);
    }
    return VIGIL_OK;
}

/* Returns the literal equal to bytes[0..len) with flags in ts, creating it
 * if new. */
static struct literal *set_literal(struct target_set *ts, const uint8_t *bytes,
                                   size_t len, unsigned flags)
{
    size_t h;
    struct literal *l;

    if (ts->index) {
        for (h = lit_hash(bytes, len, flags) & ts->index_mask; ts->index[h];
             h = (h + 1) & ts->index_mask) {
            l = &ts->lits[ts->index[h] - 1];
            if (l->len == len && l->flags == flags && memcmp(l->bytes, bytes, len) == 0)
                return l;
        }
    }
    if (ts->n == ts->cap) {
        size_t cap = ts->cap ? ts->cap * 2 : 64;
        struct literal *v = realloc(ts->lits, cap * sizeof *v);
        if (!v)
            return NULL;
        ts->lits = v;
        ts->cap = cap;
    }
    l = &ts->lits[ts->n];
    memset(l, 0, sizeof *l); /* no stray padding bytes in an engine image */
    l->bytes = malloc(len);
    if (!l->bytes)
        return NULL;
    memcpy(l->bytes, bytes, len);
    l->len = (uint32_t)len;
    l->flags = flags;
    l->first_owner = UINT32_MAX;
    l->nowners = 0;
    ts->n++;
    if (!ts->index || 2 * ts->n + 2 > ts->index_mask + 1) {
        if (set_reindex(ts) != VIGIL_OK)
            return NULL;
    } else {
        h = lit_hash(bytes, len, flags) & ts->index_mask;
        while (ts->index[h])
            h = (h + 1) & ts->index_mask;
        ts->index[h] = (uint32_t)ts->n;
    }
    return l;
}

vigil_status atoms_add(struct atoms *a, unsigned target, const uint8_t *bytes,
                       size_t len, uint32_t sig, unsigned flags)
{
    struct literal *l;

    if (a->compiled || target >= ATOMS_TARGETS || len == 0 || len > ATOMS_MAX_LEN)
        return VIGIL_EINVAL;
    if (a->nowners == a->owners_cap) {
        size_t cap = a->owners_cap ? a->owners_cap * 2 : 256;
        uint32_t *s = realloc(a->owner_sig, cap * sizeof *s);
        uint32_t *n = s ? realloc(a->owner_next, cap * sizeof *n) : NULL;
        if (s)
            a->owner_sig = s;
        if (!n)
            return VIGIL_ENOMEM;
        a->owner_next = n;
        a->owners_cap = cap;
    }
    l = set_literal(&a->t[target], bytes, len, flags);
    if (!l)
        return VIGIL_ENOMEM;
    a->owner_sig[a->nowners] = sig;
    a->owner_next[a->nowners] = l->first_owner;
    l->first_owner = (uint32_t)a->nowners++;
    l->nowners++;
    l->only = sig;
    return VIGIL_OK;
}

/* Writes literal l as a Vectorscan expression: every byte as \xNN. */
static void lit_expr(const struct literal *l, char *out)
{
    static const char hex[] = "0123456789abcdef";

    for (uint32_t i = 0; i < l->len; i++) {
        *out++ = '\\';
        *out++ = 'x';
        *out++ = hex[l->bytes[i] >> 4];
        *out++ = hex[l->bytes[i] & 15];
    }
    *out = '\0';
}

static vigil_status set_compile(struct target_set *ts, char *why, size_t whylen)
{
    const char **exprs = calloc(ts->n, sizeof *exprs);
    unsigned *flags = calloc(ts->n, sizeof *flags), *ids = calloc(ts->n, sizeof *ids);
    char *text = NULL;
    size_t textlen = 0;
    hs_compile_error_t *err = NULL;
    vigil_status st = VIGIL_ENOMEM;

    for (size_t i = 0; i < ts->n; i++)
        textlen += 4 * (size_t)ts->lits[i].len + 1;
    text = malloc(textlen ? textlen : 1);
    if (!exprs || !flags || !ids || !text)
        goto out;
    textlen = 0;
    for (size_t i = 0; i < ts->n; i++) {
        exprs[i] = text + textlen;
        lit_expr(&ts->lits[i], text + textlen);
        textlen += 4 * (size_t)ts->lits[i].len + 1;
        flags[i] = (ts->lits[i].flags & ATOMS_CASELESS) ? HS_FLAG_CASELESS : 0;
        ids[i] = (unsigned)i;
    }
    st = VIGIL_OK;
    if (hs_compile_multi(exprs, flags, ids, (unsigned)ts->n, HS_MODE_BLOCK, NULL, &ts->db,
                         &err) != HS_SUCCESS) {
        snprintf(why, whylen, "Vectorscan: %s", err ? err->message : "compile failed");
        hs_free_compile_error(err);
        st = VIGIL_ENOMEM;
    }
out:
    free(exprs);
    free(flags);
    free(ids);
    free(text);
    return st;
}

/* Once compiled, the matchers only need each literal's length: the bytes
 * (most of the pre-filter's memory besides Vectorscan's) go. */
static void drop_bytes(struct atoms *a)
{
    for (unsigned t = 0; t < ATOMS_TARGETS; t++)
        for (size_t i = 0; i < a->t[t].n; i++) {
            free(a->t[t].lits[i].bytes);
            a->t[t].lits[i].bytes = NULL;
        }
}

vigil_status atoms_compile(struct atoms *a, char *why, size_t whylen)
{
    vigil_status st;

    if (a->compiled)
        return VIGIL_ESTATE;
    for (unsigned t = 0; t < ATOMS_TARGETS; t++) {
        struct target_set *ts = &a->t[t];
        free(ts->index); /* only needed while adding */
        ts->index = NULL;
        if (ts->n == 0)
            continue;
        st = set_compile(ts, why, whylen);
        if (st != VIGIL_OK)
            return st;
    }
    a->compiled = 1;
    drop_bytes(a);
    return VIGIL_OK;
}

size_t atoms_count(const struct atoms *a)
{
    size_t n = 0;

    for (unsigned t = 0; t < ATOMS_TARGETS; t++)
        n += a->t[t].n;
    return n;
}

static void put32(EVP_MD_CTX *c, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

    EVP_DigestUpdate(c, b, 4);
}

vigil_status atoms_digest(const struct atoms *a, uint8_t out[32])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned n = 0;
    vigil_status st = VIGIL_ENOMEM;

    if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL))
        goto out;
    EVP_DigestUpdate(c, "vigil atoms 1", 13);
    put32(c, (uint32_t)strlen(hs_version()));
    EVP_DigestUpdate(c, hs_version(), strlen(hs_version()));
    for (unsigned t = 0; t < ATOMS_TARGETS; t++) {
        const struct target_set *ts = &a->t[t];
        put32(c, (uint32_t)ts->n);
        for (size_t i = 0; i < ts->n; i++) {
            put32(c, ts->lits[i].flags);
            put32(c, ts->lits[i].len);
            EVP_DigestUpdate(c, ts->lits[i].bytes, ts->lits[i].len);
        }
    }
    if (EVP_DigestFinal_ex(c, out, &n) && n == 32)
        st = VIGIL_OK;
out:
    EVP_MD_CTX_free(c);
    return st;
}

vigil_status atoms_save(const struct atoms *a, uint8_t **out, size_t *len)
{
    char *ser[ATOMS_TARGETS] = {0};
    size_t sz[ATOMS_TARGETS] = {0}, total = 0;
    uint8_t *buf = NULL, *p;
    vigil_status st = VIGIL_ENOMEM;

    *out = NULL;
    *len = 0;
    if (!a->compiled)
        return VIGIL_ESTATE;
    for (unsigned t = 0; t < ATOMS_TARGETS; t++) {
        if (a->t[t].db && hs_serialize_database(a->t[t].db, &ser[t], &sz[t]) != HS_SUCCESS)
            goto out;
        total += 8 + sz[t];
    }
    if (!(buf = malloc(total)))
        goto out;
    p = buf;
    for (unsigned t = 0; t < ATOMS_TARGETS; t++) {
        for (int i = 0; i < 8; i++)
            *p++ = (uint8_t)((uint64_t)sz[t] >> (8 * i));
        if (sz[t])
            memcpy(p, ser[t], sz[t]);
        p += sz[t];
    }
    *out = buf;
    *len = total;
    st = VIGIL_OK;
out:
    for (unsigned t = 0; t < ATOMS_TARGETS; t++)
        free(ser[t]); /* Vectorscan's default allocator is malloc */
    return st;
}

vigil_status atoms_load(struct atoms *a, const uint8_t *buf, size_t len)
{
    hs_database_t *db[ATOMS_TARGETS] = {0};
    size_t off = 0;
    vigil_status st = VIGIL_EMALFORMED;

    if (a->compiled)
        return VIGIL_ESTATE;
    for (unsigned t = 0; t < ATOMS_TARGETS; t++) {
        uint64_t n = 0;
        if (len - off < 8)
            goto out;
        for (int i = 0; i < 8; i++)
            n |= (uint64_t)buf[off + (size_t)i] << (8 * i);
        off += 8;
        /* A target has a database exactly when it has atoms. */
        if (n > len - off || (n == 0) != (a->t[t].n == 0))
            goto out;
        if (n && hs_deserialize_database((const char *)buf + off, (size_t)n, &db[t]) !=
                     HS_SUCCESS)
            goto out;
        off += (size_t)n;
    }
    if (off != len)
        goto out;
    for (unsigned t = 0; t < ATOMS_TARGETS; t++) {
        free(a->t[t].index);
        a->t[t].index = NULL;
        a->t[t].db = db[t];
        db[t] = NULL;
    }
    a->compiled = 1;
    drop_bytes(a);
    st = VIGIL_OK;
out:
    for (unsigned t = 0; t < ATOMS_TARGETS; t++)
        hs_free_database(db[t]);
    return st;
}

int atoms_has_target(const struct atoms *a, unsigned target)
{
    return target < ATOMS_TARGETS && a->t[target].db != NULL;
}

vigil_status atoms_scratch_new(const struct atoms *a, struct atoms_scratch **out)
{
    struct atoms_scratch *s = calloc(1, sizeof *s);

    if (!s)
        return VIGIL_ENOMEM;
    for (unsigned t = 0; t < ATOMS_TARGETS; t++) {
        hs_error_t err = a->t[t].db ? hs_alloc_scratch(a->t[t].db, &s->hs) : HS_SUCCESS;
        if (err != HS_SUCCESS) {
            atoms_scratch_free(s);
            /* Vectorscan refuses a database (an image's, damaged on purpose:
             * its CRC is checked here, not at attach). */
            return err == HS_NOMEM ? VIGIL_ENOMEM : VIGIL_EMALFORMED;
        }
    }
    *out = s;
    return VIGIL_OK;
}

void atoms_scratch_free(struct atoms_scratch *s)
{
    if (!s)
        return;
    hs_free_scratch(s->hs);
    free(s);
}

struct scan_ctx {
    const struct atoms *a;
    const struct target_set *ts;
    size_t base; /* offset of the scanned window in the object */
    atoms_hit_fn fn;
    void *ctx;
};

static int lit_valid(const struct literal *l, const uint32_t *owner_sig,
                     const uint32_t *owner_next, size_t nowners,
                     int (*id_ok)(void *, uint32_t), void *ctx);

static int on_match(unsigned id, unsigned long long from, unsigned long long to,
                    unsigned flags, void *arg)
{
    struct scan_ctx *c = arg;
    const struct atoms *a = c->a;
    const struct literal *l;
    size_t at;

    (void)from;
    (void)flags;
    /* An image's literals are checked here, when a hit reads them, not all
     * at attach: one that is not well formed is no hit. */
    if (id >= c->ts->n)
        return 0;
    l = &c->ts->lits[id];
    if (a->borrowed &&
        (to < l->len || c->base > SIZE_MAX - (size_t)to ||
         !lit_valid(l, a->owner_sig, a->owner_next, a->nowners, a->id_ok, a->id_ctx)))
        return 0;
    at = c->base + (size_t)to - l->len;
    if (l->nowners == 1)
        return c->fn(c->ctx, l->only, at);
    for (uint32_t o = l->first_owner; o != UINT32_MAX; o = c->a->owner_next[o])
        if (c->fn(c->ctx, c->a->owner_sig[o], at))
            return 1;
    return 0;
}

/* Vectorscan 5.4.9 (Debian 12), on an AVX-512 machine, misses literals of a
 * multi-literal database that end within the last ~31 bytes of a buffer
 * longer than 64 bytes (measured: "world" of {hello, world} after 100 zero
 * bytes and before 3 is not reported; see VectorCamp/vectorscan#317 for the
 * family of bugs). Short buffers are scanned correctly, so the last
 * ATOMS_TAIL bytes of each window are scanned again on their own; hits
 * found twice are tolerated by the callers, as for window overlaps. */
#define ATOMS_TAIL 63

static hs_error_t atoms_window(struct scan_ctx *c, struct atoms_scratch *s,
                               const uint8_t *buf, size_t off, size_t n)
{
    hs_error_t err;

    c->base = off;
    err = hs_scan(c->ts->db, (const char *)buf + off, (unsigned)n, 0, s->hs, on_match, c);
    if (err != HS_SUCCESS || n <= ATOMS_TAIL)
        return err;
    c->base = off + n - ATOMS_TAIL;
    return hs_scan(c->ts->db, (const char *)buf + c->base, ATOMS_TAIL, 0, s->hs,
                   on_match, c);
}

vigil_status atoms_scan(const struct atoms *a, struct atoms_scratch *s,
                        unsigned target, const uint8_t *buf, size_t len,
                        atoms_hit_fn fn, void *ctx)
{
    struct scan_ctx c = {a, NULL, 0, fn, ctx};
    hs_error_t err;

    if (target >= ATOMS_TARGETS || !a->t[target].db || len == 0)
        return VIGIL_OK;
    c.ts = &a->t[target];
    /* Vectorscan takes lengths as unsigned int: scan larger buffers in
     * overlapping windows so no atom across a window edge is lost. */
    for (size_t off = 0; off < len;) {
        size_t n = len - off > (1u << 30) ? (1u << 30) : len - off;
        err = atoms_window(&c, s, buf, off, n);
        if (err != HS_SUCCESS && err != HS_SCAN_TERMINATED)
            return VIGIL_ENOMEM;
        if (err == HS_SCAN_TERMINATED || off + n == len)
            break;
        /* Windows overlap by the longest atom minus one byte; a hit in the
         * overlap can be reported twice, which verification tolerates. */
        off += n - (ATOMS_MAX_LEN - 1);
    }
    return VIGIL_OK;
}

size_t atoms_literal_size(void)
{
    return sizeof(struct literal);
}

void atoms_export(const struct atoms *a, struct atoms_flat *f)
{
    for (unsigned t = 0; t < ATOMS_TARGETS; t++) {
        f->lits[t] = a->t[t].lits;
        f->n[t] = a->t[t].n;
    }
    f->owner_sig = a->owner_sig;
    f->owner_next = a->owner_next;
    f->nowners = a->nowners;
}

/* A literal's owner list has exactly nowners valid slots and ends; only is
 * its last-added owner. Walks are bounded by the count. */
static int lit_valid(const struct literal *l, const uint32_t *owner_sig,
                     const uint32_t *owner_next, size_t nowners,
                     int (*id_ok)(void *, uint32_t), void *ctx)
{
    uint32_t o = l->first_owner;

    if (l->bytes || l->len == 0 || l->len > ATOMS_MAX_LEN || l->flags > ATOMS_CASELESS ||
        l->nowners == 0 || l->nowners > nowners || !id_ok(ctx, l->only))
        return 0;
    if (l->nowners == 1) /* a hit reads only `only` */
        return 1;
    for (uint32_t k = 0; k < l->nowners; k++) {
        if (o >= nowners || !id_ok(ctx, owner_sig[o]))
            return 0;
        o = owner_next[o];
    }
    return o == UINT32_MAX;
}

/* The in-place layout of the databases (atoms_save_image): per target a
 * u64 offset and a u64 length, ATOMS_IMG_HEAD bytes in all, then each
 * database at a multiple of 64 from the start of the buffer. */
#define ATOMS_IMG_HEAD 256
#define ATOMS_IMG_ALIGN 64
/* Where Vectorscan 5.4 keeps, in a database, the offset of its bytecode
 * (struct hs_database: magic, version, length, platform, crc32, two
 * reserved words, then this u32), and its value for a database that
 * starts at a multiple of 64: hs_deserialize_database_at puts the bytecode
 * at the first 64-byte boundary after the 104-byte header's fixed part.
 * hs_alloc_scratch's check (dbIsValid: magic, version, platform, CRC of
 * the bytecode) reads through it, so it is checked first; save checks that
 * this build of Vectorscan writes what is expected. */
#define HSDB_BYTECODE_FIELD 36
#define HSDB_BYTECODE_AT 64

static uint64_t get64le(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void put64le(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t hsdb_bytecode(const uint8_t *db)
{
    uint32_t v;

    memcpy(&v, db + HSDB_BYTECODE_FIELD, 4);
    return v;
}

static uint64_t img_align(uint64_t v)
{
    return (v + ATOMS_IMG_ALIGN - 1) & ~(uint64_t)(ATOMS_IMG_ALIGN - 1);
}

vigil_status atoms_save_image(const struct atoms *a, uint8_t **out, size_t *len)
{
    char *ser[ATOMS_TARGETS] = {0};
    size_t sz[ATOMS_TARGETS] = {0}, dsz[ATOMS_TARGETS] = {0}, got;
    uint64_t total = ATOMS_IMG_HEAD, off;
    uint8_t *buf = NULL;
    vigil_status st = VIGIL_ENOMEM;

    *out = NULL;
    *len = 0;
    if (!a->compiled)
        return VIGIL_ESTATE;
    for (unsigned t = 0; t < ATOMS_TARGETS; t++) {
        if (!a->t[t].db)
            continue;
        if (hs_serialize_database(a->t[t].db, &ser[t], &sz[t]) != HS_SUCCESS ||
            hs_serialized_database_size(ser[t], sz[t], &dsz[t]) != HS_SUCCESS)
            goto out;
        total = img_align(total) + dsz[t];
    }
    total = img_align(total);
    if (!(buf = aligned_alloc(ATOMS_IMG_ALIGN, (size_t)total)))
        goto out;
    memset(buf, 0, (size_t)total); /* no stray bytes in a file */
    off = ATOMS_IMG_HEAD;
    for (unsigned t = 0; t < ATOMS_TARGETS; t++) {
        if (!dsz[t])
            continue;
        off = img_align(off);
        st = VIGIL_EINVAL;
        if (hs_deserialize_database_at(
                ser[t], sz[t], (hs_database_t *)(void *)(buf + off)) != HS_SUCCESS ||
            hs_database_size((const hs_database_t *)(const void *)(buf + off), &got) !=
                HS_SUCCESS ||
            got != dsz[t] || hsdb_bytecode(buf + off) != HSDB_BYTECODE_AT)
            goto out; /* not the Vectorscan this file was written for */
        put64le(buf + 16 * t, off);
        put64le(buf + 16 * t + 8, dsz[t]);
        off += dsz[t];
    }
    *out = buf;
    *len = (size_t)total;
    buf = NULL;
    st = VIGIL_OK;
out:
    free(buf);
    for (unsigned t = 0; t < ATOMS_TARGETS; t++)
        free(ser[t]); /* Vectorscan's default allocator is malloc */
    return st;
}

/* Whether db was compiled for this CPU's features, as hs_alloc_scratch
 * will demand (an image in a cache directory shared by other machines):
 * the features hs_database_info names against hs_populate_platform's. */
static int db_for_this_cpu(const hs_database_t *db)
{
    hs_platform_info_t p;
    char *info = NULL, want[64];
    const char *feat;
    int ok;

    if (hs_populate_platform(&p) != HS_SUCCESS ||
        hs_database_info(db, &info) != HS_SUCCESS)
        return 0;
    feat = (p.cpu_features & HS_CPU_FEATURES_AVX512VBMI) ? "AVX512VBMI"
           : (p.cpu_features & HS_CPU_FEATURES_AVX512)   ? "AVX512"
           : (p.cpu_features & HS_CPU_FEATURES_AVX2)     ? "AVX2"
                                                         : "";
    snprintf(want, sizeof want, " Features: %s Mode: ", feat);
    ok = strstr(info, want) != NULL;
    free(info); /* Vectorscan's default allocator is malloc */
    return ok;
}

/* The database of one target in place: inside the buffer, aligned, the
 * size Vectorscan's header says, its bytecode where hs_deserialize_database_at
 * puts it. Its bytecode is checked by Vectorscan itself (CRC, in
 * hs_alloc_scratch) before any scan. */
static int db_in_place(const uint8_t *dbs, size_t len, unsigned t, size_t nlits,
                       const hs_database_t **db)
{
    uint64_t off = get64le(dbs + 16 * t), n = get64le(dbs + 16 * t + 8);
    size_t got;

    *db = NULL;
    if ((n == 0) != (nlits == 0))
        return 0;
    if (n == 0)
        return off == 0;
    if (off < ATOMS_IMG_HEAD || off % ATOMS_IMG_ALIGN || off > len || n > len - off ||
        n < HSDB_BYTECODE_AT)
        return 0;
    *db = (const hs_database_t *)(const void *)(dbs + off);
    return hsdb_bytecode(dbs + off) == HSDB_BYTECODE_AT &&
           hs_database_size(*db, &got) == HS_SUCCESS && got == n && db_for_this_cpu(*db);
}

vigil_status atoms_attach(struct atoms *a, const struct atoms_flat *f, const uint8_t *dbs,
                          size_t len, int (*id_ok)(void *ctx, uint32_t id), void *ctx)
{
    const hs_database_t *db[ATOMS_TARGETS] = {0};

    if (a->compiled || a->nowners || atoms_count(a))
        return VIGIL_ESTATE;
    if (f->nowners >= UINT32_MAX || len < ATOMS_IMG_HEAD ||
        (uintptr_t)dbs % ATOMS_IMG_ALIGN)
        return VIGIL_EMALFORMED;
    for (unsigned t = 0; t < ATOMS_TARGETS; t++)
        if ((f->n[t] && !f->lits[t]) || f->n[t] >= UINT32_MAX ||
            !db_in_place(dbs, len, t, f->n[t], &db[t]))
            return VIGIL_EMALFORMED;
    for (unsigned t = 0; t < ATOMS_TARGETS; t++) {
        a->t[t].lits = (struct literal *)(uintptr_t)f->lits[t];
        a->t[t].n = a->t[t].cap = f->n[t];
        /* Read-only: hs_scan only reads a database. */
        a->t[t].db = (hs_database_t *)(uintptr_t)db[t];
    }
    a->owner_sig = (uint32_t *)(uintptr_t)f->owner_sig;
    a->owner_next = (uint32_t *)(uintptr_t)f->owner_next;
    a->nowners = a->owners_cap = f->nowners;
    a->id_ok = id_ok;
    a->id_ctx = ctx;
    a->borrowed = 1;
    a->compiled = 1;
    return VIGIL_OK;
}
