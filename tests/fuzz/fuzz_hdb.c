/* fuzz_hdb.c - fuzz the hash database reader (.hdb/.hsb/.fp share it). */
#include "fuzz_db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_db_one("fuzz.hdb", data, size);
    return fuzz_db_one("fuzz.fp", data, size);
}
