/* fuzz_sis.c - fuzz the SIS walker (src/unpack/sis.c), a hand-written
 * parser: the input is walked as a SIS package, children scanned under
 * small limits. */
#include "fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct vigil_format format_sis;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_walk(&format_sis, data, size, "fuzz.sis");
    return 0;
}
