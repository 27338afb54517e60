/* fuzz_nspack.c - fuzz the NsPack unpacker (src/unpack/nspack.c): the
 * input as a PE through nspack_unpack, the LZMA decoding and the rebuild,
 * with the rebuilt image's invariants checked. */
#include <stdlib.h>

#include "scan/pe.h"
#include "unpack/nspack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pe_info pe;
    uint8_t *out = NULL;
    size_t n = 0;

    if (pe_parse_scan(data, size, &pe, 0) != PE_OK)
        return 0;
    if (nspack_unpack(data, size, &pe, 4 << 20, &out, &n) == 1 &&
        (!out || n == 0 || n > (4 << 20)))
        __builtin_trap();
    free(out);
    pe_free(&pe);
    return 0;
}
