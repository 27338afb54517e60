/* fuzz_arj.c - fuzz the ARJ walker and decoders (src/unpack/arj.c,
 * arjdec.c), hand-written: the input is walked as an ARJ archive, and its
 * bytes are also decoded raw with every method into a bounded buffer. */
#include "fuzz_walk.h"
#include "unpack/arjdec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct vigil_format format_arj;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[1 << 16];
    size_t made;

    for (int m = 1; m <= 4; m++)
        if (arjdec_run(m, data, size, out, sizeof out, &made) == 0 && made > sizeof out)
            __builtin_trap();
    fuzz_walk(&format_arj, data, size, "fuzz.arj");
    return 0;
}
