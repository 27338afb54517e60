/* fuzz_vba.c - fuzz the MS-OVBA decompressor and dir stream reader
 * (src/unpack/vba.c): the input is decompressed into a small and a large
 * bounded buffer (the output must never pass either, and the small one
 * must hold a prefix of the large one), and the output is read as a dir
 * stream. */
#include <stdlib.h>
#include <string.h>

#include "unpack/vba.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t big[1 << 16], small[100];
    static struct vba_module m[VBA_MAX_MODULES];
    int damaged, full;
    size_t n = vba_decompress(data, size, big, sizeof big, &damaged, &full);
    size_t k = vba_decompress(data, size, small, sizeof small, &damaged, &full);

    if (n > sizeof big || k > sizeof small || memcmp(small, big, k < n ? k : n) != 0)
        __builtin_trap();
    if (vba_modules(big, n, m, VBA_MAX_MODULES, &damaged) > VBA_MAX_MODULES)
        __builtin_trap();
    (void)vba_modules(data, size, m, 4, &damaged);
    return 0;
}
