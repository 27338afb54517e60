/* fuzz_bodysig.c - fuzz the body-signature parser and verifier. The input
 * is a signature, a newline, then the bytes to match; every hit of the
 * atom is verified, with the whole buffer and with a narrow start window,
 * and again through the per-object memo, which must never change an answer;
 * the quick test the scanner runs first must pass wherever a match is. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match/bodysig.h"
#include "scan/bodyplan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bodysig_memo *memo;

/* The memo is a cache: with it, every answer is the one without it. */
static void check_memo(const struct bodysig *sig, const uint8_t *buf, size_t len,
                       size_t at)
{
    static const size_t lo[] = {0, 0, 1, 7}, hi[] = {SIZE_MAX, 0, 3, SIZE_MAX};
    size_t s1, e1, s2, e2;

    for (size_t i = 0; i < sizeof lo / sizeof lo[0]; i++) {
        size_t h = hi[i] > len ? len : hi[i];
        int r1 = bodysig_verify(sig, buf, len, at, lo[i], h, &s1, &e1);
        int r2 = bodysig_verify_memo(sig, memo, 7, buf, len, at, lo[i], h, &s2, &e2);
        if (r1 != r2 || (r1 && (s1 != s2 || e1 != e2)))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t siglen = nl ? (size_t)(nl - data) : size, len, start, end;
    const struct bodysig_atom *a;
    struct bodysig *sig;
    struct bodyplan_quick quick = {0};
    struct bodyplan plan = {.quick = &quick};
    uint8_t *buf;
    char why[128];

    if (bodysig_parse((const char *)data, siglen, &sig, why, sizeof why) != VIGIL_OK)
        return 0;
    if (!memo && bodysig_memo_new(&memo) != VIGIL_OK)
        abort();
    bodysig_memo_reset(memo);
    a = bodysig_atom(sig);
    if (a->len == 0 || a->len > BODYSIG_MAX_ATOM)
        abort();
    quick.atom_len = (uint32_t)a->len;
    bodysig_quick(sig, &quick.q);
    len = nl ? size - siglen - 1 : 0;
    buf = malloc(len ? len : 1); /* exactly len bytes: ASan sees overreads */
    if (buf) {
        memcpy(buf, nl ? nl + 1 : data, len);
        for (size_t at = 0; at + a->len <= len; at++) {
            if (memcmp(buf + at, a->bytes, a->len))
                continue;
            if (bodysig_verify(sig, buf, len, at, 0, len, &start, &end) &&
                !bodyplan_quick_pass(&plan, 0, buf, len, at))
                abort(); /* the quick test would have lost a match */
            if (bodysig_verify(sig, buf, len, at, 0, len, &start, &end) &&
                (start > at || end < at + a->len || end > len ||
                 end - start < bodysig_min_len(sig) ||
                 end - start > bodysig_max_len(sig)))
                abort();
            bodysig_verify(sig, buf, len, at, at / 2, at / 2 + 3, &start, &end);
            check_memo(sig, buf, len, at);
        }
        free(buf);
    }
    bodysig_free(sig);
    return 0;
}
