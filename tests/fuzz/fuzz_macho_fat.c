/* fuzz_macho_fat.c - fuzz the Mach-O universal binary walker
 * (src/unpack/macho_fat.c): the input is walked as a fat file, each slice
 * scanned through the scan layer. */
#include "fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct vigil_format format_macho_fat;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_walk(&format_macho_fat, data, size, "fuzz.fat");
    return 0;
}
