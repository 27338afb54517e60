/* fuzz_bodysig.c - fuzz the body-signature parser and verifier. The input
 * is a signature, a newline, then the bytes to match; every hit of the
 * atom is verified, with the whole buffer and with a narrow start window. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match/bodysig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t siglen = nl ? (size_t)(nl - data) : size, len, start, end;
    const struct bodysig_atom *a;
    struct bodysig *sig;
    uint8_t *buf;
    char why[128];

    if (bodysig_parse((const char *)data, siglen, &sig, why, sizeof why) != VIGIL_OK)
        return 0;
    a = bodysig_atom(sig);
    if (a->len == 0 || a->len > BODYSIG_MAX_ATOM || a->bytes[0] == 0)
        abort();
    len = nl ? size - siglen - 1 : 0;
    buf = malloc(len ? len : 1); /* exactly len bytes: ASan sees overreads */
    if (buf) {
        memcpy(buf, nl ? nl + 1 : data, len);
        for (size_t at = 0; at + a->len <= len; at++) {
            if (memcmp(buf + at, a->bytes, a->len))
                continue;
            if (bodysig_verify(sig, buf, len, at, 0, len, &start, &end) &&
                (start > at || end < at + a->len || end > len ||
                 end - start < bodysig_min_len(sig) ||
                 end - start > bodysig_max_len(sig)))
                abort();
            bodysig_verify(sig, buf, len, at, at / 2, at / 2 + 3, &start, &end);
        }
        free(buf);
    }
    bodysig_free(sig);
    return 0;
}
