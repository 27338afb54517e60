/* fuzz_ign.c - fuzz the ignore-list reader (.ign/.ign2). */
#include "fuzz_db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_db_one("fuzz.ign2", data, size);
}
