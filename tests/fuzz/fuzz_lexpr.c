/* fuzz_lexpr.c - fuzz the logical expression parser and evaluator: the
 * first 64 bytes are match counts (small ones, so that count modifiers are
 * reached), the rest is the expression text. */
#include <string.h>

#include "match/lexpr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t counts[LEXPR_MAX_ID + 1] = {0};
    struct lexpr *x = NULL;
    char why[256];
    unsigned maxid;
    size_t n = size < LEXPR_MAX_ID + 1 ? size : LEXPR_MAX_ID + 1;

    for (size_t i = 0; i < n; i++)
        counts[i] = data[i] % 8;
    if (lexpr_parse((const char *)data + n, size - n, &x, &maxid, why, sizeof why) ==
        VIGIL_OK) {
        if (maxid > LEXPR_MAX_ID)
            __builtin_trap();
        (void)lexpr_eval(x, counts);
    }
    lexpr_free(x);
    return 0;
}
