/* wproto.c - typed, length-checked messages with descriptor passing between
 * a parent and its scan workers (see wproto.h).
 *
 * Frames are {u32 type, u32 length, payload} in host byte order: both ends
 * are the same binary on the same machine. Limits: WPROTO_MAX_PAYLOAD per
 * frame, per-type bounds below, one descriptor per frame and only for the
 * types that carry one, WPROTO_MAX_DETECTIONS and WPROTO_MAX_TEXT in a
 * verdict.
 */
#include "os/linux/wproto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Per type: payload bounds and whether a descriptor must come with it. */
static const struct {
    uint32_t min, max;
    int fd;
} bounds[WMSG_TYPE_END] = {
    [WMSG_HELLO] = {12, 12 + WPROTO_MAX_TEXT, 0},
    [WMSG_FAIL] = {0, WPROTO_MAX_TEXT, 0},
    [WMSG_SCAN] = {8, 8 + WPROTO_MAX_TEXT, 1},
    [WMSG_VERDICT] = {0, WPROTO_MAX_PAYLOAD, 0},
    [WMSG_LOG] = {4, 4 + WPROTO_MAX_TEXT, 0},
    [WMSG_SPAWN] = {0, 0, 1},
    [WMSG_PID] = {4, 4, 0},
};

void wbuf_free(struct wbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

void wbuf_bytes(struct wbuf *b, const void *p, size_t n)
{
    size_t cap;
    unsigned char *q;

    if (b->failed)
        return;
    if (n > WPROTO_MAX_PAYLOAD - b->len) {
        b->failed = 1;
        return;
    }
    if (b->len + n > b->cap) {
        cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n)
            cap *= 2;
        q = realloc(b->p, cap);
        if (!q) {
            b->failed = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

void wbuf_u32(struct wbuf *b, uint32_t v)
{
    wbuf_bytes(b, &v, sizeof v);
}

void wbuf_u64(struct wbuf *b, uint64_t v)
{
    wbuf_bytes(b, &v, sizeof v);
}

vigil_status wproto_send(int sock, uint32_t type, const void *payload, size_t len,
                         int fd)
{
    uint32_t hdr[2] = {type, (uint32_t)len};
    struct iovec iov[2] = {{hdr, sizeof hdr}, {(void *)(uintptr_t)payload, len}};
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(sizeof(int))];
    } c;
    struct msghdr m = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
    ssize_t n;

    if (len > WPROTO_MAX_PAYLOAD)
        return VIGIL_EINVAL;
    if (fd >= 0) {
        memset(&c, 0, sizeof c);
        m.msg_control = c.b;
        m.msg_controllen = sizeof c.b;
        CMSG_FIRSTHDR(&m)->cmsg_level = SOL_SOCKET;
        CMSG_FIRSTHDR(&m)->cmsg_type = SCM_RIGHTS;
        CMSG_FIRSTHDR(&m)->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(CMSG_FIRSTHDR(&m)), &fd, sizeof fd);
    }
    while (m.msg_iovlen) {
        n = sendmsg(sock, &m, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return VIGIL_EREAD;
        /* A short send: the rest goes without the descriptor. */
        m.msg_control = NULL;
        m.msg_controllen = 0;
        while (m.msg_iovlen && (size_t)n >= m.msg_iov->iov_len) {
            n -= (ssize_t)m.msg_iov->iov_len;
            m.msg_iov++;
            m.msg_iovlen--;
        }
        if (m.msg_iovlen) {
            m.msg_iov->iov_base = (char *)m.msg_iov->iov_base + n;
            m.msg_iov->iov_len -= (size_t)n;
        }
    }
    return VIGIL_OK;
}

/* Reads exactly len bytes. Descriptors that arrive are stored in *fd (the
 * first) or closed and counted as extra (a malformed frame). */
static vigil_status recv_exact(int sock, void *buf, size_t len, int *fd, int *extra)
{
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(4 * sizeof(int))];
    } c;
    struct iovec iov;
    struct msghdr m;
    struct cmsghdr *h;
    size_t got = 0, k, nfd;
    ssize_t n;
    int f;

    while (got < len) {
        iov.iov_base = (char *)buf + got;
        iov.iov_len = len - got;
        memset(&m, 0, sizeof m);
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        m.msg_control = c.b;
        m.msg_controllen = sizeof c.b;
        n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return VIGIL_EREAD;
        if (m.msg_flags & MSG_CTRUNC)
            (*extra)++;
        for (h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
            if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
                continue;
            nfd = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (k = 0; k < nfd; k++) {
                memcpy(&f, CMSG_DATA(h) + k * sizeof(int), sizeof f);
                if (*fd < 0) {
                    *fd = f;
                } else {
                    close(f);
                    (*extra)++;
                }
            }
        }
        got += (size_t)n;
    }
    return VIGIL_OK;
}

static vigil_status check_frame(uint32_t type, uint32_t len, int fd, int extra)
{
    if (type == 0 || type >= WMSG_TYPE_END || extra)
        return VIGIL_EMALFORMED;
    if (len < bounds[type].min || len > bounds[type].max)
        return VIGIL_EMALFORMED;
    return (fd >= 0) == (bounds[type].fd != 0) ? VIGIL_OK : VIGIL_EMALFORMED;
}

vigil_status wproto_recv(int sock, struct wmsg *m)
{
    uint32_t hdr[2];
    int extra = 0;
    vigil_status st;

    memset(m, 0, sizeof *m);
    m->fd = -1;
    st = recv_exact(sock, hdr, sizeof hdr, &m->fd, &extra);
    if (st == VIGIL_OK)
        st = check_frame(hdr[0], hdr[1], m->fd, extra);
    if (st != VIGIL_OK)
        goto out;
    m->type = hdr[0];
    m->len = hdr[1];
    m->buf = malloc(m->len ? m->len : 1);
    if (!m->buf) {
        st = VIGIL_ENOMEM;
        goto out;
    }
    st = recv_exact(sock, m->buf, m->len, &m->fd, &extra);
    /* A descriptor may only come with the header. */
    if (st == VIGIL_OK && extra)
        st = VIGIL_EMALFORMED;
out:
    if (st != VIGIL_OK)
        wmsg_free(m);
    return st;
}

void wmsg_free(struct wmsg *m)
{
    free(m->buf);
    if (m->fd >= 0)
        close(m->fd);
    m->buf = NULL;
    m->fd = -1;
}

int wread_u32(struct wreader *r, uint32_t *v)
{
    if (r->left < sizeof *v)
        return -1;
    memcpy(v, r->p, sizeof *v);
    r->p += sizeof *v;
    r->left -= sizeof *v;
    return 0;
}

int wread_u64(struct wreader *r, uint64_t *v)
{
    if (r->left < sizeof *v)
        return -1;
    memcpy(v, r->p, sizeof *v);
    r->p += sizeof *v;
    r->left -= sizeof *v;
    return 0;
}

int wread_text(struct wreader *r, size_t n, char **out)
{
    *out = NULL;
    if (n > r->left || n > WPROTO_MAX_TEXT || memchr(r->p, 0, n))
        return -1;
    *out = malloc(n + 1);
    if (!*out)
        return -1;
    memcpy(*out, r->p, n);
    (*out)[n] = '\0';
    r->p += n;
    r->left -= n;
    return 0;
}
