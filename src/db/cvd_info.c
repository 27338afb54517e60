/* cvd_info.c - the .info manifest inside a ClamAV container.
 *
 * Spec: libclamav/readdb.c cli_loadinfo and sigtool's writeinfo:
 *   ClamAV-VDB:time:version:sigs:flevel:X:X:builder:stime
 *   name:size:sha256            (one line per database file)
 *   DSIG:signature              (.cvd and .cld only; signs the bytes above)
 * ClamAV stops reading at the DSIG line; vigil also refuses anything after
 * it, so that no byte of the manifest is unsigned. A .cud's manifest has no
 * DSIG line (ClamAV would read one as a malformed entry; so does vigil).
 * Sizes are decimal, hashes 64 hex digits, names unique and slash-free.
 * Limits: lines of at most LINES_MAX_LEN bytes; CVD_MAX_ENTRIES entries. */
#include "db/cvd.h"

#include <stdlib.h>
#include <string.h>

#include "db/hex.h"
#include "db/lines.h"

/* Decodes a decimal size of 1 to 19 digits. Returns 0, or -1. */
static int info_size(struct field f, uint64_t *size)
{
    uint64_t v = 0;

    if (f.n == 0 || f.n > 19)
        return -1;
    for (size_t i = 0; i < f.n; i++) {
        if (f.s[i] < '0' || f.s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(f.s[i] - '0');
    }
    *size = v;
    return 0;
}

/* Appends a slot to info->v. Returns it, or NULL when full or out of memory
 * (*why says which). */
static struct cvd_info_entry *info_grow(struct cvd_info *info, size_t *cap,
                                        const char **why)
{
    if (info->n == CVD_MAX_ENTRIES) {
        *why = "too many entries";
        return NULL;
    }
    if (info->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        struct cvd_info_entry *nv = realloc(info->v, nc * sizeof *nv);
        if (!nv) {
            *why = "out of memory";
            return NULL;
        }
        info->v = nv;
        *cap = nc;
    }
    return memset(&info->v[info->n], 0, sizeof info->v[0]);
}

/* Parses one entry line into a new slot. Returns NULL, or the reason. */
static const char *info_entry(struct cvd_info *info, size_t *cap, const char *line,
                              size_t n)
{
    struct field f[4];
    struct cvd_info_entry *ent;
    const char *why = NULL;

    if (lines_split(line, n, ':', f, 4) != 3)
        return "entry is not name:size:sha256";
    if (f[0].n == 0 || f[0].n > CVD_MAX_NAME || memchr(f[0].s, '/', f[0].n) ||
        memchr(f[0].s, '\0', f[0].n))
        return "bad file name in entry";
    if (f[2].n != 64)
        return "malformed SHA-256 (want 64 hex digits)";
    ent = info_grow(info, cap, &why);
    if (!ent)
        return why;
    memcpy(ent->name, f[0].s, f[0].n);
    if (cvd_info_find(info, ent->name))
        return "file listed twice";
    if (info_size(f[1], &ent->size) != 0)
        return "invalid value in the size field";
    if (hex_decode(f[2].s, f[2].n, ent->sha256) != 0)
        return "malformed SHA-256 (want 64 hex digits)";
    info->n++;
    return NULL;
}

/* Parses one line after the header. Returns NULL, or the reason. */
static const char *info_line(struct cvd_info *info, size_t *cap, int is_signed,
                             const char *base, const char *line, size_t n)
{
    if (info->dsig)
        return "text after the DSIG line is not signed";
    if (n >= 5 && memcmp(line, "DSIG:", 5) == 0) {
        if (!is_signed)
            return "an unsigned container's manifest must not have a DSIG line";
        info->signed_len = (size_t)(line - base);
        info->dsig = line + 5;
        info->dsig_len = n - 5;
        return NULL;
    }
    return info_entry(info, cap, line, n);
}

const char *cvd_info_parse(const char *data, size_t len, int is_signed,
                           struct cvd_info *info, unsigned long *lineno)
{
    struct lines it;
    const char *line, *why = NULL;
    size_t n, cap = 0;

    memset(info, 0, sizeof *info);
    lines_init_mem(&it, data, len);
    while (!why && lines_next(&it, &line, &n)) {
        if (n > LINES_MAX_LEN)
            why = "line too long";
        else if (it.lineno == 1)
            why = cvd_header_parse_line(line, n, &info->head);
        else
            why = info_line(info, &cap, is_signed, data, line, n);
    }
    *lineno = it.lineno;
    if (!why && it.lineno == 0)
        why = "empty manifest";
    else if (!why && is_signed && !info->dsig)
        why = "no DSIG line: the manifest is not signed";
    if (why)
        cvd_info_free(info);
    return why;
}

void cvd_info_free(struct cvd_info *info)
{
    free(info->v);
    info->v = NULL;
    info->n = 0;
}

struct cvd_info_entry *cvd_info_find(const struct cvd_info *info, const char *name)
{
    for (size_t i = 0; i < info->n; i++)
        if (strcmp(info->v[i].name, name) == 0)
            return &info->v[i];
    return NULL;
}
