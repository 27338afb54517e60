/* fuzz_autoit.c - fuzz the AutoIt walker and decoders (src/unpack/autoit.c,
 * autoitdec.c), hand-written: the input is walked as a compiled script, and
 * its bytes are also decrypted with both keystreams and decompressed as a
 * JB stream of either version into a bounded buffer. */
#include <string.h>

#include "fuzz_walk.h"
#include "unpack/autoitdec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct vigil_format format_autoit;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[1 << 16], tmp[1 << 12];
    size_t made, n = size < sizeof tmp ? size : sizeof tmp;

    for (int v = 0; v < 2; v++) {
        memset(out, 0, sizeof out);
        if (autoit_jb_decode(data, size, out, sizeof out, v, &made) == 0 && made != sizeof out)
            __builtin_trap(); /* success means the output was filled */
        if (made > sizeof out)
            __builtin_trap();
    }
    memcpy(tmp, data, n);
    autoit_mt_decrypt(tmp, n, size ? data[0] : 0);
    autoit_lame_decrypt(tmp, n, size ? data[0] : 0);
    fuzz_walk(&format_autoit, data, size, "fuzz.au3");
    return 0;
}
