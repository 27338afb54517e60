/* fuzz_nsis.c - fuzz the NSIS walker (src/unpack/nsis.c): the header
 * parsing, the solid/non-solid guess and the zlib and LZMA block loops. The
 * input is walked as an installer's data when it carries the firstheader,
 * and also with that header put in front of it, so that the fuzzer
 * reaches the blocks without having to find the magic first. */
#include <string.h>

#include "fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct vigil_format format_nsis;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[1 << 16];
    size_t n = size < sizeof buf - 0x1c ? size : sizeof buf - 0x1c;
    uint32_t total = (uint32_t)(n + 0x1c);

    fuzz_walk(&format_nsis, data, size, "fuzz.nsis");
    memset(buf, 0, 0x1c);
    memcpy(buf + 4, "\xef\xbe\xad\xdeNullsoftInst", 16);
    for (int i = 0; i < 4; i++)
        buf[0x18 + i] = (uint8_t)(total >> (8 * i));
    memcpy(buf + 0x1c, data, n);
    fuzz_walk(&format_nsis, buf, n + 0x1c, "fuzz.nsis");
    return 0;
}
