/* fuzz_ole2.c - fuzz the OLE2 walker (src/unpack/ole2.c, oledoc.c,
 * vba.c), hand-written: the input is walked as an OLE2 compound file with
 * every option that changes the walk (macro alerts), children scanned
 * through the scan layer. */
#include "fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct vigil_format format_ole2;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_walk(&format_ole2, data, size, "fuzz.doc");
    return 0;
}
