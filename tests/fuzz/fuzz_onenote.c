/* fuzz_onenote.c - fuzz the OneNote walker (src/unpack/onenote.c),
 * hand-written: the input is walked as a OneNote section, attached files
 * scanned through the scan layer. */
#include "fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct vigil_format format_onenote;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_walk(&format_onenote, data, size, "fuzz.one");
    return 0;
}
