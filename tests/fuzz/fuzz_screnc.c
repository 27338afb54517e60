/* fuzz_screnc.c - fuzz the Script Encoder decoder (src/unpack/screnc.c):
 * the input, NUL-terminated, is decoded in place after its 8-byte length
 * field, as the HTML normaliser hands it over. */
#include <stdlib.h>
#include <string.h>

#include "unpack/screnc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf;
    uint32_t left;
    size_t n;

    if (size < 8)
        return 0;
    left = screnc_length(data);
    if (!(buf = malloc(size - 8 + 1)))
        return 0;
    memcpy(buf, data + 8, size - 8);
    buf[size - 8] = 0;
    n = screnc_decode(buf, size - 8, &left);
    if (n > size - 8 || buf[n] != 0)
        __builtin_trap();
    free(buf);
    return 0;
}
