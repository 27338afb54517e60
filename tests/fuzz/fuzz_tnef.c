/* fuzz_tnef.c - fuzz the TNEF walker (src/unpack/tnef.c), hand-written. */
#include "fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct vigil_format format_tnef;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_walk(&format_tnef, data, size, "winmail.dat");
    return 0;
}
