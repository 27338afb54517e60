/* streams.c - the global cap on INSTREAM data held by vigild
 * (StreamMaxTotal), so that many clients times StreamMaxLength cannot
 * exhaust memory.
 *
 * Counted: every byte of every stream from the moment its chunk header
 * announces it until the scan of that stream is over, i.e. the memfds of
 * streams being received, queued and being scanned. Never more than the
 * cap is held. Policy (clamd has no such key; documented in
 * vigild.conf(5)):
 *  - a new INSTREAM starts only while the total is below the cap; until
 *    then its client is not read (it waits, its command and data stay
 *    unread), and it is not timed out for that wait;
 *  - a stream under way whose next chunk does not fit is refused with
 *    clamd's words for a stream past its limit, "INSTREAM size limit
 *    exceeded. ERROR", and its bytes are released at once.
 * Both are bounded in time: streams under way end within ReadTimeout,
 * scans within MaxScanTime, and each releases what it held.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemon/daemon.h"

/* StreamMaxTotal; 0 in the configuration is no cap. */
static uint64_t cap(void)
{
    return D.conf.stream_max_total ? D.conf.stream_max_total : UINT64_MAX;
}

bool streams_may_start(void)
{
    return D.stream_bytes < cap();
}

bool streams_take(uint64_t n)
{
    if (D.stream_bytes > cap() || n > cap() - D.stream_bytes)
        return false;
    D.stream_bytes += n;
    return true;
}

void streams_release(uint64_t n)
{
    D.stream_bytes = n > D.stream_bytes ? 0 : D.stream_bytes - n;
}

void job_free(struct job *j)
{
    if (!j)
        return;
    if (j->live_cl)
        j->live_cl->live = NULL;
    streams_release(j->held);
    if (j->fd >= 0)
        close(j->fd);
    free(j->name);
    free(j);
}
