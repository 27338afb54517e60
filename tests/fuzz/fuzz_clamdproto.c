/* fuzz_clamdproto.c - fuzz the clamd framing and command parser the way the
 * daemon drives it: frame, name, consume, until the input runs out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct proto_frame f;
    const char *arg;
    bool first = true;
    size_t len;
    char *buf;

    if (size > PROTO_CMD_MAX * 4 || !(buf = malloc(size + 1)))
        return 0;
    memcpy(buf, data, size);
    len = size;
    while (len && proto_frame(buf, len, first, &f)) {
        if (f.consumed == 0 || f.consumed > len || f.cmdlen > len)
            __builtin_trap();
        if (proto_command(&f, &arg) != CMD_UNKNOWN && arg &&
            (arg < buf || arg > buf + len))
            __builtin_trap(); /* an argument points into the frame */
        memmove(buf, buf + f.consumed, len - f.consumed);
        len -= f.consumed;
        first = false;
    }
    free(buf);
    return 0;
}
