/* cvd.c - loading a ClamAV database container (.cvd, .cld, .cud).
 *
 * Spec: libclamav/cvd.c cli_cvdload/cli_tgzload (ClamAV 1.4), checked
 * against sigtool --info and clamscan 1.4.6; see docs/signatures.md,
 * "Database containers". The order of the checks:
 *   1. the header parses (cvd_head.c);
 *   2. .cvd only: the MD5 of everything after the header equals the header's,
 *      and the header's RSA signature of that MD5 verifies (dsig.c);
 *   3. the first *.info entry of the archive parses (cvd_info.c); for .cvd
 *      and .cld its DSIG verifies; its header line agrees with the container's
 *      (ClamAV compares version, sigs, flevel and stime; vigil also the time
 *      and the builder, so that no header byte goes unchecked);
 *   4. every entry, in archive order: a database file (by extension, as
 *      ClamAV's CLI_DBEXT) must be listed in the manifest; a listed file must
 *      have its listed size and SHA-256, checked before it is parsed; other
 *      files (COPYING) are passed over; then database files are loaded, so
 *      an ignore list applies to the files after it, as in ClamAV;
 *   5. every listed file was met.
 * Nothing unverified reaches a parser, and any failure fails the load, which
 * the caller rolls back: a container is used whole or not at all.
 * Names from .cvd and .cld are official; a .cud's get ".UNOFFICIAL".
 * Limits: CVD_MAX_FILE bytes of container; the archive limits of cvd_tar.c;
 * one inner file is held in memory at a time. */
#include "db/cvd.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/engine.h"
#include "db/hex.h"
#include "db/load.h"
#include "io/source.h"

struct cvd_load {
    struct vigil_engine *e;
    const char *name; /* the container, as given */
    const struct source *src;
    int kind;
    struct cvd_header head;
    struct cvd_info info;
    uint8_t *manifest; /* the .info's bytes, from the first pass */
    size_t manifest_len;
    char info_name[CVD_MAX_NAME + 1];
};

/* Hashes src[off..size) with the digest md into out. Returns 0, or -1. */
static int cvd_digest(const struct source *src, uint64_t off, const EVP_MD *md,
                      uint8_t *out)
{
    uint8_t buf[64 * 1024];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t got = 1;
    int ok = ctx && EVP_DigestInit_ex(ctx, md, NULL);

    while (ok && off < src->size && got > 0) {
        uint64_t left = src->size - off;
        ok = source_read(src, off, buf, left < sizeof buf ? (size_t)left : sizeof buf,
                         &got) == VIGIL_OK &&
             EVP_DigestUpdate(ctx, buf, got);
        off += got;
    }
    ok = ok && EVP_DigestFinal_ex(ctx, out, NULL);
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : -1;
}

/* The status for a reason text: the only one that is not about the file. */
static vigil_status why_status(const char *why)
{
    return strcmp(why, "out of memory") == 0 ? VIGIL_ENOMEM : VIGIL_EMALFORMED;
}

static vigil_status cvd_fail(struct cvd_load *l, const char *why)
{
    return engine_fail(l->e, why_status(why), "%s: %s", l->name, why);
}

/* Step 2, .cvd only: the MD5 of the body and the header's signature of it. */
static vigil_status cvd_check_body(struct cvd_load *l)
{
    uint8_t want[16], got[16];
    const char *why;

    /* ClamAV compares the header's text with its own lowercase rendering. */
    if (strlen(l->head.md5) != 32 || strspn(l->head.md5, "0123456789abcdef") != 32 ||
        hex_decode(l->head.md5, 32, want) != 0)
        return cvd_fail(l,
                        "malformed header: the MD5 field is not 32 lowercase hex digits");
    if (cvd_digest(l->src, CVD_HEADER_SIZE, EVP_md5(), got) != 0)
        return engine_fail(l->e, VIGIL_EREAD, "%s: cannot compute the MD5 of the archive",
                           l->name);
    if (memcmp(want, got, 16) != 0)
        return cvd_fail(l, "the MD5 of the archive does not match the header: "
                           "the file is damaged or was modified");
    why = dsig_check_md5(l->head.dsig, want);
    return why ? cvd_fail(l, why) : VIGIL_OK;
}

static int is_info_name(const char *name)
{
    size_t n = strlen(name);

    return n > 5 && strcasecmp(name + n - 5, ".info") == 0;
}

/* Step 3, first half: the first *.info entry, read into l->manifest. */
static vigil_status cvd_find_info(struct cvd_load *l)
{
    struct cvd_tar t;
    const char *why = cvd_tar_open(&t, l->src), *ename;
    uint64_t size;
    int r = 0;

    while (!why && (r = cvd_tar_next(&t, &ename, &size, &why)) == 1) {
        if (!is_info_name(ename)) {
            why = cvd_tar_skip(&t);
            continue;
        }
        snprintf(l->info_name, sizeof l->info_name, "%s", ename);
        why = cvd_tar_read(&t, size, CVD_MAX_INFO, &l->manifest);
        l->manifest_len = (size_t)size;
        break;
    }
    cvd_tar_close(&t);
    if (!why && r == 0)
        why = "no .info manifest in the archive";
    return why ? cvd_fail(l, why) : VIGIL_OK;
}

/* Names the first header field where the container and its manifest differ. */
static const char *cvd_head_mismatch(const struct cvd_header *a,
                                     const struct cvd_header *b)
{
    if (a->version != b->version)
        return "version";
    if (a->sigs != b->sigs)
        return "signature count";
    if (a->flevel != b->flevel)
        return "functionality level";
    if (a->stime != b->stime)
        return "build time in seconds";
    if (strcmp(a->time, b->time) != 0)
        return "build time";
    if (strcmp(a->builder, b->builder) != 0)
        return "builder";
    return NULL;
}

/* Step 3, second half: parse and verify the manifest. */
static vigil_status cvd_check_info(struct cvd_load *l)
{
    uint8_t sha[32];
    unsigned long lineno = 0;
    const char *why = cvd_info_parse((const char *)l->manifest, l->manifest_len,
                                     l->kind != CVD_KIND_CUD, &l->info, &lineno);

    if (why)
        return engine_fail(l->e, VIGIL_EMALFORMED, "%s!%s:%lu: %s", l->name, l->info_name,
                           lineno, why);
    if (l->info.dsig) {
        EVP_Digest(l->manifest, l->info.signed_len, sha, NULL, EVP_sha256(), NULL);
        why = dsig_check_info(l->info.dsig, l->info.dsig_len, sha);
        if (why)
            return engine_fail(l->e, VIGIL_EMALFORMED, "%s!%s: %s", l->name, l->info_name,
                               why);
    }
    why = cvd_head_mismatch(&l->head, &l->info.head);
    if (why)
        return engine_fail(l->e, VIGIL_EMALFORMED,
                           "%s: the header's %s differs from the one in %s: the "
                           "header is damaged or was modified",
                           l->name, why, l->info_name);
    return VIGIL_OK;
}

/* The .info met again in the second pass: it must be the one checked. */
static vigil_status cvd_entry_info(struct cvd_load *l, struct cvd_tar *t,
                                   const char *ename, uint64_t size, int *seen)
{
    uint8_t *data = NULL;
    const char *why = *seen || strcmp(ename, l->info_name) != 0
                          ? "more than one .info manifest in the archive"
                          : cvd_tar_read(t, size, CVD_MAX_INFO, &data);

    if (!why && (size != l->manifest_len || memcmp(data, l->manifest, l->manifest_len)))
        why = "the .info manifest changed while the file was being read";
    free(data);
    *seen = 1;
    return why ? cvd_fail(l, why) : VIGIL_OK;
}

/* Loads a verified database file through the reader of its format. */
static vigil_status cvd_entry_load(struct cvd_load *l, const char *ename,
                                   const uint8_t *data, size_t len)
{
    char disp[4096 + CVD_MAX_NAME + 2];

    if (cvd_kind(ename) >= 0)
        return engine_fail(l->e, VIGIL_EMALFORMED,
                           "%s!%s: a container inside a "
                           "container is not allowed",
                           l->name, ename);
    if ((size_t)snprintf(disp, sizeof disp, "%s!%s", l->name, ename) >= sizeof disp)
        return engine_fail(l->e, VIGIL_EOPEN, "%s: path too long", l->name);
    return db_load_buffer(l->e, disp, data, len, VIGIL_LOAD_SKIP_UNSUPPORTED,
                          l->kind != CVD_KIND_CUD);
}

/* Step 4 for one entry that is neither a .info nor passed over. */
static vigil_status cvd_entry(struct cvd_load *l, struct cvd_tar *t,
                              struct cvd_info_entry *ent, const char *ename,
                              uint64_t size)
{
    uint8_t *data = NULL, sha[32];
    vigil_status st = VIGIL_EMALFORMED;
    const char *why = NULL;

    if (ent->seen)
        why = "appears twice in the archive";
    else if (size != ent->size)
        why = "its size differs from the signed manifest: the file is damaged or "
              "was modified";
    else
        why = cvd_tar_read(t, size, CVD_MAX_ENTRY, &data);
    if (!why) {
        EVP_Digest(data, (size_t)size, sha, NULL, EVP_sha256(), NULL);
        if (memcmp(sha, ent->sha256, 32) != 0)
            why = "its SHA-256 differs from the signed manifest: the file is "
                  "damaged or was modified";
    }
    ent->seen = 1;
    if (why)
        st = engine_fail(l->e, why_status(why), "%s!%s: %s", l->name, ename, why);
    else if (db_is_database_name(ename))
        st = cvd_entry_load(l, ename, data, (size_t)size);
    else
        st = VIGIL_OK;
    free(data);
    return st;
}

/* Step 4: the second pass over the archive. */
static vigil_status cvd_entries(struct cvd_load *l)
{
    struct cvd_tar t;
    struct cvd_info_entry *ent;
    const char *why = cvd_tar_open(&t, l->src), *ename;
    uint64_t size;
    int info_seen = 0;
    vigil_status st = VIGIL_OK;

    while (!why && st == VIGIL_OK && cvd_tar_next(&t, &ename, &size, &why) == 1) {
        ent = cvd_info_find(&l->info, ename);
        if (is_info_name(ename))
            st = cvd_entry_info(l, &t, ename, size, &info_seen);
        else if (ent)
            st = cvd_entry(l, &t, ent, ename, size);
        else if (db_is_database_name(ename))
            st = engine_fail(l->e, VIGIL_EMALFORMED,
                             "%s!%s: not listed in the signed "
                             "manifest %s",
                             l->name, ename, l->info_name);
        else
            why = cvd_tar_skip(&t);
    }
    if (!why && st == VIGIL_OK)
        why = cvd_tar_finish(&t);
    cvd_tar_close(&t);
    if (why && st == VIGIL_OK)
        st = cvd_fail(l, why);
    return st;
}

/* Step 5: every file the manifest lists was in the archive. */
static vigil_status cvd_check_complete(struct cvd_load *l)
{
    for (size_t i = 0; i < l->info.n; i++)
        if (!l->info.v[i].seen)
            return engine_fail(l->e, VIGIL_EMALFORMED,
                               "%s: %s lists %s, which is "
                               "missing from the archive",
                               l->name, l->info_name, l->info.v[i].name);
    return VIGIL_OK;
}

/* Step 1, and the warning ClamAV gives for a newer functionality level. */
static vigil_status cvd_check_head(struct cvd_load *l)
{
    uint8_t block[CVD_HEADER_SIZE];
    size_t got = 0;
    const char *why;

    if (l->src->size > CVD_MAX_FILE)
        return cvd_fail(l, "larger than the limit for a database container (2 GiB)");
    if (source_read(l->src, 0, block, sizeof block, &got) != VIGIL_OK)
        return engine_fail(l->e, VIGIL_EREAD, "%s: read error", l->name);
    if (got < sizeof block)
        return cvd_fail(l, "shorter than the 512-byte header");
    why = cvd_header_parse(block, &l->head);
    if (why)
        return engine_fail(l->e, VIGIL_EMALFORMED, "%s: malformed header: %s", l->name,
                           why);
    if (l->head.flevel > VIGIL_CLAMAV_FLEVEL)
        engine_load_warning(l->e,
                            "%s: made for functionality level %" PRIu32 "; vigil reads "
                            "level %d, so signatures that need more are skipped",
                            l->name, l->head.flevel, VIGIL_CLAMAV_FLEVEL);
    return VIGIL_OK;
}

vigil_status cvd_load(struct vigil_engine *e, const char *name, const struct source *src)
{
    struct cvd_load l;
    vigil_status st;

    memset(&l, 0, sizeof l);
    l.e = e;
    l.name = name;
    l.src = src;
    l.kind = cvd_kind(name);
    if (l.kind < 0)
        return engine_fail(e, VIGIL_EUNSUPPORTED, "%s: not a database container", name);
    st = cvd_check_head(&l);
    if (st == VIGIL_OK && l.kind == CVD_KIND_CVD)
        st = cvd_check_body(&l);
    if (st == VIGIL_OK)
        st = cvd_find_info(&l);
    if (st == VIGIL_OK)
        st = cvd_check_info(&l);
    if (st == VIGIL_OK)
        st = cvd_entries(&l);
    if (st == VIGIL_OK)
        st = cvd_check_complete(&l);
    if (st == VIGIL_OK)
        engine_log(e, VIGIL_LOG_DEBUG, "%s: verified and loaded (version %" PRIu32 ")",
                   name, l.head.version);
    cvd_info_free(&l.info);
    free(l.manifest);
    return st;
}

vigil_status cvd_load_file(struct vigil_engine *e, const char *path)
{
    struct source src;
    struct stat sb;
    vigil_status st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

    if (fd < 0)
        return engine_fail(e, VIGIL_EOPEN, "%s: %s", path, strerror(errno));
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        st = engine_fail(e, VIGIL_EOPEN, "%s: not a regular file", path);
    else if (source_from_fd(&src, fd) != VIGIL_OK)
        st = engine_fail(e, VIGIL_EREAD, "%s: read error", path);
    else
        st = cvd_load(e, path, &src);
    close(fd);
    return st;
}

/* Reads the header of dir/name into h. */
static vigil_status twin_header(struct vigil_engine *e, const char *dir, const char *name,
                                struct cvd_header *h)
{
    char path[4096];
    const char *why;

    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return engine_fail(e, VIGIL_EOPEN, "%s/%s: path too long", dir, name);
    why = cvd_header_read(path, h);
    return why ? engine_fail(e, VIGIL_EMALFORMED, "%s: %s", path, why) : VIGIL_OK;
}

vigil_status cvd_twin_skip(struct vigil_engine *e, const char *dir, const char *name,
                           int *skip)
{
    char twin[4096], path[8200];
    struct cvd_header self, other;
    struct stat sb;
    int kind = cvd_kind(name);
    size_t n = strlen(name);
    vigil_status st;

    *skip = 0;
    if ((kind != CVD_KIND_CVD && kind != CVD_KIND_CLD) || n >= sizeof twin)
        return VIGIL_OK;
    /* ClamAV names the twin by changing one letter: x.cvd <-> x.cld. */
    memcpy(twin, name, n + 1);
    twin[n - 2] = (char)((kind == CVD_KIND_CVD ? 'l' : 'v') -
                         (isupper((unsigned char)name[n - 2]) ? 32 : 0));
    snprintf(path, sizeof path, "%s/%s", dir, twin);
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return VIGIL_OK;
    st = twin_header(e, dir, name, &self);
    if (st == VIGIL_OK)
        st = twin_header(e, dir, twin, &other);
    if (st != VIGIL_OK)
        return st;
    *skip = kind == CVD_KIND_CVD ? other.version >= self.version
                                 : other.version > self.version;
    /* ClamAV passes over the older daily database silently, others with this. */
    if (*skip && strncmp(name, "daily.", 6) != 0)
        engine_load_warning(e,
                            "%s/%s: %s/%s is as new or newer (version %" PRIu32
                            " vs %" PRIu32 "); this one is not loaded, you should remove it",
                            dir, name, dir, twin, other.version, self.version);
    return VIGIL_OK;
}
