/* fuzz_pespin.c - fuzz the PESpin unpacker and rebuild directly (the PE
 * parsed as the scan parses it, then pespin_unpack under a small budget),
 * and the FSG/aPLib decoder it uses on the raw input, with their results
 * checked. */
#include <stdlib.h>

#include "scan/pe.h"
#include "unpack/fsgdec.h"
#include "unpack/pespin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pe_info pe;
    uint8_t *img = NULL, dst[4096];
    size_t n = 0;
    int rc;

    if (size > 0 && size <= sizeof dst) {
        rc = fsgdec_decode(data, size, dst, size % sizeof dst + 1);
        if (rc != 0 && rc != -1)
            __builtin_trap();
    }
    if (pe_parse_scan(data, size, &pe, 0) != PE_OK)
        return 0;
    rc = pespin_unpack(data, size, &pe, 1 << 20, &img, &n);
    if (rc == 1 && (!img || n == 0 || n > (1 << 20)))
        __builtin_trap();
    if (rc != 1 && img)
        __builtin_trap();
    free(img);
    pe_free(&pe);
    return 0;
}
