/* fuzz_ole2.c - fuzz the OLE2 walker (src/unpack/ole2.c, oledoc.c,
 * vba.c), hand-written: the input is walked as an OLE2 compound file,
 * children scanned through the scan layer; its bytes are also read raw as
 * the streams oledoc.c looks into (Word FIB, BIFF workbook records: the
 * macro-sheet check runs in the walk only under --alert-macros). */
#include "fuzz_walk.h"
#include "unpack/ole2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct vigil_format format_ole2;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"worddocument", "workbook", "encryptioninfo"};
    int n = 0;

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        n += oledoc_encrypted(names[i], data, size);
    n += oledoc_xlm(data, size);
    if (n > 4)
        __builtin_trap();
    fuzz_walk(&format_ole2, data, size, "fuzz.doc");
    return 0;
}
