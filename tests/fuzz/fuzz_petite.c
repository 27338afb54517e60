/* fuzz_petite.c - fuzz the Petite unpacker: the input is parsed as a PE
 * (as exe_unpack_pe parses it) and handed to petite_unpack directly under
 * a small budget; an image it returns must be non-empty and within it. */
#include <stdlib.h>

#include "scan/pe.h"
#include "unpack/petite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pe_info pe;
    uint8_t *img = NULL;
    size_t n = 0, max = 1 << 20;

    if (pe_parse_scan(data, size, &pe, 0) != PE_OK)
        return 0;
    if (petite_unpack(data, size, &pe, max, &img, &n) == 1 && (!img || n == 0 || n > max))
        __builtin_trap();
    free(img);
    pe_free(&pe);
    return 0;
}
