/* fuzz_ftm.c - fuzz the file-type magic reader (.ftm): load the input as a
 * database, compile, and scan a few buffers with the resulting typer. */
#include "fuzz_db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_db_one("fuzz.ftm", data, size);
}
