/* fuzz_upack.c - fuzz the Upack unpacker (src/unpack/upack.c,
 * upacklzma.c): the input as a PE through upack_unpack and the rebuild,
 * then its bytes as the image Upack's LZMA decoder works in (64 KiB), with
 * the coder's block, the packed data and the output at offsets the first
 * bytes choose. */
#include <stdlib.h>
#include <string.h>

#include "scan/pe.h"
#include "unpack/upack.h"
#include "unpack/upacklzma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t img[1 << 16];
    struct upack_lz z;
    struct pe_info pe;
    uint8_t *out = NULL;
    size_t n = 0;

    if (pe_parse_scan(data, size, &pe, 0) == PE_OK) {
        int rc = upack_unpack(data, size, &pe, 4 << 20, &out, &n);
        if (rc == 1 && (!out || n == 0 || n > (4 << 20)))
            __builtin_trap();
        free(out);
        pe_free(&pe);
    }
    if (size < 8 || size > sizeof img)
        return 0;
    memset(img, 0, sizeof img);
    memcpy(img, data, size);
    memset(&z, 0, sizeof z);
    z.b = img;
    z.size = sizeof img;
    z.ebx = 0x4000 + (int64_t)data[0] * 4;
    z.in = data[1] * 16;
    z.edi = 0x8000 + (int64_t)data[2] * 16;
    z.end = z.edi + 0x4000;
    z.lc = 2 + data[3] % 7;
    z.eax = data[4] % 12;
    z.ecx = data[5] & 1 ? 0x80 : 0;
    (void)upack_lzma(&z);
    return 0;
}
