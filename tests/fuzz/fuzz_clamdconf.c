/* fuzz_clamdconf.c - fuzz vigild's clamd.conf reader: any bytes either parse
 * or fail with a file:line message, and what parsed can be freed. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "daemon/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore(void *ctx, const char *msg)
{
    (void)ctx;
    (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct conf c;
    char err[CONF_ERR_MAX + 64];

    conf_defaults(&c);
    if (conf_parse(&c, "fuzz.conf", (const char *)data, size, ignore, NULL, err,
                   sizeof(err)) != 0 &&
        strncmp(err, "fuzz.conf:", 10) != 0)
        __builtin_trap(); /* every error names file:line */
    conf_free(&c);
    return 0;
}
