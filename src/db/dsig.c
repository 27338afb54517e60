/* dsig.c - the RSA signatures of ClamAV's database containers, checked with
 * ClamAV's published public keys through OpenSSL.
 *
 * Spec: libclamav/dsig.c (cli_decodesig, cli_versig, cli_versig2) and
 * readdb.c cli_loadinfo. A signature is written in a base64 variant whose
 * digits (a-z A-Z 0-9 + /) are little-endian: digit i is worth 64^i. Two
 * schemes use it:
 *   - the .cvd header: raw RSA with a 1024-bit key; the "decrypted" number
 *     is the 16-byte MD5 of the body (ClamAV 1.4 refuses one that does not
 *     fit in 16 bytes, "Resulting signature too large");
 *   - the .info DSIG line: EMSA-PSS, SHA-256, MGF1-SHA-256, 32-byte salt,
 *     with a 2047-bit key, decoded as ClamAV does (see dsig_pss).
 * OpenSSL raises the number (EVP_PKEY_verify_recover, no padding) and hashes;
 * it refuses a signature not below the modulus, which ClamAV's own big-number
 * code would reduce first; the signing service never makes one.
 * Limits: a signature decodes to at most the key's size. */
#include "db/cvd.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

/* ClamAV's public keys (dsig.c CLI_NSTR/CLI_ESTR, readdb.c INFO_NSTR/INFO_ESTR). */
static const char cvd_n[] =
    "11864099555164534260307000165845318975152777441202774374659940574324314260"
    "74641447673610606406558447497607888900222834249227624889175655510024677711"
    "09669598189410434699034532232228621591089508178591428456220796841621637175"
    "56759047666692869877014332813738395282038319753204777178019657695769582264"
    "1224262693037";
static const char cvd_e[] = "100001027";

static const char info_n[] =
    "11088894983048545473659556106627194923928941791795047620591658697413581043"
    "32271591217249680652538105588096452061840022433332053466029923398375534174"
    "06795028668299096799557343913926683783612215242053966310901051516412708572"
    "77080310734320951653700508941717419168723942507890702904702707587451621691"
    "05075430785038339986534648720379846417853739221140278648135982446119723110"
    "28954150937703942166663244845939357624084685168266331921408266679234948220"
    "45805347809932848454845886971706424360558667862775876072059437703365380209"
    "10169773857751547693508546945527999411314597799408461832848215101314239337"
    "3316337519977244732747977";
static const char info_e[] = "100002049";

#define DSIG_MAX_KEY 256 /* bytes of the larger modulus */

/* Builds a public RSA key from decimal strings. Returns NULL on failure. */
static EVP_PKEY *dsig_key(const char *n_dec, const char *e_dec)
{
    BIGNUM *n = NULL, *e = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *key = NULL;

    if (!BN_dec2bn(&n, n_dec) || !BN_dec2bn(&e, e_dec))
        goto out;
    bld = OSSL_PARAM_BLD_new();
    if (!bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
        goto out;
    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        key = NULL;
out:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return key;
}

static int dsig_digit(char c)
{
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Decodes s[0..n) into the big-endian number out[0..len). Returns NULL, or
 * why the text is not a signature of that size. */
static const char *dsig_decode(const char *s, size_t n, uint8_t *out, size_t len)
{
    memset(out, 0, len);
    if (n == 0)
        return "empty signature";
    for (size_t i = 0; i < n; i++) {
        int v = dsig_digit(s[i]);
        if (v < 0)
            return "signature holds a character outside ClamAV's base64 alphabet";
        for (size_t b = 0; b < 6; b++) {
            size_t bit = 6 * i + b;
            if (!(v >> b & 1))
                continue;
            if (bit / 8 >= len)
                return "signature is larger than the key";
            out[len - 1 - bit / 8] |= (uint8_t)(1u << (bit % 8));
        }
    }
    return NULL;
}

/* Raises sig[0..len) to the key's exponent: out[0..len) = sig^e mod n.
 * Returns 0, or -1 when OpenSSL refuses it (e.g. not below the modulus). */
static int dsig_raise(EVP_PKEY *key, const uint8_t *sig, size_t len, uint8_t *out)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
    size_t outlen = len;
    int ok = ctx && EVP_PKEY_verify_recover_init(ctx) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) > 0 &&
             EVP_PKEY_verify_recover(ctx, out, &outlen, sig, len) > 0 && outlen == len;

    EVP_PKEY_CTX_free(ctx);
    return ok ? 0 : -1;
}

const char *dsig_check_md5(const char *dsig, const uint8_t md5[16])
{
    uint8_t sig[DSIG_MAX_KEY], plain[DSIG_MAX_KEY];
    EVP_PKEY *key = dsig_key(cvd_n, cvd_e);
    const char *why = "cannot set up ClamAV's public key";
    size_t len;

    if (!key)
        goto out;
    len = (size_t)EVP_PKEY_get_size(key);
    why = dsig_decode(dsig, strlen(dsig), sig, len);
    if (why)
        goto out;
    why = "digital signature does not verify with ClamAV's public key";
    if (dsig_raise(key, sig, len, plain) != 0)
        goto out;
    for (size_t i = 0; i + 16 < len; i++)
        if (plain[i] != 0)
            goto out;
    if (memcmp(plain + len - 16, md5, 16) != 0)
        goto out;
    why = NULL;
out:
    EVP_PKEY_free(key);
    ERR_clear_error();
    return why;
}

/* MGF1 with SHA-256 (RFC 8017 B.2.1): xors the mask of seed into out[0..len). */
static int dsig_mgf1_xor(const uint8_t seed[32], uint8_t *out, size_t len)
{
    uint8_t in[36], h[32];

    memcpy(in, seed, 32);
    for (uint32_t c = 0; (size_t)c * 32 < len; c++) {
        in[32] = (uint8_t)(c >> 24);
        in[33] = (uint8_t)(c >> 16);
        in[34] = (uint8_t)(c >> 8);
        in[35] = (uint8_t)c;
        if (!EVP_Digest(in, sizeof in, h, NULL, EVP_sha256(), NULL))
            return -1;
        for (size_t i = 0; i < 32 && (size_t)c * 32 + i < len; i++)
            out[(size_t)c * 32 + i] ^= h[i];
    }
    return 0;
}

/* Checks em[0..len), the raised .info signature, as ClamAV's cli_versig2
 * decodes it: EMSA-PSS with the encoded message taken as len*8-1 bits long
 * (only the top bit is cleared, while RFC 8017 would clear two for this
 * 2047-bit key; the signing service encodes it ClamAV's way, so OpenSSL's
 * strict PSS check refuses about half of the real signatures). Beyond
 * ClamAV, the padding before the 0x01 must be all zero. */
static const char *dsig_pss(uint8_t *em, size_t len, const uint8_t sha256[32])
{
    const size_t db_len = len - 32 - 1, salt = 32;
    uint8_t m[8 + 32 + 32], h[32];

    if (em[len - 1] != 0xbc || dsig_mgf1_xor(em + db_len, em, db_len) != 0)
        return "DSIG does not verify with ClamAV's public key";
    em[0] &= 0x7f;
    for (size_t i = 0; i + salt + 1 < db_len; i++)
        if (em[i] != 0)
            return "DSIG does not verify with ClamAV's public key";
    if (em[db_len - salt - 1] != 0x01)
        return "DSIG does not verify with ClamAV's public key";
    memset(m, 0, 8);
    memcpy(m + 8, sha256, 32);
    memcpy(m + 40, em + db_len - salt, salt);
    if (!EVP_Digest(m, sizeof m, h, NULL, EVP_sha256(), NULL) ||
        memcmp(h, em + db_len, 32) != 0)
        return "DSIG does not verify with ClamAV's public key";
    return NULL;
}

const char *dsig_check_info(const char *dsig, size_t n, const uint8_t sha256[32])
{
    uint8_t sig[DSIG_MAX_KEY], em[DSIG_MAX_KEY];
    EVP_PKEY *key = dsig_key(info_n, info_e);
    const char *why = "cannot set up ClamAV's public key";
    size_t len;

    if (!key)
        goto out;
    len = (size_t)EVP_PKEY_get_size(key);
    why = dsig_decode(dsig, n, sig, len);
    if (why)
        goto out;
    why = "DSIG does not verify with ClamAV's public key";
    if (len >= 2 * 32 + 2 && dsig_raise(key, sig, len, em) == 0)
        why = dsig_pss(em, len, sha256);
out:
    EVP_PKEY_free(key);
    ERR_clear_error();
    return why;
}
