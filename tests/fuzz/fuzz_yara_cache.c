/* fuzz_yara_cache.c - fuzz the reader of vigil's compiled-YARA cache table
 * (db/yara_cache.c): the input is the IMAGE_YARA table of a cache file. It
 * is parsed and bounds-checked, then its include records and warnings are
 * read the way a load reads them. The compiled rules at its end are never
 * given to libyara here: yr_rules_load_stream trusts its input, which is
 * why vigil only loads it from a file that passed the image's checksum and
 * key. Seeds are tables written by this build for tiny rule sets. */
#include <stdlib.h>
#include <string.h>

#include "db/yara_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct yara_cache_view v;
    struct yara_built b;
    uint8_t *copy = malloc(size ? size : 1); /* exact bounds for ASan */
    const uint8_t *p;
    unsigned sum = 0;

    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    if (yara_cache_parse(copy, size, &v) == 0) {
        p = v.incs;
        for (uint32_t i = 0; i < v.ninc; i++) {
            uint32_t nl, rl;
            memcpy(&nl, p + 8, 4);
            memcpy(&rl, p + 12, 4);
            for (uint32_t k = 0; k < nl + rl; k++)
                sum += p[48 + k];
            p += 48 + nl + rl;
        }
        if (p != v.incs + v.incs_len)
            abort(); /* the parse and the walk disagree */
        memset(&b, 0, sizeof b);
        yara_cache_warnings(&v, &b);
        for (size_t i = 0; i < b.nwarnings; i++)
            sum += (unsigned)strlen(b.warnings[i]);
        for (size_t i = 0; i < b.nwarnings; i++)
            free(b.warnings[i]);
        free(b.warnings);
        sum += v.rules[0] + v.rules[v.rules_len - 1];
    }
    free(copy);
    return (int)(sum & 0);
}
