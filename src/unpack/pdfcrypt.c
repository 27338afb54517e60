/* pdfcrypt.c - the standard security handler of PDF (ISO 32000-1 section
 * 7.6.3, algorithms 1, 2, 4, 5; ISO 32000-2 section 7.6.4.3.3 algorithm 2.A
 * and 2.B for revision 6) for the empty user password: RC4 (revisions 2-4),
 * AES-128 (AESV2) and AES-256 (AESV3, revisions 5 and 6), all through
 * OpenSSL libcrypto. RC4 is OpenSSL's RC4() (the EVP cipher needs the
 * legacy provider, which a sandboxed worker cannot load).
 * Limits: key lengths as the spec bounds them; algorithm 2.B runs at most
 * 64 + 256 rounds; every read within the /Encrypt dictionary. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "unpack/pdf.h"

#include <openssl/evp.h>
#include <openssl/rc4.h>
#include <string.h>

static const uint8_t pad[32] = {0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41,
                                0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
                                0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80,
                                0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A};

static int get_int(const uint8_t *d, size_t n, const char *key, int64_t def)
{
    struct pdf_val v;

    if (!pdflex_dict_get(d, n, key, &v) || v.t != PDF_T_NUM)
        return (int)def;
    return (int)pdflex_int(&v);
}

/* A string entry of the dictionary into out (cap bytes); its length. */
static size_t get_str(const uint8_t *d, size_t n, const char *key, uint8_t *out,
                      size_t cap)
{
    struct pdf_val v;

    if (!pdflex_dict_get(d, n, key, &v))
        return 0;
    return pdflex_string(&v, out, cap);
}

static int digest(const EVP_MD *md, const void *a, size_t an, const void *b, size_t bn,
                  const void *c, size_t cn, uint8_t *out)
{
    EVP_MD_CTX *x = EVP_MD_CTX_new();
    int ok = x && EVP_DigestInit_ex(x, md, NULL) && EVP_DigestUpdate(x, a, an) &&
             EVP_DigestUpdate(x, b, bn) && EVP_DigestUpdate(x, c, cn) &&
             EVP_DigestFinal_ex(x, out, NULL);

    EVP_MD_CTX_free(x);
    return ok;
}

static void rc4(const uint8_t *key, size_t klen, const uint8_t *in, size_t n,
                uint8_t *out)
{
    RC4_KEY k;

    RC4_set_key(&k, (int)klen, key);
    RC4(&k, n, in, out);
}

/* The crypt filter method named by /StmF in /CF (V4 and V5). */
static void crypt_method(struct pdf_crypt *c, const uint8_t *enc, size_t n)
{
    struct pdf_val stmf, cf, f, cfm;
    char name[64];

    if (!pdflex_dict_get(enc, n, "StmF", &stmf) || stmf.t != PDF_T_NAME ||
        stmf.n >= sizeof name)
        return; /* Identity by default */
    memcpy(name, stmf.p, stmf.n);
    name[stmf.n] = '\0';
    if (strcmp(name, "Identity") == 0) {
        c->none = 1;
        return;
    }
    if (pdflex_dict_get(enc, n, "CF", &cf) && cf.t == PDF_T_DICT &&
        pdflex_dict_get(cf.p, cf.n, name, &f) && f.t == PDF_T_DICT &&
        pdflex_dict_get(f.p, f.n, "CFM", &cfm)) {
        if (pdflex_name_is(&cfm, "AESV2"))
            c->aes = 1;
        else if (pdflex_name_is(&cfm, "AESV3"))
            c->aes = 2;
        else if (pdflex_name_is(&cfm, "None"))
            c->none = 1;
    }
}

/* Algorithms 2, 4 and 5 with the empty password (revisions 2 to 4). */
static int open_rc4(struct pdf_crypt *c, const uint8_t *enc, size_t n, int r,
                    const uint8_t *id, size_t idlen)
{
    uint8_t o[32] = {0}, u[32] = {0}, h[16], p4[4], x[32], k[16];
    int32_t p = get_int(enc, n, "P", 0);
    size_t len = r == 2 ? 5 : (size_t)get_int(enc, n, "Length", 40) / 8;
    struct pdf_val em;
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    int ok;

    if (len < 5 || len > 16)
        len = r == 2 ? 5 : 16;
    get_str(enc, n, "O", o, sizeof o);
    if (get_str(enc, n, "U", u, sizeof u) < 16)
        goto fail;
    for (int i = 0; i < 4; i++)
        p4[i] = (uint8_t)((uint32_t)p >> (8 * i));
    ok = m && EVP_DigestInit_ex(m, EVP_md5(), NULL) && EVP_DigestUpdate(m, pad, 32) &&
         EVP_DigestUpdate(m, o, 32) && EVP_DigestUpdate(m, p4, 4) &&
         EVP_DigestUpdate(m, id, idlen);
    if (ok && r >= 4 && pdflex_dict_get(enc, n, "EncryptMetadata", &em) && em.n == 5 &&
        memcmp(em.p, "false", 5) == 0)
        ok = EVP_DigestUpdate(m, "\xff\xff\xff\xff", 4);
    if (!ok || !EVP_DigestFinal_ex(m, h, NULL))
        goto fail;
    for (int i = 0; r >= 3 && i < 50; i++)
        if (!digest(EVP_md5(), h, len, NULL, 0, NULL, 0, h))
            goto fail;
    memcpy(c->key, h, len);
    c->keylen = len;
    if (r == 2) { /* algorithm 4 */
        rc4(c->key, len, pad, 32, x);
        EVP_MD_CTX_free(m);
        return memcmp(x, u, 32) == 0;
    }
    if (!digest(EVP_md5(), pad, 32, id, idlen, NULL, 0, x)) /* algorithm 5 */
        goto fail;
    for (int i = 0; i < 20; i++) {
        for (size_t j = 0; j < len; j++)
            k[j] = (uint8_t)(c->key[j] ^ i);
        rc4(k, len, x, 16, x);
    }
    EVP_MD_CTX_free(m);
    return memcmp(x, u, 16) == 0;
fail:
    EVP_MD_CTX_free(m);
    return 0;
}

static int aes_cbc(const EVP_CIPHER *ci, int enc, const uint8_t *key, const uint8_t *iv,
                   const uint8_t *in, size_t n, uint8_t *out)
{
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int a = 0, b = 0;
    int ok = x && EVP_CipherInit_ex(x, ci, NULL, key, iv, enc) &&
             EVP_CIPHER_CTX_set_padding(x, 0) &&
             EVP_CipherUpdate(x, out, &a, in, (int)n) &&
             EVP_CipherFinal_ex(x, out + a, &b);

    EVP_CIPHER_CTX_free(x);
    return ok && (size_t)(a + b) == n;
}

/* Algorithm 2.B (revision 6) or plain SHA-256 (revision 5) of the empty
 * password with an 8-byte salt. */
static int hash_r6(int r, const uint8_t *salt, uint8_t out[32])
{
    uint8_t k[64], e[64 * 64], k1[64 * 64];
    size_t klen = 32;

    if (!digest(EVP_sha256(), salt, 8, NULL, 0, NULL, 0, k))
        return 0;
    for (int i = 0; r == 6 && i < 64 + 256; i++) {
        unsigned sum = 0, last;
        for (int j = 0; j < 64; j++)
            memcpy(k1 + (size_t)j * klen, k, klen);
        if (!aes_cbc(EVP_aes_128_cbc(), 1, k, k + 16, k1, klen * 64, e))
            return 0;
        for (int j = 0; j < 16; j++)
            sum += e[j];
        const EVP_MD *md = sum % 3 == 0   ? EVP_sha256()
                           : sum % 3 == 1 ? EVP_sha384()
                                          : EVP_sha512();
        if (!digest(md, e, klen * 64, NULL, 0, NULL, 0, k))
            return 0;
        last = e[klen * 64 - 1];
        klen = (size_t)EVP_MD_get_size(md);
        if (i >= 63 && last <= (unsigned)(i - 31))
            break;
    }
    memcpy(out, k, 32);
    return 1;
}

/* Algorithm 2.A with the empty password (revisions 5 and 6). */
static int open_aes256(struct pdf_crypt *c, const uint8_t *enc, size_t n, int r)
{
    uint8_t u[48], ue[32], h[32], iv[16] = {0};

    if (get_str(enc, n, "U", u, sizeof u) < 48 ||
        get_str(enc, n, "UE", ue, sizeof ue) < 32)
        return 0;
    if (!hash_r6(r, u + 32, h) || memcmp(h, u, 32) != 0)
        return 0;
    if (!hash_r6(r, u + 40, h) || !aes_cbc(EVP_aes_256_cbc(), 0, h, iv, ue, 32, c->key))
        return 0;
    c->keylen = 32;
    c->aes = 2;
    return 1;
}

int pdfcrypt_open(struct pdf_crypt *c, const uint8_t *enc, size_t n, const uint8_t *id,
                  size_t idlen)
{
    struct pdf_val f;
    int v = get_int(enc, n, "V", 0), r = get_int(enc, n, "R", 0);

    memset(c, 0, sizeof *c);
    if (!pdflex_dict_get(enc, n, "Filter", &f) || !pdflex_name_is(&f, "Standard"))
        return 0;
    if (v >= 4)
        crypt_method(c, enc, n);
    if (r == 5 || r == 6)
        return open_aes256(c, enc, n, r);
    if (r < 2 || r > 4)
        return 0;
    return open_rc4(c, enc, n, r, id, idlen);
}

int pdfcrypt_run(const struct pdf_crypt *c, uint32_t num, uint32_t gen, const uint8_t *in,
                 size_t len, struct outbuf *out)
{
    uint8_t k[32], h[16], s[16 + 9];
    size_t klen = c->keylen, room;
    EVP_CIPHER_CTX *x;
    int a = 0, ok;

    if (c->none || klen > 16 + 16) {
        klen = 0;
    } else if (c->aes != 2) { /* algorithm 1: the object's own key */
        memcpy(s, c->key, klen);
        for (int i = 0; i < 3; i++)
            s[klen + (size_t)i] = (uint8_t)(num >> (8 * i));
        s[klen + 3] = (uint8_t)gen;
        s[klen + 4] = (uint8_t)(gen >> 8);
        if (!digest(EVP_md5(), s, klen + 5, "sAlT", c->aes ? 4 : 0, NULL, 0, h))
            return -2;
        klen = klen + 5 < 16 ? klen + 5 : 16;
        memcpy(k, h, klen);
    } else {
        memcpy(k, c->key, 32);
    }
    if (outbuf_reserve(out, len, &room) != VIGIL_OK)
        return -2;
    if (room < len)
        len = room;
    if (c->none || klen == 0) {
        memcpy(out->p + out->len, in, len);
        out->len += len;
        return 0;
    }
    if (!c->aes) {
        rc4(k, klen, in, len, out->p + out->len);
        out->len += len;
        return 0;
    }
    if (len < 32 || len % 16) /* the IV and at least one block */
        return -1;
    if (!(x = EVP_CIPHER_CTX_new()))
        return -2;
    ok = EVP_DecryptInit_ex(x, c->aes == 2 ? EVP_aes_256_cbc() : EVP_aes_128_cbc(), NULL,
                            k, in) &&
         EVP_CIPHER_CTX_set_padding(x, 0) &&
         EVP_DecryptUpdate(x, out->p + out->len, &a, in + 16, (int)(len - 16));
    EVP_CIPHER_CTX_free(x);
    if (!ok)
        return -1;
    if (a > 0 && out->p[out->len + (size_t)a - 1] >= 1 &&
        out->p[out->len + (size_t)a - 1] <= 16)
        a -= out->p[out->len + (size_t)a - 1]; /* PKCS#7 padding */
    out->len += (size_t)a;
    return 0;
}
