/* fuzz_zipdec.c - fuzz the hand-written zip decoders (src/unpack/zipdec.c):
 * the input is decoded raw as Deflate64 and as implode with each flag
 * combination (dictionary size, literal tree) into a bounded buffer, and
 * walked as a zip archive, whose Deflate64/implode members reach the same
 * decoders through the archive walker. */
#include "fuzz_walk.h"
#include "unpack/zipdec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct vigil_format format_archive;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[1 << 16];
    size_t made = 0;

    if (zipdec_inflate64(data, size, out, sizeof out, &made) == 0 && made > sizeof out)
        __builtin_trap();
    for (unsigned flags = 0; flags < 8; flags += 2)
        if (zipdec_explode(data, size, flags, out, sizeof out, &made) == 0 &&
            made > sizeof out)
            __builtin_trap();
    fuzz_walk(&format_archive, data, size, "fuzz.zip");
    return 0;
}
