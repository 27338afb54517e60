/* fuzz_zipcd.c - fuzz the zip central directory reader behind
 * Heuristics.Zip.OverlappingFiles and .cdb member metadata
 * (src/unpack/zipcd.c), a hand-written parser. */
#include <stdint.h>
#include <string.h>

#include "unpack/zipcd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct zipcd_iter it;
    char last[64];
    struct zipcd_entry m;
    int bomb;

    if (zipcd_check(data, size, &bomb, last, sizeof last) == VIGIL_OK &&
        strlen(last) >= sizeof last)
        __builtin_trap();
    zipcd_iter_init(&it, data, size);
    for (int i = 0; i < 64; i++)
        if (!zipcd_iter_next(&it, i % 2 ? "a.txt" : "clam.exe", &m))
            break;
        else if (m.data != UINT64_MAX && m.data > size)
            __builtin_trap(); /* a member's data offset lies inside the zip */
    return 0;
}
