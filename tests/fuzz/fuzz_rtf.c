/* fuzz_rtf.c - fuzz the RTF walker (src/unpack/rtf.c), hand-written: the
 * input is walked as an RTF document, and also with "{\rtf" put in front
 * so that inputs without the magic reach the group and object parsing. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct vigil_format format_rtf;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *p;

    fuzz_walk(&format_rtf, data, size, "fuzz.rtf");
    if (size > 1 << 20 || !(p = malloc(size + 5)))
        return 0;
    memcpy(p, "{\\rtf", 5);
    memcpy(p + 5, data, size);
    fuzz_walk(&format_rtf, p, size + 5, "fuzz.rtf");
    free(p);
    return 0;
}
