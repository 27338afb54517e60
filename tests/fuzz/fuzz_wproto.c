/* fuzz_wproto.c - fuzz the frame reader of os/linux/wproto.c as a parent
 * uses it on a worker's socket (a compromised worker controls every byte),
 * and the decoder of a WMSG_SCAN batch. The input goes into one end of a
 * socket pair; every frame wconn_recv returns must be within its type's
 * bounds, and reading must end (end of stream or a malformed frame). The
 * first byte also sets a descriptor count for wscan_decode over the rest.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "os/linux/wproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void scan_batch(const uint8_t *data, size_t size)
{
    struct wscan_item items[WPROTO_MAX_BATCH];
    struct wmsg m = {.type = WMSG_SCAN};
    unsigned k;

    if (!size)
        return;
    m.nfd = data[0] % (WPROTO_MAX_BATCH + 2);
    if (m.nfd > WPROTO_MAX_BATCH)
        m.nfd = WPROTO_MAX_BATCH;
    m.buf = (unsigned char *)(uintptr_t)(data + 1);
    m.len = (uint32_t)(size - 1);
    if (wscan_decode(&m, items) != VIGIL_OK)
        return;
    for (k = 0; k < m.nfd; k++)
        if (items[k].namelen > WPROTO_MAX_TEXT ||
            items[k].name < (const char *)m.buf ||
            items[k].name + items[k].namelen > (const char *)m.buf + m.len ||
            memchr(items[k].name, 0, items[k].namelen))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wconn c;
    struct wmsg m;
    int sv[2], frames = 0;

    scan_batch(data, size);
    /* Small enough to sit in the socket's buffer whole. */
    if (size > 65536 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
        return 0;
    if (size && write(sv[0], data, size) != (ssize_t)size) {
        close(sv[0]);
        close(sv[1]);
        return 0;
    }
    close(sv[0]);
    wconn_init(&c, sv[1], 0);
    while (wconn_recv(&c, &m) == VIGIL_OK) {
        if (m.type == 0 || m.type >= WMSG_TYPE_END || m.len > WPROTO_MAX_PAYLOAD || m.nfd ||
            ++frames > 65536 / (int)WPROTO_HDR)
            abort();
        wmsg_free(&m);
    }
    wconn_close(&c);
    return 0;
}
