/* fuzz_cdb.c - fuzz the container metadata signature reader (.cdb). */
#include "fuzz_db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_db_one("fuzz.cdb", data, size);
}
