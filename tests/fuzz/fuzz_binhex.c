/* fuzz_binhex.c - fuzz the BinHex 4.0 walker and decoder
 * (src/unpack/binhex.c, maildec.c), hand-written: the input is walked as
 * BinHex, and decoded raw into a small buffer (counting, then writing). */
#include "fuzz_walk.h"
#include "unpack/maildec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct vigil_format format_binhex;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[1 << 12];
    int damaged, cut;
    size_t counted = maildec_binhex(data, size, NULL, sizeof out, &damaged, &cut);
    size_t made = maildec_binhex(data, size, out, sizeof out, &damaged, &cut);

    if (made != counted || made > sizeof out)
        __builtin_trap();
    fuzz_walk(&format_binhex, data, size, "fuzz.hqx");
    return 0;
}
