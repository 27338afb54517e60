/* msg.c - typed parent/worker messages over SOCK_SEQPACKET (see msg.h). */
#include "daemon/msg.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int msg_send(int sock, const void *msg, size_t len, int fd)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct iovec iov = {.iov_base = (void *)(uintptr_t)msg, .iov_len = len};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    struct cmsghdr *c;
    ssize_t n;

    if (fd >= 0) {
        memset(&ctl, 0, sizeof(ctl));
        mh.msg_control = ctl.buf;
        mh.msg_controllen = sizeof(ctl.buf);
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    if ((size_t)n != len) {
        errno = EMSGSIZE;
        return -1;
    }
    return 0;
}

/* Takes the descriptors out of a control message: keeps the first in *fd,
 * closes the rest; returns how many there were. */
static int take_fds(struct msghdr *mh, int *fd)
{
    struct cmsghdr *c;
    int count = 0, k, nfd, v;

    for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        nfd = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (k = 0; k < nfd; k++) {
            memcpy(&v, CMSG_DATA(c) + (size_t)k * sizeof(int), sizeof(int));
            if (count++ == 0)
                *fd = v;
            else
                close(v);
        }
    }
    return count;
}

long msg_recv(int sock, void *buf, size_t cap, int *fd)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(4 * sizeof(int))];
    } ctl;
    struct iovec iov = {.iov_base = buf, .iov_len = cap};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf)};
    ssize_t n;

    *fd = -1;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    if (take_fds(&mh, fd) > 1 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
        if (*fd >= 0)
            close(*fd);
        *fd = -1;
        errno = EPROTO;
        return -1;
    }
    return (long)n;
}

int msg_result_check(const struct msg_result *r, long len)
{
    uint32_t k, newlines = 0;
    unsigned char c;

    if (len != (long)sizeof(*r) || (r->type != MSG_RESULT && r->type != MSG_ACK))
        return -1;
    if (r->type == MSG_ACK && (r->verdict != VERDICT_CLEAN || r->count || r->textlen))
        return -1;
    if (r->verdict > VERDICT_ERROR || r->textlen >= MSG_TEXT_MAX)
        return -1;
    if (r->text[r->textlen] != '\0' || strlen(r->text) != r->textlen)
        return -1;
    if (r->verdict == VERDICT_FOUND && (r->count == 0 || r->textlen == 0))
        return -1;
    /* The text goes into replies: no control bytes that could forge a
     * reply line, '\n' only between the names of a FOUND. */
    for (k = 0; k < r->textlen; k++) {
        c = (unsigned char)r->text[k];
        if (c < 0x20 && !(c == '\n' && r->verdict == VERDICT_FOUND))
            return -1;
        newlines += c == '\n';
    }
    if (r->verdict == VERDICT_FOUND && r->count != newlines + 1)
        return -1;
    return 0;
}
