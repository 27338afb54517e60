/* pe_hash.c - the hashes .mdb/.msb and .imp signatures name: each PE
 * section's raw data, and the import table's names, as clamscan 1.4.6
 * computes them (libclamav pe.c scan_pe_mdb, hash_imptbl, hash_impfns).
 *
 * Sections: every section with raw data (ClamAV's rsz: SizeOfRawData
 * aligned up to FileAlignment, cut at the end of the object) is hashed
 * over [raw, raw + rsz), checked by size first.
 * Imports: for each import descriptor (20 bytes, while more than 20 bytes
 * of the directory are left and Name is not 0, at most PE_MAX_IMPORTS),
 * for each thunk of OriginalFirstThunk (or FirstThunk) until a zero one:
 * "dll.function" in lower case, dll without a ".dll", ".ocx" or ".sys"
 * extension, the pieces joined by ','; an ordinal import is "ordN". The
 * hash is that of the whole string; its size is the string's length. A
 * function name with a byte outside [0-9A-Za-z_.] voids the hash, as do a
 * Name or thunk RVA no section maps.
 * Known difference: ClamAV names some ordinals of oleaut32, ws2_32 and
 * wsock32 by a table; vigil writes "ordN" for every ordinal.
 * Limits: names are read up to PE_MAX_NAME bytes, at most PE_MAX_IMPORTS
 * descriptors and PE_MAX_THUNKS thunks each; every read is bounded. */
#include "scan/pe_hash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/engine.h"
#include "scan/result.h"

#define PE_MAX_NAME 256
#define PE_MAX_IMPORTS 1024
#define PE_MAX_THUNKS (1u << 20)

static const EVP_MD *md_of(enum hash_kind k)
{
    return k == HASH_MD5 ? EVP_md5() : k == HASH_SHA1 ? EVP_sha1() : EVP_sha256();
}

/* Appends the matches of table t for digest d of size bytes to r: the
 * exact-size one, then (with all, or without it when none) the any-size
 * one, as clamscan's cli_hm_scan and cli_hm_scan_wild. Returns 1 when the
 * scan of the object must stop (a match without all). */
static int hash_report(const struct vigil_engine *e, const struct sechash_table *t,
                       enum hash_kind k, const uint8_t *d, uint64_t size, int all,
                       struct vigil_result *r, vigil_status *st)
{
    uint32_t name[2];
    unsigned found = sechash_find(t, k, d, size, &name[0], &name[1]);

    for (int i = 0; i < 2 && *st == VIGIL_OK; i++) {
        if (!(found & (1u << i)))
            continue;
        *st = result_add(r, strtab_get(&e->names, name[i]), "", 0);
        if (!all)
            return 1;
    }
    return found && (!all || *st != VIGIL_OK);
}

vigil_status pe_hash_sections(const struct vigil_engine *e, const uint8_t *buf,
                              size_t len, const struct pe_info *pe, int all,
                              struct vigil_result *r)
{
    const struct sechash_table *t = &e->sect;
    uint8_t d[EVP_MAX_MD_SIZE];
    vigil_status st = VIGIL_OK;

    if (t->n == 0)
        return VIGIL_OK;
    for (uint32_t i = 0; i < pe->nsect; i++) {
        const struct pe_sect *s = &pe->sect[i];
        if (!s->rsz || s->raw > len || s->rsz > len - s->raw)
            continue;
        for (int k = 0; k < HASH_KINDS; k++) {
            if (!sechash_has_size(t, (enum hash_kind)k, s->rsz))
                continue;
            if (!EVP_Digest(buf + s->raw, s->rsz, d, NULL, md_of((enum hash_kind)k),
                            NULL))
                return VIGIL_ENOMEM;
            if (hash_report(e, t, (enum hash_kind)k, d, s->rsz, all, r, &st))
                return st;
        }
    }
    return st;
}

/* The import string under construction, fed to one digest per kind. */
struct imp_hash {
    EVP_MD_CTX *ctx[HASH_KINDS];
    unsigned kinds;
    uint64_t size;
    int first;
};

/* The name at off (at most PE_MAX_NAME bytes, NUL-terminated or cut),
 * copied to out; ClamAV reads min(PE_MAX_NAME, len - off) bytes and fails
 * when they do not all lie inside the object. Returns its length or -1. */
static int imp_name(const uint8_t *buf, size_t len, uint64_t off, size_t want_from,
                    char *out)
{
    size_t n, i;

    if (want_from > len)
        return -1;
    n = len - want_from < PE_MAX_NAME ? len - want_from : PE_MAX_NAME;
    if (n == 0 || off > len || n > len - off)
        return -1;
    for (i = 0; i < n && buf[off + i]; i++)
        out[i] = (char)buf[off + i];
    out[i] = '\0';
    return (int)i;
}

static int imp_valid(const char *s)
{
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
              (*s >= 'A' && *s <= 'Z') || *s == '_' || *s == '.'))
            return 0;
    return 1;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The length of the dll name without a ".dll", ".ocx" or ".sys" suffix
 * starting at its first dot (ClamAV's strstr(".") and strncasecmp(4)). */
static size_t dll_len(const char *dll)
{
    const char *ext = strchr(dll, '.');

    if (ext && (strncasecmp(ext, ".ocx", 4) == 0 || strncasecmp(ext, ".sys", 4) == 0 ||
                strncasecmp(ext, ".dll", 4) == 0))
        return (size_t)(ext - dll);
    return strlen(dll);
}

/* Adds ",dll.func" (no comma first). Returns -1 for an invalid name. */
static int imp_add(struct imp_hash *h, const char *dll, const char *func)
{
    char piece[2 * PE_MAX_NAME + 4];
    size_t j = 0, dl = dll_len(dll);

    if (!imp_valid(func))
        return -1;
    if (!h->first)
        piece[j++] = ',';
    for (size_t i = 0; i < dl; i++)
        piece[j++] = lower(dll[i]);
    piece[j++] = '.';
    for (size_t i = 0; func[i]; i++)
        piece[j++] = lower(func[i]);
    for (int k = 0; k < HASH_KINDS; k++)
        if (h->kinds & (1u << k))
            EVP_DigestUpdate(h->ctx[k], piece, j);
    h->size += j;
    h->first = 0;
    return 0;
}

/* The functions of one import descriptor. Returns -1 when the hash is void. */
static int imp_functions(const uint8_t *buf, size_t len, const struct pe_info *pe,
                         uint32_t oft, uint32_t ft, const char *dll, struct imp_hash *h)
{
    unsigned tsz = pe->pe32plus ? 8 : 4;
    uint32_t thu = 0, off;
    char func[PE_MAX_NAME + 1];
    int bad = 0;

    if (oft)
        bad = pe_rawaddr(pe, len, oft, &thu) != 0;
    if (bad || thu == 0) {
        thu = 0;
        if (pe_rawaddr(pe, len, ft, &thu) != 0)
            return -1;
    }
    for (uint32_t n = 0; n < PE_MAX_THUNKS; n++) {
        uint64_t at = (uint64_t)thu + (uint64_t)n * tsz, v;
        int ord, have;
        if (at > len || tsz > len - at)
            break;
        v = 0;
        for (unsigned b = 0; b < tsz; b++)
            v |= (uint64_t)buf[at + b] << (8 * b);
        if (v == 0)
            break;
        ord = pe->pe32plus ? (int)(v >> 63) : (int)((v >> 31) & 1);
        if (ord) {
            snprintf(func, sizeof func, "ord%u", (unsigned)(v & 0xffff));
            have = 1;
        } else {
            int err = pe_rawaddr(pe, len, (uint32_t)v, &off) != 0;
            if (err)
                off = 0; /* cli_rawaddr gives 0 on error */
            have = !(err && pe->pe32plus) &&
                   imp_name(buf, len, (uint64_t)off + 2, off, func) >= 0;
        }
        if (have && imp_add(h, dll, func) != 0)
            return -1;
    }
    return 0;
}

/* The import descriptors. Returns 1 when the hash exists, 0 when not. */
static int imp_walk(const uint8_t *buf, size_t len, const struct pe_info *pe,
                    struct imp_hash *h)
{
    uint32_t rva = pe->ndirs > 1 ? pe->dir_rva[1] : 0;
    uint32_t size = pe->ndirs > 1 ? pe->dir_size[1] : 0, at, left, off;
    char dll[PE_MAX_NAME + 1];

    if (!rva || !size || pe_rawaddr(pe, len, rva, &at) != 0 || (uint64_t)at + size > len)
        return 0;
    left = size;
    for (int n = 0; left > 20 && n < PE_MAX_IMPORTS; n++) {
        const uint8_t *d = buf + at + (size - left);
        uint32_t oft = (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 |
                       (uint32_t)d[3] << 24;
        uint32_t name = (uint32_t)d[12] | (uint32_t)d[13] << 8 | (uint32_t)d[14] << 16 |
                        (uint32_t)d[15] << 24;
        uint32_t ft = (uint32_t)d[16] | (uint32_t)d[17] << 8 | (uint32_t)d[18] << 16 |
                      (uint32_t)d[19] << 24;
        if (name == 0)
            break;
        left -= 20;
        if (pe_rawaddr(pe, len, name, &off) != 0 || off > len ||
            imp_name(buf, len, off, off, dll) < 0)
            return 0;
        if (imp_functions(buf, len, pe, oft, ft, dll, h) != 0)
            return 0;
    }
    return 1;
}

vigil_status pe_hash_imports(const struct vigil_engine *e, const uint8_t *buf, size_t len,
                             const struct pe_info *pe, int all, struct vigil_result *r)
{
    const struct sechash_table *t = &e->imp;
    struct imp_hash h;
    uint8_t d[EVP_MAX_MD_SIZE];
    vigil_status st = VIGIL_OK;
    int ok;

    if (t->n == 0)
        return VIGIL_OK;
    memset(&h, 0, sizeof h);
    h.first = 1;
    h.kinds = t->kinds;
    for (int k = 0; k < HASH_KINDS; k++) {
        if (!(h.kinds & (1u << k)))
            continue;
        if (!(h.ctx[k] = EVP_MD_CTX_new()) ||
            !EVP_DigestInit_ex(h.ctx[k], md_of((enum hash_kind)k), NULL)) {
            st = VIGIL_ENOMEM;
            goto out;
        }
    }
    ok = imp_walk(buf, len, pe, &h);
    for (int k = 0; ok && k < HASH_KINDS; k++) {
        if (!(h.kinds & (1u << k)))
            continue;
        if (!EVP_DigestFinal_ex(h.ctx[k], d, NULL)) {
            st = VIGIL_ENOMEM;
            break;
        }
        if (hash_report(e, t, (enum hash_kind)k, d, h.size, all, r, &st))
            break;
    }
out:
    for (int k = 0; k < HASH_KINDS; k++)
        EVP_MD_CTX_free(h.ctx[k]);
    return st;
}
