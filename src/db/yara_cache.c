/* yara_cache.c - compiled YARA rules in the cache directory (see
 * yara_cache.h for what is trusted and why). Limits: the file is an engine
 * image (IMAGE_MAX_FILE); a table's counts are checked against its length
 * before anything is read; the rules are copied by libyara out of the map,
 * which is closed before the rules are used. */
#include "db/yara_cache.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yara.h>

#include "core/cache.h"
#include "core/engine.h"
#include "core/image.h"
#include "db/yara.h"

#define YCACHE_VERSION 1u
/* The largest compiled rule set written (libyara's arena for 10,000 rules
 * is a few MiB). */
#define YCACHE_MAX_RULES ((size_t)1 << 30)

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* A bounded reader over a table. */
struct cur {
    const uint8_t *p;
    size_t len, off;
};

static const uint8_t *take(struct cur *c, size_t n)
{
    const uint8_t *p;

    if (n > c->len - c->off)
        return NULL;
    p = c->p + c->off;
    c->off += n;
    return p;
}

int yara_cache_parse(const uint8_t *t, size_t len, struct yara_cache_view *v)
{
    struct cur c = {t, len, 0};
    const uint8_t *h = take(&c, 24), *p;
    uint64_t rules_len;
    const uint8_t *recs[YARA_MAX_INCLUDES];
    uint32_t prev = 0;
    size_t start;

    memset(v, 0, sizeof *v);
    if (!h || rd32(h) != YCACHE_VERSION || rd32(h + 20) != 0)
        return -1;
    v->nsrc = rd32(h + 4);
    v->ninc = rd32(h + 8);
    v->nwarn = rd32(h + 12);
    v->nrules = rd32(h + 16);
    if (!(p = take(&c, 16)) || v->ninc > YARA_MAX_INCLUDES ||
        v->nwarn > YARA_MAX_WARNINGS)
        return -1;
    v->lost = rd64(p);
    rules_len = rd64(p + 8);
    if (v->nsrc > (len - c.off) / 4 || !(v->rule_end = take(&c, (size_t)v->nsrc * 4)))
        return -1;
    for (uint32_t i = 0; i < v->nsrc; i++) {
        uint32_t e = rd32(v->rule_end + 4 * (size_t)i);
        if (e < prev || e > v->nrules)
            return -1;
        prev = e;
    }
    start = c.off;
    for (uint32_t i = 0; i < v->ninc; i++) {
        const uint8_t *r = take(&c, 48);
        int32_t parent;
        if (!r)
            return -1;
        recs[i] = r;
        memcpy(&parent, r + 4, 4);
        if (rd32(r) >= v->nsrc || parent < -1 || parent >= (int32_t)i ||
            (parent >= 0 && rd32(recs[parent]) != rd32(r)) || rd32(r + 8) == 0 ||
            rd32(r + 8) >= PATH_MAX || rd32(r + 12) == 0 || rd32(r + 12) >= PATH_MAX ||
            !take(&c, (size_t)rd32(r + 8) + rd32(r + 12)))
            return -1;
    }
    v->incs = t + start;
    v->incs_len = c.off - start;
    start = c.off;
    for (uint32_t i = 0; i < v->nwarn; i++) {
        const uint8_t *r = take(&c, 4);
        if (!r || !take(&c, rd32(r)))
            return -1;
    }
    v->warns = t + start;
    v->warns_len = c.off - start;
    if (rules_len != len - c.off || rules_len == 0)
        return -1;
    v->rules = take(&c, (size_t)rules_len);
    v->rules_len = (size_t)rules_len;
    return 0;
}

/* ---- the key ---------------------------------------------------------- */

static void md_u64(EVP_MD_CTX *c, uint64_t v)
{
    EVP_DigestUpdate(c, &v, sizeof v);
}

static void md_bytes(EVP_MD_CTX *c, const void *p, size_t n)
{
    md_u64(c, n);
    EVP_DigestUpdate(c, p, n);
}

static void md_str(EVP_MD_CTX *c, const char *s)
{
    md_bytes(c, s, strlen(s));
}

/* The libyara shared object this process runs: a new package version is
 * a new file (inode, size, times), even with the same YR_VERSION. */
static void md_libyara(EVP_MD_CTX *c)
{
    Dl_info di;
    struct stat st;
    int (*fn)(YR_STREAM *, YR_RULES **) = yr_rules_load_stream;
    void *addr;

    memcpy(&addr, &fn, sizeof addr);
    md_str(c, YR_VERSION);
    if (dladdr(addr, &di) && di.dli_fname && stat(di.dli_fname, &st) == 0) {
        md_str(c, di.dli_fname);
        md_u64(c, (uint64_t)st.st_ino);
        md_u64(c, (uint64_t)st.st_size);
        md_u64(c, (uint64_t)st.st_mtim.tv_sec);
        md_u64(c, (uint64_t)st.st_mtim.tv_nsec);
        md_u64(c, (uint64_t)st.st_ctim.tv_sec);
    } else {
        md_str(c, "(static)");
    }
}

/* The key of sources [0, n) and the cache file's path. 0, or -1. */
static int ykey(const struct vigil_engine *e, size_t n, uint8_t key[32], char *path,
                size_t pathlen)
{
    const struct yara_db *y = &e->yara;
    uint8_t build[32];
    char real[PATH_MAX];
    unsigned len = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL);

    image_build_id(build);
    if (ok) {
        md_str(c, "vigil yara");
        md_u64(c, IMAGE_VERSION);
        md_u64(c, YCACHE_VERSION);
        md_bytes(c, build, sizeof build);
        md_libyara(c);
        md_u64(c, n);
        for (size_t i = 0; i < n; i++) {
            md_str(c, y->src[i].path);
            md_str(c, realpath(y->src[i].path, real) ? real : "");
            md_bytes(c, y->src[i].text, y->src[i].len);
        }
        ok = EVP_DigestFinal_ex(c, key, &len) && len == 32;
    }
    EVP_MD_CTX_free(c);
    return ok && cache_key_path(e->cache_dir, key, ".vgy", path, pathlen) == 0 ? 0 : -1;
}

/* ---- loading ---------------------------------------------------------- */

/* Resolves and reads every include again: 0 when each still resolves to
 * the same real path and holds the same bytes. */
static int includes_same(const struct vigil_engine *e, const struct yara_cache_view *v)
{
    const uint8_t *p = v->incs, *recs[YARA_MAX_INCLUDES];
    char dir[PATH_MAX], path[2 * PATH_MAX + 2], from[PATH_MAX], *real, *text;
    uint8_t sum[32];
    unsigned slen;
    size_t len;
    int same = 1;

    for (uint32_t i = 0; i < v->ninc && same; i++) {
        uint32_t src = rd32(p), nl = rd32(p + 8), rl = rd32(p + 12);
        const char *name = (const char *)p + 48, *rp = name + nl;
        int32_t parent;

        recs[i] = p;
        memcpy(&parent, p + 4, 4);
        if (parent < 0 && !realpath(e->yara.src[src].path, from))
            return -1;
        if (parent >= 0) { /* parse: an earlier record */
            const uint8_t *q = recs[parent];
            snprintf(from, sizeof from, "%.*s", (int)rd32(q + 12),
                     (const char *)q + 48 + rd32(q + 8));
        }
        yara_dir_of(from, dir, sizeof dir);
        snprintf(path, sizeof path, "%s%s%.*s", name[0] == '/' ? "" : dir,
                 name[0] == '/' ? "" : "/", (int)nl, name);
        real = realpath(path, NULL);
        same = real && strlen(real) == rl && memcmp(real, rp, rl) == 0 &&
               yara_read_file(real, &text, &len) == 0;
        if (same) {
            same = EVP_Digest(text, len, sum, &slen, EVP_sha256(), NULL) && slen == 32 &&
                   memcmp(sum, p + 16, 32) == 0;
            free(text);
        }
        free(real);
        p += 48 + nl + rl;
    }
    return same ? 0 : -1;
}

struct ystream {
    const uint8_t *p;
    size_t len, off;
};

static size_t ystream_read(void *ptr, size_t size, size_t count, void *ud)
{
    struct ystream *s = ud;
    size_t n;

    if (size == 0 || count == 0)
        return 0;
    n = (s->len - s->off) / size;
    if (n > count)
        n = count;
    memcpy(ptr, s->p + s->off, n * size);
    s->off += n * size;
    return n;
}

int yara_cache_warnings(const struct yara_cache_view *v, struct yara_built *b)
{
    const uint8_t *p = v->warns;

    b->lost = (size_t)v->lost;
    if (!v->nwarn)
        return 0;
    if (!(b->warnings = calloc(v->nwarn, sizeof *b->warnings)))
        return -1;
    for (uint32_t i = 0; i < v->nwarn; i++) {
        uint32_t l = rd32(p);
        if (!(b->warnings[i] = strndup((const char *)p + 4, l)))
            return -1;
        b->nwarnings++;
        p += 4 + l;
    }
    return 0;
}

/* Builds b from a parsed table for sources [0, n). 0, or -1. */
static int yuse(struct vigil_engine *e, size_t n, const struct yara_cache_view *v,
                struct yara_built *b)
{
    struct ystream s = {v->rules, v->rules_len, 0};
    YR_STREAM ys = {.user_data = &s, .read = ystream_read};

    if (v->nsrc != n || includes_same(e, v) != 0)
        return -1;
    if (!(b->rule_end = calloc(n ? n : 1, sizeof *b->rule_end)) ||
        yara_cache_warnings(v, b))
        return -1;
    for (size_t i = 0; i < n; i++)
        b->rule_end[i] = rd32(v->rule_end + 4 * i);
    if (yr_rules_load_stream(&ys, &b->rules) != ERROR_SUCCESS) {
        b->rules = NULL;
        return -1;
    }
    return b->rules->num_rules == v->nrules && s.off == s.len ? 0 : -1;
}

int yara_cache_load(struct vigil_engine *e, size_t n, struct yara_built *b, int *bad)
{
    uint8_t key[32];
    char path[PATH_MAX];
    struct image *im = NULL;
    struct yara_cache_view v;
    const uint8_t *t;
    size_t len;
    vigil_status st;
    int hit = 0;

    memset(b, 0, sizeof *b);
    *bad = 0;
    if (!e->cache_dir[0] || !cache_dir_trusted(e->cache_dir) ||
        ykey(e, n, key, path, sizeof path) != 0)
        return 0;
    st = image_open(path, key, &im);
    if (st == VIGIL_EOPEN && errno == ENOENT)
        return 0;
    if (st == VIGIL_OK && (t = image_table(im, IMAGE_YARA, &len, NULL)) &&
        yara_cache_parse(t, len, &v) == 0 && yuse(e, n, &v, b) == 0)
        hit = 1;
    image_close(im);
    if (hit) {
        engine_log(e, VIGIL_LOG_DEBUG, "compiled YARA rules from the cache %s", path);
        return 1;
    }
    yara_built_free(b);
    *bad = 1;
    engine_log(e, st == VIGIL_OK ? VIGIL_LOG_DEBUG : VIGIL_LOG_WARNING,
               st == VIGIL_OK ? "%s: compiled YARA rules out of date; compiling them"
                              : "%s: compiled YARA rules damaged or not trusted; "
                                "compiling them again",
               path);
    return 0;
}

/* ---- saving ----------------------------------------------------------- */

struct ybuf {
    uint8_t *p;
    size_t len, cap;
    int failed;
};

static void put(struct ybuf *b, const void *p, size_t n)
{
    size_t cap = b->cap ? b->cap : 4096;

    if (b->failed || n > YCACHE_MAX_RULES - b->len) {
        b->failed = 1;
        return;
    }
    while (cap - b->len < n)
        cap *= 2;
    if (cap != b->cap) {
        uint8_t *q = realloc(b->p, cap);
        if (!q) {
            b->failed = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void put32(struct ybuf *b, uint32_t v)
{
    put(b, &v, 4);
}

static size_t ystream_write(const void *ptr, size_t size, size_t count, void *ud)
{
    struct ybuf *b = ud;

    if (size == 0 || count > YCACHE_MAX_RULES / size)
        return 0;
    put(b, ptr, size * count);
    return b->failed ? 0 : count;
}

int yara_cache_save(struct vigil_engine *e, size_t n, const struct yara_built *bt,
                    const struct yara_inc *inc, size_t ninc)
{
    uint8_t key[32];
    char path[PATH_MAX];
    struct ybuf b = {0}, r = {0};
    YR_STREAM ys = {.user_data = &r, .write = ystream_write};
    uint64_t u64;
    struct image_part part;
    int rc = -1;

    if (!e->cache_dir[0] || !cache_dir_trusted(e->cache_dir) || ninc > YARA_MAX_INCLUDES ||
        ykey(e, n, key, path, sizeof path) != 0) {
        errno = EPERM;
        return -1;
    }
    if (yr_rules_save_stream(bt->rules, &ys) != ERROR_SUCCESS || r.failed || !r.len) {
        errno = ENOMEM;
        goto out;
    }
    put32(&b, YCACHE_VERSION);
    put32(&b, (uint32_t)n);
    put32(&b, (uint32_t)ninc);
    put32(&b, (uint32_t)bt->nwarnings);
    put32(&b, bt->rules->num_rules);
    put32(&b, 0);
    u64 = bt->lost;
    put(&b, &u64, 8);
    u64 = r.len;
    put(&b, &u64, 8);
    for (size_t i = 0; i < n; i++)
        put32(&b, bt->rule_end[i]);
    for (size_t i = 0; i < ninc; i++) {
        put32(&b, inc[i].src);
        put(&b, &inc[i].parent, 4);
        put32(&b, (uint32_t)strlen(inc[i].name));
        put32(&b, (uint32_t)strlen(inc[i].real));
        put(&b, inc[i].sha, 32);
        put(&b, inc[i].name, strlen(inc[i].name));
        put(&b, inc[i].real, strlen(inc[i].real));
    }
    for (size_t i = 0; i < bt->nwarnings; i++) {
        put32(&b, (uint32_t)strlen(bt->warnings[i]));
        put(&b, bt->warnings[i], strlen(bt->warnings[i]));
    }
    put(&b, r.p, r.len);
    if (b.failed) {
        errno = ENOMEM;
        goto out;
    }
    part = (struct image_part){IMAGE_YARA, b.p, b.len, 1};
    rc = image_write(path, key, &part, 1);
    if (rc == 0)
        engine_log(e, VIGIL_LOG_DEBUG, "wrote compiled YARA rules to the cache %s", path);
out:
    free(b.p);
    free(r.p);
    return rc;
}

void yara_built_free(struct yara_built *b)
{
    if (b->rules)
        yr_rules_destroy(b->rules);
    free(b->rule_end);
    for (size_t i = 0; i < b->nwarnings; i++)
        free(b->warnings[i]);
    free(b->warnings);
    memset(b, 0, sizeof *b);
}
