/* fuzz_xlm.c - fuzz the XLM disassembly (src/unpack/xlm.c): the input is
 * a Workbook stream; it is rendered into a small and a large bounded
 * buffer (neither may be passed; what is kept is the 117-byte header and
 * whole 4096-byte blocks), and the small one must be a prefix of the
 * large one. */
#include <stdlib.h>
#include <string.h>

#include "unpack/xlm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct outbuf big, small;
    int scan, full, sscan, sfull;

    outbuf_init(&big, 1 << 22);
    outbuf_init(&small, 5000);
    if (xlm_text(data, size, &big, &scan, &full) != VIGIL_OK ||
        xlm_text(data, size, &small, &sscan, &sfull) != VIGIL_OK)
        goto out;
    if (big.len > big.max || small.len > small.max || (big.len - 117) % 4096 != 0 ||
        (!sfull && scan != sscan) || memcmp(small.p, big.p, small.len < big.len ? small.len : big.len) != 0)
        __builtin_trap();
out:
    outbuf_free(&big);
    outbuf_free(&small);
    return 0;
}
