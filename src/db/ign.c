/* ign.c - ClamAV ignore lists.
 *
 * Format (ClamAV readdb.c cli_loadign): one entry per line, '#' comments;
 *   Name              ignore every signature called Name
 *   Name:MD5          ignore it only where MD5 = md5(its database line)
 *   DB:Line:Name      old .ign form: the name is the third field
 * More than three fields, an empty name or an MD5 that is not 32 hex digits
 * make the file malformed. A signature name is compared whole, after
 * ClamAV's normalisation (a trailing ".UNOFFICIAL" or ".{...}" removed). */
#include "db/ign.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "db/dbparse.h"
#include "db/hex.h"
#include "db/lines.h"

#define IGN_MAX_ENTRIES (1u << 24)

void ign_init(struct ignlist *l)
{
    memset(l, 0, sizeof *l);
    strtab_init(&l->names, 256u * 1024 * 1024);
}

void ign_free(struct ignlist *l)
{
    free(l->v);
    free(l->index);
    strtab_free(&l->names);
    ign_init(l);
}

static size_t name_hash(const char *s, size_t n)
{
    size_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

/* Rebuilds the name index for the first l->n entries at a load <= 1/2. */
static vigil_status ign_reindex(struct ignlist *l)
{
    size_t slots = 16;
    uint32_t *idx;

    while (slots < 2 * l->n + 2)
        slots *= 2;
    idx = calloc(slots, sizeof *idx);
    if (!idx)
        return VIGIL_ENOMEM;
    free(l->index);
    l->index = idx;
    l->index_mask = slots - 1;
    for (size_t i = 0; i < l->n; i++) {
        const struct ign_entry *en = &l->v[i];
        size_t h = name_hash(strtab_get(&l->names, en->name), en->len) & l->index_mask;
        while (idx[h])
            h = (h + 1) & l->index_mask;
        idx[h] = (uint32_t)(i + 1);
    }
    return VIGIL_OK;
}

void ign_truncate(struct ignlist *l, size_t n)
{
    if (n >= l->n)
        return;
    l->n = n;
    l->names.len = n ? l->v[n - 1].name + l->v[n - 1].len + 1 : 0;
    if (ign_reindex(l) != VIGIL_OK) {
        free(l->index);
        l->index = NULL;
    }
}

static vigil_status ign_add(struct ignlist *l, const char *name, size_t n,
                            const uint8_t *md5)
{
    struct ign_entry *en;
    vigil_status st;

    if (l->n >= IGN_MAX_ENTRIES)
        return VIGIL_ENOMEM;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct ign_entry *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return VIGIL_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    en = &l->v[l->n];
    st = strtab_add(&l->names, name, n, NULL, &en->name);
    if (st != VIGIL_OK)
        return st;
    en->len = (uint32_t)n;
    en->has_md5 = md5 != NULL;
    if (md5)
        memcpy(en->md5, md5, 16);
    l->n++;
    /* Re-index on every doubling of the entries (amortised linear). */
    if (!l->index || 2 * l->n + 2 > l->index_mask + 1)
        return ign_reindex(l);
    {
        size_t h = name_hash(name, n) & l->index_mask;
        while (l->index[h])
            h = (h + 1) & l->index_mask;
        l->index[h] = (uint32_t)l->n;
    }
    return VIGIL_OK;
}

/* ClamAV's cli_signorm: the part of a name that ignore entries compare. */
static size_t ign_normalise(const char *s, size_t n)
{
    if (n > 3 && s[n - 1] == '}') {
        const char *p = memmem(s, n, ".{", 2);
        return p ? (size_t)(p - s) : n;
    }
    if (n > 11 && memcmp(s + n - 11, ".UNOFFICIAL", 11) == 0)
        return n - 11;
    return n;
}

int ign_check(const struct ignlist *l, const char *name, size_t name_len,
              const char *line, size_t len)
{
    uint8_t md5[16];
    int have_md5 = 0;
    size_t h;

    if (!l->n || !l->index)
        return 0;
    name_len = ign_normalise(name, name_len);
    for (h = name_hash(name, name_len) & l->index_mask; l->index[h];
         h = (h + 1) & l->index_mask) {
        const struct ign_entry *en = &l->v[l->index[h] - 1];
        if (en->len != name_len ||
            memcmp(strtab_get(&l->names, en->name), name, name_len) != 0)
            continue;
        if (!en->has_md5)
            return 1;
        if (!have_md5) {
            EVP_Digest(line, len, md5, NULL, EVP_md5(), NULL);
            have_md5 = 1;
        }
        if (memcmp(md5, en->md5, 16) == 0)
            return 1;
    }
    return 0;
}

/* Parses one line into the list; returns a reason on malformed input. */
static const char *ign_line(void *ctx, const char *line, size_t len,
                            vigil_status *st)
{
    struct ignlist *l = ctx;
    struct field f[4];
    size_t nf = lines_split(line, len, ':', f, 4);
    struct field name = f[0], hash = {NULL, 0};
    uint8_t md5[16];

    *st = VIGIL_OK;
    if (nf > 3)
        return "too many fields (at most 3: Name, Name:MD5 or DB:Line:Name)";
    if (nf == 1)
        name.n = len;
    else if (nf == 2)
        hash = f[1];
    else
        name = f[2];
    if (name.n == 0)
        return "no signature name";
    if (hash.s && (hash.n != 32 || hex_decode(hash.s, 32, md5) != 0))
        return "malformed MD5 (must be 32 hex digits)";
    *st = ign_add(l, name.s, name.n, hash.s ? md5 : NULL);
    return NULL;
}

vigil_status ign_parse(struct vigil_engine *e, const char *dbname,
                       struct lines *it)
{
    /* Unlike hash databases, ClamAV accepts an empty ignore list. */
    static const struct dbparse_rules rules = {LINES_MAX_LEN, 1};

    return dbparse_run(e, dbname, it, &rules, ign_line, &e->ign);
}
