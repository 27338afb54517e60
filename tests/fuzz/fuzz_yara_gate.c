/* fuzz_yara_gate.c - fuzz the pre-filter's reading of YARA rule sources
 * (db/yara_gate.c: its lexer, the condition analysis and the atoms of text
 * and hex strings). The input is one rule file's text; libyara is not
 * involved. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/yara_gate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1); /* exact bounds for ASan */
    size_t n = 0;

    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    yara_gate_source_all(copy, size, &n);
    free(copy);
    return 0;
}
