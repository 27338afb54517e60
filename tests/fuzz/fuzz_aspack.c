/* fuzz_aspack.c - fuzz the ASPack unpacker and rebuild directly: the PE
 * parsed as the scan parses it, then aspack_unpack under a small budget,
 * its result checked (an image when it says so, never over the budget
 * beyond the rebuilt headers). */
#include <stdlib.h>

#include "scan/pe.h"
#include "unpack/aspack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pe_info pe;
    uint8_t *img = NULL;
    size_t n = 0;
    int rc;

    if (pe_parse_scan(data, size, &pe, 0) != PE_OK)
        return 0;
    rc = aspack_unpack(data, size, &pe, 1 << 20, &img, &n);
    if (rc == 1 && (!img || n == 0 || n > (1 << 20)))
        __builtin_trap();
    if (rc != 1 && img)
        __builtin_trap();
    free(img);
    pe_free(&pe);
    return 0;
}
