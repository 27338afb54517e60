/* fuzz_ldb.c - fuzz the logical signature reader (.ldb): target description
 * blocks, expressions, every kind of subsignature and modifier, and the scan
 * that evaluates whatever loaded against the input itself. */
#include "fuzz_db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_db_one("fuzz.ldb", data, size);
}
