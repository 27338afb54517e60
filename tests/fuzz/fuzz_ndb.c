/* fuzz_ndb.c - fuzz the extended and legacy body-signature readers (.ndb,
 * .db): fields, functionality levels, targets, offsets, then the pattern;
 * a loaded database is compiled and scans the input itself. */
#include "fuzz_db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_db_one("fuzz.ndb", data, size);
    return fuzz_db_one("fuzz.db", data, size);
}
