/* client.c - one clamd client connection: reading, framing, the commands
 * that are answered at once, INSTREAM and FILDES intake, and replies.
 *
 * Behaviour follows clamd 1.4 (clamd/server-th.c recvloop, session.c
 * execute_or_dispatch_command) as observed on the wire: outside IDSESSION a
 * connection carries one command, whose replies end it; inside, each command
 * gets the next number and its replies carry "<id>: "; END closes the
 * session once its scans are answered. Limits: IN_MAX bytes of unframed
 * input, OUT_MAX bytes of unread replies, StreamMaxLength per stream,
 * StreamMaxTotal for all streams together (streams.c), and the
 * CommandReadTimeout/ReadTimeout clocks.
 *
 * INSTREAM data goes into a memfd as it arrives, never into a file. An
 * idle worker follows the stream and digests it for hash signatures as it
 * grows (instream.c); the rest of the scan starts when the stream ends, as
 * the engine needs the whole object for it: the file type comes from its
 * first bytes and decides which signatures apply, offsets count from its
 * end, YARA rules and the unpackers see the whole buffer, and Vectorscan
 * runs in block mode. The copy into the memfd is the parent's only pass
 * over the data.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/log.h"

#define VERSION_TEXT "ClamAV vigild-" VIGIL_VERSION_STRING

void client_write(struct client *cl, const char *text, size_t len)
{
    char *p;
    size_t cap;

    if (cl->dead || len == 0)
        return;
    if (cl->outlen + len > OUT_MAX) {
        /* A client that does not read its answers loses them. */
        cl->dead = true;
        return;
    }
    if (cl->outlen + len > cl->outcap) {
        cap = cl->outcap ? cl->outcap : 256;
        while (cap < cl->outlen + len)
            cap *= 2;
        if (!(p = realloc(cl->out, cap))) {
            cl->dead = true;
            return;
        }
        cl->out = p;
        cl->outcap = cap;
    }
    if (cl->outlen == 0)
        cl->send_since_ms = now_ms();
    memcpy(cl->out + cl->outlen, text, len);
    cl->outlen += len;
}

void client_reply(struct client *cl, uint32_t id, char term, const char *text)
{
    char pre[16];

    if (cl->session) {
        snprintf(pre, sizeof(pre), "%u: ", id);
        client_write(cl, pre, strlen(pre));
    }
    client_write(cl, text, strlen(text));
    client_write(cl, &term, 1);
}

static void client_flush(struct client *cl)
{
    ssize_t n;

    while (cl->outlen && !cl->dead) {
        n = send(cl->fd, cl->out, cl->outlen, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            cl->dead = true;
            break;
        }
        memmove(cl->out, cl->out + n, cl->outlen - (size_t)n);
        cl->outlen -= (size_t)n;
        cl->send_since_ms = now_ms();
    }
    if (cl->dead)
        cl->outlen = 0;
}

/* Drops the stream being received, if any, and what it held. */
static void end_stream(struct client *cl)
{
    live_detach(cl);
    if (cl->memfd >= 0)
        close(cl->memfd);
    cl->memfd = -1;
    streams_release(cl->held);
    cl->held = 0;
}

void client_free(struct client *cl)
{
    struct task *t;
    unsigned k;

    while ((t = cl->tasks)) {
        cl->tasks = t->next;
        procs_forget_task(t);
        task_free(t);
    }
    for (k = 0; k < CLIENTS_MAX; k++)
        if (D.clients[k] == cl)
            D.clients[k] = NULL;
    end_stream(cl);
    if (cl->recvfd >= 0)
        close(cl->recvfd);
    close(cl->fd);
    free(cl->out);
    free(cl);
}

bool client_maybe_close(struct client *cl)
{
    bool finished = cl->mode == CM_WAITREPLY || cl->end_seen;

    client_flush(cl);
    if (cl->dead || (finished && cl->ntasks == 0 && cl->outlen == 0)) {
        client_free(cl);
        return true;
    }
    return false;
}

void client_accept(int lfd)
{
    struct client *cl;
    unsigned k;
    int fd;

    if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0) {
        /* Out of descriptors: the listener stays readable, so stop polling
         * it for a moment instead of spinning. */
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            log_msg(LOG_L_WARNING, "accept: %s", strerror(errno));
            D.accept_paused_until_ms = now_ms() + 100;
        }
        return;
    }
    for (k = 0; k < CLIENTS_MAX && D.clients[k]; k++) {
    }
    if (k == CLIENTS_MAX || !(cl = calloc(1, sizeof(*cl)))) {
        log_msg(LOG_L_WARNING, "Too many clients, refusing a connection");
        close(fd);
        return;
    }
    cl->fd = fd;
    cl->memfd = -1;
    cl->recvfd = -1;
    cl->term = '\n';
    cl->deadline_ms = now_ms() + (int64_t)D.conf.command_read_timeout * 1000;
    D.clients[k] = cl;
}

/* ---- the commands answered at once ------------------------------------- */

static void reply_stats(struct client *cl, uint32_t id, char term)
{
    char head[256];
    unsigned k, live = 0, idle = 0;

    for (k = 0; k < PROCS_MAX; k++) {
        live += D.procs[k].state != PROC_FREE;
        idle += D.procs[k].state == PROC_IDLE;
    }
    if (cl->session) {
        snprintf(head, sizeof(head), "%u: ", id);
        client_write(cl, head, strlen(head));
    }
    snprintf(head, sizeof(head),
             "POOLS: 1\n\nSTATE: VALID PRIMARY\nTHREADS: live %u  idle %u max %u "
             "idle-timeout %u\nQUEUE: %u items\n",
             live, idle, D.nprocs_max, D.conf.idle_timeout, D.queued);
    client_write(cl, head, strlen(head));
    procs_stats(cl);
    snprintf(head, sizeof(head), "\nMEMSTATS: heap N/A mmap N/A used N/A free N/A "
             "releasable N/A pools 1 pools_used N/A pools_total N/A\nEND");
    client_write(cl, head, strlen(head));
    client_write(cl, &term, 1);
}

static void reply_commands(struct client *cl, uint32_t id, char term)
{
    char text[512] = VERSION_TEXT "| COMMANDS:";
    size_t k;

    for (k = 0; proto_command_names[k]; k++) {
        strcat(text, " ");
        strcat(text, proto_command_names[k]);
    }
    client_reply(cl, id, term, text);
}

static bool allowed_in_session(enum proto_cmd c)
{
    return c == CMD_FILDES || c == CMD_SCAN || c == CMD_END || c == CMD_INSTREAM ||
           c == CMD_VERSION || c == CMD_PING || c == CMD_STATS ||
           c == CMD_VERSIONCOMMANDS;
}

static void start_stream(struct client *cl, uint32_t id)
{
    cl->stream_id = id;
    if (!streams_may_start()) {
        /* Over StreamMaxTotal: wait, unread, until streams held end. */
        log_msg(LOG_L_DEBUG, "INSTREAM: StreamMaxTotal reached (%llu bytes held), "
                "the stream waits", (unsigned long long)D.stream_bytes);
        cl->mode = CM_STREAMWAIT;
        return;
    }
    cl->memfd = memfd_create("vigild-instream", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (cl->memfd < 0) {
        log_msg(LOG_L_ERROR, "INSTREAM: memfd_create: %s", strerror(errno));
        cl->mode = CM_WAITREPLY;
        return;
    }
    cl->quota = D.conf.stream_max_length;
    cl->chunk_left = 0;
    cl->hdrlen = 0;
    cl->written = 0;
    cl->stream_id = id;
    cl->mode = CM_STREAM;
    cl->deadline_ms = now_ms() + (int64_t)D.conf.read_timeout * 1000;
    live_attach(cl);
}

/* Runs one command. Returns false when the connection takes no more. */
static bool run_command(struct client *cl, enum proto_cmd cmd, const char *arg,
                        uint32_t id, char term)
{
    if (cl->session && !allowed_in_session(cmd)) {
        client_reply(cl, id, term, "Command invalid inside IDSESSION. ERROR");
        return false;
    }
    switch (cmd) {
    case CMD_SHUTDOWN:
    case CMD_QUIT:
        D.exiting = true;
        return false;
    case CMD_RELOAD:
        D.reload_wanted = true;
        client_reply(cl, id, term, "RELOADING");
        return false;
    case CMD_PING:
        client_reply(cl, id, term, "PONG");
        return cl->session;
    case CMD_VERSION:
        client_reply(cl, id, term, VERSION_TEXT);
        return cl->session;
    case CMD_VERSIONCOMMANDS:
        reply_commands(cl, id, term);
        return cl->session;
    case CMD_STATS:
        reply_stats(cl, id, term);
        return cl->session;
    case CMD_DETSTATS:
    case CMD_DETSTATSCLEAR:
        return false; /* removed from clamd: it closes without a word */
    case CMD_IDSESSION:
        cl->session = true;
        return true;
    case CMD_END:
        if (!cl->session)
            client_reply(cl, id, term, "UNKNOWN COMMAND");
        return false;
    case CMD_INSTREAM:
        start_stream(cl, id);
        return cl->mode == CM_STREAM || cl->mode == CM_STREAMWAIT;
    case CMD_SCAN:
    case CMD_CONTSCAN:
    case CMD_MULTISCAN:
    case CMD_ALLMATCHSCAN:
        task_start_path(cl, cmd, id, term, arg);
        return cl->session;
    case CMD_FILDES:
    case CMD_UNKNOWN:
        break;
    }
    client_reply(cl, id, term, "UNKNOWN COMMAND");
    return false;
}

/* FILDES: the descriptor comes with the byte after the command (clamdscan
 * sends one NUL with it). Without a descriptor, clamd's error. */
static bool run_fildes(struct client *cl, uint32_t id, char term)
{
    char name[32];
    int fd = cl->recvfd;

    cl->recvfd = -1;
    if (fd < 0) {
        client_reply(cl, id, term, "No file descriptor received. ERROR");
        return false;
    }
    snprintf(name, sizeof(name), "fd[%d]", fd);
    task_start_fd(cl, CMD_FILDES, id, term, fd, name, 0);
    return cl->session;
}

static void consume(struct client *cl, size_t n)
{
    memmove(cl->in, cl->in + n, cl->inlen - n);
    cl->inlen -= n;
}

/* The packet after a FILDES that came alone: its first byte carries the
 * descriptor. Returns false when the connection takes no more. */
static bool take_fildes(struct client *cl)
{
    bool more;

    consume(cl, 1);
    cl->mode = CM_COMMAND;
    more = run_fildes(cl, cl->wait_id, cl->term);
    if (more && cl->session)
        cl->deadline_ms = now_ms() + (int64_t)D.conf.read_timeout * 1000;
    return more;
}

/* Frames and runs commands from the input buffer. Returns false when the
 * connection is finished (in WAITREPLY or closing). */
static bool take_commands(struct client *cl)
{
    struct proto_frame f;
    const char *arg;
    enum proto_cmd cmd;
    uint32_t id;
    bool more;

    while (cl->mode == CM_COMMAND && cl->inlen) {
        /* A session that queues scans faster than they finish waits: every
         * scan holds a descriptor. client_resume() goes on later. */
        if (cl->ntasks >= CLIENT_TASKS_MAX)
            return true;
        if (cl->session && cl->in[0] != 'z' && cl->in[0] != 'n') {
            client_reply(cl, cl->id, '\n', "Only new-line terminated nCMDS or "
                         "NULL-terminated zCMDS are accepted inside IDSESSION. ERROR");
            return false;
        }
        if (!proto_frame(cl->in, cl->inlen, cl->id == 0, &f))
            return cl->inlen < IN_MAX; /* too long to be a command: drop it */
        cmd = proto_command(&f, &arg);
        id = cl->id++;
        cl->term = f.term;
        if (cmd == CMD_FILDES && f.consumed == cl->inlen && cl->recvfd < 0) {
            /* The descriptor rides on the next packet, with one byte. */
            consume(cl, f.consumed);
            cl->wait_id = id;
            cl->mode = CM_WAITFD;
            return true;
        }
        if (cmd == CMD_FILDES) {
            consume(cl, f.consumed + (f.consumed < cl->inlen));
            more = run_fildes(cl, id, f.term);
        } else {
            /* The argument lives in the input buffer: run before consuming. */
            more = run_command(cl, cmd, arg, id, f.term);
            consume(cl, f.consumed);
        }
        cl->deadline_ms = now_ms() + (int64_t)D.conf.read_timeout * 1000;
        if (!more)
            return false;
    }
    return true;
}

/* Copies stream bytes into the memfd; a zero-length chunk ends the stream
 * and starts its scan. Returns false on a limit or write error. */
static bool take_stream(struct client *cl)
{
    size_t pos = 0, n;
    ssize_t w;
    uint32_t size;

    while (cl->mode == CM_STREAM && pos < cl->inlen) {
        if (cl->chunk_left == 0) {
            while (cl->hdrlen < 4 && pos < cl->inlen)
                cl->hdr[cl->hdrlen++] = (unsigned char)cl->in[pos++];
            if (cl->hdrlen < 4)
                break;
            cl->hdrlen = 0;
            memcpy(&size, cl->hdr, 4);
            size = ntohl(size);
            if (size == 0) {
                cl->mode = cl->session ? CM_COMMAND : CM_WAITREPLY;
                if (!live_end(cl, cl->stream_id, cl->term, cl->memfd, cl->held))
                    task_start_fd(cl, CMD_INSTREAM, cl->stream_id, cl->term, cl->memfd,
                                  "stream", cl->held);
                cl->memfd = -1;
                cl->held = 0;
                break;
            }
            if (size > cl->quota) {
                log_msg(LOG_L_WARNING, "INSTREAM: Size limit reached, (requested: %u, "
                        "max: %llu)", size, (unsigned long long)cl->quota);
                client_reply(cl, cl->stream_id, cl->term, "INSTREAM size limit exceeded. ERROR");
                end_stream(cl);
                consume(cl, pos);
                return false;
            }
            if (!streams_take(size)) {
                log_msg(LOG_L_WARNING, "INSTREAM: StreamMaxTotal reached, (requested: %u, "
                        "held: %llu, max: %llu)", size, (unsigned long long)D.stream_bytes,
                        (unsigned long long)D.conf.stream_max_total);
                client_reply(cl, cl->stream_id, cl->term, "INSTREAM size limit exceeded. ERROR");
                end_stream(cl);
                consume(cl, pos);
                return false;
            }
            cl->held += size;
            cl->quota -= size;
            cl->chunk_left = size;
        }
        n = cl->inlen - pos < cl->chunk_left ? cl->inlen - pos : cl->chunk_left;
        w = write(cl->memfd, cl->in + pos, n);
        if (w != (ssize_t)n) {
            client_reply(cl, cl->stream_id, cl->term, "Error writing to temporary file ERROR");
            consume(cl, pos);
            return false;
        }
        cl->chunk_left -= (uint32_t)n;
        cl->written += n;
        pos += n;
    }
    live_grown(cl);
    consume(cl, pos);
    cl->deadline_ms = now_ms() + (int64_t)D.conf.read_timeout * 1000;
    return true;
}

static void take_input(struct client *cl)
{
    enum client_mode mode;
    bool ok = true;
    size_t len;

    /* Until no step makes progress: a stream's end can be followed by more
     * commands of a session in the same read. */
    while (ok && cl->inlen && (cl->mode == CM_COMMAND || cl->mode == CM_STREAM)) {
        len = cl->inlen;
        mode = cl->mode;
        if (cl->mode == CM_STREAM)
            ok = take_stream(cl);
        else
            ok = take_commands(cl);
        if (cl->mode == CM_WAITFD || (ok && len == cl->inlen && mode == cl->mode))
            return;
    }
    if (!ok) {
        if (cl->session)
            cl->end_seen = true;
        cl->mode = CM_WAITREPLY;
    }
}

void client_resume(struct client *cl)
{
    if (cl->mode == CM_STREAMWAIT && streams_may_start()) {
        start_stream(cl, cl->stream_id);
        if (cl->mode == CM_STREAM && cl->inlen)
            take_input(cl);
        return;
    }
    if (cl->mode == CM_COMMAND && cl->inlen && cl->ntasks < CLIENT_TASKS_MAX)
        take_input(cl);
}

/* Reads what the client sent, with any descriptor passed along. Returns
 * bytes read, 0 at end of file, -1 when nothing was there. */
static ssize_t client_read(struct client *cl)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(4 * sizeof(int))];
    } ctl;
    struct iovec iov = {.iov_base = cl->in + cl->inlen, .iov_len = IN_MAX - cl->inlen};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                        .msg_controllen = sizeof(ctl.buf)};
    struct cmsghdr *c;
    ssize_t n;
    int k, nfd, v;

    n = recvmsg(cl->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? -1 : 0;
    for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        nfd = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (k = 0; k < nfd; k++) {
            memcpy(&v, CMSG_DATA(c) + (size_t)k * sizeof(int), sizeof(int));
            if (cl->recvfd < 0)
                cl->recvfd = v; /* the first one; FILDES passes one */
            else
                close(v);
        }
    }
    cl->inlen += (size_t)n;
    if (n > 0)
        cl->deadline_ms = now_ms() + (int64_t)D.conf.read_timeout * 1000;
    return n;
}

/* One read and what it brings. Returns true when more may be waiting. */
static bool client_take(struct client *cl)
{
    ssize_t n = client_read(cl);

    if (n == 0) {
        /* A stream or command cut short costs nothing but this client;
         * a session that was told everything is answered first. */
        if (cl->mode == CM_STREAM || cl->mode == CM_WAITFD || !cl->session)
            cl->dead = true;
        else
            cl->end_seen = true;
        return false;
    }
    if (n < 0)
        return false;
    if (cl->mode == CM_WAITFD && !take_fildes(cl)) {
        cl->end_seen = cl->session;
        cl->mode = CM_WAITREPLY;
    } else {
        take_input(cl);
    }
    return true;
}

/* Reads per event while a stream flows in, so a large INSTREAM does not
 * cost one poll round per IN_MAX bytes; bounded, so others get their turn. */
#define STREAM_READS_MAX 32

void client_event(struct client *cl, short revents)
{
    unsigned k;

    if (revents & POLLOUT)
        client_flush(cl);
    if (cl->mode == CM_STREAMWAIT) {
        /* Not read while it waits; a client that leaves is gone. */
        if (revents & (POLLHUP | POLLERR))
            cl->dead = true;
    } else if (cl->mode != CM_WAITREPLY && (revents & (POLLIN | POLLHUP))) {
        for (k = 0; k < STREAM_READS_MAX; k++)
            if (!client_take(cl) || cl->mode != CM_STREAM)
                break;
    } else if (cl->mode == CM_WAITREPLY && (revents & (POLLHUP | POLLERR))) {
        cl->dead = true;
    }
    client_maybe_close(cl);
}

/* ms until cl's read deadline; past it, clamd's words end the connection. */
static int64_t read_timeout(struct client *cl, int64_t now)
{
    int64_t left;

    if (cl->mode == CM_WAITREPLY || cl->mode == CM_STREAMWAIT || cl->end_seen || cl->ntasks ||
        !cl->deadline_ms)
        return -1;
    left = cl->deadline_ms - now;
    if (left > 0)
        return left;
    log_msg(LOG_L_DEBUG, "client read timed out");
    client_write(cl, "COMMAND READ TIMED OUT\n", 23);
    cl->mode = CM_WAITREPLY;
    cl->end_seen = true;
    return -1;
}

/* SendBufTimeout: a client that takes no byte of its replies for that long
 * is dropped, so it cannot hold a connection and its descriptor forever. */
static int64_t send_timeout(struct client *cl, int64_t now)
{
    int64_t left;

    if (!cl->outlen || cl->dead)
        return -1;
    left = cl->send_since_ms + (int64_t)D.conf.send_buf_timeout - now;
    if (left > 0)
        return left;
    log_msg(LOG_L_DEBUG, "client does not read its replies: dropped");
    cl->dead = true;
    return -1;
}

int clients_timeouts(void)
{
    int64_t now = now_ms(), next = -1, a, b;
    unsigned k;

    for (k = 0; k < CLIENTS_MAX; k++) {
        struct client *cl = D.clients[k];

        if (!cl)
            continue;
        a = read_timeout(cl, now);
        b = send_timeout(cl, now);
        if (client_maybe_close(cl))
            continue;
        if (a >= 0 && (next < 0 || a < next))
            next = a;
        if (b >= 0 && (next < 0 || b < next))
            next = b;
    }
    return next < 0 ? -1 : (int)next;
}
