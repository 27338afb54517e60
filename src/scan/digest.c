/* digest.c - whole-object digests with OpenSSL's EVP interface, all the kinds
 * a scan needs computed in the same pass over the bytes. */
#include "scan/digest.h"

#include <openssl/evp.h>
#include <string.h>

static const char *const md_names[HASH_KINDS] = {"MD5", "SHA1", "SHA256"};

vigil_status digester_init(struct digester *dg)
{
    memset(dg, 0, sizeof *dg);
    for (int k = 0; k < HASH_KINDS; k++) {
        dg->md[k] = EVP_MD_fetch(NULL, md_names[k], NULL);
        dg->ctx[k] = EVP_MD_CTX_new();
        if (!dg->md[k] || !dg->ctx[k]) {
            digester_free(dg);
            return VIGIL_ENOMEM;
        }
    }
    return VIGIL_OK;
}

void digester_free(struct digester *dg)
{
    for (int k = 0; k < HASH_KINDS; k++) {
        EVP_MD_free(dg->md[k]);
        EVP_MD_CTX_free(dg->ctx[k]);
        dg->md[k] = NULL;
        dg->ctx[k] = NULL;
    }
}

vigil_status digester_run(struct digester *dg, const struct source *src,
                          unsigned kinds, uint8_t *buf, size_t bufsize,
                          struct digests *out, uint64_t *bytes_read)
{
    uint64_t off = 0;
    size_t got;
    vigil_status st;

    out->kinds = 0;
    *bytes_read = 0;
    for (int k = 0; k < HASH_KINDS; k++)
        if ((kinds & (1u << k)) && !EVP_DigestInit_ex(dg->ctx[k], dg->md[k], NULL))
            return VIGIL_ENOMEM;
    if (src->mem && src->size) {
        /* In memory already: no copy through the read buffer. */
        for (int k = 0; k < HASH_KINDS; k++)
            if (kinds & (1u << k))
                EVP_DigestUpdate(dg->ctx[k], src->mem, (size_t)src->size);
        off = src->size;
    }
    while (off < src->size) {
        uint64_t left = src->size - off;
        st = source_read(src, off, buf, left < bufsize ? (size_t)left : bufsize, &got);
        if (st != VIGIL_OK)
            return st;
        if (got == 0)
            break;
        for (int k = 0; k < HASH_KINDS; k++)
            if (kinds & (1u << k))
                EVP_DigestUpdate(dg->ctx[k], buf, got);
        off += got;
    }
    *bytes_read = off;
    if (off != src->size)
        return VIGIL_ECHANGED;
    for (int k = 0; k < HASH_KINDS; k++)
        if (kinds & (1u << k))
            EVP_DigestFinal_ex(dg->ctx[k], out->d[k], NULL);
    out->kinds = kinds;
    return VIGIL_OK;
}
