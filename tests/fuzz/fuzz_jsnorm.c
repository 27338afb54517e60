/* fuzz_jsnorm.c - fuzz the JavaScript normaliser (src/unpack/jsnorm.c):
 * the input is normalised twice into one bounded output buffer. */
#include "unpack/jsnorm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct outbuf out;

    outbuf_init(&out, 1 << 16);
    if (jsnorm_script(data, size, &out) == VIGIL_OK)
        (void)jsnorm_script(data, size, &out);
    if (out.len > 1 << 16)
        __builtin_trap();
    outbuf_free(&out);
    return 0;
}
