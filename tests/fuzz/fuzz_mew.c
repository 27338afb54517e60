/* fuzz_mew.c - fuzz the MEW unpacker (src/unpack/mew.c, mewlzma.c): the
 * input as a PE through mew_unpack and the rebuild, then its bytes given
 * raw to the aPLib-style decompressor (in place, windows overlapping as
 * MEW's do) and to the LZMA mode's block decoder in a 64 KiB image. */
#include <stdlib.h>
#include <string.h>

#include "scan/pe.h"
#include "unpack/mew.h"
#include "unpack/mewlzma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t img[1 << 16];
    struct pe_info pe;
    uint8_t *out = NULL;
    size_t n = 0, half = size / 2;
    uint64_t se = 0, de = 0;

    if (pe_parse_scan(data, size, &pe, 0) == PE_OK) {
        int rc = mew_unpack(data, size, &pe, 4 << 20, &out, &n);
        if (rc == 1 && (!out || n == 0 || n > (4 << 20)))
            __builtin_trap();
        free(out);
        pe_free(&pe);
    }
    if (size < 8 || size > sizeof img)
        return 0;
    memcpy(img, data, size);
    if (mew_unpack_nrv(img, size, 0, size, half, size - half, &se, &de) == 0 &&
        (se > size || de > size))
        __builtin_trap();
    memset(img, 0, sizeof img);
    memcpy(img, data, size);
    (void)mew_lzma(img, sizeof img, data[0] & 0x3f, 0, data[1] & 1);
    return 0;
}
